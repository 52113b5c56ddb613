"""The local policy as data: a pydantic model of a policy TOML file.

A municipality's rules (permit types, validity, minimum ages, caps, home work, retention) live
in a TOML file under ``policies/``. ``Policy`` validates such a file; ``app.policy.loader``
turns validation errors into messages that name the file, the key and the line.

This module imports nothing from the web or the database.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

KEY_PATTERN = r"^[a-z][a-z0-9_]*$"
"""Keys (permit types, document kinds, list items) are snake_case identifiers."""

Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN, max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Age = Annotated[int, Field(ge=16, le=99)]
Months = Annotated[int, Field(ge=1, le=120)]

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "working_name": ("werknaam", "working name"),
    "legal_name": ("naam zoals op uw identiteitsbewijs", "legal name as on your identity document"),
    "birth_date": ("geboortedatum", "date of birth"),
    "email": ("e-mailadres", "email address"),
    "phone": ("telefoonnummer", "phone number"),
    "business_name": ("bedrijfsnaam", "business name"),
    "business_address_postcode": ("postcode van het bedrijf", "postcode of the business"),
    "business_address_house_number": (
        "huisnummer van het bedrijf",
        "house number of the business",
    ),
    "kvk_number": ("KvK-nummer", "Chamber of Commerce (KvK) number"),
    "description": ("omschrijving", "description"),
}
"""The application fields the app knows, with their Dutch and English labels."""

FieldName = Literal[
    "working_name",
    "legal_name",
    "birth_date",
    "email",
    "phone",
    "business_name",
    "business_address_postcode",
    "business_address_house_number",
    "kvk_number",
    "description",
]

FIELD_VOCABULARY: frozenset[str] = frozenset(get_args(FieldName))
"""Every field name a policy may list under ``required_fields``."""


class PolicyValueError(ValueError):
    """A cross-field rule failed; ``loc`` is the key path relative to the validated model.

    The loader appends ``loc`` to pydantic's own location, so that the message can name the
    exact key (e.g. ``permit_types.sex_worker.young_validity_months``).
    """

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Municipality(_Model):
    name: Text
    decision_authority: Text
    """Who decides, as written in decision letters: "De burgemeester van Tilburg"."""
    objection_address: Text
    """Where an objection (bezwaar) is sent; printed in decision letters."""


class DecisionRules(_Model):
    period_days: int = Field(default=56, ge=1, le=365)
    """Decision period (Awb art. 4:13: at most 8 weeks unless the regulation says otherwise)."""
    extension_days: int = Field(default=56, ge=0, le=365)
    """One extension of the decision period, with notice (Awb art. 4:14)."""
    renewal_window_days: int = Field(default=90, ge=0, le=730)
    """How many days before expiry a renewal may be applied for."""
    objection_period_days: int = Field(default=42, ge=1, le=365)
    """Period to lodge an objection (Awb art. 6:7: six weeks)."""
    information_term_days: int = Field(default=28, ge=1, le=365)
    """Term the applicant gets to supply information asked for (Awb art. 4:5); after it
    passes without an answer the application may be refused (left undecided, Awb 4:5)."""


class DocumentKind(_Model):
    label_nl: Text
    label_en: Text


class LabelledItem(_Model):
    key: Key
    label_nl: Text
    label_en: Text


class PermitType(_Model):
    label_nl: Text
    label_en: Text
    validity_months: Months
    young_age_threshold: Age | None = None
    """Holders younger than this get ``young_validity_months`` instead of ``validity_months``."""
    young_validity_months: Months | None = None
    minimum_age: Age | None = None
    cap: Literal["none"] | int = "none"
    """Either "none" (no cap) or the largest number of active permits of this type."""
    max_active_per_person: int | None = Field(default=None, ge=1, le=10)
    """The most permits of this type one person (by legal identity, whatever the working
    name) may hold at once; None: no limit. Needs legal_name and birth_date collected."""
    required_fields: tuple[FieldName, ...] = ()
    required_documents: tuple[Key, ...] = ()
    """Keys of ``[document_kinds]``."""
    conditions_nl: tuple[Text, ...] = ()
    conditions_en: tuple[Text, ...] = ()
    reference: Text
    permit_shows_address: bool = False
    bilingual_permit: bool = True
    interview_required: bool = False
    """A permit interview (the Wrs's "vergunningsgesprek") is held before a permit of this
    type is granted; a permit is only in order once it was held."""
    valid_nationwide: bool = False
    """The permit is valid in the whole country, not only in this municipality."""
    national_register: bool = False
    """Permits of this type are entered in a national register."""
    worker_minimum_age: Age | None = None
    """For a business permit: the minimum age of the sex workers who work there (Amsterdam:
    21 for window work). Descriptive: checked on inspection, not on the application."""

    @field_validator("cap", mode="before")
    @classmethod
    def _check_cap(cls, value: Any) -> Any:
        if value == "none" and isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
        raise ValueError(f'cap must be "none" or a whole number of at least 1, got {value!r}')

    @field_validator("required_fields", "required_documents")
    @classmethod
    def _no_duplicates(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        seen: set[str] = set()
        for item in value:
            if item in seen:
                raise ValueError(f"{item!r} is listed twice")
            seen.add(item)
        return value

    @model_validator(mode="after")
    def _check_consistency(self) -> PermitType:
        young = (self.young_age_threshold, self.young_validity_months)
        if young[0] is None and young[1] is not None:
            raise PolicyValueError(
                ("young_validity_months",),
                "young_validity_months needs young_age_threshold (the age below which it applies)",
            )
        if young[0] is not None and young[1] is None:
            raise PolicyValueError(
                ("young_age_threshold",),
                "young_age_threshold needs young_validity_months (the validity for the young)",
            )
        if (
            self.young_age_threshold is not None
            and self.minimum_age is not None
            and self.young_age_threshold <= self.minimum_age
        ):
            raise PolicyValueError(
                ("young_age_threshold",),
                f"young_age_threshold ({self.young_age_threshold}) must be above minimum_age "
                f"({self.minimum_age}); otherwise it never applies",
            )
        needs_birth_date = self.minimum_age is not None or self.young_age_threshold is not None
        if needs_birth_date and "birth_date" not in self.required_fields:
            raise PolicyValueError(
                ("required_fields",),
                "birth_date must be a required field when minimum_age or young_age_threshold "
                "is set (the age cannot be checked without it)",
            )
        if self.max_active_per_person is not None and not {"legal_name", "birth_date"} <= set(
            self.required_fields
        ):
            raise PolicyValueError(
                ("max_active_per_person",),
                "max_active_per_person needs legal_name and birth_date as required fields "
                "(the person behind a working name is known by them)",
            )
        if len(self.conditions_nl) != len(self.conditions_en):
            raise PolicyValueError(
                ("conditions_en",),
                f"conditions_en has {len(self.conditions_en)} items but conditions_nl has "
                f"{len(self.conditions_nl)}; every condition needs a Dutch and an English text",
            )
        return self


class HomeWork(_Model):
    allowed: bool
    requires_registration_at_address: bool
    """Home work only at the address where the worker is registered in the BRP."""
    max_workers_per_address: int = Field(ge=1, le=50)
    nuisance_window_days: int = Field(ge=1, le=3650)
    nuisance_threshold: int = Field(ge=1, le=100)
    """Substantiated nuisance reports within the window from which home work is not allowed."""
    hearing_days: int = Field(default=14, ge=1, le=90)
    """Days a worker has to respond once their home work is under review for nuisance."""
    permit_type: Key | None = None
    """A key of ``[permit_types]`` a home worker must hold a permit of (the Wrs: every sex
    worker has a personal permit); None: home work needs no permit (Tilburg)."""
    reference: Text


class InspectionRules(_Model):
    interval_months: Months = 12
    """A business permit not inspected for this many months is due for a visit."""
    permit_types: tuple[Key, ...] = ()
    """Keys of ``[permit_types]`` whose holders are visited periodically (businesses)."""
    recent_nuisance_days: int = Field(default=90, ge=1, le=3650)
    """An address with substantiated nuisance within this many days is due for a visit."""
    reference: Text = "Handhavingsbeleid"


class Documents(_Model):
    courtesy_translation: bool = True
    """Permits and decision letters stay legally in Dutch (or English); for a holder whose
    language is another, add a courtesy translation in it, marked as for information only."""


class Retention(_Model):
    applicant_data_months_after_expiry: int = Field(ge=0, le=120)
    refused_application_months: int = Field(ge=0, le=120)
    nuisance_report_months: int = Field(ge=0, le=120)
    inspection_months: int = Field(ge=0, le=120)
    signal_months: int = Field(ge=0, le=120)


class StatisticsRules(_Model):
    small_count_threshold: int = Field(default=5, ge=2, le=100)
    """Published statistics show every count below this as "< N" and hide enough other
    counts that no total or difference gives a hidden one away."""


def _unique_keys(items: tuple[LabelledItem, ...]) -> tuple[LabelledItem, ...]:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item.key in seen:
            raise PolicyValueError((index, "key"), f"key {item.key!r} is used twice")
        seen.add(item.key)
    return items


FOLLOWS_DEFAULT_SECTIONS = frozenset(
    {"decision", "home_work", "inspection", "retention", "permit_types"}
)
"""The sections ``follows_default`` may name (or a key in them)."""


class Policy(_Model):
    version: Text
    effective_date: date
    language_default: Literal["nl", "en"] = "nl"
    reference: Text
    """The policy document as a whole, e.g. the municipality's beleidsnota."""
    status: Literal["in_force", "proposal"] = "in_force"
    """"proposal": a scenario (a bill, a draft), not rules in force anywhere."""
    title: Text | None = None
    """Short name in the policy library and the comparison; the municipality's name when
    unset."""
    sources: tuple[Text, ...] = ()
    """Where the rules come from: official references and addresses of public documents."""
    follows_default: tuple[Text, ...] = ()
    """Parts whose real rule is not known from the sources, so the file follows Tilburg
    there: a section (``home_work``, ``decision``, ...), ``permit_types.<key>``, or one key
    in them (``home_work.max_workers_per_address``)."""
    municipality: Municipality
    decision: DecisionRules
    document_kinds: dict[Key, DocumentKind] = Field(default_factory=dict)
    permit_types: dict[Key, PermitType] = Field(min_length=1)
    home_work: HomeWork
    nuisance_categories: tuple[LabelledItem, ...] = Field(min_length=1)
    inspection_checklist: tuple[LabelledItem, ...] = Field(min_length=1)
    trafficking_indicators: tuple[LabelledItem, ...] = Field(min_length=1)
    inspection: InspectionRules = Field(default_factory=InspectionRules)
    documents: Documents = Field(default_factory=Documents)
    retention: Retention
    statistics: StatisticsRules = Field(default_factory=StatisticsRules)

    @field_validator("nuisance_categories", "inspection_checklist", "trafficking_indicators")
    @classmethod
    def _check_unique_keys(cls, value: tuple[LabelledItem, ...]) -> tuple[LabelledItem, ...]:
        return _unique_keys(value)

    @model_validator(mode="after")
    def _check_references(self) -> Policy:
        for type_key, permit_type in self.permit_types.items():
            for index, kind in enumerate(permit_type.required_documents):
                if kind not in self.document_kinds:
                    known = ", ".join(sorted(self.document_kinds)) or "none"
                    raise PolicyValueError(
                        ("permit_types", type_key, "required_documents", index),
                        f"document kind {kind!r} is not declared under [document_kinds] "
                        f"(declared: {known})",
                    )
        for index, key in enumerate(self.inspection.permit_types):
            if key not in self.permit_types:
                raise PolicyValueError(
                    ("inspection", "permit_types", index),
                    f"permit type {key!r} is not declared under [permit_types]",
                )
        needed = self.home_work.permit_type
        if needed is not None and needed not in self.permit_types:
            raise PolicyValueError(
                ("home_work", "permit_type"),
                f"permit type {needed!r} is not declared under [permit_types]",
            )
        for index, path in enumerate(self.follows_default):
            section, _, rest = path.partition(".")
            valid = section in FOLLOWS_DEFAULT_SECTIONS and (
                section != "permit_types" or not rest or rest.split(".")[0] in self.permit_types
            )
            if not valid:
                raise PolicyValueError(
                    ("follows_default", index),
                    f"{path!r} is not a section ({', '.join(sorted(FOLLOWS_DEFAULT_SECTIONS))}) "
                    "or permit_types.<a declared key>",
                )
        window = self.home_work.nuisance_window_days
        kept_days = self.retention.nuisance_report_months * 365 // 12
        if self.home_work.allowed and kept_days < window:
            raise PolicyValueError(
                ("retention", "nuisance_report_months"),
                f"nuisance reports must be kept at least as long as the nuisance window "
                f"({window} days), otherwise the home-work rule cannot see them",
            )
        return self

    def legal_language(self, language: str) -> Literal["nl", "en"]:
        """The language a document for someone who reads `language` is legally in: Dutch
        or English as they chose, otherwise the policy's default language."""
        if language == "nl":
            return "nl"
        if language == "en":
            return "en"
        return self.language_default

    def permit_type(self, key: str) -> PermitType | None:
        """The permit type with this key, or None when the policy does not have it."""
        return self.permit_types.get(key)

    @property
    def name(self) -> str:
        """Short name for the library and the comparison."""
        return self.title or self.municipality.name

    def follows_default_at(self, path: str) -> bool:
        """Whether the rule at ``path`` (``home_work.allowed``, ``permit_types.x.cap``) is
        one this file takes from Tilburg because the real rule is not known."""
        return any(path == part or path.startswith(part + ".") for part in self.follows_default)
