"""Applications: drafts, documents, submission with policy checks, reading and queues.

Decisions (approve, refuse, request information) live in `decisions.py`. Like every
domain service, these functions flush their rows and audit events and leave the commit
to their caller (see `app/deps.py`).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from app import access
from app.applications.models import (
    OPEN_STATUSES,
    Application,
    ApplicationCheck,
    ApplicationCreate,
    ApplicationDetails,
    ApplicationDocument,
    ApplicationPublic,
    ApplicationStatus,
    ApplicationStatusChange,
    ApplicationUpdate,
    CheckPublic,
    DocumentPublic,
    StatusChangePublic,
)
from app.applications.states import EDITABLE, MACHINE, Transition
from app.audit import service as audit
from app.auth.models import User
from app.auth.permissions import Action, ObjectKind, can
from app.db import local_today, to_local_date, utcnow
from app.deadlines import due_date, next_working_day
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.mail import outbox
from app.permits import service as permits_service
from app.permits.models import Permit
from app.persons import service as persons_service
from app.policy import service as policy_service
from app.policy.evaluate import (
    ApplicationFacts,
    CheckResult,
    age_on,
    evaluate_application,
    staff_wording,
)
from app.policy.schema import Policy

# ---- reading -------------------------------------------------------------------------------


def get(*, session: Session, application_id: uuid.UUID) -> Application | None:
    return session.get(Application, application_id)


def get_for(
    *, session: Session, application_id: uuid.UUID, actor: User, audited: bool = True
) -> Application:
    """An application its applicant or staff may see; 404 otherwise. Staff reads are audited
    (unless the caller audits the read itself, naming what was read)."""
    application = get(session=session, application_id=application_id)
    if application and application.applicant_id != actor.id and not application.submitted_at:
        # A draft (or one withdrawn before submission) is the applicant's alone.
        application = None
    return access.read(
        session,
        application,
        actor=actor,
        kind=ObjectKind.application,
        owner_id=application.applicant_id if application else None,
        object_type="application",
        audited=audited,
    )


def owned_for_change(*, session: Session, application_id: uuid.UUID, actor: User) -> Application:
    """The applicant's own application, row-locked so a clerk's decision cannot interleave."""
    application = session.get(
        Application, application_id, with_for_update=True, populate_existing=True
    )
    if application is None or application.applicant_id != actor.id:
        raise NotFound("application")
    return application


def checks_of(*, session: Session, application_id: uuid.UUID) -> list[ApplicationCheck]:
    """The most recent evaluation's results (approval beats submission)."""
    rows = session.exec(
        select(ApplicationCheck)
        .where(ApplicationCheck.application_id == application_id)
        .order_by(col(ApplicationCheck.evaluated_at).desc())
    ).all()
    if not rows:
        return []
    latest = rows[0].evaluated_at
    return sorted((r for r in rows if r.evaluated_at == latest), key=lambda r: r.rule_id)


def documents_of(*, session: Session, application_id: uuid.UUID) -> list[ApplicationDocument]:
    return list(
        session.exec(
            select(ApplicationDocument)
            .where(ApplicationDocument.application_id == application_id)
            .order_by(col(ApplicationDocument.kind))
        ).all()
    )


def history_of(*, session: Session, application_id: uuid.UUID) -> list[ApplicationStatusChange]:
    return list(
        session.exec(
            select(ApplicationStatusChange)
            .where(ApplicationStatusChange.application_id == application_id)
            .order_by(col(ApplicationStatusChange.occurred_at))
        ).all()
    )


def permit_of(*, session: Session, application_id: uuid.UUID) -> Permit | None:
    return session.exec(select(Permit).where(Permit.application_id == application_id)).first()


def missing(
    policy: Policy, application: Application, kinds: set[str]
) -> tuple[list[str], list[str]]:
    spec = policy.permit_type(application.permit_type)
    if spec is None:
        return [], []
    provided = provided_fields(application)
    fields: list[str] = [f for f in spec.required_fields if f not in provided]
    documents = [d for d in spec.required_documents if d not in kinds]
    return fields, documents


def provided_fields(application: Application) -> set[str]:
    provided = {k for k, v in application.details.items() if v not in (None, "")}
    if application.working_name and "working_name" in application.details:
        provided.add("working_name")
    return provided


