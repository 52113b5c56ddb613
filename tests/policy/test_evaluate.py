"""The pure policy rules, checked against the shipped policies and small made-up ones."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.policy.evaluate import (
    ApplicationFacts,
    CheckResult,
    HomeWorkFacts,
    PermitFacts,
    add_months,
    age_on,
    evaluate_application,
    evaluate_caps,
    evaluate_home_work,
    evaluate_permit_compliance,
    validity_months,
)
from app.policy.loader import load_policy_file
from app.policy.schema import PermitType, Policy

POLICIES = Path(__file__).resolve().parents[2] / "policies"
TILBURG = load_policy_file(POLICIES / "tilburg.toml")
STRICT = load_policy_file(POLICIES / "strict-example.toml")

WORKER_FIELDS = frozenset({"working_name", "legal_name", "birth_date", "email", "phone"})
ON = date(2025, 6, 15)
APPLICATION_RULES = [
    "permit_type.known",
    "fields.required",
    "documents.required",
    "age.minimum",
    "cap.permit_type",
    "person.max_active",
]


def facts(**changes: Any) -> ApplicationFacts:
    values: dict[str, Any] = {
        "permit_type": "sex_worker",
        "on": ON,
        "birth_date": date(1995, 3, 1),
        "provided_fields": WORKER_FIELDS,
        "provided_documents": frozenset({"identity_document"}),
        "active_permits_of_type": 0,
        "person_permits_held": 0,
    }
    values.update(changes)
    return ApplicationFacts(**values)


def by_rule(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {result.rule_id: result for result in results}


@cache
def make_policy(
    minimum_age: int | None = 18, cap: int | Literal["none"] = "none", registration: bool = True
) -> Policy:
    """Tilburg's policy with one permit type, ``solo``, and adjustable rules."""
    solo_type = PermitType(
        label_nl="Solo",
        label_en="Solo",
        validity_months=12,
        minimum_age=minimum_age,
        cap=cap,
        required_fields=("birth_date",),
        reference="Testregel 1",
    )
    home_work = TILBURG.home_work.model_copy(
        update={"requires_registration_at_address": registration}
    )
    return TILBURG.model_copy(update={"permit_types": {"solo": solo_type}, "home_work": home_work})


def solo(birth_date: date | None, on: date, count: int = 0, **kw: Any) -> ApplicationFacts:
    return facts(
        permit_type="solo",
        birth_date=birth_date,
        on=on,
        provided_fields=frozenset({"birth_date"}),
        provided_documents=frozenset(),
        active_permits_of_type=count,
        **kw,
    )


# --- applications ------------------------------------------------------------------------


def test_complete_application_passes_every_rule_in_a_stable_order() -> None:
    results = evaluate_application(TILBURG, facts())
    assert [r.rule_id for r in results] == APPLICATION_RULES
    assert all(r.passed for r in results)
    assert all(r.reference == TILBURG.permit_types["sex_worker"].reference for r in results)
    assert all(r.message_nl and r.message_en for r in results)


def test_unknown_permit_type_gives_a_single_blocking_failure() -> None:
    results = evaluate_application(TILBURG, facts(permit_type="window_brothel"))
    assert len(results) == 1
    result = results[0]
    assert (result.rule_id, result.passed, result.severity) == (
        "permit_type.known",
        False,
        "blocking",
    )
    assert result.details["permit_type"] == "window_brothel"
    assert result.reference == TILBURG.reference


def test_missing_fields_are_listed_in_policy_order() -> None:
    provided = frozenset({"working_name", "email", "phone", "shoe_size"})
    result = by_rule(evaluate_application(TILBURG, facts(provided_fields=provided)))
    check = result["fields.required"]
    assert not check.passed and check.severity == "blocking"
    assert check.details["missing"] == ["legal_name", "birth_date"]
    assert "geboortedatum" in check.message_nl
    assert "date of birth" in check.message_en


def test_missing_documents_are_listed_with_labels() -> None:
    application = facts(
        permit_type="sex_business",
        provided_fields=frozenset(TILBURG.permit_types["sex_business"].required_fields),
        provided_documents=frozenset({"identity_document", "floor_plan"}),
    )
    check = by_rule(evaluate_application(TILBURG, application))["documents.required"]
    assert not check.passed
    assert check.details["missing"] == ["business_plan", "lease_or_deed", "house_rules"]
    assert "Bedrijfsplan" in check.message_nl
    assert "Business plan" in check.message_en


