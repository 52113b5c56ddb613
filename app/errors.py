"""Errors with a stable machine code and a plain message, and their handlers."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)

STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    503: "unavailable",
}

DATABASE_RETRY_AFTER_SECONDS = 2


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


class AppError(Exception):
    """A failure the caller can act on: HTTP status, stable code, plain message."""

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.extra = extra or {}
        self.headers = headers

    def detail(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.extra}


class NotFound(AppError):
    def __init__(self, what: str = "object") -> None:
        super().__init__(404, "not_found", f"The {what} was not found.")


class Forbidden(AppError):
    def __init__(self, message: str = "You are not allowed to do this.") -> None:
        super().__init__(403, "forbidden", message)


class DatabaseBusy(AppError):
    """The database is busy, locked or unreachable for now: try again shortly."""

    def __init__(self) -> None:
        super().__init__(
            503,
            "database_busy",
            "The service is very busy. Try again in a moment; nothing was changed.",
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        )


class Conflict(AppError):
    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(409, code, message, extra=extra)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _page(request: Request, status_code: int, code: str, message: str) -> Response:
    from app.i18n import gettext as _
    from app.web import render

    # Pages speak the visitor's language; the API keeps its stable English messages.
    translated = {
        "not_found": _("We could not find this page. Check the address, or go back."),
        "forbidden": _("Your account does not give access to this page."),
        "method_not_allowed": _("This page cannot be used like this."),
        "bad_cursor": _("This page of the list no longer exists. Start again from the top."),
        "internal_error": _("Something went wrong on our side. Nothing was changed."),
        "csrf_failed": _(
            "This form has expired or did not come from this site. Reload the page and try again."
        ),
        "too_many_requests": _("Too many requests from your address. Wait a minute and try again."),
        "own_account": _("You cannot switch off your own account."),
        "renewal_exists": _("There is already a renewal application for this permit."),
        "database_busy": _("The service is very busy. Try again in a moment; nothing was changed."),
        "rate_limit_unavailable": _(
            "The service cannot take this request right now. Try again in a moment."
        ),
    }
    message = translated.get(code, message)

    return render(
        request,
        "error.html",
        {"status_code": status_code, "code": code, "message": message},
        status_code=status_code,
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        if _is_api(request):
            return JSONResponse(
                {"detail": exc.detail()}, status_code=exc.status_code, headers=exc.headers
            )
        response = _page(request, exc.status_code, exc.code, exc.message)
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = STATUS_CODES.get(exc.status_code, "error")
        if isinstance(exc.detail, dict) and "code" in exc.detail:
            detail: dict[str, Any] = exc.detail
        else:
            message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
            detail = {"code": code, "message": message}
        if _is_api(request):
            return JSONResponse(
                {"detail": detail},
                status_code=exc.status_code,
                headers=getattr(exc, "headers", None),
            )
        return _page(request, exc.status_code, detail["code"], detail["message"])

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {k: v for k, v in err.items() if k in ("type", "loc", "msg")} for err in exc.errors()
        ]
        if _is_api(request):
            return JSONResponse({"detail": errors}, status_code=422)
        if any(e["loc"] and e["loc"][0] == "path" for e in errors):
            # A mistyped address on a page is a page that does not exist.
            return _page(request, 404, "not_found", "Not found")
        message = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
        return _page(request, 422, "validation_error", message)

    @app.exception_handler(PoolTimeoutError)
    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, exc: Exception) -> Response:
        if not is_database_unavailable(exc):
            return await _unexpected(request, exc)
        # The driver's own message (never the statement or its parameters).
        reason = getattr(exc, "orig", None) or exc
        logger.warning("database unavailable: %s: %.200s", type(reason).__name__, reason)
        return await _app_error(request, DatabaseBusy())

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        logger.exception("unhandled error", exc_info=exc)
        message = "Something went wrong on our side. Nothing was changed."
        if _is_api(request):
            return JSONResponse(
                {"detail": {"code": "internal_error", "message": message}}, status_code=500
            )
        return _page(request, 500, "internal_error", message)
