"""Translations with Babel: `.po` catalogs compiled in memory at start-up.

Message ids are English; `nl` is the default interface language. Every catalog (Dutch,
and the languages many sex workers in the Netherlands speak: Romanian, Bulgarian,
Hungarian, Spanish, Polish, Thai) must translate every message with the same
placeholders (a test checks it). The current locale lives in a context
variable set per request, so templates and services can translate without passing it.
"""

from __future__ import annotations

import gettext as stdlib_gettext
from contextvars import ContextVar
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Literal, get_args

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
LanguageCode = Literal["nl", "en", "ro", "bg", "hu", "es", "pl", "th"]
LANGUAGES: dict[str, str] = {
    # Each language in its own name, as the language menu shows it.
    "nl": "Nederlands",
    "en": "English",
    "ro": "Română",
    "bg": "Български",
    "hu": "Magyar",
    "es": "Español",
    "pl": "Polski",
    "th": "ไทย",
}
assert set(LANGUAGES) == set(get_args(LanguageCode))
DEFAULT_LANGUAGE = "nl"

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LANGUAGE)


@lru_cache
def translations(locale: str) -> stdlib_gettext.NullTranslations:
    po_path = TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return stdlib_gettext.NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return stdlib_gettext.GNUTranslations(buffer)


def normalise_language(value: str | None) -> str | None:
    if not value:
        return None
    code = value.strip().lower()[:2]
    return code if code in LANGUAGES else None


def gettext(message: str, **variables: object) -> str:
    text = translations(current_locale.get()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(current_locale.get()).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


def lazy_gettext(message: str) -> LazyProxy:
    return LazyProxy(gettext, message, enable_cache=False)


def translate_in(locale: str, message: str) -> str:
    """Translate into a given language, whatever the request's language is."""
    return translations(locale).gettext(message)


_ = gettext
