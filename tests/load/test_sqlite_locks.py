"""SQLite (what `make run` uses): reads never wait for the write lock, and a write that
cannot get the lock within a short wait answers 503 with Retry-After instead of hanging
and failing with 500."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.live import LiveServer
from tests.load.conftest import Seeded, bearer

HOLD_SECONDS = 6.0


@pytest.fixture
def sqlite_server(
    load_server: tuple[LiveServer, Seeded], backend: str
) -> tuple[LiveServer, Seeded]:
    if backend != "sqlite":
        pytest.skip("about SQLite's database lock")
    return load_server


def _hold_write_lock(path: str, seconds: float, taken: threading.Event) -> None:
    """Another process's writer: take SQLite's write lock and keep it for `seconds`."""
    connection = sqlite3.connect(path, isolation_level=None, timeout=30)
    connection.execute("BEGIN IMMEDIATE")
    taken.set()
    time.sleep(seconds)
    connection.execute("ROLLBACK")
    connection.close()


@contextmanager
def write_lock_held(server: LiveServer) -> Iterator[None]:
    """SQLite's write lock held by another connection for HOLD_SECONDS, from entry on."""
    path = server.database_url.removeprefix("sqlite:///")
    taken = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(path, HOLD_SECONDS, taken))
    holder.start()
    try:
        assert taken.wait(10)
        yield
    finally:
        holder.join()


def test_reads_answer_at_once_while_another_writer_holds_the_lock(
    sqlite_server: tuple[LiveServer, Seeded],
) -> None:
    server, seeded = sqlite_server
    clerk = bearer(server, seeded.clerk_email)
    applicant = bearer(server, seeded.applicant_email)
    reads = [
        ("GET", f"/api/v1/public/permits/{seeded.permit_number}", {}),
        ("GET", f"/verify/{seeded.permit_number}", {}),
        ("GET", "/api/v1/applications?limit=50", clerk),
        ("GET", f"/api/v1/applications/{seeded.draft_id}", applicant),
        ("GET", "/readyz", {}),
    ]
    with write_lock_held(server):
        for method, url, headers in reads:
            started = time.monotonic()
            response = httpx.request(method, server.url + url, headers=headers, timeout=10)
            elapsed = time.monotonic() - started
            assert response.status_code == 200, (url, response.status_code, response.text)
            assert elapsed < 1, (url, elapsed)


def test_a_write_that_cannot_get_the_lock_answers_503_with_retry_after(
    sqlite_server: tuple[LiveServer, Seeded],
) -> None:
    server, seeded = sqlite_server
    applicant = bearer(server, seeded.applicant_email)  # before the lock is taken
    with write_lock_held(server):
        started = time.monotonic()
        response = httpx.post(
            f"{server.url}/api/v1/applications",
            json={"permit_type": "sex_worker"},
            headers=applicant,
            timeout=30,
        )
        elapsed = time.monotonic() - started
    assert response.status_code == 503, response.text
    assert response.json()["detail"]["code"] == "database_busy"
    assert int(response.headers["Retry-After"]) >= 1
    assert elapsed < HOLD_SECONDS, elapsed
