"""Two policies side by side: the rules that differ, in plain words (pure).

``compare`` is the one place that decides which rules differ; the public page
``/beleid/vergelijken`` and ``swl policy diff`` only render its result. A rule is one key of
the policy file (``permit_types.sex_worker.minimum_age``, ``home_work.allowed``,
``decision.period_days``); two policies differ on it when its value differs. Compared are
the permit types (which exist, validity, minimum ages, caps, the limit per person, the
permit interview, a nationwide permit and a national register), home work and the decision
periods. The rules under home work are compared only when both policies allow home work.

Each side says, per rule, whether its file follows Tilburg there because the real rule is
not known (``follows_default``), so nobody takes a borrowed rule for a municipality's own.

This module imports nothing from the web or the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from app.policy.schema import PermitType, Policy
from app.policy.summary import Sentence, _days, _lower_first, _months

Topic = Literal["permit_types", "home_work", "decision"]

TOPIC_TITLES: dict[Topic, Sentence] = {
    "permit_types": Sentence(nl="Vergunningen", en="Permits"),
    "home_work": Sentence(nl="Thuiswerk", en="Home work"),
    "decision": Sentence(nl="Beslistermijnen", en="Decision periods"),
}


@dataclass(frozen=True)
class Side:
    """One policy's rule: its value (compared) and the value in plain words."""

    value: object
    words: Sentence
    follows_default: bool = False


@dataclass(frozen=True)
class Difference:
    """A rule on which the two policies differ."""

    key: str
    topic: Topic
    rule: Sentence
    a: Side
    b: Side


@dataclass(frozen=True)
class Comparison:
    a: Policy
    b: Policy
    differences: tuple[Difference, ...]

    def by_topic(self) -> list[tuple[Topic, list[Difference]]]:
        """The differences grouped by topic, in the fixed topic order; empty topics left out."""
        groups = []
        for topic in TOPIC_TITLES:
            rows = [d for d in self.differences if d.topic == topic]
            if rows:
                groups.append((topic, rows))
        return groups

    @property
    def keys(self) -> list[str]:
        return [d.key for d in self.differences]


def compare(a: Policy, b: Policy) -> Comparison:
    """The rules on which ``a`` and ``b`` differ, in a stable order."""
    differences = []
    for key, topic, rule, side_a, side_b in _rules(a, b):
        if side_a.value != side_b.value:
            side_a = Side(side_a.value, side_a.words, a.follows_default_at(key))
            side_b = Side(side_b.value, side_b.words, b.follows_default_at(key))
            differences.append(Difference(key, topic, rule, side_a, side_b))
    return Comparison(a, b, tuple(differences))


# ---- the rules --------------------------------------------------------------------------

_Row = tuple[str, Topic, Sentence, Side, Side]
_Words = Callable[[PermitType], Side]


def _rules(a: Policy, b: Policy) -> Iterator[_Row]:
    yield from _permit_type_rules(a, b)
    yield from _home_work_rules(a, b)
    yield from _decision_rules(a, b)


def _permit_type_rules(a: Policy, b: Policy) -> Iterator[_Row]:
    keys = list(a.permit_types) + [key for key in b.permit_types if key not in a.permit_types]
    for key in keys:
        spec_a, spec_b = a.permit_types.get(key), b.permit_types.get(key)
        either = spec_a or spec_b
        assert either is not None
        name, name_nl = either.label_en, either.label_nl
        prefix = f"permit_types.{key}"
        if spec_a is None or spec_b is None:
            yield (
                prefix,
                "permit_types",
                Sentence(nl=name_nl, en=name),
                _exists(spec_a),
                _exists(spec_b),
            )
            continue
        for field, rule_nl, rule_en, words in _PERMIT_TYPE_RULES:
            yield (
                f"{prefix}.{field}",
                "permit_types",
                Sentence(nl=f"{name_nl}: {rule_nl}", en=f"{name}: {rule_en}"),
                words(spec_a),
                words(spec_b),
            )
        yield (
            f"{prefix}.required_documents",
            "permit_types",
            Sentence(nl=f"{name_nl}: documenten", en=f"{name}: documents"),
            _documents(a, spec_a),
            _documents(b, spec_b),
        )
        yield (
            f"{prefix}.conditions",
            "permit_types",
            Sentence(nl=f"{name_nl}: voorwaarden", en=f"{name}: conditions"),
            _conditions(spec_a),
            _conditions(spec_b),
        )


def _documents(policy: Policy, spec: PermitType) -> Side:
    """Compared by what they say (English label), not by key."""
    kinds = [policy.document_kinds[kind] for kind in spec.required_documents]
    if not kinds:
        return Side((), Sentence(nl="Geen.", en="None."))
    return Side(
        tuple(sorted(kind.label_en for kind in kinds)),
        Sentence(
            nl="; ".join(kind.label_nl for kind in kinds) + ".",
            en="; ".join(kind.label_en for kind in kinds) + ".",
        ),
    )


