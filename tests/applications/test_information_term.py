"""Periods that end on a working day, and the term to supply information (Awb 4:5): the
decision period moves past a public holiday; the applicant sees the term on their file; the
clerk may refuse on that ground only once the term has passed."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.applications import decisions
from app.applications.models import ApplicationStatus, DecisionKind
from app.auth.models import Role
from app.errors import AppError
from tests.factories import csrf_from, login_page, make_application, make_user


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Set the municipality's today for the application services and pages."""

    def set_today(day: date) -> None:
        for module in (
            "app.applications.service",
            "app.applications.decisions",
            "app.applications.views",
        ):
            monkeypatch.setattr(f"{module}.local_today", lambda: day)

    return set_today


def test_a_decision_period_ending_on_easter_monday_ends_on_tuesday(session: Session, today) -> None:  # type: ignore[no-untyped-def]
    today(date(2027, 2, 1))  # + 56 days = Monday 29 March 2027, Easter Monday
    application = make_application(session)
    assert application.decision_due == date(2027, 3, 30)


def test_a_decision_period_ending_on_kings_day_ends_the_next_day(session: Session, today) -> None:  # type: ignore[no-untyped-def]
    today(date(2027, 3, 2))  # + 56 days = Tuesday 27 April 2027, King's Day
    application = make_application(session)
    assert application.decision_due == date(2027, 4, 28)


def test_a_decision_period_ending_on_a_sunday_ends_on_monday(session: Session, today) -> None:  # type: ignore[no-untyped-def]
    today(date(2026, 9, 13))  # + 56 days = Sunday 8 November 2026
    application = make_application(session)
    assert application.decision_due == date(2026, 11, 9)


def test_an_extension_ends_on_a_working_day(session: Session, today) -> None:  # type: ignore[no-untyped-def]
    today(date(2026, 9, 14))  # due Monday 9 November 2026; + 56 = Monday 4 January 2027
    application = make_application(session)
    clerk = make_user(session, Role.clerk)
    today(date(2026, 10, 1))
    extended = decisions.decide(
        session=session,
        application_id=application.id,
        decision=DecisionKind.extend,
        reason="Wij wachten op advies.",
        actor=clerk,
    )
    assert extended.decision_due == date(2027, 1, 4)


def test_the_information_term_moves_past_christmas_and_holds_back_refusal(
    session: Session, today
) -> None:  # type: ignore[no-untyped-def]
    today(date(2026, 11, 27))
    application = make_application(session)
    clerk = make_user(session, Role.clerk)
    asked = decisions.decide(
        session=session,
        application_id=application.id,
        decision=DecisionKind.request_information,
        reason="Upload een leesbare kopie van uw paspoort.",
        actor=clerk,
    )
    # + 28 days = Friday 25 December (Christmas), then 26 December and a Sunday.
    assert asked.information_due == date(2026, 12, 28)
    session.commit()

    for day in (date(2026, 12, 1), date(2026, 12, 28)):  # the last day is the applicant's
        today(day)
        assert not decisions.may_refuse(asked, day)
        with pytest.raises(AppError) as caught, session.begin_nested():
            decisions.decide(
                session=session,
                application_id=application.id,
                decision=DecisionKind.refuse,
                reason="Geen antwoord ontvangen.",
                actor=clerk,
            )
        assert caught.value.code == "information_term_running"

    today(date(2026, 12, 29))
    refused = decisions.decide(
        session=session,
        application_id=application.id,
        decision=DecisionKind.refuse,
        reason="Geen antwoord ontvangen binnen de termijn.",
        actor=clerk,
    )
    assert refused.status is ApplicationStatus.refused


def test_the_term_is_shown_and_refusal_offered_only_after_it(
    client: TestClient, session: Session, today
) -> None:  # type: ignore[no-untyped-def]
    today(date(2026, 11, 27))
    applicant = make_user(session)
    application = make_application(session, applicant)
    clerk = make_user(session, Role.clerk)
    login_page(client, clerk)
    page = client.get(f"/queue/{application.id}")
    assert 'id="d-refuse"' in page.text  # a submitted application may be refused
    asked = client.post(
        f"/queue/{application.id}/decision",
        data={
            "csrf_token": csrf_from(page.text),
            "decision": "request_information",
            "reason": "Upload een leesbare kopie van uw paspoort.",
        },
    )
    assert asked.status_code == 200, asked.text

    during = client.get(f"/queue/{application.id}")
    assert 'id="information-term"' in during.text
    assert "28-12-2026" in during.text
    assert "Awb 4:5" in during.text
    assert 'id="d-refuse"' not in during.text
    tried = client.post(
        f"/queue/{application.id}/decision",
        data={
            "csrf_token": csrf_from(during.text),
            "decision": "refuse",
            "reason": "Geen antwoord ontvangen.",
        },
    )
    assert tried.status_code == 409
    session.refresh(application)
    assert application.status is ApplicationStatus.information_requested

    today(date(2026, 12, 29))
    after = client.get(f"/queue/{application.id}")
    assert 'id="d-refuse"' in after.text
    assert "4:2" in after.text  # the page says the term has passed and why refusal may follow
    refused = client.post(
        f"/queue/{application.id}/decision",
        data={
            "csrf_token": csrf_from(after.text),
            "decision": "refuse",
            "reason": "Geen antwoord ontvangen binnen de termijn.",
        },
    )
    assert refused.status_code == 200, refused.text
    session.refresh(application)
    assert application.status is ApplicationStatus.refused


def test_the_applicant_sees_the_term_on_their_file(
    client: TestClient, session: Session, today
) -> None:  # type: ignore[no-untyped-def]
    today(date(2026, 11, 27))
    applicant = make_user(session)
    application = make_application(session, applicant)
    decisions.decide(
        session=session,
        application_id=application.id,
        decision=DecisionKind.request_information,
        reason="Upload een leesbare kopie van uw paspoort.",
        actor=make_user(session, Role.clerk),
    )
    session.commit()
    login_page(client, applicant)
    page = client.get(f"/applications/{application.id}")
    assert 'id="information-due"' in page.text
    assert "28-12-2026" in page.text
