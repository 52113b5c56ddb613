"""The council's scenario page: today's permits checked against another policy of the
library, counted by rule, with small counts protected like the statistics."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.policy import library
from app.policy import service as policy_service
from app.statistics import scenario
from tests.factories import login_page, make_user
from tests.policy.test_simulate import issue_worker_permit


def _population(session: Session, under_21: int, older: int) -> None:
    clerk = make_user(session, Role.clerk)
    for i in range(under_21):
        issue_worker_permit(session, clerk, working_name=f"Young{i}", age=19)
    for i in range(older):
        issue_worker_permit(session, clerk, working_name=f"Older{i}", age=30)
    session.commit()


def _summary_cells(result: scenario.Scenario) -> tuple[str, ...]:
    summary = next(t for t in result.tables if t.key == "summary")
    return tuple(entry.label(result.threshold) for entry in summary.protected.cells[0])


def test_the_wrs_scenario_counts_permits_by_rule_and_protects_small_counts(
    session: Session,
) -> None:
    _population(session, under_21=6, older=7)
    analyst = make_user(session, Role.analyst)
    wrs = library.get("wrs-proposal")
    result = scenario.run(
        session=session,
        key=wrs.key,
        draft=wrs.policy,
        current=policy_service.load_configured().policy,
        actor=analyst,
        lang="en",
    )
    summary = next(t for t in result.tables if t.key == "summary")
    permits = summary.protected.cells[0]
    # The six under 21 fail the proposal's minimum age (and its interview, which nobody had:
    # every permit in force counts as without one), so all thirteen fail some blocking rule.
    assert permits[0].value >= 6
    assert all(e.value >= 0 for row in summary.protected.cells for e in row)
    for table in result.tables:
        for row in table.protected.cells:
            for entry in row:
                if entry.value < result.threshold:
                    assert entry.label(result.threshold) != str(entry.value)
    # The run is audited as the analyst's when the caller commits.
    session.commit()
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "policy.simulate")).one()
    assert event.actor_id == analyst.id


def test_the_scenario_page_is_for_analysts_and_admins(client: TestClient, session: Session) -> None:
    _population(session, under_21=1, older=1)
    for role, allowed in ((Role.clerk, False), (Role.applicant, False), (Role.analyst, True)):
        client.cookies.clear()
        login_page(client, make_user(session, role))
        client.cookies.set("lang", "en")
        page = client.get("/statistics/scenario?policy=wrs-proposal")
        assert (page.status_code == 200) is allowed, role
    assert 'id="proposal"' in page.text
    assert "< 5" in page.text  # two permits: every count is small
    assert client.get("/statistics/scenario?policy=nonexistent").status_code == 404
