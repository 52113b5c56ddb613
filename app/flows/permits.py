"""A clerk suspends, reinstates or revokes a permit: the change is committed, then the
decision letter and the permit's new version are made."""

from __future__ import annotations

from sqlmodel import Session

from app.auth.models import User
from app.flows import commit_then
from app.permits import documents as permit_documents
from app.permits import service as permits_service
from app.permits.models import Permit


def change_status(
    *, session: Session, number: str, actor: User, action: str, reason: str
) -> Permit:
    with session.begin_nested():
        permit = permits_service.change_status(
            session=session, number=number, actor=actor, action=action, reason=reason
        )

    commit_then(
        session,
        [
            lambda: permit_documents.status_letter(session=session, permit=permit, action=action),
            lambda: permit_documents.permit_pdf(session=session, permit=permit),
        ],
        what=f"permit {number}",
        reload=permit,
    )
    return permit
