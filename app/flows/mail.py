"""Mail work that commits as it goes: delivering the outbox (`swl mail send-pending`, and
the running server in the background) and the daily reminders (`swl mail daily`), which
read permits, applications and accounts and queue messages for them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage

from sqlmodel import Session

from app.applications import queue as applications_queue
from app.applications import renewals
from app.auth import service as auth_service
from app.auth.models import Role
from app.db import local_today, utcnow
from app.mail import outbox, sender
from app.mail.render import site_link
from app.permits import service as permits_service
from app.permits.models import PermitState
from app.policy import service as policy_service

EXPIRY_NOTICE_DAYS = 30
DIGEST_DAYS = 7


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    off: bool = False  # no SMTP_HOST outside development: everything waits


def _address_of(session: Session, user_id: uuid.UUID) -> str | None:
    user = auth_service.get(session=session, user_id=user_id)
    return user.email if user is not None else None


def send_pending(
    session: Session,
    *,
    now: datetime | None = None,
    limit: int = 100,
    tries: int = 3,
    wait_seconds: float = 1.0,
    send: Callable[[EmailMessage], None] | None = None,
) -> SendReport:
    """Deliver the messages that are due: claim them (committed), then each message on its
    own, committing its result before the next one. No transaction is open while the mail
    server is talked to. A message the server refuses or cannot take stays pending with
    the attempt and the error recorded, and waits for its backoff."""
    how = sender.mode()
    if how == "off":
        return SendReport(off=True)
    now = now or utcnow()
    report = SendReport()
    claims = sender.claim_due(session, now=now, limit=limit)
    session.commit()
    for claim in claims:
        outgoing = sender.prepare(session, claim, address_of=_address_of)
        session.commit()  # end the read before talking to the mail server
        if outgoing is None:
            continue  # sent or taken meanwhile
        if outgoing.message is None:
            sender.mark_sent(session, claim, now=utcnow(), how="no_recipient")
            session.commit()
            continue
        if how == "smtp":
            try:
                sender.transmit(
                    outgoing.message,
                    send=send or sender.smtp_send,
                    tries=tries,
                    wait_seconds=wait_seconds,
                )
            except sender.SEND_ERRORS as exc:
                sender.mark_failed(session, claim, now=now, error=sender.describe(exc))
                session.commit()
                report.failed += 1
                continue
        if sender.mark_sent(session, claim, now=utcnow(), how=how):
            report.sent += 1
        session.commit()
    return report


@dataclass
class DailyReport:
    renewal_open: int = 0
    expiring: int = 0
    digests: int = 0


def daily(session: Session, *, today: date | None = None) -> DailyReport:
    """Queue the day's reminders, each once: to holders whose renewal window opened and
    whose permit ends within 30 days (a key per permit, so a later run sends nothing
    again), and to every clerk a digest of the applications due within 7 days (counts and
    a link). Committed; the sender delivers them."""
    today = today or local_today()
    report = DailyReport()
    window = policy_service.load_configured().policy.decision.renewal_window_days
    longest = max(window, EXPIRY_NOTICE_DAYS)
    for permit in permits_service.ending_between(
        session=session, first=today, last=today + timedelta(days=longest)
    ):
        holder = auth_service.get(session=session, user_id=permit.holder_id)
        if holder is None:
            continue
        days_left = (permit.valid_until - today).days
        if (
            days_left <= window
            and permit.state_on(today) is PermitState.active
            and renewals.existing_renewal(session=session, permit_id=permit.id) is None
            and outbox.queue(
                session,
                kind="renewal_open",
                to_user=holder,
                dedupe_key=f"renewal_open:{permit.id}",
            )
        ):
            report.renewal_open += 1
        if days_left <= EXPIRY_NOTICE_DAYS and outbox.queue(
            session,
            kind="permit_expiring",
            to_user=holder,
            dedupe_key=f"permit_expiring:{permit.id}",
        ):
            report.expiring += 1
    due, overdue = applications_queue.deadline_counts(
        session=session, today=today, within_days=DIGEST_DAYS
    )
    if due or overdue:
        for clerk in auth_service.active_with_role(session=session, role=Role.clerk):
            if outbox.queue(
                session,
                kind="clerk_digest",
                to_user=clerk,
                values={"due": str(due), "overdue": str(overdue), "link": site_link("/queue")},
                dedupe_key=f"clerk_digest:{clerk.id}:{today.isoformat()}",
            ):
                report.digests += 1
    session.commit()
    return report