def test_age_exactly_at_minimum_on_the_birthday_passes() -> None:
    check = by_rule(evaluate_application(TILBURG, facts(birth_date=date(2007, 6, 15))))
    assert check["age.minimum"].passed
    assert check["age.minimum"].details["age"] == 18


def test_day_before_the_birthday_fails_with_plain_words() -> None:
    check = by_rule(evaluate_application(STRICT, facts(birth_date=date(2004, 6, 16))))
    age = check["age.minimum"]
    assert not age.passed and age.severity == "blocking"
    assert age.message_nl == "U bent jonger dan 21 jaar, de minimumleeftijd voor deze vergunning."
    assert age.message_en == "You are younger than 21, the minimum age for this permit."
    assert age.details["age"] == 20  # in memory; a stored check keeps only the rule


def test_missing_birth_date_fails_and_asks_for_it() -> None:
    check = by_rule(evaluate_application(TILBURG, facts(birth_date=None)))["age.minimum"]
    assert not check.passed and check.severity == "blocking"
    assert check.details["reason"] == "birth_date_missing"
    assert "geboortedatum" in check.message_nl and "date of birth" in check.message_en


def test_birth_date_after_the_reference_date_fails() -> None:
    check = by_rule(evaluate_application(TILBURG, facts(birth_date=ON + timedelta(days=1))))
    assert not check["age.minimum"].passed
    assert check["age.minimum"].details["reason"] == "birth_date_in_future"


@pytest.mark.parametrize(
    ("on", "passed"),
    [(date(2022, 2, 28), False), (date(2022, 3, 1), True), (date(2024, 2, 29), True)],
)
def test_leap_day_birthday_turns_a_year_older_on_1_march(on: date, passed: bool) -> None:
    check = by_rule(evaluate_application(TILBURG, facts(birth_date=date(2004, 2, 29), on=on)))
    assert check["age.minimum"].passed is passed


def test_age_on_leap_day_birthdays() -> None:
    born = date(2004, 2, 29)
    assert age_on(born, date(2005, 2, 28)) == 0
    assert age_on(born, date(2005, 3, 1)) == 1
    assert age_on(born, date(2008, 2, 28)) == 3
    assert age_on(born, date(2008, 2, 29)) == 4
    assert age_on(born, born) == 0
    with pytest.raises(ValueError):
        age_on(born, date(2004, 2, 28))


def test_no_minimum_age_means_no_age_rule() -> None:
    results = evaluate_application(make_policy(minimum_age=None), solo(None, ON))
    assert "age.minimum" not in [r.rule_id for r in results]


@pytest.mark.parametrize(("count", "passed"), [(0, True), (1, True), (2, False), (7, False)])
def test_cap_on_sex_businesses(count: int, passed: bool) -> None:
    application = facts(
        permit_type="sex_business",
        birth_date=date(1980, 1, 1),
        active_permits_of_type=count,
    )
    check = by_rule(evaluate_application(STRICT, application))["cap.permit_type"]
    assert check.passed is passed
    assert check.severity == "blocking"
    assert check.details["cap"] == 2 and check.details["active"] == count


def test_no_cap_passes_any_count() -> None:
    application = facts(permit_type="sex_business", active_permits_of_type=10_000)
    check = by_rule(evaluate_application(TILBURG, application))["cap.permit_type"]
    assert check.passed and check.details["cap"] is None


@pytest.mark.parametrize("count", [1, 2, 5])
def test_renewal_takes_no_extra_place_under_the_cap(count: int) -> None:
    application = facts(
        permit_type="sex_business",
        birth_date=date(1980, 1, 1),
        active_permits_of_type=count,
        is_renewal=True,
    )
    check = by_rule(evaluate_application(STRICT, application))["cap.permit_type"]
    assert check.passed and check.details["is_renewal"] is True


def test_renewal_still_checks_age_fields_and_documents() -> None:
    application = facts(
        birth_date=date(2010, 1, 1), provided_documents=frozenset(), is_renewal=True
    )
    failed = {r.rule_id for r in evaluate_application(TILBURG, application) if not r.passed}
    assert failed == {"age.minimum", "documents.required"}


def test_messages_use_sex_work_words() -> None:
    results = evaluate_application(STRICT, facts(birth_date=None, active_permits_of_type=9))
    results += evaluate_home_work(TILBURG, HomeWorkFacts(ON, False, 5, (ON, ON)))
    results += evaluate_home_work(STRICT, HomeWorkFacts(ON, None, 0))
    for result in results:
        assert "prostitu" not in (result.message_nl + result.message_en).lower()


