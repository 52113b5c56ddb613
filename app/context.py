"""Per-request context: request id (for logs and audit) and language."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.i18n import DEFAULT_LANGUAGE, current_locale, normalise_language

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

LANGUAGE_COOKIE = "lang"


def current_request_id() -> str | None:
    return request_id_var.get()


def _choose_language(scope: Scope, default: str) -> str:
    headers = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
    cookie_header = headers.get("cookie", "")
    for part in cookie_header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == LANGUAGE_COOKIE and (lang := normalise_language(value)):
            return lang
    return default


class RequestContextMiddleware:
    """Sets the request id and language for the request, and echoes X-Request-ID."""

    def __init__(self, app: ASGIApp, default_language: str = DEFAULT_LANGUAGE) -> None:
        self.app = app
        self.default_language = default_language

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        rid_token = request_id_var.set(request_id)
        lang_token = current_locale.set(_choose_language(scope, self.default_language))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(rid_token)
            current_locale.reset(lang_token)
