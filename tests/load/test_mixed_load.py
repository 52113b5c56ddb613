"""200 simultaneous requests of a mix (pages, API reads and writes, uploads, logins, the
public check): every one is answered, with 2xx, 4xx, 429 or 503, none with 500 and none
after 30 seconds; /healthz answers within a second while the load runs."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import httpx
from sqlmodel import Session

from app.audit.service import verify_chain
from app.db import make_engine
from tests.factories import PDF_BYTES, application_data
from tests.live import LiveServer, server_log
from tests.load.conftest import Seeded, bearer

REQUESTS = 200


async def _mix(server: LiveServer, seeded: Seeded) -> tuple[list[Any], float]:
    applicant = bearer(server, seeded.applicant_email)
    clerk = bearer(server, seeded.clerk_email)
    draft = f"/api/v1/applications/{seeded.draft_id}"
    limits = httpx.Limits(max_connections=REQUESTS, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=30) as client:

        def request(i: int) -> Any:
            match i % 10:
                case 0:
                    return client.get("/healthz")
                case 1:
                    return client.get(f"/api/v1/public/permits/{seeded.permit_number}")
                case 2:
                    return client.get("/api/v1/applications?limit=50", headers=clerk)
                case 3:
                    body = {"permit_type": "sex_worker", "working_name": f"Load {i}"}
                    return client.post("/api/v1/applications", json=body, headers=applicant)
                case 4:
                    return client.patch(draft, json={"working_name": f"N{i}"}, headers=applicant)
                case 5:
                    return client.post(
                        f"{draft}/documents",
                        data={"kind": "identity_document"},
                        files={"file": ("id.pdf", PDF_BYTES, "application/pdf")},
                        headers=applicant,
                    )
                case 6:
                    return client.post(
                        "/api/v1/auth/token",
                        data={"username": seeded.applicant_email, "password": "wrong"},
                    )
                case 7:
                    return client.get(f"/verify/{seeded.permit_number}")
                case 8:
                    return client.get(draft, headers=applicant)
                case _:
                    return client.post(
                        "/api/v1/auth/register",
                        json={
                            "email": f"load{i}-{time.monotonic_ns()}@example.org",
                            "password": "a long enough password",
                            **{k: v for k, v in application_data().items() if k == "language"},
                        },
                    )

        async def timed(i: int) -> Any:
            started = time.monotonic()
            try:
                response = await request(i)
            except httpx.HTTPError as exc:
                return (i, repr(exc), time.monotonic() - started)
            return (i, response.status_code, time.monotonic() - started)

        async def health_during_load() -> float:
            await asyncio.sleep(0.3)
            started = time.monotonic()
            response = await client.get("/healthz", timeout=5)
            assert response.status_code == 200
            return time.monotonic() - started

        results = await asyncio.gather(*(timed(i) for i in range(REQUESTS)), health_during_load())
    return list(results[:-1]), float(results[-1])


def test_two_hundred_simultaneous_requests_are_all_answered(
    load_server: tuple[LiveServer, Seeded],
) -> None:
    server, seeded = load_server
    results, health_seconds = asyncio.run(_mix(server, seeded))
    statuses = Counter(status for _, status, _ in results)
    failures = [
        (i, status, round(seconds, 1))
        for i, status, seconds in results
        if not isinstance(status, int) or (status >= 500 and status != 503) or seconds >= 30
    ]
    assert not failures, (failures, statuses, server_log(server)[-5000:])
    assert all(isinstance(s, int) and (s < 500 or s == 503) for s in statuses), statuses
    assert health_seconds < 1, health_seconds
    # Dozens of writers at once, and the audit chain still links every event to the one
    # before it: the chain is sealed under its lock at commit.
    engine = make_engine(server.database_url)
    with Session(engine) as session:
        report = verify_chain(session)
    engine.dispose()
    assert report.ok, report
    assert report.checked > 50, report
