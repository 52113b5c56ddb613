"""JSON routes for permits: read, suspend, reinstate, revoke, renew."""

from __future__ import annotations

from fastapi import APIRouter

from app.applications import decisions
from app.applications import service as applications_service
from app.applications.models import ApplicationPublic
from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.permits import service
from app.permits.models import PermitAction, PermitPublic

router = APIRouter(prefix="/api/v1/permits", tags=["permits"])


@router.get("/{number}", response_model=PermitPublic)
def read(number: str, session: SessionDep, user: CurrentUser) -> PermitPublic:
    """A permit: its holder's own, or any for staff (audited)."""
    return service.public(service.get_for(session=session, number=number, actor=user))


@router.post("/{number}/suspend", response_model=PermitPublic)
def suspend(
    number: str, data: PermitAction, session: SessionDep, user: CurrentUser
) -> PermitPublic:
    return service.public(
        service.suspend(session=session, number=number, actor=user, reason=data.reason)
    )


@router.post("/{number}/reinstate", response_model=PermitPublic)
def reinstate(
    number: str, data: PermitAction, session: SessionDep, user: CurrentUser
) -> PermitPublic:
    """Lift a suspension."""
    return service.public(
        service.reinstate(session=session, number=number, actor=user, reason=data.reason)
    )


@router.post("/{number}/revoke", response_model=PermitPublic)
def revoke(number: str, data: PermitAction, session: SessionDep, user: CurrentUser) -> PermitPublic:
    return service.public(
        service.revoke(session=session, number=number, actor=user, reason=data.reason)
    )


@router.post("/{number}/renewal", response_model=ApplicationPublic, status_code=201)
def renew(number: str, session: SessionDep, user: CurrentUser) -> ApplicationPublic:
    """Holder: start a renewal application, prefilled from the permit, within the window."""
    application = decisions.start_renewal(session=session, number=number, actor=user)
    return applications_service.to_public(session=session, application=application)
