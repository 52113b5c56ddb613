"""Quiet mode for shared phones: a quick exit on applicant and public pages that works
without script, and no e-mail address in the page header."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.models import Role
from app.config import PROJECT_ROOT, get_settings
from tests.factories import login_page, make_application, make_user

QUICK_EXIT = re.compile(r'<a class="quick-exit" id="quick-exit" href="([^"]+)"')


def _exit_of(html: str) -> str | None:
    found = QUICK_EXIT.search(html)
    return found.group(1) if found else None


def test_public_pages_have_the_quick_exit(client: TestClient) -> None:
    neutral = get_settings().quick_exit_url
    for path in ("/", "/login", "/register", "/beleid", "/verify", "/overlast-melden"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert _exit_of(page.text) == neutral, path
        assert '<script src="/static/quick-exit.js" defer></script>' in page.text


def test_applicant_pages_have_the_quick_exit_and_no_email(
    client: TestClient, session: Session
) -> None:
    applicant = make_user(session)
    application = make_application(session, applicant)
    login_page(client, applicant)
    for path in ("/home", f"/applications/{application.id}", "/home-work", "/beleid"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert _exit_of(page.text) == get_settings().quick_exit_url, path
        assert applicant.email not in page.text, path


def test_staff_pages_show_no_email_and_need_no_quick_exit(
    client: TestClient, session: Session
) -> None:
    clerk = make_user(session, Role.clerk)
    login_page(client, clerk)
    page = client.get("/queue")
    assert page.status_code == 200
    assert clerk.email not in page.text
    assert _exit_of(page.text) is None


def test_the_script_is_a_static_file(client: TestClient) -> None:
    script = (PROJECT_ROOT / "app" / "static" / "quick-exit.js").read_text()
    assert "location.replace" in script
    assert client.get("/static/quick-exit.js").status_code == 200