# --- validity ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth_date", "months"),
    [(date(2005, 6, 15), 12), (date(2004, 6, 16), 12), (date(2004, 6, 15), 24), (None, None)],
)
def test_validity_months_for_young_and_older_sex_workers(
    birth_date: date | None, months: int | None
) -> None:
    if months is None:
        with pytest.raises(ValueError):
            validity_months(TILBURG, "sex_worker", birth_date, ON)
    else:
        assert validity_months(TILBURG, "sex_worker", birth_date, ON) == months


def test_validity_months_for_businesses_and_unknown_types() -> None:
    assert validity_months(TILBURG, "sex_business", date(2005, 1, 1), ON) == 36
    assert validity_months(TILBURG, "escort_business", None, ON) == 12
    with pytest.raises(KeyError):
        validity_months(TILBURG, "window", None, ON)


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2024, 11, 15), 36) == date(2027, 11, 15)
    assert add_months(date(2024, 12, 1), 1) == date(2025, 1, 1)


# --- simulation against existing permits --------------------------------------------------


def test_tilburg_permit_of_a_19_year_old_fails_the_strict_minimum_age() -> None:
    permit = PermitFacts("sex_worker", date(2006, 1, 1), ON)
    assert all(r.passed for r in evaluate_permit_compliance(TILBURG, permit))
    check = by_rule(evaluate_permit_compliance(STRICT, permit))["age.minimum"]
    assert not check.passed and check.severity == "blocking"


def test_permit_of_a_removed_type_fails() -> None:
    results = evaluate_permit_compliance(TILBURG, PermitFacts("window", date(1990, 1, 1), ON))
    assert [(r.rule_id, r.passed) for r in results] == [("permit_type.known", False)]


def test_permit_without_known_birth_date_is_an_advisory_failure() -> None:
    results = by_rule(evaluate_permit_compliance(STRICT, PermitFacts("sex_business", None, ON)))
    assert not results["age.minimum"].passed
    assert results["age.minimum"].severity == "advisory"


def test_caps_over_the_whole_set() -> None:
    results = evaluate_caps(STRICT, {"sex_business": 3, "escort_business": 40, "window": 2})
    assert [(r.rule_id, r.details.get("permit_type"), r.passed) for r in results] == [
        ("cap.permit_type", "sex_worker", True),
        ("cap.permit_type", "sex_business", False),
        ("cap.permit_type", "escort_business", True),
        ("permit_type.known", "window", False),
    ]
    assert all(r.passed for r in evaluate_caps(STRICT, {"sex_business": 2}))


# --- home work ---------------------------------------------------------------------------


def home(
    registered: bool | None = True, others: int = 0, nuisance: tuple[date, ...] = ()
) -> HomeWorkFacts:
    return HomeWorkFacts(ON, registered, others, nuisance)


def test_home_work_in_tilburg_passes_every_rule() -> None:
    results = evaluate_home_work(TILBURG, home())
    assert [r.rule_id for r in results] == [
        "home_work.allowed",
        "home_work.registered",
        "home_work.max_workers",
        "home_work.nuisance",
    ]
    assert all(r.passed for r in results)
    assert all(r.reference == TILBURG.home_work.reference for r in results)


def test_home_work_not_allowed_gives_a_single_failure() -> None:
    results = evaluate_home_work(STRICT, home())
    assert [(r.rule_id, r.passed, r.severity) for r in results] == [
        ("home_work.allowed", False, "blocking")
    ]


def test_not_registered_at_the_address_blocks() -> None:
    check = by_rule(evaluate_home_work(TILBURG, home(registered=False)))["home_work.registered"]
    assert (check.passed, check.severity) == (False, "blocking")
    assert "BRP" in check.message_nl


def test_register_unavailable_is_an_advisory_failure() -> None:
    check = by_rule(evaluate_home_work(TILBURG, home(registered=None)))["home_work.registered"]
    assert (check.passed, check.severity) == (False, "advisory")
    assert check.details["register_consulted"] is False


def test_registration_rule_absent_when_the_policy_does_not_require_it() -> None:
    results = evaluate_home_work(make_policy(registration=False), home(registered=False))
    assert "home_work.registered" not in [r.rule_id for r in results]
    assert all(r.passed for r in results)


@pytest.mark.parametrize(("others", "passed"), [(0, True), (1, True), (2, False), (3, False)])
def test_max_workers_per_address_counts_the_others(others: int, passed: bool) -> None:
    check = by_rule(evaluate_home_work(TILBURG, home(others=others)))["home_work.max_workers"]
    assert check.passed is passed
    assert check.details["others_at_address"] == others


