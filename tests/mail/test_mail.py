"""E-mail: every event sends one discreet message through a real SMTP server; a server that
refuses or is away delays mail without losing it; nothing is sent twice; a person's choice
of no e-mail is kept; the development page exists in development only."""

from __future__ import annotations

import html
import threading
from datetime import timedelta
from email.message import EmailMessage

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.applications import service as applications_service
from app.applications.models import DecisionKind
from app.auth.models import Role, User
from app.config import get_settings
from app.db import utcnow
from app.flows import decisions
from app.flows import mail as mail_flow
from app.flows import permits as permit_flows
from app.i18n import LANGUAGES, translate_in
from app.mail import outbox, sender
from app.mail.models import MailStatus, OutboxMessage
from app.mail.render import SUBJECT
from app.permits.models import Permit
from tests.factories import csrf_from, login_page, make_application, make_user
from tests.smtp import Inbox, free_port

# Words that must never be in a message: what it is about, its outcome, the name.
TELLING = (
    "roos",
    "sex",
    "seks",
    "permit",
    "vergunning",
    "licen",
    "approv",
    "grant",
    "verleen",
    "refus",
    "weiger",
    "suspend",
    "schors",
    "revok",
    "intrek",
    "prostitu",
    "brought",  # the reason given below
)


def deliver(session: Session, **kwargs: object) -> mail_flow.SendReport:
    return mail_flow.send_pending(session, tries=1, wait_seconds=0, **kwargs)  # type: ignore[arg-type]


def assert_discreet(message: EmailMessage, language: str = "en") -> None:
    municipality = get_settings().municipality_name
    assert message["Subject"] == translate_in(language, SUBJECT) % {"municipality": municipality}
    assert message["From"] == f"{municipality} <noreply@tilburg.example>"
    parts = [part for part in message.walk() if not part.is_multipart()]
    assert sorted(part.get_content_type() for part in parts) == ["text/html", "text/plain"]
    assert all(part.get_content_disposition() != "attachment" for part in parts)
    shown = " ".join(
        [str(message["Subject"]), str(message["From"])]
        + [str(part.get_content()) for part in parts]
    ).lower()
    for word in TELLING:
        assert word not in shown, word
    assert "/home" in shown


def new_messages(inbox: Inbox, before: int) -> list[EmailMessage]:
    return inbox.messages[before:]


def test_each_event_sends_one_discreet_message(session: Session, inbox: Inbox) -> None:
    holder = make_user(session)
    holder.language = "en"
    session.add(holder)
    session.commit()
    clerk = make_user(session, Role.clerk)

    def step_sends_one(step: object = None) -> EmailMessage:
        before = len(inbox.messages)
        report = deliver(session)
        assert report.sent == 1, report
        received = new_messages(inbox, before)
        assert len(received) == 1
        assert inbox.recipients[-1] == [holder.email]
        assert_discreet(received[0])
        return received[0]

    application = make_application(session, holder)  # submitted
    step_sends_one()
    decisions.decide(
        session=session,
        application_id=application.id,
        decision=DecisionKind.request_information,
        reason="The photo brought is unreadable",
        actor=clerk,
    )
    session.commit()
    step_sends_one()
    applications_service.submit(session=session, application_id=application.id, actor=holder)
    session.commit()
    step_sends_one()
    decisions.decide(
        session=session,
        application_id=application.id,
        decision=DecisionKind.extend,
        reason="Advice brought in from the police",
        actor=clerk,
    )
    session.commit()
    step_sends_one()
    decisions.decide(
        session=session,
        application_id=application.id,
        decision=DecisionKind.approve,
        reason=None,
        actor=clerk,
    )
    step_sends_one()
    permit = applications_service.permit_of(session=session, application_id=application.id)
    assert permit is not None
    for action in ("suspend", "reinstate", "revoke"):
        permit_flows.change_status(
            session=session,
            number=permit.number,
            actor=clerk,
            action=action,
            reason="Violation brought to light by a visit",
        )
        step_sends_one()
    # The clerk, a staff address, got none of it; nothing is left to send.
    assert all(recipients == [holder.email] for recipients in inbox.recipients)
    assert deliver(session).sent == 0


def test_a_refusal_sends_one_message_in_the_persons_language(
    session: Session, inbox: Inbox
) -> None:
    holder = make_user(session)  # Dutch, the default
    clerk = make_user(session, Role.clerk)
    application = make_application(session, holder)
    deliver(session)
    before = len(inbox.messages)
    decisions.decide(
        session=session,
        application_id=application.id,
        decision=DecisionKind.refuse,
        reason="Refused as the rules were not met",
        actor=clerk,
    )
    assert deliver(session).sent == 1
    (message,) = new_messages(inbox, before)
    assert_discreet(message, language="nl")
    assert message["To"] == holder.email


