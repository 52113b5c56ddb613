"""One status machine for every domain: a table of (status, transition) -> status.

A domain declares its table once (`applications/states.py`, `permits/states.py`, and
the home-work, nuisance, inspection and signal domains in turn) and gets the same
behaviour everywhere: the transitions allowed from a status (pages offer only these),
one `illegal_transition` answer for anything else, and `move()`, which changes the status,
bumps the record's version, adds the domain's history line if it keeps one, and writes
the audit event `<object_type>.<transition>`, all in the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

from sqlmodel import Session, SQLModel

from app.audit import service as audit
from app.db import utcnow
from app.errors import Conflict

S = TypeVar("S", bound=StrEnum)
T = TypeVar("T", bound=StrEnum)


class Tracked(Protocol):
    """A record with a status, a version for optimistic locking and a change time."""

    id: uuid.UUID
    status: Any
    version: int
    updated_at: datetime


@dataclass(frozen=True)
class StatusMachine(Generic[S, T]):
    object_type: str
    transitions: Mapping[tuple[S, T], S]

    def next_status(self, current: S, transition: T) -> S | None:
        """The status after `transition`, or None when it is not allowed from `current`."""
        return self.transitions.get((current, transition))

    def allowed(self, current: S) -> frozenset[T]:
        return frozenset(t for (s, t) in self.transitions if s == current)

    def target(self, current: S, transition: T) -> S:
        """The status after `transition`; Conflict `illegal_transition` when not allowed."""
        target = self.next_status(current, transition)
        if target is None:
            raise Conflict(
                "illegal_transition",
                f"'{transition.value}' is not possible while the {self.object_type} is "
                f"{current.value}.",
                current_status=current.value,
            )
        return target

    def move(
        self,
        session: Session,
        record: Tracked,
        transition: T,
        *,
        actor: Any,
        current: S | None = None,
        reason: str | None = None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        history: Callable[[S, S], SQLModel] | None = None,
    ) -> S:
        """Apply `transition` to `record` (from `current`, default its stored status: a
        domain whose records also have derived states, like an expired permit, passes the
        state it is in today). Returns the new status."""
        previous = current if current is not None else record.status
        target = self.target(previous, transition)
        record.status = type(record.status)(target.value)
        record.version += 1
        record.updated_at = utcnow()
        session.add(record)
        if history is not None:
            session.add(history(previous, target))
        audit.record(
            session,
            actor=actor,
            action=f"{self.object_type}.{transition.value}",
            object_type=self.object_type,
            object_id=record.id,
            before={"status": previous.value, **(before or {})},
            after={
                "status": target.value,
                **({"reason": reason} if reason else {}),
                **(after or {}),
            },
        )
        return target
