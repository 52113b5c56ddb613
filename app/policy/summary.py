"""The policy in force, summarised for the public: response schemas and plain words.

``summarise`` turns a ``Policy`` into the structure the API returns and the /beleid page
shows. ``plain_words`` writes the rules as short sentences in Dutch and English, adapted to
what the policy says (a cap or none, a minimum age, home work allowed or not). Both are pure:
a policy in, text out. ``in_force`` is the one function here that touches the database: it
records the version in force (as every check does) and summarises it.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from babel.dates import format_date
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session

from app.policy import service as policy_service
from app.policy.schema import FIELD_LABELS, LabelledItem, PermitType, Policy

Language = Literal["nl", "en"]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class Sentence(_Out):
    """One rule in plain words, in both languages."""

    nl: str
    en: str

    def text(self, language: str) -> str:
        return self.en if language == "en" else self.nl


class Label(_Out):
    key: str
    label_nl: str
    label_en: str

    def text(self, language: str) -> str:
        return self.label_en if language == "en" else self.label_nl


class MunicipalityOut(_Out):
    name: str
    decision_authority: str
    objection_address: str


class DecisionOut(_Out):
    period_days: int
    extension_days: int
    renewal_window_days: int
    objection_period_days: int
    information_term_days: int


class PermitTypeOut(_Out):
    key: str
    label_nl: str
    label_en: str
    validity_months: int
    young_age_threshold: int | None
    young_validity_months: int | None
    minimum_age: int | None
    cap: Literal["none"] | int
    required_fields: list[Label]
    required_documents: list[Label]
    conditions_nl: list[str]
    conditions_en: list[str]
    reference: str
    permit_shows_address: bool
    plain_words: list[Sentence]

    def text(self, language: str) -> str:
        return self.label_en if language == "en" else self.label_nl


class HomeWorkOut(_Out):
    allowed: bool
    requires_registration_at_address: bool
    max_workers_per_address: int
    nuisance_window_days: int
    nuisance_threshold: int
    reference: str


class PlainWords(_Out):
    """The rules in plain words, grouped as the public page shows them."""

    in_force: Sentence
    caps: list[Sentence]
    decision: list[Sentence]
    permit_types: dict[str, list[Sentence]]
    home_work: list[Sentence]


class PolicySummary(_Out):
    """The policy in force, as ``GET /api/v1/policy`` returns it."""

    id: uuid.UUID
    fingerprint: str
    version: str
    effective_date: date
    reference: str
    language_default: Language
    municipality: MunicipalityOut
    decision: DecisionOut
    permit_types: list[PermitTypeOut]
    home_work: HomeWorkOut
    nuisance_categories: list[Label]
    plain_words: PlainWords


def in_force(*, session: Session) -> PolicySummary:
    """The policy in force, recorded as a version in the database (the caller commits) and
    summarised."""
    active = policy_service.current(session=session)
    return summarise(
        active.policy, record_id=active.record.id, fingerprint=active.record.fingerprint
    )


def summarise(policy: Policy, *, record_id: uuid.UUID, fingerprint: str) -> PolicySummary:
    words = plain_words(policy)
    return PolicySummary(
        id=record_id,
        fingerprint=fingerprint,
        version=policy.version,
        effective_date=policy.effective_date,
        reference=policy.reference,
        language_default=policy.language_default,
        municipality=MunicipalityOut.model_validate(policy.municipality.model_dump()),
        decision=DecisionOut.model_validate(policy.decision.model_dump()),
        permit_types=[
            _permit_type(policy, key, spec, words.permit_types[key])
            for key, spec in policy.permit_types.items()
        ],
        home_work=HomeWorkOut.model_validate(policy.home_work.model_dump()),
        nuisance_categories=[_label(item) for item in policy.nuisance_categories],
        plain_words=words,
    )


def _label(item: LabelledItem) -> Label:
    return Label(key=item.key, label_nl=item.label_nl, label_en=item.label_en)


def _permit_type(
    policy: Policy, key: str, spec: PermitType, words: list[Sentence]
) -> PermitTypeOut:
    fields = [
        Label(key=name, label_nl=FIELD_LABELS[name][0], label_en=FIELD_LABELS[name][1])
        for name in spec.required_fields
    ]
    documents = [
        Label(
            key=kind,
            label_nl=policy.document_kinds[kind].label_nl,
            label_en=policy.document_kinds[kind].label_en,
        )
        for kind in spec.required_documents
    ]
    return PermitTypeOut(
        key=key,
        label_nl=spec.label_nl,
        label_en=spec.label_en,
        validity_months=spec.validity_months,
        young_age_threshold=spec.young_age_threshold,
        young_validity_months=spec.young_validity_months,
        minimum_age=spec.minimum_age,
        cap=spec.cap,
        required_fields=fields,
        required_documents=documents,
        conditions_nl=list(spec.conditions_nl),
        conditions_en=list(spec.conditions_en),
        reference=spec.reference,
        permit_shows_address=spec.permit_shows_address,
        plain_words=words,
    )


# ---- plain words ---------------------------------------------------------------------------


def plain_words(policy: Policy) -> PlainWords:
    """The policy's rules as short sentences in Dutch and English (pure)."""
    return PlainWords(
        in_force=_in_force(policy),
        caps=_caps(policy),
        decision=_decision(policy),
        permit_types={key: _permit_type_words(spec) for key, spec in policy.permit_types.items()},
        home_work=_home_work(policy),
    )