def test_max_workers_messages_do_not_reveal_how_many_others_work_there() -> None:
    def message(others: int) -> tuple[str, str]:
        check = by_rule(evaluate_home_work(TILBURG, home(others=others)))["home_work.max_workers"]
        return check.message_nl, check.message_en

    assert message(0) == message(1)
    assert message(2) == message(3) == message(9)


@pytest.mark.parametrize(
    ("days_ago", "passed"),
    [
        ((), True),
        ((10,), True),  # one report, threshold is two
        ((10, 300), False),
        ((0, 364), False),  # the window counts today and the 364 days before
        ((10, 365), True),  # a report 365 days ago falls outside the 365-day window
        ((10, 400, 800), True),
        ((10, -5), True),  # a report dated after the reference date does not count
        ((1, 2, 3), False),
    ],
)
def test_nuisance_within_the_window_against_the_threshold(
    days_ago: tuple[int, ...], passed: bool
) -> None:
    dates = tuple(ON - timedelta(days=n) for n in days_ago)
    check = by_rule(evaluate_home_work(TILBURG, home(nuisance=dates)))["home_work.nuisance"]
    assert check.passed is passed
    assert check.severity == "blocking"
    assert check.details["count"] == sum(1 for n in days_ago if 0 <= n < 365)


# --- properties --------------------------------------------------------------------------

dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


def reference_age(birth: date, on: date) -> int:
    """Count anniversaries; a 29 February birthday falls on 1 March in other years."""

    def anniversary(years: int) -> date:
        try:
            return birth.replace(year=birth.year + years)
        except ValueError:
            return date(birth.year + years, 3, 1)

    years = 0
    while anniversary(years + 1) <= on:
        years += 1
    return years


@given(birth=dates, days=st.integers(min_value=0, max_value=120 * 366))
def test_age_on_agrees_with_counting_anniversaries(birth: date, days: int) -> None:
    on = birth + timedelta(days=days)
    assert age_on(birth, on) == reference_age(birth, on)


@given(
    birth=dates,
    days=st.integers(min_value=0, max_value=110 * 366),
    minimum=st.integers(min_value=16, max_value=99),
)
def test_age_rule_passes_iff_old_enough(birth: date, days: int, minimum: int) -> None:
    on = birth + timedelta(days=days)
    policy = make_policy(minimum_age=minimum)
    check = by_rule(evaluate_application(policy, solo(birth, on)))["age.minimum"]
    assert check.passed is (age_on(birth, on) >= minimum)


@given(
    cap=st.one_of(st.just("none"), st.integers(min_value=1, max_value=50)),
    count=st.integers(min_value=0, max_value=100),
    renewal=st.booleans(),
)
def test_cap_rule_passes_iff_below_cap(
    cap: int | Literal["none"], count: int, renewal: bool
) -> None:
    policy = make_policy(cap=cap)
    application = solo(date(1990, 1, 1), ON, count, is_renewal=renewal)
    check = by_rule(evaluate_application(policy, application))["cap.permit_type"]
    expected = cap == "none" or renewal or count < int(cap)
    assert check.passed is expected
    whole_set = evaluate_caps(policy, {"solo": count})[0]
    assert whole_set.passed is (cap == "none" or count <= int(cap))


# --- one person, one record ----------------------------------------------------------------


def test_a_second_personal_permit_fails_under_a_limit_of_one() -> None:
    check = by_rule(evaluate_application(TILBURG, facts(person_permits_held=1)))
    failed = check["person.max_active"]
    assert not failed.passed and failed.severity == "blocking"
    assert failed.details["max_active_per_person"] == 1 and failed.details["held"] == 1
    assert "andere werknaam" in failed.message_nl and "another working name" in failed.message_en
    passed = by_rule(evaluate_application(TILBURG, facts(person_other_applications=1)))
    assert passed["person.max_active"].passed
    assert passed["person.max_active"].details["other_open_applications"] == 1


def test_an_unknown_person_cannot_pass_the_limit_per_person() -> None:
    check = by_rule(evaluate_application(TILBURG, facts(person_permits_held=None)))
    assert not check["person.max_active"].passed
    assert check["person.max_active"].details["reason"] == "identity_unknown"


def test_types_without_a_limit_per_person_have_no_such_check() -> None:
    results = evaluate_application(TILBURG, facts(permit_type="escort_business"))
    assert "person.max_active" not in {r.rule_id for r in results}
