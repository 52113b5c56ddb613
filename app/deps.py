"""The request's database session: the one place a request's work is committed.

Domain services (`app/<domain>/service.py` and their helper modules) add, change and
flush rows and write their audit events, but never commit: the caller decides when the
work is whole. For a request that caller is this dependency. When the route returns
without an error it commits once; when anything raises, everything the request wrote is
rolled back, so a flow across two domains is all or nothing. A route with work that must
follow the commit (rendering a PDF) calls a flow in `app/flows/`, which commits the change
first and then does that work. A page that catches a domain error to re-render its form
runs the failing step inside `session.begin_nested()`, so only that step is undone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import Depends, Request
from sqlmodel import Session

from app.config import get_settings
from app.db import get_engine
from app.errors import DatabaseBusy


def database_slots(state: Any) -> anyio.CapacityLimiter:
    """The app's limit on requests at the database at once: one per pooled connection."""
    slots = getattr(state, "database_slots", None)
    if slots is None:
        slots = state.database_slots = anyio.CapacityLimiter(get_settings().db_pool_size)
    return slots


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session for one request, once a database slot is free; committed once when the
    route returns, rolled back when it raises.

    There are as many slots as pooled connections, so a request that gets a slot always
    gets a connection. Waiting for a slot happens on the event loop without blocking it,
    and ends with 503 `database_busy` after DB_POOL_TIMEOUT_SECONDS. Commit and close run
    in a worker thread.
    """
    slots = database_slots(request.app.state)
    borrower = object()
    try:
        with anyio.fail_after(get_settings().db_pool_timeout_seconds):
            await slots.acquire_on_behalf_of(borrower)
    except TimeoutError:
        raise DatabaseBusy() from None
    try:
        session = Session(get_engine())
        try:
            yield session
            await anyio.to_thread.run_sync(session.commit)
        finally:
            # Closing rolls back whatever was not committed (a route that raised).
            await anyio.to_thread.run_sync(session.close)
    finally:
        slots.release_on_behalf_of(borrower)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
"""Function scope: the session is committed and closed (its slot and connection given back)
when the route returns, before the response is sent, so a slow reader of a download holds
no slot and a failed commit is answered as an error, never as a success."""
