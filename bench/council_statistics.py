"""Benchmark: the statistics for the council over a municipality-sized database.

Seeds N permits (default 100,000, with their applications, checks and history: see
bench/seed.py) into a fresh SQLite database (cached under bench/.cache/statistics until
--reseed), then times, interleaved in every round:
  - statistics of the last complete quarter (every table counted in the database and
    protected against small counts: what the staff page and the open data compute);
  - the same plus its charts (SVG) and the page's context;
  - anchor: one GROUP BY count of the permits by type (the cheapest aggregate there is).

Goals: the statistics of a quarter within 2 s, and within 200x the anchor.
Run: .venv/bin/python bench/council_statistics.py [--permits N] [--rounds N] [--reseed]
Prints the figures and ratios; exits 0 whatever they are (it measures, it does not judge).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CACHE = ROOT / "bench" / ".cache" / "statistics"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--permits", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()

    marker = CACHE / "seed.json"
    wanted = {"permits": args.permits}
    if (
        args.reseed
        or not marker.exists()
        or json.loads(marker.read_text())["permits"] != wanted["permits"]
    ):
        if CACHE.exists():
            for item in sorted(CACHE.rglob("*"), reverse=True):
                item.unlink() if item.is_file() else item.rmdir()
        CACHE.mkdir(parents=True, exist_ok=True)
        from cryptography.fernet import Fernet

        key = Fernet.generate_key().decode()
        env = {**os.environ, **_env(key)}
        out = Path(tempfile.mkstemp(suffix=".json")[1])
        print(f"seeding {args.permits} permits (once; cached in {CACHE}) ...", flush=True)
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "seed.py"),
                "seed",
                "--permits",
                str(args.permits),
                "--queue",
                "0",
                "--out",
                str(out),
            ],
            env=env,
            check=True,
        )
        marker.write_text(json.dumps({**wanted, "key": key}))
    key = json.loads(marker.read_text())["key"]
    os.environ.update(_env(key))

    from sqlalchemy import func, select
    from sqlmodel import Session

    from app.db import get_engine
    from app.permits.models import Permit
    from app.policy import service as policy_service
    from app.statistics import charts, report, service
    from bench.timing import interleaved_medians

    engine = get_engine()
    with Session(engine) as session:
        policy = policy_service.current(session=session).policy
        quarter = service.current_quarter().previous

        def statistics() -> object:
            return service.for_quarter(session=session, quarter=quarter, policy=policy, actor=None)

        def page() -> object:
            stats = service.for_quarter(session=session, quarter=quarter, policy=policy, actor=None)
            for table in stats.tables:
                charts.data_uri(table)
            return report.context(stats)

        def anchor() -> object:
            return session.execute(
                select(Permit.permit_type, func.count()).group_by(Permit.permit_type)
            ).all()

        permits = session.execute(select(func.count()).select_from(Permit)).scalar_one()
        medians = interleaved_medians(
            {
                "statistics of a quarter": statistics,
                "with charts (the page)": page,
                "anchor: GROUP BY": anchor,
            },
            args.rounds,
        )
    base = medians.pop("anchor: GROUP BY")
    print(f"{permits} permits, quarter {quarter}, {args.rounds} rounds (SQLite)")
    print(f"anchor: permits by type (GROUP BY)  {base * 1000:8.1f} ms")
    for name, seconds in medians.items():
        verdict = "met" if seconds <= 2 and seconds / base <= 200 else "NOT met"
        print(
            f"{name:34s} {seconds * 1000:8.1f} ms  x{seconds / base:.0f} of the anchor"
            f"  (goal <= 2 s, <= 200x: {verdict})"
        )


def _env(key: str) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite:///{CACHE / 'app.db'}",
        "DATA_DIR": str(CACHE),
        "APP_ENV": "test",
        "FIELD_ENCRYPTION_KEY": key,
    }


if __name__ == "__main__":
    main()
