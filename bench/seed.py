"""Seed a benchmark database through the project's own models, in bulk.

Run by `bench/load.py` as a subprocess, with DATABASE_URL, DATA_DIR and the keys already in
the environment (the service reads the same ones). Three commands:

    seed     migrate, then load N permits (with their approved applications, checks, uploads
             and history) and M applications waiting in the clerk's queue, plus accounts
    prepare  migrate (picks up new indexes on a reused seed), remove what earlier load runs
             added, and make D complete drafts for the submit benchmark; writes a JSON file
             with the accounts, permit numbers and draft ids the load runs use
    drafts   make more complete drafts during a run (when submits outran the prepared ones)

Rows are built as dictionaries of the models' columns and inserted with `insert(Model)` in
batches, so SQLAlchemy applies the models' own column types (encrypted details, UTC
timestamps, enums, JSON). Values follow what the services store: check results come from
the policy evaluator (`evaluate_application`) exactly as `submit` and `approve` store them,
deadlines from the policy's decision period, permit validity from `validity_months`.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, func, insert, select  # noqa: E402
from sqlmodel import Session, SQLModel, col  # noqa: E402

from app.addresses.models import Address  # noqa: E402
from app.addresses.parse import AddressParts  # noqa: E402
from app.addresses.parse import parse as address_parse  # noqa: E402
from app.addresses.service import parts_of as address_parts_of  # noqa: E402
from app.applications.models import (  # noqa: E402
    Application,
    ApplicationCheck,
    ApplicationDocument,
    ApplicationStatus,
    ApplicationStatusChange,
)
from app.audit import service as audit  # noqa: E402
from app.auth.models import Role, User, email_lookup  # noqa: E402
from app.auth.security import hash_password  # noqa: E402
from app.config import get_settings  # noqa: E402
from app.db import get_engine, local_today, utcnow  # noqa: E402
from app.documents.models import Document, DocumentKind, SubjectType  # noqa: E402
from app.documents.store import get_store  # noqa: E402
from app.migrations import upgrade  # noqa: E402
from app.permits import numbers  # noqa: E402
from app.permits.models import Permit, PermitStatus  # noqa: E402
from app.policy import service as policy_service  # noqa: E402
from app.policy.evaluate import (  # noqa: E402
    ApplicationFacts,
    CheckResult,
    add_months,
    evaluate_application,
    validity_months,
)
from app.policy.schema import Policy  # noqa: E402

SEED_VERSION = 2  # 2: accounts have confirmed addresses
"""Bump when the shape of the seeded data changes: cached seeds of another version are
rebuilt."""

PASSWORD = "bench-password-not-secret"
"""Every seeded account's password (one Argon2 hash, computed once)."""

EMAIL_DOMAIN = "bench.example.org"
LOAD_PREFIX = "load-"
"""Accounts whose applications the load runs create; `prepare` removes those applications."""

CLERKS = 4
SUBMITTERS = 20
CREATORS = 20
BATCH = 2000

# A minimal valid PDF, the bytes every seeded upload points at (stored once, by hash).
PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"

FIRST_NAMES = ["Anna", "Eva", "Maria", "Sofia", "Lena", "Nina", "Sara", "Julia", "Lisa", "Emma"]
LAST_NAMES = ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "de Boer"]
WORKING_NAMES = ["Roos", "Lila", "Jade", "Amber", "Luna", "Iris", "Fleur", "Noor", "Bo", "Kiki"]
# Permit types in the proportions a municipality sees them (mostly individual permits).
TYPE_WEIGHTS = {"sex_worker": 85, "sex_business": 10, "escort_business": 5}


# ---- helpers ------------------------------------------------------------------------------


