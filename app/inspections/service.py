"""Inspection visits: plan, keep a draft, add photos, record (and correct by a new
version), cancel; the inspector's planned visits and due list; referrals of violations to
the clerk; the retention schedule's erasure.

Rules kept here:
- A visit is to a licensed business (by its permit) or to an address.
- The checklist is the policy's in force: every item answered once (yes, no, not
  applicable), nothing else; warnings and violations say what was found.
- People met are recorded by permit number, or by role only: never by name.
- A recorded visit is never changed: a correction is a new version, with a reason and the
  version it corrects (optimistic locking); every version stays readable.
- A violation at a licensed business, or an explicit referral, puts a referral in the
  clerk's queue; a correction that takes the reason away withdraws it.
- Signs of human trafficking are never part of a visit (`app/signals/`).
Nothing here commits.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, tuple_, update
from sqlalchemy import exists as exists_where
from sqlmodel import Session, col, select

from app import access, files
from app.addresses import service as addresses_service
from app.addresses.parse import AddressParts, house_number_parts
from app.audit import service as audit
from app.auth.models import Role, User
from app.auth.permissions import Action, ObjectKind, can
from app.config import get_settings
from app.db import local_today, to_local_date, utcnow
from app.documents.store import get_store
from app.errors import Conflict, Forbidden, InvalidInput, NotFound, TooLarge
from app.inspections.models import (
    ChecklistOut,
    DueItem,
    Inspection,
    InspectionInspector,
    InspectionPhoto,
    InspectionPlan,
    InspectionPublic,
    InspectionStatus,
    InspectionSummary,
    InspectionVersion,
    Outcome,
    OutcomeIn,
    PersonMet,
    PhotoOut,
    PlaceKind,
    Referral,
    ReferralAction,
    ReferralOut,
    ReferralStatus,
    VersionOut,
)
from app.inspections.states import MACHINE, Transition
from app.nuisance import service as nuisance_service
from app.pagination import keyset_cursor, read_keyset_cursor
from app.permits import service as permits_service
from app.permits.models import Permit, PermitState, PermitStatus
from app.policy.evaluate import add_months
from app.policy.schema import Policy
from app.text import no_control_characters

PHOTO_AREA = "photos"
MAX_PHOTOS = 20
MAX_DRAFT_BYTES = 64 * 1024
PLAN_AHEAD_DAYS = 366
OUT_OF_FORCE = (PermitState.revoked, PermitState.expired)


def _require(actor: User, action: Action, what: str) -> None:
    if not can(actor, action):
        raise Forbidden(f"You are not allowed to {what}.")


# ---- planning ----------------------------------------------------------------------------


def _place(
    session: Session, data: InspectionPlan
) -> tuple[PlaceKind, Permit | None, uuid.UUID | None]:
    given = [data.permit_number is not None, data.address_id is not None, data.postcode is not None]
    if sum(given) != 1:
        raise InvalidInput(
            "place_required", "Give the permit number of a business, or an address (one of them)."
        )
    if data.permit_number is not None:
        permit = permits_service.get_by_number(session=session, number=data.permit_number)
        if permit is None:
            raise InvalidInput("unknown_permit", "There is no permit with this number.")
        if permit.state_on(local_today()) in OUT_OF_FORCE:
            raise InvalidInput(
                "permit_not_in_force",
                "This permit has expired or was revoked: plan a visit to its address instead.",
            )
        return PlaceKind.permit, permit, permit.address_id
    if data.address_id is not None:
        if addresses_service.get(session=session, address_id=data.address_id) is None:
            raise InvalidInput("unknown_address", "There is no such address.")
        return PlaceKind.address, None, data.address_id
    if data.house_number is None:
        raise InvalidInput("place_required", "Give the house number with the postcode.")
    parts = AddressParts(str(data.postcode), *house_number_parts(data.house_number))
    address = addresses_service.get_or_create(session=session, parts=parts)
    return PlaceKind.address, None, address.id


def _inspectors(session: Session, ids: list[uuid.UUID], actor: User) -> list[uuid.UUID]:
    chosen = list(dict.fromkeys(ids)) or ([actor.id] if actor.role is Role.inspector else [])
    if not chosen:
        raise InvalidInput("inspectors_required", "Choose the inspectors who go on the visit.")
    found = session.exec(
        select(User.id).where(
            col(User.id).in_(chosen), User.role == Role.inspector, col(User.is_active).is_(True)
        )
    ).all()
    if len(found) != len(chosen):
        raise InvalidInput(
            "not_an_inspector",
            "Only active inspectors can go on a visit.",
            unknown=sorted(str(i) for i in set(chosen) - set(found)),
        )
    return chosen


def plan(*, session: Session, data: InspectionPlan, actor: User) -> Inspection:
    """Plan a visit. A planned visit takes earlier follow-ups of the same place off the due
    list (the follow-up is on its way)."""
    _require(actor, Action.inspection_plan, "plan visits")
    today = local_today()
    if data.planned_for < today:
        raise InvalidInput("date_in_past", "Plan the visit for today or a later day.")
    if data.planned_for > today + timedelta(days=PLAN_AHEAD_DAYS):
        raise InvalidInput("date_too_far", "Plan the visit within a year.")
    kind, permit, address_id = _place(session, data)
    inspector_ids = _inspectors(session, data.inspector_ids, actor)
    inspection = Inspection(
        place_kind=kind,
        permit_id=permit.id if permit else None,
        address_id=address_id,
        planned_for=data.planned_for,
        planned_by_id=actor.id,
    )
    session.add(inspection)
    session.flush()
    for user_id in inspector_ids:
        session.add(InspectionInspector(inspection_id=inspection.id, user_id=user_id))
    audit.record(
        session,
        actor=actor,
        action="inspection.plan",
        object_type="inspection",
        object_id=inspection.id,
        after={"planned_for": data.planned_for.isoformat(), "inspectors": len(inspector_ids)},
    )
    session.flush()
    return inspection


def get_for(
    *, session: Session, inspection_id: uuid.UUID, actor: User, audited: bool = True
) -> Inspection:
    return access.read(
        session,
        session.get(Inspection, inspection_id),
        actor=actor,
        kind=ObjectKind.inspection,
        owner_id=None,
        object_type="inspection",
        audited=audited,
    )


def went_on(*, session: Session, inspection_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    """Whether this person goes (or went) on the visit, or recorded a version of it."""
    going = session.get(InspectionInspector, (inspection_id, user_id)) is not None
    return going or (
        session.exec(
            select(InspectionVersion.id).where(
                InspectionVersion.inspection_id == inspection_id,
                InspectionVersion.recorded_by_id == user_id,
            )
        ).first()
        is not None
    )


def _locked(session: Session, inspection_id: uuid.UUID, actor: User) -> Inspection:
    _require(actor, Action.inspection_record, "record visits")
    inspection = session.get(
        Inspection, inspection_id, with_for_update=True, populate_existing=True
    )
    if inspection is None:
        raise NotFound("inspection")
    return inspection


def cancel(*, session: Session, inspection_id: uuid.UUID, reason: str, actor: User) -> Inspection:
    if not can(actor, Action.inspection_plan):
        raise Forbidden("Only inspectors and clerks cancel visits.")
    inspection = session.get(
        Inspection, inspection_id, with_for_update=True, populate_existing=True
    )
    if inspection is None:
        raise NotFound("inspection")
    inspection.cancellation = {"reason": reason}
    inspection.draft = {}
    # The reason is kept with the visit (encrypted), not in the trail.
    MACHINE.move(session, inspection, Transition.cancel, actor=actor)
    session.flush()
    return inspection


# ---- drafts and photos -------------------------------------------------------------------


DRAFT_KEY = re.compile(r"[a-z][a-z0-9_]{0,80}")
NOT_IN_DRAFTS = frozenset({"indicators", "signal_note", "signal", "csrf_token", "photo", "action"})


def clean_draft(draft: dict[str, Any]) -> dict[str, Any]:
    """A draft is the recording form's own fields: text values (photo ids a list of
    them), free of control characters; never a signal's fields."""
    kept: dict[str, Any] = {}
    for key, value in draft.items():
        if key in NOT_IN_DRAFTS:
            continue
        if not isinstance(key, str) or not DRAFT_KEY.fullmatch(key):
            raise InvalidInput("bad_draft", f"A draft has no field {str(key)[:40]!r}.")
        if key == "photo_ids":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise InvalidInput("bad_draft", "photo_ids is a list of photo ids.")
            values = value[:MAX_PHOTOS]
        elif isinstance(value, str):
            values = [value]
        else:
            raise InvalidInput("bad_draft", f"The draft's {key} must be text.")
        for text in values:
            try:
                no_control_characters(text)
            except ValueError:
                raise InvalidInput(
                    "control_characters",
                    "Remove the invisible control characters from the text.",
                    field=key,
                ) from None
        kept[key] = values if key == "photo_ids" else value
    return kept


