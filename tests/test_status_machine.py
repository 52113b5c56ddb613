"""The one status machine every domain declares its table for: allowed transitions, one
illegal-transition answer, and a move that writes the status, version, history line and
audit event in the caller's transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import pytest
from sqlmodel import Session, SQLModel

from app.applications.states import MACHINE as APPLICATION_MACHINE
from app.audit import service as audit
from app.db import utcnow
from app.errors import Conflict
from app.permits.states import MACHINE as PERMIT_MACHINE
from app.status_machine import StatusMachine


class Light(StrEnum):
    red = "red"
    green = "green"
    broken = "broken"


class Switch(StrEnum):
    go = "go"
    stop = "stop"
    smash = "smash"


MACHINE: StatusMachine[Light, Switch] = StatusMachine(
    "traffic_light",
    {
        (Light.red, Switch.go): Light.green,
        (Light.green, Switch.stop): Light.red,
        (Light.red, Switch.smash): Light.broken,
        (Light.green, Switch.smash): Light.broken,
    },
)


class Record:
    def __init__(self) -> None:
        self.id = uuid.uuid4()
        self.status = Light.red
        self.version = 1
        self.updated_at: datetime = utcnow()


class Line(SQLModel):
    before: str
    after: str


class FakeSession:
    """Records what a move adds; the audit event goes to session.info like a real one."""

    def __init__(self) -> None:
        self.added: list[object] = []
        self.info: dict[str, object] = {}

    def add(self, item: object) -> None:
        self.added.append(item)

    def in_transaction(self) -> bool:
        return True


def test_allowed_transitions_come_from_the_table() -> None:
    assert MACHINE.allowed(Light.red) == {Switch.go, Switch.smash}
    assert MACHINE.allowed(Light.broken) == frozenset()
    assert MACHINE.next_status(Light.green, Switch.go) is None


def test_an_illegal_transition_is_one_conflict_naming_the_status() -> None:
    with pytest.raises(Conflict) as caught:
        MACHINE.target(Light.broken, Switch.go)
    assert caught.value.code == "illegal_transition"
    assert caught.value.details == {"current_status": "broken"}
    assert caught.value.message == "'go' is not possible while the traffic_light is broken."


def test_a_move_sets_status_version_history_and_audit_event() -> None:
    session = FakeSession()
    record = Record()
    before = record.updated_at
    target = MACHINE.move(
        session,  # type: ignore[arg-type]
        record,
        Switch.go,
        actor=None,
        reason="morning",
        history=lambda old, new: Line(before=old.value, after=new.value),
    )
    assert target is Light.green and record.status is Light.green
    assert record.version == 2 and record.updated_at >= before
    lines = [a for a in session.added if isinstance(a, Line)]
    assert [(line.before, line.after) for line in lines] == [("red", "green")]
    (event,) = session.info[audit.PENDING_KEY]  # type: ignore[misc]
    assert event.action == "traffic_light.go"
    assert event.before == {"status": "red"}
    assert event.after == {"status": "green", "reason": "morning"}


def test_a_refused_move_changes_nothing() -> None:
    session = FakeSession()
    record = Record()
    record.status = Light.broken
    with pytest.raises(Conflict):
        MACHINE.move(session, record, Switch.go, actor=None)  # type: ignore[arg-type]
    assert record.status is Light.broken and record.version == 1
    assert session.added == [] and session.info == {}


def test_a_derived_state_can_be_the_starting_point(session: Session) -> None:
    """Permits move from the state they are in today: an expired permit allows nothing,
    whatever its stored status says."""
    from app.permits.models import PermitState

    assert PERMIT_MACHINE.allowed(PermitState.expired) == frozenset()
    assert {t.value for t in PERMIT_MACHINE.allowed(PermitState.active)} == {
        "suspend",
        "revoke",
    }


def test_both_domains_use_the_same_machine_type() -> None:
    assert isinstance(APPLICATION_MACHINE, StatusMachine)
    assert isinstance(PERMIT_MACHINE, StatusMachine)
    assert APPLICATION_MACHINE.object_type == "application"
    assert PERMIT_MACHINE.object_type == "permit"
