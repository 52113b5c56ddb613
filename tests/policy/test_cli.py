"""`swl policy validate` and `swl policy simulate`, run as real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from app.applications.models import Application, ApplicationStatus
from app.auth.models import Role
from app.db import make_engine
from app.permits import numbers
from app.permits import service as permits_service
from app.permits.models import Permit
from app.policy import service as policy_service
from tests.factories import make_user
from tests.policy.test_simulate import LEGAL_NAME, TILBURG_TEXT, build_population, draft_text

POLICIES = Path(__file__).resolve().parents[2] / "policies"


def swl(*args: str, database_url: str = "sqlite://") -> subprocess.CompletedProcess[str]:
    # The same SECRET_KEY as this process (set by conftest), so encrypted details can be read.
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def line_of(text: str, needle: str) -> int:
    """1-based number of the first line containing ``needle``."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# ---- validate ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["tilburg.toml", "strict-example.toml"])
def test_validate_accepts_the_shipped_policies(name: str) -> None:
    result = swl("policy", "validate", str(POLICIES / name))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    assert "valid" in lines[0]
    assert "3 permit types" in lines[0]
    assert result.stderr == ""


def test_validate_lists_every_problem_with_line_and_key(tmp_path: Path) -> None:
    head, business = TILBURG_TEXT.split("[permit_types.sex_business]")
    business, escort = business.split("[permit_types.escort_business]")
    business = business.replace('cap = "none"', "cap = 0")
    escort = escort.replace('cap = "none"', 'cap = "none"\nsurprise = true')
    text = f"{head}[permit_types.sex_business]{business}[permit_types.escort_business]{escort}"
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")

    result = swl("policy", "validate", str(bad))

    assert result.returncode == 1
    assert result.stdout == ""
    cap_line = line_of(text, "cap = 0")
    extra_line = line_of(text, "surprise = true")
    assert result.stderr.splitlines() == [
        f"{bad}:{cap_line}: permit_types.sex_business.cap: "
        'cap must be "none" or a whole number of at least 1, got 0',
        f"{bad}:{extra_line}: permit_types.escort_business.surprise: "
        "unknown key (not part of the policy format; check the spelling)",
    ]


def test_validate_reports_a_toml_syntax_error_with_its_line(tmp_path: Path) -> None:
    text = TILBURG_TEXT.replace('name = "Tilburg"', 'name = "Tilburg', 1)
    bad = tmp_path / "broken.toml"
    bad.write_text(text, encoding="utf-8")
    result = swl("policy", "validate", str(bad))
    assert result.returncode == 1
    line = line_of(text, 'name = "Tilburg')
    assert result.stderr.startswith(f"{bad}:{line}: TOML syntax error")


def test_validate_missing_file(tmp_path: Path) -> None:
    result = swl("policy", "validate", str(tmp_path / "nope.toml"))
    assert result.returncode == 1
    assert "cannot read file" in result.stderr


# ---- simulate ------------------------------------------------------------------------------


