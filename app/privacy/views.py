"""Pages for data-subject rights: the applicant's "Your data" page (export as JSON or PDF,
ask for erasure, read the answer) and the clerks' list of erasure requests."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from app.auth.deps import PageUser, require_page
from app.auth.models import User
from app.auth.permissions import Action
from app.deps import SessionDep
from app.documents import service as documents_service
from app.errors import AppError
from app.flows import privacy as privacy_flow
from app.i18n import gettext as _
from app.privacy import documents as privacy_documents
from app.privacy import service
from app.privacy.models import ErasureRequestIn
from app.web import FormDep, file_response, redirect, render, verify_csrf
from app.web_errors import status_of, user_message

router = APIRouter(include_in_schema=False)
Csrf = Depends(verify_csrf)
Clerk = Annotated[User, Depends(require_page(Action.privacy_handle))]


def _page_context(session: SessionDep, user: User) -> dict[str, Any]:
    requests = service.requests_of(session=session, user_id=user.id)
    return {
        "requests": [
            {
                "request": service.public(r),
                "letters": service.documents_of(session=session, request=r, actor=user),
            }
            for r in requests
        ],
        "has_open": any(r.status.value == "open" for r in requests),
        "errors": {},
        "values": {},
    }


@router.get("/account/data")
def data_page(request: Request, session: SessionDep, user: PageUser) -> Response:
    return render(request, "privacy/account.html", _page_context(session, user))


@router.get("/account/data/export.json")
def export_json(session: SessionDep, user: PageUser) -> Response:
    data = service.export(session=session, actor=user)
    content = json.dumps(data, indent=2, ensure_ascii=False).encode()
    return file_response(content, media_type="application/json", filename="my-data.json")


@router.get("/account/data/export.pdf")
def export_pdf(session: SessionDep, user: PageUser) -> Response:
    data = service.export(session=session, actor=user)
    document = privacy_documents.export_pdf(session=session, actor=user, data=data)
    return file_response(
        documents_service.content(document),
        media_type=document.media_type,
        filename="my-data.pdf",
    )


@router.post("/account/data/erasure", dependencies=[Csrf])
def ask_erasure(request: Request, session: SessionDep, user: PageUser, form: FormDep) -> Response:
    note = str(form.get("note") or "")
    try:
        data = ErasureRequestIn.model_validate({"note": note or None})
        with session.begin_nested():
            service.request_erasure(session=session, data=data, actor=user)
    except ValidationError:
        context = _page_context(session, user)
        errors = {"note": _("Write at most 2000 characters, without control characters.")}
        return render(
            request,
            "privacy/account.html",
            {**context, "errors": errors, "values": {"note": note}},
            status_code=422,
        )
    except AppError as exc:
        context = _page_context(session, user)
        message = user_message(exc.code, _("Your request could not be recorded."))
        return render(
            request,
            "privacy/account.html",
            {**context, "errors": {"note": message}, "values": {"note": note}},
            status_code=status_of(exc),
        )
    return redirect("/account/data?asked=1")


def _clerk_rows(session: SessionDep, user: User) -> list[dict[str, Any]]:
    return [
        {
            "request": service.public(r),
            "requester": service.requester_of(session=session, request=r),
        }
        for r in service.list_for_clerk(session=session, actor=user)
    ]


@router.get("/privacy-requests")
def clerk_list(request: Request, session: SessionDep, user: Clerk) -> Response:
    return render(request, "privacy/clerk_list.html", {"rows": _clerk_rows(session, user)})


@router.post("/privacy-requests/{request_id}/handle", dependencies=[Csrf])
def clerk_handle(
    request: Request, request_id: uuid.UUID, session: SessionDep, user: Clerk
) -> Response:
    try:
        privacy_flow.handle_erasure(session=session, request_id=request_id, actor=user)
    except AppError as exc:
        if status_of(exc) == 404:
            raise
        rows = [
            {
                "request": service.public(r),
                "requester": service.requester_of(session=session, request=r),
            }
            for r in service.list_for_clerk(session=session, actor=user)
        ]
        message = user_message(exc.code, _("The request could not be handled."))
        return render(
            request,
            "privacy/clerk_list.html",
            {"rows": rows, "errors": {"form": message}},
            status_code=status_of(exc),
        )
    return redirect("/privacy-requests?handled=1")
