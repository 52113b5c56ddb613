"""Two-factor login in a real browser: a new clerk logs in, scans (reads) the QR page's
key, confirms a code, keeps the recovery codes, logs out, and logs in again with a code
from the app; a copied cookie of the ended session no longer opens a page."""

from __future__ import annotations

import time
import uuid

import pyotp
import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session

from app.auth import service as auth_service
from app.auth.models import Role, UserCreate
from app.db import make_engine
from tests.browser.conftest import LiveServer
from tests.browser.test_application_journey import PASSWORD

pytestmark = pytest.mark.browser


def _new_clerk(live_server: LiveServer) -> str:
    email = f"clerk-mfa-{uuid.uuid4().hex[:8]}@tilburg.example"
    engine = make_engine(live_server.database_url)
    with Session(engine) as session:
        auth_service.create(
            session=session,
            data=UserCreate(email=email, password=PASSWORD, role=Role.clerk),
            actor=None,
        )
        session.commit()
    engine.dispose()
    return email


def _password(page, live_server: LiveServer, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server.url + "/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def test_clerk_enrols_logs_out_and_logs_in_with_a_code(
    browser: Browser, live_server: LiveServer
) -> None:
    email = _new_clerk(live_server)
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15_000)

    _password(page, live_server, email)
    expect(page).to_have_url(live_server.url + "/login/enrol")
    qr = page.locator("img.qr")
    expect(qr).to_be_visible()
    assert (qr.get_attribute("src") or "").startswith("data:image/svg+xml")
    assert qr.evaluate("img => img.naturalWidth") > 0  # the browser could draw it
    secret = page.locator("#mfa-secret").inner_text().strip()
    totp = pyotp.TOTP(secret)

    page.locator("#code").fill("000000" if totp.now() != "000000" else "111111")
    page.locator("form[action='/login/enrol'] button[type=submit]").click()
    expect(page.locator("#code")).to_have_attribute("aria-invalid", "true")
    page.locator("#code").fill(totp.now())
    page.locator("form[action='/login/enrol'] button[type=submit]").click()
    codes = page.locator(".recovery-codes code")
    expect(codes).to_have_count(10)
    page.locator("main a.button").click()
    expect(page.get_by_role("heading", name="Werkvoorraad")).to_be_visible()

    session_cookie = next(c for c in context.cookies() if c["name"] == "swl_session")
    page.locator("#account-menu > summary").click()
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("link", name="Inloggen").first).to_be_visible()

    # The cookie of the ended session, put back, opens nothing.
    thief = browser.new_context(locale="nl-NL")
    thief.add_cookies([session_cookie])
    stolen = thief.new_page()
    stolen.goto(live_server.url + "/home")
    expect(stolen).to_have_url(live_server.url + "/login?next=/home")
    thief.close()

    # Next login: the password, then a (new) code from the app.
    _password(page, live_server, email)
    expect(page).to_have_url(live_server.url + "/login/code")
    code = totp.at(time.time(), counter_offset=1)  # the step after the enrolment code
    page.locator("#code").fill(code)
    page.locator("form[action='/login/code'] button[type=submit]").click()
    expect(page.get_by_role("heading", name="Werkvoorraad")).to_be_visible()
    context.close()
