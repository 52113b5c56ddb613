"""The freeze: an applicant sends a stale PATCH and an upload for the same application at
the same moment, a few times. A route that blocked the event loop while waiting for the
row lock the PATCH held used to stop the whole server (PostgreSQL)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.factories import PDF_BYTES
from tests.live import LiveServer, server_log
from tests.load.conftest import Seeded, bearer

ROUNDS = 6


def test_stale_patch_and_upload_at_once_never_freeze_the_server(
    load_server: tuple[LiveServer, Seeded], backend: str
) -> None:
    server, seeded = load_server
    headers = bearer(server, seeded.applicant_email)
    base = f"{server.url}/api/v1/applications/{seeded.draft_id}"

    def stale_patch() -> int:
        response = httpx.patch(
            base, json={"version": 999_999, "working_name": "Iris"}, headers=headers, timeout=20
        )
        return response.status_code

    def upload() -> int:
        response = httpx.post(
            f"{base}/documents",
            data={"kind": "identity_document"},
            files={"file": ("id.pdf", PDF_BYTES, "application/pdf")},
            headers=headers,
            timeout=20,
        )
        return response.status_code

    answers: list[int] = []
    with ThreadPoolExecutor(max_workers=2 * ROUNDS) as pool:
        futures = []
        for _ in range(ROUNDS):
            futures += [pool.submit(stale_patch), pool.submit(upload)]
        for future in futures:
            try:
                answers.append(future.result(timeout=25))
            except (httpx.HTTPError, TimeoutError) as exc:
                answers.append(-1)
                print("request failed:", repr(exc))

    started = time.monotonic()
    try:
        health = httpx.get(f"{server.url}/healthz", timeout=1)
    except httpx.HTTPError as exc:
        pytest.fail(f"/healthz did not answer within a second: {exc!r}\n{server_log(server)}")
    assert health.status_code == 200
    assert time.monotonic() - started < 1
    # Every request got an answer: 409 for the stale version, 201 for the upload (or 503
    # when the server is too busy), never an error or a hang.
    assert -1 not in answers and 500 not in answers, (answers, server_log(server))
    assert set(answers) <= {201, 409, 503}, answers