def batched(rows: Iterable[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Loader:
    """Collects rows per model and inserts them in batches, in foreign-key order."""

    ORDER: tuple[type[SQLModel], ...] = (
        Address,
        User,
        Application,
        ApplicationDocument,
        ApplicationCheck,
        ApplicationStatusChange,
        Permit,
    )

    def __init__(self, session: Session) -> None:
        self.session = session
        self.rows: dict[type[SQLModel], list[dict[str, Any]]] = {m: [] for m in self.ORDER}
        self.counts: dict[str, int] = {}
        # One row per address, across every batch and earlier seeds of this database.
        self.addresses: dict[AddressParts, uuid.UUID] = {
            address_parts_of(a): a.id for a in session.exec(select(Address)).all()
        }

    def address_id(self, postcode: str, house_number: str) -> uuid.UUID:
        parts = address_parse(postcode, house_number)
        if parts not in self.addresses:
            self.addresses[parts] = uuid.uuid4()
            self.add(
                Address,
                {
                    "id": self.addresses[parts],
                    "postcode": parts.postcode,
                    "house_number": parts.house_number,
                    "house_letter": parts.house_letter,
                    "addition": parts.addition,
                    "created_at": utcnow(),
                },
            )
        return self.addresses[parts]

    def add(self, model: type[SQLModel], row: dict[str, Any]) -> None:
        self.rows[model].append(row)

    def flush(self) -> None:
        for model in self.ORDER:
            rows = self.rows[model]
            table = model.__table__  # type: ignore[attr-defined]
            for chunk in batched(rows):
                # Core executemany on the model's table: its column types still apply.
                self.session.connection().execute(insert(table), chunk)
            name = model.__tablename__  # type: ignore[attr-defined]
            self.counts[name] = self.counts.get(name, 0) + len(rows)
            rows.clear()
        self.session.commit()


def at_local(day: date, hour: int, rng: random.Random) -> datetime:
    """A moment on a local working day, as an aware UTC datetime (as the services store)."""
    zone = ZoneInfo(get_settings().timezone)
    moment = datetime.combine(day, dtime(hour, rng.randrange(60), rng.randrange(60)), zone)
    return moment.astimezone(UTC)


def birth_date(rng: random.Random, today: date, age: int) -> date:
    return add_months(today, -12 * age) - timedelta(days=rng.randrange(1, 360))


def pick_type(rng: random.Random) -> str:
    return rng.choices(list(TYPE_WEIGHTS), weights=list(TYPE_WEIGHTS.values()))[0]


def details_for(permit_type: str, policy: Policy, rng: random.Random, born: date) -> dict[str, Any]:
    """The fields the policy asks for this type, filled in as the service keeps them."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    house = f"{rng.randrange(1, 300)}"
    values: dict[str, Any] = {
        "working_name": f"{rng.choice(WORKING_NAMES)} {rng.randrange(1000)}",
        "legal_name": f"{first} {last}",
        "birth_date": born.isoformat(),
        "email": f"{first.lower()}.{rng.randrange(10**6)}@mail.example.org",
        "phone": f"+31 6 {rng.randrange(10**7, 10**8)}",
        "business_name": f"Huis {rng.choice(WORKING_NAMES)} {rng.randrange(1000)}",
        "business_address_postcode": f"50{rng.randrange(10, 99)} {rng.choice('ABCDEFGH')}"
        f"{rng.choice('KLMNPRST')}",
        "business_address_house_number": house,
        "kvk_number": f"{rng.randrange(10**7, 10**8)}",
        "description": "Een klein bedrijf met twee kamers, open van 12 tot 24 uur.",
    }
    spec = policy.permit_types[permit_type]
    return {name: values[name] for name in spec.required_fields}


def user_row(email: str, role: Role, password_hash: str, created: datetime) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "email": email,
        "email_hash": email_lookup(email),  # bulk inserts skip the model's event
        "password_hash": password_hash,
        "role": role,
        "language": "en" if hash(email) % 5 == 0 else "nl",
        "is_active": True,
        "created_at": created,
        "updated_at": created,
        "email_confirmed_at": created,  # confirmed accounts: they log in
    }


def check_rows(
    application_id: uuid.UUID,
    results: list[CheckResult],
    *,
    stage: str,
    policy_version_id: uuid.UUID,
    at: datetime,
) -> Iterator[dict[str, Any]]:
    """Check results as `store_checks` stores them: one row per rule, one evaluated_at."""
    for result in results:
        yield {
            "id": uuid.uuid4(),
            "application_id": application_id,
            "policy_version_id": policy_version_id,
            "stage": stage,
            "rule_id": result.rule_id,
            "passed": result.passed,
            "severity": result.severity,
            "message_nl": result.message_nl,
            "message_en": result.message_en,
            "reference": result.reference,
            "details": dict(result.details),
            "evaluated_at": at,
        }


def history_row(
    application_id: uuid.UUID,
    previous: ApplicationStatus | None,
    target: ApplicationStatus,
    at: datetime,
    by_role: str = "applicant",
    reason: str | None = None,
) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "application_id": application_id,
        "from_status": previous,
        "to_status": target,
        "reason": reason,
        "by_role": by_role,
        "occurred_at": at,
    }


def document_rows(
    application_id: uuid.UUID, kinds: Iterable[str], sha256: str, at: datetime
) -> Iterator[dict[str, Any]]:
    for kind in kinds:
        yield {
            "id": uuid.uuid4(),
            "application_id": application_id,
            "kind": kind,
            "filename": f"{kind}.pdf",
            "content_type": "application/pdf",
            "size_bytes": len(PDF_BYTES),
            "sha256": sha256,
            "uploaded_at": at,
        }


def application_row(
    *,
    applicant_id: uuid.UUID,
    permit_type: str,
    status: ApplicationStatus,
    details: dict[str, Any],
    created: datetime,
    updated: datetime,
    version: int,
    **extra: Any,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": uuid.uuid4(),
        "applicant_id": applicant_id,
        "permit_type": permit_type,
        "status": status,
        "working_name": details.get("working_name") or details.get("business_name"),
        "details": details,
        "renewal_of_id": None,
        "policy_version_id": None,
        "submitted_at": None,
        "decision_due": None,
        "paused_at": None,
        "extended_at": None,
        "information_request": None,
        "decided_at": None,
        "decision_reason": None,
        "cited_rules": [],
        "erased_at": None,
        "version": version,
        "created_at": created,
        "updated_at": updated,
    }
    row.update(extra)
    return row


def facts(
    policy: Policy, permit_type: str, details: dict[str, Any], on: date, kinds: Iterable[str]
) -> ApplicationFacts:
    provided = {k for k, v in details.items() if v not in (None, "")}
    born = details.get("birth_date")
    return ApplicationFacts(
        permit_type=permit_type,
        on=on,
        birth_date=date.fromisoformat(born) if born else None,
        provided_fields=frozenset(provided),
        provided_documents=frozenset(kinds),
        active_permits_of_type=0,  # every type of the default policy is uncapped
    )


# ---- the seed -----------------------------------------------------------------------------


def seed(permits: int, queue: int, rng_seed: int) -> dict[str, Any]:
    """Migrate and load the data. Returns what was made (counts and timings)."""
    started = time.perf_counter()
    upgrade()
    engine = get_engine()
    rng = random.Random(rng_seed)
    sha256 = get_store().put(PDF_BYTES)
    password_hash = hash_password(PASSWORD)
    with Session(engine) as session:
        if session.execute(select(func.count()).select_from(Permit)).scalar_one():
            raise SystemExit("the database already holds permits; seed an empty database")
        active = policy_service.current(session=session)
        session.commit()
        policy, version_id = active.policy, active.record.id
        today = local_today()
        now = utcnow()
        loader = Loader(session)
        past = now - timedelta(days=1200)
        for i in range(CLERKS):
            loader.add(User, user_row(f"clerk-{i}@{EMAIL_DOMAIN}", Role.clerk, password_hash, past))
        for prefix, count in (("submit", SUBMITTERS), ("create", CREATORS)):
            for i in range(count):
                email = f"{LOAD_PREFIX}{prefix}-{i}@{EMAIL_DOMAIN}"
                loader.add(User, user_row(email, Role.applicant, password_hash, past))
        loader.flush()

        used_numbers: set[str] = set()
        for start in range(0, permits, BATCH * 2):
            for _ in range(start, min(permits, start + BATCH * 2)):
                _permit(loader, policy, version_id, rng, today, sha256, password_hash, used_numbers)
            loader.flush()
        for start in range(0, queue, BATCH * 2):
            for _ in range(start, min(queue, start + BATCH * 2)):
                _queued(loader, policy, version_id, rng, today, now, sha256, password_hash)
            loader.flush()
        # Drafts applicants are still filling in (no documents yet): a fifth of the queue.
        for _ in range(queue // 5):
            _draft(loader, policy, rng, now, password_hash)
        loader.flush()
        # The seed itself is on the audit trail, so the hash chain stays whole and verifiable.
        audit.record(
            session,
            actor=None,
            action="bench.seed",
            object_type="database",
            after={"permits": permits, "queue": queue, "seed_version": SEED_VERSION},
        )
        session.commit()
        counts = loader.counts
    analyze(engine)
    return {"seconds": round(time.perf_counter() - started, 1), "rows": counts}


def _permit(
    loader: Loader,
    policy: Policy,
    version_id: uuid.UUID,
    rng: random.Random,
    today: date,
    sha256: str,
    password_hash: str,
    used_numbers: set[str],
) -> None:
    """A holder, the approved application and its permit: active (some expired by date),
    suspended or revoked, issued over the last few years."""
    permit_type = pick_type(rng)
    spec = policy.permit_types[permit_type]
    age = rng.choice([18, 19, 20]) if rng.random() < 0.08 else rng.randrange(21, 62)
    born = birth_date(rng, today, age)
    valid_from = today - timedelta(days=rng.randrange(0, spec.validity_months * 31 + 240))
    decided = at_local(valid_from, rng.randrange(9, 17), rng)
    submitted_day = valid_from - timedelta(days=rng.randrange(5, 50))
    submitted = at_local(submitted_day, rng.randrange(8, 22), rng)
    created = submitted - timedelta(days=rng.randrange(0, 10), minutes=rng.randrange(600))
    holder = user_row(f"holder-{uuid.uuid4().hex[:16]}@{EMAIL_DOMAIN}", Role.applicant,
                      password_hash, created)  # fmt: skip
    loader.add(User, holder)
    details = details_for(permit_type, policy, rng, born)
    months = validity_months(policy, permit_type, born, valid_from)
    app_row = application_row(
        applicant_id=holder["id"],
        permit_type=permit_type,
        status=ApplicationStatus.approved,
        details=details,
        created=created,
        updated=decided,
        version=4 + len(spec.required_documents),
        policy_version_id=version_id,
        submitted_at=submitted,
        decision_due=submitted_day + timedelta(days=policy.decision.period_days),
        decided_at=decided,
    )
    loader.add(Application, app_row)
    kinds = spec.required_documents
    for row in document_rows(app_row["id"], kinds, sha256, created + timedelta(minutes=5)):
        loader.add(ApplicationDocument, row)
    for stage, on, at in (
        ("submission", submitted_day, submitted),
        ("approval", valid_from, decided),
    ):
        results = evaluate_application(policy, facts(policy, permit_type, details, on, kinds))
        for row in check_rows(
            app_row["id"], results, stage=stage, policy_version_id=version_id, at=at
        ):
            loader.add(ApplicationCheck, row)
    review = submitted + timedelta(days=rng.randrange(1, 5))
    for previous, target, at, role in (
        (None, ApplicationStatus.draft, created, "applicant"),
        (ApplicationStatus.draft, ApplicationStatus.submitted, submitted, "applicant"),
        (ApplicationStatus.submitted, ApplicationStatus.in_review, review, "clerk"),
        (ApplicationStatus.in_review, ApplicationStatus.approved, decided, "clerk"),
    ):
        loader.add(ApplicationStatusChange, history_row(app_row["id"], previous, target, at, role))
    number = numbers.generate()
    while number in used_numbers:
        number = numbers.generate()
    used_numbers.add(number)
    status, reason, version, updated = PermitStatus.active, None, 1, decided
    roll = rng.random()
    if roll < 0.03:
        status, reason = PermitStatus.revoked, "Werkzaam buiten een vergunde locatie."
    elif roll < 0.07:
        status, reason = PermitStatus.suspended, "Lopend onderzoek naar signalen van dwang."
    if status is not PermitStatus.active:
        version, updated = 2, decided + timedelta(days=rng.randrange(10, 300))
    address_id = None
    if spec.permit_shows_address:
        address_id = loader.address_id(
            details["business_address_postcode"], details["business_address_house_number"]
        )
    loader.add(
        Permit,
        {
            "id": uuid.uuid4(),
            "number": number,
            "application_id": app_row["id"],
            "holder_id": holder["id"],
            "permit_type": permit_type,
            "working_name": app_row["working_name"] or "",
            "address_id": address_id,
            "valid_from": valid_from,
            "valid_until": add_months(valid_from, months) - timedelta(days=1),
            "status": status,
            "status_reason": reason,
            "conditions_nl": list(spec.conditions_nl),
            "conditions_en": list(spec.conditions_en),
            "policy_version_id": version_id,
            "renewal_of_id": None,
            "version": version,
            "created_at": decided,
            "updated_at": updated,
        },
    )


def _queued(
    loader: Loader,
    policy: Policy,
    version_id: uuid.UUID,
    rng: random.Random,
    today: date,
    now: datetime,
    sha256: str,
    password_hash: str,
) -> None:
    """An application in the clerk's queue: submitted, in review or waiting for information;
    submitted over the last 80 days (so some are overdue); a few fail the age rule."""
    permit_type = pick_type(rng)
    spec = policy.permit_types[permit_type]
    age = 17 if rng.random() < 0.03 else rng.randrange(18, 62)
    born = birth_date(rng, today, age)
    submitted_day = today - timedelta(days=rng.randrange(0, 80))
    submitted = at_local(submitted_day, rng.randrange(8, 22), rng)
    created = submitted - timedelta(days=rng.randrange(0, 7), minutes=rng.randrange(600))
    applicant = user_row(f"applicant-{uuid.uuid4().hex[:16]}@{EMAIL_DOMAIN}", Role.applicant,
                         password_hash, created)  # fmt: skip
    loader.add(User, applicant)
    details = details_for(permit_type, policy, rng, born)
    kinds = spec.required_documents
    roll = rng.random()
    status = ApplicationStatus.submitted
    if roll < 0.10:
        status = ApplicationStatus.information_requested
    elif roll < 0.40:
        status = ApplicationStatus.in_review
    history = [
        (None, ApplicationStatus.draft, created, "applicant", None),
        (ApplicationStatus.draft, ApplicationStatus.submitted, submitted, "applicant", None),
    ]
    extra: dict[str, Any] = {}
    last = submitted
    if status is not ApplicationStatus.submitted:
        last = min(now, submitted + timedelta(days=rng.randrange(1, 10)))
        history.append(
            (ApplicationStatus.submitted, ApplicationStatus.in_review, last, "clerk", None)
        )
    if status is ApplicationStatus.information_requested:
        request = "Stuur een leesbare kopie van uw identiteitsbewijs."
        last = min(now, last + timedelta(days=1))
        history.append((ApplicationStatus.in_review, status, last, "clerk", request))
        extra = {"paused_at": last, "information_request": request}
    app_row = application_row(
        applicant_id=applicant["id"],
        permit_type=permit_type,
        status=status,
        details=details,
        created=created,
        updated=last,
        version=3 + len(kinds) + len(history) - 2,
        policy_version_id=version_id,
        submitted_at=submitted,
        decision_due=submitted_day + timedelta(days=policy.decision.period_days),
        **extra,
    )
    loader.add(Application, app_row)
    for row in document_rows(app_row["id"], kinds, sha256, created + timedelta(minutes=5)):
        loader.add(ApplicationDocument, row)
    results = evaluate_application(
        policy, facts(policy, permit_type, details, submitted_day, kinds)
    )
    for row in check_rows(
        app_row["id"], results, stage="submission", policy_version_id=version_id, at=submitted
    ):
        loader.add(ApplicationCheck, row)
    for previous, target, at, role, reason in history:
        loader.add(
            ApplicationStatusChange, history_row(app_row["id"], previous, target, at, role, reason)
        )


def _draft(
    loader: Loader, policy: Policy, rng: random.Random, now: datetime, password_hash: str
) -> None:
    """A draft being filled in: some fields, no documents, never submitted."""
    permit_type = pick_type(rng)
    created = now - timedelta(days=rng.randrange(0, 60), minutes=rng.randrange(1440))
    applicant = user_row(f"drafter-{uuid.uuid4().hex[:16]}@{EMAIL_DOMAIN}", Role.applicant,
                         password_hash, created)  # fmt: skip
    loader.add(User, applicant)
    details = details_for(permit_type, policy, rng, birth_date(rng, now.date(), 30))
    details = dict(list(details.items())[: rng.randrange(1, len(details) + 1)])
    row = application_row(
        applicant_id=applicant["id"],
        permit_type=permit_type,
        status=ApplicationStatus.draft,
        details=details,
        created=created,
        updated=created,
        version=2,
    )
    loader.add(Application, row)
    loader.add(
        ApplicationStatusChange, history_row(row["id"], None, ApplicationStatus.draft, created)
    )


def analyze(engine: Any) -> None:
    """PostgreSQL: refresh the planner's statistics after a bulk load, as autovacuum would
    soon do in production. (SQLite keeps none unless ANALYZE is run, and the service does
    not run it, so a SQLite seed is left as a deployment would have it.)"""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")


# ---- preparing a (reused) seed for a load run ---------------------------------------------


def load_account_ids(session: Session, kind: str) -> list[tuple[uuid.UUID, str]]:
    pattern = f"{LOAD_PREFIX}{kind}-%@{EMAIL_DOMAIN}"
    rows = session.execute(
        select(User.id, User.email).where(col(User.email).like(pattern)).order_by(col(User.email))
    ).all()
    return [(row[0], row[1]) for row in rows]


def reset_load_rows(session: Session) -> int:
    """Remove the applications earlier load runs made (drafts created, drafts submitted),
    so every run starts from the same queue. Their audit events stay: the trail is
    append-only."""
    owners = select(User.id).where(col(User.email).like(f"{LOAD_PREFIX}%@{EMAIL_DOMAIN}"))
    ids = select(Application.id).where(col(Application.applicant_id).in_(owners))
    removed = 0
    for model in (ApplicationCheck, ApplicationDocument, ApplicationStatusChange):
        session.execute(delete(model).where(col(model.application_id).in_(ids)))  # type: ignore[attr-defined]
    removed = session.execute(
        delete(Application).where(col(Application.applicant_id).in_(owners))
    ).rowcount  # type: ignore[attr-defined]
    session.commit()
    return int(removed or 0)


def make_drafts(session: Session, count: int, rng: random.Random) -> list[dict[str, str]]:
    """Complete drafts (every field and required document of a sex-worker permit), spread
    over the submit accounts; each can be submitted once."""
    policy = policy_service.load_configured().policy
    sha256 = get_store().put(PDF_BYTES)
    owners = load_account_ids(session, "submit")
    if not owners:
        raise SystemExit("no submit accounts: seed the database first")
    now, today = utcnow(), local_today()
    kinds = policy.permit_types["sex_worker"].required_documents
    loader = Loader(session)
    made: list[dict[str, str]] = []
    for i in range(count):
        owner_id, email = owners[i % len(owners)]
        details = details_for(
            "sex_worker", policy, rng, birth_date(rng, today, rng.randrange(21, 50))
        )
        row = application_row(
            applicant_id=owner_id,
            permit_type="sex_worker",
            status=ApplicationStatus.draft,
            details=details,
            created=now,
            updated=now,
            version=1 + len(kinds),
        )
        loader.add(Application, row)
        for doc in document_rows(row["id"], kinds, sha256, now):
            loader.add(ApplicationDocument, doc)
        loader.add(
            ApplicationStatusChange, history_row(row["id"], None, ApplicationStatus.draft, now)
        )
        made.append({"id": str(row["id"]), "email": email})
        if len(loader.rows[Application]) >= BATCH:
            loader.flush()
    loader.flush()
    return made


def prepare(drafts: int, samples: int, pdf_permits: int, rng_seed: int) -> dict[str, Any]:
    """Everything a load run needs, as JSON-able data."""
    started = time.perf_counter()
    upgrade()
    rng = random.Random(rng_seed)
    with Session(get_engine()) as session:
        removed = reset_load_rows(session)
        made = make_drafts(session, drafts, rng) if drafts else []
        analyze(get_engine())
        total = session.execute(select(func.count()).select_from(Permit)).scalar_one()
        # Permit numbers for the public check: a random sample of every status.
        step = max(1, total // max(samples, 1))
        sample = [
            n
            for (n,) in session.execute(
                select(Permit.number).order_by(col(Permit.number)).offset(rng.randrange(step))
            ).all()[::step][:samples]
        ]
        # Permits whose PDF was never made: their first download renders it.
        rendered = select(Document.subject_id).where(
            Document.subject_type == SubjectType.permit, Document.kind == DocumentKind.permit
        )
        never = session.execute(
            select(Permit.number, User.email)
            .join(User, col(User.id) == col(Permit.holder_id))
            .where(col(Permit.id).not_in(rendered), Permit.status == PermitStatus.active)
            .limit(pdf_permits)
        ).all()
        clerks = session.execute(
            select(User.email).where(User.role == Role.clerk).order_by(col(User.email))
        ).all()
        return {
            "seconds": round(time.perf_counter() - started, 1),
            "removed_load_applications": removed,
            "password": PASSWORD,
            "clerks": [email for (email,) in clerks if email.endswith(EMAIL_DOMAIN)],
            "creators": [email for _, email in load_account_ids(session, "create")],
            "submitters": [email for _, email in load_account_ids(session, "submit")],
            "drafts": made,
            "permit_numbers": sample,
            "pdf_permits": [{"number": n, "email": e} for n, e in never],
            "permits": total,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    seed_cmd = sub.add_parser("seed", help="migrate and load permits and a queue")
    seed_cmd.add_argument("--permits", type=int, required=True)
    seed_cmd.add_argument("--queue", type=int, required=True)
    prep = sub.add_parser("prepare", help="reset load rows, make drafts, write run data")
    prep.add_argument("--drafts", type=int, default=0)
    prep.add_argument("--samples", type=int, default=5000)
    prep.add_argument("--pdf-permits", type=int, default=20)
    drafts_cmd = sub.add_parser("drafts", help="make more complete drafts (no reset)")
    drafts_cmd.add_argument("--count", type=int, required=True)
    for command in (seed_cmd, prep, drafts_cmd):
        command.add_argument("--rng-seed", type=int, default=20261122)
        command.add_argument("--out", type=Path, required=True, help="write the result here")
    args = parser.parse_args()
    if args.command == "seed":
        result = seed(args.permits, args.queue, args.rng_seed)
    elif args.command == "prepare":
        result = prepare(args.drafts, args.samples, args.pdf_permits, args.rng_seed)
    else:
        with Session(get_engine()) as session:
            made = make_drafts(session, args.count, random.Random(time.time_ns()))
        result = {"drafts": made}
    args.out.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
