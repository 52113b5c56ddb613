"""A holder renews a permit: a new application, prefilled from the permit, within the
policy's window before the permit expires; one open or granted renewal per permit."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlmodel import Session, col, select

from app.applications import service as applications
from app.applications.models import Application, ApplicationStatus
from app.applications.states import OPEN
from app.audit import service as audit
from app.auth.models import User
from app.db import local_today
from app.errors import Conflict, NotFound
from app.permits import service as permits_service
from app.permits.models import Permit, PermitState
from app.policy import service as policy_service


def existing_renewal(*, session: Session, permit_id: uuid.UUID) -> Application | None:
    """A renewal of this permit that is open or granted (there can be only one)."""
    return session.exec(
        select(Application).where(
            Application.renewal_of_id == permit_id,
            col(Application.status).in_((*OPEN, ApplicationStatus.approved)),
        )
    ).first()


def renewal_opens_on(permit: Permit, window_days: int) -> date:
    return permit.valid_until - timedelta(days=window_days)


def start_renewal(*, session: Session, number: str, actor: User) -> Application:
    """The holder applies to renew a permit within the policy's window before expiry."""
    permit = permits_service.get_by_number(session=session, number=number)
    if permit is None or permit.holder_id != actor.id:
        raise NotFound("permit")
    policy = policy_service.load_configured().policy
    today = local_today()
    state = permit.state_on(today)
    if state is not PermitState.active:
        raise Conflict(
            "not_renewable",
            f"A permit that is {state.value} cannot be renewed.",
            current_status=state.value,
        )
    opens = renewal_opens_on(permit, policy.decision.renewal_window_days)
    if today < opens:
        raise Conflict(
            "renewal_not_open",
            f"Renewal opens on {opens.isoformat()}.",
            opens_on=opens.isoformat(),
        )
    open_renewal = existing_renewal(session=session, permit_id=permit.id)
    if open_renewal is not None:
        raise Conflict(
            "renewal_exists",
            "There is already a renewal application for this permit.",
            application_id=str(open_renewal.id),
        )
    original = session.get(Application, permit.application_id)
    spec = policy.permit_type(permit.permit_type)
    if spec is None:
        raise Conflict("permit_type_gone", "This permit type no longer exists in the policy.")
    # Prefill only what the policy in force still asks for (collect nothing else).
    wanted: set[str] = set(spec.required_fields)
    details = {k: v for k, v in (original.details if original else {}).items() if k in wanted}
    application = Application(
        applicant_id=actor.id,
        permit_type=permit.permit_type,
        status=ApplicationStatus.draft,
        working_name=permit.working_name,
        details=details,
        renewal_of_id=permit.id,
    )
    session.add(application)
    session.flush()
    session.add(applications.history_line(application, None, ApplicationStatus.draft, actor=actor))
    audit.record(
        session,
        actor=actor,
        action="application.create",
        object_type="application",
        object_id=application.id,
        after={"permit_type": application.permit_type, "renewal_of": permit.number},
    )
    session.flush()
    return application
