"""The permit status machine. A permit's state today is its stored status, or `expired`
once its end date has passed; an expired permit allows no change."""

from __future__ import annotations

from enum import StrEnum

from app.permits.models import PermitState as S
from app.status_machine import StatusMachine


class Transition(StrEnum):
    suspend = "suspend"
    reinstate = "reinstate"
    revoke = "revoke"


TRANSITIONS: dict[tuple[S, Transition], S] = {
    (S.active, Transition.suspend): S.suspended,
    (S.suspended, Transition.reinstate): S.active,
    (S.active, Transition.revoke): S.revoked,
    (S.suspended, Transition.revoke): S.revoked,
}

MACHINE: StatusMachine[S, Transition] = StatusMachine("permit", TRANSITIONS)