def test_a_refusing_server_delays_mail_and_a_later_run_delivers_it(
    session: Session, inbox: Inbox
) -> None:
    holder = make_user(session)
    message = outbox.queue(session, kind="decision_made", to_user=holder)
    assert message is not None
    session.commit()
    inbox.refuse = True
    report = deliver(session)
    assert (report.sent, report.failed) == (0, 1)
    session.refresh(message)
    assert message.status is MailStatus.pending
    assert message.attempts == 1
    assert message.last_error == "SMTPRecipientsRefused 550"
    assert holder.email not in (message.last_error or "")
    assert message.next_attempt_at > utcnow()
    # Not due again before its backoff; then delivered once the server takes it.
    inbox.refuse = False
    assert deliver(session).sent == 0
    report = deliver(session, now=utcnow() + timedelta(minutes=2))
    assert report.sent == 1
    session.refresh(message)
    assert message.status is MailStatus.sent
    assert message.attempts == 2
    assert message.last_error is None
    assert len(inbox.messages) == 1


def test_an_unreachable_server_delays_mail_with_a_growing_backoff(
    session: Session, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder = make_user(session)
    message = outbox.queue(session, kind="application_received", to_user=holder)
    assert message is not None
    session.commit()
    port = get_settings().smtp_port
    monkeypatch.setattr(get_settings(), "smtp_port", free_port())  # nobody listens there
    start = utcnow()
    assert deliver(session, now=start).failed == 1
    assert deliver(session, now=start + timedelta(minutes=1)).failed == 1
    session.refresh(message)
    assert message.attempts == 2
    assert message.last_error == "ConnectionRefusedError"
    assert message.next_attempt_at == start + timedelta(minutes=1) + timedelta(minutes=2)
    monkeypatch.setattr(get_settings(), "smtp_port", port)
    assert deliver(session, now=start + timedelta(minutes=3)).sent == 1
    assert len(inbox.messages) == 1


def test_a_failing_mail_server_never_fails_the_action(
    session: Session, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "smtp_port", free_port())
    application = make_application(session)  # submitted: queued, nothing talked to SMTP
    assert application.status.value == "submitted"
    rows = session.exec(
        select(OutboxMessage).where(OutboxMessage.to_user_id == application.applicant_id)
    ).all()
    assert [(r.kind, r.status, r.attempts) for r in rows] == [
        ("application_received", MailStatus.pending, 0)
    ]


def test_a_rolled_back_change_sends_nothing(session: Session) -> None:
    holder = make_user(session)
    with pytest.raises(RuntimeError), session.begin_nested():
        outbox.queue(session, kind="decision_made", to_user=holder)
        raise RuntimeError("the decision failed")
    assert session.exec(select(OutboxMessage)).all() == []


def test_two_sender_runs_send_nothing_twice(session: Session, inbox: Inbox) -> None:
    holder = make_user(session)
    for _ in range(3):
        outbox.queue(session, kind="decision_made", to_user=holder)
    session.commit()
    assert deliver(session).sent == 3
    assert deliver(session).sent == 0
    assert deliver(session, now=utcnow() + timedelta(days=1)).sent == 0
    assert len(inbox.messages) == 3


def test_two_senders_at_once_send_each_message_once(isolated_engine: Engine, inbox: Inbox) -> None:
    with Session(isolated_engine) as setup:
        holder = make_user(setup)
        for _ in range(8):
            outbox.queue(setup, kind="decision_made", to_user=holder)
        setup.commit()
    reports: list[mail_flow.SendReport] = []
    go = threading.Barrier(2)

    def run() -> None:
        with Session(isolated_engine) as own:
            go.wait()
            reports.append(deliver(own))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.sent for r in reports) == 8
    assert len(inbox.messages) == 8
    assert len({m["Message-ID"] for m in inbox.messages}) == 8
    with Session(isolated_engine) as check:
        rows = check.exec(select(OutboxMessage)).all()
        assert {(r.status, r.attempts) for r in rows} == {(MailStatus.sent, 1)}


def test_a_dedupe_key_queues_once(session: Session) -> None:
    holder = make_user(session)
    first = outbox.queue(session, kind="permit_expiring", to_user=holder, dedupe_key="k:1")
    again = outbox.queue(session, kind="permit_expiring", to_user=holder, dedupe_key="k:1")
    assert first is not None
    assert again is None
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == "k:1")).all()
    assert len(rows) == 1


