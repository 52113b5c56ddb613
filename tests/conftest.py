"""Test fixtures: every database test runs on SQLite, and on PostgreSQL when
TEST_DATABASE_URL is set, inside a transaction that is rolled back afterwards."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

_TMP = tempfile.mkdtemp(prefix="swl-test-")
os.environ["APP_ENV"] = "test"
os.environ["DATABASE_URL"] = f"sqlite:///{_TMP}/default.db"
os.environ.setdefault("SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789")
os.environ["DEMO_DATA"] = "false"
os.environ["DATA_DIR"] = _TMP

import pytest  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.auth.models import Role, User  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.deps import get_session  # noqa: E402
from app.main import create_app  # noqa: E402
from app.migrations import upgrade  # noqa: E402
from app.permits.models import Permit  # noqa: E402
from tests.factories import make_permit, make_user  # noqa: E402

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


def reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def fresh_database_url(backend: str, name: str) -> str:
    """A new, empty database of the given backend (a file for SQLite)."""
    if backend == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp(prefix='swl-db-', dir=_TMP)}/{name}.db"
    assert PG_URL
    admin = make_engine(PG_URL)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str) -> str:
    if backend == "sqlite":
        return fresh_database_url("sqlite", "test")
    assert PG_URL
    reset_postgres(PG_URL)
    return PG_URL


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    connection = engine.connect()
    transaction = connection.begin()
    db = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield db
    finally:
        db.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def app(session: Session):  # type: ignore[no-untyped-def]
    """The app on the test's session, which a request commits (a savepoint released) when
    its route returns and rolls back when it raises, as `app.deps.get_session` does."""

    def request_session() -> Iterator[Session]:
        try:
            yield session
        except BaseException:
            if session.in_transaction():
                session.rollback()
            raise
        session.commit()

    application = create_app()
    application.dependency_overrides[get_session] = request_session
    return application


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as test_client:
        yield test_client


# ---- people and a permit, shared by the domain tests ------------------------------------


@pytest.fixture
def holder(session: Session) -> User:
    """An applicant (who will hold a permit)."""
    return make_user(session)


@pytest.fixture
def clerk(session: Session) -> User:
    return make_user(session, Role.clerk)


@pytest.fixture
def permit(session: Session, holder: User, clerk: User) -> Permit:
    """A permit issued through the real services, under the working name "Roos"."""
    return make_permit(session, holder, clerk=clerk, working_name="Roos")


# ---- a fast renderer for tests that do not read the PDFs ----------------------------------


def _fake_pdf(html: str, *, identifier: bytes | None = None) -> bytes:
    """Stands in for WeasyPrint: the template is still rendered (so its errors still fail a
    test), and the bytes differ whenever the HTML or the identifier does, as real PDFs
    would, so storing, versioning and hashing behave as with real ones."""
    digest = hashlib.sha256(html.encode() + (identifier or b"")).hexdigest()
    return f"%PDF-1.7\n% test render {digest}\n%%EOF\n".encode()


@pytest.fixture(autouse=True)
def fast_pdf_renderer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """WeasyPrint takes ~100 ms a document; most tests only need that a document exists.
    Tests under tests/documents/ and tests marked `real_pdf` open the PDFs and get the real
    renderer (as does every live server: browser and load tests)."""
    documents_tests = Path(__file__).parent / "documents"
    if request.node.get_closest_marker("real_pdf") or documents_tests in request.path.parents:
        return
    from app.documents import render

    monkeypatch.setattr(render, "html_to_pdf", _fake_pdf)


@pytest.fixture
def isolated_engine(backend: str, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A fresh, migrated database of the backend for tests that commit on real connections
    from several threads (nothing they write can reach other tests)."""
    url = fresh_database_url(
        backend,
        f"swl_isolated_{request.node.name[:20].lower()}".replace("[", "_")
        .replace("]", "")
        .replace("-", "_"),
    )
    upgrade(url)
    engine = make_engine(url, pool_size=10)
    yield engine
    engine.dispose()
