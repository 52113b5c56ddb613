"""The signal status machine."""

from __future__ import annotations

from enum import StrEnum

from app.signals.models import SignalStatus as S
from app.status_machine import StatusMachine


class Transition(StrEnum):
    take = "take"
    close = "close"


TRANSITIONS: dict[tuple[S, Transition], S] = {
    (S.new, Transition.take): S.taken,
    (S.taken, Transition.close): S.closed,
}

MACHINE: StatusMachine[S, Transition] = StatusMachine("signal", TRANSITIONS)
