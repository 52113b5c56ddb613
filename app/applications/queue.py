"""The work queue and the applicant's own list: filters and keyset pages."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from app.applications.models import (
    CLOSED_QUEUE_WHERE,
    CLOSED_STATUSES,
    OPEN_QUEUE_WHERE,
    OPEN_STATUSES,
    Application,
    ApplicationCheck,
    ApplicationStatus,
    QueueItem,
    QueuePage,
)
from app.auth.models import User
from app.auth.permissions import Action, can
from app.db import local_today
from app.errors import Forbidden, InvalidInput


def encode_cursor(row: Any) -> str:
    due = row.decision_due.isoformat() if row.decision_due else "9999-12-31"
    return f"{due}_{row.id}"


def decode_cursor(cursor: str) -> tuple[date, uuid.UUID]:
    try:
        due, _, raw_id = cursor.partition("_")
        return date.fromisoformat(due), uuid.UUID(raw_id)
    except ValueError as exc:
        raise InvalidInput("bad_cursor", "The page cursor is not valid.") from exc


def list_(
    *,
    session: Session,
    actor: User,
    status: ApplicationStatus | None = None,
    permit_type: str | None = None,
    overdue: bool | None = None,
    cursor: str | None = None,
    limit: int = 25,
    today: date | None = None,
) -> QueuePage:
    """Staff: the work queue, oldest deadline first. Applicants: their own applications."""
    today = today or local_today()
    # Only the columns the list shows: never the encrypted details of every row.
    query: Any = select(
        *(
            col(column)
            for column in (
                Application.id,
                Application.permit_type,
                Application.status,
                Application.working_name,
                Application.submitted_at,
                Application.decision_due,
                Application.paused_at,
            )
        )
    )
    if can(actor, Action.application_read_any):
        # Staff never see drafts: an application is the applicant's alone until submitted.
        # Submitted applications always have a deadline, so the queue sorts on the column
        # itself, served by an index (ix_application_open_queue, ix_application_closed_queue).
        query = query.where(col(Application.submitted_at).is_not(None))
        # The very condition of a partial index, as literal SQL: a planner can only use a
        # partial index when it can see that the query asks for rows it holds.
        if status is None or status.value in OPEN_STATUSES:
            query = query.where(OPEN_QUEUE_WHERE)
        elif status.value in CLOSED_STATUSES:
            query = query.where(CLOSED_QUEUE_WHERE)
        due_key: Any = col(Application.decision_due)
    elif can(actor, Action.application_read_own):
        query = query.where(Application.applicant_id == actor.id)
        due_key = _due_key()  # drafts have no deadline yet; an applicant has few rows
    else:
        raise Forbidden()
    if status is not None:
        query = query.where(Application.status == status)
    if permit_type:
        query = query.where(Application.permit_type == permit_type)
    # While information is requested the deadline stands still: never overdue (as the flag).
    if overdue is True:
        query = query.where(
            col(Application.decision_due) < today, col(Application.paused_at).is_(None)
        )
    elif overdue is False:
        query = query.where(
            (col(Application.decision_due) >= today) | col(Application.paused_at).is_not(None)
        )
    if cursor:
        after_due, after_id = decode_cursor(cursor)
        query = query.where(
            (due_key > after_due) | ((due_key == after_due) & (col(Application.id) > after_id))
        )
    rows = list(session.exec(query.order_by(due_key, col(Application.id)).limit(limit + 1)).all())
    page, more = rows[:limit], len(rows) > limit
    blocking = _blocking_counts(session, [row.id for row in page])
    items = [
        QueueItem(
            id=row.id,
            permit_type=row.permit_type,
            status=row.status,
            working_name=row.working_name,
            submitted_at=row.submitted_at,
            decision_due=row.decision_due,
            overdue=bool(row.decision_due and row.decision_due < today and row.paused_at is None),
            blocking_failures=blocking.get(row.id, 0),
        )
        for row in page
    ]
    return QueuePage(items=items, next_cursor=encode_cursor(page[-1]) if more else None)


def _due_key() -> Any:
    return func.coalesce(col(Application.decision_due), date(9999, 12, 31))


def _blocking_counts(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Blocking failures in each application's most recent evaluation, in one query."""
    if not ids:
        return {}
    latest = (
        select(
            ApplicationCheck.application_id,
            func.max(ApplicationCheck.evaluated_at).label("at"),
        )
        .where(col(ApplicationCheck.application_id).in_(ids))
        .group_by(col(ApplicationCheck.application_id))
        .subquery()
    )
    rows = session.exec(
        select(ApplicationCheck.application_id, func.count())
        .join(
            latest,
            (col(ApplicationCheck.application_id) == latest.c.application_id)
            & (col(ApplicationCheck.evaluated_at) == latest.c.at),
        )
        .where(
            col(ApplicationCheck.application_id).in_(ids),
            col(ApplicationCheck.passed).is_(False),
            ApplicationCheck.severity == "blocking",
        )
        .group_by(col(ApplicationCheck.application_id))
    ).all()
    return {application_id: count for application_id, count in rows}


def deadline_counts(*, session: Session, today: date, within_days: int) -> tuple[int, int]:
    """How many open applications are due within `within_days` from today, and how many
    are past their deadline: counts only, for the clerks' daily digest."""
    due_soon = session.exec(
        select(func.count())
        .select_from(Application)
        .where(
            OPEN_QUEUE_WHERE,
            col(Application.decision_due) >= today,
            col(Application.decision_due) <= today + timedelta(days=within_days),
        )
    ).one()
    overdue = session.exec(
        select(func.count())
        .select_from(Application)
        .where(OPEN_QUEUE_WHERE, col(Application.decision_due) < today)
    ).one()
    return int(due_soon), int(overdue)
