"""Signals of human trafficking: make (inspector or care coordinator), read, take and
follow up (care coordinator). Need to know: only the care coordinator reads signals, and
their author until the care coordinator takes one; for anyone else a signal does not
exist (404, never counted or listed). Every read is audited, without the content.
Nothing here commits."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import tuple_, update
from sqlmodel import Session, col, select

from app.audit import service as audit
from app.auth.models import User
from app.auth.permissions import Action, ObjectKind, can, can_read
from app.db import local_today, to_local_date, utcnow
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.inspections import service as inspections_service
from app.pagination import keyset_cursor, read_keyset_cursor
from app.policy.schema import Policy
from app.signals.models import (
    FollowUpIn,
    FollowUpOut,
    Signal,
    SignalCreate,
    SignalFollowUp,
    SignalPage,
    SignalPublic,
    SignalStatus,
)
from app.signals.states import MACHINE, Transition


def create(*, session: Session, data: SignalCreate, actor: User, policy: Policy) -> Signal:
    if not can(actor, Action.signal_create):
        raise Forbidden("Only inspectors and the care coordinator make signals.")
    known = {i.key for i in policy.trafficking_indicators}
    unknown = sorted(set(data.indicators) - known)
    if unknown:
        raise InvalidInput(
            "unknown_indicator",
            f"These are not indicators of the policy: {', '.join(unknown)}.",
            indicators=sorted(known),
        )
    if data.inspection_id is not None and not (
        can(actor, Action.inspection_record)
        and inspections_service.went_on(
            session=session, inspection_id=data.inspection_id, user_id=actor.id
        )
    ):
        raise InvalidInput(
            "unknown_inspection", "Name a visit you went on (or make the signal without one)."
        )
    signal = Signal(
        author_id=actor.id,
        inspection_id=data.inspection_id,
        content={
            "indicators": sorted(set(data.indicators)),
            "note": data.note,
            "place": data.place,
        },
    )
    session.add(signal)
    session.flush()
    # The trail says a signal was made and by whom; never what it says.
    audit.record(
        session, actor=actor, action="signal.create", object_type="signal", object_id=signal.id
    )
    return signal


def _may_read(actor: User, signal: Signal) -> bool:
    if can(actor, Action.signal_read):
        return True
    return (
        signal.author_id == actor.id
        and signal.status is SignalStatus.new
        and can_read(actor, ObjectKind.signal, signal.author_id)
    )


def get_for(*, session: Session, signal_id: uuid.UUID, actor: User) -> Signal:
    """A signal for the care coordinator, or its author while it is new; for anyone else
    it does not exist. Every read is audited (the care coordinator's too)."""
    signal = session.get(Signal, signal_id)
    if signal is None or not _may_read(actor, signal):
        raise NotFound("signal")
    audit.record(
        session, actor=actor, action="signal.read", object_type="signal", object_id=signal.id
    )
    return signal


def made_during(*, session: Session, inspection_id: uuid.UUID, actor: User) -> bool:
    """Whether a signal was made during this visit, for the care coordinator and for a
    signal's author (about their own signals); anyone else is never told (False)."""
    query = select(Signal.id).where(Signal.inspection_id == inspection_id)
    if not can(actor, Action.signal_read):
        if not can(actor, Action.signal_create):
            return False
        query = query.where(Signal.author_id == actor.id)
    return session.exec(query.limit(1)).first() is not None


def forget_inspections(*, session: Session, inspection_ids: list[uuid.UUID]) -> None:
    """The visits are being erased: their signals stay (on their own schedule), unlinked."""
    if inspection_ids:
        session.execute(
            update(Signal)
            .where(col(Signal.inspection_id).in_(inspection_ids))
            .values(inspection_id=None)
        )


def _locked(session: Session, signal_id: uuid.UUID, actor: User) -> Signal:
    if not can(actor, Action.signal_follow_up):
        raise NotFound("signal")  # no hint that it exists
    signal = session.get(Signal, signal_id, with_for_update=True, populate_existing=True)
    if signal is None:
        raise NotFound("signal")
    return signal


def take(*, session: Session, signal_id: uuid.UUID, actor: User) -> Signal:
    """The care coordinator takes a new signal: from now on its author no longer reads it."""
    signal = _locked(session, signal_id, actor)
    signal.taken_by_id = actor.id
    signal.taken_at = utcnow()
    MACHINE.move(session, signal, Transition.take, actor=actor)
    session.flush()
    return signal


def follow_up(*, session: Session, signal_id: uuid.UUID, data: FollowUpIn, actor: User) -> Signal:
    """Record a step (contact, consent, referral, note); a taken signal only. `close`
    closes the signal with this step as its outcome."""
    signal = _locked(session, signal_id, actor)
    if signal.status is not SignalStatus.taken:
        raise Conflict(
            "not_taken",
            "Take the signal first; a closed signal gets no more steps.",
            current_status=signal.status.value,
        )
    session.add(
        SignalFollowUp(
            signal_id=signal.id, kind=data.kind, content={"note": data.note}, by_id=actor.id
        )
    )
    audit.record(
        session,
        actor=actor,
        action="signal.follow_up",
        object_type="signal",
        object_id=signal.id,
        after={"kind": data.kind.value},
    )
    if data.close:
        signal.closed_at = utcnow()
        MACHINE.move(
            session, signal, Transition.close, actor=actor, after={"kind": data.kind.value}
        )
    else:
        signal.version += 1
        signal.updated_at = utcnow()
        session.add(signal)
    session.flush()
    return signal


def public(*, session: Session, signal: Signal, policy: Policy) -> SignalPublic:
    labels = {i.key: (i.label_nl, i.label_en) for i in policy.trafficking_indicators}
    steps = session.exec(
        select(SignalFollowUp)
        .where(SignalFollowUp.signal_id == signal.id)
        .order_by(col(SignalFollowUp.occurred_at))
    ).all()
    end = to_local_date(signal.taken_at) if signal.taken_at else local_today()
    return SignalPublic(
        id=signal.id,
        indicators=[
            {
                "key": key,
                "label_nl": labels.get(key, (key, key))[0],
                "label_en": labels.get(key, (key, key))[1],
            }
            for key in signal.content.get("indicators", [])
        ],
        note=signal.content.get("note"),
        place=signal.content.get("place"),
        status=signal.status,
        created_at=signal.created_at,
        taken_at=signal.taken_at,
        closed_at=signal.closed_at,
        waited_days=(end - to_local_date(signal.created_at)).days,
        during_visit=signal.inspection_id is not None,
        follow_ups=[
            FollowUpOut(kind=s.kind, note=s.content.get("note"), occurred_at=s.occurred_at)
            for s in steps
        ],
        version=signal.version,
    )


def queue(
    *,
    session: Session,
    actor: User,
    policy: Policy,
    status: SignalStatus | None = SignalStatus.new,
    cursor: str | None = None,
    limit: int = 25,
) -> SignalPage:
    """The care coordinator's queue, oldest first (new signals by default). Nobody else
    has a list of signals, not even a count."""
    if not can(actor, Action.signal_read):
        raise NotFound("signal")
    audit.record(session, actor=actor, action="signal.list", object_type="signal")
    query = select(Signal)
    if status is not None:
        query = query.where(Signal.status == status)
    if cursor:
        after = read_keyset_cursor(cursor)
        query = query.where(tuple_(Signal.created_at, Signal.id) > after)
    rows = session.exec(
        query.order_by(col(Signal.created_at), col(Signal.id)).limit(limit + 1)
    ).all()
    last = rows[limit - 1] if len(rows) > limit else None
    return SignalPage(
        items=[public(session=session, signal=s, policy=policy) for s in rows[:limit]],
        next_cursor=keyset_cursor(last.created_at, last.id) if last else None,
    )


def due_for_erasure(*, session: Session, before: datetime) -> list[uuid.UUID]:
    """Closed signals whose follow-up was closed before `before` (the retention schedule)."""
    return list(
        session.exec(
            select(Signal.id).where(
                Signal.status == SignalStatus.closed, col(Signal.closed_at) < before
            )
        ).all()
    )


def erase(*, session: Session, signal_ids: list[uuid.UUID]) -> int:
    """Delete signals and their follow-ups; each erasure audited without its content."""
    for signal_id in signal_ids:
        for step in session.exec(
            select(SignalFollowUp).where(SignalFollowUp.signal_id == signal_id)
        ).all():
            session.delete(step)
        signal = session.get(Signal, signal_id)
        if signal is not None:
            session.delete(signal)
        audit.record(
            session,
            actor=None,
            action="signal.erase",
            object_type="signal",
            object_id=signal_id,
            after={"reason": "retention schedule"},
        )
    session.flush()
    return len(signal_ids)


def indicator_counts(*, session: Session, start: datetime, end: datetime) -> dict[str, int]:
    """How many signals made in [start, end) name each indicator: counts only, for the
    statistics. The indicators sit in the encrypted content, so they are read here, counted
    and dropped; nothing else of a signal leaves this function."""
    counts: dict[str, int] = {}
    rows = session.exec(
        select(Signal.content).where(col(Signal.created_at) >= start, col(Signal.created_at) < end)
    )
    for content in rows:
        for key in set((content or {}).get("indicators") or ()):
            counts[str(key)] = counts.get(str(key), 0) + 1
    return counts
