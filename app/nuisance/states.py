"""The nuisance report status machine."""

from __future__ import annotations

from enum import StrEnum

from app.nuisance.models import NuisanceStatus as S
from app.status_machine import StatusMachine


class Transition(StrEnum):
    assess = "assess"
    close = "close"


TRANSITIONS: dict[tuple[S, Transition], S] = {
    (S.received, Transition.assess): S.assessed,
    (S.received, Transition.close): S.closed,
    (S.assessed, Transition.close): S.closed,
}

MACHINE: StatusMachine[S, Transition] = StatusMachine("nuisance_report", TRANSITIONS)
