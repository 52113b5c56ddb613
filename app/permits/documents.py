"""The permit PDF and the letters for suspending, reinstating and revoking a permit.

A permit's PDF is made once per permit version: a suspension or renewal makes a new
version; downloading again serves the stored bytes.
"""

from __future__ import annotations

from sqlmodel import Session

from app.auth import service as auth_service
from app.config import get_settings
from app.db import local_today
from app.documents import builders
from app.documents import service as documents_service
from app.documents.models import Document, DocumentKind
from app.permits.models import Permit
from app.policy import service as policy_service

STATUS_LETTERS = {
    "suspend": DocumentKind.decision_suspend,
    "reinstate": DocumentKind.decision_reinstate,
    "revoke": DocumentKind.decision_revoke,
}


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
        card = builders.PermitCard(
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
            address=permit.address,
            version=permit.version,
        )
        return builders.permit_request(policy, card)

    return documents_service.get_or_create(
        session=session,
        natural_key=f"permit:{permit.id}:v{permit.version}",
        kind=DocumentKind.permit,
        owner_id=permit.holder_id,
        build=build,
        application_id=permit.application_id,
        permit_id=permit.id,
    )


def status_letter(*, session: Session, permit: Permit, action: str) -> Document:
    """The decision letter for a suspension, reinstatement or revocation (after commit)."""
    kind = STATUS_LETTERS[action]
    active = policy_service.current(session=session)

    def build() -> documents_service.RenderRequest:
        letter = builders.Letter(
            kind=kind,
            language=holder_language(session, permit),
            addressee=permit.working_name,
            reference_code=str(permit.application_id)[:8].upper(),
            on=local_today(),
            policy_version=active.record.version,
            permit_type=permit.permit_type,
            permit_number=permit.number,
            reason=permit.status_reason,
            facts=(
                (builders.N_("Permit number"), permit.number),
                (builders.N_("Valid until"), builders.format_date(permit.valid_until)),
            ),
        )
        return builders.letter_request(active.policy, letter)

    return documents_service.get_or_create(
        session=session,
        natural_key=f"letter:{kind.value}:{permit.id}:v{permit.version}",
        kind=kind,
        owner_id=permit.holder_id,
        build=build,
        application_id=permit.application_id,
        permit_id=permit.id,
    )
