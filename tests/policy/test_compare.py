"""The comparison of two policies (pure), `swl policy diff` (a real process) and the policy
library: exactly the rules that differ, in plain words, marked where a file follows Tilburg."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.errors import NotFound
from app.policy import library
from app.policy.compare import compare
from app.policy.loader import load_policy_file, load_policy_text

POLICIES = Path(__file__).resolve().parents[2] / "policies"
TILBURG = load_policy_file(POLICIES / "tilburg.toml")
TILBURG_TEXT = (POLICIES / "tilburg.toml").read_text(encoding="utf-8")

EXPECTED = {
    "wrs-proposal": [
        "permit_types.sex_worker.validity_months",
        "permit_types.sex_worker.minimum_age",
        "permit_types.sex_worker.interview_required",
        "permit_types.sex_worker.valid_nationwide",
        "permit_types.sex_worker.national_register",
        "permit_types.sex_worker.required_documents",
        "permit_types.sex_worker.conditions",
        "home_work.permit_type",
    ],
    "amsterdam": ["permit_types.sex_business.conditions", "permit_types.window_business"],
    "geertruidenberg": [
        "permit_types.sex_business.cap",
        "permit_types.sex_business.required_documents",
    ],
    "hilversum": [],
    "strict-example": [
        "permit_types.sex_worker.validity_months",
        "permit_types.sex_worker.minimum_age",
        "permit_types.sex_worker.conditions",
        "permit_types.sex_business.minimum_age",
        "permit_types.sex_business.cap",
        "permit_types.sex_business.required_documents",
        "permit_types.sex_business.conditions",
        "permit_types.escort_business.minimum_age",
        "permit_types.escort_business.conditions",
        "home_work.allowed",
        "decision.extension_days",
        "decision.information_term_days",
        "decision.renewal_window_days",
    ],
}


def swl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("other", sorted(EXPECTED))
def test_tilburg_against_each_library_file_lists_exactly_the_differing_rules(other: str) -> None:
    policy = load_policy_file(POLICIES / f"{other}.toml")
    assert compare(TILBURG, policy).keys == EXPECTED[other]


def test_a_policy_compared_with_itself_differs_nowhere() -> None:
    assert compare(TILBURG, TILBURG).differences == ()


def test_one_changed_key_gives_one_row_with_both_values_in_plain_words() -> None:
    draft = load_policy_text(
        TILBURG_TEXT.replace("period_days = 56\n", "period_days = 42\n", 1), source="draft"
    )
    (row,) = compare(TILBURG, draft).differences
    assert (row.key, row.topic, row.a.value, row.b.value) == (
        "decision.period_days",
        "decision",
        56,
        42,
    )
    assert (row.rule.en, row.a.words.en, row.b.words.en) == (
        "Decision period",
        "8 weeks.",
        "6 weeks.",
    )
    assert not (row.a.follows_default or row.b.follows_default)


def test_the_order_of_a_and_b_only_swaps_the_sides() -> None:
    wrs = load_policy_file(POLICIES / "wrs-proposal.toml")
    there, back = compare(TILBURG, wrs), compare(wrs, TILBURG)
    assert there.keys == back.keys
    assert [(d.a.value, d.b.value) for d in there.differences] == [
        (d.b.value, d.a.value) for d in back.differences
    ]


def test_rules_a_file_takes_from_tilburg_are_marked() -> None:
    wrs = load_policy_file(POLICIES / "wrs-proposal.toml")
    rows = {d.key: d for d in compare(TILBURG, wrs).differences}
    assert rows["permit_types.sex_worker.validity_months"].b.follows_default
    assert not rows["permit_types.sex_worker.minimum_age"].b.follows_default


def test_home_work_rules_are_compared_only_where_both_allow_home_work() -> None:
    strict = load_policy_file(POLICIES / "strict-example.toml")
    keys = compare(TILBURG, strict).keys
    assert "home_work.allowed" in keys
    assert not [k for k in keys if k.startswith("home_work.") and k != "home_work.allowed"]


def test_a_permit_type_in_one_policy_only_is_one_row() -> None:
    amsterdam = load_policy_file(POLICIES / "amsterdam.toml")
    row = compare(TILBURG, amsterdam).differences[-1]
    assert (row.key, row.a.value, row.b.value) == ("permit_types.window_business", False, True)
    assert "at least 21" in row.b.words.en


# --- swl policy diff ---------------------------------------------------------------------


def test_swl_policy_diff_prints_the_differing_rules_and_the_proposal() -> None:
    done = swl(
        "policy", "diff", str(POLICIES / "tilburg.toml"), str(POLICIES / "wrs-proposal.toml")
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "A: Tilburg" in out and "a PROPOSAL, not in force" in out
    for text in (
        "Sex worker permit: minimum age",
        "18 years.",
        "21 years.",
        "A permit interview comes first.",
    ):
        assert text in out
    assert "2 years. *" in out and "* follows Tilburg" in out
    assert "8 rules differ." in out
    assert "Decision period" not in out  # the same in both


def test_swl_policy_diff_json_has_the_same_rows_as_the_comparison() -> None:
    done = swl(
        "policy",
        "diff",
        "--json",
        str(POLICIES / "tilburg.toml"),
        str(POLICIES / "geertruidenberg.toml"),
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [d["key"] for d in data["differences"]] == EXPECTED["geertruidenberg"]
    assert data["b"]["status"] == "in_force" and data["b"]["name"] == "Geertruidenberg"
    cap = data["differences"][0]
    assert (cap["a"]["en"], cap["b"]["en"]) == ("No cap.", "At most 1 permit at a time.")


def test_swl_policy_diff_says_when_nothing_differs() -> None:
    done = swl("policy", "diff", str(POLICIES / "tilburg.toml"), str(POLICIES / "hilversum.toml"))
    assert done.returncode == 0 and "No rules differ." in done.stdout


def test_swl_policy_diff_refuses_an_invalid_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(TILBURG_TEXT.replace("period_days = 56", "period_days = 0", 1))
    done = swl("policy", "diff", str(POLICIES / "tilburg.toml"), str(bad))
    assert done.returncode == 1
    assert "decision.period_days" in done.stderr


# --- the library -------------------------------------------------------------------------


def test_the_library_lists_policies_in_force_before_proposals() -> None:
    keys = [entry.key for entry in library.entries()]
    assert set(keys) == {p.stem for p in POLICIES.glob("*.toml")}
    assert keys[-1] == "wrs-proposal"
    assert library.get("tilburg").policy == TILBURG


def test_the_library_leaves_out_invalid_files_and_unknown_keys(tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text(TILBURG_TEXT)
    (tmp_path / "bad.toml").write_text("version = 1\n")
    assert [e.key for e in library.entries(tmp_path)] == ["good"]
    with pytest.raises(NotFound):
        library.get("bad", tmp_path)
