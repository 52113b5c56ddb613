"""Two transactions that both extend the audit chain, interleaved, on real connections:
the second to commit must link to the first, never to the end it saw when it began (a
read-only transaction whose only write is its audit event included)."""

from __future__ import annotations

from sqlmodel import Session, select

from app.audit import service as audit
from app.audit.models import AuditEvent
from app.auth.models import User
from app.db import make_engine
from app.migrations import upgrade
from tests.conftest import fresh_database_url


def test_interleaved_writers_keep_one_chain(backend: str) -> None:
    url = fresh_database_url(backend, "swl_chain_interleaved")
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as first, Session(engine) as second:
        # The first begins reading (a staff read: nothing but an audit event to write).
        first.exec(select(User)).all()
        audit.record(first, actor=None, action="test.read", object_type="thing")
        # Meanwhile another request writes and commits an event.
        audit.record(second, actor=None, action="test.change", object_type="thing")
        second.commit()
        first.commit()
    with Session(engine) as session:
        report = audit.verify_chain(session)
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    engine.dispose()
    assert sorted(actions) == ["test.change", "test.read"]
    assert report.ok, report
