"""Benchmark: do registration and login take the same time whether or not an address has
an account? (Issue 12: the answers are the same — tested in tests/auth/test_registration.py
— and their timing must not tell the cases apart either.)

Cases, taking turns within each round through the real app (TestClient, SQLite):
  register: a new address / an address with a confirmed account / an unconfirmed one
  login:    an unknown address / a wrong password / an unconfirmed account
Anchor: one bare Argon2 hash (the work every case is built around).

Goal: every case within 1.25x of the others in its group (median).
Run: .venv/bin/python bench/enumeration.py [--rounds N]
Prints the figures and ratios; exits 0 whatever they are (it measures, it does not judge).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_tmp = tempfile.mkdtemp(prefix="swl-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp}/bench.db")
os.environ.setdefault("DATA_DIR", _tmp)
os.environ.setdefault("APP_ENV", "test")
# The limits would answer 429 long before the rounds are done.
os.environ["REGISTRATIONS_PER_HOUR"] = "1000000"
os.environ["LOGIN_ATTEMPTS_PER_MINUTE"] = "1000000"

from bench.timing import interleaved_medians  # noqa: E402

PASSWORD = "a long enough password"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=30)
    rounds = parser.parse_args().rounds

    from fastapi.testclient import TestClient
    from sqlmodel import Session

    from app.auth import service
    from app.auth.models import Role, UserCreate
    from app.auth.security import hash_password
    from app.db import get_engine
    from app.main import create_app
    from app.migrations import upgrade

    upgrade(os.environ["DATABASE_URL"])
    counter = itertools.count()
    with Session(get_engine()) as session:
        service.create(
            session=session,
            data=UserCreate(email="known@example.org", password=PASSWORD, role=Role.applicant),
            actor=None,
        )
        session.commit()

    with TestClient(create_app()) as client:

        def register(email: str) -> None:
            response = client.post(
                "/api/v1/auth/register", json={"email": email, "password": PASSWORD}
            )
            assert response.status_code == 202, response.text

        def login(email: str, password: str) -> None:
            response = client.post(
                "/api/v1/auth/token", data={"username": email, "password": password}
            )
            assert response.status_code == 401, response.text

        register("waiting@example.org")
        registration = interleaved_medians(
            {
                "register: new address": lambda: register(f"new{next(counter)}@example.org"),
                "register: confirmed account": lambda: register("known@example.org"),
                "register: unconfirmed account": lambda: register("waiting@example.org"),
                "anchor: one Argon2 hash": lambda: hash_password(PASSWORD),
            },
            rounds,
        )
        logins = interleaved_medians(
            {
                "login: unknown address": lambda: login("nobody@example.org", PASSWORD),
                "login: wrong password": lambda: login("known@example.org", PASSWORD + "x"),
                "login: unconfirmed account": lambda: login("waiting@example.org", PASSWORD),
            },
            rounds,
        )
    anchor = registration.pop("anchor: one Argon2 hash")
    print(f"{rounds} rounds; anchor (one Argon2 hash): {anchor * 1000:.1f} ms")
    for group in (registration, logins):
        fastest = min(group.values())
        for name, seconds in group.items():
            print(
                f"{name:32s} {seconds * 1000:8.1f} ms   x{seconds / fastest:.2f} of the fastest"
                f"   x{seconds / anchor:.2f} of the anchor"
            )
        spread = max(group.values()) / fastest
        print(f"  spread {spread:.2f} (goal <= 1.25): {'met' if spread <= 1.25 else 'NOT met'}")


if __name__ == "__main__":
    main()
