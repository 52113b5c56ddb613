"""The application status machine: the table itself, and the services obeying it."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from sqlmodel import Session, select

from app.applications import decisions
from app.applications import service as applications_service
from app.applications.models import Application, ApplicationStatus, ApplicationStatusChange
from app.applications.states import TRANSITIONS, Transition, next_status
from app.auth.models import Role, User
from app.db import utcnow
from app.errors import AppError
from app.web_errors import status_of
from tests.factories import make_application, make_user

S = ApplicationStatus
T = Transition

# Written out by hand from the issue, so that a change to states.py has to be deliberate.
EXPECTED: dict[tuple[S, T], S] = {
    (S.draft, T.submit): S.submitted,
    (S.draft, T.withdraw): S.withdrawn,
    (S.submitted, T.start_review): S.in_review,
    (S.submitted, T.request_information): S.information_requested,
    (S.submitted, T.approve): S.approved,
    (S.submitted, T.refuse): S.refused,
    (S.submitted, T.withdraw): S.withdrawn,
    (S.in_review, T.request_information): S.information_requested,
    (S.in_review, T.approve): S.approved,
    (S.in_review, T.refuse): S.refused,
    (S.in_review, T.withdraw): S.withdrawn,
    (S.information_requested, T.submit): S.in_review,
    (S.information_requested, T.refuse): S.refused,
    (S.information_requested, T.withdraw): S.withdrawn,
}
ALL_PAIRS = list(itertools.product(S, T))
TERMINAL = (S.approved, S.refused, S.withdrawn)


def test_transition_table_is_exactly_the_issue_s_machine() -> None:
    assert TRANSITIONS == EXPECTED


@pytest.mark.parametrize(("status", "transition"), ALL_PAIRS)
def test_next_status_refuses_every_pair_not_in_the_table(status: S, transition: T) -> None:
    assert next_status(status, transition) == EXPECTED.get((status, transition))


@pytest.mark.parametrize("status", TERMINAL)
def test_decided_and_withdrawn_are_terminal(status: S) -> None:
    assert all(next_status(status, t) is None for t in T)


def _actions(
    applicant: User, clerk: User
) -> dict[T, Callable[[Session, Application], Application]]:
    return {
        T.submit: lambda s, a: applications_service.submit(
            session=s, application_id=a.id, actor=applicant
        ),
        T.withdraw: lambda s, a: applications_service.withdraw(
            session=s, application_id=a.id, actor=applicant
        ),
        T.start_review: lambda s, a: decisions.start_review(
            session=s, application_id=a.id, actor=clerk
        ),
        T.request_information: lambda s, a: decisions.decide(
            session=s,
            application_id=a.id,
            decision=decisions.DecisionKind.request_information,
            reason="Please send a clearer copy.",
            actor=clerk,
        ),
        T.approve: lambda s, a: decisions.approve(session=s, application_id=a.id, actor=clerk),
        T.refuse: lambda s, a: decisions.decide(
            session=s,
            application_id=a.id,
            decision=decisions.DecisionKind.refuse,
            reason="Does not meet the conditions.",
            actor=clerk,
        ),
    }


@pytest.mark.parametrize(("status", "transition"), ALL_PAIRS)
def test_services_follow_the_table(session: Session, status: S, transition: T) -> None:
    """Put a complete application in each status and try each action through the services:
    allowed pairs move to the table's target, every other pair is a 409 naming the status."""
    applicant = make_user(session)
    clerk = make_user(session, Role.clerk)
    application = make_application(session, applicant, submit=False)
    application.status = status
    if status is S.information_requested:
        application.paused_at = utcnow()
    session.add(application)
    session.commit()

    act = _actions(applicant, clerk)[transition]
    expected = EXPECTED.get((status, transition))
    changes_before = len(
        session.exec(
            select(ApplicationStatusChange).where(
                ApplicationStatusChange.application_id == application.id
            )
        ).all()
    )
    if expected is None:
        with pytest.raises(AppError) as caught:
            act(session, application)
        assert status_of(caught.value) == 409
        assert caught.value.code == "illegal_transition"
        assert caught.value.details["current_status"] == status.value
        session.expire_all()
        assert session.get(Application, application.id).status is status  # type: ignore[union-attr]
    else:
        result = act(session, application)
        assert result.status is expected
        history = applications_service.history_of(session=session, application_id=application.id)
        assert len(history) == changes_before + 1
        assert (history[-1].from_status, history[-1].to_status) == (status, expected)
