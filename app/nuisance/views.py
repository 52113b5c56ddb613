"""Public pages: report nuisance without an account, and look up a report's status."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from app.deps import SessionDep
from app.errors import AppError, NotFound, TooManyRequests
from app.form_fields import message_for
from app.i18n import current_locale
from app.i18n import gettext as _
from app.nuisance import service
from app.nuisance.models import NuisanceReportCreate
from app.policy import service as policy_service
from app.web import FormDep, limit_per_client, redirect, render, verify_csrf
from app.web_errors import status_of, user_message

router = APIRouter(include_in_schema=False)
Csrf = Depends(verify_csrf)

FIELDS = (
    "postcode",
    "house_number",
    "category",
    "observed_on",
    "description",
    "contact_name",
    "contact_email",
    "contact_phone",
)


def _categories() -> list[dict[str, str]]:
    nl = current_locale.get() == "nl"
    policy = policy_service.load_configured().policy
    return [
        {"key": c.key, "label": c.label_nl if nl else c.label_en}
        for c in policy.nuisance_categories
    ]


def _field_errors(exc: ValidationError) -> dict[str, str]:
    messages = {
        "postcode": _("Enter a Dutch postcode, like 5038 AB."),
        "house_number": _("Enter a house number, like 12, 12A or 12-3."),
        "category": _("Choose what kind of nuisance it is."),
        "observed_on": _("Enter the day you noticed it: today or in the last year."),
        "description": _("Describe what happened in 10 to 4000 characters."),
        "contact_email": _("Enter a valid email address, like name@example.org."),
        "contact_phone": _("Enter a phone number with digits only, like 06 12345678."),
    }
    errors: dict[str, str] = {}
    for err in exc.errors():
        name = str(err["loc"][0]) if err["loc"] else "form"
        errors.setdefault(name, messages.get(name) or message_for(err))
    return errors


def _form(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    consent: bool = False,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "nuisance/report.html",
        {
            "categories": _categories(),
            "errors": errors or {},
            "values": values or {},
            "consent": consent,
        },
        status_code=status_code,
    )


@router.get("/overlast-melden")
def report_form(request: Request) -> Response:
    return _form(request)


@router.post("/overlast-melden", dependencies=[Csrf])
def report(request: Request, session: SessionDep, form: FormDep) -> Response:
    values = {name: str(form.get(name) or "").strip() for name in FIELDS}
    consent = form.get("contact_consent") == "1"
    try:
        limit_per_client(request, request.app.state.report_throttle, "nuisance-report")
    except TooManyRequests as exc:
        errors = {"form": user_message(exc.code)}
        return _form(request, errors=errors, values=values, status_code=429)
    try:
        data = NuisanceReportCreate.model_validate(
            {
                **{k: v or None for k, v in values.items()},
                "contact_consent": consent,
            }
        )
    except ValidationError as exc:
        errors = _field_errors(exc)
        return _form(request, errors=errors, values=values, consent=consent, status_code=422)
    try:
        with session.begin_nested():
            receipt = service.report(
                session=session, data=data, policy=policy_service.load_configured().policy
            )
    except AppError as exc:
        errors = {"category": user_message(exc.code, _("Choose what kind of nuisance it is."))}
        return _form(request, errors=errors, values=values, status_code=status_of(exc))
    return redirect(f"/overlast-melden/ontvangen?reference={receipt.reference}")


@router.get("/overlast-melden/ontvangen")
def received(request: Request, reference: str = "") -> Response:
    """After a report: its reference (shown from the address, so a reload sends nothing)."""
    if service.REFERENCE_PATTERN.fullmatch(reference) is None:
        return redirect("/overlast-melden")
    return render(request, "nuisance/received.html", {"reference": reference})


@router.get("/overlast-melden/status")
def report_status(request: Request, session: SessionDep, reference: str | None = None) -> Response:
    if not reference:
        return render(request, "nuisance/status.html", {"receipt": None})
    try:
        limit_per_client(request, request.app.state.verify_throttle, "nuisance-status")
        receipt = service.status_of(session=session, reference=reference[:32])
    except (NotFound, TooManyRequests) as exc:
        return render(
            request,
            "nuisance/status.html",
            {
                "receipt": None,
                "unknown": isinstance(exc, NotFound),
                "values": {"reference": reference[:32]},
            },
            status_code=status_of(exc),
        )
    return render(request, "nuisance/status.html", {"receipt": receipt})
