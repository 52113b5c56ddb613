"""The quarter's statistics: counted in the database (GROUP BY), never from the audit
trail, and protected against small counts before anything leaves this module.

Every table is counted for one quarter of the calendar in the municipality's time zone;
nothing finer than a quarter and no place finer than the municipality is ever counted.
A table holds only counts; ``protect`` (``suppression.py``) decides what may be shown.
"""

from __future__ import annotations

import statistics as pystats
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.applications.models import Application, ApplicationStatus, ApplicationStatusChange
from app.audit import service as audit
from app.auth.models import User
from app.auth.permissions import Action, can
from app.config import get_settings
from app.db import local_today
from app.errors import Forbidden, InvalidInput
from app.homework.models import HomeWorkRegistration, HomeWorkStatus
from app.i18n import gettext as _
from app.inspections.models import Inspection, InspectionStatus, InspectionVersion, Outcome
from app.nuisance.models import NuisanceReport
from app.permits.models import Permit, PermitStatus
from app.policy.schema import LabelledItem, Policy
from app.signals import service as signals_service
from app.signals.models import FollowUpKind, Signal, SignalFollowUp
from app.statistics.suppression import ProtectedTable, protect, protect_views

TOP_CHECKLIST_ITEMS = 5
"""How many checklist items the "most often failed" table lists."""


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """ "2026-Q3" (or "2026q3")."""
        try:
            year, number = text.upper().split("-Q") if "-" in text else text.upper().split("Q")
            quarter = cls(int(year), int(number))
        except ValueError as exc:
            raise InvalidInput("invalid_quarter", "A quarter is written as 2026-Q3.") from exc
        if not 1 <= quarter.number <= 4 or not 2000 <= quarter.year <= 2100:
            raise InvalidInput("invalid_quarter", "A quarter is written as 2026-Q3.")
        return quarter

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    @property
    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    @property
    def last_day(self) -> date:
        return self.next.first_day - timedelta(days=1)

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as moments in the municipality's time zone."""
        zone = ZoneInfo(get_settings().timezone)
        start = datetime.combine(self.first_day, datetime.min.time(), zone)
        end = datetime.combine(self.next.first_day, datetime.min.time(), zone)
        return start, end

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"


@dataclass(frozen=True)
class Table:
    """One published table: keys and labels of its rows and columns, and the protected
    counts (the true counts stay inside ``protected`` and are shown only where allowed)."""

    key: str
    title: str
    description: str
    row_keys: tuple[str, ...]
    column_keys: tuple[str, ...]
    protected: ProtectedTable
    extra: dict[str, Any] | None = None

    @property
    def rows(self) -> tuple[str, ...]:
        return self.protected.rows

    @property
    def columns(self) -> tuple[str, ...]:
        return self.protected.columns


@dataclass(frozen=True)
class Statistics:
    quarter: Quarter
    threshold: int
    tables: tuple[Table, ...]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def make_table(
    *,
    key: str,
    title: str,
    description: str,
    rows: Sequence[tuple[str, str]],
    columns: Sequence[tuple[str, str]],
    counts: dict[tuple[str, str], int],
    threshold: int,
    extra: dict[str, Any] | None = None,
) -> Table:
    grid = [[counts.get((r, c), 0) for c, _label in columns] for r, _label in rows]
    return Table(
        key=key,
        title=title,
        description=description,
        row_keys=tuple(r for r, _label in rows),
        column_keys=tuple(c for c, _label in columns),
        protected=protect(
            [label for _k, label in rows], [label for _k, label in columns], grid, threshold
        ),
        extra=extra,
    )


def for_quarter(
    *, session: Session, quarter: Quarter, policy: Policy, actor: User | None, lang: str = "en"
) -> Statistics:
    """Every table of the quarter, protected. ``actor`` None: the open data (the same
    protected tables); otherwise the actor must hold ``statistics.read``."""
    if actor is not None and not can(actor, Action.statistics_read):
        raise Forbidden()
    threshold = policy.statistics.small_count_threshold
    start, end = quarter.bounds()
    en = lang == "en"

    def item_label(item: LabelledItem) -> str:
        return item.label_en if en else item.label_nl

    types = [(k, t.label_en if en else t.label_nl) for k, t in policy.permit_types.items()]
    tables = (
        *_decisions(session, start, end, types, threshold),
        _permits_in_force(session, quarter, end, types, threshold),
        _home_work_in_force(session, end, threshold),
        _home_work_ended(session, start, end, threshold),
        _nuisance(session, start, end, policy, item_label, threshold),
        _inspections(session, start, end, threshold),
        _checklist(session, start, end, policy, item_label, threshold),
        _signal_indicators(session, start, end, policy, item_label, threshold),
        _signal_follow_up(session, start, end, threshold),
    )
    if actor is not None:
        audit.record(
            session,
            actor=actor,
            action="statistics.read",
            object_type="statistics",
            after={"quarter": str(quarter)},
        )
    return Statistics(quarter=quarter, threshold=threshold, tables=tables)


