"""The FastAPI application."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

import anyio.to_thread
import fastapi_offline
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlmodel import Session
from starlette.middleware.sessions import SessionMiddleware

from app import address_file, home, public_pages
from app.applications import api as applications_api
from app.applications import views as applications_views
from app.audit import anchor
from app.auth import api as auth_api
from app.auth import views as auth_views
from app.auth.deps import LoginRequired
from app.auth.ratelimit import LoginThrottle, MfaThrottle, Throttle, make_storage
from app.body_limit import BodySizeLimitMiddleware
from app.clean_input import refuse_control_characters
from app.config import Settings, get_settings
from app.context import RequestContextMiddleware
from app.db import get_engine
from app.deps import database_slots
from app.documents import api as documents_api
from app.documents import views as documents_views
from app.flows import mail as mail_flow
from app.health import router as health_router
from app.homework import api as homework_api
from app.homework import views as homework_views
from app.inspections import api as inspections_api
from app.inspections import views as inspections_views
from app.mail import sender as mail_sender
from app.mail import views as mail_views
from app.nuisance import api as nuisance_api
from app.nuisance import views as nuisance_views
from app.permits import api as permits_api
from app.permits import views as permits_views
from app.policy import api as policy_api
from app.policy import service as policy_service
from app.policy import views as policy_views
from app.privacy import api as privacy_api
from app.privacy import views as privacy_views
from app.security_headers import SecurityHeadersMiddleware
from app.signals import api as signals_api
from app.signals import views as signals_views
from app.statistics import api as statistics_api
from app.statistics import views as statistics_views
from app.theme import router as theme_router
from app.web import redirect
from app.web_errors import install_error_handlers

STATIC_DIR = Path(__file__).parent / "static"

EXTRA_THREADS = 10
"""Worker threads beyond the database slots, for sync routes that need no database."""


logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Size the thread pool with the connection pool (see app/db.py: get_session)."""
    settings: Settings = app.state.settings
    limiter = anyio.to_thread.current_default_thread_limiter()
    limiter.total_tokens = settings.db_pool_size + EXTRA_THREADS
    database_slots(app.state)
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(_anchor_audit_trail, settings.audit_anchor_interval_hours)
        if mail_sender.mode(settings) != "off":
            tasks.start_soon(_send_mail, settings.mail_interval_seconds)
        yield
        tasks.cancel_scope.cancel()


async def _anchor_audit_trail(interval_hours: float) -> None:
    """Anchor the audit trail when the server starts and then every interval, in a worker
    thread (it reads the database and writes a file). A failure is logged, never fatal."""
    while True:
        try:
            await anyio.to_thread.run_sync(_write_anchor)
        except Exception as exc:  # the database may be down or not migrated yet
            logger.warning("the audit trail could not be anchored now: %s", type(exc).__name__)
        await anyio.sleep(interval_hours * 3600)


def _write_anchor() -> None:
    with Session(get_engine()) as session:
        anchor.write_anchor(session)


async def _send_mail(interval_seconds: float) -> None:
    """Deliver the outbox every interval, in a worker thread (smtplib blocks). A failure
    (the database or the mail server away) is logged and tried again next time."""
    while True:
        try:
            await anyio.to_thread.run_sync(_send_pending)
        except Exception as exc:
            logger.warning("mail could not be sent now: %s", type(exc).__name__)
        await anyio.sleep(interval_seconds)


def _send_pending() -> None:
    with Session(get_engine()) as session:
        mail_flow.send_pending(session)


DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} - API</title>
<link rel="stylesheet" href="/static/swagger/swagger-ui.css">
<link rel="stylesheet" href="/static/swagger-a11y.css">
<link rel="icon" href="/static/swagger/favicon.png"></head>
<body><main id="swagger-ui"></main>
<script src="/static/swagger/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script></body></html>"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    # Refuse to start on an invalid policy file rather than run with a guess.
    policy_service.load_configured(settings.policy_file)
    app = FastAPI(
        title=f"Sekswerkvergunningen - {settings.municipality_name}",
        description="Permits, home-work registrations, nuisance reports and inspections "
        "checked against the local policy.",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        # Every text a request carries is checked once, here (app/clean_input.py).
        dependencies=[Depends(refuse_control_characters)],
    )
    app.state.settings = settings
    # One storage for every limit: in the process, or shared by all workers (Redis).
    storage = make_storage(settings.rate_limit_storage_url)
    app.state.login_throttle = LoginThrottle(settings.login_attempts_per_minute, storage=storage)
    app.state.mfa_throttle = MfaThrottle(
        settings.mfa_attempts_per_minute, per_hour=settings.mfa_attempts_per_hour, storage=storage
    )
    app.state.verify_throttle = Throttle(settings.verify_requests_per_minute, storage=storage)
    app.state.home_work_throttle = Throttle(
        per_hour=settings.home_work_attempts_per_hour, storage=storage
    )
    app.state.report_throttle = Throttle(
        per_hour=settings.nuisance_reports_per_hour, storage=storage
    )
    app.state.register_throttle = Throttle(
        per_hour=settings.registrations_per_hour, storage=storage
    )

    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="swl_session",
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.add_middleware(RequestContextMiddleware, default_language=settings.default_language)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_upload_bytes,
        timeout_seconds=settings.body_timeout_seconds,
    )
    install_error_handlers(app)
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.is_production)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail()}, status_code=401)
        return redirect(f"/login?next={quote(request.url.path)}")

    # Swagger UI's assets come with a package, so /docs works without a CDN.
    app.mount(
        "/static/swagger",
        StaticFiles(directory=Path(fastapi_offline.__file__).parent / "static"),
        name="swagger",
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        # Swagger UI from the package's files and our own starter: no inline script.
        return HTMLResponse(DOCS_PAGE.format(title=app.title))

    app.include_router(health_router)
    app.include_router(theme_router)
    app.include_router(auth_api.router)
    app.include_router(auth_views.router)
    app.include_router(privacy_api.router)
    app.include_router(privacy_views.router)
    app.include_router(applications_api.router)
    app.include_router(permits_api.router)
    app.include_router(policy_api.router)
    app.include_router(policy_views.router)
    app.include_router(public_pages.router)
    app.include_router(documents_api.router)
    app.include_router(permits_api.public_router)
    app.include_router(applications_api.renewal_router)
    app.include_router(documents_views.router)
    app.include_router(home.router)
    app.include_router(address_file.router)
    app.include_router(applications_views.router)
    app.include_router(permits_views.router)
    app.include_router(homework_api.router)
    app.include_router(homework_views.router)
    app.include_router(nuisance_api.router)
    app.include_router(nuisance_api.public_router)
    app.include_router(nuisance_views.router)
    app.include_router(signals_api.router)
    app.include_router(signals_views.router)
    app.include_router(inspections_api.router)
    app.include_router(inspections_api.referrals_router)
    app.include_router(inspections_views.router)
    app.include_router(mail_views.router)
    app.include_router(statistics_api.public_router)
    app.include_router(statistics_views.router)
    return app
