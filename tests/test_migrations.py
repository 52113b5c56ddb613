"""Migrations are the only source of the schema: no drift, and they go down and up."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app.db import make_engine
from app.migrations import downgrade, head_revisions, upgrade
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
