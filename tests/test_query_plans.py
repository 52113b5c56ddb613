"""Every list that can grow is served by an index on both databases: the queries the
service really sends are captured and explained. PostgreSQL is told to avoid sequential
scans and sorts, so a plan that still has one has no index to use; SQLite's planner says
SCAN (without an index) or TEMP B-TREE when it would read or sort a whole table."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session

from app.applications import queue
from app.applications.models import ApplicationStatus
from app.audit import service as audit
from app.auth import service as auth_service
from app.auth.models import Role, User
from app.db import local_today, utcnow
from app.mail import outbox, sender
from app.permits import service as permits_service
from app.permits import verification
from tests.factories import make_application, make_user

GROWING_TABLES = (
    "application",
    "application_check",
    "permit",
    "audit_event",
    "user_account",
    "home_work_registration",
    "nuisance_report",
    "inspection",
    "inspection_referral",
    "outbox_message",
)


@contextmanager
def captured(session: Session) -> Iterator[list[tuple[str, Any]]]:
    statements: list[tuple[str, Any]] = []
    connection = session.connection()

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", keep)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", keep)


def full_scans(session: Session, statement: str, parameters: Any) -> list[str]:
    """The plan's steps that read or sort a whole growing table."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_sort = off")
        plan = [row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters)]
        bad = [
            line
            for line in plan
            if re.search(rf"Seq Scan on ({'|'.join(GROWING_TABLES)})\b", line)
            or re.match(r"\s*(->\s*)?Sort\b", line)
        ]
        connection.exec_driver_sql("RESET enable_seqscan")
        connection.exec_driver_sql("RESET enable_sort")
        return bad
    plan = [
        str(row[-1])
        for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
    ]
    # The integer primary key is the table itself: walking it backwards to the newest row
    # (ORDER BY id DESC LIMIT n) reads n rows, though SQLite calls that a SCAN.
    newest_first = re.search(r"ORDER BY (\w+)\.id DESC\s+LIMIT", statement)
    return [
        line
        for line in plan
        if (
            re.match(rf"SCAN ({'|'.join(GROWING_TABLES)})\b(?!.*USING)", line)
            and not (newest_first and line == f"SCAN {newest_first.group(1)}")
        )
        or "TEMP B-TREE" in line
    ]


def assert_indexed(session: Session, call: Callable[[], Any]) -> None:
    with captured(session) as statements:
        call()
    assert statements, "the call sent no query"
    for statement, parameters in statements:
        if not re.search(rf"\bFROM ({'|'.join(GROWING_TABLES)})\b", statement):
            continue
        bad = full_scans(session, statement, parameters)
        assert not bad, f"{statement}\n-> {bad}"


@pytest.fixture
def filled(session: Session, clerk: User) -> User:
    applicant = make_user(session)
    for _ in range(3):
        make_application(session, applicant)
    make_application(session, applicant, submit=False, documents=False)
    return applicant


def test_the_clerks_queue_is_served_by_an_index(
    session: Session, clerk: User, filled: User
) -> None:
    assert_indexed(session, lambda: queue.list_(session=session, actor=clerk, limit=2))
    first = queue.list_(session=session, actor=clerk, limit=1)
    assert first.next_cursor
    assert_indexed(
        session,
        lambda: queue.list_(session=session, actor=clerk, limit=1, cursor=first.next_cursor),
    )
    for status in (ApplicationStatus.submitted, ApplicationStatus.approved):
        assert_indexed(
            session,
            lambda status=status: queue.list_(session=session, actor=clerk, status=status, limit=2),
        )


def test_permit_lookups_and_cap_counts_are_served_by_an_index(
    session: Session, permit: Any
) -> None:
    assert_indexed(session, lambda: verification.verify(session=session, number=permit.number))
    assert_indexed(
        session,
        lambda: permits_service.count_held(
            session=session, permit_type="sex_worker", on=local_today()
        ),
    )


def test_the_audit_chain_end_and_staff_list_are_served_by_an_index(session: Session) -> None:
    admin = make_user(session, Role.admin)
    make_user(session, Role.clerk)

    def record_and_commit() -> None:
        audit.record(session, actor=admin, action="test.plan", object_type="thing")
        session.commit()

    assert_indexed(session, record_and_commit)
    assert_indexed(session, lambda: auth_service.list_(session=session, actor=admin, limit=1))