def long_date(day: date, language: str) -> str:
    """``2020-01-01`` -> "1 januari 2020" or "1 January 2020"."""
    return format_date(day, "d MMMM y", locale="en" if language == "en" else "nl")


def _in_force(policy: Policy) -> Sentence:
    day = policy.effective_date
    if policy.status == "proposal":
        return Sentence(
            nl=f"Dit is een voorstel, geen geldende regels (versie {policy.version}).",
            en=f"This is a proposal, not rules in force (version {policy.version}).",
        )
    return Sentence(
        nl=f"Deze regels gelden vanaf {long_date(day, 'nl')} (versie {policy.version}).",
        en=f"These rules apply from {long_date(day, 'en')} (version {policy.version}).",
    )


def _caps(policy: Policy) -> list[Sentence]:
    capped = [spec for spec in policy.permit_types.values() if spec.cap != "none"]
    if not capped:
        return [
            Sentence(
                nl="Er is geen maximum aantal vergunningen.",
                en="There is no cap on the number of permits.",
            )
        ]
    sentences = [
        Sentence(
            nl=f"Voor de {_lower_first(spec.label_nl)} geldt een maximum van "
            f"{_count(spec.cap, 'vergunning', 'vergunningen')} tegelijk.",
            en=f"The {_lower_first(spec.label_en)} has a cap of "
            f"{_count(spec.cap, 'permit', 'permits')} in force at the same time.",
        )
        for spec in capped
        if isinstance(spec.cap, int)
    ]
    if len(capped) < len(policy.permit_types):
        sentences.append(
            Sentence(
                nl="Voor de andere soorten vergunningen is er geen maximum aantal.",
                en="There is no cap on the number of the other kinds of permit.",
            )
        )
    return sentences


def _decision(policy: Policy) -> list[Sentence]:
    rules = policy.decision
    period_nl, period_en = _days(rules.period_days)
    if rules.extension_days:
        extra_nl, extra_en = _days(rules.extension_days)
        decide = Sentence(
            nl=f"De gemeente beslist binnen {period_nl}; die termijn kan één keer met "
            f"{extra_nl} worden verlengd.",
            en=f"The municipality decides within {period_en}; that period can be extended "
            f"once by {extra_en}.",
        )
    else:
        decide = Sentence(
            nl=f"De gemeente beslist binnen {period_nl}; die termijn wordt niet verlengd.",
            en=f"The municipality decides within {period_en}; that period is not extended.",
        )
    objection_nl, objection_en = _days(rules.objection_period_days)
    objection = Sentence(
        nl=f"Bent u het niet eens met een besluit? Dan kunt u binnen {objection_nl} bezwaar maken.",
        en=f"If you disagree with a decision, you can object within {objection_en}.",
    )
    term_nl, term_en = _days(rules.information_term_days)
    information = Sentence(
        nl=f"Vraagt de gemeente u om meer informatie, dan krijgt u daarvoor {term_nl}. Valt "
        "de laatste dag van een termijn in het weekend of op een feestdag, dan loopt hij door "
        "tot de eerstvolgende werkdag.",
        en=f"If the municipality asks you for more information, you have {term_en} to supply "
        "it. A period whose last day falls on a weekend or public holiday runs on to the next "
        "working day.",
    )
    if rules.renewal_window_days:
        window_nl, window_en = _days(rules.renewal_window_days)
        renewal = Sentence(
            nl=f"U kunt verlenging aanvragen vanaf {window_nl} voordat uw vergunning afloopt.",
            en=f"You can apply for renewal from {window_en} before your permit expires.",
        )
    else:
        renewal = Sentence(
            nl="U kunt verlenging aanvragen op de laatste dag van uw vergunning.",
            en="You can apply for renewal on the last day of your permit.",
        )
    return [decide, information, renewal, objection]


