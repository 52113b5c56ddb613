"""Keyset pages of lists ordered by (created_at, id): the cursor is the last row's pair,
and the next page continues after it in the list's order (newest or oldest first)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from app.errors import InvalidInput


def keyset_cursor(created_at: datetime, row_id: uuid.UUID) -> str:
    return f"{created_at.isoformat()}_{row_id}"


def read_keyset_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The (created_at, id) a cursor names; 422 `bad_cursor` for anything else."""
    try:
        moment, _, raw = cursor.rpartition("_")
        created_at = datetime.fromisoformat(moment)
        if created_at.tzinfo is None:
            raise ValueError("a cursor carries its time zone")
        return created_at.astimezone(UTC), uuid.UUID(raw)
    except (ValueError, OverflowError) as exc:
        raise InvalidInput("bad_cursor", "The page cursor is not valid.") from exc
