"""The frame every decision letter (beschikking) shares, whatever it decides: addressee,
date, reference, the decision and its reasons, the facts it rests on, and how to object
(Awb 3:45). The domain that decides fills in the title and the opening; this module
knows nothing of their tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.documents.service import RenderRequest
from app.i18n import translate_in
from app.policy.schema import Policy


def N_(message: str) -> str:
    """Marks a message for translation; it is translated when the document is made."""
    return message


def format_date(day: date) -> str:
    return day.strftime("%d-%m-%Y")


@dataclass(frozen=True)
class FailedRule:
    message_nl: str
    message_en: str
    reference: str


@dataclass(frozen=True)
class Letter:
    title: str  # a message id (N_), translated into `language`
    opening: str  # a message id (N_), translated into `language`
    language: str
    addressee: str
    reference_code: str
    on: date
    policy_version: str
    policy_reference: str
    permit_number: str | None = None
    reason: str | None = None
    failed_rules: tuple[FailedRule, ...] = ()
    facts: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    # A decision can be objected to (Awb 6:7); a written warning is not a decision.
    objection: bool = True


def letter_request(policy: Policy, letter: Letter) -> RenderRequest:
    lang = letter.language
    title = translate_in(lang, letter.title)
    context = {
        "title": title,
        "opening": translate_in(lang, letter.opening),
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
        "objection": letter.objection,
        "objection_address": policy.municipality.objection_address,
        "objection_weeks": policy.decision.objection_period_days // 7,
        "policy_reference": letter.policy_reference,
        "policy_version": letter.policy_version,
    }
    return RenderRequest(
        template="letter.html",
        context=context,
        language=lang,
        title=title,
        sign_reason=title,
    )
