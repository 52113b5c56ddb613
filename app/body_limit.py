"""Refuse request bodies larger than the upload limit before anything reads them.

Without this, a multipart body is spooled to disk in full before a route (or the CSRF
check, which reads the form) can look at its size, so anyone could fill the disk.
"""

from __future__ import annotations

import json

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Room for the form fields around the file itself.
OVERHEAD_BYTES = 64 * 1024

PAGE = """<!doctype html><html lang="nl"><head><meta charset="utf-8">
<title>Bestand te groot / File too large</title><link rel="stylesheet" href="/static/style.css">
</head><body><main class="wrap"><h1>Het bestand is te groot</h1>
<p>Een bestand mag hoogstens {mb} MB zijn. Ga terug en kies een kleiner bestand, bijvoorbeeld
een foto met een lagere resolutie of een pdf.</p>
<h2 lang="en">The file is too large</h2>
<p lang="en">A file may be at most {mb} MB. Go back and choose a smaller file.</p>
<p>Gebruik de terugknop van uw browser. / Use your browser's back button.</p>
<p><a href="/">Naar de startpagina / To the start page</a></p></main></body></html>"""


class BodyTooLarge(BaseException):
    pass


class BodyTooSlow(BaseException):
    pass


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int, timeout_seconds: float = 30) -> None:
        self.app = app
        self.max_bytes = max_bytes + OVERHEAD_BYTES
        self.timeout_seconds = timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_bytes:
                    await self._refuse(scope, send)
                    return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            # A client that stops sending its body cannot hold the request open for ever.
            with anyio.move_on_after(self.timeout_seconds) as waited:
                message = await receive()
            if waited.cancelled_caught:
                raise BodyTooSlow
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(scope, send)
        except BodyTooSlow:
            if not started:
                await self._answer(
                    send, 408, "request_timeout", "The request body did not arrive in time."
                )

    async def _answer(self, send: Send, status: int, code: str, message: str) -> None:
        body = json.dumps({"detail": {"code": code, "message": message}}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _refuse(self, scope: Scope, send: Send) -> None:
        limit_mb = (self.max_bytes - OVERHEAD_BYTES) // (1024 * 1024)
        if scope.get("path", "").startswith("/api/"):
            body = json.dumps(
                {"detail": {"code": "too_large", "message": "The request is too large."}}
            ).encode()
            content_type = b"application/json"
        else:  # a form in the browser: a page to read, in both languages, with a way back
            body = PAGE.format(mb=limit_mb).encode()
            content_type = b"text/html; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
