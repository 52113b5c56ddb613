"""Every user-facing string is translated into every language of the interface, with the
same placeholders as the source."""

from __future__ import annotations

import re

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.config import PROJECT_ROOT
from app.i18n import LANGUAGES, TRANSLATIONS_DIR

METHOD_MAP = [
    ("app/**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("templates/mail/**.txt", "jinja2"),
]
TRANSLATED = sorted(code for code in LANGUAGES if code != "en")  # English is the source
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|<[^>]+>")
STIGMATISING = ("prostitu", "prostytu", "проститу", "โสเภณี")


def _source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(PROJECT_ROOT), METHOD_MAP, options_map={"templates/**.html": {}}
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _catalog(code: str) -> Catalog:
    with (TRANSLATIONS_DIR / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=code)


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated(code: str) -> None:
    catalog = _catalog(code)
    translated = {
        m.id[0] if isinstance(m.id, tuple) else m.id
        for m in catalog
        if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(_source_messages() - translated)
    assert missing == [], f"untranslated in {code}: {missing}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_the_placeholders_and_markup(code: str) -> None:
    wrong = []
    for message in _catalog(code):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = sorted(p for p in PLACEHOLDER.findall(ids[-1]) if p != "%(num)d")
        for text in strings:
            found = sorted(p for p in PLACEHOLDER.findall(text) if p != "%(num)d")
            if text and found != expected:
                wrong.append((ids[0], text))
    assert wrong == [], f"placeholders differ in {code}: {wrong[:5]}"


def test_source_has_messages() -> None:
    assert "Log in" in _source_messages()


def test_the_language_menu_names_each_language_in_itself() -> None:
    assert LANGUAGES["ro"] == "Română" and LANGUAGES["th"] == "ไทย"
    assert LANGUAGES["bg"] == "Български" and LANGUAGES["hu"] == "Magyar"


@pytest.mark.parametrize("code", TRANSLATED)
def test_no_stigmatising_words_in_the_interface(code: str) -> None:
    for message in _catalog(code):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        text = f"{message.id} {' '.join(s or '' for s in strings)}".lower()
        assert not any(word in text for word in STIGMATISING), message.id
