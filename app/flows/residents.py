"""A new BRP extract: the local register is replaced and the home-work registrations of
people who moved away from their address end, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from app.addresses import residents
from app.audit import service as audit
from app.homework import service as homework_service


@dataclass(frozen=True)
class Imported:
    report: residents.ImportReport
    registrations_ended: int


def import_extract(*, session: Session, rows: list[residents.Row]) -> Imported:
    report = residents.replace_all(session=session, rows=rows)
    ended = homework_service.end_for_moved(session=session)
    audit.record(
        session,
        actor=None,
        action="residents.import",
        object_type="resident",
        after={
            "people": report.people,
            "moved_in": report.moved_in,
            "moved_out": report.moved_out,
            "home_work_ended": len(ended),
        },
    )
    session.commit()
    return Imported(report, len(ended))
