"""Decision letters (beschikkingen) on an application: granted or refused."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.applications.models import Application, ApplicationCheck, ApplicationStatus
from app.auth import service as auth_service
from app.db import to_local_date, utcnow
from app.documents import builders
from app.documents import service as documents_service
from app.documents.models import Document, DocumentKind
from app.permits.models import Permit
from app.policy import service as policy_service


def decision_letter(*, session: Session, application: Application) -> Document | None:
    """The letter for an approved or refused application (made once, after the decision)."""
    if application.status is ApplicationStatus.approved:
        kind = DocumentKind.decision_approve
    elif application.status is ApplicationStatus.refused:
        kind = DocumentKind.decision_refuse
    else:
        return None
    active = policy_service.current(session=session)
    applicant = auth_service.get(session=session, user_id=application.applicant_id)
    permit = session.exec(select(Permit).where(Permit.application_id == application.id)).first()

    def build() -> documents_service.RenderRequest:
        failed = session.exec(
            select(ApplicationCheck).where(
                ApplicationCheck.application_id == application.id,
                col(ApplicationCheck.rule_id).in_(application.cited_rules or [""]),
                col(ApplicationCheck.passed).is_(False),
            )
        ).all()
        seen: dict[str, builders.FailedRule] = {}
        for check in failed:
            seen[check.rule_id] = builders.FailedRule(
                check.message_nl, check.message_en, check.reference
            )
        facts: tuple[tuple[str, str], ...] = ()
        if permit is not None:
            facts = (
                (builders.N_("Permit number"), permit.number),
                (builders.N_("Valid from"), builders.format_date(permit.valid_from)),
                (builders.N_("Valid until"), builders.format_date(permit.valid_until)),
            )
        version = (
            policy_service.get_version(session=session, version_id=application.policy_version_id)
            if application.policy_version_id
            else None
        )
        letter = builders.Letter(
            kind=kind,
            language=applicant.language if applicant else "nl",
            addressee=application.working_name or "",
            reference_code=str(application.id)[:8].upper(),
            on=to_local_date(application.decided_at or utcnow()),
            policy_version=version.version if version else active.record.version,
            permit_type=application.permit_type,
            permit_number=permit.number if permit else None,
            reason=application.decision_reason,
            failed_rules=tuple(seen.values()),
            facts=facts,
        )
        policy = policy_service.policy_of(version) if version else active.policy
        return builders.letter_request(policy, letter)

    return documents_service.get_or_create(
        session=session,
        natural_key=f"letter:{kind.value}:{application.id}",
        kind=kind,
        owner_id=application.applicant_id,
        build=build,
        application_id=application.id,
        permit_id=permit.id if permit else None,
    )
