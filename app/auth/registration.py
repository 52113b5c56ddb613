"""Making an applicant account without telling anyone which addresses have one.

Registration answers the same whatever the address: every valid registration sends one
e-mail and does the same expensive work (hashing the password). A new address gets an
account that is not confirmed yet and a confirmation link; an address whose account is
not confirmed yet gets a fresh link (for the password of this registration: the link
carries it); an address with a confirmed account gets a message saying so, with the way
to choose a new password. Only the mailbox's owner learns which case applied. Login
answers an unconfirmed account like a wrong password (see `service.authenticate`).
Nothing here commits."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from app.audit import service as audit
from app.auth import links, service
from app.auth.models import Role, User, UserRegister, email_lookup
from app.auth.ratelimit import Throttle
from app.auth.security import hash_password
from app.config import get_settings
from app.db import utcnow
from app.errors import Conflict, TooManyRequests
from app.mail import outbox

PURPOSE = "confirm_address"
LIFETIME = timedelta(hours=48)


def register(
    *, session: Session, data: UserRegister, throttle: Throttle | None = None, client: str = ""
) -> None:
    """Handle a registration; the caller answers "check your e-mail" whatever happened.

    Limited per client address (429 `too_many_registrations`), and per e-mail address the
    messages are limited the same way, silently, so nobody can flood a mailbox."""
    if throttle is not None and not throttle.hit(f"register:{client}"):
        raise TooManyRequests(
            "too_many_registrations",
            "Too many new accounts from your address. Try again later.",
            retry_after=throttle.retry_after(f"register:{client}"),
        )
    email = str(data.email).strip().lower()
    password_hash = hash_password(data.password)
    user = service.get_by_email(session=session, email=email)
    if user is None:
        try:
            user = service.insert(
                session=session,
                data=data,
                role=Role.applicant,
                actor=None,
                confirmed=False,
                password_hash=password_hash,
            )
        except Conflict:  # registered at this very moment by someone else
            user = service.get_by_email(session=session, email=email)
            if user is None:
                raise
    may_mail = throttle is None or throttle.hit(f"register-mail:{email_lookup(email)}")
    if not user.is_active or not may_mail:
        return
    if user.email_confirmed:
        _queue(session, user, kind="already_registered", link="/password/forgot")
        return
    raw = links.issue(
        session, user=user, purpose=PURPOSE, lifetime=LIFETIME, password_hash=password_hash
    )
    _queue(session, user, kind="confirm_address", link=f"/register/confirm?token={raw}")


def _queue(session: Session, user: User, *, kind: str, link: str) -> None:
    outbox.queue(
        session, kind=kind, to_user=user, values={"link": f"{get_settings().base_url}{link}"}
    )
    audit.record(
        session,
        actor=user,
        action=f"account.{kind}_sent",
        object_type="user",
        object_id=user.id,
    )
    session.flush()


def confirm(*, session: Session, raw_token: str) -> User:
    """Spend a confirmation link: the address is confirmed and the password chosen in the
    registration that sent this link is the account's. InvalidInput `link_invalid`."""
    token, user = links.spend(session, raw=raw_token, purpose=PURPOSE)
    if token.password_hash:
        user.password_hash = token.password_hash
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    user.updated_at = utcnow()
    session.add(user)
    audit.record(
        session, actor=user, action="account.confirm", object_type="user", object_id=user.id
    )
    session.flush()
    return user
