"""One-time links sent by e-mail (password reset, address confirmation): a random token
goes into the link, only its SHA-256 is stored; it expires, is spent when used, and a new
link of the same purpose ends the earlier ones. Nothing here commits."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.auth.models import AccountToken, User
from app.db import utcnow
from app.errors import InvalidInput

TOKEN_LENGTH = 100
"""Longer input is not a token of ours (the raw token is 43 characters)."""


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(
    session: Session,
    *,
    user: User,
    purpose: str,
    lifetime: timedelta,
    password_hash: str | None = None,
) -> str:
    """A new link for `user`; earlier unused links of the purpose stop working. Returns the
    raw token (it goes into the e-mail, never into the database)."""
    session.execute(
        update(AccountToken)
        .where(
            col(AccountToken.user_id) == user.id,
            col(AccountToken.purpose) == purpose,
            col(AccountToken.used_at).is_(None),
        )
        .values(used_at=utcnow())
    )
    raw = secrets.token_urlsafe(32)
    session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=_hash(raw),
            expires_at=utcnow() + lifetime,
            password_hash=password_hash,
        )
    )
    return raw


def spend(session: Session, *, raw: str, purpose: str) -> tuple[AccountToken, User]:
    """Use a link once (the row is locked, so two clicks at once spend it once).
    InvalidInput `link_invalid` for a link that is unknown, used, expired or whose account
    is switched off."""
    invalid = InvalidInput("link_invalid", "This link is not valid any more. Ask for a new one.")
    if not raw or len(raw) > TOKEN_LENGTH:
        raise invalid
    token = session.exec(
        select(AccountToken)
        .where(AccountToken.token_hash == _hash(raw), AccountToken.purpose == purpose)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if token is None or token.used_at is not None or token.expires_at < utcnow():
        raise invalid
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        raise invalid
    token.used_at = utcnow()
    session.add(token)
    return token, user