def _conditions(spec: PermitType) -> Side:
    if not spec.conditions_en:
        return Side((), Sentence(nl="Geen.", en="None."))
    return Side(
        tuple(spec.conditions_en),
        Sentence(nl=" ".join(spec.conditions_nl), en=" ".join(spec.conditions_en)),
    )


def _exists(spec: PermitType | None) -> Side:
    if spec is None:
        return Side(False, Sentence(nl="Bestaat niet.", en="Does not exist."))
    months_nl, months_en = _months(spec.validity_months)
    nl = f"Bestaat ({_lower_first(spec.label_nl)}, {months_nl} geldig"
    en = f"Exists ({_lower_first(spec.label_en)}, valid for {months_en}"
    if spec.minimum_age is not None:
        nl += f", minimumleeftijd {spec.minimum_age} jaar"
        en += f", minimum age {spec.minimum_age}"
    if spec.worker_minimum_age is not None:
        nl += f", wie er werkt is minstens {spec.worker_minimum_age} jaar"
        en += f", everyone working there at least {spec.worker_minimum_age}"
    return Side(True, Sentence(nl=nl + ").", en=en + ")."))


def _validity(spec: PermitType) -> Side:
    months_nl, months_en = _months(spec.validity_months)
    value = (spec.validity_months, spec.young_age_threshold, spec.young_validity_months)
    if spec.young_age_threshold is None or spec.young_validity_months is None:
        return Side(value, Sentence(nl=f"{months_nl}.", en=f"{months_en}."))
    young_nl, young_en = _months(spec.young_validity_months)
    return Side(
        value,
        Sentence(
            nl=f"{months_nl}; onder {spec.young_age_threshold} jaar {young_nl}.",
            en=f"{months_en}; under {spec.young_age_threshold}, {young_en}.",
        ),
    )


def _minimum_age(spec: PermitType) -> Side:
    if spec.minimum_age is None:
        return Side(None, Sentence(nl="Geen minimumleeftijd.", en="No minimum age."))
    age = spec.minimum_age
    return Side(age, Sentence(nl=f"{age} jaar.", en=f"{age} years."))


def _worker_minimum_age(spec: PermitType) -> Side:
    age = spec.worker_minimum_age
    if age is None:
        return Side(None, Sentence(nl="Geen eigen regel.", en="No rule of its own."))
    return Side(
        age,
        Sentence(
            nl=f"Wie er werkt, is minstens {age} jaar.",
            en=f"Everyone working there is at least {age}.",
        ),
    )


def _cap(spec: PermitType) -> Side:
    if spec.cap == "none":
        return Side("none", Sentence(nl="Geen maximum.", en="No cap."))
    count_nl = "vergunning" if spec.cap == 1 else "vergunningen"
    count_en = "permit" if spec.cap == 1 else "permits"
    return Side(
        spec.cap,
        Sentence(
            nl=f"Hoogstens {spec.cap} {count_nl} tegelijk.",
            en=f"At most {spec.cap} {count_en} at a time.",
        ),
    )


def _per_person(spec: PermitType) -> Side:
    most = spec.max_active_per_person
    if most is None:
        return Side(None, Sentence(nl="Geen grens.", en="No limit."))
    return Side(
        most,
        Sentence(
            nl=f"Hoogstens {most} per persoon, onder elke werknaam.",
            en=f"At most {most} per person, under any working name.",
        ),
    )


def _interview(spec: PermitType) -> Side:
    if spec.interview_required:
        return Side(
            True,
            Sentence(
                nl="Eerst een vergunningsgesprek.",
                en="A permit interview comes first.",
            ),
        )
    return Side(False, Sentence(nl="Geen vergunningsgesprek.", en="No permit interview."))


def _nationwide(spec: PermitType) -> Side:
    if spec.valid_nationwide:
        return Side(True, Sentence(nl="In heel Nederland.", en="In the whole country."))
    return Side(False, Sentence(nl="In deze gemeente.", en="In this municipality."))


def _register(spec: PermitType) -> Side:
    if spec.national_register:
        return Side(True, Sentence(nl="Ja.", en="Yes."))
    return Side(False, Sentence(nl="Nee.", en="No."))


