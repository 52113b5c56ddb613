"""One place commits: a flow across two domains is whole or not at all.

Approving an application changes two domains: it issues a permit (permits) and moves the
application to approved with its checks and history (applications). When the second step
fails after the first has written its rows, nothing of either is left.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.addresses.models import Address
from app.applications import service as applications_service
from app.applications.models import Application, ApplicationCheck, ApplicationStatus
from app.applications.states import Transition
from app.audit.models import AuditEvent
from app.auth.models import Role, User
from app.documents.models import Document
from app.permits import service as permits_service
from app.permits.models import Permit
from tests.factories import make_application, make_user, token_for


def _count(session: Session, model: Any, *where: Any) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


@pytest.fixture
def failing_second_step(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """The application's transition (the step after the permit is issued) fails, after
    counting that the permit really was written first."""
    seen = {"permits_issued": 0}
    issue = permits_service.issue

    def issue_and_count(**kwargs: Any) -> Permit:
        permit = issue(**kwargs)
        seen["permits_issued"] += 1
        return permit

    transition = applications_service.record_transition

    def fail_on_approval(*args: Any, **kwargs: Any) -> Any:
        if args[2] is Transition.approve:
            raise RuntimeError("the second step failed")
        return transition(*args, **kwargs)

    monkeypatch.setattr(permits_service, "issue", issue_and_count)
    monkeypatch.setattr(applications_service, "record_transition", fail_on_approval)
    return seen


def test_a_failed_approval_leaves_nothing_of_the_permit(
    app: FastAPI, session: Session, failing_second_step: dict[str, int]
) -> None:
    clerk = make_user(session, Role.clerk)
    application = make_application(session, permit_type="sex_business")
    events_before = _count(session, AuditEvent)
    addresses_before = _count(session, Address)

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post(
            f"/api/v1/applications/{application.id}/decision",
            json={"decision": "approve"},
            headers=token_for(client, clerk),
        )
    assert response.status_code == 500
    assert response.json()["detail"]["code"] == "internal_error"
    assert failing_second_step["permits_issued"] == 1  # the first step did write

    session.expire_all()
    assert _count(session, Permit, col(Permit.application_id) == application.id) == 0
    assert _count(session, Address) == addresses_before
    assert _count(session, Document, col(Document.subject_id) == application.id) == 0
    approval_checks = _count(
        session,
        ApplicationCheck,
        col(ApplicationCheck.application_id) == application.id,
        col(ApplicationCheck.stage) == "approval",
    )
    assert approval_checks == 0
    found = session.get(Application, application.id)
    assert found is not None and found.status is ApplicationStatus.submitted
    assert found.decided_at is None
    # Not even an audit event of the permit: the trail holds only what happened (the
    # login's own events aside, none were written by the failed request).
    assert (
        _count(
            session, AuditEvent, col(AuditEvent.action).in_(["permit.issue", "application.approve"])
        )
        == 0
    )
    assert _count(session, AuditEvent) == events_before


def test_the_same_approval_succeeds_without_the_failure(
    client: TestClient, session: Session
) -> None:
    """The control: the same request, nothing patched, issues the permit."""
    clerk: User = make_user(session, Role.clerk)
    application = make_application(session, permit_type="sex_business")
    response = client.post(
        f"/api/v1/applications/{application.id}/decision",
        json={"decision": "approve"},
        headers=token_for(client, clerk),
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "approved"
    session.expire_all()
    assert _count(session, Permit, col(Permit.application_id) == application.id) == 1
    assert _count(session, Address) >= 1
