"""Sessions that end: one row per signed-in browser or API token, and the account's
session generation.

A page's session cookie and a bearer token carry their session's id and the account's
generation when they were made. They are refused once the row is ended (logging out ends
that one) or the account's generation moved on (password changed, account switched off or
on, two-factor login reset, an admin ended all sessions). Nothing here commits.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import and_, delete, or_, update
from sqlmodel import Session, col

from app.audit import service as audit
from app.auth.models import STAFF_ROLES, User, UserSession
from app.auth.permissions import Action, can
from app.config import get_settings
from app.db import utcnow
from app.errors import Forbidden, NotFound

SEEN_EVERY = timedelta(minutes=5)
"""`last_seen` is written at most this often (not on every request)."""


def start(*, session: Session, user: User, kind: str = "page") -> UserSession:
    """A new session for `user` (after the password and, for staff, the second factor)."""
    row = UserSession(user_id=user.id, kind=kind, generation=user.session_generation)
    session.add(row)
    session.flush()
    return row


def check(
    *,
    session: Session,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    generation: int,
    max_age: timedelta | None = None,
) -> User | None:
    """The account a cookie or token belongs to, or None when its session has ended."""
    user = session.get(User, user_id)
    if user is None or not user.is_active or generation != user.session_generation:
        return None
    row = session.get(UserSession, session_id)
    if (
        row is None
        or row.user_id != user.id
        or row.ended_at is not None
        or row.generation != user.session_generation
    ):
        return None
    now = utcnow()
    if max_age is not None and row.created_at < now - max_age:
        return None
    if now - row.last_seen > SEEN_EVERY:
        row.last_seen = now
        session.add(row)
    return user


def end(*, session: Session, user: User, session_id: uuid.UUID | None) -> None:
    """Logging out: this session ends (the account's others go on)."""
    row = session.get(UserSession, session_id) if session_id else None
    if row is None or row.user_id != user.id or row.ended_at is not None:
        return
    row.ended_at = utcnow()
    session.add(row)
    audit.record(
        session,
        actor=user,
        action="session.end",
        object_type="user",
        object_id=user.id,
        after={"session": str(row.id), "kind": row.kind},
    )
    session.flush()


def end_all(*, session: Session, user: User, actor: User | None, reason: str) -> None:
    """Every session and token of `user` ends: their rows are ended and the generation
    moves on (so even a cookie or token whose row was missed is refused)."""
    before = {"session_generation": user.session_generation}
    user.session_generation += 1
    user.updated_at = utcnow()
    session.add(user)
    session.execute(
        update(UserSession)
        .where(col(UserSession.user_id) == user.id, col(UserSession.ended_at).is_(None))
        .values(ended_at=utcnow())
    )
    audit.record(
        session,
        actor=actor or user,
        action="session.end_all",
        object_type="user",
        object_id=user.id,
        before=before,
        after={"session_generation": user.session_generation, "reason": reason},
    )
    session.flush()


def admin_end_all(*, session: Session, user_id: uuid.UUID, actor: User) -> User:
    """An admin ends every session of a staff member (a lost laptop, a shared screen)."""
    if not can(actor, Action.account_create_staff):
        raise Forbidden()
    user = session.get(User, user_id, with_for_update=True)
    if user is None or user.role not in STAFF_ROLES:
        raise NotFound("account")
    end_all(session=session, user=user, actor=actor, reason="ended_by_admin")
    return user


def purge(*, session: Session, keep_days: int = 30) -> int:
    """Delete session rows that can no longer let anyone in: ended, or older than any page
    session or token may live, for `keep_days` (the trail keeps that they were used).
    Nothing here commits."""
    settings = get_settings()
    longest = max(settings.session_max_age_seconds, settings.access_token_expire_minutes * 60)
    now = utcnow()
    ended_before = now - timedelta(days=keep_days)
    made_before = now - timedelta(seconds=longest) - timedelta(days=keep_days)
    result = session.execute(
        delete(UserSession).where(
            or_(
                and_(
                    col(UserSession.ended_at).is_not(None), col(UserSession.ended_at) < ended_before
                ),
                col(UserSession.created_at) < made_before,
            )
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
