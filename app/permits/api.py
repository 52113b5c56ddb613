"""JSON routes for permits: read, suspend, reinstate, revoke, renew."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.deps import CurrentUser
from app.auth.models import User
from app.deps import SessionDep
from app.errors import BadRequest
from app.flows import permits as permits_flow
from app.permits import service, verification
from app.permits.models import PermitAction, PermitPublic
from app.web import file_response, limit_per_client

router = APIRouter(prefix="/api/v1/permits", tags=["permits"])
public_router = APIRouter(prefix="/api/v1/public", tags=["public"])


@router.get("/{number}", response_model=PermitPublic)
def read(number: str, session: SessionDep, user: CurrentUser) -> PermitPublic:
    """A permit: its holder's own, or any for staff (audited)."""
    return service.public(service.get_for(session=session, number=number, actor=user))


@router.post("/{number}/suspend", response_model=PermitPublic)
def suspend(
    number: str, data: PermitAction, session: SessionDep, user: CurrentUser
) -> PermitPublic:
    return _change(session, number, user, "suspend", data.reason)


@router.post("/{number}/reinstate", response_model=PermitPublic)
def reinstate(
    number: str, data: PermitAction, session: SessionDep, user: CurrentUser
) -> PermitPublic:
    """Lift a suspension."""
    return _change(session, number, user, "reinstate", data.reason)


@router.post("/{number}/revoke", response_model=PermitPublic)
def revoke(number: str, data: PermitAction, session: SessionDep, user: CurrentUser) -> PermitPublic:
    return _change(session, number, user, "revoke", data.reason)


def _change(session: SessionDep, number: str, user: User, action: str, reason: str) -> PermitPublic:
    return service.public(
        permits_flow.change_status(
            session=session, number=number, actor=user, action=action, reason=reason
        )
    )


@router.get("/{number}/pdf")
def pdf(number: str, session: SessionDep, user: CurrentUser) -> Response:
    """The permit as PDF/A-3b (signed when configured), made once per permit version."""
    permit, content = service.download_pdf(session=session, number=number, actor=user)
    return file_response(content, media_type="application/pdf", filename=f"{permit.number}.pdf")


@public_router.get("/permits/{number}", response_model=verification.Verification)
def verify(number: str, request: Request, session: SessionDep) -> verification.Verification:
    """Public check of a permit number: status, type, working name and dates only.
    Rate-limited per client; a malformed number is refused before any look-up."""
    limit_per_client(request, request.app.state.verify_throttle, "verify")
    try:
        return verification.verify(session=session, number=number)
    except verification.MalformedNumber as exc:
        raise BadRequest(
            "malformed_number",
            "This is not a valid permit number. Check it for typing errors.",
        ) from exc
