"""The application status machine: which action may move an application from where."""

from __future__ import annotations

from enum import StrEnum

from app.applications.models import ApplicationStatus as S
from app.status_machine import StatusMachine


class Transition(StrEnum):
    submit = "submit"
    start_review = "start_review"
    request_information = "request_information"
    approve = "approve"
    refuse = "refuse"
    withdraw = "withdraw"


OPEN = (S.draft, S.submitted, S.in_review, S.information_requested)
EDITABLE = frozenset({S.draft, S.information_requested})
AWAITING_DECISION = frozenset({S.submitted, S.in_review})

TRANSITIONS: dict[tuple[S, Transition], S] = {
    (S.draft, Transition.submit): S.submitted,
    (S.information_requested, Transition.submit): S.in_review,
    (S.submitted, Transition.start_review): S.in_review,
    (S.submitted, Transition.request_information): S.information_requested,
    (S.in_review, Transition.request_information): S.information_requested,
    (S.submitted, Transition.approve): S.approved,
    (S.in_review, Transition.approve): S.approved,
    (S.submitted, Transition.refuse): S.refused,
    (S.in_review, Transition.refuse): S.refused,
    # Awb 4:5: an application left incomplete after a request may be refused.
    (S.information_requested, Transition.refuse): S.refused,
    **{(status, Transition.withdraw): S.withdrawn for status in OPEN},
}


MACHINE: StatusMachine[S, Transition] = StatusMachine("application", TRANSITIONS)


def next_status(current: S, transition: Transition) -> S | None:
    """The status after `transition`, or None when it is not allowed from `current`."""
    return MACHINE.next_status(current, transition)
