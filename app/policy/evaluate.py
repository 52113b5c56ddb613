"""Pure rules: a policy plus facts in, check results out.

Nothing here reads the database or the clock; every date is passed in. The same functions
decide an application, re-check a home-work registration, and simulate a draft policy
against the permits that exist today.

Counting conventions (the caller supplies the counts):

* ``ApplicationFacts.active_permits_of_type`` is the number of active permits of that type
  *excluding* the application being evaluated. A new permit fits while that number is below
  the cap.
* A renewal replaces the permit it renews, so it takes no extra place under the cap: the cap
  check passes for a renewal whatever the count, even when a lowered cap is already exceeded.
* ``HomeWorkFacts.workers_at_address`` counts the *other* sex workers with a home-work
  registration at the address, not the one being evaluated.
* ``ApplicationFacts.person_permits_held`` counts the permits of the type the same person
  (by legal identity, under any working name) holds, *excluding* the permit a renewal
  replaces; ``person_other_applications`` counts that person's other open applications of
  the type. A permit fits while the held count is below ``max_active_per_person``.
* ``evaluate_caps`` checks a whole set of existing permits: it passes while the count is at
  most the cap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from app.policy.schema import FIELD_LABELS, PermitType, Policy

Severity = Literal["blocking", "advisory"]


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one rule; messages are written for the person they concern."""

    rule_id: str
    passed: bool
    severity: Severity
    message_nl: str
    message_en: str
    reference: str
    details: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class ApplicationFacts:
    permit_type: str
    on: date
    birth_date: date | None
    provided_fields: frozenset[str]
    provided_documents: frozenset[str]
    active_permits_of_type: int | None
    """Permits of the type in force; None when the type has no cap (nothing is counted)."""
    is_renewal: bool = False
    person_permits_held: int | None = None
    """Permits of the type the same person holds (not the one renewed); None: the person
    is not known (no legal name and birth date yet)."""
    person_other_applications: int = 0
    """Other open applications of the type by the same person, under any working name."""
    interview_held: bool | None = None
    """Whether the permit interview was held (only asked when the type requires one);
    None: not recorded (this service does not record interviews yet)."""


@dataclass(frozen=True)
class HomeWorkFacts:
    on: date
    registered_at_address: bool | None
    """None: the population register (BRP) could not be consulted."""
    workers_at_address: int
    substantiated_nuisance_dates: tuple[date, ...] = ()
    holds_permit: bool | None = None
    """Whether the worker holds a permit in force of ``home_work.permit_type`` (only asked
    when the policy names one); None: not looked up."""


@dataclass(frozen=True)
class PermitFacts:
    permit_type: str
    holder_birth_date: date | None
    on: date
    interview_held: bool | None = None
    """Whether the holder had the permit interview the type requires; None: unknown."""


def age_on(birth_date: date, on: date) -> int:
    """Age in whole years on ``on``.

    Someone born on 29 February becomes a year older on 1 March in a non-leap year.
    Raises ValueError when ``on`` is before ``birth_date``.
    """
    if on < birth_date:
        raise ValueError(f"date {on} is before birth date {birth_date}")
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - int(before_birthday)