def save_draft(
    *, session: Session, inspection_id: uuid.UUID, draft: dict[str, Any], actor: User
) -> Inspection:
    """Keep the recording form as typed so far (no version change: a draft is not a
    record). Signals are never part of a draft."""
    draft = clean_draft(draft)
    if len(json.dumps(draft)) > MAX_DRAFT_BYTES:
        raise TooLarge("draft_too_large", "The draft is too large to keep.")
    inspection = _locked(session, inspection_id, actor)
    if inspection.status is InspectionStatus.cancelled:
        raise Conflict(
            "illegal_transition", "This visit was cancelled.", current_status="cancelled"
        )
    inspection.draft = draft
    inspection.draft_saved_at = utcnow()
    session.add(inspection)
    session.flush()
    return inspection


def add_photo(
    *, session: Session, inspection_id: uuid.UUID, content: bytes, actor: User
) -> InspectionPhoto:
    """Check and re-encode the photo (before anything is locked), store it, record it."""
    _require(actor, Action.inspection_record, "add photos to visits")
    clean = files.clean_image(content, max_bytes=get_settings().max_upload_bytes)
    inspection = session.get(Inspection, inspection_id)
    if inspection is None:
        raise NotFound("inspection")
    if inspection.status is InspectionStatus.cancelled:
        raise Conflict(
            "illegal_transition", "This visit was cancelled.", current_status="cancelled"
        )
    held = session.exec(
        select(func.count())
        .select_from(InspectionPhoto)
        .where(InspectionPhoto.inspection_id == inspection_id)
    ).one()
    if held >= MAX_PHOTOS:
        raise InvalidInput("too_many_photos", f"A visit has at most {MAX_PHOTOS} photos.")
    key = get_store(PHOTO_AREA).put(clean.content)
    photo = InspectionPhoto(
        inspection_id=inspection_id,
        sha256=key,
        media_type=clean.media_type,
        size_bytes=len(clean.content),
        width=clean.width,
        height=clean.height,
        uploaded_by_id=actor.id,
    )
    session.add(photo)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="inspection.photo_add",
        object_type="inspection",
        object_id=inspection_id,
        after={"photo": str(photo.id), "sha256": key},
    )
    return photo


