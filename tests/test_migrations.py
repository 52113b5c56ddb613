"""Migrations are the only source of the schema: no drift, and they go down and up."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app.db import make_engine
from app.migrations import current_revisions, downgrade, head_revisions, upgrade
from tests.conftest import fresh_database_url


def test_no_drift_between_models_and_migrations(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def test_single_head() -> None:
    assert len(head_revisions()) == 1


def test_downgrade_to_base_and_upgrade_again(backend: str) -> None:
    url = fresh_database_url(backend, "swl_migration_test")
    upgrade(url)
    engine = make_engine(url)
    tables = set(inspect(engine).get_table_names())
    assert {"user_account", "audit_event", "alembic_version"} <= tables
    downgrade(url, "base")
    engine.dispose()
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(url)
    engine.dispose()
    assert {"user_account", "audit_event"} <= set(inspect(engine).get_table_names())
    engine.dispose()


# ---- upgrading a database that holds permits and documents -------------------------------

FOUNDATION_BASE = "0007"  # the head before documents had subjects and addresses a table


def _rows_at_0007(engine: Engine) -> dict[str, uuid.UUID]:
    """A holder, a policy version, two applications with permits (one with a printed
    business address, one with an address that cannot be read) and their documents, as
    revision 0007 stored them."""
    from datetime import UTC, date, datetime

    import sqlalchemy as sa

    from app.crypto import EncryptedJSON
    from app.db import UTCDateTime

    ids = {name: uuid.uuid4() for name in ("user", "policy", "app1", "app2", "p1", "p2", "p3")}
    ids["app3"] = uuid.uuid4()
    ids.update({f"doc_{k}": uuid.uuid4() for k in ("permit", "approve", "suspend", "p2")})
    now = datetime.now(UTC)

    def insert(table: str, **values: object) -> sa.Insert:
        types = {
            k: sa.Uuid()
            if isinstance(v, uuid.UUID)
            else UTCDateTime()
            if isinstance(v, datetime)
            else sa.JSON()
            if isinstance(v, list)
            else EncryptedJSON()
            if isinstance(v, dict)
            else sa.Date()
            if isinstance(v, date)
            else None
            for k, v in values.items()
        }
        columns = [sa.column(k, t) if t is not None else sa.column(k) for k, t in types.items()]
        return sa.table(table, *columns).insert().values(**values)

    with engine.begin() as conn:
        conn.execute(
            insert(
                "user_account",
                id=ids["user"],
                email="holder@example.org",
                password_hash="x",
                role="applicant",
                language="nl",
                is_active=True,
                created_at=now,
                updated_at=now,
            )
        )
        conn.execute(
            insert(
                "policy_version",
                id=ids["policy"],
                version="2020.1",
                effective_date=date(2020, 1, 1),
                municipality="Tilburg",
                fingerprint="f" * 64,
                source_name="tilburg.toml",
                content="",
                loaded_at=now,
            )
        )
        for app_key, permit_key, number, address, renews in (
            ("app1", "p1", "SW-AAAA-BBBB-CCCC", "12 a, 5038 AB", None),
            ("app2", "p2", "SW-DDDD-EEEE-FFFF", "5038 AB", None),
            # A renewal: a row pointing at another permit, which a SQLite table rebuild
            # must survive.
            ("app3", "p3", "SW-GGGG-HHHH-JJJJ", None, ids["p1"]),
        ):
            conn.execute(
                insert(
                    "application",
                    id=ids[app_key],
                    applicant_id=ids["user"],
                    permit_type="sex_business",
                    status="approved",
                    details={},
                    cited_rules=[],
                    version=1,
                    created_at=now,
                    updated_at=now,
                )
            )
            conn.execute(
                insert(
                    "permit",
                    id=ids[permit_key],
                    number=number,
                    application_id=ids[app_key],
                    holder_id=ids["user"],
                    permit_type="sex_business",
                    working_name="Huis Roos",
                    address=address,
                    renewal_of_id=renews,
                    valid_from=date(2026, 1, 1),
                    valid_until=date(2027, 12, 31),
                    status="active",
                    conditions_nl=[],
                    conditions_en=[],
                    policy_version_id=ids["policy"],
                    version=1,
                    created_at=now,
                    updated_at=now,
                )
            )
        for doc_key, kind, app_key, permit_key in (
            ("doc_permit", "permit", "app1", "p1"),
            ("doc_approve", "decision_approve", "app1", "p1"),
            ("doc_suspend", "decision_suspend", "app1", "p1"),
            ("doc_p2", "permit", "app2", "p2"),
        ):
            conn.execute(
                insert(
                    "document",
                    id=ids[doc_key],
                    natural_key=f"{kind}:{doc_key}",
                    kind=kind,
                    owner_id=ids["user"],
                    application_id=ids[app_key],
                    permit_id=ids[permit_key],
                    title="t",
                    language="nl",
                    sha256="0" * 64,
                    size_bytes=1,
                    media_type="application/pdf",
                    template_version="1",
                    signed=False,
                    source_data={},
                    created_at=now,
                )
            )
    return ids


def test_upgrade_with_permits_and_documents_then_downgrade(backend: str) -> None:
    from sqlalchemy import text

    url = fresh_database_url(backend, "swl_migration_data_test")
    upgrade(url, FOUNDATION_BASE)
    engine = make_engine(url)
    ids = _rows_at_0007(engine)
    engine.dispose()

    # "5038 AB" names no house: the upgrade stops, names the permit and changes nothing.
    with pytest.raises(RuntimeError, match="SW-DDDD-EEEE-FFFF: '5038 AB'"):
        upgrade(url)
    with engine.connect() as conn:
        # PostgreSQL rolls the whole upgrade back; SQLite (no transactional DDL) keeps
        # 0008, and 0009 stopped before its first change.
        assert current_revisions(engine) <= {FOUNDATION_BASE, "0008"}
        assert "address" not in set(inspect(conn).get_table_names())
        assert "address" in {c["name"] for c in inspect(conn).get_columns("permit")}
    with engine.begin() as conn:
        conn.execute(text("UPDATE permit SET address = '7-bis, 5038 AB' WHERE address = '5038 AB'"))
    engine.dispose()

    upgrade(url)
    with engine.connect() as conn:
        documents = {
            uuid.UUID(str(row[0])): (row[1], uuid.UUID(str(row[2])), uuid.UUID(str(row[3])))
            for row in conn.execute(
                text("SELECT id, subject_type, subject_id, owner_id FROM document")
            )
        }
        addresses = conn.execute(
            text(
                "SELECT permit.number, address.postcode, address.house_number, "
                "address.house_letter, address.addition FROM permit "
                "LEFT JOIN address ON address.id = permit.address_id ORDER BY permit.number"
            )
        ).all()
        columns = {c["name"] for c in inspect(conn).get_columns("document")}
    assert documents == {
        ids["doc_permit"]: ("permit", ids["p1"], ids["user"]),
        ids["doc_approve"]: ("application", ids["app1"], ids["user"]),
        ids["doc_suspend"]: ("permit", ids["p1"], ids["user"]),
        ids["doc_p2"]: ("permit", ids["p2"], ids["user"]),
    }
    assert not {"application_id", "permit_id"} & columns
    assert [tuple(a) for a in addresses] == [
        ("SW-AAAA-BBBB-CCCC", "5038 AB", 12, "A", ""),
        ("SW-DDDD-EEEE-FFFF", "5038 AB", 7, "", "BIS"),
        ("SW-GGGG-HHHH-JJJJ", None, None, None, None),
    ]
    engine.dispose()

    downgrade(url, FOUNDATION_BASE)
    with engine.connect() as conn:
        restored = {
            uuid.UUID(str(row[0])): (uuid.UUID(str(row[1])), uuid.UUID(str(row[2])))
            for row in conn.execute(text("SELECT id, application_id, permit_id FROM document"))
        }
        printed = dict(
            conn.execute(text("SELECT number, address FROM permit ORDER BY number")).all()
        )
        tables = set(inspect(conn).get_table_names())
    engine.dispose()
    assert restored == {
        ids["doc_permit"]: (ids["app1"], ids["p1"]),
        ids["doc_approve"]: (ids["app1"], ids["p1"]),
        ids["doc_suspend"]: (ids["app1"], ids["p1"]),
        ids["doc_p2"]: (ids["app2"], ids["p2"]),
    }
    assert printed == {
        "SW-AAAA-BBBB-CCCC": "12A, 5038 AB",
        "SW-DDDD-EEEE-FFFF": "7-BIS, 5038 AB",
        "SW-GGGG-HHHH-JJJJ": None,
    }
    assert "address" not in tables