def to_public(*, session: Session, application: Application) -> ApplicationPublic:
    documents = documents_of(session=session, application_id=application.id)
    policy = policy_service.load_configured().policy
    fields, docs = missing(policy, application, {d.kind for d in documents})
    version = (
        policy_service.get_version(session=session, version_id=application.policy_version_id)
        if application.policy_version_id
        else None
    )
    permit = permit_of(session=session, application_id=application.id)
    return ApplicationPublic.model_validate(
        {
            **application.model_dump(),
            "policy_version": version.version if version else None,
            "checks": [
                CheckPublic.model_validate(c.model_dump())
                for c in checks_of(session=session, application_id=application.id)
            ],
            "documents": [DocumentPublic.model_validate(d.model_dump()) for d in documents],
            "history": [
                StatusChangePublic.model_validate(h.model_dump())
                for h in history_of(session=session, application_id=application.id)
            ],
            "missing_fields": fields,
            "missing_documents": docs,
            "permit_number": permit.number if permit else None,
            "permit_state": permit.state_on(local_today()).value if permit else None,
            "permit_status_reason": permit.status_reason if permit else None,
        }
    )


# ---- drafts ----------------------------------------------------------------------------------


def _permit_type_or_422(policy: Policy, permit_type: str) -> None:
    if policy.permit_type(permit_type) is None:
        raise InvalidInput(
            "unknown_permit_type",
            f"There is no permit type '{permit_type}' in the policy in force.",
            permit_types=sorted(policy.permit_types),
        )


def _apply_details(policy: Policy, application: Application, data: ApplicationDetails) -> None:
    """Keep only the fields the policy asks for this permit type (collect nothing else)."""
    spec = policy.permit_type(application.permit_type)
    wanted = set(spec.required_fields) if spec else set()
    given = data.model_dump(exclude_unset=True, include=wanted | {"working_name"})
    details = dict(application.details)
    for name, value in given.items():
        if name not in wanted:
            continue
        if value is None or value == "":
            details.pop(name, None)
        else:
            details[name] = value.isoformat() if isinstance(value, date) else value
    application.details = details
    application.working_name = details.get("working_name") or details.get("business_name")


def create(*, session: Session, data: ApplicationCreate, actor: User) -> Application:
    if not can(actor, Action.application_create):
        raise Forbidden("Only applicants can start an application.")
    policy = policy_service.load_configured().policy
    _permit_type_or_422(policy, data.permit_type)
    application = Application(applicant_id=actor.id, permit_type=data.permit_type)
    _apply_details(policy, application, data)
    session.add(application)
    session.flush()
    session.add(history_line(application, None, ApplicationStatus.draft, actor=actor))
    audit.record(
        session,
        actor=actor,
        action="application.create",
        object_type="application",
        object_id=application.id,
        after={"permit_type": application.permit_type, "status": application.status.value},
    )
    session.flush()
    return application


def ensure_editable(application: Application) -> None:
    if application.status not in EDITABLE:
        raise Conflict(
            "not_editable",
            f"An application that is {application.status.value} cannot be changed.",
            current_status=application.status.value,
        )


def check_version(application: Application, version: int | None) -> None:
    if version is not None and version != application.version:
        raise Conflict(
            "stale_version",
            "The application was changed in the meantime. Reload it and try again.",
            current_version=application.version,
        )


def update(
    *, session: Session, application_id: uuid.UUID, data: ApplicationUpdate, actor: User
) -> Application:
    application = owned_for_change(session=session, application_id=application_id, actor=actor)
    ensure_editable(application)
    check_version(application, data.version)
    policy = policy_service.load_configured().policy
    before_fields = sorted(provided_fields(application))
    _apply_details(policy, application, data)
    touch(application)
    audit.record(
        session,
        actor=actor,
        action="application.update",
        object_type="application",
        object_id=application.id,
        before={"fields": before_fields},
        after={"fields": sorted(provided_fields(application))},
    )
    session.flush()
    return application


def touch(application: Application) -> None:
    application.version += 1
    application.updated_at = utcnow()


# ---- submission ---------------------------------------------------------------------------


