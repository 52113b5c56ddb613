"""A clerk's decisions on an application (renewals are in `renewals.py`).

Approval re-runs the policy checks at the moment of deciding, under a row lock on the
application and a lock per permit type, so two clerks approving at once can neither exceed
a cap nor issue two permits for one application. Approval changes two domains (the
application and a new permit) and is all or nothing: nothing here commits; the caller
(`app/flows/decisions.py`) commits once and then makes the letters.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from sqlmodel import Session

from app.addresses import parse as address_parse
from app.addresses import service as addresses_service
from app.applications import letters
from app.applications import service as applications
from app.applications.models import (
    Application,
    ApplicationStatus,
    DecisionKind,
)
from app.applications.states import AWAITING_DECISION, Transition
from app.audit import service as audit
from app.auth.models import User
from app.auth.permissions import Action, can
from app.db import local_today, to_local_date, utcnow
from app.deadlines import due_date
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.permits import documents as permit_documents
from app.permits import service as permits_service
from app.permits.models import Permit
from app.persons import service as persons_service
from app.policy import service as policy_service
from app.policy.evaluate import evaluate_application, validity_months


def document_steps(*, session: Session, application: Application) -> list[Callable[[], object]]:
    """The documents a decided application has, each a step that makes it (once; later
    calls find it): the decision letter and, if granted, the permit PDF. Run them after
    the decision has committed (`app/flows/decisions.py`)."""
    if application.status not in (ApplicationStatus.approved, ApplicationStatus.refused):
        return []
    steps: list[Callable[[], object]] = [
        lambda: letters.decision_letter(session=session, application=application)
    ]
    permit = applications.permit_of(session=session, application_id=application.id)
    if permit is not None:
        steps.append(lambda: permit_documents.permit_pdf(session=session, permit=permit))
    return steps


def business_address(session: Session, details: dict[str, object]) -> uuid.UUID | None:
    """The recorded address of the business the application names, if it names one."""
    postcode = details.get("business_address_postcode")
    number = details.get("business_address_house_number")
    if not postcode or not number:
        return None
    try:
        parts = address_parse.parse(str(postcode), str(number))
    except ValueError:
        return None  # checked when it was entered; an older, looser entry is left out
    return addresses_service.get_or_create(session=session, parts=parts).id


def _lock(session: Session, application_id: uuid.UUID) -> Application:
    application = session.get(
        Application, application_id, with_for_update=True, populate_existing=True
    )
    if application is None:
        raise NotFound("application")
    return application


def _require_decider(actor: User) -> None:
    if not can(actor, Action.application_decide):
        raise Forbidden("Only licensing clerks decide applications.")


def _reason_or_422(reason: str | None, what: str) -> str:
    text = (reason or "").strip()
    if len(text) < 3:
        raise InvalidInput("reason_required", f"A reason is required to {what}.")
    return text


def decide(
    *,
    session: Session,
    application_id: uuid.UUID,
    decision: DecisionKind,
    reason: str | None,
    actor: User,
    expected_version: int | None = None,
) -> Application:
    _require_decider(actor)
    if decision is DecisionKind.approve:
        return approve(
            session=session,
            application_id=application_id,
            actor=actor,
            reason=reason,
            expected_version=expected_version,
        )
    if decision is DecisionKind.extend:
        text = _reason_or_422(reason, "extend the decision period")
        return extend(
            session=session,
            application_id=application_id,
            actor=actor,
            reason=text,
            expected_version=expected_version,
        )
    if decision is DecisionKind.refuse:
        text = _reason_or_422(reason, "refuse an application")
        return _close(session, application_id, actor, Transition.refuse, text, expected_version)
    text = _reason_or_422(reason, "ask for more information")
    return _close(
        session, application_id, actor, Transition.request_information, text, expected_version
    )


def period_running(application: Application, today: date) -> bool:
    """Whether the decision period has not ended yet, counting a pause that is still running
    (Awb 4:15: from the day after the request for information)."""
    if application.decision_due is None:
        return False
    due = application.decision_due
    if application.paused_at is not None:
        due = applications.due_after_pause(due, to_local_date(application.paused_at), today)
    return due >= today


def information_term_passed(application: Application, today: date) -> bool:
    """Whether the applicant's term to supply the information asked for (Awb 4:5) has
    passed without an answer. A request made before terms were recorded has none: it
    counts as passed, as refusing was allowed then."""
    if application.status is not ApplicationStatus.information_requested:
        return False
    return application.information_due is None or application.information_due < today


def may_refuse(application: Application, today: date) -> bool:
    """Refusal is on offer while the application awaits a decision, and after a request for
    information only once the term to supply it has passed (Awb 4:5)."""
    if application.status is ApplicationStatus.information_requested:
        return information_term_passed(application, today)
    return application.status in AWAITING_DECISION


def can_extend(application: Application, extension_days: int, today: date) -> bool:
    return (
        extension_days > 0
        and application.extended_at is None
        and application.status in AWAITING_DECISION | {ApplicationStatus.information_requested}
        and period_running(application, today)
    )


def extend(
    *,
    session: Session,
    application_id: uuid.UUID,
    actor: User,
    reason: str,
    expected_version: int | None = None,
) -> Application:
    """Extend the decision period once by the policy's extension (Awb 4:14), before it ends.
    The applicant sees the new date and the reason in the history of their file."""
    _require_decider(actor)
    application = _lock(session, application_id)
    applications.check_version(application, expected_version)
    if application.status not in AWAITING_DECISION | {ApplicationStatus.information_requested}:
        raise Conflict(
            "illegal_transition",
            f"The decision period of an application that is {application.status.value} "
            "cannot be extended.",
            current_status=application.status.value,
        )
    days = policy_service.load_configured().policy.decision.extension_days
    if days == 0:
        raise Conflict("no_extension", "The policy in force allows no extension.")
    if application.extended_at is not None:
        raise Conflict("already_extended", "The decision period has already been extended once.")
    before = application.decision_due
    if before is None or not period_running(application, local_today()):
        raise Conflict(
            "period_ended", "The decision period has ended; it can no longer be extended."
        )
    # The extension runs from the end of the period (as moved by the Algemene termijnenwet)
    # and ends on a working day too.
    new_due = due_date(before, days)
    application.decision_due = new_due
    application.extended_at = utcnow()
    applications.touch(application)
    session.add(
        applications.history_line(
            application,
            application.status,
            application.status,
            actor=actor,
            reason=f"{reason} ({new_due.strftime('%d-%m-%Y')})",
        )
    )
    audit.record(
        session,
        actor=actor,
        action="application.extend",
        object_type="application",
        object_id=application.id,
        before={"decision_due": before},
        after={"decision_due": new_due, "reason": reason},
    )
    applications.notify_applicant(session, application, "decision_extended")
    session.flush()
    return application


def start_review(*, session: Session, application_id: uuid.UUID, actor: User) -> Application:
    _require_decider(actor)
    return _close(session, application_id, actor, Transition.start_review, None, None)


def _close(
    session: Session,
    application_id: uuid.UUID,
    actor: User,
    transition: Transition,
    reason: str | None,
    expected_version: int | None,
) -> Application:
    """Refuse, request information or start review: a transition with a reason."""
    application = _lock(session, application_id)
    applications.check_version(application, expected_version)
    applications.transition_or_409(application, transition)
    today = local_today()
    if transition is Transition.refuse and not may_refuse(application, today):
        # Awb 4:5: an application may be left unconsidered only once the term the
        # applicant was given to supply the information has passed.
        due = application.information_due
        raise Conflict(
            "information_term_running",
            "The applicant may still supply the information until "
            f"{due.isoformat() if due else '?'}; refuse after that day, or after a new "
            "submission.",
            information_due=due.isoformat() if due else None,
        )
    cited: list[str] = []
    now = utcnow()
    if transition is Transition.refuse:
        cited = [
            c.rule_id
            for c in applications.checks_of(session=session, application_id=application.id)
            if not c.passed
        ]
        application.decided_at = now
        application.decision_reason = reason
        application.cited_rules = cited
    elif transition is Transition.request_information:
        application.information_request = reason
        application.paused_at = now
        # Awb 4:5: the applicant gets a term to supply it, ending on a working day.
        term = policy_service.load_configured().policy.decision.information_term_days
        application.information_due = due_date(today, term)
    applications.record_transition(
        session,
        application,
        transition,
        actor=actor,
        reason=reason,
        after={
            "reason": reason,
            "cited_rules": cited,
            **(
                {"information_due": application.information_due}
                if transition is Transition.request_information
                else {}
            ),
        },
    )
    if transition is Transition.refuse:
        applications.notify_applicant(session, application, "decision_made")
    elif transition is Transition.request_information:
        applications.notify_applicant(session, application, "information_requested")
    session.flush()
    return application


def approve(
    *,
    session: Session,
    application_id: uuid.UUID,
    actor: User,
    reason: str | None = None,
    expected_version: int | None = None,
) -> Application:
    _require_decider(actor)
    application = _lock(session, application_id)
    applications.check_version(application, expected_version)
    applications.transition_or_409(application, Transition.approve)
    active = policy_service.current(session=session)
    spec = active.policy.permit_type(application.permit_type)
    if spec is not None and spec.cap != "none":
        # Only a capped type needs approvals of its kind in single file.
        permits_service.lock_permit_type(session=session, permit_type=application.permit_type)
    if application.person_id is None:
        applications.link_person(session=session, application=application)  # older rows
    if spec is not None and spec.max_active_per_person is not None and application.person_id:
        # Two approvals for one person (two working names) go in single file.
        persons_service.lock(session=session, person_id=application.person_id)
    today = local_today()
    facts = applications.facts_for(
        session=session, policy=active.policy, application=application, on=today
    )
    results = evaluate_application(active.policy, facts)
    blocking = [r for r in results if not r.passed and r.severity == "blocking"]
    if blocking:
        raise Conflict(
            "blocking_checks_failed",
            "The application cannot be approved while these rules fail.",
            failed_rules=[
                {
                    "rule_id": r.rule_id,
                    "message_nl": r.message_nl,
                    "message_en": r.message_en,
                    "reference": r.reference,
                    "details": {
                        k: v for k, v in r.details.items() if k not in applications.DERIVED_PERSONAL
                    },
                }
                for r in blocking
            ],
        )
    applications.store_checks(
        session, application, results, stage="approval", policy_version_id=active.record.id
    )
    renewal_of = (
        session.get(Permit, application.renewal_of_id) if application.renewal_of_id else None
    )
    spec = active.policy.permit_types[application.permit_type]
    permit = permits_service.issue(
        session=session,
        application_id=application.id,
        holder_id=application.applicant_id,
        permit_type=application.permit_type,
        working_name=application.working_name or "",
        # The holder's age on the day the permit starts decides its validity.
        validity_months=validity_months(
            active.policy,
            application.permit_type,
            facts.birth_date,
            permits_service.start_date(renewal_of),
        ),
        conditions_nl=list(spec.conditions_nl),
        conditions_en=list(spec.conditions_en),
        policy_version_id=active.record.id,
        actor=actor,
        renewal_of=renewal_of,
        address_id=(
            business_address(session, application.details) if spec.permit_shows_address else None
        ),
    )
    application.decided_at = utcnow()
    application.decision_reason = (reason or "").strip() or None
    application.policy_version_id = active.record.id
    applications.record_transition(
        session,
        application,
        Transition.approve,
        actor=actor,
        reason=application.decision_reason,
        after={"permit_number": permit.number, "policy_version": active.record.version},
    )
    applications.notify_applicant(session, application, "decision_made")
    session.flush()
    return application
