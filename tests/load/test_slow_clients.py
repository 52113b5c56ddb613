"""A client that stops sending its request body is answered 408 and cut off, so slow
clients cannot hold the server's workers."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

from tests.live import live_server


def test_a_body_that_stops_arriving_gets_408(tmp_path: Path) -> None:
    env = {"BODY_TIMEOUT_SECONDS": "1"}
    with live_server(f"sqlite:///{tmp_path / 'slow.db'}", tmp_path, extra_env=env) as server:
        address = urlsplit(server.url)
        with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
            sock.sendall(
                b"POST /api/v1/auth/register HTTP/1.1\r\nHost: test\r\n"
                b'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"email"'
            )
            started = time.monotonic()
            answer = b""
            while b"\r\n\r\n" not in answer:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                answer += chunk
            waited = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert 0.5 < waited < 5, waited
