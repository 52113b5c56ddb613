"""The rule that keeps the server from freezing: no `async def` route holds a database
session. Such a route runs on the event loop, and one blocking database call there (say,
waiting for a row lock) stops every other request. Routes that use the database are
plain `def` routes, which FastAPI runs in a worker thread."""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from app.deps import get_session
from app.main import create_app


def api_routes(routes: Iterable[Any]) -> Iterator[APIRoute]:
    """Every route of the app, inside included routers too."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif (included := getattr(route, "original_router", None)) is not None:
            yield from api_routes(included.routes)


def _uses_session(dependant: Dependant) -> bool:
    return any(
        dependency.call is get_session or _uses_session(dependency)
        for dependency in dependant.dependencies
    )


def test_no_async_route_takes_a_database_session() -> None:
    routes = list(api_routes(create_app().routes))
    assert len(routes) > 40
    blocking = [
        f"{sorted(route.methods)} {route.path} ({route.endpoint.__module__})"
        for route in routes
        if inspect.iscoroutinefunction(route.endpoint) and _uses_session(route.dependant)
    ]
    assert blocking == []


def test_the_check_sees_a_session_through_nested_dependencies() -> None:
    # The check itself: a route whose session comes through the current-user dependency.
    upload = next(
        r
        for r in api_routes(create_app().routes)
        if r.path == "/api/v1/applications/{application_id}/documents" and "POST" in r.methods
    )
    assert _uses_session(upload.dependant)
