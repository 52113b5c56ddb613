"""Pages for a permit: the holder sees it; clerks suspend, reinstate or revoke it."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.auth.deps import PageUser
from app.auth.permissions import Action, can
from app.db import SessionDep
from app.errors import AppError
from app.i18n import current_locale
from app.i18n import gettext as _
from app.permits import service
from app.policy import service as policy_service
from app.web import redirect, render, verify_csrf

router = APIRouter(include_in_schema=False)
Csrf = Depends(verify_csrf)

ACTIONS = {"suspend": service.suspend, "reinstate": service.reinstate, "revoke": service.revoke}


def _context(permit_public: object, user: object, session: SessionDep) -> dict[str, object]:
    policy = policy_service.load_configured().policy
    spec = policy.permit_type(getattr(permit_public, "permit_type", ""))
    nl = current_locale.get() == "nl"
    return {
        "permit": permit_public,
        "type_label": (spec.label_nl if nl else spec.label_en) if spec else "",
        "can_manage": can(user, Action.permit_manage),  # type: ignore[arg-type]
        "renewal_window_days": policy.decision.renewal_window_days,
    }


@router.get("/permits/{number}")
def permit_page(number: str, request: Request, session: SessionDep, user: PageUser) -> Response:
    permit = service.get_for(session=session, number=number, actor=user)
    return render(request, "permits/permit.html", _context(service.public(permit), user, session))


@router.post("/permits/{number}/status", dependencies=[Csrf])
async def change_status(
    number: str, request: Request, session: SessionDep, user: PageUser
) -> Response:
    form = await request.form()
    action = str(form.get("action") or "")
    reason = str(form.get("reason") or "").strip()
    error: str | None = None
    if action not in ACTIONS:
        error = _("Choose what to do with the permit.")
    elif len(reason) < 3:
        error = _("Give a reason: the holder reads it in the decision.")
    else:
        try:
            ACTIONS[action](session=session, number=number, actor=user, reason=reason)
        except AppError as exc:
            if exc.status_code in (403, 404):
                raise
            error = _("This is not possible in the permit's current status.")
    if error is None:
        return redirect(f"/permits/{number}")
    permit = service.get_for(session=session, number=number, actor=user)
    context = _context(service.public(permit), user, session)
    return render(
        request,
        "permits/permit.html",
        {**context, "errors": {"reason": error}, "values": {"reason": reason}},
        status_code=422,
    )
