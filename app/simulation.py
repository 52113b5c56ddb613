"""Simulating a draft policy against the permits in force.

It sits above the domains (like app/home.py): it reads permits and the birth dates in their
applications, and evaluates them with the pure policy rules.

A council changing its rules wants to see the effect first. ``simulate`` runs the pure
evaluator (``evaluate_permit_compliance`` per permit, ``evaluate_caps`` over the counts) with
the draft against every permit held on a day, and returns a report; it prints nothing.

The permits are streamed, not loaded: one query reads only the columns the evaluation needs
(number, type, working name, status, and the application's encrypted details for the birth
date), in batches, and the report keeps counts plus at most ``limit`` example permits. So a
simulation over 100,000 permits uses about as much memory as one over a hundred.

Only working names leave this module; the holder's birth date is read (decrypted) from the
permit's application to check ages, used, and dropped. The read is recorded in the audit trail.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from app.applications.models import Application
from app.audit import service as audit
from app.auth.models import User
from app.homework import service as homework_service
from app.nuisance import service as nuisance_service
from app.permits.models import Permit, PermitStatus
from app.permits.service import HELD_STATUSES
from app.policy.evaluate import (
    CheckResult,
    HomeWorkFacts,
    PermitFacts,
    Severity,
    evaluate_caps,
    evaluate_home_work,
    evaluate_permit_compliance,
    nuisance_window_start,
)
from app.policy.schema import Policy

_HeldRow = tuple[uuid.UUID, str, str, str, PermitStatus, dict[str, Any] | None]

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each permit is checked."""


DEFAULT_LIMIT = 20
"""How many example permits a report lists per kind (failing, unchecked) unless told."""

BATCH_SIZE = 1000
"""Rows fetched from the database at a time while streaming the permits in force."""


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
class RuleCount:
    """How many permits of one type fail one rule under the draft."""

    permit_type: str
    rule_id: str
    severity: Severity
    permits: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "permit_type": self.permit_type,
            "rule_id": self.rule_id,
            "severity": self.severity,
            "permits": self.permits,
        }


@dataclass(frozen=True)
class RuleImpact:
    """Counts only: how many of the checked permits of one type, or of the checked home-work
    registrations, fail one rule under the draft. No names and no numbers, so a page for the
    council can show it after suppressing small counts."""

    subject: Literal["permit", "home_work_registration"]
    rule_id: str
    permit_type: str | None
    """The permit type for permits; None for home-work registrations."""
    severity: Severity
    failing: int
    checked: int
    """Permits of the type, or home-work registrations, checked in all."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "rule_id": self.rule_id,
            "permit_type": self.permit_type,
            "severity": self.severity,
            "failing": self.failing,
            "checked": self.checked,
        }


@dataclass(frozen=True)
class HomeWorkOutcome:
    """One home-work registration that the draft's home-work rules would break."""

    working_name: str
    status: str
    failed: tuple[CheckResult, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "working_name": self.working_name,
            "status": self.status,
            "failed_rules": [r.rule_id for r in self.failed],
        }


