"""The error family every domain raises: a stable machine `code`, a plain English message
and details a caller can act on.

These errors know nothing of HTTP: no status numbers, no FastAPI. Each class says what
kind of failure it is (not found, not allowed, conflicting with the record's state, bad
input, ...); the web layer (`app/web_errors.py`) maps the kind to a status code and the
code to the message a page shows in the visitor's language.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """A failure the caller can act on: stable code, plain message, details."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        details: dict[str, Any] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}
        # Seconds after which trying again may succeed (busy, rate-limited).
        self.retry_after = retry_after

    def detail(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.details}


class BadRequest(AppError):
    """The request cannot be understood (a malformed number, an unknown choice)."""


class InvalidInput(AppError):
    """Understood, but a value breaks a rule (missing reason, incomplete application)."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(code, message, details=details)


class NotAuthenticated(AppError):
    def __init__(
        self, code: str = "not_authenticated", message: str = "Log in to continue."
    ) -> None:
        super().__init__(code, message)


class Forbidden(AppError):
    def __init__(
        self, message: str = "You are not allowed to do this.", code: str = "forbidden"
    ) -> None:
        super().__init__(code, message)


class NotFound(AppError):
    """Missing, or not the caller's to see: the two are never told apart."""

    def __init__(
        self, what: str = "object", *, code: str = "not_found", message: str | None = None
    ) -> None:
        super().__init__(code, message or f"The {what} was not found.")


class Conflict(AppError):
    """The record's state does not allow this now (a stale version, an illegal transition)."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(code, message, details=details)


class TooLarge(AppError):
    pass


class UnsupportedType(AppError):
    pass


class TooManyRequests(AppError):
    pass


class Unavailable(AppError):
    """A passing state: the service cannot take this now; try again after `retry_after`."""


DATABASE_RETRY_AFTER_SECONDS = 2


class DatabaseBusy(Unavailable):
    """The database is busy, locked or unreachable for now: try again shortly."""

    def __init__(self) -> None:
        super().__init__(
            "database_busy",
            "The service is very busy. Try again in a moment; nothing was changed.",
            retry_after=DATABASE_RETRY_AFTER_SECONDS,
        )
