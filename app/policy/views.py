"""Public page: the policy in force in plain words."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.deps import OptionalPageUser
from app.deps import SessionDep
from app.i18n import current_locale
from app.policy import summary
from app.web import redirect, render

router = APIRouter(include_in_schema=False)


@router.get("/beleid")
def policy_page(request: Request, session: SessionDep, user: OptionalPageUser) -> Response:
    """What is allowed, for how long, what is needed and how long a decision takes."""
    # `user` is unused here but loads the visitor, so the header shows who is logged in.
    policy = summary.in_force(session=session)
    effective = summary.long_date(policy.effective_date, current_locale.get())
    return render(request, "policy/index.html", {"policy": policy, "effective_date": effective})


@router.get("/policy")
def policy_page_english_path() -> Response:
    return redirect("/beleid")
