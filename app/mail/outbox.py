"""Queue a message in the caller's transaction: it is sent after the change it tells
about has committed, and not at all when that change is rolled back. Queueing never talks
to a mail server, so a mail server that is down never fails anyone's action."""

from __future__ import annotations

import uuid
from typing import Protocol

from sqlmodel import Session, select

from app.config import get_settings
from app.db import insert_once
from app.i18n import normalise_language
from app.mail import kinds
from app.mail.kinds import Audience
from app.mail.models import OutboxMessage


class User(Protocol):
    """The account a message goes to (`app.auth.models.User`). This package knows no
    other domain, so that the account's own services may queue their messages here."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def language(self) -> str: ...
    @property
    def email_opt_out(self) -> bool: ...
    @property
    def is_staff(self) -> bool: ...
    @property
    def is_active(self) -> bool: ...


def queue(
    session: Session,
    *,
    kind: str,
    to_user: User | None = None,
    to_address: str | None = None,
    language: str | None = None,
    values: dict[str, str] | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Add a message to the outbox in the caller's transaction (flushed, never committed).

    None, and no row, when the person chose to receive no e-mail (security kinds go
    regardless), when an account's message would go to an account switched off or an
    applicant's news to a staff address (staff get staff messages only), or when a message
    with `dedupe_key` was queued before (nothing is sent twice). A kind that does not
    exist, a staff message to someone who is not staff, a message to an address that is
    not about security, or a missing template value is a programming error (ValueError).
    """
    spec = kinds.get(kind)
    values = dict(values or {})
    if (to_user is None) == (to_address is None):
        raise ValueError("a message goes to an account or to an address, not both or neither")
    if missing := spec.values - values.keys():
        raise ValueError(f"{kind} needs the values {sorted(missing)}")
    if not all(isinstance(v, str) for v in values.values()):
        raise ValueError("message values are text")
    if to_user is not None:
        if spec.audience is Audience.staff and not to_user.is_staff:
            raise ValueError(f"{kind} goes to staff only")
        if spec.audience is Audience.applicant and to_user.is_staff:
            return None
        if not spec.security and (to_user.email_opt_out or not to_user.is_active):
            return None
    elif spec.audience is not Audience.anyone:
        raise ValueError(f"{kind} goes to an account, not to an address")
    chosen = normalise_language(language) or (
        normalise_language(to_user.language) if to_user is not None else None
    )
    message = OutboxMessage(
        to_user_id=to_user.id if to_user is not None else None,
        to_address=to_address.strip() if to_address is not None else None,
        kind=kind,
        language=chosen or get_settings().default_language,
        values=values,
        dedupe_key=dedupe_key,
    )
    if dedupe_key is None:
        session.add(message)
        session.flush()
        return message
    if _by_key(session, dedupe_key) is not None:
        return None
    # Two runs queueing the same key at once: the unique key lets one row in.
    kept = insert_once(session, message, find=lambda: _by_key(session, dedupe_key))
    return message if kept is message else None


def _by_key(session: Session, dedupe_key: str) -> OutboxMessage | None:
    return session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)).first()
