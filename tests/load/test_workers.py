"""Several workers share what must be shared: a rate limit counted in Redis holds across
two worker processes, and `swl serve` refuses several workers with per-process limits."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
import redis
from sqlmodel import Session

from app.db import make_engine
from tests.conftest import fresh_database_url
from tests.factories import make_user
from tests.live import live_server

LIMIT = 3


def test_a_login_limit_is_counted_across_two_workers(backend: str, tmp_path: Path) -> None:
    if backend != "postgresql":
        pytest.skip("several workers are run on PostgreSQL")
    url = fresh_database_url(backend, f"swl_workers_{uuid.uuid4().hex[:8]}")
    from app.migrations import upgrade

    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        email = make_user(session).email
    engine.dispose()
    redis_url = "redis://127.0.0.1:6379/15"
    # The counters of an earlier run (same client address) would still be in the window.
    redis.Redis.from_url(redis_url).flushdb()
    env = {
        "RATE_LIMIT_STORAGE_URL": redis_url,
        "LOGIN_ATTEMPTS_PER_MINUTE": str(LIMIT),
    }
    with live_server(url, tmp_path, extra_env=env, args=("--workers", "2")) as server:
        answers = []
        for _ in range(4 * LIMIT):
            # A new connection each time: the two workers take turns accepting them.
            with httpx.Client(base_url=server.url, timeout=10) as client:
                response = client.post(
                    "/api/v1/auth/token", data={"username": email, "password": "wrong"}
                )
                answers.append(response.status_code)
    assert answers[:LIMIT] == [401] * LIMIT, answers
    assert set(answers[LIMIT:]) == {429}, answers


def test_serve_refuses_several_workers_with_per_process_limits(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve", "--workers", "2"],
        env={
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
            "RATE_LIMIT_STORAGE_URL": "memory://",
            "APP_ENV": "test",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "RATE_LIMIT_STORAGE_URL" in result.stdout + result.stderr
