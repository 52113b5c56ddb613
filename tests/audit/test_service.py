from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select

from app.audit import service as audit
from app.audit.models import GENESIS_HASH, AuditEvent
from app.auth.models import Role
from app.errors import AppError
from tests.factories import make_user


def test_every_change_is_audited_and_chain_verifies(session: Session) -> None:
    admin = make_user(session, Role.admin)
    make_user(session)
    events = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
    # A staff account sets up two-factor login (the factory does, as at a first login).
    assert [e.action for e in events] == ["account.create", "account.mfa_enrol", "account.create"]
    assert events[0].prev_hash == GENESIS_HASH
    assert events[1].prev_hash == events[0].hash
    assert events[0].actor_id == admin.id
    report = audit.verify_chain(session)
    assert report.ok and report.checked == 3


def test_secrets_never_reach_the_trail(session: Session) -> None:
    event = audit.record(
        session,
        actor=None,
        action="test.secret",
        object_type="thing",
        after={"password": "hunter2hunter2", "token": "abc", "name": "ok"},
    )
    assert event.after == {"name": "ok"}


def test_tampering_with_content_is_detected(session: Session) -> None:
    make_user(session)
    make_user(session)
    first = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).first()
    assert first is not None
    session.execute(
        text("UPDATE audit_event SET object_id = 'someone-else' WHERE id = :id"), {"id": first.id}
    )
    session.expire_all()
    report = audit.verify_chain(session)
    assert not report.ok
    assert report.broken_at == first.id


def test_deleting_a_row_is_detected(session: Session) -> None:
    for _ in range(3):
        make_user(session)
    ids = [e.id for e in session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()]
    session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[1]})
    session.expire_all()
    report = audit.verify_chain(session)
    assert report.broken_at == ids[2]
    assert "previous" in (report.reason or "")


def test_failed_change_leaves_no_audit_row(session: Session) -> None:
    make_user(session, email="dup@example.org")
    before = len(session.exec(select(AuditEvent)).all())
    with pytest.raises(AppError):
        make_user(session, email="dup@example.org")
    assert len(session.exec(select(AuditEvent)).all()) == before


def test_a_rolled_back_savepoint_forgets_only_its_own_events(session: Session) -> None:
    """A page that catches a failed step (a savepoint rolled back) keeps what the request
    did before it, such as the audited read of the file it shows."""
    audit.record(session, actor=None, action="test.before", object_type="test")
    with pytest.raises(RuntimeError), session.begin_nested():
        audit.record(session, actor=None, action="test.inside", object_type="test")
        raise RuntimeError("the step failed")
    with session.begin_nested():
        audit.record(session, actor=None, action="test.kept", object_type="test")
    session.commit()
    actions = session.exec(
        select(AuditEvent.action).where(col(AuditEvent.action).startswith("test."))
    ).all()
    assert actions == ["test.before", "test.kept"]
    assert audit.verify_chain(session).ok


def test_a_full_rollback_forgets_every_event(session: Session) -> None:
    audit.record(session, actor=None, action="test.gone", object_type="test")
    session.rollback()
    session.commit()
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "test.gone")).all() == []
