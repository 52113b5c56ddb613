"""Staff pages where domains meet: an address with everything known there (home-work
registrations, nuisance reports), the nuisance reports to assess, and a home-work
registration under review. Above the domains, like `home.py`: it only composes their
services and flows."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from app.addresses import service as addresses_service
from app.audit import service as audit
from app.auth.deps import require_page
from app.auth.models import User
from app.auth.permissions import Action, ObjectKind, can, can_read
from app.deps import SessionDep
from app.errors import AppError, NotFound
from app.flows import homework as homework_flow
from app.flows import nuisance as nuisance_flow
from app.homework import documents as homework_documents
from app.homework import service as homework_service
from app.homework.models import HomeWorkStatus, ReviewDecisionIn
from app.i18n import current_locale
from app.i18n import gettext as _
from app.inspections import service as inspections_service
from app.nuisance import service as nuisance_service
from app.nuisance.models import AssessmentIn, NuisanceStatus
from app.policy import service as policy_service
from app.web import FormDep, redirect, render, verify_csrf
from app.web_errors import status_of, user_message

router = APIRouter(include_in_schema=False)
Csrf = Depends(verify_csrf)
NuisanceStaff = Annotated[User, Depends(require_page(Action.nuisance_read_any))]
HomeWorkStaff = Annotated[User, Depends(require_page(Action.homework_read_any))]


def category_labels() -> dict[str, str]:
    nl = current_locale.get() == "nl"
    policy = policy_service.load_configured().policy
    return {c.key: c.label_nl if nl else c.label_en for c in policy.nuisance_categories}


@router.get("/nuisance-reports")
def nuisance_list(
    request: Request,
    session: SessionDep,
    user: NuisanceStaff,
    status: str | None = None,
    cursor: str | None = None,
) -> Response:
    chosen = NuisanceStatus(status) if status in set(NuisanceStatus) else None
    page = nuisance_service.list_(session=session, actor=user, status=chosen, cursor=cursor)
    return render(
        request,
        "nuisance/staff_list.html",
        {
            "page": page,
            "status": status or "",
            "statuses": list(NuisanceStatus),
            "category_labels": category_labels(),
        },
    )


@router.post("/nuisance-reports/{report_id}/assessment", dependencies=[Csrf])
def nuisance_assess(
    report_id: uuid.UUID, request: Request, session: SessionDep, user: NuisanceStaff, form: FormDep
) -> Response:
    try:
        data = AssessmentIn(
            substantiated=form.get("substantiated") == "1",
            notes=str(form.get("notes") or "").strip(),
        )
        with session.begin_nested():
            nuisance_flow.assess(session=session, report_id=report_id, data=data, actor=user)
    except (ValidationError, AppError) as exc:
        message = (
            user_message(exc.code, _("The assessment could not be recorded."))
            if isinstance(exc, AppError)
            else _("Write a note of at least 3 characters: what did you find?")
        )
        page = nuisance_service.list_(session=session, actor=user)
        return render(
            request,
            "nuisance/staff_list.html",
            {
                "page": page,
                "status": "",
                "statuses": list(NuisanceStatus),
                "category_labels": category_labels(),
                "errors": {f"notes-{report_id}": message},
            },
            status_code=status_of(exc) if isinstance(exc, AppError) else 422,
        )
    return redirect("/nuisance-reports?recorded=1")


@router.get("/addresses/{address_id}")
def address_page(
    address_id: uuid.UUID, request: Request, session: SessionDep, user: HomeWorkStaff
) -> Response:
    """Everything at one address; every opening is audited."""
    address = addresses_service.get(session=session, address_id=address_id)
    if address is None or not can_read(user, ObjectKind.address, None):
        raise NotFound("address")
    audit.record(
        session, actor=user, action="address.read", object_type="address", object_id=address.id
    )
    registrations = [
        homework_service.public(session=session, registration=r)
        for r in homework_service.at_address(session=session, address_id=address.id)
    ]
    reports = [
        nuisance_service.public(session=session, row=r)
        for r in nuisance_service.at_address(session=session, address_id=address.id)
    ]
    return render(
        request,
        "addresses/address.html",
        {
            "address": addresses_service.parts_of(address).one_line(),
            "address_id": address.id,
            "registrations": registrations,
            "reports": reports,
            "inspections": inspections_service.at_address(session=session, address_id=address.id)
            if can(user, Action.inspection_read_any)
            else [],
            "can_plan": can(user, Action.inspection_plan),
            "category_labels": category_labels(),
        },
    )


@router.get("/staff/home-work")
def registrations_list(
    request: Request,
    session: SessionDep,
    user: HomeWorkStaff,
    status: str | None = "under_review",
    cursor: str | None = None,
) -> Response:
    chosen = HomeWorkStatus(status) if status in set(HomeWorkStatus) else None
    page = homework_service.list_(session=session, actor=user, status=chosen, cursor=cursor)
    return render(
        request,
        "homework/staff_list.html",
        {"page": page, "status": status or "", "statuses": list(HomeWorkStatus)},
    )


@router.get("/staff/home-work/{registration_id}")
def registration_page(
    registration_id: uuid.UUID, request: Request, session: SessionDep, user: HomeWorkStaff
) -> Response:
    return _registration(request, session, user, registration_id)


def _registration(
    request: Request,
    session: SessionDep,
    user: User,
    registration_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    registration = homework_service.get_for(
        session=session, registration_id=registration_id, actor=user
    )
    return render(
        request,
        "homework/staff.html",
        {
            "registration": homework_service.public(session=session, registration=registration),
            "address_id": registration.address_id,
            "letters": homework_documents.letters_of(
                session=session, registration=registration, actor=user
            ),
            "decidable": registration.status is HomeWorkStatus.under_review
            and can(user, Action.homework_decide),
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.post("/staff/home-work/{registration_id}/decision", dependencies=[Csrf])
def registration_decide(
    registration_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    user: HomeWorkStaff,
    form: FormDep,
) -> Response:
    try:
        data = ReviewDecisionIn.model_validate(
            {
                "decision": form.get("decision"),
                "reason": str(form.get("reason") or "").strip(),
                "version": form.get("version") or None,
            }
        )
        homework_flow.decide_review(
            session=session,
            registration_id=registration_id,
            actor=user,
            outcome=data.decision,
            reason=data.reason,
            expected_version=data.version,
        )
    except (ValidationError, AppError) as exc:
        if isinstance(exc, AppError) and status_of(exc) in (403, 404):
            raise
        message = (
            user_message(exc.code)
            if isinstance(exc, AppError)
            else _("Choose a decision and give a reason: the worker reads it.")
        )
        code = status_of(exc) if isinstance(exc, AppError) else 422
        return _registration(
            request, session, user, registration_id, errors={"reason": message}, status_code=code
        )
    return redirect(f"/staff/home-work/{registration_id}?recorded=1")