def photo_content(
    *, session: Session, inspection_id: uuid.UUID, photo_id: uuid.UUID, actor: User
) -> tuple[InspectionPhoto, bytes]:
    get_for(session=session, inspection_id=inspection_id, actor=actor, audited=False)
    photo = session.get(InspectionPhoto, photo_id)
    if photo is None or photo.inspection_id != inspection_id:
        raise NotFound("photo")
    audit.record(
        session,
        actor=actor,
        action="inspection.photo_read",
        object_type="inspection",
        object_id=inspection_id,
        after={"photo": str(photo_id)},
    )
    return photo, get_store(PHOTO_AREA).get(photo.sha256)


def photos_of(*, session: Session, inspection_id: uuid.UUID) -> list[InspectionPhoto]:
    return list(
        session.exec(
            select(InspectionPhoto)
            .where(InspectionPhoto.inspection_id == inspection_id)
            .order_by(col(InspectionPhoto.created_at), col(InspectionPhoto.id))
        ).all()
    )


# ---- recording ---------------------------------------------------------------------------


def _checklist(policy: Policy, data: OutcomeIn) -> list[dict[str, Any]]:
    items = {i.key: i for i in policy.inspection_checklist}
    given: dict[str, Any] = {}
    for answer in data.checklist:
        if answer.key in given:
            raise InvalidInput("checklist_twice", f"Item {answer.key!r} is answered twice.")
        given[answer.key] = answer
    unknown = sorted(set(given) - set(items))
    missing = [k for k in items if k not in given]
    if unknown or missing:
        raise InvalidInput(
            "checklist_incomplete",
            "Answer every item of the checklist (yes, no or not applicable), and only those.",
            missing=missing,
            unknown=unknown,
        )
    return [
        {
            "key": key,
            "label_nl": item.label_nl,
            "label_en": item.label_en,
            "answer": given[key].answer.value,
            "note": given[key].note,
        }
        for key, item in items.items()
    ]


def _people(session: Session, people: list[PersonMet]) -> list[dict[str, Any]]:
    met = []
    for person in people:
        number = None
        if person.permit_number:
            permit = permits_service.get_by_number(session=session, number=person.permit_number)
            if permit is None:
                raise InvalidInput(
                    "unknown_permit_number",
                    f"There is no permit {person.permit_number}: record the person by role only.",
                    permit_number=person.permit_number,
                )
            number = permit.number
        met.append({"role": person.role.value, "permit_number": number})
    return met


