"""Every user-facing string is translated into Dutch (the default language)."""

from __future__ import annotations

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.config import PROJECT_ROOT
from app.i18n import TRANSLATIONS_DIR

METHOD_MAP = [("app/**.py", "python"), ("templates/**.html", "jinja2")]


def _source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(PROJECT_ROOT), METHOD_MAP, options_map={"templates/**.html": {}}
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_has_a_dutch_translation() -> None:
    with (TRANSLATIONS_DIR / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="nl")
    translated = {
        m.id[0] if isinstance(m.id, tuple) else m.id
        for m in catalog
        if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(_source_messages() - translated)
    assert missing == [], f"untranslated in nl: {missing}"


def test_source_has_messages() -> None:
    assert "Log in" in _source_messages()


def test_no_stigmatising_words_in_the_interface() -> None:
    with (TRANSLATIONS_DIR / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="nl")
    for message in catalog:
        text = f"{message.id} {message.string}".lower()
        assert "prostitu" not in text, message.id
