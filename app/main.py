"""The FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

import anyio.to_thread
import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from app import address_file, home
from app.applications import api as applications_api
from app.applications import views as applications_views
from app.auth import api as auth_api
from app.auth import views as auth_views
from app.auth.deps import LoginRequired
from app.auth.ratelimit import LoginThrottle, MfaThrottle, Throttle, make_storage
from app.body_limit import BodySizeLimitMiddleware
from app.config import Settings, get_settings
from app.context import RequestContextMiddleware
from app.deps import database_slots
from app.documents import api as documents_api
from app.documents import views as documents_views
from app.health import router as health_router
from app.homework import api as homework_api
from app.homework import views as homework_views
from app.inspections import api as inspections_api
from app.inspections import views as inspections_views
from app.nuisance import api as nuisance_api
from app.nuisance import views as nuisance_views
from app.permits import api as permits_api
from app.permits import views as permits_views
from app.policy import api as policy_api
from app.policy import service as policy_service
from app.policy import views as policy_views
from app.signals import api as signals_api
from app.signals import views as signals_views
from app.web import redirect
from app.web_errors import install_error_handlers

STATIC_DIR = Path(__file__).parent / "static"

EXTRA_THREADS = 10
"""Worker threads beyond the database slots, for sync routes that need no database."""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Size the thread pool with the connection pool (see app/db.py: get_session)."""
    settings: Settings = app.state.settings
    limiter = anyio.to_thread.current_default_thread_limiter()
    limiter.total_tokens = settings.db_pool_size + EXTRA_THREADS
    database_slots(app.state)
    yield


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
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            oauth2_redirect_url=None,
            title=f"{app.title} - API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon.png",
        )

    app.include_router(health_router)
    app.include_router(auth_api.router)
    app.include_router(auth_views.router)
    app.include_router(applications_api.router)
    app.include_router(permits_api.router)
    app.include_router(policy_api.router)
    app.include_router(policy_views.router)
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
    return app
