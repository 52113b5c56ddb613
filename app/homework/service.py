"""Home-work registrations: register, re-check a waiting one, end, read and list.

The rule (the policy's `[home_work]`, evaluated by the pure `evaluate_home_work`): home work
is allowed while the worker is registered in the population register at the address, at
most `max_workers_per_address` work there, and no nuisance has been established there.
Asking the register is a network call: it happens before anything is written or locked.
When the register cannot be reached, the registration waits as `pending_address_check`:
nothing is lost, and it is settled by the next re-check, never silently approved or
refused. Nothing here commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

from sqlalchemy import func, tuple_
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import access
from app.addresses import service as addresses_service
from app.addresses.models import Address, Resident
from app.addresses.parse import AddressParts, house_number_parts
from app.addresses.register import (
    AddressRegister,
    RegisterUnavailable,
    Residence,
    bsn_hash,
    valid_bsn,
)
from app.audit import service as audit
from app.auth.models import User
from app.auth.permissions import Action, ObjectKind, can
from app.db import local_today, utcnow
from app.deadlines import due_date
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.homework.models import (
    OPEN_STATUSES,
    CheckOut,
    HomeWorkCreate,
    HomeWorkPage,
    HomeWorkPublic,
    HomeWorkRegistration,
    HomeWorkStatus,
    ReviewOutcome,
)
from app.homework.states import MACHINE, Transition
from app.nuisance import service as nuisance_service
from app.pagination import keyset_cursor, read_keyset_cursor
from app.policy import service as policy_service
from app.policy.evaluate import (
    CheckResult,
    HomeWorkFacts,
    evaluate_home_work,
    nuisance_window_start,
)

# Registrations that take a place at their address (the policy's maximum counts these).
PLACE_TAKING = (HomeWorkStatus.active, HomeWorkStatus.under_review)
# Rules whose answer says nothing about who else is registered at an address.
PUBLIC_RULES = frozenset({"home_work.allowed", "home_work.registered"})


def _check_dicts(results: list[CheckResult]) -> list[dict[str, object]]:
    return [
        {
            "rule_id": r.rule_id,
            "passed": r.passed,
            "severity": r.severity,
            "message_nl": r.message_nl,
            "message_en": r.message_en,
            "reference": r.reference,
        }
        for r in results
    ]


def _blocking_failures(results: list[CheckResult]) -> list[CheckResult]:
    return [r for r in results if not r.passed and r.severity == "blocking"]


def others_at(*, session: Session, address_id: uuid.UUID, besides: uuid.UUID | None) -> int:
    query = (
        select(func.count())
        .select_from(HomeWorkRegistration)
        .where(
            HomeWorkRegistration.address_id == address_id,
            col(HomeWorkRegistration.status).in_(PLACE_TAKING),
        )
    )
    if besides is not None:
        query = query.where(HomeWorkRegistration.id != besides)
    return session.exec(query).one()


def _evaluate(
    session: Session,
    *,
    address_id: uuid.UUID,
    residence: Residence | None,
    on: date,
    besides: uuid.UUID | None = None,
) -> tuple[list[CheckResult], uuid.UUID]:
    """The checks for home work at an address, under a row lock on the address so that two
    workers registering there at once cannot both take its last place."""
    active = policy_service.current(session=session)
    addresses_service.lock(session=session, address_id=address_id)
    facts = HomeWorkFacts(
        on=on,
        registered_at_address=residence.registered if residence else None,
        workers_at_address=others_at(session=session, address_id=address_id, besides=besides),
        substantiated_nuisance_dates=nuisance_service.substantiated_dates(
            session=session,
            address_id=address_id,
            since=nuisance_window_start(active.policy, on),
        ),
    )
    return evaluate_home_work(active.policy, facts), active.record.id


def register(
    *,
    session: Session,
    data: HomeWorkCreate,
    actor: User,
    address_register: AddressRegister,
) -> HomeWorkRegistration:
    """Register home work at the worker's own address. A failed rule is a 422
    `home_work_refused` naming each failed rule in plain words; nothing is stored."""
    if not can(actor, Action.homework_create):
        raise Forbidden("Only sex workers register home work.")
    bsn = valid_bsn(data.bsn)
    parts = AddressParts(data.postcode, *house_number_parts(data.house_number))
    # The network call first, before anything is written or locked.
    try:
        residence: Residence | None = address_register.residence(bsn=bsn, address=parts)
    except RegisterUnavailable:
        residence = None
    existing = open_of(session=session, bsn=bsn)
    if existing is not None and existing.worker_id == actor.id:
        raise _already_registered()
    if existing is not None:
        # Someone else holds home work under this BSN: answered exactly like an address the
        # person is not registered at, so this form cannot tell anyone who does home work.
        residence = Residence(registered=False)
    address = addresses_service.get_or_create(session=session, parts=parts)
    results, policy_version_id = _evaluate(
        session, address_id=address.id, residence=residence, on=local_today()
    )
    failed = _blocking_failures(results)
    if residence is None or not residence.registered:
        # Someone not (yet) confirmed at the address learns nothing about who works there:
        # only the public rule and the register's answer count. The rest is evaluated once
        # the register confirms them (at once, or at the re-check of a waiting one).
        failed = [r for r in failed if r.rule_id in PUBLIC_RULES]
        results = [r for r in results if r.rule_id in PUBLIC_RULES]
    if failed:
        raise InvalidInput(
            "home_work_refused",
            "Home work at this address is not possible: " + " ".join(r.message_en for r in failed),
            failed_rules=[
                {"rule_id": r.rule_id, "message_nl": r.message_nl, "message_en": r.message_en}
                for r in failed
            ],
        )
    registration = HomeWorkRegistration(
        worker_id=actor.id,
        address_id=address.id,
        working_name=data.working_name,
        personal={"bsn": bsn},
        bsn_hash=bsn_hash(bsn),
        status=HomeWorkStatus.pending_address_check,
        registered_since=residence.since if residence else None,
        checks=_check_dicts(results),
        policy_version_id=policy_version_id,
    )
    try:
        with session.begin_nested():
            session.add(registration)
    except IntegrityError as exc:  # the same person registering twice at once
        raise _already_registered() from exc
    audit.record(
        session,
        actor=actor,
        action="home_work_registration.create",
        object_type="home_work_registration",
        object_id=registration.id,
        after={"status": registration.status.value, "address_id": address.id},
    )
    if residence is not None:
        MACHINE.move(session, registration, Transition.confirm, actor=actor)
        registration.started_at = utcnow()
    session.flush()
    return registration


def _already_registered() -> Conflict:
    return Conflict(
        "already_registered",
        "Home work is already registered for this citizen service number. End that "
        "registration first; if it is not yours, contact the municipality.",
    )


def open_of(*, session: Session, bsn: str) -> HomeWorkRegistration | None:
    """The open registration of the person with this BSN, if any (at most one)."""
    return session.exec(
        select(HomeWorkRegistration).where(
            HomeWorkRegistration.bsn_hash == bsn_hash(bsn),
            col(HomeWorkRegistration.status).in_(OPEN_STATUSES),
        )
    ).first()


def recheck(
    *,
    session: Session,
    registration: HomeWorkRegistration,
    address_register: AddressRegister,
    actor: User | None,
) -> HomeWorkRegistration:
    """Ask the register again for a registration waiting on its address check: it becomes
    active, or refused with the failed rules; while the register stays unreachable it
    keeps waiting."""
    if registration.status is not HomeWorkStatus.pending_address_check:
        return registration
    address = session.get(Address, registration.address_id)
    assert address is not None
    try:
        residence = address_register.residence(
            bsn=str(registration.personal.get("bsn", "")),
            address=addresses_service.parts_of(address),
        )
    except RegisterUnavailable:
        return registration
    results, policy_version_id = _evaluate(
        session,
        address_id=address.id,
        residence=residence,
        on=local_today(),
        besides=registration.id,
    )
    registration = session.exec(
        select(HomeWorkRegistration)
        .where(HomeWorkRegistration.id == registration.id)
        .with_for_update()
    ).one()
    session.refresh(registration)
    if registration.status is not HomeWorkStatus.pending_address_check:
        return registration  # settled meanwhile by another re-check
    failed = _blocking_failures(results)
    if not residence.registered:
        failed = [r for r in failed if r.rule_id in PUBLIC_RULES]
        results = [r for r in results if r.rule_id in PUBLIC_RULES]
    registration.checks = _check_dicts(results)
    registration.policy_version_id = policy_version_id
    registration.registered_since = residence.since
    if failed:
        registration.status_reason = " ".join(r.message_en for r in failed)
        MACHINE.move(session, registration, Transition.refuse, actor=actor)
    else:
        registration.started_at = utcnow()
        MACHINE.move(session, registration, Transition.confirm, actor=actor)
    session.flush()
    return registration


def pending(
    *, session: Session, worker_id: uuid.UUID | None = None, limit: int = 500
) -> list[HomeWorkRegistration]:
    """Registrations waiting on their address check (of one worker, or all), oldest first."""
    query = select(HomeWorkRegistration).where(
        HomeWorkRegistration.status == HomeWorkStatus.pending_address_check
    )
    if worker_id is not None:
        query = query.where(HomeWorkRegistration.worker_id == worker_id)
    return list(
        session.exec(query.order_by(col(HomeWorkRegistration.created_at)).limit(limit)).all()
    )


def end(
    *, session: Session, registration_id: uuid.UUID, actor: User, expected_version: int | None
) -> HomeWorkRegistration:
    """The worker ends their own registration."""
    registration = session.exec(
        select(HomeWorkRegistration)
        .where(HomeWorkRegistration.id == registration_id)
        .with_for_update()
    ).first()
    if registration is None or registration.worker_id != actor.id:
        raise NotFound("home-work registration")
    session.refresh(registration)
    if expected_version is not None and expected_version != registration.version:
        raise Conflict(
            "stale_version",
            "The registration was changed in the meantime. Reload it and try again.",
            current_version=registration.version,
        )
    MACHINE.move(session, registration, Transition.end, actor=actor)
    registration.ended_at = utcnow()
    session.flush()
    return registration


def end_for_moved(*, session: Session) -> list[HomeWorkRegistration]:
    """After a new extract: end the registrations (active or under review) of people the
    extract no longer has at that address, as `ended_moved`, which the worker sees with
    the reason. One query over the open registrations (a small set), whatever the size of
    the extract."""
    moved = session.exec(
        select(HomeWorkRegistration)
        .outerjoin(
            Resident,
            (col(Resident.bsn_hash) == col(HomeWorkRegistration.bsn_hash))
            & (col(Resident.address_id) == col(HomeWorkRegistration.address_id)),
        )
        .where(col(HomeWorkRegistration.status).in_(PLACE_TAKING), col(Resident.id).is_(None))
        .with_for_update(of=HomeWorkRegistration)
    ).all()
    for registration in moved:
        registration.status_reason = "The population register no longer has you at this address."
        registration.ended_at = utcnow()
        MACHINE.move(session, registration, Transition.moved, actor=None)
    session.flush()
    return list(moved)


def get_for(*, session: Session, registration_id: uuid.UUID, actor: User) -> HomeWorkRegistration:
    found = session.get(HomeWorkRegistration, registration_id)
    return access.read(
        session,
        found,
        actor=actor,
        kind=ObjectKind.homework_registration,
        owner_id=found.worker_id if found else None,
        object_type="home_work_registration",
    )


def public(*, session: Session, registration: HomeWorkRegistration) -> HomeWorkPublic:
    return HomeWorkPublic(
        id=registration.id,
        working_name=registration.working_name,
        address=addresses_service.one_line(session=session, address_id=registration.address_id)
        or "",
        status=registration.status,
        registered_since=registration.registered_since,
        checks=[CheckOut.model_validate(c) for c in registration.checks],
        status_reason=registration.status_reason,
        respond_by=registration.respond_by,
        response=registration.personal.get("response"),
        responded_at=registration.responded_at,
        started_at=registration.started_at,
        ended_at=registration.ended_at,
        version=registration.version,
        created_at=registration.created_at,
    )


def list_(
    *,
    session: Session,
    actor: User,
    status: HomeWorkStatus | None = None,
    open_only: bool = False,
    cursor: str | None = None,
    limit: int = 25,
) -> HomeWorkPage:
    """A worker's own registrations; staff (who may read any) see every one. Newest first,
    keyset pages. Staff lists are audited."""
    query = select(HomeWorkRegistration)
    if not can(actor, Action.homework_read_any):
        if not can(actor, Action.homework_read_own):
            raise Forbidden()
        query = query.where(HomeWorkRegistration.worker_id == actor.id)
    else:
        audit.record(
            session,
            actor=actor,
            action="home_work_registration.list",
            object_type="home_work_registration",
        )
    if status is not None:
        query = query.where(HomeWorkRegistration.status == status)
    elif open_only:
        query = query.where(col(HomeWorkRegistration.status).in_(OPEN_STATUSES))
    if cursor:
        moment, last_id = read_keyset_cursor(cursor)
        query = query.where(
            tuple_(HomeWorkRegistration.created_at, HomeWorkRegistration.id) < (moment, last_id)
        )
    rows = session.exec(
        query.order_by(
            col(HomeWorkRegistration.created_at).desc(), col(HomeWorkRegistration.id).desc()
        ).limit(limit + 1)
    ).all()
    items = [public(session=session, registration=r) for r in rows[:limit]]
    last = rows[limit - 1] if len(rows) > limit else None
    return HomeWorkPage(
        items=items,
        next_cursor=keyset_cursor(last.created_at, last.id) if last else None,
    )


def review_address(
    *, session: Session, address_id: uuid.UUID, actor: User | None, hearing_days: int
) -> list[HomeWorkRegistration]:
    """Nuisance has been established at the address: every active registration there goes
    under review, and its worker may respond within `hearing_days`. The worker is told in
    general terms on their page; who reported it is never shown."""
    found = session.exec(
        select(HomeWorkRegistration)
        .where(
            HomeWorkRegistration.address_id == address_id,
            HomeWorkRegistration.status == HomeWorkStatus.active,
        )
        .with_for_update()
    ).all()
    # The hearing period ends on a working day (Algemene termijnenwet art. 1).
    respond_by = due_date(local_today(), hearing_days)
    for registration in found:
        registration.respond_by = respond_by
        # A new review asks for a new response.
        registration.personal = {k: v for k, v in registration.personal.items() if k != "response"}
        registration.responded_at = None
        registration.status_reason = (
            "Nuisance has been established at this address. You may respond before "
            f"{respond_by.strftime('%d-%m-%Y')}; then a clerk decides."
        )
        MACHINE.move(
            session,
            registration,
            Transition.review,
            actor=actor,
            after={"respond_by": respond_by},
        )
    session.flush()
    return list(found)


def _locked(session: Session, registration_id: uuid.UUID) -> HomeWorkRegistration | None:
    found = session.exec(
        select(HomeWorkRegistration)
        .where(HomeWorkRegistration.id == registration_id)
        .with_for_update()
    ).first()
    if found is not None:
        session.refresh(found)
    return found


def respond(
    *, session: Session, registration_id: uuid.UUID, actor: User, text: str
) -> HomeWorkRegistration:
    """The worker's response while their home work is under review (it may be given, or
    changed, until a clerk decides). Kept encrypted; staff read it with the file."""
    registration = _locked(session, registration_id)
    if registration is None or registration.worker_id != actor.id:
        raise NotFound("home-work registration")
    if registration.status is not HomeWorkStatus.under_review:
        raise Conflict(
            "not_under_review",
            "A response can only be given while the registration is under review.",
            current_status=registration.status.value,
        )
    registration.personal = {**registration.personal, "response": text.strip()}
    registration.responded_at = utcnow()
    registration.version += 1
    registration.updated_at = utcnow()
    session.add(registration)
    audit.record(
        session,
        actor=actor,
        action="home_work_registration.respond",
        object_type="home_work_registration",
        object_id=registration.id,
        after={"length": len(text.strip())},
    )
    session.flush()
    return registration


def decide_review(
    *,
    session: Session,
    registration_id: uuid.UUID,
    actor: User,
    outcome: ReviewOutcome,
    reason: str,
    expected_version: int | None,
) -> HomeWorkRegistration:
    """A clerk decides after the review: home work continues, or ends with a reason (the
    worker gets a decision letter, made after the commit: `app/flows/homework.py`)."""
    if not can(actor, Action.homework_decide):
        raise Forbidden("Only licensing clerks decide on home work.")
    registration = _locked(session, registration_id)
    if registration is None:
        raise NotFound("home-work registration")
    if expected_version is not None and expected_version != registration.version:
        raise Conflict(
            "stale_version",
            "The registration was changed in the meantime. Reload it and try again.",
            current_version=registration.version,
        )
    transition = (
        Transition.resume if outcome is ReviewOutcome.resume else Transition.end_after_review
    )
    if (
        transition is Transition.end_after_review
        and registration.status is HomeWorkStatus.under_review
        and registration.responded_at is None
        and registration.respond_by is not None
        and local_today() <= registration.respond_by
    ):
        # Awb 4:8: she is heard first. Ending waits for her response or the end of the
        # period she was given; continuing needs no wait.
        raise Conflict(
            "hearing_open",
            "The sex worker may still respond until "
            f"{registration.respond_by.isoformat()}; decide after her response or then.",
            respond_by=registration.respond_by.isoformat(),
        )
    registration.status_reason = reason
    if transition is Transition.end_after_review:
        registration.ended_at = utcnow()
    MACHINE.move(session, registration, transition, actor=actor, reason=reason)
    session.flush()
    return registration


def at_address(
    *, session: Session, address_id: uuid.UUID, limit: int = 200
) -> list[HomeWorkRegistration]:
    """Every registration at an address, newest first (the staff address page)."""
    return list(
        session.exec(
            select(HomeWorkRegistration)
            .where(HomeWorkRegistration.address_id == address_id)
            .order_by(col(HomeWorkRegistration.created_at).desc())
            .limit(limit)
        ).all()
    )


def open_by_address(
    *, session: Session, batch_size: int = 1000
) -> Iterator[tuple[uuid.UUID, list[tuple[str, str, uuid.UUID]]]]:
    """Every address with registrations that take a place there, with their (working name,
    status, worker's account), in keyset batches (for simulating a draft policy)."""
    last: tuple[uuid.UUID, uuid.UUID] | None = None
    current: uuid.UUID | None = None
    group: list[tuple[str, str, uuid.UUID]] = []
    while True:
        query = sa_select(
            col(HomeWorkRegistration.address_id),
            col(HomeWorkRegistration.id),
            col(HomeWorkRegistration.working_name),
            col(HomeWorkRegistration.status),
            col(HomeWorkRegistration.worker_id),
        ).where(col(HomeWorkRegistration.status).in_(PLACE_TAKING))
        if last is not None:
            query = query.where(
                tuple_(HomeWorkRegistration.address_id, HomeWorkRegistration.id) > last
            )
        rows = (
            session.connection()  # Core rows, in the session's transaction
            .execute(
                query.order_by(
                    col(HomeWorkRegistration.address_id), col(HomeWorkRegistration.id)
                ).limit(batch_size)
            )
            .all()
        )
        for address_id, registration_id, working_name, status, worker_id in rows:
            if address_id != current and group:
                assert current is not None
                yield current, group
                group = []
            current = address_id
            group.append((working_name, str(status), worker_id))
            last = (address_id, registration_id)
        if len(rows) < batch_size:
            break
    if group and current is not None:
        yield current, group
