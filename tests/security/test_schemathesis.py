"""Property-based requests from the OpenAPI schema (schemathesis): a bounded number of
generated examples per API operation, sent anonymously and as each role, must never get a
server error. The requests go through the app in-process, on the test's database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from sqlmodel import Session

from app.auth.models import Role
from app.deps import get_session
from app.main import create_app
from tests.factories import make_user, token_for

EXAMPLES = 2
APP = create_app()
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)
OPERATIONS = {
    f"{op.method.upper()} {op.path}": op for op in (r.ok() for r in SCHEMA.get_all_operations())
}


@pytest.fixture
def on_test_database(session: Session) -> Iterator[None]:
    def request_session() -> Iterator[Session]:
        try:
            yield session
        except BaseException:
            if session.in_transaction():
                session.rollback()
            raise
        session.commit()

    APP.dependency_overrides[get_session] = request_session
    yield
    APP.dependency_overrides.clear()


@pytest.fixture
def identities(on_test_database: None, session: Session) -> list[dict[str, str]]:
    headers: list[dict[str, str]] = [{}]
    with TestClient(APP) as client:
        for role in (Role.applicant, Role.clerk, Role.inspector, Role.care_coordinator, Role.admin):
            headers.append(token_for(client, make_user(session, role)))
    return headers


def test_no_generated_request_gets_a_server_error(identities: list[dict[str, str]]) -> None:
    """One test over every operation (the accounts are made once): each generated example
    is sent anonymously and as each role."""
    failures: list[tuple[str, int, str]] = []
    calls = [0]

    def run(label: str, operation: Any) -> None:
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            for who in identities:
                response = case.call(headers={**(case.headers or {}), **who})
                calls[0] += 1
                if response.status_code >= 500:
                    failures.append((label, response.status_code, response.text[:300]))

        check()

    for label, operation in sorted(OPERATIONS.items()):
        run(label, operation)
    assert failures == []
    assert calls[0] >= len(OPERATIONS) * len(identities)  # every operation, every identity
