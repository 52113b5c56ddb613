"""Home work and nuisance under load: 20 sex workers registering at one address at once
(the policy allows 2 there), neighbours reporting, staff assessing and reading lists, all
at the same moment. Every request is answered without a 500, the address ends with
exactly its two places taken, and the audit chain still verifies."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import timedelta
from typing import Any

import httpx
from sqlmodel import Session, col, func, select

from app.addresses import residents
from app.audit.service import verify_chain
from app.auth.models import Role
from app.db import local_today, make_engine
from app.flows import residents as residents_flow
from app.homework.models import HomeWorkRegistration, HomeWorkStatus
from tests.factories import make_user
from tests.live import LiveServer, server_log
from tests.load.conftest import Seeded, bearer

WORKERS = 20


def bsns(count: int) -> list[str]:
    """Numbers that pass the BSN eleven-test."""
    found = []
    candidate = 100_000_000
    while len(found) < count:
        candidate += 1
        digits = [int(d) for d in f"{candidate:09d}"]
        total = sum(d * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2, -1), strict=True))
        if total % 11 == 0:
            found.append(f"{candidate:09d}")
    return found


def test_twenty_workers_and_the_public_at_once(load_server: tuple[LiveServer, Seeded]) -> None:
    server, _seeded = load_server
    numbers = bsns(WORKERS)
    postcode = "4811 ZZ"
    engine = make_engine(server.database_url)
    with Session(engine) as session:
        emails = [make_user(session).email for _ in range(WORKERS)]
        inspector = make_user(session, Role.inspector).email
        extract = (
            "bsn,postcode,huisnummer,huisletter,huisnummertoevoeging,datum_aanvang\n"
            + "".join(f"{bsn},{postcode},5,,,2021-04-01\n" for bsn in numbers)
        )
        residents_flow.import_extract(session=session, rows=residents.read(extract, name="load"))
    workers = [bearer(server, email) for email in emails]
    staff = bearer(server, inspector)
    day = (local_today() - timedelta(days=1)).isoformat()

    async def run() -> list[tuple[int, Any, float]]:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=30) as client:

            def request(i: int) -> Any:
                if i < WORKERS:
                    body = {
                        "working_name": f"W{i:02d}",
                        "bsn": numbers[i],
                        "postcode": postcode,
                        "house_number": "5",
                    }
                    return client.post(
                        "/api/v1/home-work-registrations", json=body, headers=workers[i]
                    )
                match i % 4:
                    case 0:
                        report = {
                            "postcode": postcode,
                            "house_number": "5",
                            "category": "noise",
                            "observed_on": day,
                            "description": f"Loud music, report number {i}.",
                        }
                        return client.post("/api/v1/nuisance-reports", json=report)
                    case 1:
                        return client.get("/api/v1/nuisance-reports?limit=50", headers=staff)
                    case 2:
                        return client.get("/api/v1/home-work-registrations", headers=staff)
                    case _:
                        return client.get("/overlast-melden")

            async def timed(i: int) -> tuple[int, Any, float]:
                started = time.monotonic()
                try:
                    response = await request(i)
                except httpx.HTTPError as exc:
                    return (i, repr(exc), time.monotonic() - started)
                return (i, response.status_code, time.monotonic() - started)

            return list(await asyncio.gather(*(timed(i) for i in range(100))))

    results = asyncio.run(run())
    statuses = Counter(status for _, status, _ in results)
    failures = [
        r
        for r in results
        if not isinstance(r[1], int) or (r[1] >= 500 and r[1] != 503) or r[2] >= 30
    ]
    assert not failures, (failures, statuses, server_log(server)[-5000:])
    registrations = Counter(status for i, status, _ in results if i < WORKERS)
    assert registrations[201] == 2, registrations  # the address has two places
    assert registrations[201] + registrations[422] + registrations[503] == WORKERS, registrations

    with Session(engine) as session:
        taken = session.exec(
            select(func.count())
            .select_from(HomeWorkRegistration)
            .where(col(HomeWorkRegistration.status).in_([HomeWorkStatus.active]))
            .where(col(HomeWorkRegistration.working_name).like("W%"))
        ).one()
        report = verify_chain(session)
    engine.dispose()
    assert taken == 2
    assert report.ok, report
