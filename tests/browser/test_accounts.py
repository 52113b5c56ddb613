from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_register_logout_login_home(page: Page, live_server: LiveServer) -> None:
    email = f"sw-{uuid.uuid4().hex[:8]}@example.org"
    password = "een heel geheim wachtwoord"
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Account aanmaken").first.click()

    # A short password is refused with the error next to the field; the email stays.
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill("kort")
    page.get_by_label("Herhaal wachtwoord").fill("kort")
    page.get_by_role("button", name="Account aanmaken").click()
    expect(page.get_by_role("alert")).to_contain_text("minstens 12 tekens")
    expect(page.get_by_label("E-mailadres")).to_have_value(email)

    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.get_by_label("Herhaal wachtwoord").fill(password)
    page.get_by_role("button", name="Account aanmaken").click()
    expect(page.get_by_role("heading", name="Mijn pagina")).to_be_visible()

    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("link", name="Inloggen").first).to_be_visible()

    page.get_by_role("link", name="Inloggen").first.click()
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Mijn pagina")).to_be_visible()
    expect(page.get_by_role("heading", name="Mijn aanvragen")).to_be_visible()

    # The language switch (a small form, a button that looks like a link) turns the whole
    # page into English.
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="My page")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
