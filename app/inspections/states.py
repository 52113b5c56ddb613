"""The inspection status machine. A correction of a recorded visit is not a transition:
it adds a version and leaves the status as it is."""

from __future__ import annotations

from enum import StrEnum

from app.inspections.models import InspectionStatus as S
from app.status_machine import StatusMachine


class Transition(StrEnum):
    record = "record"
    cancel = "cancel"


TRANSITIONS: dict[tuple[S, Transition], S] = {
    (S.planned, Transition.record): S.recorded,
    (S.planned, Transition.cancel): S.cancelled,
}

MACHINE: StatusMachine[S, Transition] = StatusMachine("inspection", TRANSITIONS)
