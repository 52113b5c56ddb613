"""Pages for a permit: the holder sees it; clerks suspend, reinstate or revoke it."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.auth.deps import PageUser
from app.auth.models import User
from app.auth.permissions import Action, can
from app.db import local_today
from app.deps import SessionDep
from app.errors import AppError, Forbidden, NotFound, TooManyRequests
from app.flows import inspections as inspections_flow
from app.flows import permits as permits_flow
from app.i18n import current_locale
from app.i18n import gettext as _
from app.inspections import service as inspections_service
from app.inspections.models import ReferralAction
from app.permits import service, verification
from app.permits.models import Permit
from app.permits.states import Transition
from app.policy import service as policy_service
from app.text import is_clean
from app.web import FormDep, file_response, limit_per_client, redirect, render, verify_csrf
from app.web_errors import user_message

router = APIRouter(include_in_schema=False)
Csrf = Depends(verify_csrf)


def _context(session: SessionDep, permit: Permit, user: User) -> dict[str, object]:
    policy = policy_service.load_configured().policy
    reads_visits = can(user, Action.inspection_read_any)
    spec = policy.permit_type(permit.permit_type)
    nl = current_locale.get() == "nl"
    today = local_today()
    return {
        "permit": service.public(permit, on=today),
        "type_label": (spec.label_nl if nl else spec.label_en) if spec else "",
        "can_manage": can(user, Action.permit_manage),
        "allowed": service.allowed_actions(permit, today),
        "renewal_window_days": policy.decision.renewal_window_days,
        "inspections": inspections_service.of_permit(session=session, permit_id=permit.id)
        if reads_visits
        else [],
        "reads_visits": reads_visits,
        "can_plan": can(user, Action.inspection_plan),
        "referrals": inspections_service.referrals_of_permit(
            session=session, permit_id=permit.id, actor=user
        ),
    }


@router.get("/permits/{number}")
def permit_page(number: str, request: Request, session: SessionDep, user: PageUser) -> Response:
    permit = service.get_for(session=session, number=number, actor=user)
    return render(request, "permits/permit.html", _context(session, permit, user))


@router.post("/permits/{number}/status", dependencies=[Csrf])
def change_status(
    number: str, request: Request, session: SessionDep, user: PageUser, form: FormDep
) -> Response:
    action = str(form.get("action") or "")
    reason = str(form.get("reason") or "").strip()
    error: str | None = None
    if action not in set(Transition):
        error = _("Choose what to do with the permit.")
    elif len(reason) < 3 or not is_clean(reason):
        error = _("Give a reason: the holder reads it in the decision.")
    else:
        try:
            permits_flow.change_status(
                session=session, number=number, actor=user, action=action, reason=reason
            )
        except (Forbidden, NotFound):
            raise
        except AppError as exc:
            error = user_message(exc.code)
    if error is None:
        return redirect(f"/permits/{number}?recorded=1")
    permit = service.get_for(session=session, number=number, actor=user)
    context = _context(session, permit, user)
    return render(
        request,
        "permits/permit.html",
        {**context, "errors": {"reason": error}, "values": {"reason": reason}},
        status_code=422,
    )


@router.post("/permits/{number}/referrals/{referral_id}", dependencies=[Csrf])
def handle_referral(
    number: str,
    referral_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    user: PageUser,
    form: FormDep,
) -> Response:
    """A clerk handles a referral from a visit: suspend or revoke (the visit is quoted in
    the decision letter), or no action."""
    action = str(form.get("action") or "")
    reason = str(form.get("reason") or "").strip()
    error: str | None = None
    if action not in set(ReferralAction):
        error = _("Choose what to do with the referral.")
    elif not 3 <= len(reason) <= 2000 or not is_clean(reason):
        error = _(
            "Give a reason (3 to 2000 characters, no invisible control characters): the "
            "holder reads it in the decision."
        )
    else:
        try:
            inspections_flow.handle_referral(
                session=session,
                referral_id=referral_id,
                action=ReferralAction(action),
                reason=reason,
                actor=user,
                permit_number=number,
            )
        except (Forbidden, NotFound):
            raise
        except AppError as exc:
            error = user_message(exc.code)
    if error is None:
        return redirect(f"/permits/{number}?recorded=1")
    permit = service.get_for(session=session, number=number, actor=user)
    key = f"referral-{referral_id}"
    return render(
        request,
        "permits/permit.html",
        {**_context(session, permit, user), "errors": {key: error}, "values": {key: reason}},
        status_code=422,
    )


@router.get("/permits/{number}/pdf")
def pdf(number: str, session: SessionDep, user: PageUser) -> Response:
    permit, content = service.download_pdf(session=session, number=number, actor=user)
    return file_response(content, media_type="application/pdf", filename=f"{permit.number}.pdf")


@router.get("/verify")
def verify_form(request: Request, number: str | None = None) -> Response:
    if number:
        return redirect(f"/verify/{quote(number.strip())}")
    return render(request, "permits/verify.html", {"result": None})


@router.get("/verify/{number}")
def verify(number: str, request: Request, session: SessionDep) -> Response:
    """The public check behind a permit's QR code: status, type, name and dates only."""
    try:
        limit_per_client(request, request.app.state.verify_throttle, "verify")
    except TooManyRequests:
        return render(
            request, "permits/verify.html", {"result": None, "limited": True}, status_code=429
        )
    try:
        result = verification.verify(session=session, number=number)
    except verification.MalformedNumber:
        return render(
            request,
            "permits/verify.html",
            {"result": None, "malformed": True, "values": {"number": number}},
            status_code=400,
        )
    return render(request, "permits/verify.html", {"result": result})
