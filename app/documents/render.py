"""One rendering path for every document: Jinja2 HTML under templates/pdf, WeasyPrint to
PDF/A-3b. WeasyPrint is imported on first use, not when the app starts.

Fonts are Debian's DejaVu, Noto UI (Thai) and Noto Color Emoji, found through fontconfig
(the stack is in templates/pdf/print.css); nothing is
downloaded at render time: the URL fetcher refuses every URL that is not a local file or
a data: URI.
"""

from __future__ import annotations

import base64
import io
import mimetypes
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import segno
from markupsafe import Markup

from app.config import PROJECT_ROOT, get_settings
from app.i18n import current_locale, gettext, ngettext

PDF_TEMPLATES = PROJECT_ROOT / "templates" / "pdf"
# Bump when a PDF template changes: stored documents record the version they were made with.
TEMPLATE_VERSION = "2026.11.2"
PDF_VARIANT = "pdf/a-3b"
# Decoded images kept between renders (the logo is the same on every document).
_IMAGE_CACHE: dict[str, Any] = {}


@lru_cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(PDF_TEMPLATES)),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s, **kw: gettext(s, **kw),
        ngettext=lambda s, p, n, **kw: ngettext(s, p, n, **kw),
        newstyle=True,
    )
    return env


@contextmanager
def language(lang: str) -> Iterator[None]:
    token = current_locale.set(lang)
    try:
        yield
    finally:
        current_locale.reset(token)


def data_uri(content: bytes, media_type: str) -> str:
    return f"data:{media_type};base64,{base64.b64encode(content).decode()}"


def qr_data_uri(url: str) -> str:
    """A QR code for `url` as a PNG data URI, one pixel per module (error correction M).

    The stylesheet scales it up with `image-rendering: pixelated`, so it stays sharp in
    print while the PDF carries a tiny image (fast to render, small to store).
    """
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=1, border=4)
    return data_uri(buffer.getvalue(), "image/png")


@lru_cache
def logo_data_uri(path: str | None) -> str:
    logo = Path(path) if path else PROJECT_ROOT / "app" / "static" / "logo.svg"
    media_type = mimetypes.guess_type(logo.name)[0] or "image/png"
    return data_uri(logo.read_bytes(), media_type)


def _common() -> dict[str, Any]:
    settings = get_settings()
    return {
        "municipality": settings.municipality_name,
        "colour": settings.municipality_colour,
        "logo": logo_data_uri(
            str(settings.municipality_logo) if settings.municipality_logo else None
        ),
    }


def render_html(template: str, context: dict[str, Any], lang: str) -> str:
    """The document's HTML in `lang`. A context with `courtesy` ({"lang": ..., "context":
    {...}}) also gets the template's `body` block rendered in that language from that
    context, as `courtesy_html`: the courtesy translation after the legal text."""
    page = _environment().get_template(template)
    courtesy_html = None
    courtesy = context.get("courtesy")
    if courtesy:
        with language(courtesy["lang"]):
            variables = {**_common(), "lang": courtesy["lang"], **courtesy["context"]}
            body = page.blocks["body"](page.new_context({**variables, "is_courtesy": True}))
            # The block's output was escaped by the environment (autoescape) as it rendered.
            courtesy_html = Markup("".join(body))  # noqa: S704
    with language(lang):
        return page.render(
            lang=lang, **_common(), **context, courtesy_html=courtesy_html, is_courtesy=False
        )


def html_to_pdf(html: str, *, identifier: bytes | None = None) -> bytes:
    """HTML to PDF/A-3b bytes. Title, author and language come from the HTML head."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    # Only files that ship with the project and inline data: never the network.
    fetcher = URLFetcher(allowed_protocols=("file", "data"), fail_on_errors=True)
    document = HTML(string=html, base_url=str(PDF_TEMPLATES), url_fetcher=fetcher)
    if len(_IMAGE_CACHE) > 64:  # QR codes differ per document: keep the cache small
        _IMAGE_CACHE.clear()
    try:
        pdf = document.write_pdf(
            pdf_variant=PDF_VARIANT, pdf_identifier=identifier, cache=_IMAGE_CACHE
        )
    except FatalURLFetchingError as exc:  # a BaseException: make it an ordinary error
        raise RuntimeError(f"a document resource could not be loaded: {exc}") from exc
    if pdf is None:
        raise RuntimeError("WeasyPrint returned no PDF")
    return bytes(pdf)


def render_pdf(
    template: str, context: dict[str, Any], lang: str, *, identifier: bytes | None = None
) -> bytes:
    """`identifier` (the PDF /ID) tells versions of a document apart even when their
    content is the same, e.g. a permit reinstated after a suspension."""
    return html_to_pdf(render_html(template, context, lang), identifier=identifier)