_PERMIT_TYPE_RULES: tuple[tuple[str, str, str, _Words], ...] = (
    ("validity_months", "geldig", "valid for", _validity),
    ("minimum_age", "minimumleeftijd", "minimum age", _minimum_age),
    (
        "worker_minimum_age",
        "minimumleeftijd van wie er werkt",
        "minimum age of those working there",
        _worker_minimum_age,
    ),
    ("cap", "maximum aantal", "cap", _cap),
    ("max_active_per_person", "per persoon", "per person", _per_person),
    ("interview_required", "vergunningsgesprek", "permit interview", _interview),
    ("valid_nationwide", "geldig waar", "valid where", _nationwide),
    ("national_register", "in een landelijk register", "in a national register", _register),
)


def _home_work_rules(a: Policy, b: Policy) -> Iterator[_Row]:
    yield (
        "home_work.allowed",
        "home_work",
        Sentence(nl="Thuiswerk toegestaan", en="Home work allowed"),
        _allowed(a),
        _allowed(b),
    )
    if not (a.home_work.allowed and b.home_work.allowed):
        return
    for field, rule_nl, rule_en, words in _HOME_WORK_RULES:
        yield (
            f"home_work.{field}",
            "home_work",
            Sentence(nl=rule_nl, en=rule_en),
            words(a),
            words(b),
        )


def _allowed(policy: Policy) -> Side:
    if policy.home_work.allowed:
        return Side(True, Sentence(nl="Ja.", en="Yes."))
    return Side(False, Sentence(nl="Nee.", en="No."))


def _home_work_permit(policy: Policy) -> Side:
    key = policy.home_work.permit_type
    if key is None:
        return Side(None, Sentence(nl="Geen vergunning nodig.", en="No permit needed."))
    spec = policy.permit_types[key]
    return Side(
        key,
        Sentence(
            nl=f"Een {_lower_first(spec.label_nl)} is nodig.",
            en=f"A {_lower_first(spec.label_en)} is needed.",
        ),
    )


def _registration(policy: Policy) -> Side:
    if policy.home_work.requires_registration_at_address:
        return Side(
            True,
            Sentence(
                nl="Alleen op het adres waar u in de BRP staat ingeschreven.",
                en="Only at the address where you are registered in the BRP.",
            ),
        )
    return Side(False, Sentence(nl="Niet nodig.", en="Not needed."))


def _max_workers(policy: Policy) -> Side:
    most = policy.home_work.max_workers_per_address
    noun_nl = "sekswerker" if most == 1 else "sekswerkers"
    noun_en = "sex worker" if most == 1 else "sex workers"
    return Side(most, Sentence(nl=f"{most} {noun_nl}.", en=f"{most} {noun_en}."))


def _nuisance_threshold(policy: Policy) -> Side:
    times = policy.home_work.nuisance_threshold
    times_en = {1: "once", 2: "twice"}.get(times, f"{times} times")
    return Side(
        times,
        Sentence(
            nl=f"Na {times} keer vastgestelde overlast.",
            en=f"After nuisance is established {times_en}.",
        ),
    )


def _nuisance_window(policy: Policy) -> Side:
    return _period(policy.home_work.nuisance_window_days)


_PolicyWords = Callable[[Policy], Side]
_HOME_WORK_RULES: tuple[tuple[str, str, str, _PolicyWords], ...] = (
    ("permit_type", "Vergunning voor thuiswerk", "Permit for home work", _home_work_permit),
    (
        "requires_registration_at_address",
        "Inschrijving op het adres",
        "Registration at the address",
        _registration,
    ),
    (
        "max_workers_per_address",
        "Hoogstens op één adres",
        "At most at one address",
        _max_workers,
    ),
    (
        "nuisance_threshold",
        "Einde van thuiswerk bij overlast",
        "Home work ends for nuisance",
        _nuisance_threshold,
    ),
    (
        "nuisance_window_days",
        "Overlast telt mee gedurende",
        "Nuisance counts for",
        _nuisance_window,
    ),
)


def _decision_rules(a: Policy, b: Policy) -> Iterator[_Row]:
    for field, rule_nl, rule_en in _DECISION_RULES:
        yield (
            f"decision.{field}",
            "decision",
            Sentence(nl=rule_nl, en=rule_en),
            _period(getattr(a.decision, field)),
            _period(getattr(b.decision, field)),
        )


def _period(days: int) -> Side:
    nl, en = _days(days)
    return Side(days, Sentence(nl=f"{nl}.", en=f"{en}."))


_DECISION_RULES = (
    ("period_days", "Beslistermijn", "Decision period"),
    ("extension_days", "Verlenging van de beslistermijn", "Extension of the decision period"),
    (
        "information_term_days",
        "Termijn om informatie aan te vullen",
        "Term to supply information",
    ),
    ("renewal_window_days", "Verlenging aanvragen vanaf", "Renewal can be applied for from"),
    ("objection_period_days", "Bezwaartermijn", "Objection period"),
)
