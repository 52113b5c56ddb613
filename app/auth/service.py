"""Accounts: register, authenticate, create staff, read (audited for staff).

Nothing here commits; the caller does (see `app/deps.py`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import access
from app.audit import service as audit
from app.auth import sessions
from app.auth.models import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    STAFF_ROLES,
    Role,
    User,
    UserCreate,
    UserRegister,
    email_lookup,
)
from app.auth.permissions import Action, ObjectKind, can
from app.auth.ratelimit import LoginThrottle
from app.auth.security import hash_password, verify_password
from app.db import utcnow
from app.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    TooManyRequests,
)


def _summary(user: User) -> dict[str, object]:
    # No email: the trail is append-only and cannot be purged on the retention schedule.
    return {"role": str(user.role), "is_active": user.is_active}


MAX_STAFF = 5000
"""More staff accounts than a municipality has: the bound of the staff lists."""


def get(*, session: Session, user_id: uuid.UUID) -> User | None:
    return session.get(User, user_id)


def get_by_email(*, session: Session, email: str) -> User | None:
    """The account of an address, found by its keyed hash (addresses are encrypted)."""
    return session.exec(select(User).where(User.email_hash == email_lookup(email))).first()


def insert(
    *,
    session: Session,
    data: UserRegister,
    role: Role,
    actor: User | None,
    confirmed: bool,
    password_hash: str | None = None,
) -> User:
    """A new account (Conflict `email_taken` when the address has one); an unconfirmed
    account cannot log in until its owner opens the confirmation link."""
    email = str(data.email).strip().lower()
    if get_by_email(session=session, email=email) is not None:
        raise Conflict("email_taken", "An account with this email address already exists.")
    user = User(
        email=email,
        email_hash=email_lookup(email),
        password_hash=password_hash or hash_password(data.password),
        role=role,
        language=data.language,
        email_confirmed_at=utcnow() if confirmed else None,
    )
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError as exc:
        raise Conflict("email_taken", "An account with this email address already exists.") from exc
    audit.record(
        session,
        actor=actor or user,
        action="account.create",
        object_type="user",
        object_id=user.id,
        after=_summary(user),
    )
    return user


def create(*, session: Session, data: UserCreate, actor: User | None) -> User:
    """An admin (or the CLI, actor None) makes an account with any role."""
    if actor is not None and not can(actor, Action.account_create_staff):
        raise Forbidden()
    return insert(session=session, data=data, role=data.role, actor=actor, confirmed=True)


def authenticate(
    *, session: Session, email: str, password: str, throttle: LoginThrottle, client: str
) -> User:
    email = email.strip().lower()
    if not throttle.allowed(email, client):
        raise TooManyRequests(
            "too_many_attempts",
            "Too many wrong passwords. Wait a minute and try again.",
            retry_after=throttle.retry_after(email, client),
        )
    user = get_by_email(session=session, email=email)
    # Unknown address, wrong password, unconfirmed or switched-off account: one answer,
    # after the same work (a password hash is verified in every case).
    if not verify_password(password, user.password_hash if user else None) or not (
        user and user.is_active and user.email_confirmed
    ):
        throttle.failed(email, client)
        raise NotAuthenticated("invalid_credentials", "Email address or password is wrong.")
    return user


def read_account(*, session: Session, user_id: uuid.UUID, actor: User) -> User:
    """Load an account for `actor`; 404 when missing or not theirs; staff reads are audited."""
    user = get(session=session, user_id=user_id)
    return access.read(
        session,
        user,
        actor=actor,
        kind=ObjectKind.account,
        owner_id=user.id if user else None,
        object_type="user",
        action="account.read",
    )


def list_(
    *, session: Session, actor: User, limit: int = 50, after_email: str | None = None
) -> list[User]:
    """Staff accounts, by email. Applicants are never listed: only their own file and the
    clerk's file of an application show who they are. Addresses are encrypted, so the
    (few) staff accounts are sorted here."""
    if not can(actor, Action.account_read_any):
        raise Forbidden()
    staff = session.exec(
        select(User).where(col(User.role).in_(list(STAFF_ROLES))).limit(MAX_STAFF)
    ).all()
    ordered = sorted(staff, key=lambda u: u.email)
    users = [u for u in ordered if not after_email or u.email > after_email][:limit]
    audit.record(session, actor=actor, action="account.list", object_type="user")
    return users


def active_with_role(*, session: Session, role: Role, limit: int = 200) -> list[User]:
    """Active staff of one role, by e-mail address (e.g. the inspectors to plan a visit
    with)."""
    found = session.exec(
        select(User).where(User.role == role, col(User.is_active).is_(True)).limit(MAX_STAFF)
    ).all()
    return sorted(found, key=lambda u: u.email)[:limit]


def _change_staff_member(
    *,
    session: Session,
    user_id: uuid.UUID,
    actor: User,
    own: Conflict,
    action: str,
    change: Callable[[User], bool],
) -> User:
    """An admin changes another staff member's account: the row is locked, `change` makes
    the change (False: nothing to change) and it is audited with the account before and
    after. 404 for applicants and unknown ids; `own` when it is the admin's own account."""
    if not can(actor, Action.account_create_staff):
        raise Forbidden()
    user = session.exec(select(User).where(User.id == user_id).with_for_update()).first()
    if user is None or user.role not in STAFF_ROLES:
        raise NotFound("account")
    if user.id == actor.id:
        raise own
    before = _summary(user)
    if not change(user):
        return user
    user.updated_at = utcnow()
    session.add(user)
    audit.record(
        session,
        actor=actor,
        action=action,
        object_type="user",
        object_id=user.id,
        before=before,
        after=_summary(user),
    )
    return user


