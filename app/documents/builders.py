"""What goes on a permit and in a decision letter, built from plain data and the policy.

Callers (the permits and applications domains) fill `PermitCard` and `Letter`; this module
knows nothing of their tables. Only the working name is ever printed on a permit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.documents.models import DocumentKind
from app.documents.render import qr_data_uri
from app.documents.service import RenderRequest
from app.i18n import translate_in
from app.policy.schema import Policy


def N_(message: str) -> str:
    return message


PERMIT_LABELS = {
    "number": N_("Permit number"),
    "name": N_("Name on the permit"),
    "address": N_("Address of the business"),
    "valid_from": N_("Valid from"),
    "valid_until": N_("Valid until"),
    "issued_by": N_("Issued by"),
    "legal_basis": N_("Legal basis"),
    "conditions": N_("Conditions"),
    "verify_hint": N_("Scan to check this permit"),
    "check_online": N_(
        "Anyone can check online whether this permit is valid, with the QR code or the "
        "permit number. The check shows only the status, the permit type, the name on the "
        "permit and the dates."
    ),
}
STATE_WORDS = {"suspended": N_("suspended"), "revoked": N_("revoked")}
VERSION_WORD = N_("version %(number)s")
STATUS_BANNERS = {
    "suspended": N_("SUSPENDED — this permit may not be used while it is suspended."),
    "revoked": N_("REVOKED — this permit is no longer valid."),
}
LETTER_TITLES = {
    DocumentKind.decision_approve: N_("Decision on your application: permit granted"),
    DocumentKind.decision_refuse: N_("Decision on your application: permit refused"),
    DocumentKind.decision_suspend: N_("Decision: your permit is suspended"),
    DocumentKind.decision_reinstate: N_("Decision: the suspension of your permit is lifted"),
    DocumentKind.decision_revoke: N_("Decision: your permit is revoked"),
}
LETTER_OPENINGS = {
    DocumentKind.decision_approve: N_(
        "We have granted your application. Your permit is enclosed as a separate document "
        "that you can download from your page."
    ),
    DocumentKind.decision_refuse: N_(
        "We have decided not to grant your application. Below you can read why."
    ),
    DocumentKind.decision_suspend: N_(
        "We have decided to suspend your permit. While it is suspended you may not work under "
        "this permit."
    ),
    DocumentKind.decision_reinstate: N_(
        "We have decided to lift the suspension of your permit. You may work under it again."
    ),
    DocumentKind.decision_revoke: N_(
        "We have decided to revoke your permit. From the date of this letter it is no longer valid."
    ),
}


def format_date(day: date) -> str:
    return day.strftime("%d-%m-%Y")


@dataclass(frozen=True)
class PermitCard:
    number: str
    permit_type: str
    working_name: str
    valid_from: date
    valid_until: date
    state: str
    conditions_nl: tuple[str, ...]
    conditions_en: tuple[str, ...]
    language: str
    verify_url: str
    address: str | None = None
    version: int = 1


def permit_request(policy: Policy, card: PermitCard) -> RenderRequest:
    spec = policy.permit_types.get(card.permit_type)
    languages = [card.language]
    if spec is None or spec.bilingual_permit:
        languages.append("en" if card.language == "nl" else "nl")
    pages: list[dict[str, object]] = []
    type_label_first = ""
    for lang in languages:
        type_label = (
            (spec.label_nl if lang == "nl" else spec.label_en) if spec else card.permit_type
        )
        type_label_first = type_label_first or type_label
        labels = {key: translate_in(lang, text) for key, text in PERMIT_LABELS.items()}
        banner = STATUS_BANNERS.get(card.state)
        labels["status_banner"] = translate_in(lang, banner) if banner else ""
        pages.append(
            {
                "lang": lang,
                "type_label": type_label,
                "t": labels,
                "conditions": list(card.conditions_nl if lang == "nl" else card.conditions_en),
            }
        )
    context = {
        "permit_pages": pages,
        "number": card.number,
        "working_name": card.working_name,
        "address": card.address if spec and spec.permit_shows_address else None,
        "valid_from": format_date(card.valid_from),
        "valid_until": format_date(card.valid_until),
        "authority": policy.municipality.decision_authority,
        "reference": spec.reference if spec else policy.reference,
        "verify_url": card.verify_url,
        "qr": qr_data_uri(card.verify_url),
        "status_banner": card.state in STATUS_BANNERS,
    }
    return RenderRequest(
        template="permit.html",
        context=context,
        language=card.language,
        title=_permit_title(type_label_first, card),
        sign_reason="Vergunning / permit",
    )


def _permit_title(type_label: str, card: PermitCard) -> str:
    """Tells the versions of one permit apart in a list: "… SW-…, versie 2 (geschorst)"."""
    version = translate_in(card.language, VERSION_WORD) % {"number": card.version}
    title = f"{type_label} {card.number}, {version}"
    if card.state in STATE_WORDS:
        title += f" ({translate_in(card.language, STATE_WORDS[card.state])})"
    return title


@dataclass(frozen=True)
class FailedRule:
    message_nl: str
    message_en: str
    reference: str


@dataclass(frozen=True)
class Letter:
    kind: DocumentKind
    language: str
    addressee: str
    reference_code: str
    on: date
    policy_version: str
    permit_type: str
    permit_number: str | None = None
    reason: str | None = None
    failed_rules: tuple[FailedRule, ...] = ()
    facts: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def letter_request(policy: Policy, letter: Letter) -> RenderRequest:
    lang = letter.language
    spec = policy.permit_types.get(letter.permit_type)
    title = translate_in(lang, LETTER_TITLES[letter.kind])
    context = {
        "title": title,
        "opening": translate_in(lang, LETTER_OPENINGS[letter.kind]),
        "date": format_date(letter.on),
        "reference_code": letter.reference_code,
        "permit_number": letter.permit_number,
        "addressee": letter.addressee,
        "reason": letter.reason,
        "failed_rules": [
            {"message": r.message_nl if lang == "nl" else r.message_en, "reference": r.reference}
            for r in letter.failed_rules
        ],
        "facts": [(translate_in(lang, label), value) for label, value in letter.facts],
        "authority": policy.municipality.decision_authority,
        "objection_address": policy.municipality.objection_address,
        "objection_weeks": policy.decision.objection_period_days // 7,
        "policy_reference": spec.reference if spec else policy.reference,
        "policy_version": letter.policy_version,
    }
    return RenderRequest(
        template="letter.html",
        context=context,
        language=lang,
        title=title,
        sign_reason=title,
    )
