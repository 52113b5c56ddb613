"""What goes on a permit, and the letters for suspending, reinstating and revoking one.

A permit's PDF is made once per permit version: a suspension or renewal makes a new
version; downloading again serves the stored bytes. Only the working name is ever
printed on a permit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from app.addresses import service as addresses_service
from app.auth import service as auth_service
from app.config import get_settings
from app.db import local_today, to_local_date
from app.documents import service as documents_service
from app.documents.letters import (
    N_,
    POLICY_TEXTS_IN_ENGLISH,
    Letter,
    courtesy_language,
    courtesy_notice,
    format_date,
    letter_request,
)
from app.documents.models import Document, DocumentKind, SubjectType
from app.documents.render import qr_data_uri
from app.i18n import translate_in
from app.permits.models import Permit
from app.policy import service as policy_service
from app.policy.schema import PermitType, Policy

PERMIT_LABELS = {
    "number": N_("Permit number"),
    "name": N_("Name on the permit"),
    "address": N_("Address of the business"),
    "valid_from": N_("Valid from"),
    "valid_until": N_("Valid until"),
    "issued_on": N_("Date of issue"),
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
STATUS_LETTERS = {
    "suspend": DocumentKind.decision_suspend,
    "reinstate": DocumentKind.decision_reinstate,
    "revoke": DocumentKind.decision_revoke,
}
LETTER_TITLES = {
    DocumentKind.decision_suspend: N_("Decision: your permit is suspended"),
    DocumentKind.decision_reinstate: N_("Decision: the suspension of your permit is lifted"),
    DocumentKind.decision_revoke: N_("Decision: your permit is revoked"),
}
LETTER_OPENINGS = {
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
    language: str  # the holder's language; the permit is legally in Dutch or English
    verify_url: str
    address: str | None = None
    version: int = 1
    issued_on: date | None = None  # the day the permit was granted; valid_from if unknown


def _page(
    spec: PermitType | None, card: PermitCard, lang: str, legal: str | None = None
) -> dict[str, object]:
    """One page of the permit in `lang`; with `legal`, a courtesy translation of the
    permit that is legally in that language."""
    policy_lang = "nl" if lang == "nl" else "en"  # policy texts exist in nl and en only
    labels = {key: translate_in(lang, text) for key, text in PERMIT_LABELS.items()}
    banner = STATUS_BANNERS.get(card.state)
    labels["status_banner"] = translate_in(lang, banner) if banner else ""
    page: dict[str, object] = {
        "lang": lang,
        "type_label": (
            (spec.label_nl if policy_lang == "nl" else spec.label_en) if spec else card.permit_type
        ),
        "t": labels,
        "conditions": list(card.conditions_nl if policy_lang == "nl" else card.conditions_en),
        "courtesy": None,
        "conditions_note": None,
        "conditions_lang": None,
    }
    if legal is not None:
        page["courtesy"] = courtesy_notice(legal, lang)
        page["conditions_note"] = translate_in(lang, POLICY_TEXTS_IN_ENGLISH)
        page["conditions_lang"] = policy_lang
    return page


def permit_request(policy: Policy, card: PermitCard) -> documents_service.RenderRequest:
    """The permit in its legal language (the holder's when Dutch or English, otherwise the
    policy's default), the other of the two when the type is bilingual, and a courtesy
    translation in the holder's own language when the policy allows."""
    spec = policy.permit_types.get(card.permit_type)
    legal = policy.legal_language(card.language)
    languages = [legal]
    if spec is None or spec.bilingual_permit:
        languages.append("en" if legal == "nl" else "nl")
    pages = [_page(spec, card, lang) for lang in languages]
    own = courtesy_language(policy, card.language)
    if own is not None:
        pages.append(_page(spec, card, own, legal=legal))
    context = {
        "permit_pages": pages,
        "number": card.number,
        "working_name": card.working_name,
        "address": card.address if spec and spec.permit_shows_address else None,
        "valid_from": format_date(card.valid_from),
        "valid_until": format_date(card.valid_until),
        "issued_on": format_date(card.issued_on or card.valid_from),
        "authority": policy.municipality.decision_authority,
        "reference": spec.reference if spec else policy.reference,
        "verify_url": card.verify_url,
        "qr": qr_data_uri(card.verify_url),
        "status_banner": card.state in STATUS_BANNERS,
    }
    return documents_service.RenderRequest(
        template="permit.html",
        context=context,
        language=legal,
        title=_permit_title(str(pages[0]["type_label"]), card, legal),
        sign_reason="Vergunning / permit",
    )


def _permit_title(type_label: str, card: PermitCard, lang: str) -> str:
    """Tells the versions of one permit apart in a list: "… SW-…, versie 2 (geschorst)"."""
    version = translate_in(lang, VERSION_WORD) % {"number": card.version}
    title = f"{type_label} {card.number}, {version}"
    if card.state in STATE_WORDS:
        title += f" ({translate_in(lang, STATE_WORDS[card.state])})"
    return title


def holder_language(session: Session, permit: Permit) -> str:
    holder = auth_service.get(session=session, user_id=permit.holder_id)
    return holder.language if holder else "nl"


def verify_url(number: str) -> str:
    return f"{get_settings().base_url}/verify/{number}"


def permit_pdf(*, session: Session, permit: Permit) -> Document:
    """The PDF of the permit's current version, made the first time it is asked for."""
    policy = policy_service.load_configured().policy
    today = local_today()

    def build() -> documents_service.RenderRequest:
        card = PermitCard(
            number=permit.number,
            permit_type=permit.permit_type,
            working_name=permit.working_name,
            valid_from=permit.valid_from,
            valid_until=permit.valid_until,
            state=permit.state_on(today).value,
            conditions_nl=tuple(permit.conditions_nl),
            conditions_en=tuple(permit.conditions_en),
            language=holder_language(session, permit),
            verify_url=verify_url(permit.number),
            address=addresses_service.one_line(session=session, address_id=permit.address_id),
            version=permit.version,
            issued_on=to_local_date(permit.created_at),
        )
        return permit_request(policy, card)

    return documents_service.get_or_create(
        session=session,
        natural_key=f"permit:{permit.id}:v{permit.version}",
        kind=DocumentKind.permit,
        subject_type=SubjectType.permit,
        subject_id=permit.id,
        owner_id=permit.holder_id,
        build=build,
    )


def status_letter(
    *, session: Session, permit: Permit, action: str, quote: str | None = None
) -> Document:
    """The decision letter for a suspension, reinstatement or revocation (after commit).
    `quote` (e.g. an inspection's findings) is printed with the reasons; it is kept only
    in the letter (its data is encrypted), not with the permit."""
    kind = STATUS_LETTERS[action]
    active = policy_service.current(session=session)

    def build() -> documents_service.RenderRequest:
        spec = active.policy.permit_types.get(permit.permit_type)
        letter = Letter(
            title=LETTER_TITLES[kind],
            opening=LETTER_OPENINGS[kind],
            language=holder_language(session, permit),
            addressee=permit.working_name,
            reference_code=str(permit.application_id)[:8].upper(),
            on=local_today(),
            policy_version=active.record.version,
            policy_reference=spec.reference if spec else active.policy.reference,
            permit_number=permit.number,
            reason="\n\n".join(r for r in (permit.status_reason, quote) if r),
            facts=(
                (N_("Permit number"), permit.number),
                (N_("Valid until"), format_date(permit.valid_until)),
            ),
        )
        return letter_request(active.policy, letter)

    return documents_service.get_or_create(
        session=session,
        natural_key=f"letter:{kind.value}:{permit.id}:v{permit.version}",
        kind=kind,
        subject_type=SubjectType.permit,
        subject_id=permit.id,
        owner_id=permit.holder_id,
        build=build,
    )
