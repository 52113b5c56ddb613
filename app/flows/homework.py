"""A clerk decides on home work after a nuisance review: the decision is committed, then
the decision letter is made when the registration ends."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from app.auth.models import User
from app.flows import commit_then
from app.homework import documents as homework_documents
from app.homework import service as homework_service
from app.homework.models import HomeWorkRegistration, HomeWorkStatus, ReviewOutcome


def decide_review(
    *,
    session: Session,
    registration_id: uuid.UUID,
    actor: User,
    outcome: ReviewOutcome,
    reason: str,
    expected_version: int | None = None,
) -> HomeWorkRegistration:
    with session.begin_nested():
        registration = homework_service.decide_review(
            session=session,
            registration_id=registration_id,
            actor=actor,
            outcome=outcome,
            reason=reason,
            expected_version=expected_version,
        )
    if registration.status is HomeWorkStatus.ended_after_review:
        commit_then(
            session,
            [lambda: homework_documents.end_letter(session=session, registration=registration)],
            what=f"home-work registration {registration_id}",
            reload=registration,
        )
    return registration
