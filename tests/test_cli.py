"""The `swl` command, run as a real process against its own database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import fresh_database_url


def swl(
    database_url: str, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "APP_ENV": "development"}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def cli_db(tmp_path: Path) -> tuple[str, Path]:
    path = tmp_path / "cli.db"
    url = f"sqlite:///{path}"
    assert swl(url, "db", "upgrade").returncode == 0
    return url, path


def test_help_on_every_command() -> None:
    for args in (
        ["--help"],
        ["serve", "--help"],
        ["db", "upgrade", "--help"],
        ["demo-data", "--help"],
        ["user", "create", "--help"],
        ["audit", "verify", "--help"],
        ["retention", "run", "--help"],
        ["residents", "import", "--help"],
        ["residents", "recheck", "--help"],
    ):
        result = swl("sqlite://", *args)
        assert result.returncode == 0, (args, result.stderr)
        assert "Usage" in result.stdout


def test_user_create_and_audit_verify_then_tamper(cli_db: tuple[str, Path]) -> None:
    url, path = cli_db
    created = swl(
        url,
        "user",
        "create",
        "clerk@example.org",
        "--role",
        "clerk",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    assert created.returncode == 0, created.stderr
    assert "clerk@example.org" in created.stdout
    assert swl(url, "demo-data").returncode == 0
    ok = swl(url, "audit", "verify")
    assert ok.returncode == 0, ok.stderr
    with sqlite3.connect(path) as conn:
        (count,) = conn.execute("SELECT count(*) FROM audit_event").fetchone()
    assert count > 6  # the clerk, five demo accounts and the demo applications
    assert f"{count} events verified" in ok.stdout
    # Demo data goes in once: a second run adds nothing.
    assert swl(url, "demo-data").returncode == 0
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM application").fetchone() == (3,)

    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE audit_event SET action = 'account.delete' WHERE id = 3")
    broken = swl(url, "audit", "verify")
    assert broken.returncode == 1
    assert "BROKEN at event 3" in broken.stderr


def test_user_create_rejects_short_password_and_duplicates(cli_db: tuple[str, Path]) -> None:
    url, _ = cli_db
    short = swl(
        url,
        "user",
        "create",
        "x@example.org",
        "--role",
        "admin",
        "--password-stdin",
        stdin="short\n",
    )
    assert short.returncode == 2
    assert "at least 12" in short.stderr
    args = ("user", "create", "y@example.org", "--role", "admin", "--password-stdin")
    assert swl(url, *args, stdin="a long enough password\n").returncode == 0
    again = swl(url, *args, stdin="a long enough password\n")
    assert again.returncode == 1
    assert "already exists" in again.stderr


def test_demo_data_refused_in_production(cli_db: tuple[str, Path]) -> None:
    url, _ = cli_db
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "APP_ENV": "production",
        "SECRET_KEY": "x" * 40,
        "FIELD_ENCRYPTION_KEY": "DJ4y1Jg1xqgQk8Y5lV0bV3m7c6lY9oQ8n2aJqO6yK0M=",
        "PUBLIC_BASE_URL": "https://sekswerk.tilburg.example",
        "DEMO_DATA": "false",
    }
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "demo-data"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "never" in result.stderr


def test_production_refuses_default_secret_key() -> None:
    env = {**os.environ, "APP_ENV": "production"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-c", "from app.config import Settings; Settings()"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_fresh_database_helper_gives_empty_sqlite() -> None:
    url = fresh_database_url("sqlite", "empty")
    assert url.startswith("sqlite:///")


def test_residents_import_all_or_nothing_then_replace(
    cli_db: tuple[str, Path], tmp_path: Path
) -> None:
    url, path = cli_db
    header = "bsn,postcode,huisnummer,huisletter,huisnummertoevoeging,datum_aanvang\n"
    good = tmp_path / "extract.csv"
    good.write_text(
        header + "999993653,5038ab,12,a,,2021-04-01\n111222333,5038AB,14,,,2020-01-01\n"
    )
    done = swl(url, "residents", "import", str(good))
    assert done.returncode == 0, done.stderr
    assert "Imported 2 residents: 2 moved in, 0 moved out" in done.stdout

    bad = tmp_path / "bad.csv"
    bad.write_text(header + "999993653,5038AB,16,,,2026-01-01\n999993654,5038AB,1,,,2020-01-01\n")
    refused = swl(url, "residents", "import", str(bad))
    assert refused.returncode == 1
    assert f"{bad}:3: the bsn fails the eleven-test" in refused.stderr
    assert "999993654" not in refused.stderr
    assert "Nothing was imported." in refused.stderr
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM resident").fetchone() == (2,)

    moved = tmp_path / "moved.csv"
    moved.write_text(header + "999993653,5038AB,16,,,2026-11-01\n")
    again = swl(url, "residents", "import", str(moved))
    assert again.returncode == 0, again.stderr
    assert "Imported 1 residents: 1 moved in, 2 moved out" in again.stdout
    with sqlite3.connect(path) as conn:
        # The BSN itself is nowhere: only its keyed hash.
        rows = conn.execute("SELECT bsn_hash FROM resident").fetchall()
        assert len(rows) == 1 and "999993653" not in rows[0][0]
    assert swl(url, "audit", "verify").returncode == 0
