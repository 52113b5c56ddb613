"""Simulating a draft policy against the permits in force.

It sits above the domains (like app/home.py): it reads permits and the birth dates in their
applications, and evaluates them with the pure policy rules.

A council changing its rules wants to see the effect first. ``simulate`` runs the pure
evaluator (``evaluate_permit_compliance`` per permit, ``evaluate_caps`` over the counts) with
the draft against every permit held on a day, and returns a report; it prints nothing.

Only working names leave this module; the holder's birth date is read (decrypted) from the
permit's application to check ages, used, and dropped. The read is recorded in the audit trail.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from app.applications.models import Application
from app.audit import service as audit
from app.permits import service as permits_service
from app.permits.models import Permit
from app.policy.evaluate import (
    CheckResult,
    PermitFacts,
    evaluate_caps,
    evaluate_permit_compliance,
)
from app.policy.schema import Policy

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each permit is checked."""

HOME_WORK_NOTE = "home-work registrations: none recorded yet"
"""This service does not record home-work registrations yet, so none can be simulated."""


@dataclass(frozen=True)
class PermitOutcome:
    """A permit that fails (or cannot be checked against) the draft. Working name only."""

    number: str
    permit_type: str
    working_name: str
    status: str
    failed: tuple[CheckResult, ...]

    @property
    def rule_ids(self) -> list[str]:
        return [result.rule_id for result in self.failed]

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "permit_type": self.permit_type,
            "working_name": self.working_name,
            "status": self.status,
            "failed_rules": [
                {
                    "rule_id": result.rule_id,
                    "severity": result.severity,
                    "message_en": result.message_en,
                    "message_nl": result.message_nl,
                    "reference": result.reference,
                }
                for result in self.failed
            ],
        }


@dataclass(frozen=True)
class SimulationReport:
    draft_version: str
    on: date
    permits_checked: int
    non_compliant: tuple[PermitOutcome, ...]
    """Permits with at least one blocking failure under the draft, by permit number."""
    unchecked: tuple[PermitOutcome, ...]
    """Permits that could not be checked (e.g. no birth date on file); not counted as failing."""
    caps: tuple[CheckResult, ...]
    counts_by_type: dict[str, int] = field(default_factory=dict)
    home_work_registrations_recorded: bool = False

    @property
    def failed_caps(self) -> list[CheckResult]:
        return [result for result in self.caps if not result.passed]

    @property
    def summary(self) -> str:
        return f"{len(self.non_compliant)} of {self.permits_checked} permits would no longer comply"

    def as_dict(self) -> dict[str, Any]:
        return {
            "draft_version": self.draft_version,
            "on": self.on.isoformat(),
            "permits_checked": self.permits_checked,
            "non_compliant": [outcome.as_dict() for outcome in self.non_compliant],
            "unchecked": [outcome.as_dict() for outcome in self.unchecked],
            "caps": [
                {
                    "permit_type": result.details.get("permit_type"),
                    "active": result.details.get("active"),
                    "cap": result.details.get("cap"),
                    "rule_id": result.rule_id,
                    "passed": result.passed,
                    "message_en": result.message_en,
                    "message_nl": result.message_nl,
                }
                for result in self.caps
            ],
            "home_work": {
                "registrations_recorded": self.home_work_registrations_recorded,
                "note": HOME_WORK_NOTE,
            },
            "summary": self.summary,
        }


def simulate(
    *, session: Session, draft: Policy, on: date, progress: Progress | None = None
) -> SimulationReport:
    """Check every permit held on ``on`` (active or suspended, not expired) against ``draft``."""
    permits = permits_service.list_held(session=session, on=on)
    birth_dates = holder_birth_dates(session=session, permits=permits)
    failing: list[PermitOutcome] = []
    unchecked: list[PermitOutcome] = []
    for done, permit in enumerate(permits, start=1):
        facts = PermitFacts(
            permit_type=permit.permit_type,
            holder_birth_date=birth_dates.get(permit.application_id),
            on=on,
        )
        failed = [r for r in evaluate_permit_compliance(draft, facts) if not r.passed]
        if failed:
            outcome = _outcome(permit, failed)
            if any(result.severity == "blocking" for result in failed):
                failing.append(outcome)
            else:
                unchecked.append(outcome)
        if progress is not None:
            progress(done, len(permits))
    counts = permits_service.counts_by_type(session=session, on=on)
    report = SimulationReport(
        draft_version=draft.version,
        on=on,
        permits_checked=len(permits),
        non_compliant=tuple(failing),
        unchecked=tuple(unchecked),
        caps=tuple(evaluate_caps(draft, counts)),
        counts_by_type=counts,
    )
    audit.record(
        session,
        actor=None,
        action="policy.simulate",
        object_type="policy",
        after={
            "draft_version": draft.version,
            "on": on,
            "permits_checked": report.permits_checked,
            "non_compliant": len(report.non_compliant),
        },
    )
    session.commit()
    return report


def _outcome(permit: Permit, failed: list[CheckResult]) -> PermitOutcome:
    return PermitOutcome(
        number=permit.number,
        permit_type=permit.permit_type,
        working_name=permit.working_name,
        status=permit.status.value,
        failed=tuple(failed),
    )


def holder_birth_dates(
    *, session: Session, permits: Sequence[Permit], batch_size: int = 500
) -> dict[uuid.UUID, date | None]:
    """Birth date per application id, from each permit's (encrypted) application details."""
    ids = [permit.application_id for permit in permits]
    found: dict[uuid.UUID, date | None] = {}
    for start in range(0, len(ids), batch_size):
        rows = session.exec(
            select(Application.id, Application.details).where(
                col(Application.id).in_(ids[start : start + batch_size])
            )
        ).all()
        for application_id, details in rows:
            found[application_id] = _birth_date(details)
    return found


def _birth_date(details: Mapping[str, Any] | None) -> date | None:
    raw = (details or {}).get("birth_date")
    if not isinstance(raw, str):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None
