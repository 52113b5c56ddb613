"""Liveness and readiness."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.deps import SessionDep
from app.migrations import head_revisions

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(session: SessionDep) -> JSONResponse:
    """The database answers and its schema is at the newest migration."""
    try:
        current = set(MigrationContext.configure(session.connection()).get_current_heads())
    except Exception:
        return JSONResponse(
            {"status": "unavailable", "detail": {"code": "database_unreachable"}}, status_code=503
        )
    if current != head_revisions():
        return JSONResponse(
            {"status": "unavailable", "detail": {"code": "migrations_pending"}}, status_code=503
        )
    return JSONResponse({"status": "ok"})
