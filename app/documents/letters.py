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


COURTESY_HEADING = N_("Translation for information only")
COURTESY_NOTICE = N_(
    "This translation is for information only; no rights can be derived from it. Only the "
    "text before this translation is legally valid."
)
POLICY_TEXTS_IN_ENGLISH = N_(
    "The municipality's policy sets these texts in Dutch and English only: they are shown "
    "in English."
)


def courtesy_notice(legal: str, own: str) -> dict[str, str]:
    """The mark on a courtesy translation, in the legal language and in the reader's."""
    return {
        "legal_lang": legal,
        "heading_legal": translate_in(legal, COURTESY_HEADING),
        "legal": translate_in(legal, COURTESY_NOTICE),
        "heading": translate_in(own, COURTESY_HEADING),
        "own": translate_in(own, COURTESY_NOTICE),
    }


def courtesy_language(policy: Policy, language: str) -> str | None:
    """The language of a courtesy translation for someone who reads `language`: theirs,
    when the document is legally in another and the policy allows it."""
    if not policy.documents.courtesy_translation:
        return None
    return None if policy.legal_language(language) == language else language


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


def _letter_context(policy: Policy, letter: Letter, lang: str) -> dict[str, object]:
    # Rules quoted from the policy exist in Dutch and English only.
    rules_nl = lang == "nl"
    return {
        "title": translate_in(lang, letter.title),
        "opening": translate_in(lang, letter.opening),
        "date": format_date(letter.on),
        "reference_code": letter.reference_code,
        "permit_number": letter.permit_number,
        "addressee": letter.addressee,
        "reason": letter.reason,
        "failed_rules": [
            {"message": r.message_nl if rules_nl else r.message_en, "reference": r.reference}
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


def letter_request(policy: Policy, letter: Letter) -> RenderRequest:
    """The letter in its legal language (the reader's when Dutch or English, otherwise the
    policy's default), with a courtesy translation in the reader's own language after it
    when the policy allows (`[documents] courtesy_translation`)."""
    lang = policy.legal_language(letter.language)
    context = _letter_context(policy, letter, lang)
    own = courtesy_language(policy, letter.language)
    if own is not None:
        courtesy = _letter_context(policy, letter, own)
        courtesy["courtesy_notice"] = courtesy_notice(lang, own)
        if letter.failed_rules:
            courtesy["policy_texts_note"] = translate_in(own, POLICY_TEXTS_IN_ENGLISH)
        context["courtesy"] = {"lang": own, "context": courtesy}
    title = str(context["title"])
    return RenderRequest(
        template="letter.html",
        context=context,
        language=lang,
        title=title,
        sign_reason=title,
    )
