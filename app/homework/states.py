"""The home-work registration status machine."""

from __future__ import annotations

from enum import StrEnum

from app.homework.models import HomeWorkStatus as S
from app.status_machine import StatusMachine


class Transition(StrEnum):
    confirm = "confirm"  # a waiting address check found the worker registered
    refuse = "refuse"  # a waiting check failed a rule
    end = "end"  # the worker ends it
    moved = "moved"  # the register says the worker no longer lives there
    review = "review"  # nuisance established at the address
    resume = "resume"  # a clerk decides to continue after the review
    end_after_review = "end_after_review"


TRANSITIONS: dict[tuple[S, Transition], S] = {
    (S.pending_address_check, Transition.confirm): S.active,
    (S.pending_address_check, Transition.refuse): S.refused,
    (S.pending_address_check, Transition.end): S.ended,
    (S.active, Transition.end): S.ended,
    (S.active, Transition.moved): S.ended_moved,
    (S.active, Transition.review): S.under_review,
    (S.under_review, Transition.end): S.ended,
    (S.under_review, Transition.moved): S.ended_moved,
    (S.under_review, Transition.resume): S.active,
    (S.under_review, Transition.end_after_review): S.ended_after_review,
}

MACHINE: StatusMachine[S, Transition] = StatusMachine("home_work_registration", TRANSITIONS)
