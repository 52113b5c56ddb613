"""Each statistic against a seeded data set with known answers (both databases), the
protection of what is published, who may open the staff statistics, the open data and the
council PDF read back."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.addresses.models import Address
from app.applications.models import Application, ApplicationStatus, ApplicationStatusChange
from app.auth.models import Role, User
from app.homework.models import HomeWorkRegistration, HomeWorkStatus
from app.i18n import current_locale
from app.inspections.models import (
    Inspection,
    InspectionStatus,
    InspectionVersion,
    Outcome,
    PlaceKind,
)
from app.nuisance.models import NuisanceReport
from app.permits.models import Permit, PermitStatus
from app.policy import service as policy_service
from app.signals.models import FollowUpKind, Signal, SignalFollowUp
from app.statistics import report, service
from app.statistics.service import Quarter
from app.statistics.suppression import Shown
from tests.factories import login_page, make_user, pdf_pages
from tests.statistics.attack import numbers_of, recovered, recovered_numbers

Q = Quarter(2025, 2)
IN_Q = datetime(2025, 5, 10, 12, tzinfo=UTC)
BEFORE_Q = datetime(2025, 3, 1, 12, tzinfo=UTC)


def _seed(session: Session) -> None:
    record = policy_service.current(session=session).record
    applicant = make_user(session, Role.applicant)
    inspector = make_user(session, Role.inspector)
    address = Address(postcode="5038 AB", house_number=1)
    session.add(address)
    session.flush()

    def application(permit_type: str, status: ApplicationStatus, **kw: object) -> Application:
        app = Application(applicant_id=applicant.id, permit_type=permit_type, status=status, **kw)
        session.add(app)
        session.flush()
        return app

    # sex_worker: 12 approved on time, 3 refused late, 2 withdrawn; sex_business: 7
    # approved after an extension (on time); escort_business: 1 approved on time.
    submitted = datetime(2025, 4, 1, 9, tzinfo=UTC)
    for _i in range(12):
        application(
            "sex_worker",
            ApplicationStatus.approved,
            submitted_at=submitted,
            decided_at=IN_Q,
            decision_due=date(2025, 5, 27),
        )
    for _ in range(3):
        application(
            "sex_worker",
            ApplicationStatus.refused,
            submitted_at=submitted,
            decided_at=IN_Q,
            decision_due=date(2025, 5, 1),
        )
    for _ in range(7):
        application(
            "sex_business",
            ApplicationStatus.approved,
            submitted_at=submitted,
            decided_at=IN_Q,
            decision_due=date(2025, 7, 1),
            extended_at=IN_Q,
        )
    application(
        "escort_business",
        ApplicationStatus.approved,
        submitted_at=submitted,
        decided_at=IN_Q,
        decision_due=date(2025, 7, 1),
    )
    for _ in range(2):
        withdrawn = application("sex_worker", ApplicationStatus.withdrawn)
        session.add(
            ApplicationStatusChange(
                application_id=withdrawn.id,
                from_status=ApplicationStatus.submitted,
                to_status=ApplicationStatus.withdrawn,
                by_role="applicant",
                occurred_at=IN_Q,
            )
        )
    # An approval outside the quarter is not counted.
    application(
        "sex_worker",
        ApplicationStatus.approved,
        submitted_at=BEFORE_Q,
        decided_at=BEFORE_Q,
        decision_due=date(2025, 4, 1),
    )
    # Permits in force at the end of the quarter: 9 sex_worker (8 active, 1 suspended).
    for i in range(10):
        holder_app = application("sex_worker", ApplicationStatus.approved)
        session.add(
            Permit(
                number=f"T-{uuid.uuid4().hex[:10]}",
                application_id=holder_app.id,
                holder_id=applicant.id,
                permit_type="sex_worker",
                working_name=f"W{i}",
                valid_from=date(2025, 1, 1),
                valid_until=date(2026, 1, 1) if i < 9 else date(2025, 5, 1),
                status=PermitStatus.suspended if i == 0 else PermitStatus.active,
                policy_version_id=record.id,
                created_at=BEFORE_Q,
            )
        )
    # Home work: 6 active at the end, 2 ended by the worker in the quarter.
    for i in range(8):
        ended = i >= 6
        session.add(
            HomeWorkRegistration(
                worker_id=applicant.id,
                address_id=address.id,
                working_name=f"H{i}",
                bsn_hash=f"hash{i}",
                status=HomeWorkStatus.ended if ended else HomeWorkStatus.active,
                started_at=BEFORE_Q,
                ended_at=IN_Q if ended else None,
            )
        )
    # Nuisance: 6 noise reports, 5 substantiated, 1 not.
    for i in range(6):
        session.add(
            NuisanceReport(
                reference=f"R{uuid.uuid4().hex[:8]}",
                address_id=address.id,
                category=policy_service.load_configured().policy.nuisance_categories[0].key,
                observed_on=date(2025, 5, 9),
                substantiated=i < 5,
                created_at=IN_Q,
            )
        )
    # Inspections: 5 compliant, 6 violations with the first checklist item failed.
    item = policy_service.load_configured().policy.inspection_checklist[0].key
    for i in range(11):
        violation = i >= 5
        inspection = Inspection(
            place_kind=PlaceKind.address,
            address_id=address.id,
            status=InspectionStatus.recorded,
            planned_by_id=inspector.id,
            planned_for=date(2025, 5, 1),
            recorded_versions=1,
            outcome=Outcome.violation if violation else Outcome.compliant,
            visited_at=IN_Q,
        )
        session.add(inspection)
        session.flush()
        session.add(
            InspectionVersion(
                inspection_id=inspection.id,
                number=1,
                visited_at=IN_Q,
                outcome=inspection.outcome,
                answers={item: "no" if violation else "yes"},
                recorded_by_id=inspector.id,
            )
        )
    # Signals: 7 naming the first indicator, 2 of them also the second; 6 with contact made.
    indicators = [i.key for i in policy_service.load_configured().policy.trafficking_indicators]
    for i in range(7):
        signal = Signal(
            author_id=inspector.id,
            created_at=IN_Q,
            content={
                "indicators": indicators[:2] if i < 2 else indicators[:1],
                "note": "secret",
                "place": "somewhere",
            },
        )
        session.add(signal)
        session.flush()
        if i < 6:
            session.add(
                SignalFollowUp(
                    signal_id=signal.id,
                    kind=FollowUpKind.contact_made,
                    by_id=inspector.id,
                    occurred_at=IN_Q,
                )
            )
    session.commit()


def _stats(session: Session) -> service.Statistics:
    return service.for_quarter(
        session=session, quarter=Q, policy=policy_service.load_configured().policy, actor=None
    )


def _cell(stats: service.Statistics, table: str, row: str, column: str):  # type: ignore[no-untyped-def]
    t = stats.table(table)
    return t.protected.cells[t.row_keys.index(row)][t.column_keys.index(column)]


def test_each_statistic_has_its_known_answer(session: Session) -> None:
    _seed(session)
    stats = _stats(session)
    truth = {
        ("applications", "sex_worker", "approved"): 12,
        ("applications", "sex_worker", "refused"): 3,
        ("applications", "sex_worker", "withdrawn"): 2,
        ("applications", "sex_business", "approved"): 7,
        ("applications", "escort_business", "approved"): 1,
        ("processing", "sex_worker", "on_time"): 12,
        ("processing", "sex_worker", "late"): 3,
        ("processing", "sex_business", "extended"): 7,
        ("permits", "sex_worker", "active"): 8,
        ("permits", "sex_worker", "suspended"): 1,
        ("home_work_active", "active", "registrations"): 6,
        ("home_work_ended", "ended", "registrations"): 2,
        ("inspections", "compliant", "inspections"): 5,
        ("inspections", "violation", "inspections"): 6,
    }
    for (table, row, column), value in truth.items():
        assert _cell(stats, table, row, column).value == value, (table, row, column)
    policy = policy_service.load_configured().policy
    noise = policy.nuisance_categories[0].key
    assert _cell(stats, "nuisance", noise, "substantiated").value == 5
    assert _cell(stats, "nuisance", noise, "not_substantiated").value == 1
    item = policy.inspection_checklist[0].key
    assert _cell(stats, "checklist", item, "failed").value == 6
    first, second = (i.key for i in policy.trafficking_indicators[:2])
    assert _cell(stats, "signal_indicators", first, "signals").value == 7
    assert _cell(stats, "signal_indicators", second, "signals").value == 2
    assert _cell(stats, "signal_follow_up", "contact_made", "signals").value == 6
    medians = stats.table("processing").extra["medians"]  # type: ignore[index]
    decided = stats.table("processing").protected.row_totals[0]  # type: ignore[index]
    # 1 April to 10 May; shown only where the number of decisions under it is.
    assert medians["sex_worker"] == (39.0 if decided.published is not None else None)
    assert medians["escort_business"] is None  # one decision: not shown
    # What is published: nothing under the threshold, nothing recoverable.
    for table in stats.tables:
        for entry in table.protected.entries().values():
            assert entry.published is None or entry.published >= stats.threshold
        assert recovered(table.protected) == [], table.key
    apps, times = stats.table("applications"), stats.table("processing")
    linked = numbers_of(apps.protected, [[0, 1, 2], [3, 4, 5], [6]], 7) + numbers_of(
        times.protected, [[0, 3], [1, 4], [2, 5]], 7
    )
    assert recovered_numbers(linked, 7 * len(apps.rows), stats.threshold) == []
    assert _cell(stats, "applications", "sex_worker", "refused").shown is Shown.small


def test_the_open_data_has_no_small_count_and_no_date_finer_than_a_quarter(
    session: Session, client: TestClient
) -> None:
    _seed(session)
    answer = client.get("/api/v1/public/statistics", params={"quarter": "2025-Q2"})
    assert answer.status_code == 200
    data = answer.json()
    assert data["quarter"] == "2025-Q2"
    numbers: list[object] = []
    for table in data["tables"]:
        for row in table["cells"]:
            numbers += row
        numbers += (table["row_totals"] or []) + (table["column_totals"] or [])
        numbers.append(table["total"])
    for value in numbers:
        assert value is None or value in ("<5", "suppressed") or value >= 5
    text = answer.text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    assert "secret" not in text and "somewhere" not in text


def test_only_analysts_and_admins_open_the_staff_statistics(
    session: Session, client: TestClient
) -> None:
    for role, allowed in (
        (Role.applicant, False),
        (Role.clerk, False),
        (Role.care_coordinator, False),
        (Role.analyst, True),
        (Role.admin, True),
    ):
        client.cookies.clear()
        login_page(client, make_user(session, role))
        answer = client.get("/statistics?quarter=2025-Q2")
        assert (answer.status_code == 200) is allowed, role
        csv = client.get("/statistics/2025-Q2/applications.csv")
        assert (csv.status_code == 200) is allowed, role
    client.cookies.clear()
    assert client.get("/statistics", follow_redirects=False).status_code in (302, 303, 401)


def _analyst(session: Session, client: TestClient) -> User:
    user = make_user(session, Role.analyst)
    login_page(client, user)
    client.cookies.set("lang", "en")
    return user


def test_the_page_shows_each_table_with_its_chart_and_csv(
    session: Session, client: TestClient
) -> None:
    _seed(session)
    _analyst(session, client)
    page = client.get("/statistics?quarter=2025-Q2")
    assert page.status_code == 200
    html = page.text
    stats = _stats(session)
    assert html.count("<caption>") == len(stats.tables)
    # A chart beside every table that shows a number; a sentence where every one is hidden.
    drawable = [
        t
        for t in stats.tables
        if any(e.published is not None for r in t.protected.cells for e in r)
    ]
    assert html.count('src="data:image/svg+xml;base64,') == len(drawable)
    assert html.count('class="stat-no-chart"') == len(stats.tables) - len(drawable)
    assert "< 5" in html
    csv = client.get("/statistics/2025-Q2/applications.csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    table = stats.table("applications").protected
    assert lines[1].split(",")[1:4] == [e.label(5) for e in table.cells[0]]
    assert "12" not in lines[1] or table.cells[0][0].published == 12


@pytest.mark.real_pdf
def test_the_council_pdf_has_the_page_numbers(session: Session, client: TestClient) -> None:
    _seed(session)
    _analyst(session, client)
    answer = client.get("/statistics/2025-Q2/report.pdf")
    assert answer.status_code == 200
    assert answer.content.startswith(b"%PDF")
    text = " ".join(pdf_pages(answer.content))
    english = current_locale.set("en")  # the report was asked for in English
    try:
        stats = _stats(session)
    finally:
        current_locale.reset(english)
    for table in stats.tables:
        assert table.title in text
        for entry in table.protected.entries().values():
            if entry.published is not None:
                assert str(entry.published) in text
    assert "< 5" in text
    assert report.csv_of(stats.table("applications"), 5)


def test_an_analyst_lands_on_the_statistics_and_an_admin_finds_them(
    session: Session, client: TestClient
) -> None:
    _analyst(session, client)
    home = client.get("/home", follow_redirects=False)
    assert (home.status_code, home.headers["location"]) == (303, "/statistics")
    client.cookies.clear()
    login_page(client, make_user(session, Role.admin))
    assert 'href="/statistics"' in client.get("/home").text
