"""Who may do what: one mapping of role to allowed actions, and who may read each kind of
object.

Every kind of object has its own read actions, so being allowed to read applications says
nothing about permits, letters or inspection reports. Creating and reading are separate
actions: an inspector creates a trafficking signal (`signal.create`) that afterwards only
the care coordinator reads (`signal.read`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from app.auth.models import Role, User


class Action(StrEnum):
    account_read_own = "account.read_own"
    account_read_any = "account.read_any"
    account_create_staff = "account.create_staff"
    audit_verify = "audit.verify"
    application_create = "application.create"
    application_read_own = "application.read_own"
    application_read_any = "application.read_any"
    application_decide = "application.decide"
    permit_read_own = "permit.read_own"
    permit_read_any = "permit.read_any"
    permit_manage = "permit.manage"
    # Generated documents: one pair of read actions per kind of document.
    permit_document_read_own = "document.permit.read_own"
    permit_document_read_any = "document.permit.read_any"
    decision_letter_read_own = "document.decision_letter.read_own"
    decision_letter_read_any = "document.decision_letter.read_any"
    inspection_report_read_any = "document.inspection_report.read_any"
    homework_letter_read_own = "document.homework_letter.read_own"
    homework_letter_read_any = "document.homework_letter.read_any"
    address_read = "address.read"
    homework_create = "homework.create"
    homework_read_own = "homework.read_own"
    homework_read_any = "homework.read_any"
    homework_decide = "homework.decide"
    nuisance_read_any = "nuisance.read_any"
    nuisance_assess = "nuisance.assess"
    inspection_read_any = "inspection.read_any"
    inspection_plan = "inspection.plan"
    inspection_record = "inspection.record"
    signal_create = "signal.create"
    signal_read = "signal.read"
    # Its author reads a signal back only until the care coordinator takes it.
    signal_read_own_new = "signal.read_own_new"
    signal_follow_up = "signal.follow_up"
    # Data-subject rights: an applicant asks (their own account), a clerk handles.
    privacy_request_own = "privacy.request_own"
    privacy_handle = "privacy.handle"
    # The statistics: counts only, small counts suppressed (the analyst and the admin).
    statistics_read = "statistics.read"


ROLE_PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.applicant: frozenset(
        {
            Action.account_read_own,
            Action.application_create,
            Action.application_read_own,
            Action.permit_read_own,
            Action.permit_document_read_own,
            Action.decision_letter_read_own,
            Action.homework_create,
            Action.homework_read_own,
            Action.homework_letter_read_own,
            Action.privacy_request_own,
        }
    ),
    Role.clerk: frozenset(
        {
            Action.account_read_own,
            Action.account_read_any,
            Action.application_read_any,
            Action.application_decide,
            Action.permit_read_any,
            Action.permit_manage,
            Action.permit_document_read_any,
            Action.decision_letter_read_any,
            Action.address_read,
            Action.homework_read_any,
            Action.homework_decide,
            Action.homework_letter_read_any,
            Action.nuisance_read_any,
            Action.nuisance_assess,
            # Plans visits and reads them (a violation comes to the clerk as a referral).
            Action.inspection_read_any,
            Action.inspection_plan,
            Action.inspection_report_read_any,
            Action.privacy_handle,
        }
    ),
    Role.inspector: frozenset(
        {
            Action.account_read_own,
            Action.address_read,
            Action.homework_read_any,
            Action.nuisance_read_any,
            Action.nuisance_assess,
            Action.inspection_read_any,
            Action.inspection_plan,
            Action.inspection_record,
            Action.inspection_report_read_any,
            # Makes a signal; reads back only their own, and only until it is taken.
            Action.signal_create,
            Action.signal_read_own_new,
        }
    ),
    Role.care_coordinator: frozenset(
        {
            Action.account_read_own,
            Action.signal_create,
            Action.signal_read,
            Action.signal_follow_up,
        }
    ),
    Role.analyst: frozenset({Action.account_read_own, Action.statistics_read}),
    Role.admin: frozenset(
        {
            Action.statistics_read,
            Action.account_read_own,
            Action.account_read_any,
            Action.account_create_staff,
            Action.audit_verify,
        }
    ),
}


def can(user: User, action: Action) -> bool:
    return user.is_active and action in ROLE_PERMISSIONS.get(user.role, frozenset())


@dataclass(frozen=True)
class ReadAccess:
    """Who may read one kind of object: its owner holding `own`, or anyone holding `any`."""

    any: Action
    own: Action | None = None


class ObjectKind(StrEnum):
    """The kinds of object whose reads are checked (and, for staff, audited)."""

    account = "account"
    application = "application"
    permit = "permit"
    permit_document = "document.permit"
    decision_letter = "document.decision_letter"
    inspection_report = "document.inspection_report"
    homework_letter = "document.homework_letter"
    address = "address"
    homework_registration = "homework_registration"
    nuisance_report = "nuisance_report"
    inspection = "inspection"
    signal = "signal"
    erasure_request = "erasure_request"


READ_ACCESS: dict[ObjectKind, ReadAccess] = {
    ObjectKind.account: ReadAccess(Action.account_read_any, Action.account_read_own),
    ObjectKind.application: ReadAccess(Action.application_read_any, Action.application_read_own),
    ObjectKind.permit: ReadAccess(Action.permit_read_any, Action.permit_read_own),
    ObjectKind.permit_document: ReadAccess(
        Action.permit_document_read_any, Action.permit_document_read_own
    ),
    ObjectKind.decision_letter: ReadAccess(
        Action.decision_letter_read_any, Action.decision_letter_read_own
    ),
    ObjectKind.inspection_report: ReadAccess(Action.inspection_report_read_any),
    ObjectKind.homework_letter: ReadAccess(
        Action.homework_letter_read_any, Action.homework_letter_read_own
    ),
    ObjectKind.address: ReadAccess(Action.address_read),
    ObjectKind.homework_registration: ReadAccess(
        Action.homework_read_any, Action.homework_read_own
    ),
    ObjectKind.nuisance_report: ReadAccess(Action.nuisance_read_any),
    ObjectKind.inspection: ReadAccess(Action.inspection_read_any),
    # Its author's "own" read ends when the care coordinator takes it (signals/service.py).
    ObjectKind.signal: ReadAccess(Action.signal_read, Action.signal_read_own_new),
    ObjectKind.erasure_request: ReadAccess(Action.privacy_handle, Action.privacy_request_own),
}


def can_read(user: User, kind: ObjectKind, owner_id: uuid.UUID | None) -> bool:
    """Object-level check: anyone holding the kind's `any` action, or its owner holding
    the `own` action."""
    access = READ_ACCESS[kind]
    if can(user, access.any):
        return True
    return (
        access.own is not None
        and owner_id is not None
        and owner_id == user.id
        and can(user, access.own)
    )
