"""Permits: issue, look up, suspend, reinstate, revoke, and count against a cap.

Nothing here commits: the caller does (a route through `app/deps.py`, or a flow in
`app/flows/` when documents follow the change)."""

from __future__ import annotations

import uuid
import zlib
from datetime import date, timedelta
from typing import Any

from sqlalchemy import exists, text
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from app import access
from app.audit import service as audit
from app.auth.models import User
from app.auth.permissions import Action, ObjectKind, can
from app.db import local_today
from app.documents import service as documents_service
from app.errors import Forbidden, InvalidInput, NotFound, Unavailable
from app.mail import outbox
from app.permits import documents as permit_documents
from app.permits import numbers
from app.permits.models import Permit, PermitPublic, PermitStatus
from app.permits.states import MACHINE, Transition
from app.policy.evaluate import add_months

HELD_STATUSES = (PermitStatus.active, PermitStatus.suspended)


def allowed_actions(permit: Permit, on: date) -> set[str]:
    """The status changes possible for this permit on a day (none once it has expired)."""
    return {t.value for t in MACHINE.allowed(permit.state_on(on))}


def today() -> date:
    return local_today()


def public(permit: Permit, *, on: date | None = None) -> PermitPublic:
    return PermitPublic.model_validate(
        {**permit.model_dump(), "state": permit.state_on(on or today())}
    )


def _summary(permit: Permit) -> dict[str, object]:
    return {"number": permit.number, "status": permit.status.value, "version": permit.version}


def lock_permit_type(*, session: Session, permit_type: str) -> None:
    """Serialise approvals of one permit type so a cap cannot be exceeded (PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"permit-cap:{permit_type}".encode())
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _not_renewed() -> Any:
    """A permit renewed by another held permit takes no place of its own under a cap: the
    holder counts once while the old and the follow-on permit are both on record."""
    renewal = aliased(Permit)
    return ~exists().where(
        col(renewal.renewal_of_id) == col(Permit.id), col(renewal.status).in_(HELD_STATUSES)
    )


def count_held(*, session: Session, permit_type: str, on: date) -> int:
    """Permits of a type that are in force (active or suspended, not expired) on a day,
    counting a permit and its renewal once."""
    return session.exec(
        select(func.count())
        .select_from(Permit)
        .where(
            Permit.permit_type == permit_type,
            col(Permit.status).in_(HELD_STATUSES),
            Permit.valid_until >= on,
            _not_renewed(),
        )
    ).one()


def held_of_applications(
    *, session: Session, application_ids: list[uuid.UUID], permit_type: str, on: date
) -> list[Permit]:
    """The permits of a type in force on a day that were issued on these applications
    (a permit and its held renewal once: the renewal)."""
    if not application_ids:
        return []
    return list(
        session.exec(
            select(Permit).where(
                col(Permit.application_id).in_(application_ids),
                Permit.permit_type == permit_type,
                col(Permit.status).in_(HELD_STATUSES),
                Permit.valid_until >= on,
                _not_renewed(),
            )
        ).all()
    )


def counts_by_type(*, session: Session, on: date) -> dict[str, int]:
    rows = session.exec(
        select(Permit.permit_type, func.count())
        .where(col(Permit.status).in_(HELD_STATUSES), Permit.valid_until >= on, _not_renewed())
        .group_by(Permit.permit_type)
    ).all()
    return {permit_type: count for permit_type, count in rows}


def list_held(*, session: Session, on: date, batch_size: int = 500) -> list[Permit]:
    """Every permit in force on a day, read in keyset batches."""
    found: list[Permit] = []
    last_number = ""
    while True:
        batch = session.exec(
            select(Permit)
            .where(
                col(Permit.status).in_(HELD_STATUSES),
                Permit.valid_until >= on,
                Permit.number > last_number,
            )
            .order_by(col(Permit.number))
            .limit(batch_size)
        ).all()
        if not batch:
            return found
        found.extend(batch)
        last_number = batch[-1].number


def start_date(renewal_of: Permit | None = None) -> date:
    """A new permit starts today; a renewal the day after the permit it renews ends."""
    start = today()
    if renewal_of is not None and renewal_of.valid_until >= start:
        start = renewal_of.valid_until + timedelta(days=1)
    return start


def issue(
    *,
    session: Session,
    application_id: uuid.UUID,
    holder_id: uuid.UUID,
    permit_type: str,
    working_name: str,
    validity_months: int,
    conditions_nl: list[str],
    conditions_en: list[str],
    policy_version_id: uuid.UUID,
    actor: User,
    renewal_of: Permit | None = None,
    address_id: uuid.UUID | None = None,
) -> Permit:
    """Create the permit for an approved application (in the caller's transaction)."""
    start = start_date(renewal_of)
    permit = Permit(
        address_id=address_id,
        number=_unused_number(session),
        application_id=application_id,
        holder_id=holder_id,
        permit_type=permit_type,
        working_name=working_name,
        valid_from=start,
        valid_until=add_months(start, validity_months) - timedelta(days=1),
        conditions_nl=conditions_nl,
        conditions_en=conditions_en,
        policy_version_id=policy_version_id,
        renewal_of_id=renewal_of.id if renewal_of else None,
    )
    session.add(permit)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="permit.issue",
        object_type="permit",
        object_id=permit.id,
        after={**_summary(permit), "valid_until": permit.valid_until},
    )
    return permit