def test_the_daily_job_reminds_once_per_permit_and_gives_clerks_counts(
    session: Session, permit: Permit, clerk: User, inbox: Inbox
) -> None:
    deliver(session)  # the messages of the permit's own story
    before = len(inbox.messages)
    day = permit.valid_until - timedelta(days=20)
    pending = make_application(session)  # due in 56 days from today
    assert pending.decision_due is not None
    report = mail_flow.daily(session, today=day)
    assert (report.renewal_open, report.expiring) == (1, 1)
    assert report.digests == 1  # the pending application is long overdue by then
    again = mail_flow.daily(session, today=day + timedelta(days=1))
    assert (again.renewal_open, again.expiring) == (0, 0)
    # The clerk's digest: counts and a link, no names.
    digest_day = pending.decision_due - timedelta(days=3)
    assert mail_flow.daily(session, today=digest_day).digests == 1
    assert mail_flow.daily(session, today=digest_day).digests == 0  # once a day
    deliver(session)
    received = new_messages(inbox, before)
    to_holder = [m for m in received if m["To"] == permit_holder_email(session, permit)]
    to_clerk = [m for m in received if m["To"] == clerk.email]
    assert len(to_holder) == 2
    for message in to_holder:
        assert_discreet(message, language="nl")
    assert len(to_clerk) == 3  # one a day: two days overdue, one day due soon
    texts = [
        str(m.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
        for m in to_clerk
    ]
    soon = translate_in(clerk.language, "Applications whose decision deadline is within 7 days:")
    past = translate_in(clerk.language, "Applications past their decision deadline:")
    assert any(f"{soon} 1" in t and f"{past} 0" in t for t in texts)
    assert any(f"{soon} 0" in t and f"{past} 1" in t for t in texts)
    for text in texts:
        assert "/queue" in text
        assert "roos" not in text.lower() and str(pending.working_name) not in text


def permit_holder_email(session: Session, permit: Permit) -> str:
    holder = session.get(User, permit.holder_id)
    assert holder is not None
    return holder.email


def test_a_person_who_chose_no_email_gets_only_security_messages(
    session: Session, client: TestClient
) -> None:
    holder = make_user(session)
    login_page(client, holder)
    page = client.get("/account/mail")
    assert page.status_code == 200
    assert 'id="news"' in page.text and "checked" in page.text
    answer = client.post(
        "/account/mail", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False
    )
    assert answer.status_code == 303
    session.refresh(holder)
    assert holder.email_opt_out is True
    assert outbox.queue(session, kind="decision_made", to_user=holder) is None
    make_application(session, holder)
    assert session.exec(select(OutboxMessage)).all() == []
    reset = outbox.queue(
        session, kind="password_reset", to_user=holder, values={"link": "https://x/reset"}
    )
    assert reset is not None
    # And back on.
    page = client.get("/account/mail")
    client.post("/account/mail", data={"csrf_token": csrf_from(page.text), "news": "yes"})
    session.refresh(holder)
    assert holder.email_opt_out is False


def test_staff_addresses_get_staff_messages_only(session: Session) -> None:
    clerk = make_user(session, Role.clerk)
    applicant = make_user(session)
    assert outbox.queue(session, kind="decision_made", to_user=clerk) is None
    with pytest.raises(ValueError):
        outbox.queue(
            session, kind="clerk_digest", to_user=applicant, values={"due": "1", "overdue": "0"}
        )
    with pytest.raises(ValueError):
        outbox.queue(session, kind="decision_made", to_address="someone@example.org")


def test_security_messages_go_to_an_address_and_carry_their_link(
    session: Session, inbox: Inbox
) -> None:
    for kind in ("confirm_address", "already_registered", "password_reset"):
        queued = outbox.queue(
            session,
            kind=kind,
            to_address="new@example.org",
            language="en",
            values={"link": f"https://site.example/{kind}/token"},
        )
        assert queued is not None
    session.commit()
    assert deliver(session).sent == 3
    for message, kind in zip(
        inbox.messages, ("confirm_address", "already_registered", "password_reset"), strict=True
    ):
        assert message["To"] == "new@example.org"
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        assert f"https://site.example/{kind}/token" in str(body.get_content())
    row = session.exec(select(OutboxMessage)).first()
    assert row is not None
    assert row.to_address == "new@example.org"  # stored encrypted, read back


def test_without_a_mail_server_nothing_is_sent_outside_development(session: Session) -> None:
    holder = make_user(session)
    outbox.queue(session, kind="decision_made", to_user=holder)
    session.commit()
    assert get_settings().smtp_host == ""
    assert sender.mode() == "off"
    assert deliver(session).off is True
    row = session.exec(select(OutboxMessage)).one()
    assert (row.status, row.attempts) == (MailStatus.pending, 0)


def test_the_development_mail_page(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = make_user(session, Role.admin)
    holder = make_user(session)
    login_page(client, admin)
    assert client.get("/dev/mail").status_code == 404  # APP_ENV=test
    monkeypatch.setattr(get_settings(), "app_env", "development")
    outbox.queue(session, kind="decision_made", to_user=holder)
    session.commit()
    assert deliver(session).sent == 1
    page = client.get("/dev/mail")
    assert page.status_code == 200
    assert holder.email in page.text
    news = translate_in(holder.language, "There is news in your file. Log in to read it:")
    assert news in html.unescape(page.text)
    # Not for other staff or applicants.
    other = TestClient(client.app)
    login_page(other, holder)
    assert other.get("/dev/mail").status_code in (403, 404)


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_messages_come_in_every_interface_language(
    session: Session, inbox: Inbox, language: str
) -> None:
    holder = make_user(session)
    holder.language = language
    session.add(holder)
    session.commit()
    before = len(inbox.messages)
    make_application(session, holder)  # submitted: "application received"
    assert deliver(session).sent >= 1
    (message,) = [m for m in new_messages(inbox, before) if m["To"] == holder.email]
    assert_discreet(message, language=language)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    news = translate_in(language, "There is news in your file. Log in to read it:")
    assert news in body.get_content()
    if language not in ("en",):
        assert news != "There is news in your file. Log in to read it:"