def _checked_outcome(data: OutcomeIn) -> OutcomeIn:
    """The outcome with its time of visit made time-zone aware (a time without an offset
    is local time); InvalidInput for a time, date or findings that cannot be right."""
    now = utcnow()
    visited = (
        data.visited_at
        if data.visited_at.tzinfo
        else data.visited_at.replace(tzinfo=ZoneInfo(get_settings().timezone))
    )
    if visited > now + timedelta(minutes=15) or visited < now - timedelta(days=366):
        raise InvalidInput(
            "visited_at_invalid", "The time of the visit must be in the past year, not later."
        )
    if data.outcome is not Outcome.compliant and not (data.findings or "").strip():
        raise InvalidInput(
            "findings_required", "Say what you found: a warning or violation needs findings."
        )
    today = local_today()
    if data.reinspect_on is not None and not (
        today < data.reinspect_on <= today + timedelta(days=2 * 366)
    ):
        raise InvalidInput(
            "reinspect_date_invalid", "A re-inspection date must be after today, within two years."
        )
    return data.model_copy(update={"visited_at": visited})


def record(
    *,
    session: Session,
    inspection_id: uuid.UUID,
    data: OutcomeIn,
    actor: User,
    policy: Policy,
    policy_version_id: uuid.UUID | None,
) -> tuple[Inspection, InspectionVersion]:
    """Record a visit (its first version) or correct it (a new version, with a reason and
    the version corrected). Everything is checked before the visit is locked."""
    _require(actor, Action.inspection_record, "record visits")
    data = _checked_outcome(data)
    checklist = _checklist(policy, data)
    people = _people(session, data.people_met)
    inspection = _locked(session, inspection_id, actor)
    if (data.refer_to_clerk or data.warning_letter) and inspection.permit_id is None:
        raise InvalidInput(
            "needs_permit",
            "A warning letter or a referral to the clerk is for a licensed business; this "
            "visit is to an address without a permit.",
        )
    photo_ids = list(dict.fromkeys(data.photo_ids))
    if photo_ids:
        found = session.exec(
            select(InspectionPhoto.id).where(
                col(InspectionPhoto.id).in_(photo_ids),
                InspectionPhoto.inspection_id == inspection.id,
            )
        ).all()
        if len(found) != len(photo_ids):
            raise InvalidInput("unknown_photo", "A photo does not belong to this visit.")
    correcting = inspection.status is InspectionStatus.recorded
    if data.version is not None and data.version != inspection.version:
        raise Conflict(
            "stale_version",
            "This visit was recorded or corrected in the meantime. Reload it and try again.",
            current_version=inspection.version,
        )
    if correcting and data.version is None:
        raise Conflict(
            "already_recorded",
            "This visit has been recorded. To correct it, give the version you correct and "
            "a reason.",
            current_version=inspection.version,
        )
    if correcting and not (data.reason or "").strip():
        raise InvalidInput(
            "correction_reason_required",
            "A recorded visit is corrected by a new version: say why it is corrected.",
        )
    number = inspection.recorded_versions + 1
    version = InspectionVersion(
        inspection_id=inspection.id,
        number=number,
        visited_at=data.visited_at,
        outcome=data.outcome,
        answers={c["key"]: c["answer"] for c in checklist},
        follow_up_on=data.reinspect_on,
        warning_letter=data.warning_letter,
        refer_to_clerk=data.refer_to_clerk,
        content={
            "checklist": checklist,
            "findings": data.findings,
            "people_met": people,
            "photo_ids": [str(p) for p in photo_ids],
            "reason": data.reason if correcting else None,
        },
        policy_version_id=policy_version_id,
        recorded_by_id=actor.id,
    )
    session.add(version)
    inspection.recorded_versions = number
    inspection.outcome = data.outcome
    inspection.visited_at = data.visited_at
    inspection.follow_up_on = data.reinspect_on
    inspection.follow_up_done = False
    inspection.draft = {}
    inspection.draft_saved_at = None
    if not correcting:
        _follow_ups_done(session, inspection)
    summary = {"version": number, "outcome": data.outcome.value}
    if correcting:
        inspection.version += 1
        inspection.updated_at = utcnow()
        session.add(inspection)
        audit.record(
            session,
            actor=actor,
            action="inspection.correct",
            object_type="inspection",
            object_id=inspection.id,
            after=summary,
        )
    else:
        MACHINE.move(session, inspection, Transition.record, actor=actor, after=summary)
    _refer(
        session,
        inspection,
        number,
        refer=data.outcome is Outcome.violation or data.refer_to_clerk,
        actor=actor,
    )
    session.flush()
    return inspection, version


def _same_place(inspection: Inspection) -> Any:
    if inspection.permit_id is not None:
        return col(Inspection.permit_id) == inspection.permit_id
    return and_(
        col(Inspection.address_id) == inspection.address_id, col(Inspection.permit_id).is_(None)
    )


def _follow_ups_done(session: Session, inspection: Inspection) -> None:
    """A visit to a place is recorded: earlier visits' follow-ups there are done."""
    session.execute(
        update(Inspection)
        .where(
            _same_place(inspection),
            col(Inspection.id) != inspection.id,
            col(Inspection.follow_up_on).is_not(None),
            col(Inspection.follow_up_done).is_(False),
        )
        .values(follow_up_done=True)
    )


