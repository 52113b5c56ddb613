"""Pages of the statistics (analyst, admin): the quarter's tables with their charts, CSV of
each table and the council's quarterly PDF."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.auth.deps import require_page
from app.auth.models import User
from app.auth.permissions import Action
from app.deps import SessionDep
from app.errors import NotFound
from app.i18n import current_locale
from app.policy import library
from app.policy import service as policy_service
from app.statistics import charts, report, scenario, service
from app.statistics.service import Quarter
from app.web import file_response, render

router = APIRouter(include_in_schema=False)
Analyst = Annotated[User, Depends(require_page(Action.statistics_read))]


def _stats(session: SessionDep, user: User, quarter: str | None) -> service.Statistics:
    chosen = Quarter.parse(quarter) if quarter else service.current_quarter()
    return service.for_quarter(
        session=session,
        quarter=chosen,
        policy=policy_service.load_configured().policy,
        actor=user,
        lang=current_locale.get(),
    )


@router.get("/statistics")
def statistics_page(
    request: Request, session: SessionDep, user: Analyst, quarter: str | None = None
) -> Response:
    stats = _stats(session, user, quarter)
    return render(request, "statistics/index.html", report.context(stats))


@router.get("/statistics/scenario")
def scenario_page(
    request: Request, session: SessionDep, user: Analyst, policy: str = library.DEFAULT_B
) -> Response:
    """Today's permits and home-work registrations checked against a policy of the library
    (by default the Wrs proposal), counts protected like the statistics."""
    entry = library.get(policy[:64])
    result = scenario.run(
        session=session,
        key=entry.key,
        draft=entry.policy,
        current=policy_service.load_configured().policy,
        actor=user,
        lang=current_locale.get(),
    )
    return render(
        request,
        "statistics/scenario.html",
        {
            "scenario": result,
            "entries": library.entries(),
            "charts": {t.key: charts.data_uri(t) for t in result.tables},
            "threshold": result.threshold,
        },
    )


@router.get("/statistics/{quarter}/{table}.csv")
def table_csv(quarter: str, table: str, session: SessionDep, user: Analyst) -> Response:
    stats = _stats(session, user, quarter)
    if table not in {t.key for t in stats.tables}:
        raise NotFound("table")
    content = report.csv_of(stats.table(table), stats.threshold)
    return file_response(
        content, media_type="text/csv; charset=utf-8", filename=f"{table}-{stats.quarter}.csv"
    )


@router.get("/statistics/{quarter}/report.pdf")
def council_report(quarter: str, session: SessionDep, user: Analyst) -> Response:
    stats = _stats(session, user, quarter)
    pdf = report.council_pdf(stats, current_locale.get())
    return file_response(
        pdf, media_type="application/pdf", filename=f"statistics-{stats.quarter}.pdf"
    )