def current_quarter() -> Quarter:
    return Quarter.of(local_today())


# --- the tables -------------------------------------------------------------------------


FINEST = (
    "approved_on_time",
    "approved_extended",
    "approved_late",
    "refused_on_time",
    "refused_extended",
    "refused_late",
    "withdrawn",
)
"""The finest counts of the quarter's decisions; both decision tables add these up and are
protected together, since the second's row totals are the first's approved + refused."""


def _decisions(
    session: Session,
    start: datetime,
    end: datetime,
    types: list[tuple[str, str]],
    threshold: int,
) -> tuple[Table, Table]:
    """Applications decided (approved, refused) or withdrawn in the quarter, by type and
    outcome; and the decisions against the statutory period (on time, on time after an
    extension, late), with the median days from submission to decision per type."""
    zone = ZoneInfo(get_settings().timezone)
    counts: dict[tuple[str, str], int] = {}
    days: dict[str, list[int]] = {}
    rows = session.execute(
        sa_select(
            col(Application.permit_type),
            col(Application.decided_at),
            col(Application.decision_due),
            col(Application.extended_at),
            col(Application.submitted_at),
            col(Application.status),
        ).where(
            col(Application.status).in_((ApplicationStatus.approved, ApplicationStatus.refused)),
            col(Application.decided_at) >= start,
            col(Application.decided_at) < end,
        )
    ).all()
    for permit_type, decided_at, due, extended_at, submitted_at, status in rows:
        decided_on = decided_at.astimezone(zone).date()
        if due is not None and decided_on > due:
            kind = "late"
        elif extended_at is not None:
            kind = "extended"
        else:
            kind = "on_time"
        key = (permit_type, f"{status.value}_{kind}")
        counts[key] = counts.get(key, 0) + 1
        if submitted_at is not None:
            days.setdefault(permit_type, []).append(
                (decided_on - submitted_at.astimezone(zone).date()).days
            )
    withdrawn = session.exec(
        select(Application.permit_type, func.count())
        .select_from(ApplicationStatusChange)
        .join(Application, col(Application.id) == col(ApplicationStatusChange.application_id))
        .where(
            col(ApplicationStatusChange.to_status) == ApplicationStatus.withdrawn,
            col(ApplicationStatusChange.occurred_at) >= start,
            col(ApplicationStatusChange.occurred_at) < end,
        )
        .group_by(Application.permit_type)
    ).all()
    for permit_type, n in withdrawn:
        counts[(permit_type, "withdrawn")] = n
    grid = [[counts.get((t, f), 0) for f in FINEST] for t, _label in types]
    outcome_columns = [
        ("approved", _("Approved")),
        ("refused", _("Refused")),
        ("withdrawn", _("Withdrawn")),
    ]
    time_columns = [
        ("on_time", _("On time")),
        ("extended", _("On time after an extension")),
        ("late", _("Late")),
    ]
    by_outcome, by_time = protect_views(
        [label for _k, label in types],
        grid,
        [
            ([label for _k, label in outcome_columns], [[0, 1, 2], [3, 4, 5], [6]]),
            ([label for _k, label in time_columns], [[0, 3], [1, 4], [2, 5]]),
        ],
        threshold,
    )
    medians: dict[str, float | None] = {}
    for r, (permit_type, _label) in enumerate(types):
        decided = by_time.row_totals[r] if by_time.row_totals else by_time.cells[r][0]
        # A median is shown only where the number of decisions it is taken over is.
        shown = decided.published is not None and bool(days.get(permit_type))
        medians[permit_type] = float(pystats.median(days[permit_type])) if shown else None
    row_keys = tuple(k for k, _label in types)
    return (
        Table(
            key="applications",
            title=_("Applications by permit type and outcome"),
            description=_("Applications approved, refused or withdrawn in the quarter."),
            row_keys=row_keys,
            column_keys=tuple(k for k, _label in outcome_columns),
            protected=by_outcome,
        ),
        Table(
            key="processing",
            title=_("Decisions against the statutory period"),
            description=_(
                "Applications decided in the quarter: within the decision period, within the "
                "period after one extension, or after it; and the median days from "
                "submission to decision."
            ),
            row_keys=row_keys,
            column_keys=tuple(k for k, _label in time_columns),
            protected=by_time,
            extra={"medians": medians},
        ),
    )


