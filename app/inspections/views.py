"""Pages for inspection visits: plan one, the visit's page (versions, reports, photos),
and the recording page built for a phone (a draft is kept on every save, so a lost
connection loses nothing; signs of human trafficking go into a separate signal, never into
the draft or the visit). Clerks handle referrals from visits on the permit's page."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from app.auth import service as auth_service
from app.auth.deps import require_page
from app.auth.models import Role, User
from app.auth.permissions import Action, can
from app.config import get_settings
from app.db import local_today
from app.deps import SessionDep
from app.documents import service as documents_service
from app.errors import AppError, Forbidden, NotFound
from app.flows import inspections as inspections_flow
from app.i18n import current_locale
from app.i18n import gettext as _
from app.inspections import documents as inspection_documents
from app.inspections import service
from app.inspections.models import (
    Answer,
    CancelIn,
    ChecklistAnswer,
    InspectionPlan,
    InspectionStatus,
    Outcome,
    OutcomeIn,
    PersonMet,
    PersonRole,
)
from app.policy import service as policy_service
from app.signals import service as signals_service
from app.signals.models import SignalCreate
from app.web import FormDep, file_response, redirect, render, verify_csrf
from app.web_errors import user_message

router = APIRouter(include_in_schema=False)
Csrf = Depends(verify_csrf)
Reader = Annotated[User, Depends(require_page(Action.inspection_read_any))]
Planner = Annotated[User, Depends(require_page(Action.inspection_plan))]
Recorder = Annotated[User, Depends(require_page(Action.inspection_record))]

PEOPLE_ROWS = 4


def text_rule() -> str:
    return _(
        "Check the text: no invisible control characters, at most 8000 characters for the "
        "findings and 2000 for a note or reason."
    )


# Where a service error is shown on the recording form.
ERROR_FIELDS = {
    "checklist_incomplete": "checklist",
    "checklist_twice": "checklist",
    "findings_required": "findings",
    "visited_at_invalid": "visited_on",
    "reinspect_date_invalid": "reinspect_on",
    "needs_permit": "follow_up",
    "unknown_photo": "photo",
    "unknown_permit_number": "people",
    "correction_reason_required": "reason",
    "unknown_indicator": "indicators",
    "image_too_large": "photo",
    "image_type": "photo",
    "unreadable_image": "photo",
    "too_many_photos": "photo",
}


def _labels(items: Any) -> list[dict[str, str]]:
    nl = current_locale.get() == "nl"
    return [{"key": i.key, "label": i.label_nl if nl else i.label_en} for i in items]


def _message(exc: AppError) -> str:
    values: dict[str, Any] = {}
    if "permit_number" in exc.details:
        values["permit_number"] = exc.details["permit_number"]
    if "max_bytes" in exc.details:
        values["mb"] = exc.details["max_bytes"] // (1024 * 1024)
    return user_message(exc.code, exc.message, **values)


# ---- planning ----------------------------------------------------------------------------


def _plan_context(session: SessionDep) -> dict[str, Any]:
    return {
        "inspectors": auth_service.active_with_role(session=session, role=Role.inspector),
        "today": local_today().isoformat(),
    }


@router.get("/inspections/new")
def plan_page(
    request: Request,
    session: SessionDep,
    user: Planner,
    permit: str | None = None,
    address: uuid.UUID | None = None,
) -> Response:
    values: dict[str, Any] = {"planned_for": local_today().isoformat()}
    if permit:
        values.update(place="permit", permit_number=permit[:20])
    elif address:
        values.update(place="address_id", address_id=str(address))
        values["address_label"] = service.address_label(session=session, address_id=address)
    return render(
        request,
        "inspections/plan.html",
        {**_plan_context(session), "values": values, "chosen": [str(user.id)]},
    )


@router.post("/inspections/new", dependencies=[Csrf])
def plan(request: Request, session: SessionDep, user: Planner, form: FormDep) -> Response:
    values = {
        k: str(form.get(k) or "").strip()[:200]
        for k in ("place", "permit_number", "address_id", "postcode", "house_number", "planned_for")
    }
    chosen = [str(v) for v in form.getlist("inspector_ids")][:10]
    place = values["place"]
    errors: dict[str, str] = {}
    try:
        data = InspectionPlan.model_validate(
            {
                "permit_number": values["permit_number"] or None if place == "permit" else None,
                "address_id": values["address_id"] or None if place == "address_id" else None,
                "postcode": values["postcode"] or None if place == "address" else None,
                "house_number": values["house_number"] or None if place == "address" else None,
                "planned_for": values["planned_for"] or None,
                "inspector_ids": chosen,
            }
        )
        with session.begin_nested():
            inspection = service.plan(session=session, data=data, actor=user)
    except ValidationError as exc:
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "form"
            errors[field] = {
                "planned_for": _("Give the day of the visit."),
                "postcode": _("Give a Dutch postcode, like 5038 AB."),
                "house_number": _("Give a house number, like 12, 12A or 12-3."),
                "inspector_ids": _("Tick at least one inspector who goes on the visit."),
            }.get(field, _("Check the place of the visit."))
    except (Forbidden, NotFound):
        raise
    except AppError as exc:
        field = {
            "date_in_past": "planned_for",
            "date_too_far": "planned_for",
            "inspectors_required": "inspector_ids",
            "not_an_inspector": "inspector_ids",
        }.get(exc.code, "place")
        errors[field] = _message(exc)
    if errors:
        return render(
            request,
            "inspections/plan.html",
            {**_plan_context(session), "values": values, "chosen": chosen, "errors": errors},
            status_code=422,
        )
    return redirect(f"/inspections/{inspection.id}?planned=1")


# ---- the visit's page --------------------------------------------------------------------


def _inspection_context(
    session: SessionDep, inspection_id: uuid.UUID, user: User
) -> dict[str, Any]:
    inspection = service.get_for(session=session, inspection_id=inspection_id, actor=user)
    return {
        "inspection": service.public(session=session, inspection=inspection),
        "letters": [
            d
            for d in inspection_documents.warning_letters(session=session, inspection=inspection)
            if documents_service.can_read(user, d)
        ],
        # Only the care coordinator and the signal's author are told; nobody else.
        "signal_made": signals_service.made_during(
            session=session, inspection_id=inspection.id, actor=user
        ),
        "can_record": can(user, Action.inspection_record),
        "can_read_permits": can(user, Action.permit_read_any),
        "can_plan": can(user, Action.inspection_plan),
    }


@router.get("/inspections/{inspection_id}")
def inspection_page(
    inspection_id: uuid.UUID, request: Request, session: SessionDep, user: Reader
) -> Response:
    return render(
        request, "inspections/inspection.html", _inspection_context(session, inspection_id, user)
    )


@router.post("/inspections/{inspection_id}/cancel", dependencies=[Csrf])
def cancel(
    inspection_id: uuid.UUID, request: Request, session: SessionDep, user: Planner, form: FormDep
) -> Response:
    error = None
    try:
        data = CancelIn(reason=str(form.get("reason") or "").strip())
    except ValidationError:
        error = _("Say why the visit is cancelled (3 to 2000 characters).")
    else:
        try:
            with session.begin_nested():
                service.cancel(
                    session=session, inspection_id=inspection_id, reason=data.reason, actor=user
                )
        except (Forbidden, NotFound):
            raise
        except AppError as exc:
            error = _message(exc)
    if error is None:
        return redirect(f"/inspections/{inspection_id}")
    return render(
        request,
        "inspections/inspection.html",
        {**_inspection_context(session, inspection_id, user), "errors": {"reason": error}},
        status_code=422,
    )


@router.get("/inspections/{inspection_id}/photos/{photo_id}")
def photo(
    inspection_id: uuid.UUID, photo_id: uuid.UUID, session: SessionDep, user: Reader
) -> Response:
    row, content = service.photo_content(
        session=session, inspection_id=inspection_id, photo_id=photo_id, actor=user
    )
    return file_response(content, media_type=row.media_type, filename=f"photo-{row.id.hex[:8]}")


@router.get("/inspections/{inspection_id}/report.pdf")
def report(
    inspection_id: uuid.UUID,
    session: SessionDep,
    user: Reader,
    version: int | None = None,
    lang: str | None = None,
) -> Response:
    inspection = service.get_for(session=session, inspection_id=inspection_id, actor=user)
    document = inspection_documents.report(
        session=session,
        inspection=inspection,
        number=version if version and version > 0 else None,
        language=lang,
    )
    _doc, content = documents_service.read(session=session, document_id=document.id, actor=user)
    return file_response(
        content, media_type="application/pdf", filename=documents_service.filename(document)
    )


# ---- recording ---------------------------------------------------------------------------


SIGNAL_FIELDS = ("indicators", "signal_note")


def draft_of(form: FormData) -> dict[str, Any]:
    """The recording form's own fields (never the signal's, the file or the token)."""
    draft: dict[str, Any] = {}
    for key in form:
        if key in SIGNAL_FIELDS or key in ("csrf_token", "photo", "action"):
            continue
        if key == "photo_ids":
            draft[key] = [str(v)[:36] for v in form.getlist(key)][: service.MAX_PHOTOS]
        else:
            draft[key] = str(form.get(key) or "")
    return draft


def _visited_at(values: dict[str, Any]) -> datetime:
    day = date.fromisoformat(values.get("visited_on", ""))
    clock = time.fromisoformat(values.get("visited_time", ""))
    return datetime.combine(day, clock, tzinfo=ZoneInfo(get_settings().timezone))


def outcome_of(
    values: dict[str, Any], policy_keys: list[str]
) -> tuple[OutcomeIn | None, dict[str, str]]:
    """The form as an outcome, or the errors next to the fields they belong to."""
    errors: dict[str, str] = {}
    try:
        visited = _visited_at(values)
    except ValueError:
        visited = None
        errors["visited_on"] = _("Give the day and time of the visit.")
    checklist = []
    for key in policy_keys:
        answer = values.get(f"answer_{key}", "")
        if answer not in set(Answer):
            errors[f"answer_{key}"] = _("Choose yes, no or not applicable.")
            continue
        try:
            checklist.append(
                ChecklistAnswer(
                    key=key, answer=Answer(answer), note=values.get(f"note_{key}") or None
                )
            )
        except ValidationError:
            errors[f"answer_{key}"] = text_rule()
    people = []
    for i in range(PEOPLE_ROWS):
        role = values.get(f"person_role_{i}", "")
        number = values.get(f"person_permit_{i}", "").strip()
        if not role and not number:
            continue
        if role not in set(PersonRole):
            errors["people"] = _("Choose the role of each person you record.")
            continue
        try:
            people.append(PersonMet(role=PersonRole(role), permit_number=number or None))
        except ValidationError:
            errors["people"] = _("A permit number looks like SW-XXXX-XXXX-XXXX.")
    outcome = values.get("outcome", "")
    if outcome not in set(Outcome):
        errors["outcome"] = _("Choose the outcome of the visit.")
    reinspect: date | None = None
    if values.get("reinspect_on"):
        try:
            reinspect = date.fromisoformat(values["reinspect_on"])
        except ValueError:
            errors["reinspect_on"] = _("Give the re-inspection date as a date.")
    version = values.get("version", "")
    if errors or visited is None:
        return None, errors
    try:
        return (
            OutcomeIn(
                visited_at=visited,
                people_met=people,
                checklist=checklist,
                outcome=Outcome(outcome),
                findings=values.get("findings") or None,
                reinspect_on=reinspect,
                warning_letter=values.get("warning_letter") == "1",
                refer_to_clerk=values.get("refer_to_clerk") == "1",
                photo_ids=values.get("photo_ids", []),
                reason=values.get("reason") or None,
                version=int(version) if re.fullmatch(r"[0-9]{1,9}", version) else None,
            ),
            {},
        )
    except ValidationError as exc:
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "form"
            if field == "photo_ids":
                errors["photo"] = _("A photo does not belong to this visit. Reload the page.")
            else:
                errors[field if field in ("findings", "reason") else "form"] = text_rule()
        return None, errors


def _record_context(
    session: SessionDep, inspection_id: uuid.UUID, user: User, values: dict[str, Any] | None
) -> dict[str, Any]:
    inspection = service.get_for(session=session, inspection_id=inspection_id, actor=user)
    if inspection.status is InspectionStatus.cancelled:
        raise NotFound("inspection", message="This visit was cancelled.")
    policy = policy_service.load_configured().policy
    public = service.public(session=session, inspection=inspection)
    if values is None:
        values = dict(inspection.draft) if inspection.draft else {}
        if not values and public.versions:  # a correction starts from the latest version
            latest = public.versions[-1]
            values = {
                "visited_on": latest.visited_at.astimezone(ZoneInfo(get_settings().timezone))
                .date()
                .isoformat(),
                "visited_time": latest.visited_at.astimezone(
                    ZoneInfo(get_settings().timezone)
                ).strftime("%H:%M"),
                "outcome": latest.outcome.value,
                "findings": latest.findings or "",
                "reinspect_on": latest.reinspect_on.isoformat() if latest.reinspect_on else "",
                "warning_letter": "1" if latest.warning_letter else "",
                "refer_to_clerk": "1" if latest.refer_to_clerk else "",
                "photo_ids": [str(p.id) for p in latest.photos],
                **{f"answer_{c.key}": c.answer.value for c in latest.checklist},
                **{f"note_{c.key}": c.note or "" for c in latest.checklist},
                **{f"person_role_{i}": p.role.value for i, p in enumerate(latest.people_met)},
                **{
                    f"person_permit_{i}": p.permit_number or ""
                    for i, p in enumerate(latest.people_met)
                },
            }
        values.setdefault("visited_on", local_today().isoformat())
        values.setdefault(
            "visited_time", datetime.now(ZoneInfo(get_settings().timezone)).strftime("%H:%M")
        )
    # The version the form was opened on (kept in the draft and the posted form), so a
    # colleague's correction in between is a 409, never silently overwritten.
    values.setdefault("version", str(inspection.version))
    if not isinstance(values.get("photo_ids", []), list):
        values["photo_ids"] = []
    return {
        "inspection": public,
        "checklist": _labels(policy.inspection_checklist),
        "indicators": _labels(policy.trafficking_indicators),
        "photos": service.photos_of(session=session, inspection_id=inspection.id),
        "values": values,
        "people_rows": range(PEOPLE_ROWS),
        "roles": list(PersonRole),
        "correcting": inspection.status is InspectionStatus.recorded,
        "draft_saved_at": inspection.draft_saved_at,
        "max_mb": get_settings().max_upload_bytes // (1024 * 1024),
        "can_refer": inspection.permit_id is not None,
    }


@router.get("/inspections/{inspection_id}/record")
def record_page(
    inspection_id: uuid.UUID, request: Request, session: SessionDep, user: Recorder
) -> Response:
    return render(
        request, "inspections/record.html", _record_context(session, inspection_id, user, None)
    )


@router.post("/inspections/{inspection_id}/draft", dependencies=[Csrf])
def autosave(
    inspection_id: uuid.UUID, session: SessionDep, user: Recorder, form: FormDep
) -> Response:
    """The recording page saves its draft in the background as the inspector types."""
    service.save_draft(
        session=session, inspection_id=inspection_id, draft=draft_of(form), actor=user
    )
    return Response(status_code=204)


@router.post("/inspections/{inspection_id}/record", dependencies=[Csrf])
def record(
    inspection_id: uuid.UUID, request: Request, session: SessionDep, user: Recorder, form: FormDep
) -> Response:
    values = draft_of(form)
    values.setdefault("photo_ids", [])
    errors: dict[str, str] = {}
    upload = form.get("photo")
    if isinstance(upload, UploadFile) and upload.filename:
        limit = get_settings().max_upload_bytes
        content = upload.file.read(limit + 1)
        try:
            with session.begin_nested():
                added = service.add_photo(
                    session=session, inspection_id=inspection_id, content=content, actor=user
                )
            values["photo_ids"].append(str(added.id))
        except (Forbidden, NotFound):
            raise
        except AppError as exc:
            errors["photo"] = _message(exc)
    # Whatever happens next, what was typed is kept (when it can be: a draft with control
    # characters or too large is not, and the form says so).
    try:
        with session.begin_nested():
            service.save_draft(
                session=session, inspection_id=inspection_id, draft=values, actor=user
            )
    except (Forbidden, NotFound):
        raise
    except AppError as exc:
        errors["form"] = _message(exc)
    chosen = [str(v) for v in form.getlist("indicators")]
    signal_note = str(form.get("signal_note") or "")
    if str(form.get("action")) == "record" and not errors:
        policy = policy_service.load_configured().policy
        outcome, errors = outcome_of(values, [i.key for i in policy.inspection_checklist])
        signal = None
        if outcome is not None and (chosen or signal_note.strip()):
            try:
                signal = SignalCreate(indicators=chosen, note=signal_note or None)
            except ValidationError:
                errors["indicators"] = _(
                    "Tick at least one sign you saw, or clear the note; a note has at most "
                    "4000 characters."
                )
        if outcome is not None and not errors:
            try:
                inspections_flow.record(
                    session=session,
                    inspection_id=inspection_id,
                    data=outcome,
                    actor=user,
                    signal=signal,
                )
                return redirect(f"/inspections/{inspection_id}?recorded=1")
            except (Forbidden, NotFound):
                raise
            except AppError as exc:
                errors[ERROR_FIELDS.get(exc.code, "form")] = _message(exc)
        status = 422
    else:
        status = 422 if errors else 200
    context = _record_context(session, inspection_id, user, values)
    return render(
        request,
        "inspections/record.html",
        {
            **context,
            "errors": errors,
            "chosen": chosen,
            "signal_note": signal_note,
            "saved": not errors,
        },
        status_code=status,
    )
