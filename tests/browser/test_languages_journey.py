"""A sex worker whose language is Romanian or Thai applies on a phone (360 px): she
registers in her language, fills in her details with a Thai working name, switches the
language in the middle of the form without losing what she typed, uploads her document by
choosing it, and submits. After the clerk's approval her permit's PDF carries the Thai
working name."""

from __future__ import annotations

import re
import uuid
from datetime import date

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from app.context import LANGUAGE_COOKIE
from tests.browser.conftest import Accounts, LiveServer
from tests.browser.test_application_journey import PASSWORD, PDF, _make_clerk
from tests.browser.test_verification import _token
from tests.documents.glyphs import missing_glyphs
from tests.factories import pdf_text

pytestmark = pytest.mark.browser

THAI_NAME = "มะลิ"
LEGAL_NAME = "Malee Srisuk"


def switch_language(page: Page, code: str) -> None:
    """Use the language menu of the page (a form posting to /lang)."""
    menu = page.locator("form[action='/lang']")
    choice = menu.locator("select[name='code']")
    if choice.count():
        choice.first.select_option(code)
        menu.first.locator("button[type='submit']").click()
    else:
        opener = page.locator("#lang-menu summary")
        if opener.count() and opener.first.is_visible():
            opener.first.click()
        page.locator(f"form[action='/lang']:has(input[name='code'][value='{code}']) button").click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def register(page: Page, accounts: Accounts, email: str) -> None:
    """Register and confirm in whatever language the page is in (by the fields' ids)."""
    page.goto(accounts.live_server.url + "/register")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password_repeat").fill(PASSWORD)
    page.locator("form[action='/register'] button[type='submit']").click()
    expect(page.locator("#sent")).to_be_visible()
    page.goto(accounts.confirmation_link(email))
    page.locator("form[action='/register/confirm'] button[type='submit']").click()
    expect(page).to_have_url(accounts.live_server.url + "/home")


@pytest.mark.parametrize(("language", "other"), [("ro", "th"), ("th", "ro")])
def test_apply_in_my_language_on_a_phone(
    browser: Browser, live_server: LiveServer, accounts: Accounts, language: str, other: str
) -> None:
    phone = browser.new_context(
        locale=language, viewport={"width": 360, "height": 740}, accept_downloads=True
    )
    phone.add_cookies([{"name": LANGUAGE_COOKIE, "value": language, "url": live_server.url}])
    page = phone.new_page()
    page.set_default_timeout(15_000)
    email = f"malee-{language}-{uuid.uuid4().hex[:8]}@example.org"
    register(page, accounts, email)
    expect(page.locator("html")).to_have_attribute("lang", language)

    page.goto(live_server.url + "/applications/new")
    page.locator("#type-sex_worker").check()
    page.locator("form[action='/applications/new'] button[type='submit']").click()
    expect(page).to_have_url(
        f"{live_server.url}/applications/" + "*/details" if False else page.url
    )
    born = date.today().replace(year=date.today().year - 29)
    page.locator("#working_name").fill(THAI_NAME)
    legal_name = f"{LEGAL_NAME} {language.upper()}{uuid.uuid4().hex[:4]}"
    page.locator("#legal_name").fill(legal_name)
    page.locator("#birth_date").fill(born.isoformat())
    page.locator("#email").fill(email)

    # Switching the language in the middle of the form keeps every typed value.
    switch_language(page, other)
    expect(page.locator("#working_name")).to_have_value(THAI_NAME)
    expect(page.locator("#legal_name")).to_have_value(legal_name)
    expect(page.locator("#birth_date")).to_have_value(born.isoformat())
    switch_language(page, language)
    expect(page.locator("#working_name")).to_have_value(THAI_NAME)

    # Save and continue; choosing the document uploads it.
    page.locator("form[action$='/details'] button[name='next']").click()
    expect(page).to_have_url(re.compile(r"/applications/[^/]+/documents$"))
    page.locator("#file-identity_document").set_input_files(
        files=[{"name": "id.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    expect(page.locator(".check-passed")).to_contain_text("id.pdf")
    application_id = page.url.rsplit("/", 2)[1]
    page.locator(f"main a.button[href='/applications/{application_id}']").click()
    page.locator("form[action$='/submit'] button[type='submit']").click()
    expect(page.locator("#status")).to_be_visible()

    # The clerk approves (through the API); the applicant downloads her permit.
    clerk = _make_clerk(live_server)
    decided = httpx.post(
        f"{live_server.url}/api/v1/applications/{application_id}/decision",
        headers=_token(live_server, clerk),
        json={"decision": "approve"},
        timeout=30,
    )
    decided.raise_for_status()
    page.reload()
    with page.expect_download() as download:
        page.locator("a[href$='/pdf']").first.click()
    content = download.value.path().read_bytes()
    assert THAI_NAME in pdf_text(content)
    assert missing_glyphs(content) == []  # no .notdef box, every glyph in its font
    phone.close()
