"""Inspections that change more than their own domain:

- recording a visit may also make a separate signal of human trafficking (one
  transaction: both or neither), and is followed by the report and, when chosen, the
  written warning to the permit holder;
- a clerk handles a referral from a visit: suspend or revoke the permit with the visit
  quoted as the reason in the decision letter, or decide that no action is needed.
"""

from __future__ import annotations

import uuid

from sqlmodel import Session

from app.auth.models import User
from app.errors import NotFound
from app.flows import commit_then
from app.inspections import documents as inspection_documents
from app.inspections import service as inspections_service
from app.inspections.models import Inspection, OutcomeIn, ReferralAction
from app.permits import documents as permit_documents
from app.permits import service as permits_service
from app.permits.models import Permit
from app.policy import service as policy_service
from app.signals import service as signals_service
from app.signals.models import Signal, SignalCreate


def record(
    *,
    session: Session,
    inspection_id: uuid.UUID,
    data: OutcomeIn,
    actor: User,
    signal: SignalCreate | None = None,
) -> tuple[Inspection, Signal | None]:
    """Record (or correct) a visit, with a signal if signs were seen; then its documents."""
    active = policy_service.current(session=session)
    made: Signal | None = None
    with session.begin_nested():
        inspection, version = inspections_service.record(
            session=session,
            inspection_id=inspection_id,
            data=data,
            actor=actor,
            policy=active.policy,
            policy_version_id=active.record.id,
        )
        if signal is not None:
            place, _ = inspections_service.place_of(session, inspection)
            made = signals_service.create(
                session=session,
                data=signal.model_copy(
                    update={"inspection_id": inspection.id, "place": signal.place or place}
                ),
                actor=actor,
                policy=active.policy,
            )
    number = version.number
    commit_then(
        session,
        [
            lambda: inspection_documents.report(
                session=session, inspection=inspection, number=number, language=None
            ),
            lambda: inspection_documents.warning_letter(
                session=session, inspection=inspection, number=number
            ),
        ],
        what=f"inspection {inspection_id}",
        reload=inspection,
    )
    return inspection, made


def handle_referral(
    *,
    session: Session,
    referral_id: uuid.UUID,
    action: ReferralAction,
    reason: str,
    actor: User,
    permit_number: str | None = None,
) -> Permit | None:
    """Settle a referral (of the permit `permit_number`, when the caller names one); a
    suspension or revocation quotes the visit in its decision letter. Returns the permit
    when it changed."""
    with session.begin_nested():
        referral, quoted = inspections_service.settle_referral(
            session=session, referral_id=referral_id, action=action, actor=actor
        )
        if permit_number is not None and quoted.permit_number != permit_number.upper():
            raise NotFound("referral")
        if action is ReferralAction.none:
            return None
        permit = permits_service.change_status(
            session=session,
            number=quoted.permit_number,
            actor=actor,
            action=action.value,
            reason=f"{reason}\n\n{inspections_service.reference(quoted)}",
        )
    commit_then(
        session,
        [
            lambda: permit_documents.status_letter(
                session=session,
                permit=permit,
                action=action.value,
                quote=inspections_service.quote(quoted),
            ),
            lambda: permit_documents.permit_pdf(session=session, permit=permit),
        ],
        what=f"permit {permit.number} after referral {referral.id}",
        reload=permit,
    )
    return permit
