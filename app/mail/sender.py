"""Delivering the outbox over SMTP, step by step; `app/flows/mail.py` runs the steps and
commits between them, so no transaction stays open while a mail server is talked to.

1. `claim_due` takes the pending messages that are due, under a row lock (PostgreSQL:
   `FOR UPDATE SKIP LOCKED`, so a second sender takes other rows; SQLite: the write lock),
   counts an attempt and moves `next_attempt_at` a lease ahead: once that is committed,
   no other sender takes them until the lease has passed.
2. `prepare` makes the message (neutral subject and sender, text and HTML, no attachment).
3. `transmit` hands it to the mail server (smtplib), trying again a few times with backoff
   (tenacity) when the server cannot be reached or refuses.
4. `mark_sent`, or `mark_failed`: the message stays pending and is tried again after an
   exponential backoff, across runs, for as long as it takes. Mail is delayed, never lost.

A sender that crashes between handing a message over and recording it may send it once
more after the lease: the mail server was reached, the database was not.

Without SMTP_HOST nothing is sent; in development the due messages are recorded as sent
and shown to admins on `/dev/mail` instead (`make run` shows what would have been sent).
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from typing import Literal

from sqlmodel import Session, col, select
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from app.audit import service as audit
from app.config import Settings, get_settings
from app.mail.models import MailStatus, OutboxMessage
from app.mail.render import Rendered, render

LEASE = timedelta(minutes=15)
"""How long a claimed message is left to its sender (longer than the SMTP tries take)."""
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)

SEND_ERRORS = (smtplib.SMTPException, OSError)


@dataclass(frozen=True)
class Claim:
    id: uuid.UUID
    attempts: int


@dataclass(frozen=True)
class Outgoing:
    claim: Claim
    message: EmailMessage | None  # None: nobody to send it to (the account was removed)


def mode(settings: Settings | None = None) -> Literal["smtp", "dev", "off"]:
    """How mail leaves: over SMTP, onto the development page, or not at all (yet)."""
    settings = settings or get_settings()
    if settings.smtp_host:
        return "smtp"
    return "dev" if settings.app_env == "development" else "off"


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after `attempts` failed ones: 1, 2, 4 ... minutes,
    at most six hours."""
    return min(BACKOFF_FIRST * (2 ** max(0, attempts - 1)), BACKOFF_MAX)


def claim_due(session: Session, *, now: datetime, limit: int = 100) -> list[Claim]:
    """Take the due pending messages, oldest first, for one sender (see the module)."""
    rows = session.exec(
        select(OutboxMessage)
        .where(
            OutboxMessage.status == MailStatus.pending,
            col(OutboxMessage.next_attempt_at) <= now,
        )
        .order_by(col(OutboxMessage.next_attempt_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    claims = []
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + LEASE
        session.add(row)
        claims.append(Claim(row.id, row.attempts))
    session.flush()
    return claims


def _still_ours(session: Session, claim: Claim) -> OutboxMessage | None:
    row = session.get(OutboxMessage, claim.id, populate_existing=True)
    if row is None or row.status is not MailStatus.pending or row.attempts != claim.attempts:
        return None  # sent meanwhile, or taken by another sender after the lease
    return row


def rendered(message: OutboxMessage) -> Rendered:
    return render(kind=message.kind, language=message.language, values=message.values)


def prepare(
    session: Session,
    claim: Claim,
    *,
    address_of: Callable[[Session, uuid.UUID], str | None],
) -> Outgoing | None:
    """The e-mail of a claimed message (without one when there is nobody to send it to),
    or None when it is no longer ours to send."""
    row = _still_ours(session, claim)
    if row is None:
        return None
    address = row.to_address
    if address is None and row.to_user_id is not None:
        address = address_of(session, row.to_user_id)
    if not address:
        return Outgoing(claim, None)
    settings = get_settings()
    content = rendered(row)
    email = EmailMessage()
    email["From"] = formataddr((settings.municipality_name, settings.mail_from))
    email["To"] = address
    email["Subject"] = content.subject
    email["Date"] = formatdate(localtime=False)
    domain = settings.mail_from.rpartition("@")[2] or "localhost"
    email["Message-ID"] = make_msgid(domain=domain)
    email.set_content(content.text)
    email.add_alternative(content.html, subtype="html")
    return Outgoing(claim, email)


def smtp_send(message: EmailMessage, settings: Settings | None = None) -> None:
    """One conversation with SMTP_HOST: connect (TLS as SMTP_SECURITY says), log in when
    SMTP_USER is set, hand the message over."""
    settings = settings or get_settings()
    timeout = settings.smtp_timeout_seconds
    smtp: smtplib.SMTP
    if settings.smtp_security == "tls":
        smtp = smtplib.SMTP_SSL(
            settings.smtp_host,
            settings.smtp_port,
            timeout=timeout,
            context=ssl.create_default_context(),
        )
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
    with smtp:
        if settings.smtp_security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)


def transmit(
    message: EmailMessage,
    *,
    send: Callable[[EmailMessage], None] = smtp_send,
    tries: int = 3,
    wait_seconds: float = 1.0,
) -> None:
    """Hand the message over, trying again (with exponential waits) when the server cannot
    be reached or refuses it; the last error is raised."""
    for attempt in Retrying(
        stop=stop_after_attempt(tries),
        wait=wait_exponential(multiplier=wait_seconds, max=30 * wait_seconds),
        retry=retry_if_exception_type(SEND_ERRORS),
        reraise=True,
    ):
        with attempt:
            send(message)


def describe(exc: BaseException) -> str:
    """What went wrong, without personal data: the kind of error and the reply codes (a
    refusal's text may quote the address, so it is left out)."""
    codes: list[str] = []
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({str(code) for code, _ in exc.recipients.values()})
    elif isinstance(exc, smtplib.SMTPResponseException):
        codes = [str(exc.smtp_code)]
    return (type(exc).__name__ + (" " + ",".join(codes) if codes else ""))[:200]


def mark_sent(session: Session, claim: Claim, *, now: datetime, how: str = "smtp") -> bool:
    row = _still_ours(session, claim)
    if row is None:
        return False
    row.status = MailStatus.sent
    row.sent_at = now
    row.last_error = None
    session.add(row)
    audit.record(
        session,
        actor=None,
        action="mail.send",
        object_type="outbox_message",
        object_id=row.id,
        after={"kind": row.kind, "attempts": row.attempts, "via": how},
    )
    session.flush()
    return True


def mark_failed(session: Session, claim: Claim, *, now: datetime, error: str) -> None:
    """The message stays pending and is tried again after the backoff."""
    row = _still_ours(session, claim)
    if row is None:
        return
    row.last_error = error[:200]
    row.next_attempt_at = now + backoff(row.attempts)
    session.add(row)
    session.flush()


def delivered_here(session: Session, *, limit: int = 50) -> list[tuple[OutboxMessage, Rendered]]:
    """Development: the messages recorded as sent, newest first, as they would read."""
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.status == MailStatus.sent)
        .order_by(col(OutboxMessage.sent_at).desc())
        .limit(limit)
    ).all()
    return [(row, rendered(row)) for row in rows]
