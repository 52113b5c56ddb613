"""Many clerks approving at once on PostgreSQL: a cap is never exceeded and one application
never gets two permits. Real commits across connections, so not the rollback `session`."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlmodel import Session, func, select

from app.applications.models import Application, ApplicationStatus, DecisionKind
from app.audit import service as audit
from app.auth.models import Role, User
from app.config import get_settings
from app.errors import AppError
from app.flows import decisions as decisions_flow
from app.migrations import upgrade
from app.permits.models import Permit
from tests.conftest import fresh_database_url
from tests.factories import make_application, make_user, policy_variant

pytestmark = pytest.mark.postgres_only

THREADS = 12
CAP = 3


@dataclass(frozen=True)
class Outcome:
    ok: bool
    code: str | None = None
    failed_rules: tuple[str, ...] = ()
    current_status: str | None = None
    error: str | None = None


@pytest.fixture(scope="module")
def database(backend: str) -> Iterator[str]:
    if backend != "postgresql":
        pytest.skip("needs PostgreSQL (row locks and advisory locks)")
    url = fresh_database_url(backend, "swl_concurrency")
    upgrade(url)
    yield url


@pytest.fixture
def engine(database: str) -> Iterator[Engine]:
    # app.db.make_engine() has no pool settings; this is the same engine with a pool big
    # enough for one connection per thread plus the test's own sessions.
    worker_engine = create_engine(
        database, pool_size=THREADS + 4, max_overflow=0, pool_pre_ping=True
    )
    yield worker_engine
    worker_engine.dispose()


@pytest.fixture
def capped_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = policy_variant(
        tmp_path, "tilburg", [("permit_types.sex_business", 'cap = "none"', f"cap = {CAP}")]
    )
    monkeypatch.setattr(get_settings(), "policy_file", path)
    return path


def _approve_all_at_once(
    engine: Engine, clerk_id: uuid.UUID, targets: list[uuid.UUID]
) -> list[Outcome]:
    barrier = threading.Barrier(len(targets), timeout=30)

    def work(application_id: uuid.UUID) -> Outcome:
        with Session(engine) as session:
            clerk = session.get(User, clerk_id)
            assert clerk is not None
            session.commit()  # no transaction (and no snapshot) held while waiting
            barrier.wait()
            try:
                decisions_flow.decide(
                    session=session,
                    application_id=application_id,
                    decision=DecisionKind.approve,
                    reason=None,
                    actor=clerk,
                )
            except AppError as exc:
                session.rollback()
                return Outcome(
                    ok=False,
                    code=exc.code,
                    failed_rules=tuple(r["rule_id"] for r in exc.details.get("failed_rules", [])),
                    current_status=exc.details.get("current_status"),
                )
            except Exception as exc:  # a deadlock or a unique violation would land here
                session.rollback()
                return Outcome(ok=False, error=f"{type(exc).__name__}: {exc}")
            return Outcome(ok=True)

    with ThreadPoolExecutor(max_workers=len(targets)) as pool:
        futures = [pool.submit(work, target) for target in targets]
        return [future.result(timeout=120) for future in futures]


def _permits(engine: Engine, **where: object) -> int:
    with Session(engine) as session:
        query = select(func.count()).select_from(Permit)
        for name, value in where.items():
            query = query.where(getattr(Permit, name) == value)
        return session.exec(query).one()


def test_concurrent_approvals_never_exceed_the_cap(engine: Engine, capped_policy: Path) -> None:
    with Session(engine) as session:
        clerk = make_user(session, Role.clerk)
        clerk_id = clerk.id
        ids = [make_application(session, permit_type="sex_business").id for _ in range(THREADS)]
    assert _permits(engine, permit_type="sex_business") == 0

    outcomes = _approve_all_at_once(engine, clerk_id, ids)

    assert [o.error for o in outcomes if o.error] == []
    assert sum(o.ok for o in outcomes) == CAP
    refused = [o for o in outcomes if not o.ok]
    assert len(refused) == THREADS - CAP
    assert {(o.code, o.failed_rules) for o in refused} == {
        ("blocking_checks_failed", ("cap.permit_type",))
    }
    assert _permits(engine, permit_type="sex_business") == CAP
    with Session(engine) as session:
        statuses = Counter(
            session.exec(select(Application.status).where(Application.id.in_(ids))).all()  # type: ignore[attr-defined]
        )
        assert statuses == {
            ApplicationStatus.approved: CAP,
            ApplicationStatus.submitted: THREADS - CAP,
        }
        assert audit.verify_chain(session).ok


def test_concurrent_approvals_of_one_application_issue_one_permit(
    engine: Engine, capped_policy: Path
) -> None:
    threads = 10
    with Session(engine) as session:
        clerk_id = make_user(session, Role.clerk).id
        application_id = make_application(session, permit_type="sex_worker").id

    outcomes = _approve_all_at_once(engine, clerk_id, [application_id] * threads)

    assert [o.error for o in outcomes if o.error] == []
    assert sum(o.ok for o in outcomes) == 1
    conflicts = [o for o in outcomes if not o.ok]
    assert len(conflicts) == threads - 1
    assert {(o.code, o.current_status) for o in conflicts} == {("illegal_transition", "approved")}
    assert _permits(engine, application_id=application_id) == 1
    with Session(engine) as session:
        application = session.get(Application, application_id)
        assert application is not None and application.status is ApplicationStatus.approved
        approvals = [
            e.action
            for e in audit.list_for_object(
                session, object_type="application", object_id=application_id
            )
            if e.action == "application.approve"
        ]
        assert approvals == ["application.approve"]
        assert audit.verify_chain(session).ok
