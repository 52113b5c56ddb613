"""The decision letter ending home work after a review: addressed to the working name,
with the reason and how to object."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from app.addresses import service as addresses_service
from app.auth import service as auth_service
from app.auth.models import User
from app.db import to_local_date, utcnow
from app.documents import service as documents_service
from app.documents.letters import N_, Letter, format_date, letter_request
from app.documents.models import Document, DocumentKind, SubjectType
from app.homework.models import HomeWorkRegistration
from app.policy import service as policy_service

TITLE = N_("Decision: your home work at this address ends")
OPENING_AFTER_RESPONSE = N_(
    "After the nuisance established at your address and your response, we have decided "
    "that you may no longer do sex work from this address. Below you can read why."
)
OPENING_WITHOUT_RESPONSE = N_(
    "After the nuisance established at your address, and as we received no response from "
    "you in the time given, we have decided that you may no longer do sex work from this "
    "address. Below you can read why."
)


def end_letter(*, session: Session, registration: HomeWorkRegistration) -> Document:
    """The letter for a registration ended after a review (made once, after the commit)."""
    active = policy_service.current(session=session)
    worker = auth_service.get(session=session, user_id=registration.worker_id)

    def build() -> documents_service.RenderRequest:
        address = addresses_service.one_line(session=session, address_id=registration.address_id)
        letter = Letter(
            title=TITLE,
            opening=OPENING_AFTER_RESPONSE
            if registration.responded_at
            else OPENING_WITHOUT_RESPONSE,
            language=worker.language if worker else "nl",
            addressee=registration.working_name,
            reference_code=str(registration.id)[:8].upper(),
            on=to_local_date(registration.ended_at or utcnow()),
            policy_version=active.record.version,
            policy_reference=active.policy.home_work.reference,
            reason=registration.status_reason,
            facts=(
                (N_("Address"), address or ""),
                (N_("Ended on"), format_date(to_local_date(registration.ended_at or utcnow()))),
            ),
        )
        return letter_request(active.policy, letter)

    return documents_service.get_or_create(
        session=session,
        natural_key=f"letter:{DocumentKind.home_work_ended.value}:{registration.id}",
        kind=DocumentKind.home_work_ended,
        subject_type=SubjectType.homework_registration,
        subject_id=registration.id,
        owner_id=registration.worker_id,
        build=build,
    )


def letters_of(
    *, session: Session, registration: HomeWorkRegistration, actor: User
) -> list[Document]:
    """The letters of a registration that `actor` may read."""
    found = letters_by_registration(
        session=session, registration_ids=[registration.id], actor=actor
    )
    return found.get(registration.id, [])


def letters_by_registration(
    *, session: Session, registration_ids: list[uuid.UUID], actor: User
) -> dict[uuid.UUID, list[Document]]:
    """The readable letters of several registrations, by registration."""
    found: dict[uuid.UUID, list[Document]] = {}
    documents = documents_service.list_for(
        session=session,
        subjects=[(SubjectType.homework_registration, i) for i in registration_ids],
        actor=actor,
    )
    for document in documents:
        found.setdefault(document.subject_id, []).append(document)
    return found
