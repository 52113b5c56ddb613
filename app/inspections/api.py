"""JSON routes for inspection visits and the clerk's referrals from them."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from app.auth.deps import CurrentUser
from app.config import get_settings
from app.db import local_today
from app.deps import SessionDep
from app.documents import service as documents_service
from app.errors import TooLarge
from app.flows import inspections as inspections_flow
from app.inspections import documents as inspection_documents
from app.inspections import service
from app.inspections.models import (
    CancelIn,
    DueItem,
    InspectionPlan,
    InspectionPublic,
    InspectionStatus,
    InspectionSummary,
    OutcomeIn,
    PhotoOut,
    ReferralDecisionIn,
    ReferralOut,
)
from app.policy import service as policy_service
from app.signals.models import SignalCreate
from app.web import file_response

router = APIRouter(prefix="/api/v1/inspections", tags=["inspections"])
referrals_router = APIRouter(prefix="/api/v1/referrals", tags=["inspections"])


class InspectionPage(BaseModel):
    items: list[InspectionSummary]
    next_cursor: str | None


class DueList(BaseModel):
    follow_ups: list[DueItem]
    businesses: list[DueItem]
    nuisance: list[DueItem]


class RecordIn(OutcomeIn):
    signal: SignalCreate | None = None
    """Signs of human trafficking seen on the visit: a separate signal for the care
    coordinator, never part of the visit."""


class Recorded(BaseModel):
    inspection: InspectionPublic
    signal_made: bool


class ReferralPage(BaseModel):
    items: list[ReferralOut]
    next_cursor: str | None


class DraftIn(BaseModel):
    draft: dict[str, Any]


@router.post("", response_model=InspectionPublic, status_code=201)
def plan(data: InspectionPlan, session: SessionDep, user: CurrentUser) -> InspectionPublic:
    """Inspector or clerk: plan a visit to a business (`permit_number`) or an address
    (`address_id`, or `postcode` and `house_number`), on `planned_for`, with the inspectors
    going (default: you)."""
    inspection = service.plan(session=session, data=data, actor=user)
    return service.public(session=session, inspection=inspection)


@router.get("", response_model=InspectionPage)
def list_inspections(
    session: SessionDep,
    user: CurrentUser,
    status: InspectionStatus | None = None,
    cursor: str | None = None,
    limit: int = 25,
) -> InspectionPage:
    items, next_cursor = service.list_(
        session=session, actor=user, status=status, cursor=cursor, limit=min(max(limit, 1), 100)
    )
    return InspectionPage(items=items, next_cursor=next_cursor)


@router.get("/mine", response_model=list[InspectionSummary])
def mine(session: SessionDep, user: CurrentUser) -> list[InspectionSummary]:
    """The visits you go on that are still to be recorded, soonest first."""
    return service.planned_for(session=session, user=user)


@router.get("/due", response_model=DueList)
def due(session: SessionDep, user: CurrentUser) -> DueList:
    """Places due for a visit: follow-ups whose date has come, business permits not
    inspected within the policy's interval, addresses with recent substantiated nuisance."""
    lists = service.due(
        session=session,
        actor=user,
        policy=policy_service.load_configured().policy,
        on=local_today(),
    )
    return DueList(**lists)