def facts_for(
    *,
    session: Session,
    policy: Policy,
    application: Application,
    on: date,
    kinds: set[str] | None = None,
) -> ApplicationFacts:
    """What the evaluator needs to know of an application. Permits in force are counted
    only when the policy caps the type (counting is the costly part)."""
    if kinds is None:
        kinds = {d.kind for d in documents_of(session=session, application_id=application.id)}
    birth = application.details.get("birth_date")
    held, others = _person_facts(session, policy, application, on)
    return ApplicationFacts(
        permit_type=application.permit_type,
        on=on,
        birth_date=date.fromisoformat(birth) if birth else None,
        provided_fields=frozenset(provided_fields(application)),
        provided_documents=frozenset(kinds),
        active_permits_of_type=_count_if_capped(session, policy, application.permit_type, on),
        is_renewal=_renews_held_permit(session, application, on),
        person_permits_held=held,
        person_other_applications=others,
    )


# ---- one person, one record -------------------------------------------------------------


def link_person(*, session: Session, application: Application) -> None:
    """Point the application at the person its legal name and birth date identify (done on
    submission: a draft's details still change, a submitted one is what the clerk decides
    on; a resubmission after a request for information links again)."""
    identity = persons_service.identity_of(
        legal_name=application.details.get("legal_name"),
        birth_date=application.details.get("birth_date"),
    )
    if identity is None:
        application.person_id = None
        return
    application.person_id = persons_service.get_or_create(session=session, identity=identity).id


def same_person(*, session: Session, application: Application) -> list[Application]:
    """The same person's other submitted applications, from any account and under any
    working name, oldest first. For staff only: it names other working names."""
    if application.person_id is None:
        return []
    return list(
        session.exec(
            select(Application)
            .where(
                Application.person_id == application.person_id,
                Application.id != application.id,
                col(Application.submitted_at).is_not(None),
            )
            .order_by(col(Application.created_at))
        ).all()
    )


def _person_facts(
    session: Session, policy: Policy, application: Application, on: date
) -> tuple[int | None, int]:
    """How many permits of the type the person holds (not the one a renewal replaces) and
    how many other applications of the type they have open; asked only when the policy
    limits permits per person."""
    spec = policy.permit_type(application.permit_type)
    if spec is None or spec.max_active_per_person is None:
        return None, 0
    if application.person_id is None:
        return None, 0
    others = [
        a
        for a in same_person(session=session, application=application)
        if a.permit_type == application.permit_type
    ]
    held = permits_service.held_of_applications(
        session=session,
        application_ids=[a.id for a in others],
        permit_type=application.permit_type,
        on=on,
    )
    return (
        sum(1 for p in held if p.id != application.renewal_of_id),
        sum(1 for a in others if a.status.value in OPEN_STATUSES),
    )


def _count_if_capped(session: Session, policy: Policy, permit_type: str, on: date) -> int | None:
    spec = policy.permit_type(permit_type)
    if spec is None or spec.cap == "none":
        return None
    return permits_service.count_held(session=session, permit_type=permit_type, on=on)


def _renews_held_permit(session: Session, application: Application, on: date) -> bool:
    """A renewal only takes the place of its permit while that permit is still held. Once it
    has expired or been revoked its place under a cap is free, so the renewal competes for
    one like a new application."""
    if application.renewal_of_id is None:
        return False
    permit = session.get(Permit, application.renewal_of_id)
    return permit is not None and permit.state_on(on).value in ("active", "suspended")


# Facts derived from personal data that a check's stored row never keeps (only whether
# the rule passed): the age is derived from the encrypted birth date.
DERIVED_PERSONAL = frozenset({"age"})


def checks_for_staff(
    checks: list[dict[str, Any]], *, birth_date: object, on: date
) -> list[dict[str, Any]]:
    """Check results (stored checks or refused rules, as dicts) reworded for the clerk:
    about the applicant, with the age on ``on`` worked out from the birth date the clerk
    already sees in the file (never stored with the check)."""
    age = None
    if isinstance(birth_date, str):
        try:
            born = date.fromisoformat(birth_date)
        except ValueError:
            born = None
        age = age_on(born, on) if born and born <= on else None
    worded = []
    for check in checks:
        nl, en = staff_wording(
            str(check.get("rule_id")),
            bool(check.get("passed", False)),
            dict(check.get("details") or {}),
            str(check.get("message_nl", "")),
            str(check.get("message_en", "")),
            age=age,
        )
        worded.append({**check, "message_nl": nl, "message_en": en})
    return worded


