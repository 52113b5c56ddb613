"""Anchors catch what the hash chain alone cannot: a deleted end of the trail, and a
chain rewritten from some row on and hashed again. On both databases, with real commits."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from app.audit import anchor
from app.audit import service as audit
from app.audit.models import AuditEvent


def _events(engine: Engine, count: int) -> None:
    with Session(engine) as session:
        for number in range(count):
            audit.record(
                session, actor=None, action="test.event", object_type="thing", after={"n": number}
            )
            session.commit()


def test_an_intact_trail_verifies_against_its_anchors(
    isolated_engine: Engine, tmp_path: Path
) -> None:
    file = tmp_path / "anchors.jsonl"
    _events(isolated_engine, 3)
    with Session(isolated_engine) as session:
        first = anchor.write_anchor(session, file)
    _events(isolated_engine, 2)
    with Session(isolated_engine) as session:
        second = anchor.write_anchor(session, file)
        report = anchor.verify(session, file)
    assert first is not None and second is not None and second.count == first.count + 2
    assert report.ok and report.anchors == 2
    assert len(file.read_text().splitlines()) == 2  # appended, never rewritten


def test_a_deleted_end_is_reported(isolated_engine: Engine, tmp_path: Path) -> None:
    file = tmp_path / "anchors.jsonl"
    _events(isolated_engine, 5)
    with Session(isolated_engine) as session:
        anchor.write_anchor(session, file)
        newest = session.exec(select(AuditEvent.id).order_by(col(AuditEvent.id).desc())).all()
        session.execute(delete(AuditEvent).where(col(AuditEvent.id).in_(newest[:2])))
        session.commit()
        assert audit.verify_chain(session).ok  # the chain alone sees nothing wrong
        report = anchor.verify(session, file)
    assert not report.ok and "deleted" in (report.problem or "")


def test_a_rewritten_and_rehashed_chain_is_reported(
    isolated_engine: Engine, tmp_path: Path
) -> None:
    file = tmp_path / "anchors.jsonl"
    _events(isolated_engine, 5)
    with Session(isolated_engine) as session:
        anchor.write_anchor(session, file)
        rows = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
        # Rewrite from the third row on and hash the chain again.
        rows[2].after = {"n": "changed"}
        previous = rows[1].hash
        for row in rows[2:]:
            row.prev_hash = previous
            row.hash = previous = audit.compute_hash(row)
            session.add(row)
        session.commit()
        assert audit.verify_chain(session).ok
        report = anchor.verify(session, file)
    assert not report.ok and "rewritten" in (report.problem or "")


def test_a_forged_or_removed_anchor_is_reported(isolated_engine: Engine, tmp_path: Path) -> None:
    file = tmp_path / "anchors.jsonl"
    _events(isolated_engine, 2)
    with Session(isolated_engine) as session:
        for _ in range(3):
            anchor.write_anchor(session, file)
        lines = file.read_text().splitlines()
        file.write_text("\n".join([lines[0], lines[2]]) + "\n")
        assert "missing" in (anchor.verify(session, file).problem or "")
        file.write_text(lines[0].replace('"count": 2', '"count": 1') + "\n")
        assert "signature" in (anchor.verify(session, file).problem or "")
