"""Open data: the quarter's statistics with small counts suppressed, for anyone."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.deps import SessionDep
from app.policy import service as policy_service
from app.statistics import report, service
from app.statistics.service import Quarter

public_router = APIRouter(prefix="/api/v1/public", tags=["open data"])


@public_router.get("/statistics")
def public_statistics(session: SessionDep, quarter: str | None = None) -> dict[str, Any]:
    """The quarter's tables (default: the last complete quarter), every count below the
    policy's threshold written as "<N" and others hidden as "suppressed" where a total
    would give a small one away. Keys, not labels; no date finer than the quarter."""
    chosen = Quarter.parse(quarter) if quarter else service.current_quarter().previous
    stats = service.for_quarter(
        session=session,
        quarter=chosen,
        policy=policy_service.load_configured().policy,
        actor=None,
    )
    return report.open_data(stats)