def store_checks(
    session: Session,
    application: Application,
    results: list[CheckResult],
    *,
    stage: str,
    policy_version_id: uuid.UUID,
) -> None:
    evaluated_at = utcnow()
    for result in results:
        session.add(
            ApplicationCheck(
                application_id=application.id,
                policy_version_id=policy_version_id,
                stage=stage,
                rule_id=result.rule_id,
                passed=result.passed,
                severity=result.severity,
                message_nl=result.message_nl,
                message_en=result.message_en,
                reference=result.reference,
                details={k: v for k, v in result.details.items() if k not in DERIVED_PERSONAL},
                evaluated_at=evaluated_at,
            )
        )


def submit(*, session: Session, application_id: uuid.UUID, actor: User) -> Application:
    application = owned_for_change(session=session, application_id=application_id, actor=actor)
    transition_or_409(application, Transition.submit)
    active = policy_service.current(session=session)
    kinds = {d.kind for d in documents_of(session=session, application_id=application.id)}
    fields, documents = missing(active.policy, application, kinds)
    if fields or documents:
        raise InvalidInput(
            "incomplete",
            "The application is not complete yet.",
            missing_fields=fields,
            missing_documents=documents,
        )
    now = utcnow()
    today = local_today()
    link_person(session=session, application=application)
    facts = facts_for(
        session=session, policy=active.policy, application=application, on=today, kinds=kinds
    )
    results = evaluate_application(active.policy, facts)
    store_checks(
        session, application, results, stage="submission", policy_version_id=active.record.id
    )
    if application.submitted_at is None:
        application.submitted_at = now
        application.decision_due = due_date(today, active.policy.decision.period_days)
    elif application.paused_at is not None and application.decision_due is not None:
        # Awb 4:15: the period stood still while the applicant was supplying information.
        application.decision_due = due_after_pause(
            application.decision_due, to_local_date(application.paused_at), today
        )
    application.paused_at = None
    application.information_due = None  # supplied: the term to supply it is over
    application.policy_version_id = active.record.id
    record_transition(
        session,
        application,
        Transition.submit,
        actor=actor,
        after={
            "policy_version": active.record.version,
            "failed_rules": [r.rule_id for r in results if not r.passed],
        },
    )
    notify_applicant(session, application, "application_received")
    session.flush()
    return application


def due_after_pause(due: date, asked_on: date, today: date) -> date:
    """The decision period's last day when it stood still from the day after the request for
    information (`asked_on`) until `today` (Awb 4:15), moved past a weekend or public
    holiday (Algemene termijnenwet art. 1)."""
    paused_days = max(0, (today - asked_on).days - 1)
    if paused_days == 0:
        return due
    return next_working_day(due + timedelta(days=paused_days))


def notify_applicant(session: Session, application: Application, kind: str) -> None:
    """Tell the applicant there is news in their file (what the news is, they read on the
    site): queued in this transaction, sent after it commits."""
    applicant = session.get(User, application.applicant_id)
    if applicant is not None:
        outbox.queue(session, kind=kind, to_user=applicant)


def transition_or_409(application: Application, transition: Transition) -> ApplicationStatus:
    return MACHINE.target(application.status, transition)


def history_line(
    application: Application,
    previous: ApplicationStatus | None,
    target: ApplicationStatus,
    *,
    actor: User,
    reason: str | None = None,
) -> ApplicationStatusChange:
    """A line in the history the applicant sees: the role, never the staff member."""
    return ApplicationStatusChange(
        application_id=application.id,
        from_status=previous,
        to_status=target,
        reason=reason,
        by_role="applicant" if actor.id == application.applicant_id else actor.role.value,
    )


def record_transition(
    session: Session,
    application: Application,
    transition: Transition,
    *,
    actor: User,
    reason: str | None = None,
    after: dict[str, object] | None = None,
) -> ApplicationStatus:
    """Apply `transition`: new version, a history line and an audit event, in the caller's
    transaction."""

    def history(previous: ApplicationStatus, target: ApplicationStatus) -> SQLModel:
        return history_line(application, previous, target, actor=actor, reason=reason)

    return MACHINE.move(
        session,
        application,
        transition,
        actor=actor,
        reason=reason,
        after=after,
        history=history,
    )


def withdraw(*, session: Session, application_id: uuid.UUID, actor: User) -> Application:
    application = owned_for_change(session=session, application_id=application_id, actor=actor)
    record_transition(session, application, Transition.withdraw, actor=actor)
    session.flush()
    return application