def _refer(
    session: Session, inspection: Inspection, number: int, *, refer: bool, actor: User
) -> None:
    if inspection.permit_id is None:
        return
    # Locked: a clerk settling it at this moment waits, and then sees it withdrawn or
    # moved to this version (or this correction waits for the clerk's decision).
    open_referral = session.exec(
        select(Referral)
        .where(Referral.inspection_id == inspection.id, Referral.status == ReferralStatus.open)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if refer and open_referral is not None:
        open_referral.version_number = number
        session.add(open_referral)
    elif refer:
        referral = Referral(
            inspection_id=inspection.id, version_number=number, permit_id=inspection.permit_id
        )
        session.add(referral)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="inspection.refer",
            object_type="inspection_referral",
            object_id=referral.id,
            after={"inspection": str(inspection.id), "version": number},
        )
    elif open_referral is not None:
        open_referral.status = ReferralStatus.withdrawn
        open_referral.handled_at = utcnow()
        session.add(open_referral)
        audit.record(
            session,
            actor=actor,
            action="inspection.referral_withdrawn",
            object_type="inspection_referral",
            object_id=open_referral.id,
            after={"version": number},
        )


# ---- reading -----------------------------------------------------------------------------


def place_of(session: Session, inspection: Inspection) -> tuple[str, Permit | None]:
    permit = session.get(Permit, inspection.permit_id) if inspection.permit_id else None
    address = addresses_service.one_line(session=session, address_id=inspection.address_id)
    if permit is not None:
        label = f"{permit.working_name} ({permit.number})"
        return (f"{label}, {address}" if address else label), permit
    return address or "", None


def address_label(*, session: Session, address_id: uuid.UUID) -> str | None:
    return addresses_service.one_line(session=session, address_id=address_id)


def versions_of(*, session: Session, inspection_id: uuid.UUID) -> list[InspectionVersion]:
    return list(
        session.exec(
            select(InspectionVersion)
            .where(InspectionVersion.inspection_id == inspection_id)
            .order_by(col(InspectionVersion.number))
        ).all()
    )


