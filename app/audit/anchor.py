"""Anchors of the audit trail outside its table.

The hash chain in `audit_event` shows a changed or removed row in the middle, but not a
removed tail, nor a chain rewritten from some row on and hashed again: both leave a
chain that is consistent in itself. An anchor fixes the chain's head at a moment (the
newest row's id and hash, and how many rows there were), signed with `AUDIT_ANCHOR_KEY`,
and is appended as one line to `AUDIT_ANCHOR_FILE` (never rewritten). Each anchor also
signs the previous anchor's signature, so a line removed from the middle of the file is
seen as well. `verify()` checks the rows against every anchor: a deleted tail (the
anchored row or rows before it missing) or a re-hashed chain (the anchored row's hash
differs) is reported.

The server writes an anchor when it starts and every `AUDIT_ANCHOR_INTERVAL_HOURS`;
`swl audit anchor` writes one on demand (e.g. from a daily timer). Keep a copy of the file
elsewhere (a backup, a second machine) for the strongest guarantee.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import make_url
from sqlmodel import Session, col, select

from app.audit.models import AuditEvent
from app.config import get_settings

GENESIS_SIGNATURE = "0" * 64


@dataclass(frozen=True)
class Anchor:
    last_id: int
    last_hash: str
    count: int
    at: str
    previous: str
    signature: str

    def body(self) -> dict[str, Any]:
        return {
            "last_id": self.last_id,
            "last_hash": self.last_hash,
            "count": self.count,
            "at": self.at,
            "previous": self.previous,
        }


@dataclass(frozen=True)
class AnchorReport:
    anchors: int
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _key() -> bytes:
    settings = get_settings()
    secret = settings.audit_anchor_key or settings.secret_key
    return hmac.new(secret.encode(), b"swl-audit-anchor", hashlib.sha256).digest()


def _sign(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hmac.new(_key(), canonical.encode(), hashlib.sha256).hexdigest()


def anchor_file() -> Path:
    """AUDIT_ANCHOR_FILE, or a file in DATA_DIR named after the database (its URL without
    the password), so the anchors of two databases never mix."""
    settings = get_settings()
    if settings.audit_anchor_file:
        return settings.audit_anchor_file
    url = make_url(settings.database_url).render_as_string(hide_password=True)
    database = hashlib.sha256(url.encode()).hexdigest()[:12]
    return settings.data_dir / f"audit-anchors-{database}.jsonl"


def read_anchors(path: Path | None = None) -> list[Anchor]:
    target = path or anchor_file()
    if not target.exists():
        return []
    anchors = []
    for line in target.read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            anchors.append(Anchor(**data))
    return anchors


def write_anchor(session: Session, path: Path | None = None) -> Anchor | None:
    """Append an anchor of the chain's current head; None while the trail is empty."""
    target = path or anchor_file()
    newest = session.exec(
        select(AuditEvent.id, AuditEvent.hash).order_by(col(AuditEvent.id).desc()).limit(1)
    ).first()
    if newest is None or newest[0] is None:
        return None
    last_id, last_hash = newest
    count = session.exec(
        select(func.count()).select_from(AuditEvent).where(col(AuditEvent.id) <= last_id)
    ).one()
    existing = read_anchors(target)
    unsigned = Anchor(
        last_id=last_id,
        last_hash=last_hash,
        count=count,
        at=datetime.now(UTC).isoformat(timespec="seconds"),
        previous=existing[-1].signature if existing else GENESIS_SIGNATURE,
        signature="",
    )
    anchor = replace(unsigned, signature=_sign(unsigned.body()))
    target.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({**anchor.body(), "signature": anchor.signature}) + "\n"
    # O_APPEND: one write of one line, never a rewrite of what is there.
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return anchor


def verify(session: Session, path: Path | None = None) -> AnchorReport:
    """Check the anchors' signatures and order, then the rows against each anchor."""
    try:
        anchors = read_anchors(path)
    except (ValueError, TypeError) as exc:
        return AnchorReport(0, f"the anchor file cannot be read ({exc.__class__.__name__})")
    previous = GENESIS_SIGNATURE
    for number, anchor in enumerate(anchors, start=1):
        if not hmac.compare_digest(anchor.signature, _sign(anchor.body())):
            return AnchorReport(len(anchors), f"anchor {number} has a wrong signature")
        if anchor.previous != previous:
            return AnchorReport(len(anchors), f"an anchor before anchor {number} is missing")
        previous = anchor.signature
        row_hash = session.exec(
            select(AuditEvent.hash).where(AuditEvent.id == anchor.last_id)
        ).first()
        if row_hash is None:
            return AnchorReport(
                len(anchors),
                f"event {anchor.last_id}, anchored on {anchor.at}, is missing: the end of "
                "the trail was deleted",
            )
        if row_hash != anchor.last_hash:
            return AnchorReport(
                len(anchors),
                f"event {anchor.last_id} does not have the hash anchored on {anchor.at}: the "
                "trail was rewritten",
            )
        count = session.exec(
            select(func.count()).select_from(AuditEvent).where(col(AuditEvent.id) <= anchor.last_id)
        ).one()
        if count != anchor.count:
            return AnchorReport(
                len(anchors),
                f"{anchor.count - count} events up to event {anchor.last_id} (anchored on "
                f"{anchor.at}) are missing",
            )
    return AnchorReport(len(anchors))
