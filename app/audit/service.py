"""Writing and verifying the audit trail.

`record()` adds an event to the caller's session so it commits (or rolls back) with the
change it describes. Each row stores the hash of the previous row; `verify_chain()`
recomputes every hash and reports the first row that does not match.
"""

from __future__ import annotations

import hashlib
import json
import uuid
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event as orm_event
from sqlalchemy import text
from sqlmodel import Session, col, select

from app.audit.models import GENESIS_HASH, AuditEvent
from app.context import current_request_id
from app.db import utcnow

# Keys never written to the trail, whatever a caller passes in a before/after summary.
SECRET_KEYS = frozenset({"password", "password_hash", "token", "access_token", "secret"})
CHAIN_LOCK_ID = 727_274_001


def _scrub(summary: dict[str, Any] | None) -> dict[str, Any] | None:
    if summary is None:
        return None
    return {k: _jsonable(v) for k, v in summary.items() if k not in SECRET_KEYS}


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def compute_hash(event: AuditEvent) -> str:
    occurred = event.occurred_at
    if occurred.tzinfo is None:
        occurred = occurred.replace(tzinfo=UTC)
    payload = {
        "prev_hash": event.prev_hash,
        "occurred_at": occurred.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": str(event.actor_id) if event.actor_id else None,
        "actor_role": event.actor_role,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "result": event.result,
        "request_id": event.request_id,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _lock_chain(session: Session) -> None:
    """Serialise writers so two transactions cannot both extend the same last row (across
    processes too). Held from here to the commit, which follows at once."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": CHAIN_LOCK_ID})


PENDING_KEY = "audit_pending"
MARKS_KEY = "audit_savepoint_marks"


def record(
    session: Session,
    *,
    actor: Any | None,
    action: str,
    object_type: str,
    object_id: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    result: str = "success",
) -> AuditEvent:
    """Add an event to the caller's transaction: it is written, chained and committed with
    the change it describes, or not at all.

    The chain lock is taken late: the event is linked to the previous one in the commit
    itself (`_seal`), so concurrent writers queue only for that last insert, not for the
    whole of their work."""
    audit_event = AuditEvent(
        occurred_at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_role=str(actor.role) if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        before=_scrub(before),
        after=_scrub(after),
        result=result,
        request_id=current_request_id(),
        prev_hash=GENESIS_HASH,
        hash="",
    )
    if not session.in_transaction():
        # Pending events belong to a transaction: a rollback must be able to forget them.
        session.begin()
    session.info.setdefault(PENDING_KEY, []).append(audit_event)
    return audit_event


@orm_event.listens_for(Session, "before_commit")
def _seal(session: Session) -> None:
    """Link the transaction's events to the end of the chain and insert them, under the
    chain lock, just before the commit (ids then follow the order of the chain)."""
    if session.in_nested_transaction():
        return  # releasing a savepoint: the events wait for the real commit
    pending: list[AuditEvent] = session.info.pop(PENDING_KEY, [])
    if not pending:
        return
    # The caller's own changes first (taking their row locks), then the chain lock: the
    # same order everywhere, so an applicant's edit and a clerk's decision cannot deadlock.
    session.flush()
    _lock_chain(session)
    newest = select(AuditEvent.hash).order_by(col(AuditEvent.id).desc()).limit(1)
    if session.get_bind().dialect.name == "sqlite":
        # On SQLite the database's write lock is the chain lock: FOR UPDATE makes the
        # engine take it (app/db.py) before the end of the chain is read, so the read
        # cannot come from an older snapshot.
        newest = newest.with_for_update()
    last = session.exec(newest).first()
    previous = last or GENESIS_HASH
    for pending_event in pending:
        pending_event.prev_hash = previous
        pending_event.hash = previous = compute_hash(pending_event)
        session.add(pending_event)
    session.flush()


@orm_event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction: Any) -> None:
    """Remember how many events were pending when a savepoint began, so that rolling the
    savepoint back forgets only the events recorded inside it."""
    if transaction.nested:
        marks = session.info.setdefault(MARKS_KEY, weakref.WeakKeyDictionary())
        marks[transaction] = len(session.info.get(PENDING_KEY, []))


@orm_event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction: Any) -> None:
    """Events of a rolled-back transaction (or savepoint) describe nothing that happened."""
    if previous_transaction.nested:
        mark = session.info.get(MARKS_KEY, {}).pop(previous_transaction, None)
        if mark is not None:
            del session.info.get(PENDING_KEY, [])[mark:]
            return
    session.info.pop(PENDING_KEY, None)


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_events(events: Iterable[AuditEvent]) -> ChainReport:
    previous = GENESIS_HASH
    checked = 0
    for event in events:
        checked += 1
        if event.prev_hash != previous:
            return ChainReport(checked, event.id, "previous-hash link does not match")
        if compute_hash(event) != event.hash:
            return ChainReport(checked, event.id, "row content does not match its hash")
        previous = event.hash
    return ChainReport(checked)


def verify_chain(session: Session, batch_size: int = 1000) -> ChainReport:
    def stream() -> Iterable[AuditEvent]:
        last_id = 0
        while True:
            rows = session.exec(
                select(AuditEvent)
                .where(col(AuditEvent.id) > last_id)
                .order_by(col(AuditEvent.id))
                .limit(batch_size)
            ).all()
            if not rows:
                return
            yield from rows
            last_id = rows[-1].id or 0

    return verify_events(stream())


def list_for_object(session: Session, *, object_type: str, object_id: Any) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent)
            .where(AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
            .order_by(col(AuditEvent.id))
        ).all()
    )
