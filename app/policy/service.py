"""The policy in force: read from the configured file, recorded once per version.

The file is validated when the app starts (an invalid file stops the start). Each distinct
file content is stored as a `PolicyVersion` row the first time it is used; a changed file
makes a new row and never rewrites an old one, so every check and decision can name the
exact rules it applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlmodel import Session, col, select

from app.config import get_settings
from app.db import insert_once
from app.policy.loader import load_policy_text, policy_fingerprint
from app.policy.models import PolicyVersion
from app.policy.schema import Policy


@dataclass(frozen=True)
class LoadedPolicy:
    policy: Policy
    text: str
    fingerprint: str
    source_name: str


@dataclass(frozen=True)
class ActivePolicy:
    """The policy in force together with its database record."""

    policy: Policy
    record: PolicyVersion


@lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int, size: int) -> LoadedPolicy:
    text = Path(path).read_text(encoding="utf-8")
    return LoadedPolicy(
        policy=load_policy_text(text, source=path),
        text=text,
        fingerprint=policy_fingerprint(text),
        source_name=Path(path).name,
    )


def load_configured(path: Path | None = None) -> LoadedPolicy:
    """Read and validate the policy file (cached until the file changes); PolicyError if bad."""
    target = Path(path or get_settings().policy_file)
    stat = target.stat()
    return _load(str(target), stat.st_mtime_ns, stat.st_size)


def record_version(*, session: Session, loaded: LoadedPolicy) -> PolicyVersion:
    existing = session.exec(
        select(PolicyVersion).where(PolicyVersion.fingerprint == loaded.fingerprint)
    ).first()
    if existing is not None:
        return existing
    record = PolicyVersion(
        version=loaded.policy.version,
        effective_date=loaded.policy.effective_date,
        municipality=loaded.policy.municipality.name,
        fingerprint=loaded.fingerprint,
        source_name=loaded.source_name,
        content=loaded.text,
    )
    # Another request may record the same file at the same moment.
    return insert_once(
        session,
        record,
        find=lambda: session.exec(
            select(PolicyVersion).where(PolicyVersion.fingerprint == loaded.fingerprint)
        ).first(),
    )


def current(*, session: Session) -> ActivePolicy:
    """The policy in force now, recorded in the database (flushed, committed by the caller)."""
    loaded = load_configured()
    return ActivePolicy(policy=loaded.policy, record=record_version(session=session, loaded=loaded))


def get_version(*, session: Session, version_id: object) -> PolicyVersion | None:
    return session.get(PolicyVersion, version_id)


def list_versions(*, session: Session) -> list[PolicyVersion]:
    return list(session.exec(select(PolicyVersion).order_by(col(PolicyVersion.loaded_at))).all())


def policy_of(record: PolicyVersion) -> Policy:
    """The rules of a stored version (for re-reading an old decision)."""
    return load_policy_text(record.content, source=f"policy version {record.version}")
