"""Reading one object: check the reader may see it, audit a staff read; one helper for
every domain.

Missing and not-yours answer the same (`NotFound`), so an id tells nobody whether the
object exists. A person reading their own file is not audited; anyone else's read is, in
the caller's transaction (the caller commits).
"""

from __future__ import annotations

import uuid
from typing import Any, Protocol, TypeVar

from sqlmodel import Session

from app.audit import service as audit
from app.auth.models import User
from app.auth.permissions import ObjectKind, can_read
from app.errors import NotFound


class HasId(Protocol):
    id: uuid.UUID


T = TypeVar("T", bound=HasId)


def read(
    session: Session,
    found: T | None,
    *,
    actor: User,
    kind: ObjectKind,
    owner_id: uuid.UUID | None,
    object_type: str,
    action: str | None = None,
    audited: bool = True,
    after: dict[str, Any] | None = None,
) -> T:
    """`found` when `actor` may read it (NotFound otherwise); a read by anyone but its
    owner is audited as `action` (default "<object_type>.read") unless `audited` is False
    because the caller audits the read itself."""
    if found is None or not can_read(actor, kind, owner_id):
        raise NotFound(object_type.replace("_", " "))
    if audited and owner_id != actor.id:
        audit.record(
            session,
            actor=actor,
            action=action or f"{object_type}.read",
            object_type=object_type,
            object_id=found.id,
            after=after,
        )
    return found
