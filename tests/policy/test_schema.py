"""The policy file format: the shipped files validate, bad files say where they are wrong."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.policy.loader import (
    PolicyError,
    key_lines,
    load_policy_file,
    load_policy_text,
    policy_fingerprint,
)
from app.policy.schema import FIELD_LABELS, FIELD_VOCABULARY, Policy

POLICIES = Path(__file__).resolve().parents[2] / "policies"
TILBURG = POLICIES / "tilburg.toml"
STRICT = POLICIES / "strict-example.toml"


def tilburg_text() -> str:
    return TILBURG.read_text(encoding="utf-8")


def edit(text: str, header: str, old: str, new: str) -> tuple[str, int]:
    """Replace the first ``old`` line after ``header``; return the text and the new line number."""
    lines = text.splitlines()
    start = lines.index(header)
    for index in range(start + 1, len(lines)):
        if lines[index] == old:
            lines[index] = new
            return "\n".join(lines) + "\n", index + 1
    raise AssertionError(f"{old!r} not found after {header!r}")


def load_bad(tmp_path: Path, text: str) -> PolicyError:
    path = tmp_path / "bad-policy.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy_file(path)
    assert str(path) in str(caught.value)
    return caught.value


# --- the shipped files -------------------------------------------------------------------


def test_tilburg_policy_encodes_the_facts() -> None:
    policy = load_policy_file(TILBURG)
    assert policy.municipality.name == "Tilburg"
    assert policy.municipality.decision_authority == "De burgemeester van Tilburg"
    assert policy.language_default == "nl"
    assert all(spec.cap == "none" for spec in policy.permit_types.values())
    assert policy.permit_types["sex_business"].validity_months == 36
    assert policy.permit_types["escort_business"].validity_months == 12
    assert policy.permit_types["sex_business"].reference == "APV Tilburg art. 97"
    worker = policy.permit_types["sex_worker"]
    assert (worker.validity_months, worker.young_validity_months) == (24, 12)
    assert (worker.young_age_threshold, worker.minimum_age) == (21, 18)
    assert "working_name" in worker.required_fields
    assert worker.permit_shows_address is False
    assert policy.home_work.allowed and policy.home_work.requires_registration_at_address
    assert policy.home_work.nuisance_window_days == 365
    assert policy.home_work.nuisance_threshold == 2
    assert (policy.decision.period_days, policy.decision.extension_days) == (56, 56)
    assert policy.decision.renewal_window_days == 90
    assert policy.retention.applicant_data_months_after_expiry == 3
    assert policy.effective_date == date(2020, 1, 1)


def test_strict_example_is_stricter_with_the_same_permit_types() -> None:
    strict = load_policy_file(STRICT)
    tilburg = load_policy_file(TILBURG)
    assert list(strict.permit_types) == list(tilburg.permit_types)
    assert strict.permit_types["sex_business"].cap == 2
    assert all(spec.minimum_age == 21 for spec in strict.permit_types.values())
    assert strict.home_work.allowed is False
    for key, spec in strict.permit_types.items():
        assert set(tilburg.permit_types[key].required_fields) <= set(spec.required_fields)


@pytest.mark.parametrize("path", [TILBURG, STRICT], ids=["tilburg", "strict"])
def test_shipped_policies_use_sex_work_words(path: Path) -> None:
    policy = load_policy_file(path)
    texts: list[str] = [policy.municipality.decision_authority]
    for spec in policy.permit_types.values():
        texts += [spec.label_nl, spec.label_en, *spec.conditions_nl, *spec.conditions_en]
    for items in (
        policy.nuisance_categories,
        policy.inspection_checklist,
        policy.trafficking_indicators,
    ):
        texts += [text for item in items for text in (item.label_nl, item.label_en)]
    texts += [kind.label_nl for kind in policy.document_kinds.values()]
    assert not [text for text in texts if "prostitu" in text.lower()]


def test_every_known_field_has_labels() -> None:
    assert set(FIELD_LABELS) == FIELD_VOCABULARY
    assert all(nl and en for nl, en in FIELD_LABELS.values())


def test_policy_is_frozen() -> None:
    policy = load_policy_file(TILBURG)
    with pytest.raises(ValidationError):
        policy.version = "changed"  # type: ignore[misc]


def test_fingerprint_is_sha256_of_file_bytes_and_notices_changes() -> None:
    data = TILBURG.read_bytes()
    assert policy_fingerprint(data) == hashlib.sha256(data).hexdigest()
    assert policy_fingerprint(data.decode("utf-8")) == hashlib.sha256(data).hexdigest()
    assert policy_fingerprint(data + b"\n") != policy_fingerprint(data)


# --- bad files ---------------------------------------------------------------------------


def test_wrong_cap_string_names_key_and_line(tmp_path: Path) -> None:
    text, line = edit(tilburg_text(), "[permit_types.sex_worker]", 'cap = "none"', 'cap = "lots"')
    error = load_bad(tmp_path, text)
    assert error.key_path == "permit_types.sex_worker.cap"
    assert error.line == line
    assert f"bad-policy.toml:{line}: permit_types.sex_worker.cap:" in str(error)
    assert '"none"' in str(error)


@pytest.mark.parametrize("value", ["0", "-1", "true", '"3"', "2.5"])
def test_cap_must_be_none_or_positive_whole_number(tmp_path: Path, value: str) -> None:
    text, line = edit(
        tilburg_text(), "[permit_types.escort_business]", 'cap = "none"', f"cap = {value}"
    )
    error = load_bad(tmp_path, text)
    assert (error.key_path, error.line) == ("permit_types.escort_business.cap", line)


def test_unknown_required_field_names_the_list_element(tmp_path: Path) -> None:
    text, line = edit(
        tilburg_text(),
        "[permit_types.sex_worker]",
        'required_fields = ["working_name", "legal_name", "birth_date", "email"]',
        'required_fields = ["working_name", "shoe_size", "birth_date", "email"]',
    )
    error = load_bad(tmp_path, text)
    assert error.key_path == "permit_types.sex_worker.required_fields[1]"
    assert error.line == line
    assert "shoe_size" in str(error)


def test_unknown_field_in_multiline_list_points_at_its_own_line(tmp_path: Path) -> None:
    text, line = edit(tilburg_text(), "[permit_types.sex_business]", '    "phone",', '    "fax",')
    error = load_bad(tmp_path, text)
    assert error.key_path == "permit_types.sex_business.required_fields[3]"
    assert error.line == line


def test_syntax_error_carries_the_line(tmp_path: Path) -> None:
    text, line = edit(
        tilburg_text(), "[home_work]", "max_workers_per_address = 2", "max_workers = "
    )
    error = load_bad(tmp_path, text)
    assert error.line == line
    assert error.key_path is None
    assert "syntax" in str(error)
    assert f"bad-policy.toml:{line}:" in str(error)


def test_misspelt_key_is_reported_with_its_line_and_the_missing_one(tmp_path: Path) -> None:
    text, line = edit(
        tilburg_text(),
        "[permit_types.escort_business]",
        "validity_months = 12",
        "validty_months = 12",
    )
    error = load_bad(tmp_path, text)
    header_line = text.splitlines().index("[permit_types.escort_business]") + 1
    problems = {problem.key_path: problem for problem in error.problems}
    assert problems["permit_types.escort_business.validty_months"].line == line
    assert "unknown key" in problems["permit_types.escort_business.validty_months"].message
    missing = problems["permit_types.escort_business.validity_months"]
    assert (missing.line, missing.message) == (header_line, "required key is missing")


def test_permit_type_key_must_be_snake_case(tmp_path: Path) -> None:
    lines = tilburg_text().splitlines()
    index = lines.index("[permit_types.sex_worker]")
    lines[index] = "[permit_types.Sex-Worker]"
    error = load_bad(tmp_path, "\n".join(lines) + "\n")
    assert (error.key_path, error.line) == ("permit_types.Sex-Worker", index + 1)


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("minimum_age = 18", "minimum_age = 15", "minimum_age"),
        ("minimum_age = 18", "minimum_age = 100", "minimum_age"),
        ("young_age_threshold = 21", "young_age_threshold = 18", "young_age_threshold"),
        ("young_age_threshold = 21", "", "young_validity_months"),
        ("young_validity_months = 12", "", "young_age_threshold"),
        ("validity_months = 24", "validity_months = 0", "validity_months"),
        (
            'required_documents = ["identity_document"]',
            'required_documents = ["selfie"]',
            "required_documents[0]",
        ),
        (
            'required_fields = ["working_name", "legal_name", "birth_date", "email"]',
            'required_fields = ["working_name", "email"]',
            "required_fields",
        ),
        ('    "Show this permit to a municipal inspector on request.",', "", "conditions_en"),
    ],
)
def test_permit_type_rules(tmp_path: Path, old: str, new: str, key: str) -> None:
    text, _ = edit(tilburg_text(), "[permit_types.sex_worker]", old, new)
    error = load_bad(tmp_path, text)
    assert error.key_path == f"permit_types.sex_worker.{key}"
    lines = text.splitlines()
    start = lines.index("[permit_types.sex_worker]")
    key_name = key.split("[")[0]
    line = next(i + 1 for i in range(start, len(lines)) if lines[i].startswith(f"{key_name} ="))
    assert error.line == line


def test_young_validity_without_threshold_points_at_the_key(tmp_path: Path) -> None:
    text, _ = edit(tilburg_text(), "[permit_types.sex_worker]", "young_age_threshold = 21", "")
    line = text.splitlines().index("young_validity_months = 12") + 1
    error = load_bad(tmp_path, text)
    assert (error.key_path, error.line) == ("permit_types.sex_worker.young_validity_months", line)


def test_duplicate_list_key_points_at_the_second_item(tmp_path: Path) -> None:
    text = tilburg_text().replace('key = "parking"', 'key = "noise"')
    lines = text.splitlines()
    line = [i + 1 for i, value in enumerate(lines) if value == 'key = "noise"'][1]
    error = load_bad(tmp_path, text)
    assert (error.key_path, error.line) == ("nuisance_categories[1].key", line)


def test_missing_table_is_reported(tmp_path: Path) -> None:
    text = tilburg_text()
    start = text.index("[retention]")
    error = load_bad(tmp_path, text[:start])
    assert error.key_path == "retention"
    assert "required key is missing" in str(error)


def test_missing_key_points_at_its_table(tmp_path: Path) -> None:
    text, _ = edit(tilburg_text(), "[home_work]", "nuisance_threshold = 2", "")
    line = text.splitlines().index("[home_work]") + 1
    error = load_bad(tmp_path, text)
    assert (error.key_path, error.line) == ("home_work.nuisance_threshold", line)


def test_retention_must_cover_the_nuisance_window(tmp_path: Path) -> None:
    text, line = edit(
        tilburg_text(), "[retention]", "nuisance_report_months = 24", "nuisance_report_months = 6"
    )
    error = load_bad(tmp_path, text)
    assert (error.key_path, error.line) == ("retention.nuisance_report_months", line)


def test_unreadable_file_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"missing\.toml"):
        load_policy_file(tmp_path / "missing.toml")


def test_load_policy_text_names_the_source() -> None:
    with pytest.raises(PolicyError, match=r"^draft:1: TOML syntax error"):
        load_policy_text("version = \n", source="draft")


def test_valid_text_loads_without_a_file() -> None:
    assert isinstance(load_policy_text(tilburg_text()), Policy)


# --- locating keys -----------------------------------------------------------------------


def test_key_lines_handles_toml_shapes() -> None:
    text = "\n".join(
        [
            'title = "x"  # comment with [brackets] and key = value',  # 1
            'notes = """',  # 2
            "[not_a_table]",  # 3
            'fake = "no"',  # 4
            '"""',  # 5
            '[a . "quoted.key"]',  # 6
            "b.c = 1",  # 7
            "list = [",  # 8
            "  'one', # first",  # 9
            "  { k = [1, 2] },",  # 10
            '  "three"',  # 11
            "]",  # 12
            "[[items]]",  # 13
            "name = 'first'",  # 14
            "[[items]]",  # 15
            "name = 'second'",  # 16
            "[[items.sub]]",  # 17
            "x = 1",  # 18
            "[items.meta]",  # 19
            "y = 2",  # 20
        ]
    )
    lines = key_lines(text)
    assert lines[("title",)] == 1
    assert lines[("notes",)] == 2
    assert ("not_a_table",) not in lines and ("fake",) not in lines
    assert lines[("a", "quoted.key")] == 6
    assert lines[("a", "quoted.key", "b", "c")] == 7
    assert lines[("a", "quoted.key", "list")] == 8
    assert [lines[("a", "quoted.key", "list", i)] for i in range(3)] == [9, 10, 11]
    assert lines[("items", 0, "name")] == 14
    assert lines[("items", 1, "name")] == 16
    assert lines[("items", 1, "sub", 0, "x")] == 18
    assert lines[("items", 1, "meta", "y")] == 20