@pytest.fixture
def cli_database(tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    """An own SQLite file, migrated by `swl db upgrade`, and an engine to build data with."""
    url = f"sqlite:///{tmp_path / 'simulate.db'}"
    upgraded = swl("db", "upgrade", database_url=url)
    assert upgraded.returncode == 0, upgraded.stderr
    engine = make_engine(url)
    yield url, engine
    engine.dispose()


def test_simulate_lists_the_permits_of_people_under_21(
    cli_database: tuple[str, Engine], tmp_path: Path
) -> None:
    url, engine = cli_database
    with Session(engine) as session:
        permits = {name: permit.number for name, permit in build_population(session).items()}
    draft = tmp_path / "draft.toml"
    draft.write_text(draft_text(minimum_age=21), encoding="utf-8")

    result = swl("policy", "simulate", str(draft), database_url=url)

    assert result.returncode == 0, result.stderr
    out = result.stdout
    for name in ("Anouk", "Bibi"):  # 19 and 20 (Bibi's permit is suspended)
        assert permits[name] in out
        assert name in out
    for name in ("Cleo", "Dana", "Eva", "Fenna"):  # 21, 35, revoked, expired
        assert permits[name] not in out
        assert name not in out
    assert "(suspended)" in out
    assert "age.minimum" in out
    rules_row = next(line for line in out.splitlines() if "age.minimum" in line)
    assert rules_row.split() == ["sex_worker", "age.minimum", "2"]  # the per-rule count
    assert LEGAL_NAME not in out
    assert "home work: 0 of 0 registrations would break the draft's home-work rules." in out
    assert "2 of 4 permits would no longer comply" in out.splitlines()[-1]
    assert "Checking permits" not in result.stderr  # no progress bar for a handful

    as_json = swl("policy", "simulate", str(draft), "--json", database_url=url)
    assert as_json.returncode == 0, as_json.stderr
    report = json.loads(as_json.stdout)
    assert {p["number"] for p in report["non_compliant"]} == {permits["Anouk"], permits["Bibi"]}
    assert report["permits_checked"] == 4
    assert (report["non_compliant_count"], report["unchecked_count"]) == (2, 0)
    assert report["complete"] is True
    assert report["failures"] == [
        {
            "permit_type": "sex_worker",
            "rule_id": "age.minimum",
            "severity": "blocking",
            "permits": 2,
        }
    ]
    assert report["summary"] == "2 of 4 permits would no longer comply"
    assert [c["passed"] for c in report["caps"]] == [True, True, True]
    assert report["home_work"] == {
        "registrations_checked": 0,
        "failing_count": 0,
        "failures": [],
        "failing": [],
    }


def test_simulate_refuses_an_invalid_draft(
    cli_database: tuple[str, Engine], tmp_path: Path
) -> None:
    url, _ = cli_database
    draft = tmp_path / "draft.toml"
    # minimum age 21 while keeping the young validity for under-21s: the schema refuses it
    draft.write_text(TILBURG_TEXT.replace("minimum_age = 18", "minimum_age = 21", 1))
    result = swl("policy", "simulate", str(draft), database_url=url)
    assert result.returncode == 1
    assert "permit_types.sex_worker.young_age_threshold" in result.stderr
    assert "would no longer comply" not in result.stdout


def test_simulate_many_permits_shows_progress_and_bounded_examples(
    cli_database: tuple[str, Engine], tmp_path: Path
) -> None:
    url, engine = cli_database
    young: set[str] = set()
    with Session(engine) as session:
        # Volume, not rules, is under test here: rows are inserted directly.
        holder = make_user(session, Role.applicant)
        version = policy_service.current(session=session).record
        today = permits_service.today()
        for index in range(201):
            # every eighth holder was born in 2010 (under 21): 26 permits would fail
            birth_date = "2010-05-05" if index % 8 == 0 else "1990-05-05"
            application = Application(
                applicant_id=holder.id,
                permit_type="sex_worker",
                status=ApplicationStatus.approved,
                working_name=f"Werknaam {index}",
                details={"birth_date": birth_date, "legal_name": LEGAL_NAME},
            )
            session.add(application)
            session.flush()
            permit = Permit(
                number=numbers.generate(),
                application_id=application.id,
                holder_id=holder.id,
                permit_type="sex_worker",
                working_name=f"Werknaam {index}",
                valid_from=today,
                valid_until=today + timedelta(days=365),
                policy_version_id=version.id,
            )
            session.add(permit)
            if birth_date == "2010-05-05":
                young.add(permit.number)
        session.commit()
    assert len(young) == 26
    draft = tmp_path / "draft.toml"
    draft.write_text(draft_text(minimum_age=21), encoding="utf-8")

    def listed(out: str) -> list[str]:
        return [number for number in sorted(young) if number in out]

    result = swl("policy", "simulate", str(draft), database_url=url)

    assert result.returncode == 0, result.stderr
    assert "Checking permits" in result.stderr
    assert "Checking permits" not in result.stdout
    out = result.stdout
    assert listed(out) == sorted(young)[:20]  # the first 20 by permit number, no more
    assert "the first 20 of 26 (--all lists all)" in " ".join(out.split())
    assert ["sex_worker", "age.minimum", "26"] in [line.split() for line in out.splitlines()]
    assert LEGAL_NAME not in out
    assert "26 of 201 permits would no longer comply" in out.splitlines()[-1]

    five = swl("policy", "simulate", str(draft), "--limit", "5", database_url=url)
    assert listed(five.stdout) == sorted(young)[:5]
    everything = swl("policy", "simulate", str(draft), "--all", database_url=url)
    assert listed(everything.stdout) == sorted(young)
    assert "the first" not in everything.stdout

    bounded = json.loads(swl("policy", "simulate", str(draft), "--json", database_url=url).stdout)
    assert [p["number"] for p in bounded["non_compliant"]] == sorted(young)[:20]
    assert (bounded["non_compliant_count"], bounded["limit"], bounded["complete"]) == (
        26,
        20,
        False,
    )
    full = json.loads(
        swl("policy", "simulate", str(draft), "--json", "--all", database_url=url).stdout
    )
    assert [p["number"] for p in full["non_compliant"]] == sorted(young)
    assert (full["limit"], full["complete"]) == (None, True)
    assert LEGAL_NAME not in json.dumps(full)
