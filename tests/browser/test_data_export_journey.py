"""An applicant, on a phone, finds "Your data" on their page, downloads everything held
about them and reads it: the JSON export holds their application with their legal name,
and the readable PDF says the same."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import Accounts, LiveServer
from tests.browser.test_application_journey import PASSWORD
from tests.factories import pdf_text

pytestmark = pytest.mark.browser

LEGAL_NAME = "Ilinca Exportescu"


def test_an_applicant_downloads_and_reads_their_data(
    browser: Browser, live_server: LiveServer, accounts: Accounts
) -> None:
    email = f"ilinca-{uuid.uuid4().hex[:8]}@example.org"
    phone = browser.new_context(
        locale="nl-NL", viewport={"width": 360, "height": 740}, accept_downloads=True
    )
    page = phone.new_page()
    page.set_default_timeout(15_000)
    accounts.register(page, email, PASSWORD)
    page.get_by_role("link", name="Vergunning aanvragen").click()
    page.get_by_label("Vergunning sekswerker").check()
    page.get_by_role("button", name="Aanvraag starten").click()
    page.get_by_label("Werknaam").fill("Ili")
    page.get_by_label("Naam zoals op uw identiteitsbewijs").fill(LEGAL_NAME)
    page.get_by_role("button", name="Opslaan als concept").click()
    expect(page.get_by_label("Werknaam")).to_have_value("Ili")

    page.goto(live_server.url + "/home")
    page.locator("#your-data").click()
    expect(page.get_by_role("heading", name="Alles wat wij over u bewaren")).to_be_visible()
    with page.expect_download() as download:
        page.locator("#export-json").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert LEGAL_NAME in json.dumps(data, ensure_ascii=False)
    assert data["account"]["email"] == email
    with page.expect_download() as download:
        page.locator("#export-pdf").click()
    assert LEGAL_NAME in pdf_text(Path(download.value.path()).read_bytes())
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    phone.close()
