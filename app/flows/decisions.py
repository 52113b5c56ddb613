"""A clerk decides an application: the decision (an approval issues a permit, so it
changes two domains at once) is committed whole, then the decision letter and the permit
PDF are made."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from app.applications import decisions
from app.applications.models import Application, ApplicationStatus, DecisionKind
from app.auth.models import User
from app.flows import commit_then


def decide(
    *,
    session: Session,
    application_id: uuid.UUID,
    decision: DecisionKind,
    reason: str | None,
    actor: User,
    expected_version: int | None = None,
) -> Application:
    """Approve, refuse, request information or extend: all of it or nothing, then the
    letters. A refused step undoes only itself (a savepoint), and its error is raised."""
    with session.begin_nested():
        application = decisions.decide(
            session=session,
            application_id=application_id,
            decision=decision,
            reason=reason,
            actor=actor,
            expected_version=expected_version,
        )
    if application.status in (ApplicationStatus.approved, ApplicationStatus.refused):
        make_documents(session=session, application=application)
    return application


def make_documents(*, session: Session, application: Application) -> None:
    """Commit what the request did so far, then the decision letter and (if granted) the
    permit PDF, each committed once made. Pages that show a decided file call this first:
    a document that could not be made at the decision is made on the next view, and a
    failure to make it leaves the page working, without that document."""
    commit_then(
        session,
        decisions.document_steps(session=session, application=application),
        what=f"application {application.id}",
        reload=application,
    )
