"""The schema keys the policy library needs (a proposal, sources, rules that follow Tilburg,
a permit interview, a nationwide permit in a register, the minimum age of workers in a
business, a permit for home work) and their rules in the pure evaluator."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.policy.evaluate import (
    ApplicationFacts,
    HomeWorkFacts,
    PermitFacts,
    evaluate_application,
    evaluate_home_work,
    evaluate_permit_compliance,
)
from app.policy.loader import PolicyError, load_policy_file, load_policy_text

POLICIES = Path(__file__).resolve().parents[2] / "policies"
TILBURG = load_policy_file(POLICIES / "tilburg.toml")
WRS = load_policy_file(POLICIES / "wrs-proposal.toml")
AMSTERDAM = load_policy_file(POLICIES / "amsterdam.toml")
GEERTRUIDENBERG = load_policy_file(POLICIES / "geertruidenberg.toml")
HILVERSUM = load_policy_file(POLICIES / "hilversum.toml")
ON = date(2025, 6, 15)


def application(**changes: Any) -> ApplicationFacts:
    values: dict[str, Any] = {
        "permit_type": "sex_worker",
        "on": ON,
        "birth_date": date(1995, 3, 1),
        "provided_fields": frozenset({"working_name", "legal_name", "birth_date", "email"}),
        "provided_documents": frozenset({"identity_document", "right_to_work"}),
        "active_permits_of_type": 0,
        "person_permits_held": 0,
    }
    values.update(changes)
    return ApplicationFacts(**values)


def rule(results: list[Any], rule_id: str) -> Any:
    (found,) = [r for r in results if r.rule_id == rule_id]
    return found


# --- the library files ------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(POLICIES.glob("*.toml")), ids=lambda p: p.name)
def test_every_library_file_is_valid_and_cites_its_source(path: Path) -> None:
    policy = load_policy_file(path)
    text = path.read_text(encoding="utf-8")
    if path.name == "strict-example.toml":
        assert "fictional" in text.splitlines()[0]
    elif path.name != "tilburg.toml":  # Tilburg names its sources in comments and references
        assert policy.sources and "Source" in text
    for part in policy.follows_default:
        assert policy.follows_default_at(part)


def test_the_wrs_file_is_a_proposal_with_the_bills_rules() -> None:
    assert WRS.status == "proposal" and TILBURG.status == "in_force"
    assert any("35 715" in source for source in WRS.sources)
    worker = WRS.permit_types["sex_worker"]
    assert (worker.minimum_age, worker.interview_required) == (21, True)
    assert worker.valid_nationwide and worker.national_register
    assert worker.max_active_per_person == 1
    assert WRS.home_work.permit_type == "sex_worker"
    assert not WRS.follows_default_at("permit_types.sex_worker.minimum_age")
    assert WRS.follows_default_at("permit_types.sex_worker.validity_months")
    assert WRS.follows_default_at("permit_types.escort_business.cap")


def test_the_municipal_files_hold_the_public_facts() -> None:
    window = AMSTERDAM.permit_types["window_business"]
    assert window.worker_minimum_age == 21
    assert GEERTRUIDENBERG.permit_types["sex_business"].cap == 1
    assert HILVERSUM.home_work.allowed and HILVERSUM.home_work.permit_type is None
    assert any("ECLI:NL:RBAMS:2021:760" in source for source in AMSTERDAM.sources)
    assert HILVERSUM.follows_default_at("permit_types.sex_worker.minimum_age")
    assert not HILVERSUM.follows_default_at("home_work.allowed")


def test_tilburg_needs_no_interview_and_no_permit_for_home_work() -> None:
    worker = TILBURG.permit_types["sex_worker"]
    assert not (worker.interview_required or worker.valid_nationwide or worker.national_register)
    assert TILBURG.home_work.permit_type is None and TILBURG.follows_default == ()


def _tilburg_with(tmp_path: Path, old: str, new: str) -> str:
    text = (POLICIES / "tilburg.toml").read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


def test_home_work_permit_type_must_be_declared() -> None:
    text = _tilburg_with(
        Path(), "hearing_days = 14\n", 'hearing_days = 14\npermit_type = "window"\n'
    )
    with pytest.raises(PolicyError) as caught:
        load_policy_text(text, source="draft.toml")
    assert caught.value.key_path == "home_work.permit_type"
    assert "'window' is not declared" in str(caught.value)


@pytest.mark.parametrize("bad", ["statistics", "permit_types.window", "municipality"])
def test_follows_default_names_only_sections_and_declared_types(bad: str) -> None:
    text = _tilburg_with(Path(), 'language_default = "nl"\n', f'follows_default = ["{bad}"]\n')
    with pytest.raises(PolicyError) as caught:
        load_policy_text(text, source="draft.toml")
    assert caught.value.key_path == "follows_default[0]"


def test_status_is_in_force_or_proposal() -> None:
    text = _tilburg_with(Path(), 'language_default = "nl"\n', 'status = "draft"\n')
    with pytest.raises(PolicyError) as caught:
        load_policy_text(text, source="draft.toml")
    assert caught.value.key_path == "status"


# --- the permit interview -------------------------------------------------------------


def test_an_application_under_the_wrs_passes_once_the_interview_was_held() -> None:
    results = evaluate_application(WRS, application(interview_held=True))
    assert [r.rule_id for r in results][-1] == "interview.held"
    assert all(r.passed for r in results)


def test_an_interview_not_held_blocks_and_one_not_recorded_is_advisory() -> None:
    refused = rule(evaluate_application(WRS, application(interview_held=False)), "interview.held")
    assert (refused.passed, refused.severity) == (False, "blocking")
    unknown = rule(evaluate_application(WRS, application()), "interview.held")
    assert (unknown.passed, unknown.severity) == (False, "advisory")
    assert unknown.details == {"interview_held": None, "reason": "not_recorded"}
    assert "permit interview" in unknown.message_en


def test_no_interview_rule_where_the_policy_asks_none() -> None:
    facts = application(provided_documents=frozenset({"identity_document"}))
    rules = [r.rule_id for r in evaluate_application(TILBURG, facts)]
    assert "interview.held" not in rules
    business = evaluate_application(WRS, application(permit_type="sex_business"))
    assert "interview.held" not in [r.rule_id for r in business]


def test_a_permit_in_force_without_an_interview_fails_the_wrs() -> None:
    facts = PermitFacts("sex_worker", date(1990, 1, 1), ON, interview_held=False)
    results = evaluate_permit_compliance(WRS, facts)
    assert [(r.rule_id, r.passed) for r in results] == [
        ("permit_type.known", True),
        ("age.minimum", True),
        ("interview.held", False),
    ]
    assert evaluate_permit_compliance(TILBURG, facts)[-1].passed


def test_a_twenty_year_old_fails_the_wrs_age_and_passes_tilburg() -> None:
    facts = application(birth_date=date(2005, 1, 1), interview_held=True)
    assert not rule(evaluate_application(WRS, facts), "age.minimum").passed
    tilburg = application(
        birth_date=date(2005, 1, 1), provided_documents=frozenset({"identity_document"})
    )
    assert rule(evaluate_application(TILBURG, tilburg), "age.minimum").passed


# --- a permit for home work -----------------------------------------------------------


def home(holds_permit: bool | None) -> HomeWorkFacts:
    return HomeWorkFacts(ON, True, 0, (), holds_permit=holds_permit)


def test_home_work_under_the_wrs_needs_the_personal_permit() -> None:
    results = evaluate_home_work(WRS, home(True))
    assert [r.rule_id for r in results] == [
        "home_work.allowed",
        "home_work.registered",
        "home_work.permit",
        "home_work.max_workers",
        "home_work.nuisance",
    ]
    assert all(r.passed for r in results)
    without = rule(evaluate_home_work(WRS, home(False)), "home_work.permit")
    assert (without.passed, without.severity) == (False, "blocking")
    assert without.details == {"permit_type": "sex_worker", "holds_permit": False}
    assert "national sex worker permit" in without.message_en
    unknown = rule(evaluate_home_work(WRS, home(None)), "home_work.permit")
    assert (unknown.passed, unknown.severity) == (False, "advisory")


@pytest.mark.parametrize("policy", [TILBURG, HILVERSUM], ids=["tilburg", "hilversum"])
def test_home_work_needs_no_permit_in_tilburg_or_hilversum(policy: Any) -> None:
    rules = [r.rule_id for r in evaluate_home_work(policy, home(False))]
    assert "home_work.permit" not in rules
    assert all(r.passed for r in evaluate_home_work(policy, home(False)))
