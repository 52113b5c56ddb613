"""A real server process for tests that need one: browser journeys and load tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from app.migrations import upgrade


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    database_url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log_path: Path


@contextmanager
def live_server(
    database_url: str,
    folder: Path,
    *,
    extra_env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
) -> Iterator[LiveServer]:
    """Migrate `database_url`, start `swl serve` on a free port and wait until /readyz
    answers; stop the server afterwards."""
    upgrade(database_url)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "APP_ENV": "test",
        "DATA_DIR": str(folder),
        "DEMO_DATA": "false",
        **(extra_env or {}),
    }
    log_path = folder / f"server-{port}.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port), *args],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"server did not become ready:\n{log_path.read_text()}")
    if process.poll() is not None:
        pytest.fail(f"server stopped:\n{log_path.read_text()}")
    try:
        yield LiveServer(
            url=url, database_url=database_url, env=env, process=process, log_path=log_path
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()


def server_log(server: LiveServer) -> str:
    return server.log_path.read_text(errors="replace")
