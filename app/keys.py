"""Key rotation: re-encrypt every encrypted column and rewrap every stored file's data key
under the first FIELD_ENCRYPTION_KEY, in batches, each its own short transaction, so the
service keeps running (old keys still decrypt what is not done yet) and a rotation that
is stopped half-way is simply run again.

How to rotate: put the new key first in FIELD_ENCRYPTION_KEY ("new,old"), set LOOKUP_KEY to
the old key if it is not set yet, restart, run `swl keys rotate`, then remove the old key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Column, Engine, Table, Text, select, type_coerce, update
from sqlmodel import Session, SQLModel

from app import crypto
from app.audit import service as audit
from app.documents.store import get_store

AREAS = ("documents", "photos")


@dataclass
class RotationReport:
    values: dict[str, int] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)
    unreadable_files: list[str] = field(default_factory=list)


def encrypted_columns() -> list[tuple[Table, Column[object]]]:
    """Every column stored encrypted, found from the tables themselves."""
    import app.models  # noqa: F401 - every table registered

    return [
        (table, column)
        for table in SQLModel.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, crypto.EncryptedJSON)
    ]


def rotate(
    engine: Engine, *, batch_size: int = 500, progress: Callable[[str, int], None] | None = None
) -> RotationReport:
    report = RotationReport()
    for table, column in encrypted_columns():
        name = f"{table.name}.{column.name}"
        report.values[name] = _rotate_column(engine, table, column, batch_size)
        if progress:
            progress(name, report.values[name])
    for area in AREAS:
        store = get_store(area)
        done = 0
        for key in list(store.keys()):
            try:
                done += store.reseal(key)
            except ValueError:  # sealed under a key that is no longer configured
                report.unreadable_files.append(f"{area}/{key}")
        report.files[area] = done
        if progress:
            progress(f"files/{area}", done)
    with Session(engine) as session:
        audit.record(
            session,
            actor=None,
            action="keys.rotate",
            object_type="keys",
            after={
                "values": sum(report.values.values()),
                "files": sum(report.files.values()),
                "unreadable_files": len(report.unreadable_files),
            },
        )
        session.commit()
    return report


def _rotate_column(engine: Engine, table: Table, column: Column[object], batch_size: int) -> int:
    key = table.primary_key.columns.values()[0]
    raw = type_coerce(column, Text)
    done = 0
    after = None
    while True:
        with engine.begin() as connection:
            query = select(key, raw).order_by(key).limit(batch_size)
            if after is not None:
                query = query.where(key > after)
            rows = connection.execute(query).all()
            for row_key, token in rows:
                if token is None:
                    continue
                connection.execute(
                    update(table)
                    .where(key == row_key)
                    .values({column.name: type_coerce(crypto.rotate_token(token), Text)})
                )
                done += 1
        if len(rows) < batch_size:
            return done
        after = rows[-1][0]