def _emails(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    return dict(session.exec(select(User.id, User.email).where(col(User.id).in_(ids))).all())


def inspector_ids(*, session: Session, inspection_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        session.exec(
            select(InspectionInspector.user_id).where(
                InspectionInspector.inspection_id == inspection_id
            )
        ).all()
    )


def public(*, session: Session, inspection: Inspection) -> InspectionPublic:
    place, permit = place_of(session, inspection)
    versions = versions_of(session=session, inspection_id=inspection.id)
    going = inspector_ids(session=session, inspection_id=inspection.id)
    emails = _emails(session, [*going, *(v.recorded_by_id for v in versions)])
    shown = {p.id: p for p in photos_of(session=session, inspection_id=inspection.id)}
    return InspectionPublic(
        id=inspection.id,
        place_kind=inspection.place_kind,
        place=place,
        permit_number=permit.number if permit else None,
        working_name=permit.working_name if permit else None,
        address_id=inspection.address_id,
        planned_for=inspection.planned_for,
        status=inspection.status,
        inspectors=sorted(emails.get(i, "") for i in going),
        outcome=inspection.outcome,
        visited_at=inspection.visited_at,
        follow_up_on=inspection.follow_up_on,
        versions=[_version_out(inspection, v, emails, shown) for v in versions],
        version=inspection.version,
    )


def _version_out(
    inspection: Inspection,
    version: InspectionVersion,
    emails: dict[uuid.UUID, str],
    shown: dict[uuid.UUID, InspectionPhoto],
) -> VersionOut:
    content = version.content
    photo_rows = [
        shown[uuid.UUID(p)] for p in content.get("photo_ids", []) if uuid.UUID(p) in shown
    ]
    return VersionOut(
        number=version.number,
        visited_at=version.visited_at,
        outcome=version.outcome,
        people_met=[PersonMet.model_validate(p) for p in content.get("people_met", [])],
        checklist=[ChecklistOut.model_validate(c) for c in content.get("checklist", [])],
        findings=content.get("findings"),
        reinspect_on=version.follow_up_on,
        warning_letter=version.warning_letter,
        refer_to_clerk=version.refer_to_clerk,
        photos=[
            PhotoOut(
                id=p.id,
                media_type=p.media_type,
                width=p.width,
                height=p.height,
                url=f"/api/v1/inspections/{inspection.id}/photos/{p.id}",
            )
            for p in photo_rows
        ],
        reason=content.get("reason"),
        recorded_by=emails.get(version.recorded_by_id, ""),
        recorded_at=version.created_at,
        report_url=f"/api/v1/inspections/{inspection.id}/report.pdf?version={version.number}",
    )


def _summaries(session: Session, rows: list[Inspection]) -> list[InspectionSummary]:
    return [
        InspectionSummary(
            id=i.id,
            place=place_of(session, i)[0],
            planned_for=i.planned_for,
            status=i.status,
            outcome=i.outcome,
        )
        for i in rows
    ]


def require_reader(actor: User) -> None:
    if not can(actor, Action.inspection_read_any):
        raise Forbidden("Only inspectors and clerks read visits.")


def planned_for(*, session: Session, user: User, limit: int = 50) -> list[InspectionSummary]:
    """The visits this inspector goes on that are still to be recorded, soonest first."""
    require_reader(user)
    rows = session.exec(
        select(Inspection)
        .join(InspectionInspector, col(InspectionInspector.inspection_id) == Inspection.id)
        .where(
            InspectionInspector.user_id == user.id, Inspection.status == InspectionStatus.planned
        )
        .order_by(col(Inspection.planned_for), col(Inspection.id))
        .limit(limit)
    ).all()
    return _summaries(session, list(rows))


def list_(
    *,
    session: Session,
    actor: User,
    status: InspectionStatus | None = None,
    cursor: str | None = None,
    limit: int = 25,
) -> tuple[list[InspectionSummary], str | None]:
    """Visits, newest first (keyset pages)."""
    require_reader(actor)
    query = select(Inspection)
    if status is not None:
        query = query.where(Inspection.status == status)
    if cursor:
        query = query.where(
            tuple_(Inspection.created_at, Inspection.id) < read_keyset_cursor(cursor)
        )
    rows = list(
        session.exec(
            query.order_by(col(Inspection.created_at).desc(), col(Inspection.id).desc()).limit(
                limit + 1
            )
        ).all()
    )
    last = rows[limit - 1] if len(rows) > limit else None
    next_cursor = keyset_cursor(last.created_at, last.id) if last else None
    return _summaries(session, rows[:limit]), next_cursor


def at_address(*, session: Session, address_id: uuid.UUID) -> list[InspectionSummary]:
    rows = session.exec(
        select(Inspection)
        .where(Inspection.address_id == address_id)
        .order_by(col(Inspection.planned_for).desc())
        .limit(100)
    ).all()
    return _summaries(session, list(rows))


def of_permit(*, session: Session, permit_id: uuid.UUID) -> list[InspectionSummary]:
    rows = session.exec(
        select(Inspection)
        .where(Inspection.permit_id == permit_id)
        .order_by(col(Inspection.planned_for).desc())
        .limit(100)
    ).all()
    return _summaries(session, list(rows))


# ---- the due list ------------------------------------------------------------------------

# A planned visit this many days past its day no longer stands for a visit on its way.
STALE_PLAN_DAYS = 30


def _planned_at(session: Session, inspection: Inspection, *, since: date) -> bool:
    return (
        session.exec(
            select(Inspection.id).where(
                _same_place(inspection),
                Inspection.status == InspectionStatus.planned,
                col(Inspection.planned_for) >= since,
            )
        ).first()
        is not None
    )


def due(
    *, session: Session, actor: User, policy: Policy, on: date, limit: int = 25
) -> dict[str, list[DueItem]]:
    """What needs a visit: follow-ups whose date has come; business permits never visited
    or not within the policy's interval; addresses with recent substantiated nuisance.
    Places with a visit planned are left out."""
    require_reader(actor)
    rules = policy.inspection
    stale_before = on - timedelta(days=STALE_PLAN_DAYS)
    follow_ups = session.exec(
        select(Inspection)
        .where(
            col(Inspection.follow_up_done).is_(False),
            col(Inspection.follow_up_on).is_not(None),
            col(Inspection.follow_up_on) <= on,
            Inspection.status == InspectionStatus.recorded,
        )
        .order_by(col(Inspection.follow_up_on), col(Inspection.id))
        .limit(limit)
    ).all()
    due_follow_ups = []
    for inspection in follow_ups:
        if _planned_at(session, inspection, since=stale_before):
            continue
        place, permit = place_of(session, inspection)
        due_follow_ups.append(
            DueItem(
                reason="follow_up",
                place=place,
                permit_number=permit.number if permit else None,
                address_id=None if permit else inspection.address_id,
                since=inspection.follow_up_on,
            )
        )
    zone = ZoneInfo(get_settings().timezone)
    cutoff = datetime.combine(add_months(on, -rules.interval_months), time(), tzinfo=zone)
    # Per business permit (few, by the type index): its last visit and whether one is
    # planned, each answered by an index on the permit's visits.
    last_visit = (
        select(func.max(Inspection.visited_at))
        .where(
            col(Inspection.permit_id) == col(Permit.id),
            Inspection.status == InspectionStatus.recorded,
        )
        .correlate(Permit)
        .scalar_subquery()
    )
    planned = (
        exists_where()
        .where(
            col(Inspection.permit_id) == col(Permit.id),
            col(Inspection.status) == InspectionStatus.planned,
            col(Inspection.planned_for) >= stale_before,
        )
        .correlate(Permit)
    )
    businesses: list[DueItem] = []
    if rules.permit_types:
        rows = session.exec(
            select(Permit, last_visit)
            .where(
                col(Permit.permit_type).in_(rules.permit_types),
                Permit.status != PermitStatus.revoked,
                Permit.valid_until >= on,
                ~planned,
                or_(last_visit.is_(None), last_visit < cutoff),
            )
            .order_by(last_visit.asc().nulls_first(), col(Permit.number))
            .limit(limit)
        ).all()
        for permit, last in rows:
            address = addresses_service.one_line(session=session, address_id=permit.address_id)
            label = f"{permit.working_name} ({permit.number})"
            businesses.append(
                DueItem(
                    reason="interval_passed" if last else "never_inspected",
                    place=f"{label}, {address}" if address else label,
                    permit_number=permit.number,
                    since=last.astimezone(zone).date() if last else None,
                )
            )
    since = on - timedelta(days=rules.recent_nuisance_days)
    recent = nuisance_service.recently_substantiated(session=session, since=since)
    visited: dict[uuid.UUID, tuple[date | None, bool]] = {}
    if recent:
        for address_id, status, visited_at, planned_day in session.exec(
            select(
                col(Inspection.address_id),
                col(Inspection.status),
                col(Inspection.visited_at),
                col(Inspection.planned_for),
            ).where(
                col(Inspection.address_id).in_([a for a, _ in recent]),
                Inspection.status != InspectionStatus.cancelled,
            )
        ).all():
            if address_id is None:
                continue
            seen, has_plan = visited.get(address_id, (None, False))
            if status is InspectionStatus.planned and planned_day >= stale_before:
                has_plan = True
            elif visited_at is not None:
                day = visited_at.astimezone(zone).date()
                seen = max(seen, day) if seen else day
            visited[address_id] = (seen, has_plan)
    nuisance: list[DueItem] = []
    for address_id, latest in recent:
        seen, has_plan = visited.get(address_id, (None, False))
        if has_plan or (seen is not None and seen >= latest):
            continue
        nuisance.append(
            DueItem(
                reason="nuisance",
                place=addresses_service.one_line(session=session, address_id=address_id) or "",
                address_id=address_id,
                since=latest,
            )
        )
        if len(nuisance) >= limit:
            break
    return {"follow_ups": due_follow_ups, "businesses": businesses, "nuisance": nuisance}


# ---- referrals to the clerk --------------------------------------------------------------


def _referral_out(session: Session, referral: Referral) -> ReferralOut:
    permit = session.get(Permit, referral.permit_id)
    version = session.exec(
        select(InspectionVersion).where(
            InspectionVersion.inspection_id == referral.inspection_id,
            InspectionVersion.number == referral.version_number,
        )
    ).one()
    return ReferralOut(
        id=referral.id,
        inspection_id=referral.inspection_id,
        permit_number=permit.number if permit else "",
        working_name=permit.working_name if permit else "",
        visited_at=version.visited_at,
        outcome=version.outcome,
        findings=version.content.get("findings"),
        status=referral.status,
        created_at=referral.created_at,
    )


def open_referrals(
    *, session: Session, actor: User, cursor: str | None = None, limit: int = 25
) -> tuple[list[ReferralOut], str | None]:
    """The clerk's referrals from visits, oldest first."""
    if not can(actor, Action.permit_manage):
        raise Forbidden("Only clerks handle referrals from inspections.")
    query = select(Referral).where(Referral.status == ReferralStatus.open)
    if cursor:
        query = query.where(tuple_(Referral.created_at, Referral.id) > read_keyset_cursor(cursor))
    rows = list(
        session.exec(
            query.order_by(col(Referral.created_at), col(Referral.id)).limit(limit + 1)
        ).all()
    )
    last = rows[limit - 1] if len(rows) > limit else None
    return (
        [_referral_out(session, r) for r in rows[:limit]],
        keyset_cursor(last.created_at, last.id) if last else None,
    )


def referral(*, session: Session, referral_id: uuid.UUID) -> ReferralOut:
    found = session.get(Referral, referral_id)
    if found is None:
        raise NotFound("referral")
    return _referral_out(session, found)


def referrals_of_permit(
    *, session: Session, permit_id: uuid.UUID, actor: User
) -> list[ReferralOut]:
    if not can(actor, Action.permit_manage):
        return []
    rows = session.exec(
        select(Referral)
        .where(Referral.permit_id == permit_id, Referral.status == ReferralStatus.open)
        .order_by(col(Referral.created_at))
    ).all()
    return [_referral_out(session, r) for r in rows]


def settle_referral(
    *, session: Session, referral_id: uuid.UUID, action: ReferralAction, actor: User
) -> tuple[Referral, ReferralOut]:
    """Mark an open referral handled with what the clerk did (the permit's own change is the
    caller's). Returns the referral and what the decision letter quotes."""
    if not can(actor, Action.permit_manage):
        raise NotFound("referral")
    referral = session.get(Referral, referral_id, with_for_update=True, populate_existing=True)
    if referral is None:
        raise NotFound("referral")
    if referral.status is not ReferralStatus.open:
        raise Conflict(
            "referral_settled",
            "This referral was already handled or withdrawn.",
            current_status=referral.status.value,
        )
    referral.status = ReferralStatus.handled
    referral.action = action
    referral.handled_by_id = actor.id
    referral.handled_at = utcnow()
    session.add(referral)
    audit.record(
        session,
        actor=actor,
        action="inspection.referral_handled",
        object_type="inspection_referral",
        object_id=referral.id,
        after={"action": action.value},
    )
    session.flush()
    return referral, _referral_out(session, referral)


def reference(referral: ReferralOut) -> str:
    """The visit as the permit's status reason names it (letters are in Dutch): day,
    outcome and the report's reference, never the findings (the reason is stored plain and
    in the trail; the findings stay in the encrypted report and letter)."""
    day = to_local_date(referral.visited_at).strftime("%d-%m-%Y")
    outcome = {"violation": "overtreding", "warning": "waarschuwing", "compliant": "in orde"}[
        referral.outcome.value
    ]
    return (
        f"Inspectie op {day} ({outcome}), controlerapport kenmerk "
        f"{str(referral.inspection_id)[:8].upper()}."
    )


def quote(referral: ReferralOut) -> str:
    """The visit's findings as the decision letter quotes them."""
    return f"Bij de inspectie is vastgesteld: {referral.findings or '-'}"


# ---- retention ---------------------------------------------------------------------------


def due_for_erasure(*, session: Session, before: datetime) -> list[uuid.UUID]:
    """Visits recorded (last visited), cancelled or planned (and never recorded) before
    `before`."""
    return list(
        session.exec(
            select(Inspection.id).where(
                or_(
                    and_(
                        col(Inspection.status) == InspectionStatus.recorded,
                        col(Inspection.visited_at) < before,
                    ),
                    and_(
                        col(Inspection.status) == InspectionStatus.cancelled,
                        col(Inspection.updated_at) < before,
                    ),
                    and_(
                        col(Inspection.status) == InspectionStatus.planned,
                        col(Inspection.planned_for) < to_local_date(before),
                    ),
                )
            )
        ).all()
    )


def erase(*, session: Session, inspection_ids: list[uuid.UUID]) -> set[str]:
    """Delete visits with their versions, photos, inspectors and referrals; each erasure
    audited without its content. Returns the photo keys to delete after the commit."""
    keys: set[str] = set()
    for inspection_id in inspection_ids:
        children: list[Any] = [
            *session.exec(
                select(InspectionVersion).where(InspectionVersion.inspection_id == inspection_id)
            ),
            *session.exec(
                select(InspectionPhoto).where(InspectionPhoto.inspection_id == inspection_id)
            ),
            *session.exec(select(Referral).where(Referral.inspection_id == inspection_id)),
            *session.exec(
                select(InspectionInspector).where(
                    InspectionInspector.inspection_id == inspection_id
                )
            ),
        ]
        photo_count = 0
        for child in children:
            if isinstance(child, InspectionPhoto):
                keys.add(child.sha256)
                photo_count += 1
            session.delete(child)
        session.flush()
        inspection = session.get(Inspection, inspection_id)
        if inspection is not None:
            session.delete(inspection)
        audit.record(
            session,
            actor=None,
            action="inspection.erase",
            object_type="inspection",
            object_id=inspection_id,
            after={"reason": "retention schedule", "photos": photo_count},
        )
    session.flush()
    return keys


def delete_unused_photos(session: Session, keys: set[str]) -> int:
    """Delete stored photos no row points at any more (after the commit that removed them)."""
    deleted = 0
    for key in keys:
        if (
            session.exec(select(InspectionPhoto.id).where(InspectionPhoto.sha256 == key)).first()
            is None
        ):
            get_store(PHOTO_AREA).delete(key)
            deleted += 1
    return deleted
