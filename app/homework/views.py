"""Pages for home work: the worker registers at their own address, sees their
registrations and why one ended, and ends one."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from app.addresses import register as address_register
from app.auth.deps import require_page
from app.auth.models import User
from app.auth.permissions import Action
from app.deps import SessionDep
from app.errors import AppError, TooManyRequests
from app.form_fields import message_for
from app.homework import documents as homework_documents
from app.homework import service
from app.homework.models import HomeWorkCreate, ResponseIn
from app.i18n import gettext as _
from app.web import FormDep, limit_per_client, redirect, render, verify_csrf
from app.web_errors import status_of, user_message

router = APIRouter(include_in_schema=False)
Csrf = Depends(verify_csrf)
Worker = Annotated[User, Depends(require_page(Action.homework_create))]

FIELDS = ("working_name", "bsn", "postcode", "house_number")


def _field_errors(exc: ValidationError) -> dict[str, str]:
    messages = {
        "working_name": _("Enter a working name of 2 to 60 characters."),
        "bsn": _("Enter your citizen service number (BSN): 9 digits."),
        "postcode": _("Enter a Dutch postcode, like 5038 AB."),
        "house_number": _("Enter a house number, like 12, 12A or 12-3."),
    }
    errors: dict[str, str] = {}
    for err in exc.errors():
        name = str(err["loc"][0]) if err["loc"] else "form"
        errors.setdefault(name, messages.get(name) or message_for(err))
    return errors


def _page(
    request: Request,
    session: SessionDep,
    user: User,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    failed: list[dict[str, Any]] | None = None,
    status_code: int = 200,
) -> Response:
    registrations = service.list_(session=session, actor=user, limit=50).items
    letters = homework_documents.letters_by_registration(
        session=session,
        registration_ids=[r.id for r in registrations if r.status.value == "ended_after_review"],
        actor=user,
    )
    return render(
        request,
        "homework/index.html",
        {
            "registrations": registrations,
            "letters": letters,
            "errors": errors or {},
            "values": values or {},
            "failed_rules": failed or [],
        },
        status_code=status_code,
    )


@router.get("/home-work")
def index(request: Request, session: SessionDep, user: Worker) -> Response:
    # A registration waiting on the register is checked again when its worker looks: the
    # oldest one, before anything is locked (one network call per view at most).
    waiting = service.pending(session=session, worker_id=user.id, limit=1)
    if waiting:
        service.recheck(
            session=session,
            registration=waiting[0],
            address_register=address_register.configured(session),
            actor=user,
        )
    return _page(request, session, user)


@router.post("/home-work", dependencies=[Csrf])
def create(request: Request, session: SessionDep, user: Worker, form: FormDep) -> Response:
    values = {name: str(form.get(name) or "").strip() for name in FIELDS}
    shown = {k: v for k, v in values.items() if k != "bsn"}
    try:
        limit_per_client(request, request.app.state.home_work_throttle, "home-work", str(user.id))
    except TooManyRequests as exc:
        errors = {"form": user_message(exc.code)}
        return _page(request, session, user, errors=errors, values=shown, status_code=429)
    try:
        data = HomeWorkCreate.model_validate(values)
    except ValidationError as exc:
        return _page(
            request, session, user, errors=_field_errors(exc), values=shown, status_code=422
        )
    try:
        with session.begin_nested():
            service.register(
                session=session,
                data=data,
                actor=user,
                address_register=address_register.configured(session),
            )
    except AppError as exc:
        field = "bsn" if exc.code == "invalid_bsn" else "form"
        return _page(
            request,
            session,
            user,
            errors={field: user_message(exc.code, _("Home work cannot be registered now."))},
            values=shown,
            failed=exc.details.get("failed_rules", []),
            status_code=status_of(exc),
        )
    return redirect("/home-work?registered=1")


@router.post("/home-work/{registration_id}/end", dependencies=[Csrf])
def end(registration_id: uuid.UUID, session: SessionDep, user: Worker) -> Response:
    service.end(session=session, registration_id=registration_id, actor=user, expected_version=None)
    return redirect("/home-work?ended=1")


@router.post("/home-work/{registration_id}/response", dependencies=[Csrf])
def respond(
    registration_id: uuid.UUID, request: Request, session: SessionDep, user: Worker, form: FormDep
) -> Response:
    try:
        data = ResponseIn(text=str(form.get("response") or "").strip())
    except ValidationError:
        errors = {"response": _("Write your response in 3 to 4000 characters, as plain text.")}
        return _page(request, session, user, errors=errors, status_code=422)
    service.respond(session=session, registration_id=registration_id, actor=user, text=data.text)
    return redirect("/home-work?responded=1")
