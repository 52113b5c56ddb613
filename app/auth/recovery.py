"""A forgotten password: a reset link by e-mail (one-time, expiring, stored only as a
hash), asked for with an answer that is the same whether or not the address has an
account, so nobody learns from it who has an account on this site. Setting the new
password ends every other session and token of the account. Nothing here commits."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from app.audit import service as audit
from app.auth import links, sessions
from app.auth.models import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, User
from app.auth.permissions import Action, can
from app.auth.security import hash_password
from app.config import get_settings
from app.db import utcnow
from app.errors import Forbidden, InvalidInput, NotFound
from app.mail import outbox

PURPOSE = "password_reset"
LIFETIME = timedelta(hours=2)


def send_reset(*, session: Session, user: User, actor: User | None = None) -> None:
    """Queue a reset link for `user` (earlier unused links stop working)."""
    raw = links.issue(session, user=user, purpose=PURPOSE, lifetime=LIFETIME)
    link = f"{get_settings().base_url}/password/reset?token={raw}"
    outbox.queue(session, kind="password_reset", to_user=user, values={"link": link})
    audit.record(
        session,
        actor=actor or user,
        action="account.password_reset_sent",
        object_type="user",
        object_id=user.id,
    )
    session.flush()


def request_reset(*, session: Session, user: User | None) -> None:
    """Someone asked for a reset of an address: a link when it has an active account,
    nothing otherwise; the caller answers the same either way."""
    if user is not None and user.is_active:
        send_reset(session=session, user=user)


def admin_send_reset(*, session: Session, user_id: object, actor: User) -> User:
    """An admin sends a staff member a reset link (audited as theirs)."""
    if not can(actor, Action.account_create_staff):
        raise Forbidden()
    user = session.get(User, user_id)
    if user is None or not user.is_staff:
        raise NotFound("account")
    send_reset(session=session, user=user, actor=actor)
    return user


def reset_password(*, session: Session, raw_token: str, password: str) -> User:
    """Spend the link and set the new password; every session and token of the account
    ends. InvalidInput `link_invalid` for a link that is unknown, used or expired."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            "password_length",
            f"Choose a password of {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters.",
        )
    _token, user = links.spend(session, raw=raw_token, purpose=PURPOSE)
    # The link reached the address: that confirms it, as the confirmation link would.
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    user.password_hash = hash_password(password)
    session.add(user)
    sessions.end_all(session=session, user=user, actor=user, reason="password reset")
    audit.record(
        session, actor=user, action="account.password_reset", object_type="user", object_id=user.id
    )
    session.flush()
    return user
