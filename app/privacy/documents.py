"""The readable PDF of a data export, and the answer letter to an erasure request, both
through the documents pipeline (rendered once, stored by hash, read as their kind allows).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from app.auth.models import User
from app.db import local_today, to_local_date
from app.documents import service as documents_service
from app.documents.letters import N_, Letter, format_date, letter_request
from app.documents.models import Document, DocumentKind, SubjectType
from app.i18n import translate_in
from app.policy import service as policy_service
from app.privacy import service
from app.privacy.models import ErasureRequest, ErasureStatus

EXPORT_TITLE = N_("Everything we hold about you")
ANSWER_TITLE = N_("Answer to your request to erase your data")
ANSWER_OPENING = N_(
    "We have handled your request to erase the personal data we hold about you. Below you "
    "read what we deleted, and what we keep, why and until when."
)
DELETED = N_("Deleted")
KEPT = N_("Kept")
KEPT_UNTIL = N_("Kept until %(date)s")
WHILE_NEEDED = N_("as long as it is needed (see the reason)")
LEGAL_BASIS = "AVG art. 17 (recht op gegevenswissing) en art. 17 lid 3 sub b"


def export_pdf(*, session: Session, actor: User, data: dict[str, Any]) -> Document:
    """The export as a readable PDF: one per version of the data (made on first download)."""
    fingerprint = service.export_fingerprint(data)

    def build() -> documents_service.RenderRequest:
        title = translate_in(actor.language, EXPORT_TITLE)
        return documents_service.RenderRequest(
            template="export.html",
            context={"title": title, "data": data, "date": format_date(local_today())},
            language=actor.language,
            title=title,
            sign_reason=title,
        )

    return documents_service.get_or_create(
        session=session,
        natural_key=f"export:{actor.id}:{fingerprint}",
        kind=DocumentKind.data_export,
        subject_type=SubjectType.account,
        subject_id=actor.id,
        owner_id=actor.id,
        build=build,
    )


def _until(value: str | None, lang: str) -> str:
    if not value:
        return translate_in(lang, WHILE_NEEDED)
    return translate_in(lang, KEPT_UNTIL) % {"date": format_date(date.fromisoformat(value))}


def answer_letter(*, session: Session, request: ErasureRequest) -> Document | None:
    """The answer to a handled request, addressed to the requester (made once)."""
    if request.status is not ErasureStatus.handled or request.handled_at is None:
        return None
    requester = service.requester_of(session=session, request=request)
    active = policy_service.current(session=session)
    handled_at = request.handled_at

    def build() -> documents_service.RenderRequest:
        lang = requester.language if requester else "nl"
        outcome = request.outcome or {}
        facts: list[tuple[str, str]] = []
        for item in outcome.get("erased", []):
            facts.append((DELETED, f"{item['item']}: {item['detail']}"))
        for item in outcome.get("kept", []):
            facts.append(
                (KEPT, f"{item['item']}: {item['detail']} — {_until(item.get('until'), lang)}")
            )
        letter = Letter(
            title=ANSWER_TITLE,
            opening=ANSWER_OPENING,
            language=lang,
            addressee=requester.email if requester else "",
            reference_code=str(request.id)[:8].upper(),
            on=to_local_date(handled_at),
            policy_version=active.record.version,
            policy_reference=LEGAL_BASIS,
            facts=tuple(facts),
        )
        return letter_request(active.policy, letter)

    return documents_service.get_or_create(
        session=session,
        natural_key=f"letter:{DocumentKind.erasure_answer.value}:{request.id}",
        kind=DocumentKind.erasure_answer,
        subject_type=SubjectType.erasure_request,
        subject_id=request.id,
        owner_id=request.requester_id,
        build=build,
    )
