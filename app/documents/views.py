"""Pages: download generated documents, and the public permit check (/verify)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.deps import PageUser
from app.db import SessionDep
from app.documents import service
from app.documents.api import check_rate, pdf_response
from app.errors import AppError
from app.permits import documents as permit_documents
from app.permits import service as permits_service
from app.permits import verification
from app.web import redirect, render

router = APIRouter(include_in_schema=False)


@router.get("/documents/{document_id}")
def download(document_id: uuid.UUID, session: SessionDep, user: PageUser) -> Response:
    document, content = service.read(session=session, document_id=document_id, actor=user)
    return pdf_response(content, f"{document.kind.value}-{document.id.hex[:8]}.pdf")


@router.get("/permits/{number}/pdf")
def permit_pdf(number: str, session: SessionDep, user: PageUser) -> Response:
    permit = permits_service.get_for(session=session, number=number, actor=user)
    document = permit_documents.permit_pdf(session=session, permit=permit)
    _, content = service.read(session=session, document_id=document.id, actor=user)
    return pdf_response(content, f"{permit.number}.pdf")


@router.get("/verify")
def verify_form(request: Request, number: str | None = None) -> Response:
    if number:
        return redirect(f"/verify/{number.strip()}")
    return render(request, "permits/verify.html", {"result": None})


@router.get("/verify/{number}")
def verify(number: str, request: Request, session: SessionDep) -> Response:
    """The public check behind a permit's QR code: status, type, name and dates only."""
    try:
        check_rate(request)
    except AppError:
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