@router.get("/{inspection_id}", response_model=InspectionPublic)
def read(inspection_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> InspectionPublic:
    inspection = service.get_for(session=session, inspection_id=inspection_id, actor=user)
    return service.public(session=session, inspection=inspection)


@router.post("/{inspection_id}/outcome", response_model=Recorded)
def record(
    inspection_id: uuid.UUID, data: RecordIn, session: SessionDep, user: CurrentUser
) -> Recorded:
    """Record the visit, or correct it (a new version: give `reason` and the `version` you
    corrected). Checklist: every item of the policy in force, `yes`/`no`/`not_applicable`.
    A `signal` becomes a separate record that only the care coordinator reads."""
    outcome = OutcomeIn.model_validate(data.model_dump(exclude={"signal"}))
    inspection, signal = inspections_flow.record(
        session=session, inspection_id=inspection_id, data=outcome, actor=user, signal=data.signal
    )
    return Recorded(
        inspection=service.public(session=session, inspection=inspection),
        signal_made=signal is not None,
    )


@router.post("/{inspection_id}/draft", status_code=204)
def save_draft(
    inspection_id: uuid.UUID, data: DraftIn, session: SessionDep, user: CurrentUser
) -> Response:
    """Keep the recording form as typed so far (never a signal)."""
    service.save_draft(session=session, inspection_id=inspection_id, draft=data.draft, actor=user)
    return Response(status_code=204)


@router.post("/{inspection_id}/cancel", response_model=InspectionPublic)
def cancel(
    inspection_id: uuid.UUID, data: CancelIn, session: SessionDep, user: CurrentUser
) -> InspectionPublic:
    inspection = service.cancel(
        session=session, inspection_id=inspection_id, reason=data.reason, actor=user
    )
    return service.public(session=session, inspection=inspection)


@router.post("/{inspection_id}/photos", response_model=PhotoOut, status_code=201)
def add_photo(
    inspection_id: uuid.UUID,
    file: Annotated[UploadFile, File()],
    session: SessionDep,
    user: CurrentUser,
) -> PhotoOut:
    """A JPEG or PNG (by content), at most MAX_UPLOAD_BYTES; stored without EXIF or GPS
    data. Name its id in `photo_ids` when recording."""
    limit = get_settings().max_upload_bytes
    content = file.file.read(limit + 1)  # a worker thread: reading the spooled file blocks
    if len(content) > limit:
        raise TooLarge(
            "image_too_large",
            f"A photo may be at most {limit // (1024 * 1024)} MB.",
            details={"max_bytes": limit},
        )
    photo = service.add_photo(
        session=session, inspection_id=inspection_id, content=content, actor=user
    )
    return PhotoOut(
        id=photo.id,
        media_type=photo.media_type,
        width=photo.width,
        height=photo.height,
        url=f"/api/v1/inspections/{inspection_id}/photos/{photo.id}",
    )


@router.get("/{inspection_id}/photos/{photo_id}")
def photo(
    inspection_id: uuid.UUID, photo_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> Response:
    row, content = service.photo_content(
        session=session, inspection_id=inspection_id, photo_id=photo_id, actor=user
    )
    return file_response(content, media_type=row.media_type, filename=f"photo-{row.id.hex[:8]}")


@router.get("/{inspection_id}/report.pdf")
def report(
    inspection_id: uuid.UUID,
    session: SessionDep,
    user: CurrentUser,
    version: Annotated[int | None, Query(ge=1)] = None,
    lang: Literal["nl", "en"] | None = None,
) -> Response:
    """The report of a recorded version (the latest by default); every version stays
    downloadable."""
    inspection = service.get_for(session=session, inspection_id=inspection_id, actor=user)
    document = inspection_documents.report(
        session=session, inspection=inspection, number=version, language=lang
    )
    _, content = documents_service.read(session=session, document_id=document.id, actor=user)
    return file_response(
        content, media_type="application/pdf", filename=documents_service.filename(document)
    )


@referrals_router.get("", response_model=ReferralPage)
def referrals(
    session: SessionDep, user: CurrentUser, cursor: str | None = None, limit: int = 25
) -> ReferralPage:
    """Clerk: open referrals from visits, oldest first."""
    items, next_cursor = service.open_referrals(
        session=session, actor=user, cursor=cursor, limit=min(max(limit, 1), 100)
    )
    return ReferralPage(items=items, next_cursor=next_cursor)


@referrals_router.post("/{referral_id}/decision", response_model=ReferralOut)
def decide_referral(
    referral_id: uuid.UUID, data: ReferralDecisionIn, session: SessionDep, user: CurrentUser
) -> ReferralOut:
    """Clerk: `suspend` or `revoke` the permit (the visit is quoted in the decision letter),
    or `none`; with a reason."""
    inspections_flow.handle_referral(
        session=session, referral_id=referral_id, action=data.action, reason=data.reason, actor=user
    )
    return service.referral(session=session, referral_id=referral_id)
