"""Two-factor login for staff: a TOTP secret (RFC 6238, 30-second codes of 6 digits) and
ten one-time recovery codes.

Every staff role needs it; applicants do not. The secret is encrypted at rest (`User.
mfa_secret`, an `EncryptedJSON` column) and is in use once confirmed with a code
(`mfa_enabled_at`). A code is accepted once: the time step it belongs to is remembered, so
a code seen over someone's shoulder cannot be used again. Recovery codes are stored as
salted hashes and spent when used. Wrong codes are throttled (`MfaThrottle`). Nothing here
commits.
"""

from __future__ import annotations

import time
import uuid

import pyotp
from sqlmodel import Session, col, select

from app.audit import service as audit
from app.auth import sessions
from app.auth.models import STAFF_ROLES, RecoveryCode, User
from app.auth.permissions import Action, can
from app.auth.ratelimit import MfaThrottle
from app.auth.security import hash_recovery_code, new_recovery_code, recovery_code_matches
from app.config import get_settings
from app.db import utcnow
from app.errors import Conflict, Forbidden, NotAuthenticated, NotFound, TooManyRequests

RECOVERY_CODES = 10
STEP_SECONDS = 30


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=6, interval=STEP_SECONDS)


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return _totp(secret).provisioning_uri(
        name=user.email, issuer_name=get_settings().municipality_name
    )


def pending_secret(*, session: Session, user: User) -> str:
    """The secret to enrol with: made (and stored encrypted) on first call, the same one on
    a reload until it is confirmed."""
    if not user.mfa_required:
        raise Forbidden()
    if user.mfa_enrolled:
        raise Conflict("mfa_already_enrolled", "Two-factor login is already set up.")
    if user.mfa_secret and user.mfa_secret.get("secret"):
        return str(user.mfa_secret["secret"])
    secret = pyotp.random_base32()
    set_pending_secret(session=session, user=user, secret=secret)
    return secret


def set_pending_secret(*, session: Session, user: User, secret: str) -> None:
    """Store a secret to enrol with (the demo accounts get a fixed one)."""
    user.mfa_secret = {"secret": secret}
    user.mfa_enabled_at = None
    user.updated_at = utcnow()
    session.add(user)
    session.flush()


def _matching_step(secret: str, code: str, last_step: int | None) -> int | None:
    """The time step (now, or one either side for clock drift) whose code is `code`, if it
    was not used before."""
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = _totp(secret)
    now_step = int(time.time()) // STEP_SECONDS
    for step in (now_step - 1, now_step, now_step + 1):
        if last_step is not None and step <= last_step:
            continue
        if pyotp.utils.strings_equal(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _throttled(throttle: MfaThrottle, user: User, client: str) -> None:
    if not throttle.allowed(str(user.id), client):
        raise TooManyRequests(
            "too_many_codes",
            "Too many wrong codes. Wait a while and try again.",
            retry_after=throttle.retry_after(str(user.id), client),
        )


def _wrong(throttle: MfaThrottle, user: User, client: str) -> NotAuthenticated:
    throttle.failed(str(user.id), client)
    return NotAuthenticated("invalid_mfa_code", "This code is not right. Try the newest code.")


def _clean(code: str) -> str:
    return "".join(code.split())


def confirm_enrolment(
    *, session: Session, user: User, code: str, throttle: MfaThrottle, client: str
) -> list[str]:
    """The staff member typed a code from their app: the secret is in use from now on.
    Returns the ten recovery codes (shown once; only their hashes are kept)."""
    if not user.mfa_required:
        raise Forbidden()
    if user.mfa_enrolled:
        raise Conflict("mfa_already_enrolled", "Two-factor login is already set up.")
    _throttled(throttle, user, client)
    secret = str((user.mfa_secret or {}).get("secret") or "")
    step = _matching_step(secret, _clean(code), None) if secret else None
    if step is None:
        raise _wrong(throttle, user, client)
    user.mfa_secret = {"secret": secret, "last_step": step}
    user.mfa_enabled_at = utcnow()
    user.updated_at = utcnow()
    session.add(user)
    codes = _new_recovery_codes(session=session, user=user)
    audit.record(
        session,
        actor=user,
        action="account.mfa_enrol",
        object_type="user",
        object_id=user.id,
        after={"mfa": "totp", "recovery_codes": len(codes)},
    )
    session.flush()
    return codes


def _new_recovery_codes(*, session: Session, user: User) -> list[str]:
    for old in session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all():
        session.delete(old)
    codes = [new_recovery_code() for _ in range(RECOVERY_CODES)]
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=hash_recovery_code(code)))
    return codes


def verify(*, session: Session, user: User, code: str, throttle: MfaThrottle, client: str) -> None:
    """The second step of a staff login: a current TOTP code (each accepted once), or one of
    the recovery codes (spent by using it). Raises `invalid_mfa_code` or `too_many_codes`."""
    if not user.mfa_enrolled or user.mfa_secret is None:
        raise NotAuthenticated("mfa_not_enrolled", "Set up two-factor login first.")
    _throttled(throttle, user, client)
    code = _clean(code)
    secret = str(user.mfa_secret.get("secret", ""))
    last = user.mfa_secret.get("last_step")
    step = _matching_step(secret, code, int(last) if last is not None else None)
    if step is not None:
        user.mfa_secret = {"secret": secret, "last_step": step}
        session.add(user)
        session.flush()
        return
    if len(code) >= 12 and _spend_recovery_code(session=session, user=user, code=code):
        return
    raise _wrong(throttle, user, client)


def _spend_recovery_code(*, session: Session, user: User, code: str) -> bool:
    unused = session.exec(
        select(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, col(RecoveryCode.used_at).is_(None))
        .with_for_update()
    ).all()
    for row in unused:
        if recovery_code_matches(code, row.code_hash):
            row.used_at = utcnow()
            session.add(row)
            audit.record(
                session,
                actor=user,
                action="account.mfa_recovery_code_used",
                object_type="user",
                object_id=user.id,
                after={"recovery_codes_left": len(unused) - 1},
            )
            session.flush()
            return True
    return False


def recovery_codes_left(*, session: Session, user: User) -> int:
    return len(
        session.exec(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, col(RecoveryCode.used_at).is_(None)
            )
        ).all()
    )


def reset(*, session: Session, user_id: uuid.UUID, actor: User) -> User:
    """An admin resets a staff member's two-factor login (a lost phone): the secret and
    recovery codes are removed, every session ends, and the member enrols again at their
    next login."""
    if not can(actor, Action.account_create_staff):
        raise Forbidden()
    user = session.get(User, user_id, with_for_update=True)
    if user is None or user.role not in STAFF_ROLES:
        raise NotFound("account")
    before = {"mfa_enrolled": user.mfa_enrolled}
    user.mfa_secret = None
    user.mfa_enabled_at = None
    user.updated_at = utcnow()
    session.add(user)
    for old in session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all():
        session.delete(old)
    audit.record(
        session,
        actor=actor,
        action="account.mfa_reset",
        object_type="user",
        object_id=user.id,
        before=before,
        after={"mfa_enrolled": False},
    )
    sessions.end_all(session=session, user=user, actor=actor, reason="mfa_reset")
    return user
