"""Public pages: the policy in force in plain words; two policies of the library compared."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.auth.deps import OptionalPageUser
from app.deps import SessionDep
from app.i18n import current_locale
from app.policy import library, summary
from app.policy.compare import TOPIC_TITLES, compare
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


PolicyKey = Annotated[str, Query(max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")]


@router.get("/beleid/vergelijken")
def compare_page(
    request: Request,
    user: OptionalPageUser,
    a: PolicyKey = library.DEFAULT_A,
    b: PolicyKey = library.DEFAULT_B,
) -> Response:
    """Two policies of the library side by side: the rules that differ, in plain words."""
    left, right = library.get(a), library.get(b)
    return render(
        request,
        "policy/compare.html",
        {
            "entries": library.entries(),
            "left": left,
            "right": right,
            "comparison": compare(left.policy, right.policy),
            "topic_titles": TOPIC_TITLES,
        },
    )