def _permits_in_force(
    session: Session,
    quarter: Quarter,
    end: datetime,
    types: list[tuple[str, str]],
    threshold: int,
) -> Table:
    last_day = quarter.last_day
    rows = session.exec(
        select(Permit.permit_type, Permit.status, func.count())
        .where(
            col(Permit.status).in_((PermitStatus.active, PermitStatus.suspended)),
            col(Permit.valid_until) >= last_day,
            col(Permit.created_at) < end,
        )
        .group_by(Permit.permit_type, Permit.status)
    ).all()
    counts = {(t, str(s)): n for t, s, n in rows}
    return make_table(
        key="permits",
        title=_("Permits in force by type"),
        description=_("Permits in force on the last day of the quarter (as their status is now)."),
        rows=types,
        columns=[("active", _("Active")), ("suspended", _("Suspended"))],
        counts=counts,
        threshold=threshold,
    )


def _home_work_in_force(session: Session, end: datetime, threshold: int) -> Table:
    started = col(HomeWorkRegistration.started_at)
    ended = col(HomeWorkRegistration.ended_at)
    total = session.exec(
        select(func.count())
        .select_from(HomeWorkRegistration)
        .where(
            started.is_not(None),
            started < end,
            or_(ended.is_(None), ended >= end),
            col(HomeWorkRegistration.status) != HomeWorkStatus.refused,
        )
    ).one()
    return make_table(
        key="home_work_active",
        title=_("Home-work registrations active"),
        description=_("Home-work registrations active at the end of the quarter."),
        rows=[("active", _("Active"))],
        columns=[("registrations", _("Registrations"))],
        counts={("active", "registrations"): int(total)},
        threshold=threshold,
    )


def _home_work_ended(session: Session, start: datetime, end: datetime, threshold: int) -> Table:
    ended = (
        HomeWorkStatus.ended,
        HomeWorkStatus.ended_moved,
        HomeWorkStatus.ended_after_review,
    )
    rows = session.exec(
        select(HomeWorkRegistration.status, func.count())
        .where(
            col(HomeWorkRegistration.status).in_(ended),
            col(HomeWorkRegistration.ended_at) >= start,
            col(HomeWorkRegistration.ended_at) < end,
        )
        .group_by(HomeWorkRegistration.status)
    ).all()
    counts = {(str(s), "registrations"): n for s, n in rows}
    return make_table(
        key="home_work_ended",
        title=_("Home-work registrations ended, by reason"),
        description=_("Home-work registrations that ended in the quarter."),
        rows=[
            ("ended", _("Ended by the worker")),
            ("ended_moved", _("No longer registered at the address")),
            ("ended_after_review", _("Ended after a nuisance review")),
        ],
        columns=[("registrations", _("Registrations"))],
        counts=counts,
        threshold=threshold,
    )


def _nuisance(
    session: Session,
    start: datetime,
    end: datetime,
    policy: Policy,
    item_label: Any,
    threshold: int,
) -> Table:
    verdict = case(
        (col(NuisanceReport.substantiated).is_(True), "substantiated"),
        (col(NuisanceReport.substantiated).is_(False), "not_substantiated"),
        else_="not_assessed",
    )
    rows = session.exec(
        select(NuisanceReport.category, verdict, func.count())
        .where(col(NuisanceReport.created_at) >= start, col(NuisanceReport.created_at) < end)
        .group_by(NuisanceReport.category, verdict)
    ).all()
    counts = {(c, v): n for c, v, n in rows}
    return make_table(
        key="nuisance",
        title=_("Nuisance reports by category"),
        description=_("Nuisance reports received in the quarter and how they were assessed."),
        rows=[(item.key, item_label(item)) for item in policy.nuisance_categories],
        columns=[
            ("substantiated", _("Substantiated")),
            ("not_substantiated", _("Not substantiated")),
            ("not_assessed", _("Not assessed yet")),
        ],
        counts=counts,
        threshold=threshold,
    )