@dataclass(frozen=True)
class HomeWorkSimulation:
    registrations_checked: int = 0
    failing_count: int = 0
    failures: tuple[tuple[str, int], ...] = ()
    """Registrations failing each rule, by rule."""
    failing: tuple[HomeWorkOutcome, ...] = ()
    """The first ``limit`` of them (all when limit is None)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "registrations_checked": self.registrations_checked,
            "failing_count": self.failing_count,
            "failures": [{"rule_id": r, "registrations": n} for r, n in self.failures],
            "failing": [outcome.as_dict() for outcome in self.failing],
        }


@dataclass(frozen=True)
class SimulationReport:
    draft_version: str
    on: date
    permits_checked: int
    non_compliant_count: int
    """Permits with at least one blocking failure under the draft."""
    unchecked_count: int
    """Permits that could not be checked (e.g. no birth date on file); not counted as failing."""
    non_compliant: tuple[PermitOutcome, ...]
    """The first ``limit`` non-compliant permits by permit number (all when limit is None)."""
    unchecked: tuple[PermitOutcome, ...]
    """The first ``limit`` unchecked permits by permit number (all when limit is None)."""
    failures: tuple[RuleCount, ...]
    """Permits failing each rule, per permit type (by type, rule, blocking before advisory)."""
    caps: tuple[CheckResult, ...]
    limit: int | None = DEFAULT_LIMIT
    counts_by_type: dict[str, int] = field(default_factory=dict)
    home_work: HomeWorkSimulation = field(default_factory=HomeWorkSimulation)
    checked_by_type: dict[str, int] = field(default_factory=dict)
    """Permits checked per type (renewed ones included, unlike ``counts_by_type``)."""

    def by_rule(self) -> tuple[RuleImpact, ...]:
        """Per rule, how many permits (per type) and home-work registrations fail it: the
        result as counts only, permits first (as ``failures``), then home work by rule."""
        permits = tuple(
            RuleImpact(
                "permit",
                count.rule_id,
                count.permit_type,
                count.severity,
                count.permits,
                self.checked_by_type.get(count.permit_type, count.permits),
            )
            for count in self.failures
        )
        checked = self.home_work.registrations_checked
        home = tuple(
            RuleImpact("home_work_registration", rule_id, None, "blocking", failing, checked)
            for rule_id, failing in self.home_work.failures
        )
        return permits + home

    @property
    def failed_caps(self) -> list[CheckResult]:
        return [result for result in self.caps if not result.passed]

    @property
    def complete(self) -> bool:
        """Whether the example lists hold every non-compliant and unchecked permit."""
        return (
            len(self.non_compliant) == self.non_compliant_count
            and len(self.unchecked) == self.unchecked_count
        )

    @property
    def summary(self) -> str:
        return (
            f"{self.non_compliant_count} of {self.permits_checked} permits would no longer comply"
        )

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data; ``non_compliant`` and ``unchecked`` hold at most
        ``limit`` permits each, the ``*_count`` keys and ``failures`` count all of them."""
        return {
            "draft_version": self.draft_version,
            "on": self.on.isoformat(),
            "permits_checked": self.permits_checked,
            "non_compliant_count": self.non_compliant_count,
            "unchecked_count": self.unchecked_count,
            "failures": [count.as_dict() for count in self.failures],
            "limit": self.limit,
            "complete": self.complete,
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
            "home_work": self.home_work.as_dict(),
            "by_rule": [impact.as_dict() for impact in self.by_rule()],
            "summary": self.summary,
        }


def simulate(
    *,
    session: Session,
    draft: Policy,
    on: date,
    progress: Progress | None = None,
    limit: int | None = DEFAULT_LIMIT,
    batch_size: int = BATCH_SIZE,
    actor: User | None = None,
) -> SimulationReport:
    """Check every permit held on ``on`` (active or suspended, not expired) against ``draft``.

    ``limit`` bounds the example permits kept in the report (None keeps every one); the
    counts always cover all permits. The run is audited (as ``actor``, None for the
    command line); the caller commits.
    """
    total = session.exec(select(func.count()).select_from(Permit).where(*_held(on))).one()
    renewed = _renewed_permit_ids(session)
    # The evaluator is pure, so its answer for a (permit type, birth date) pair is reused.
    verdicts: dict[tuple[str, date | None], tuple[CheckResult, ...]] = {}
    failing: list[PermitOutcome] = []
    unchecked: list[PermitOutcome] = []
    failing_count = unchecked_count = checked = 0
    failures: Counter[tuple[str, str, Severity]] = Counter()
    counts: Counter[str] = Counter()
    checked_by_type: Counter[str] = Counter()
    for row in _held_rows(session, on=on, batch_size=batch_size):
        permit_id, number, permit_type, working_name, status, details = row
        checked += 1
        checked_by_type[permit_type] += 1
        if permit_id not in renewed:
            counts[permit_type] += 1
        key = (permit_type, _birth_date(details))
        failed = verdicts.get(key)
        if failed is None:
            # This service records no permit interviews: no permit in force has had one.
            facts = PermitFacts(
                permit_type=permit_type, holder_birth_date=key[1], on=on, interview_held=False
            )
            failed = tuple(r for r in evaluate_permit_compliance(draft, facts) if not r.passed)
            verdicts[key] = failed
        if failed:
            for result in failed:
                failures[(permit_type, result.rule_id, result.severity)] += 1
            blocking = any(result.severity == "blocking" for result in failed)
            if blocking:
                failing_count += 1
            else:
                unchecked_count += 1
            kept = failing if blocking else unchecked
            if limit is None or len(kept) < limit:
                kept.append(PermitOutcome(number, permit_type, working_name, status.value, failed))
        if progress is not None:
            progress(checked, max(total, checked))
    counts_by_type = dict(sorted(counts.items()))
    report = SimulationReport(
        draft_version=draft.version,
        on=on,
        permits_checked=checked,
        non_compliant_count=failing_count,
        unchecked_count=unchecked_count,
        non_compliant=tuple(failing),
        unchecked=tuple(unchecked),
        failures=tuple(
            RuleCount(*key, permits) for key, permits in sorted(failures.items(), key=_rule_order)
        ),
        caps=tuple(evaluate_caps(draft, counts_by_type)),
        limit=limit,
        counts_by_type=counts_by_type,
        home_work=simulate_home_work(session=session, draft=draft, on=on, limit=limit),
        checked_by_type=dict(sorted(checked_by_type.items())),
    )
    audit.record(
        session,
        actor=actor,
        action="policy.simulate",
        object_type="policy",
        after={
            "draft_version": draft.version,
            "on": on,
            "permits_checked": report.permits_checked,
            "non_compliant": report.non_compliant_count,
            "home_work_checked": report.home_work.registrations_checked,
            "home_work_failing": report.home_work.failing_count,
        },
    )
    session.flush()
    return report


