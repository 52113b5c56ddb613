"""Loading a BRP extract into the local address register (`swl residents import FILE`).

The file is CSV (UTF-8, comma-separated, a header row) with the columns

    bsn, postcode, huisnummer, huisletter, huisnummertoevoeging, datum_aanvang

(`huisletter` and `huisnummertoevoeging` may be empty; `datum_aanvang` is the day the
person was registered at the address, YYYY-MM-DD). An import is all or nothing: every bad
row is reported as `FILE:LINE: message` and then nothing changes. A good file replaces the
previous extract; the report says how many people moved in (new at an address) and out
(no longer at the address they had). Nothing here commits.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, delete, select

from app.addresses import service as addresses_service
from app.addresses.models import Resident
from app.addresses.parse import parse
from app.addresses.register import bsn_hash, valid_bsn
from app.db import utcnow
from app.errors import InvalidInput

COLUMNS = ("bsn", "postcode", "huisnummer", "huisletter", "huisnummertoevoeging", "datum_aanvang")


@dataclass(frozen=True)
class Row:
    bsn_hash: str
    postcode: str
    house: str
    since: date


@dataclass
class ImportReport:
    people: int = 0
    moved_in: int = 0
    moved_out: int = 0


def read(text: str, *, name: str) -> list[Row]:
    """The file's rows, or InvalidInput listing every bad one as `NAME:LINE: message`."""
    problems: list[str] = []
    rows: list[Row] = []
    seen: dict[str, int] = {}
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InvalidInput(
            "bad_extract",
            f"{name}:1: the header lacks {', '.join(missing)} (expected {', '.join(COLUMNS)})",
            problems=[f"{name}:1: missing columns {', '.join(missing)}"],
        )
    reader.fieldnames = header
    for record in reader:
        line = reader.line_num
        values = {k: (v or "").strip() for k, v in record.items() if k is not None}
        try:
            bsn = valid_bsn(values["bsn"])
        except InvalidInput:
            # The value is not repeated: a mistyped BSN is usually one digit off a real one.
            problems.append(f"{name}:{line}: the bsn fails the eleven-test")
            continue
        house = values["huisnummer"] + values["huisletter"]
        if values["huisnummertoevoeging"]:
            house += "-" + values["huisnummertoevoeging"]
        try:
            parse(values["postcode"], house)
        except ValueError as exc:
            problems.append(f"{name}:{line}: {exc}")
            continue
        try:
            since = date.fromisoformat(values["datum_aanvang"])
        except ValueError:
            problems.append(f"{name}:{line}: datum_aanvang must be a date like 2024-03-01")
            continue
        hashed = bsn_hash(bsn)
        if hashed in seen:
            problems.append(f"{name}:{line}: the same bsn as line {seen[hashed]}")
            continue
        seen[hashed] = line
        rows.append(Row(hashed, values["postcode"], house, since))
    if problems:
        raise InvalidInput(
            "bad_extract",
            f"{len(problems)} bad rows in {name}; nothing was imported.",
            problems=problems,
        )
    return rows


def replace_all(*, session: Session, rows: list[Row]) -> ImportReport:
    """Replace the register with these rows (in the caller's transaction)."""
    before = {r.bsn_hash: r.address_id for r in session.exec(select(Resident)).all()}
    report = ImportReport(people=len(rows))
    session.exec(delete(Resident))
    now = utcnow()
    kept: dict[str, uuid.UUID] = {}
    for row in rows:
        address = addresses_service.get_or_create(
            session=session, parts=parse(row.postcode, row.house)
        )
        kept[row.bsn_hash] = address.id
        session.add(
            Resident(
                bsn_hash=row.bsn_hash,
                address_id=address.id,
                registered_since=row.since,
                imported_at=now,
            )
        )
        if before.get(row.bsn_hash) != address.id:
            report.moved_in += 1
    for hashed, old_address in before.items():
        if kept.get(hashed) != old_address:
            report.moved_out += 1
    session.flush()
    return report
