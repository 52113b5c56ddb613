"""A message's subject, text and HTML, made from templates under `templates/mail/` in the
recipient's language (through the Babel catalogs, so a new language needs no change here).

Discretion: the subject and the sender's name are the municipality's and nothing more;
the body says there is news and links to the site. Templates get only the message's
values, the site's address and the municipality's name."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.config import PROJECT_ROOT, get_settings
from app.i18n import translate_in
from app.mail import kinds


def N_(message: str) -> str:
    """Marks a message for translation (extracted by Babel), translated when used."""
    return message


SUBJECT = N_("Message from %(municipality)s")

_language: contextvars.ContextVar[str] = contextvars.ContextVar("mail_language", default="nl")


def _gettext(message: str) -> str:
    return translate_in(_language.get(), message)


_env = Environment(
    loader=FileSystemLoader(str(PROJECT_ROOT / "templates")),
    autoescape=select_autoescape(["html"], default_for_string=False, default=False),
    undefined=StrictUndefined,
    extensions=["jinja2.ext.i18n"],
    keep_trailing_newline=True,
)
_env.install_gettext_callables(  # type: ignore[attr-defined]
    gettext=_gettext,
    ngettext=lambda s, p, n: _gettext(s if n == 1 else p),
    newstyle=True,
)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def site_link(path: str = "/") -> str:
    return get_settings().base_url + path


def render(*, kind: str, language: str, values: dict[str, Any]) -> Rendered:
    spec = kinds.get(kind)
    settings = get_settings()
    context = {
        **values,
        "municipality": settings.municipality_name,
        "site": site_link("/"),
        "home_link": site_link("/home"),
        "preferences_link": site_link("/account/mail"),
        "optional": not spec.security,
        "lang": language,
    }
    token = _language.set(language)
    try:
        subject = translate_in(language, SUBJECT) % {"municipality": settings.municipality_name}
        text = _env.get_template(f"mail/{spec.template}.txt").render(context)
        html = _env.get_template(f"mail/{spec.template}.html").render(context)
    finally:
        _language.reset(token)
    return Rendered(subject=subject, text=text, html=html)
