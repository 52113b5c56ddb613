"""PostgreSQL goes away while the server runs: requests that need it are answered 503 with
Retry-After (never 500, never a hang), /healthz stays up, and the service recovers by
itself when the database is back. The database is reached through a TCP relay that the
test stops and starts again."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import fresh_database_url
from tests.live import free_port, live_server
from tests.load.conftest import LOAD_ENV, bearer, seed


class Relay:
    """Forwards connections from a local port to PostgreSQL until stopped."""

    def __init__(self, port: int, target: tuple[str, int]) -> None:
        self.port, self.target = port, target
        self.connections: list[socket.socket] = []
        self.listener: socket.socket | None = None

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        if self.listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would not.
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        for connection in self.connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()
        self.connections = []


def test_database_down_is_503_and_the_service_recovers(backend: str, tmp_path: Path) -> None:
    if backend != "postgresql":
        pytest.skip("stops the connection to PostgreSQL")
    direct = fresh_database_url(backend, f"swl_down_{uuid.uuid4().hex[:8]}")
    seeded = seed(direct)
    parsed = make_url(direct)
    relay = Relay(free_port(), (parsed.host or "127.0.0.1", parsed.port or 5432))
    relay.start()
    through_relay = parsed.set(host="127.0.0.1", port=relay.port).render_as_string(
        hide_password=False
    )
    env = {**LOAD_ENV, "DB_LOCK_TIMEOUT_SECONDS": "1"}
    with live_server(through_relay, tmp_path, extra_env=env) as server:
        headers = bearer(server, seeded.applicant_email)
        requests = [
            ("GET", f"/api/v1/applications/{seeded.draft_id}", headers),
            ("GET", f"/api/v1/public/permits/{seeded.permit_number}", {}),
            ("POST", "/api/v1/applications", headers),
            ("GET", f"/verify/{seeded.permit_number}", {}),
        ]
        assert httpx.get(f"{server.url}{requests[0][1]}", headers=headers).status_code == 200

        relay.stop()
        for method, path, request_headers in requests * 2:
            started = time.monotonic()
            body = {"permit_type": "sex_worker"} if method == "POST" else None
            response = httpx.request(
                method, server.url + path, headers=request_headers, json=body, timeout=20
            )
            assert response.status_code == 503, (path, response.status_code, response.text)
            assert int(response.headers["Retry-After"]) >= 1
            assert time.monotonic() - started < 5
        assert httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200
        assert httpx.get(f"{server.url}/readyz", timeout=5).status_code == 503

        relay.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            response = httpx.get(f"{server.url}{requests[0][1]}", headers=headers, timeout=10)
            if response.status_code == 200:
                break
            time.sleep(0.2)
        assert response.status_code == 200, response.text
        relay.stop()