def _recorded(start: datetime, end: datetime) -> tuple[Any, ...]:
    return (
        col(Inspection.status) == InspectionStatus.recorded,
        col(Inspection.visited_at) >= start,
        col(Inspection.visited_at) < end,
    )


def _inspections(session: Session, start: datetime, end: datetime, threshold: int) -> Table:
    rows = session.exec(
        select(Inspection.outcome, func.count())
        .where(*_recorded(start, end))
        .group_by(Inspection.outcome)
    ).all()
    counts = {(str(o), "inspections"): n for o, n in rows if o is not None}
    return make_table(
        key="inspections",
        title=_("Inspections by outcome"),
        description=_("Visits made in the quarter, by their recorded outcome."),
        rows=[
            (Outcome.compliant.value, _("Compliant")),
            (Outcome.warning.value, _("Warning")),
            (Outcome.violation.value, _("Violation")),
        ],
        columns=[("inspections", _("Inspections"))],
        counts=counts,
        threshold=threshold,
    )


def _checklist(
    session: Session,
    start: datetime,
    end: datetime,
    policy: Policy,
    item_label: Any,
    threshold: int,
) -> Table:
    """Checklist items answered "no" on the latest record of the quarter's visits, the most
    often failed first. Answers are plain keys (no personal content); a quarter's visits
    are read as their answers only."""
    latest = and_(
        col(InspectionVersion.inspection_id) == col(Inspection.id),
        col(InspectionVersion.number) == col(Inspection.recorded_versions),
    )
    failed: dict[str, int] = {}
    for answers in session.exec(
        select(InspectionVersion.answers).join(Inspection, latest).where(*_recorded(start, end))
    ):
        for item, answer in (answers or {}).items():
            if answer == "no":
                failed[item] = failed.get(item, 0) + 1
    items = sorted(policy.inspection_checklist, key=lambda i: (-failed.get(i.key, 0), i.key))
    items = items[:TOP_CHECKLIST_ITEMS]
    return make_table(
        key="checklist",
        title=_("Checklist items most often failed"),
        description=_("How often each checklist item was answered no on the quarter's visits."),
        rows=[(item.key, item_label(item)) for item in items],
        columns=[("failed", _("Failed"))],
        counts={(k, "failed"): n for k, n in failed.items()},
        threshold=threshold,
    )


def _signal_indicators(
    session: Session,
    start: datetime,
    end: datetime,
    policy: Policy,
    item_label: Any,
    threshold: int,
) -> Table:
    counts = signals_service.indicator_counts(session=session, start=start, end=end)
    return make_table(
        key="signal_indicators",
        title=_("Signals of trafficking by indicator"),
        description=_(
            "Signals made in the quarter naming each indicator (a signal may name several). "
            "Counts only: no dates finer than the quarter, no place finer than the municipality."
        ),
        rows=[(item.key, item_label(item)) for item in policy.trafficking_indicators],
        columns=[("signals", _("Signals"))],
        counts={(k, "signals"): n for k, n in counts.items()},
        threshold=threshold,
    )


def _signal_follow_up(session: Session, start: datetime, end: datetime, threshold: int) -> Table:
    rows = session.exec(
        select(SignalFollowUp.kind, func.count(func.distinct(SignalFollowUp.signal_id)))
        .join(Signal, col(Signal.id) == col(SignalFollowUp.signal_id))
        .where(
            col(Signal.created_at) >= start,
            col(Signal.created_at) < end,
            col(SignalFollowUp.kind) != FollowUpKind.note,
        )
        .group_by(SignalFollowUp.kind)
    ).all()
    labels = {
        FollowUpKind.contact_made: _("Contact made"),
        FollowUpKind.consent_given: _("Consent to help given"),
        FollowUpKind.consent_refused: _("Help refused"),
        FollowUpKind.referral_shelter: _("Referred to shelter care"),
        FollowUpKind.referral_police: _("Referred to the police"),
        FollowUpKind.referral_support: _("Referred to a support organisation"),
    }
    return make_table(
        key="signal_follow_up",
        title=_("Signals of trafficking by follow-up"),
        description=_("Signals made in the quarter that reached each follow-up step."),
        rows=[(k.value, label) for k, label in labels.items()],
        columns=[("signals", _("Signals"))],
        counts={(str(k), "signals"): n for k, n in rows},
        threshold=threshold,
    )
