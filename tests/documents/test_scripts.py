"""Every script prints: working and business names in Thai, Arabic, Cyrillic, Greek, Hebrew,
Hungarian accents and emoji come out of every PDF as text, drawn with a glyph of a font of
the stylesheet's stack, never with `.notdef` (the empty box). See tests/documents/glyphs.py
for how the drawn glyphs are read back from the file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.auth import service as auth_service
from app.auth.models import User
from app.config import PROJECT_ROOT
from app.documents import render
from app.documents.models import Document, DocumentKind
from app.permits.models import Permit
from tests.documents.glyphs import css_font_stack, drawn_glyphs, missing_glyphs
from tests.factories import make_application, make_user, pdf_text, token_for

API = "/api/v1"
NAMES = ("มะลิ", "ياسمين", "Жасмин", "Őrsi Ügyes Erzsébet", "🌸")
WORKING_NAME = " ".join(NAMES)  # 38 characters: within the 60 a working name may have
MORE_NAMES = ("Ελένη", "שושנה", "Kovács Győző")
# Emoji are drawn with Debian's colour emoji font, found by fontconfig; print.css does not
# name it (named, Pango would take the digits from it).
EMOJI = "Noto Color Emoji"
STACK = css_font_stack((PROJECT_ROOT / "templates" / "pdf" / "print.css").read_text("utf-8"))


def _css(stack: list[str]) -> str:
    return ", ".join(name if name == "sans-serif" else f"'{name}'" for name in stack)


def assert_every_script_prints(
    pdf: bytes, names: tuple[str, ...] = NAMES, stack: list[str] = STACK
) -> None:
    text = " ".join(pdf_text(pdf).split())
    for name in names:
        assert name in text, name
    glyphs = drawn_glyphs(pdf)
    assert glyphs, "no text drawn"
    assert missing_glyphs(pdf) == [], "a character was drawn as .notdef (an empty box)"
    # Drawn with the stack's fonts, not with whatever fontconfig found on this machine:
    # a server without the font would draw boxes.
    fonts = {g.font for g in glyphs}
    assert fonts <= {*stack, EMOJI}, (fonts, stack)
    # The emoji font draws the emoji (and perhaps a space beside one), not the digits of
    # dates and numbers.
    emoji = sum(1 for c in text if ord(c) >= 0x1F000)
    assert sum(1 for g in glyphs if g.font == EMOJI) <= emoji * 2


def _approved(client: TestClient, session: Session, clerk: User, language: str) -> Permit:
    holder = auth_service.set_language(session=session, user=make_user(session), language=language)
    application = make_application(session, holder, working_name=WORKING_NAME)
    response = client.post(
        f"{API}/applications/{application.id}/decision",
        json={"decision": "approve"},
        headers=token_for(client, clerk),
    )
    assert response.status_code == 200, response.text
    session.expire_all()
    return session.exec(
        select(Permit).where(Permit.number == response.json()["permit_number"])
    ).one()


def test_the_stack_names_a_font_for_every_script() -> None:
    assert STACK[0] == "DejaVu Sans"
    assert "Noto Sans Thai UI" in STACK and EMOJI not in STACK


@pytest.mark.parametrize("language", ["nl", "th"])
def test_permit_with_a_name_in_every_script(
    client: TestClient, session: Session, clerk: User, language: str
) -> None:
    permit = _approved(client, session, clerk, language)
    holder = session.get(User, permit.holder_id)
    assert holder is not None
    response = client.get(f"{API}/permits/{permit.number}/pdf", headers=token_for(client, holder))
    assert response.status_code == 200, response.text
    assert_every_script_prints(response.content)


def test_decision_letter_with_a_name_in_every_script(
    client: TestClient, session: Session, clerk: User
) -> None:
    permit = _approved(client, session, clerk, "nl")
    holder = session.get(User, permit.holder_id)
    assert holder is not None
    letter = session.exec(
        select(Document)
        .where(Document.owner_id == holder.id, Document.kind == DocumentKind.decision_approve)
        .order_by(col(Document.created_at))
    ).one()
    response = client.get(f"{API}/documents/{letter.id}", headers=token_for(client, holder))
    assert response.status_code == 200, response.text
    assert_every_script_prints(response.content)


def test_data_export_pdf_with_a_name_in_every_script(
    client: TestClient, session: Session, clerk: User
) -> None:
    permit = _approved(client, session, clerk, "hu")
    holder = session.get(User, permit.holder_id)
    assert holder is not None
    response = client.get(f"{API}/me/export.pdf", headers=token_for(client, holder))
    assert response.status_code == 200, response.text
    assert_every_script_prints(response.content)


def test_inspection_report_with_names_in_every_script() -> None:
    business = "Club " + " ".join(MORE_NAMES)
    context: dict[str, Any] = {
        "title": "Inspection report",
        "reference_code": "ABC123",
        "version": 1,
        "place": business,
        "permit_number": "SW-TEST",
        "working_name": WORKING_NAME,
        "visited_at": "27-11-2026",
        "inspectors": ["inspector"],
        "recorded_by": "inspector",
        "outcome": "ok",
        "checklist": [{"label": "Ελένη 🌸", "answer": "✓", "failed": False, "note": "ياسمين"}],
        "findings": WORKING_NAME,
        "policy_reference": "APV",
    }
    pdf = render.render_pdf("inspection.html", context, "en")
    assert_every_script_prints(pdf, (*NAMES, *MORE_NAMES))


# ---- the checks themselves can fail -------------------------------------------------------

_RENDER = """
import json, sys
from app.documents.render import html_to_pdf
from tests.documents.glyphs import missing_glyphs
stack, text = sys.argv[1:3]
html = f'<html><body style="font-family: {stack}"><p>{text}</p></body></html>'
print(json.dumps(len(missing_glyphs(html_to_pdf(html)))))
"""


def test_a_server_without_the_thai_font_is_caught(tmp_path: Any) -> None:
    """With only DejaVu installed, Thai and emoji are drawn as .notdef: the check sees it."""
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        "<dir>/usr/share/fonts/truetype/dejavu</dir>"
        f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>"
    )
    stack = _css(STACK)
    env = {**os.environ, "FONTCONFIG_FILE": str(config), "PYTHONPATH": str(PROJECT_ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", _RENDER, stack, WORKING_NAME],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
    )
    # มะลิ (4) and 🌸 (1) have no glyph in DejaVu.
    assert json.loads(result.stdout.strip().splitlines()[-1]) == 5


def test_a_stack_without_the_thai_font_is_caught() -> None:
    """fontconfig finds an installed font the stack does not name; the check sees it."""
    without_thai = [name for name in STACK if "Thai" not in name]
    html = (
        f'<html><body style="font-family: {_css(without_thai)}"><p>{WORKING_NAME}</p></body></html>'
    )
    pdf = render.html_to_pdf(html)
    with pytest.raises(AssertionError, match="Noto Sans Thai UI"):
        assert_every_script_prints(pdf, stack=without_thai)
    assert "Noto Sans Thai UI" in {g.font for g in drawn_glyphs(pdf)}


def test_the_web_stylesheet_names_fonts_for_every_script() -> None:
    css = (PROJECT_ROOT / "app" / "static" / "style.css").read_text("utf-8")
    body = css.split("body {", 1)[1].split("}", 1)[0]
    for family in ("DejaVu Sans", "Noto Sans Thai", "Noto Sans Arabic", "Noto Color Emoji"):
        assert f'"{family}' in body, family