def simulate_home_work(
    *, session: Session, draft: Policy, on: date, limit: int | None = DEFAULT_LIMIT
) -> HomeWorkSimulation:
    """Check every home-work registration that takes a place at its address (active or
    under review) against the draft's home-work rules: allowed at all, a permit where the
    draft asks one (a permit of that type in force, whether or not it meets the draft: that
    is counted under permits), the maximum per address, and the nuisance established there
    within the draft's window. Registration at the address is taken as the register last
    confirmed it."""
    checked = failing_count = 0
    failures: Counter[str] = Counter()
    failing: list[HomeWorkOutcome] = []
    start = nuisance_window_start(draft, on)
    needed = draft.home_work.permit_type
    holders = _permit_holders(session, needed, on) if needed is not None else set()
    for address_id, registrations in homework_service.open_by_address(session=session):
        nuisance = nuisance_service.substantiated_dates(
            session=session, address_id=address_id, since=start
        )
        verdicts: dict[bool | None, tuple[CheckResult, ...]] = {}
        for working_name, status, worker_id in registrations:
            checked += 1
            holds = None if needed is None else worker_id in holders
            failed = verdicts.get(holds)
            if failed is None:
                facts = HomeWorkFacts(
                    on=on,
                    registered_at_address=True,
                    workers_at_address=len(registrations) - 1,
                    substantiated_nuisance_dates=nuisance,
                    holds_permit=holds,
                )
                failed = tuple(
                    r
                    for r in evaluate_home_work(draft, facts)
                    if not r.passed and r.severity == "blocking"
                )
                verdicts[holds] = failed
            if not failed:
                continue
            # Working names only: a list of who works from home where is not for a report.
            failing_count += 1
            for result in failed:
                failures[result.rule_id] += 1
            if limit is None or len(failing) < limit:
                failing.append(HomeWorkOutcome(working_name, status, failed))
    return HomeWorkSimulation(
        registrations_checked=checked,
        failing_count=failing_count,
        failures=tuple(sorted(failures.items())),
        failing=tuple(failing),
    )


def _permit_holders(session: Session, permit_type: str, on: date) -> set[uuid.UUID]:
    """The accounts holding a permit of this type in force on ``on``."""
    rows = session.exec(
        select(Permit.holder_id).where(*_held(on), col(Permit.permit_type) == permit_type)
    )
    return set(rows)


def _rule_order(item: tuple[tuple[str, str, Severity], int]) -> tuple[str, str, bool]:
    (permit_type, rule_id, severity), _ = item
    return permit_type, rule_id, severity != "blocking"


def _held(on: date) -> tuple[Any, ...]:
    """The conditions for a permit in force on a day (as ``permits.service.list_held``)."""
    return (col(Permit.status).in_(HELD_STATUSES), col(Permit.valid_until) >= on)


def _renewed_permit_ids(session: Session) -> set[uuid.UUID]:
    """Permits renewed by a held permit: they take no place of their own under a cap (as
    ``permits.service.counts_by_type`` counts). Read once, so the count stays linear where a
    correlated sub-query per permit would not (SQLite, no index on ``renewal_of_id``)."""
    rows = session.exec(
        select(Permit.renewal_of_id).where(
            col(Permit.renewal_of_id).is_not(None), col(Permit.status).in_(HELD_STATUSES)
        )
    )
    return {permit_id for permit_id in rows if permit_id is not None}


def _held_rows(session: Session, *, on: date, batch_size: int) -> Iterator[_HeldRow]:
    """The permits in force, by permit number, as rows of only the columns the check needs,
    read in keyset batches: no ORM objects, no cursor left open between batches."""
    connection = session.connection()  # Core rows, in the session's transaction
    last_number = ""
    while True:
        batch = connection.execute(
            sa_select(
                col(Permit.id),
                col(Permit.number),
                col(Permit.permit_type),
                col(Permit.working_name),
                col(Permit.status),
                col(Application.details),
            )
            .join(Application, col(Application.id) == col(Permit.application_id))
            .where(*_held(on), col(Permit.number) > last_number)
            .order_by(col(Permit.number))
            .limit(batch_size)
        ).all()
        yield from batch
        if len(batch) < batch_size:
            return
        last_number = batch[-1][1]


def _birth_date(details: Mapping[str, Any] | None) -> date | None:
    raw = (details or {}).get("birth_date")
    if not isinstance(raw, str):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None
