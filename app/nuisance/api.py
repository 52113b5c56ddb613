"""JSON routes for nuisance reports: anyone reports and looks up a status by reference;
staff list, read and assess."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from app.auth.deps import CurrentUser
from app.deps import SessionDep
from app.flows import nuisance as nuisance_flow
from app.nuisance import service
from app.nuisance.models import (
    AssessmentIn,
    NuisancePage,
    NuisanceReceipt,
    NuisanceReportCreate,
    NuisanceReportPublic,
    NuisanceStatus,
)
from app.policy import service as policy_service
from app.web import limit_per_client

router = APIRouter(prefix="/api/v1/nuisance-reports", tags=["nuisance"])
public_router = APIRouter(prefix="/api/v1/public/nuisance-reports", tags=["public"])


@router.post("", response_model=NuisanceReceipt, status_code=201)
def create(data: NuisanceReportCreate, request: Request, session: SessionDep) -> NuisanceReceipt:
    """Report nuisance at an address, without an account. The answer is a reference and
    the same whatever the address holds. Rate-limited per client."""
    limit_per_client(request, request.app.state.report_throttle, "nuisance-report")
    return service.report(
        session=session, data=data, policy=policy_service.load_configured().policy
    )


@public_router.get("/{reference}", response_model=NuisanceReceipt)
def status(reference: str, request: Request, session: SessionDep) -> NuisanceReceipt:
    """A report's status by its reference: received, assessed or closed, nothing more."""
    limit_per_client(request, request.app.state.verify_throttle, "nuisance-status")
    return service.status_of(session=session, reference=reference[:32])


@router.get("", response_model=NuisancePage)
def list_reports(
    session: SessionDep,
    user: CurrentUser,
    status: NuisanceStatus | None = None,
    cursor: str | None = None,
    limit: int = 25,
) -> NuisancePage:
    """Staff: reports, newest first (filter on `status`); pass `next_cursor` as `cursor`."""
    return service.list_(
        session=session, actor=user, status=status, cursor=cursor, limit=min(max(limit, 1), 100)
    )


@router.get("/{report_id}", response_model=NuisanceReportPublic)
def read(report_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> NuisanceReportPublic:
    """Staff: one report (audited)."""
    row = service.get_for(session=session, report_id=report_id, actor=user)
    return service.public(session=session, row=row)


@router.post("/{report_id}/assessment", response_model=NuisanceReportPublic)
def assess(
    report_id: uuid.UUID, data: AssessmentIn, session: SessionDep, user: CurrentUser
) -> NuisanceReportPublic:
    """Clerk or inspector: substantiated or not, with notes. When substantiated reports at
    the address reach the policy's threshold, home work there goes under review."""
    row = nuisance_flow.assess(session=session, report_id=report_id, data=data, actor=user)
    return service.public(session=session, row=row)