def _permit_type_words(spec: PermitType) -> list[Sentence]:
    name_nl, name_en = _lower_first(spec.label_nl), _lower_first(spec.label_en)
    months_nl, months_en = _months(spec.validity_months)
    if spec.young_age_threshold is not None and spec.young_validity_months is not None:
        young_nl, young_en = _months(spec.young_validity_months)
        validity = Sentence(
            nl=f"Een {name_nl} is {months_nl} geldig; als u jonger bent dan "
            f"{spec.young_age_threshold} jaar, {young_nl}.",
            en=f"{_article(name_en)} {name_en} is valid for {months_en}; if you are under "
            f"{spec.young_age_threshold}, {young_en}.",
        )
    else:
        validity = Sentence(
            nl=f"Een {name_nl} is {months_nl} geldig.",
            en=f"{_article(name_en)} {name_en} is valid for {months_en}.",
        )
    if spec.minimum_age is not None:
        age = Sentence(
            nl=f"U moet minstens {spec.minimum_age} jaar zijn voor een {name_nl}.",
            en=f"You must be at least {spec.minimum_age} for {_article(name_en).lower()} "
            f"{name_en}.",
        )
    else:
        age = Sentence(
            nl="Het beleid noemt voor deze vergunning geen minimumleeftijd.",
            en="The policy sets no minimum age for this permit.",
        )
    if isinstance(spec.cap, int):
        cap = Sentence(
            nl=f"Er kunnen hoogstens {_count(spec.cap, 'vergunning', 'vergunningen')} van "
            f"deze soort tegelijk gelden.",
            en=f"At most {_count(spec.cap, 'permit', 'permits')} of this kind can be in force "
            f"at the same time.",
        )
    else:
        cap = Sentence(
            nl="Er is geen maximum aantal vergunningen van deze soort.",
            en="There is no cap on the number of permits of this kind.",
        )
    return [validity, age, cap]


def _home_work(policy: Policy) -> list[Sentence]:
    rules = policy.home_work
    if not rules.allowed:
        return [
            Sentence(
                nl="Thuiswerk (sekswerk vanuit uw eigen woning) is niet toegestaan.",
                en="Home work (sex work from your own home) is not allowed.",
            )
        ]
    if rules.requires_registration_at_address:
        allowed = Sentence(
            nl="Thuiswerk is toegestaan zolang u op dat adres staat ingeschreven in de BRP "
            "en er geen overlast is.",
            en="Home work is allowed as long as you are registered at that address in the "
            "population register (BRP) and there is no nuisance.",
        )
    else:
        allowed = Sentence(
            nl="Thuiswerk is toegestaan zolang er geen overlast is.",
            en="Home work is allowed as long as there is no nuisance.",
        )
    most = rules.max_workers_per_address
    workers = Sentence(
        nl=f"Op één adres mogen hoogstens {_count(most, 'sekswerker', 'sekswerkers')} "
        f"thuis werken.",
        en=f"At most {_count(most, 'sex worker', 'sex workers')} may work from one address.",
    )
    window_nl, window_en = _days(rules.nuisance_window_days)
    times_en = {1: "once", 2: "twice"}.get(rules.nuisance_threshold)
    nuisance = Sentence(
        nl=f"Is er binnen {window_nl} {rules.nuisance_threshold} keer overlast vastgesteld "
        f"op het adres, dan is thuiswerk daar niet meer toegestaan.",
        en=f"Once nuisance at the address has been established "
        f"{times_en or f'{rules.nuisance_threshold} times'} within {window_en}, home work "
        f"is no longer allowed there.",
    )
    return [allowed, workers, nuisance]


# ---- words for numbers -----------------------------------------------------------------------


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


def _months(months: int) -> tuple[str, str]:
    """``24`` -> ("2 jaar", "2 years"); ``18`` -> ("18 maanden", "18 months")."""
    if months % 12 == 0:
        years = months // 12
        return f"{years} jaar", _count(years, "year", "years")
    return _count(months, "maand", "maanden"), _count(months, "month", "months")


def _days(days: int) -> tuple[str, str]:
    """``56`` -> ("8 weken", "8 weeks"); ``90`` -> ("90 dagen", "90 days")."""
    if days % 7 == 0:
        weeks = days // 7
        return _count(weeks, "week", "weken"), _count(weeks, "week", "weeks")
    return _count(days, "dag", "dagen"), _count(days, "day", "days")


def _lower_first(label: str) -> str:
    """ "Vergunning sekswerker" -> "vergunning sekswerker"; "KvK..." stays as it is."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def _article(noun_phrase: str) -> str:
    return "An" if noun_phrase[:1].lower() in "aeiou" else "A"
