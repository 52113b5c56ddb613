"""Templates, CSRF protection and helpers shared by every page."""

from __future__ import annotations

import secrets
import unicodedata
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData
from starlette.routing import Match, Mount

from app.config import PROJECT_ROOT, get_settings
from app.errors import Forbidden, TooManyRequests
from app.i18n import LANGUAGES, current_locale, gettext, ngettext

templates = Jinja2Templates(directory=str(PROJECT_ROOT / "templates"))
templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    gettext=lambda s, **kw: gettext(s, **kw),
    ngettext=lambda s, p, n, **kw: ngettext(s, p, n, **kw),
    newstyle=True,
)


def local_time(moment: datetime | None, with_time: bool = True) -> str:
    """A stored (UTC) moment as the municipality's local date and time, Dutch style."""
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(get_settings().timezone))
    return local.strftime("%d-%m-%Y %H:%M" if with_time else "%d-%m-%Y")


def field_value(value: object) -> str:
    """An application field as shown on a page: dates Dutch style, missing as a dash."""
    if value in (None, ""):
        return "—"
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value).strftime("%d-%m-%Y")
        except ValueError:
            return value
    return str(value)


templates.env.filters["local_time"] = local_time
templates.env.filters["field_value"] = field_value

CSRF_SESSION_KEY = "csrf"
CSRF_FIELD = "csrf_token"


class CsrfError(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "This form has expired or did not come from this site. Reload the page and try again.",
            code="csrf_failed",
        )


def csrf_token(request: Request) -> str:
    token = request.session.get(CSRF_SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_SESSION_KEY] = token
    return str(token)


async def read_form(request: Request) -> FormData:
    """The posted form, read on the event loop (Starlette keeps it for the request), so
    that page handlers can be plain `def` routes that run in a worker thread."""
    return await request.form()


FormDep = Annotated[FormData, Depends(read_form)]


async def verify_csrf(request: Request) -> None:
    """Dependency for every page POST: the form must echo the session's CSRF token."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = request.session.get(CSRF_SESSION_KEY)
    if not isinstance(sent, str) or not expected or not secrets.compare_digest(sent, expected):
        raise CsrfError()


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site relative paths are followed after login or a language switch."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    settings = get_settings()
    user = getattr(request.state, "signed_in", None)
    base = {
        "request": request,
        "municipality": settings.municipality_name,
        "lang": current_locale.get(),
        "languages": LANGUAGES,
        "csrf_token": csrf_token(request) if "session" in request.scope else "",
        "current_user": user,
        # The quick exit (shared phones): on every page but staff pages.
        "quick_exit_url": (
            settings.quick_exit_url if user is None or user.role == "applicant" else None
        ),
        "errors": {},
        "values": {},
        # A page answering a POST (a form with errors): the address the browser shows
        # instead, so that reloading it does not post the form again (see forms.js).
        "page_url": page_url_after_post(request) if request.method == "POST" else None,
    }
    base.update(context or {})
    response = templates.TemplateResponse(request, template, base, status_code=status_code)
    if user is not None:
        # Pages for a signed-in person can show their file: never keep them in a cache.
        response.headers["Cache-Control"] = "private, no-store"
    return response


def page_url_after_post(request: Request) -> str:
    """The nearest page a GET can open for a POST's path: the path itself when it also
    answers GET (`/register`), else its parent (`/queue/{id}/decision` -> `/queue/{id}`)."""
    path = request.url.path
    while path not in ("", "/"):
        scope = {"type": "http", "path": path, "method": "GET", "root_path": ""}
        for route in request.app.router.routes:
            match, _child = route.matches(scope)
            if match is Match.FULL and not isinstance(route, Mount):
                return path
        path = path.rsplit("/", 1)[0]
    return "/"


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def client_address(request: Request) -> str:
    """The client's address (behind a proxy: as forwarded, see FORWARDED_ALLOW_IPS)."""
    return request.client.host if request.client else "unknown"


def file_response(
    content: bytes, *, media_type: str, filename: str, inline: bool = False
) -> Response:
    """A download that never leaks into caches, with a file name any browser accepts:
    an ASCII fallback plus the exact name in RFC 5987 form."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    ascii_name = "".join(c for c in ascii_name if c.isalnum() or c in "._- ") or "document"
    disposition = "inline" if inline else "attachment"
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{ascii_name}"; '
            f"filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def limit_per_client(request: Request, throttle: Any, name: str, who: str | None = None) -> None:
    """Count this request against `throttle` for the client (or for `who`, an account);
    429 when over the limit."""
    key = f"{name}:{who or client_address(request)}"
    if not throttle.hit(key):
        raise TooManyRequests(
            "too_many_requests",
            "Too many requests from your address. Wait a minute and try again.",
            retry_after=throttle.retry_after(key),
        )
