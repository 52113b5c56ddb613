"""Pages every Dutch government service has: the privacy statement, the accessibility
statement and the contact page, linked from every footer. Above the domains (like
`app/home.py`): they read the policy in force and the settings, nothing else."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.deps import OptionalPageUser
from app.config import get_settings
from app.policy import service as policy_service
from app.privacy import statement
from app.web import render

router = APIRouter(include_in_schema=False)


@router.get("/privacy")
def privacy_statement(request: Request, user: OptionalPageUser) -> Response:
    """What is stored, why and for how long, from the policy's retention periods."""
    policy = policy_service.load_configured().policy
    return render(
        request,
        "pages/privacy.html",
        {"rows": statement.rows(policy), "policy": policy},
    )


@router.get("/toegankelijkheid")
def accessibility_statement(request: Request, user: OptionalPageUser) -> Response:
    """The accessibility statement (toegankelijkheidsverklaring)."""
    return render(request, "pages/accessibility.html")


@router.get("/contact")
def contact(request: Request, user: OptionalPageUser) -> Response:
    """How to reach the licensing team: the municipality's channels, no staff names."""
    settings = get_settings()
    policy = policy_service.load_configured().policy
    return render(
        request,
        "pages/contact.html",
        {
            "phone": settings.contact_phone,
            "email": settings.contact_email,
            "municipality_policy": policy.municipality,
        },
    )
