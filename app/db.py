"""Database engine, naming convention, shared column types and what a database error
means. No web framework here: the request's session is made in `app/deps.py`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, DateTime, Engine, event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, Session, SQLModel, create_engine

from app.config import get_settings

# Stable constraint names make Alembic migrations reproducible on every database.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_local_date(moment: datetime) -> date:
    """The municipality's calendar day of a moment."""
    return moment.astimezone(ZoneInfo(get_settings().timezone)).date()


def local_today() -> date:
    """Today's date where the municipality is (TIMEZONE): deadlines and validity are in
    local days, not UTC days."""
    return datetime.now(ZoneInfo(get_settings().timezone)).date()


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp on every database (SQLite returns naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a timezone-aware column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def created_at_field() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def uuid_pk_field() -> Any:
    return Field(default_factory=uuid.uuid4, primary_key=True)


def make_engine(
    url: str,
    *,
    pool_size: int | None = None,
    pool_timeout: float | None = None,
    lock_timeout: float | None = None,
) -> Engine:
    """An engine whose pool, lock waits and (on SQLite) write locking follow the settings.

    Each worker process has `DB_POOL_SIZE` connections and no overflow; the web app lets
    no more requests at the database at once (see `get_session`), so a request never waits
    for a connection it cannot get. There is no pre-ping: a connection the server dropped
    fails its request with 503 and the pool reconnects for the next one.
    """
    settings = get_settings()
    size = pool_size or settings.db_pool_size
    wait = settings.db_pool_timeout_seconds if pool_timeout is None else pool_timeout
    lock_wait = settings.db_lock_timeout_seconds if lock_timeout is None else lock_timeout
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        memory = not parsed.database or parsed.database == ":memory:"
        if not memory:
            Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": lock_wait},
            **({} if memory else {"pool_size": size, "max_overflow": 0, "pool_timeout": wait}),
        )
        _configure_sqlite(engine)
        return engine
    options = (
        f"-c lock_timeout={int(lock_wait * 1000)} "
        f"-c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_MS}"
    )
    return create_engine(
        url,
        pool_size=size,
        max_overflow=0,
        pool_timeout=wait,
        pool_recycle=1800,
        connect_args={"options": options, "connect_timeout": max(1, int(lock_wait))},
    )


IDLE_IN_TRANSACTION_MS = 60_000
"""PostgreSQL ends a transaction left idle this long (a crashed request never holds locks
for longer)."""

_WRITING = "swl_sqlite_writing"
_SAVEPOINTS = "swl_sqlite_savepoints"
_WRITE_PREFIXES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


def _configure_sqlite(engine: Engine) -> None:
    """SQLite in WAL mode with late write locks.

    A transaction begins deferred, so reads run on a snapshot and never take the write
    lock. The first write (or a `SELECT ... FOR UPDATE`, which SQLite does not know) ends
    that read-only transaction and begins `BEGIN IMMEDIATE`: the write lock is taken
    there, held only for the request's own writes, and waited for at most
    DB_LOCK_TIMEOUT_SECONDS (then "database is locked", answered with 503). Rows read
    before that point are re-read when used, as after a commit, which is what
    PostgreSQL's READ COMMITTED gives as well.
    """

    # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN itself.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.info[_WRITING] = False
        conn.info[_SAVEPOINTS] = 0
        conn.exec_driver_sql("BEGIN")

    @event.listens_for(engine, "savepoint")
    def _on_savepoint(conn: Connection, _name: str) -> None:
        # Writes inside a savepoint cannot move to a new transaction any more, and SQLite's
        # own upgrade of an old read snapshot fails at once when another writer committed
        # meanwhile: take the write lock before the first savepoint.
        if not conn.info.get(_SAVEPOINTS) and not conn.info.get(_WRITING, True):
            conn.info[_WRITING] = True
            _begin_immediate(conn.connection.dbapi_connection)
        conn.info[_SAVEPOINTS] = conn.info.get(_SAVEPOINTS, 0) + 1

    @event.listens_for(engine, "before_cursor_execute")
    def _take_write_lock_late(
        conn: Connection,
        cursor: Any,
        statement: str,
        _parameters: Any,
        context: Any,
        _executemany: bool,
    ) -> None:
        if conn.info.get(_WRITING, True) or not _is_write(statement, context):
            return
        conn.info[_WRITING] = True
        _begin_immediate(cursor.connection)


def _begin_immediate(dbapi_connection: Any) -> None:
    """End the read-only snapshot (nothing has been written in it, so nothing is lost) and
    begin again holding the write lock, waiting for it at most the busy timeout."""
    dbapi_connection.execute("ROLLBACK")
    dbapi_connection.execute("BEGIN IMMEDIATE")


def _is_write(statement: str, context: Any) -> bool:
    if statement.lstrip()[:7].upper().startswith(_WRITE_PREFIXES):
        return True
    compiled = getattr(context, "compiled", None)
    return getattr(getattr(compiled, "statement", None), "_for_update_arg", None) is not None


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


def is_database_unavailable(exc: BaseException) -> bool:
    """A database that is down, restarting, locked or out of connections: a passing state,
    answered 503 with Retry-After. Any other database error is a bug (500)."""
    if isinstance(exc, PoolTimeoutError | InterfaceError):
        return True
    if isinstance(exc, OperationalError):
        if type(exc.orig).__module__.startswith("sqlite3"):
            # SQLite reports a bad query ("no such table") as an operational error too:
            # only a lock or an unreadable file is a passing state.
            return any(s in str(exc.orig).lower() for s in SQLITE_UNAVAILABLE)
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


SQLITE_UNAVAILABLE = ("locked", "busy", "unable to open", "disk i/o")


Row = TypeVar("Row")


def insert_once(
    session: Session,
    row: Row,
    *,
    find: Callable[[], Row | None],
    then: Callable[[Row], object] | None = None,
) -> Row:
    """Insert `row`, whose unique key another request may be inserting at the same moment:
    when that one wins, return its row (`find`) instead. `then` runs in the same savepoint
    (an audit event of the insert), so it is undone with the losing insert."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
            if then is not None:
                then(row)
    except IntegrityError:
        found = find()
        if found is None:
            raise
        return found
    return row
