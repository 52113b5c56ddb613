"""Decision letters (beschikkingen) on an application: granted or refused. What they say
is the applications domain's; the letter's frame is `app/documents/letters.py`."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.applications.models import Application, ApplicationCheck, ApplicationStatus
from app.auth import service as auth_service
from app.db import to_local_date, utcnow
from app.documents import service as documents_service
from app.documents.letters import N_, FailedRule, Letter, format_date, letter_request
from app.documents.models import Document, DocumentKind, SubjectType
from app.permits.models import Permit
from app.policy import service as policy_service

LETTER_TITLES = {
    DocumentKind.decision_approve: N_("Decision on your application: permit granted"),
    DocumentKind.decision_refuse: N_("Decision on your application: permit refused"),
}
LETTER_OPENINGS = {
    DocumentKind.decision_approve: N_(
        "We have granted your application. Your permit is enclosed as a separate document "
        "that you can download from your page."
    ),
    DocumentKind.decision_refuse: N_(
        "We have decided not to grant your application. Below you can read why."
    ),
}


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
        seen: dict[str, FailedRule] = {}
        for check in failed:
            seen[check.rule_id] = FailedRule(check.message_nl, check.message_en, check.reference)
        facts: tuple[tuple[str, str], ...] = ()
        if permit is not None:
            facts = (
                (N_("Permit number"), permit.number),
                (N_("Valid from"), format_date(permit.valid_from)),
                (N_("Valid until"), format_date(permit.valid_until)),
            )
        version = (
            policy_service.get_version(session=session, version_id=application.policy_version_id)
            if application.policy_version_id
            else None
        )
        policy = policy_service.policy_of(version) if version else active.policy
        spec = policy.permit_types.get(application.permit_type)
        letter = Letter(
            title=LETTER_TITLES[kind],
            opening=LETTER_OPENINGS[kind],
            language=applicant.language if applicant else "nl",
            addressee=application.working_name or "",
            reference_code=str(application.id)[:8].upper(),
            on=to_local_date(application.decided_at or utcnow()),
            policy_version=version.version if version else active.record.version,
            policy_reference=spec.reference if spec else policy.reference,
            permit_number=permit.number if permit else None,
            reason=application.decision_reason,
            failed_rules=tuple(seen.values()),
            facts=facts,
        )
        return letter_request(policy, letter)

    return documents_service.get_or_create(
        session=session,
        natural_key=f"letter:{kind.value}:{application.id}",
        kind=kind,
        subject_type=SubjectType.application,
        subject_id=application.id,
        owner_id=application.applicant_id,
        build=build,
    )
