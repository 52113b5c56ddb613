"""Who may do what: one mapping of role to allowed actions, and object-level checks."""

from __future__ import annotations

import uuid
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
    permit_manage = "permit.manage"
    inspection_record = "inspection.record"
    signal_read = "signal.read"


ROLE_PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.applicant: frozenset(
        {Action.account_read_own, Action.application_create, Action.application_read_own}
    ),
    Role.clerk: frozenset(
        {
            Action.account_read_own,
            Action.account_read_any,
            Action.application_read_any,
            Action.application_decide,
            Action.permit_manage,
        }
    ),
    Role.inspector: frozenset({Action.account_read_own, Action.inspection_record}),
    Role.care_coordinator: frozenset({Action.account_read_own, Action.signal_read}),
    Role.admin: frozenset(
        {
            Action.account_read_own,
            Action.account_read_any,
            Action.account_create_staff,
            Action.audit_verify,
        }
    ),
}


def can(user: User, action: Action) -> bool:
    return user.is_active and action in ROLE_PERMISSIONS.get(user.role, frozenset())


def can_access_owned(
    user: User, owner_id: uuid.UUID, *, own_action: Action, any_action: Action
) -> bool:
    """Object-level check: the owner with `own_action`, or staff holding `any_action`."""
    if can(user, any_action):
        return True
    return owner_id == user.id and can(user, own_action)
