"""A person's account from start to finish in a real browser, with the e-mail read from a
real SMTP server: register, confirm the address by the link, log out, forget the
password, choose a new one by the link (which ends the session on the other device) and
log in with it."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Accounts, LiveServer
from tests.smtp import Inbox

pytestmark = pytest.mark.browser


def _log_in(page: Page, live_server: LiveServer, email: str, password: str) -> None:
    page.goto(live_server.url + "/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()


def test_register_confirm_log_out_forget_reset_and_log_in(
    browser: Browser, live_server: LiveServer, accounts: Accounts, mailbox: Inbox
) -> None:
    email = f"sw-{uuid.uuid4().hex[:8]}@example.org"
    password = "een heel geheim wachtwoord"
    new_password = "een nieuw en lang wachtwoord"
    laptop = browser.new_context(locale="nl-NL")
    page = laptop.new_page()
    page.set_default_timeout(15_000)
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
    expect(page.locator("#sent")).to_be_visible()

    # Before the address is confirmed, logging in is answered like a wrong password.
    _log_in(page, live_server, email, password)
    expect(page.get_by_role("alert")).to_contain_text("E-mailadres of wachtwoord is onjuist")

    # The link from the e-mail, then the button on its page, confirms and logs in.
    page.goto(accounts.confirmation_link(email))
    page.get_by_role("button", name="Mijn adres bevestigen").click()
    expect(page.get_by_role("heading", name="Mijn pagina")).to_be_visible()

    # A second device (a phone) is logged in too.
    phone = browser.new_context(locale="nl-NL", viewport={"width": 360, "height": 740})
    other = phone.new_page()
    other.set_default_timeout(15_000)
    _log_in(other, live_server, email, password)
    expect(other.get_by_role("heading", name="Mijn pagina")).to_be_visible()

    page.locator("#account-menu > summary").click()
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("link", name="Inloggen").first).to_be_visible()

    # Forgotten: the login page offers a reset link by e-mail.
    page.get_by_role("link", name="Inloggen").first.click()
    page.get_by_role("link", name="Wachtwoord vergeten?").click()
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_role("button", name="Link sturen").click()
    expect(page.locator("#sent")).to_be_visible()
    reset_link = accounts.on_this_server(mailbox.wait_for_link(email, "/password/reset"))
    page.goto(reset_link)
    page.get_by_label("Nieuw wachtwoord", exact=True).fill(new_password)
    page.get_by_label("Herhaal nieuw wachtwoord").fill(new_password)
    page.get_by_role("button", name="Nieuw wachtwoord opslaan").click()
    expect(page).to_have_url(f"{live_server.url}/login?reset=1")

    # The phone's session ended with the reset.
    other.reload()
    expect(other).to_have_url(re.compile(r"/login"))
    expect(other.get_by_role("heading", name="Mijn pagina")).to_have_count(0)
    phone.close()

    # The link is spent; the old password no longer works; the new one does.
    page.goto(reset_link)
    page.get_by_label("Nieuw wachtwoord", exact=True).fill("nog een ander wachtwoord")
    page.get_by_label("Herhaal nieuw wachtwoord").fill("nog een ander wachtwoord")
    page.get_by_role("button", name="Nieuw wachtwoord opslaan").click()
    expect(page.get_by_role("alert")).to_be_visible()
    _log_in(page, live_server, email, password)
    expect(page.get_by_role("alert")).to_contain_text("E-mailadres of wachtwoord is onjuist")
    _log_in(page, live_server, email, new_password)
    expect(page.get_by_role("heading", name="Mijn pagina")).to_be_visible()
    expect(page.get_by_role("heading", name="Mijn aanvragen")).to_be_visible()

    # The language switch (a small form, a button that looks like a link) turns the whole
    # page into English.
    page.locator("#lang-menu > summary").click()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="My page")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    laptop.close()