def _unused_number(session: Session) -> str:
    for _ in range(10):
        number = numbers.generate()
        if session.exec(select(Permit.id).where(Permit.number == number)).first() is None:
            return number
    raise Unavailable("number_exhausted", "Could not make a unique permit number; try again.")


def get_by_number(*, session: Session, number: str) -> Permit | None:
    canonical = numbers.normalise(number)
    if canonical is None:
        return None
    return session.exec(select(Permit).where(Permit.number == canonical)).first()


def get_for(*, session: Session, number: str, actor: User, audit_read: bool = True) -> Permit:
    """A permit its holder or staff may see; 404 otherwise. Staff reads are audited (unless
    the caller audits the read itself, as a download does)."""
    permit = get_by_number(session=session, number=number)
    return access.read(
        session,
        permit,
        actor=actor,
        kind=ObjectKind.permit,
        owner_id=permit.holder_id if permit else None,
        object_type="permit",
        audited=audit_read,
    )


def list_for_holder(*, session: Session, holder_id: uuid.UUID) -> list[Permit]:
    return list(
        session.exec(
            select(Permit)
            .where(Permit.holder_id == holder_id)
            .order_by(col(Permit.valid_until).desc())
        ).all()
    )


def change_status(
    *, session: Session, number: str, actor: User, action: str, reason: str
) -> Permit:
    """Suspend, reinstate or revoke, with a reason, as the status machine allows. The
    decision letter and the permit's new version follow the commit
    (`app/flows/permits.py`)."""
    if action not in set(Transition):
        raise InvalidInput("unknown_action", f"'{action}' is not a permit action.")
    if not can(actor, Action.permit_manage):
        raise Forbidden("You are not allowed to change permits.")
    permit = get_by_number(session=session, number=number)
    if permit is None:
        raise NotFound("permit")
    permit = session.exec(select(Permit).where(Permit.id == permit.id).with_for_update()).one()
    session.refresh(permit)
    permit.status_reason = reason
    MACHINE.move(
        session,
        permit,
        Transition(action),
        actor=actor,
        current=permit.state_on(today()),
        reason=reason,
        before={"number": permit.number, "version": permit.version},
        after={"number": permit.number, "version": permit.version + 1},
    )
    holder = session.get(User, permit.holder_id)
    if holder is not None:
        outbox.queue(session, kind=STATUS_MAIL[Transition(action)], to_user=holder)
    session.flush()
    return permit


STATUS_MAIL = {
    Transition.suspend: "permit_suspended",
    Transition.reinstate: "permit_reinstated",
    Transition.revoke: "permit_revoked",
}
"""The message telling the holder there is news (never what it is) after each change."""


def download_pdf(*, session: Session, number: str, actor: User) -> tuple[Permit, bytes]:
    """The permit PDF for its holder or staff (404 otherwise). A staff download is audited
    once, as a read of the document."""
    permit = get_for(session=session, number=number, actor=actor, audit_read=False)
    document = permit_documents.permit_pdf(session=session, permit=permit)
    _, content = documents_service.read(session=session, document_id=document.id, actor=actor)
    return permit, content


def ending_between(*, session: Session, first: date, last: date) -> list[Permit]:
    """Permits in force whose last day falls from `first` to `last` (a permit renewed by a
    held permit left out): the holders to remind of renewal and expiry. Served by the
    index on the end date."""
    return list(
        session.exec(
            select(Permit)
            .where(
                col(Permit.valid_until) >= first,
                col(Permit.valid_until) <= last,
                col(Permit.status).in_(HELD_STATUSES),
                _not_renewed(),
            )
            .order_by(col(Permit.valid_until))
        ).all()
    )