def test_home_work_and_nuisance_lists_are_served_by_an_index(session: Session) -> None:
    from datetime import timedelta

    from app.addresses import residents
    from app.addresses.register import LocalRegister
    from app.flows import residents as residents_flow
    from app.homework import service as homework_service
    from app.homework.models import HomeWorkCreate, HomeWorkStatus
    from app.nuisance import service as nuisance_service
    from app.nuisance.models import NuisanceReportCreate, NuisanceStatus
    from app.policy import service as policy_service

    extract = (
        "bsn,postcode,huisnummer,huisletter,huisnummertoevoeging,datum_aanvang\n"
        "999993653,5038AB,12,A,,2021-04-01\n111222333,5038AB,14,,,2021-04-01\n"
    )
    residents_flow.import_extract(session=session, rows=residents.read(extract, name="x"))
    workers = [make_user(session), make_user(session)]
    for worker, bsn, house in zip(workers, ("999993653", "111222333"), ("12A", "14"), strict=True):
        homework_service.register(
            session=session,
            data=HomeWorkCreate(
                working_name="Roos", bsn=bsn, postcode="5038AB", house_number=house
            ),
            actor=worker,
            address_register=LocalRegister(session),
        )
    policy = policy_service.load_configured().policy
    for _ in range(3):
        nuisance_service.report(
            session=session,
            data=NuisanceReportCreate(
                postcode="5038AB",
                house_number="12A",
                category="noise",
                observed_on=local_today() - timedelta(days=1),
                description="Loud music until three at night.",
            ),
            policy=policy,
        )
    clerk = make_user(session, Role.clerk)
    assert_indexed(session, lambda: homework_service.list_(session=session, actor=clerk, limit=1))
    assert_indexed(
        session,
        lambda: homework_service.list_(
            session=session, actor=clerk, status=HomeWorkStatus.active, limit=1
        ),
    )
    assert_indexed(
        session, lambda: homework_service.list_(session=session, actor=workers[0], limit=1)
    )
    page = homework_service.list_(session=session, actor=clerk, limit=1)
    assert page.next_cursor
    assert_indexed(
        session,
        lambda: homework_service.list_(
            session=session, actor=clerk, limit=1, cursor=page.next_cursor
        ),
    )
    assert_indexed(session, lambda: nuisance_service.list_(session=session, actor=clerk, limit=1))
    assert_indexed(
        session,
        lambda: nuisance_service.list_(
            session=session, actor=clerk, status=NuisanceStatus.received, limit=1
        ),
    )


def test_inspection_lists_are_served_by_an_index(session: Session, clerk: User) -> None:
    from datetime import UTC, datetime, timedelta

    from app.inspections import service as inspections_service
    from app.inspections.models import ChecklistAnswer, InspectionPlan, Outcome, OutcomeIn
    from app.policy import service as policy_service
    from tests.factories import make_permit

    policy = policy_service.load_configured().policy
    inspector = make_user(session, Role.inspector)
    business = make_permit(session, clerk=clerk, permit_type="sex_business")
    visits = [
        inspections_service.plan(
            session=session,
            data=InspectionPlan(
                permit_number=business.number,
                planned_for=local_today(),
                inspector_ids=[inspector.id],
            ),
            actor=inspector,
        )
        for _ in range(3)
    ]
    inspections_service.record(
        session=session,
        inspection_id=visits[0].id,
        data=OutcomeIn(
            visited_at=datetime.now(UTC) - timedelta(hours=1),
            checklist=[
                ChecklistAnswer(key=i.key, answer="no")  # type: ignore[arg-type]
                for i in policy.inspection_checklist
            ],
            outcome=Outcome.violation,
            findings="Geen rooster.",
        ),
        actor=inspector,
        policy=policy,
        policy_version_id=None,
    )
    assert_indexed(
        session, lambda: inspections_service.list_(session=session, actor=inspector, limit=1)
    )
    _, cursor = inspections_service.list_(session=session, actor=inspector, limit=1)
    assert cursor
    assert_indexed(
        session,
        lambda: inspections_service.list_(session=session, actor=inspector, limit=1, cursor=cursor),
    )
    assert_indexed(
        session, lambda: inspections_service.open_referrals(session=session, actor=clerk, limit=1)
    )
    assert_indexed(
        session, lambda: inspections_service.of_permit(session=session, permit_id=business.id)
    )


def test_mail_queries_are_served_by_an_index(session: Session, permit: Any, clerk: User) -> None:
    """The sender's due messages, the daily job's permits ending soon and the clerks'
    deadline counts."""
    holder = make_user(session)
    for _ in range(3):
        outbox.queue(session, kind="decision_made", to_user=holder)
    outbox.queue(session, kind="permit_expiring", to_user=holder, dedupe_key="plan:1")
    today = local_today()
    assert_indexed(session, lambda: sender.claim_due(session, now=utcnow(), limit=2))
    assert_indexed(
        session,
        lambda: permits_service.ending_between(
            session=session, first=today, last=today + timedelta(days=400)
        ),
    )
    assert_indexed(
        session, lambda: queue.deadline_counts(session=session, today=today, within_days=7)
    )