def add_months(start: date, months: int) -> date:
    """``start`` plus whole months; the day is clamped to the end of a shorter month."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    next_month = date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_month - timedelta(days=1)).day
    return date(year, month, min(start.day, last_day))


def validity_months(policy: Policy, permit_type: str, birth_date: date | None, on: date) -> int:
    """How many months a permit of this type issued on ``on`` is valid for this holder.

    Raises KeyError for an unknown permit type, and ValueError when the type has a shorter
    validity for young holders and no birth date is given.
    """
    spec = policy.permit_type(permit_type)
    if spec is None:
        raise KeyError(f"unknown permit type {permit_type!r}")
    if spec.young_age_threshold is None or spec.young_validity_months is None:
        return spec.validity_months
    if birth_date is None:
        raise ValueError(f"permit type {permit_type!r} needs a birth date to set its validity")
    if age_on(birth_date, on) < spec.young_age_threshold:
        return spec.young_validity_months
    return spec.validity_months


def evaluate_application(policy: Policy, facts: ApplicationFacts) -> list[CheckResult]:
    """Check an application; results in a fixed order, passed ones included."""
    spec = policy.permit_type(facts.permit_type)
    if spec is None:
        return [_unknown_type(policy, facts.permit_type)]
    return [
        _known_type(policy, facts.permit_type),
        _check_fields(spec, facts.provided_fields),
        _check_documents(policy, spec, facts.provided_documents),
        *_check_age(spec, facts.birth_date, facts.on, severity_unknown="blocking"),
        _check_cap_for_application(spec, facts),
        *_check_per_person(spec, facts),
        *_check_interview(spec, facts.interview_held),
    ]


def evaluate_permit_compliance(policy: Policy, facts: PermitFacts) -> list[CheckResult]:
    """Would an existing permit still meet ``policy`` (e.g. a draft)? For simulations.

    An unknown birth date is an advisory failure: the permit cannot be checked, not refused.
    """
    spec = policy.permit_type(facts.permit_type)
    if spec is None:
        return [_unknown_type(policy, facts.permit_type)]
    return [
        _known_type(policy, facts.permit_type),
        *_check_age(spec, facts.holder_birth_date, facts.on, severity_unknown="advisory"),
        *_check_interview(spec, facts.interview_held),
    ]


def evaluate_caps(policy: Policy, counts_by_type: dict[str, int]) -> list[CheckResult]:
    """Check the number of active permits per type against the caps (count <= cap passes).

    One result per permit type in the policy, in policy order; then a failed
    ``permit_type.known`` result for each counted type the policy lacks, sorted by key.
    """
    results = []
    for key, spec in policy.permit_types.items():
        count = counts_by_type.get(key, 0)
        details: dict[str, object] = {"permit_type": key, "active": count, "cap": None}
        if spec.cap == "none":
            results.append(_result("cap.permit_type", True, spec, *_NO_CAP, details))
            continue
        details["cap"] = spec.cap
        passed = count <= spec.cap
        nl = f"{spec.label_nl}: {count} actieve vergunningen; het maximum is {spec.cap}."
        en = f"{spec.label_en}: {count} active permits; the maximum is {spec.cap}."
        results.append(_result("cap.permit_type", passed, spec, nl, en, details))
    for key in sorted(set(counts_by_type) - set(policy.permit_types)):
        if counts_by_type[key] > 0:
            results.append(_unknown_type(policy, key))
    return results


def evaluate_home_work(policy: Policy, facts: HomeWorkFacts) -> list[CheckResult]:
    """Check home work at an address; only ``home_work.allowed`` when it is not allowed."""
    rules = policy.home_work
    ref = rules.reference
    if not rules.allowed:
        nl = "Sekswerk vanuit uw eigen woning (thuiswerk) is in deze gemeente niet toegestaan."
        en = "Sex work from your own home (home work) is not allowed in this municipality."
        return [CheckResult("home_work.allowed", False, "blocking", nl, en, ref)]
    nl = "Sekswerk vanuit uw eigen woning (thuiswerk) is in deze gemeente toegestaan."
    en = "Sex work from your own home (home work) is allowed in this municipality."
    results = [CheckResult("home_work.allowed", True, "blocking", nl, en, ref)]
    if rules.requires_registration_at_address:
        results.append(_check_registration(facts.registered_at_address, ref))
    if rules.permit_type is not None:
        results.append(_check_home_work_permit(policy, rules.permit_type, facts.holds_permit))
    results.append(_check_max_workers(rules.max_workers_per_address, facts, ref))
    results.append(_check_nuisance(policy, facts))
    return results


# --- application rules ------------------------------------------------------------------

_NO_CAP = (
    "Er is geen maximum aantal vergunningen van deze soort.",
    "There is no limit on the number of permits of this kind.",
)


def _result(
    rule_id: str,
    passed: bool,
    spec: PermitType,
    message_nl: str,
    message_en: str,
    details: dict[str, object] | None = None,
) -> CheckResult:
    return CheckResult(
        rule_id, passed, "blocking", message_nl, message_en, spec.reference, details or {}
    )


def _unknown_type(policy: Policy, key: str) -> CheckResult:
    return CheckResult(
        rule_id="permit_type.known",
        passed=False,
        severity="blocking",
        message_nl="Deze soort vergunning bestaat niet in het beleid van de gemeente.",
        message_en="This kind of permit does not exist in the municipality's policy.",
        reference=policy.reference,
        details={"permit_type": key, "known_types": list(policy.permit_types)},
    )


def _known_type(policy: Policy, key: str) -> CheckResult:
    spec = policy.permit_types[key]
    nl = f"Deze soort vergunning bestaat in het beleid: {spec.label_nl}."
    en = f"This kind of permit exists in the policy: {spec.label_en}."
    return _result("permit_type.known", True, spec, nl, en, {"permit_type": key})


def _check_fields(spec: PermitType, provided: frozenset[str]) -> CheckResult:
    missing = [name for name in spec.required_fields if name not in provided]
    details: dict[str, object] = {"missing": missing, "required": list(spec.required_fields)}
    if not missing:
        nl, en = "Alle gevraagde gegevens zijn ingevuld.", "All requested details are filled in."
        return _result("fields.required", True, spec, nl, en, details)
    nl = "Deze gegevens ontbreken nog: " + ", ".join(FIELD_LABELS[n][0] for n in missing) + "."
    en = "These details are still missing: " + ", ".join(FIELD_LABELS[n][1] for n in missing)
    return _result("fields.required", False, spec, nl, en + ".", details)


def _check_documents(policy: Policy, spec: PermitType, provided: frozenset[str]) -> CheckResult:
    missing = [kind for kind in spec.required_documents if kind not in provided]
    details: dict[str, object] = {"missing": missing, "required": list(spec.required_documents)}
    if not missing:
        nl = "Alle gevraagde documenten zijn aangeleverd."
        en = "All requested documents have been provided."
        return _result("documents.required", True, spec, nl, en, details)
    labels = [policy.document_kinds[kind] for kind in missing]
    nl = "Deze documenten ontbreken nog: " + ", ".join(label.label_nl for label in labels) + "."
    en = "These documents are still missing: " + ", ".join(label.label_en for label in labels)
    return _result("documents.required", False, spec, nl, en + ".", details)


def _check_age(
    spec: PermitType, birth_date: date | None, on: date, severity_unknown: Severity
) -> list[CheckResult]:
    minimum = spec.minimum_age
    if minimum is None:
        return []
    details: dict[str, object] = {"minimum_age": minimum, "age": None, "on": on.isoformat()}
    if birth_date is None or birth_date > on:
        nl = f"We hebben uw geboortedatum nodig om te zien of u minstens {minimum} jaar bent."
        en = f"We need your date of birth to check that you are at least {minimum}."
        details["reason"] = "birth_date_missing"
        if birth_date is not None:
            nl = "Uw geboortedatum ligt in de toekomst. Wilt u die controleren?"
            en = "Your date of birth is in the future. Please check it."
            details["reason"] = "birth_date_in_future"
        return [
            CheckResult("age.minimum", False, severity_unknown, nl, en, spec.reference, details)
        ]
    age = age_on(birth_date, on)
    details["age"] = age
    # The messages name the rule, not the age: they are stored with the check, and the age
    # is derived personal data (the birth date itself is kept encrypted).
    if age >= minimum:
        nl = f"U voldoet aan de minimumleeftijd van {minimum} jaar."
        en = f"You meet the minimum age of {minimum}."
        return [_result("age.minimum", True, spec, nl, en, details)]
    nl = f"U bent jonger dan {minimum} jaar, de minimumleeftijd voor deze vergunning."
    en = f"You are younger than {minimum}, the minimum age for this permit."
    return [_result("age.minimum", False, spec, nl, en, details)]


def _check_cap_for_application(spec: PermitType, facts: ApplicationFacts) -> CheckResult:
    count = facts.active_permits_of_type
    details: dict[str, object] = {
        "cap": None if spec.cap == "none" else spec.cap,
        "active": count,
        "is_renewal": facts.is_renewal,
    }
    if spec.cap == "none":
        return _result("cap.permit_type", True, spec, *_NO_CAP, details)
    if count is None:
        raise ValueError(f"a cap applies to {facts.permit_type!r}: count the permits in force")
    if facts.is_renewal:
        nl = (
            f"U verlengt een bestaande vergunning; die telt niet extra mee voor het maximum "
            f"van {spec.cap} vergunningen van deze soort."
        )
        en = (
            f"You are renewing an existing permit; it does not count extra towards the "
            f"maximum of {spec.cap} permits of this kind."
        )
        return _result("cap.permit_type", True, spec, nl, en, details)
    if count < spec.cap:
        nl = f"Er is nog plaats: het maximum is {spec.cap} vergunningen van deze soort."
        en = f"There is still room: the maximum is {spec.cap} permits of this kind."
        return _result("cap.permit_type", True, spec, nl, en, details)
    nl = (
        f"Het maximum van {spec.cap} vergunningen van deze soort is bereikt. "
        f"Er kan nu geen nieuwe vergunning van deze soort worden verleend."
    )
    en = (
        f"The maximum of {spec.cap} permits of this kind has been reached. "
        f"No new permit of this kind can be granted now."
    )
    return _result("cap.permit_type", False, spec, nl, en, details)


def _check_per_person(spec: PermitType, facts: ApplicationFacts) -> list[CheckResult]:
    maximum = spec.max_active_per_person
    if maximum is None:
        return []
    held = facts.person_permits_held
    details: dict[str, object] = {
        "max_active_per_person": maximum,
        "held": held,
        "other_open_applications": facts.person_other_applications,
    }
    if held is None:
        nl = "We hebben uw naam en geboortedatum nodig om te zien welke vergunningen u al heeft."
        en = "We need your name and date of birth to see which permits you already hold."
        details["reason"] = "identity_unknown"
        return [_result("person.max_active", False, spec, nl, en, details)]
    if held < maximum:
        nl = (
            f"U heeft {held} andere vergunning(en) van deze soort; één persoon mag er "
            f"{maximum} hebben."
        )
        en = f"You hold {held} other permit(s) of this kind; one person may hold {maximum}."
        if facts.person_other_applications:
            nl += f" U heeft nog {facts.person_other_applications} andere aanvraag lopen."
            en += f" You have {facts.person_other_applications} other application(s) open."
        return [_result("person.max_active", True, spec, nl, en, details)]
    nl = (
        f"U heeft al {held} vergunning(en) van deze soort, ook onder een andere werknaam. "
        f"Eén persoon mag er ten hoogste {maximum} hebben."
    )
    en = (
        f"You already hold {held} permit(s) of this kind, also under another working name. "
        f"One person may hold at most {maximum}."
    )
    return [_result("person.max_active", False, spec, nl, en, details)]


def _check_interview(spec: PermitType, held: bool | None) -> list[CheckResult]:
    """A type with ``interview_required``: passed once held; not held is blocking; not
    recorded is advisory (a member of staff confirms it before deciding)."""
    if not spec.interview_required:
        return []
    details: dict[str, object] = {"interview_held": held}
    if held:
        nl = "Het vergunningsgesprek heeft plaatsgevonden."
        en = "The permit interview has been held."
        return [_result("interview.held", True, spec, nl, en, details)]
    nl = "Voor deze vergunning is een vergunningsgesprek nodig; de gemeente nodigt u daarvoor uit."
    en = "This permit needs a permit interview; the municipality will invite you to one."
    if held is None:
        details["reason"] = "not_recorded"
        return [CheckResult("interview.held", False, "advisory", nl, en, spec.reference, details)]
    return [_result("interview.held", False, spec, nl, en, details)]


# --- home-work rules --------------------------------------------------------------------


def _check_home_work_permit(policy: Policy, key: str, holds: bool | None) -> CheckResult:
    spec = policy.permit_types[key]
    ref = policy.home_work.reference
    details: dict[str, object] = {"permit_type": key, "holds_permit": holds}
    if holds:
        nl = f"U heeft een geldige {_lower(spec.label_nl)}; die is nodig voor thuiswerk."
        en = f"You hold a valid {_lower(spec.label_en)}; home work needs one."
        return CheckResult("home_work.permit", True, "blocking", nl, en, ref, details)
    nl = f"Voor thuiswerk is een geldige {_lower(spec.label_nl)} nodig."
    en = f"Home work needs a valid {_lower(spec.label_en)}."
    severity: Severity = "advisory" if holds is None else "blocking"
    return CheckResult("home_work.permit", False, severity, nl, en, ref, details)


def _lower(label: str) -> str:
    return label if len(label) > 1 and label[1].isupper() else label[:1].lower() + label[1:]


def _check_registration(registered: bool | None, ref: str) -> CheckResult:
    rule = "home_work.registered"
    if registered is None:
        nl = (
            "We konden nu niet controleren of u op dit adres ingeschreven staat in de "
            "Basisregistratie Personen (BRP). Een medewerker controleert dit."
        )
        en = (
            "We could not check right now whether you are registered at this address in the "
            "population register (BRP). A member of staff will check this."
        )
        details: dict[str, object] = {"register_consulted": False}
        return CheckResult(rule, False, "advisory", nl, en, ref, details)
    details = {"register_consulted": True}
    if registered:
        nl = "U staat op dit adres ingeschreven in de Basisregistratie Personen (BRP)."
        en = "You are registered at this address in the population register (BRP)."
        return CheckResult(rule, True, "blocking", nl, en, ref, details)
    nl = (
        "U staat niet op dit adres ingeschreven in de Basisregistratie Personen (BRP). "
        "Thuiswerk mag alleen op het adres waar u ingeschreven staat."
    )
    en = (
        "You are not registered at this address in the population register (BRP). "
        "Home work is only allowed at the address where you are registered."
    )
    return CheckResult(rule, False, "blocking", nl, en, ref, details)


def _check_max_workers(maximum: int, facts: HomeWorkFacts, ref: str) -> CheckResult:
    # The messages do not say how many others are registered: that is not the reader's to know.
    details: dict[str, object] = {"others_at_address": facts.workers_at_address, "max": maximum}
    if facts.workers_at_address < maximum:
        nl = f"Op één adres mogen maximaal {maximum} sekswerkers thuis werken; dat past."
        en = f"At most {maximum} sex workers may work from one address; this fits."
        return CheckResult("home_work.max_workers", True, "blocking", nl, en, ref, details)
    nl = (
        f"Op één adres mogen maximaal {maximum} sekswerkers thuis werken; "
        f"voor dit adres is dat aantal al bereikt."
    )
    en = (
        f"At most {maximum} sex workers may work from one address; "
        f"that number has already been reached for this address."
    )
    return CheckResult("home_work.max_workers", False, "blocking", nl, en, ref, details)


def _times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def nuisance_window_start(policy: Policy, on: date) -> date:
    """First day of the nuisance window ending on ``on`` (the window counts ``on`` itself)."""
    return on - timedelta(days=policy.home_work.nuisance_window_days - 1)


def _check_nuisance(policy: Policy, facts: HomeWorkFacts) -> CheckResult:
    rules = policy.home_work
    start = nuisance_window_start(policy, facts.on)
    inside = sorted(d for d in facts.substantiated_nuisance_dates if start <= d <= facts.on)
    threshold, window = rules.nuisance_threshold, rules.nuisance_window_days
    details: dict[str, object] = {
        "count": len(inside),
        "threshold": threshold,
        "window_days": window,
        "window_start": start.isoformat(),
        "dates": [d.isoformat() for d in inside],
    }
    if not inside:
        nl = f"Er is in de afgelopen {window} dagen geen overlast vastgesteld op dit adres."
        en = f"No nuisance has been established at this address in the last {window} days."
        return CheckResult("home_work.nuisance", True, "blocking", nl, en, rules.reference, details)
    if len(inside) < threshold:
        nl = (
            f"Op dit adres is in de afgelopen {window} dagen {len(inside)} keer overlast "
            f"vastgesteld. Pas vanaf {threshold} keer is thuiswerk hier niet meer toegestaan."
        )
        en = (
            f"Nuisance at this address has been established {_times(len(inside))} in the last "
            f"{window} days. Only from {_times(threshold)} is home work here no longer allowed."
        )
        return CheckResult("home_work.nuisance", True, "blocking", nl, en, rules.reference, details)
    nl = (
        f"Op dit adres is in de afgelopen {window} dagen {len(inside)} keer overlast vastgesteld. "
        f"Vanaf {threshold} keer is thuiswerk op dit adres niet meer toegestaan."
    )
    en = (
        f"Nuisance at this address has been established {_times(len(inside))} in the last "
        f"{window} days. From {_times(threshold)}, home work at this address is no longer allowed."
    )
    return CheckResult("home_work.nuisance", False, "blocking", nl, en, rules.reference, details)


# --- wording for staff ------------------------------------------------------------------


def staff_wording(
    rule_id: str,
    passed: bool,
    details: dict[str, object],
    message_nl: str,
    message_en: str,
    *,
    age: int | None = None,
) -> tuple[str, str]:
    """A check's message as the clerk reads it: about the applicant ("the applicant is 26"),
    not addressed to them ("you are ..."). The stored messages are written for the person
    the check concerns and stay as they are; the age is passed in by the caller (it is
    derived personal data and never stored with the check). Rules whose messages address
    nobody keep their own text."""
    reason = details.get("reason")
    if rule_id == "age.minimum":
        minimum = details.get("minimum_age")
        if reason == "birth_date_missing":
            return (
                f"De geboortedatum van de aanvrager ontbreekt; minimumleeftijd {minimum} jaar.",
                f"The applicant's date of birth is missing; the minimum age is {minimum}.",
            )
        if reason == "birth_date_in_future":
            return (
                "De opgegeven geboortedatum van de aanvrager ligt in de toekomst.",
                "The applicant's date of birth as given lies in the future.",
            )
        is_nl = f"De aanvrager is {age} jaar" if age is not None else "De aanvrager"
        is_en = f"The applicant is {age}" if age is not None else "The applicant"
        if passed:
            return (
                f"{is_nl} en voldoet aan de minimumleeftijd van {minimum} jaar.",
                f"{is_en} and meets the minimum age of {minimum}.",
            )
        return (
            f"{is_nl} en is jonger dan de minimumleeftijd van {minimum} jaar.",
            f"{is_en} and is younger than the minimum age of {minimum}.",
        )
    if rule_id == "person.max_active":
        held, maximum = details.get("held"), details.get("max_active_per_person")
        others = details.get("other_open_applications") or 0
        if reason == "identity_unknown" or held is None:
            return (
                "Naam en geboortedatum van de aanvrager ontbreken; niet te zien welke "
                "vergunningen deze persoon al heeft.",
                "The applicant's name and date of birth are missing; the permits this person "
                "already holds cannot be found.",
            )
        nl = (
            f"Deze persoon heeft {held} andere vergunning(en) van deze soort (ook onder een "
            f"andere werknaam); het maximum per persoon is {maximum}."
        )
        en = (
            f"This person holds {held} other permit(s) of this kind (also under another "
            f"working name); the maximum per person is {maximum}."
        )
        if others:
            nl += f" Nog {others} andere aanvraag/aanvragen van deze persoon lopen."
            en += f" {others} other application(s) by this person are open."
        return nl, en
    if rule_id == "cap.permit_type" and details.get("is_renewal"):
        return (
            f"Verlenging van een bestaande vergunning; telt niet extra mee voor het maximum "
            f"van {details.get('cap')}.",
            f"Renewal of an existing permit; it does not count extra towards the maximum of "
            f"{details.get('cap')}.",
        )
    if rule_id == "home_work.registered":
        if details.get("register_consulted") is False:
            return (
                "De BRP kon niet worden geraadpleegd; controleer de inschrijving op dit adres.",
                "The population register (BRP) could not be consulted; check the registration "
                "at this address.",
            )
        if passed:
            return (
                "De aanvrager staat op dit adres ingeschreven in de BRP.",
                "The applicant is registered at this address in the population register (BRP).",
            )
        return (
            "De aanvrager staat niet op dit adres ingeschreven in de BRP.",
            "The applicant is not registered at this address in the population register (BRP).",
        )
    return message_nl, message_en