def set_active(*, session: Session, user_id: uuid.UUID, active: bool, actor: User) -> User:
    """An admin switches a staff account off (someone left) or on again. Sessions and tokens
    of a switched-off account stop working at once; the account and its trail remain."""

    def switch(user: User) -> bool:
        if user.is_active == active:
            return False
        user.is_active = active
        # Off ends every session; on again must not revive a cookie or token from before.
        sessions.end_all(
            session=session,
            user=user,
            actor=actor,
            reason="activated" if active else "deactivated",
        )
        return True

    return _change_staff_member(
        session=session,
        user_id=user_id,
        actor=actor,
        own=Conflict("own_account", "You cannot switch off your own account."),
        action="account.activate" if active else "account.deactivate",
        change=switch,
    )


def change_role(*, session: Session, user_id: uuid.UUID, role: Role, actor: User) -> User:
    """An admin gives a staff member another staff role (someone moves from licensing to
    inspections). Applicants cannot be made staff here (staff accounts are made as such),
    and nobody changes their own role. The new rights hold from the next request; the
    change is audited with the role before and after."""

    def give(user: User) -> bool:
        if role not in STAFF_ROLES:
            raise InvalidInput("role_not_staff", "Choose one of the staff roles.")
        if user.role == role:
            return False
        user.role = role
        return True

    return _change_staff_member(
        session=session,
        user_id=user_id,
        actor=actor,
        own=Conflict("own_role", "You cannot change your own role. Ask another administrator."),
        action="account.role_change",
        change=give,
    )


def change_password(
    *,
    session: Session,
    user: User,
    current: str,
    new: str,
    throttle: LoginThrottle,
    client: str,
) -> None:
    """The account holder changes their password: every session and token of the account
    ends (the caller starts a new one for the browser that made the change). A wrong
    current password counts as a wrong login."""
    if not throttle.allowed(user.email, client):
        raise TooManyRequests(
            "too_many_attempts",
            "Too many wrong passwords. Wait a minute and try again.",
            retry_after=throttle.retry_after(user.email, client),
        )
    if not verify_password(current, user.password_hash):
        throttle.failed(user.email, client)
        raise InvalidInput("wrong_password", "The current password is wrong.")
    if not MIN_PASSWORD_LENGTH <= len(new) <= MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            "weak_password",
            f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters.",
        )
    if new == current:
        raise InvalidInput("same_password", "Choose a password you did not use just now.")
    user.password_hash = hash_password(new)
    user.updated_at = utcnow()
    session.add(user)
    audit.record(
        session,
        actor=user,
        action="account.password_change",
        object_type="user",
        object_id=user.id,
    )
    sessions.end_all(session=session, user=user, actor=user, reason="password_changed")


def _update_own(session: Session, user: User, field: str, value: object) -> User:
    """The account holder changes one setting of their own account (audited)."""
    before = getattr(user, field)
    if before == value:
        return user
    setattr(user, field, value)
    user.updated_at = utcnow()
    session.add(user)
    audit.record(
        session,
        actor=user,
        action="account.update",
        object_type="user",
        object_id=user.id,
        before={field: before},
        after={field: value},
    )
    session.flush()
    return user


def set_language(*, session: Session, user: User, language: str) -> User:
    return _update_own(session, user, "language", language)


def set_email_opt_out(*, session: Session, user: User, opt_out: bool) -> User:
    """The account's choice to receive no e-mail about its file (messages about the
    account's security are sent regardless)."""
    return _update_own(session, user, "email_opt_out", opt_out)
