"""Load tests: a real server process on a fresh database of each backend, driven by many
simultaneous clients. The database is filled through the project's own services."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from app.auth.models import Role
from app.config import get_settings
from app.db import make_engine
from app.migrations import upgrade
from tests.conftest import fresh_database_url
from tests.factories import (
    MFA_SECRETS,
    PASSWORD,
    make_application,
    make_permit,
    make_user,
    totp_code,
)
from tests.live import LiveServer, live_server

# Generous limits so the load is not answered by rate limits alone.
LOAD_ENV = {
    "VERIFY_REQUESTS_PER_MINUTE": "100000",
    "LOGIN_ATTEMPTS_PER_MINUTE": "100000",
    "REGISTRATIONS_PER_HOUR": "100000",
    "NUISANCE_REPORTS_PER_HOUR": "100000",
    "HOME_WORK_ATTEMPTS_PER_HOUR": "100000",
}


@dataclass
class Seeded:
    applicant_email: str
    clerk_email: str
    permit_number: str
    draft_id: uuid.UUID


def seed(database_url: str) -> Seeded:
    upgrade(database_url)
    engine = make_engine(database_url)
    with Session(engine) as session:
        applicant = make_user(session)
        clerk = make_user(session, Role.clerk)
        permit = make_permit(session, clerk=clerk, working_name="Lotus")
        draft = make_application(session, applicant, documents=False, submit=False)
        seeded = Seeded(applicant.email, clerk.email, permit.number, draft.id)
    engine.dispose()
    return seeded


@pytest.fixture(scope="module")
def load_server(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, Seeded]]:
    folder: Path = tmp_path_factory.mktemp(f"load-{backend}")
    name = f"swl_load_{uuid.uuid4().hex[:8]}"
    url = fresh_database_url(backend, name)
    seeded = seed(url)
    # The server reads the documents the seeding stored.
    env = {**LOAD_ENV, "DATA_DIR": str(get_settings().data_dir)}
    with live_server(url, folder, extra_env=env) as server:
        yield server, seeded


def bearer(server: LiveServer, email: str) -> dict[str, str]:
    data = {"username": email, "password": PASSWORD}
    if email in MFA_SECRETS:  # staff send the code of their authenticator app
        data["totp"] = totp_code(email)
    response = httpx.post(f"{server.url}/api/v1/auth/token", data=data, timeout=30)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
