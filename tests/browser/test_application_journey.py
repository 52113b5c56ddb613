"""An applicant applies in the browser from start to submission and sees the checks; a
clerk decides it in the browser; the applicant sees the decision and the permit."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from app.auth import service as auth_service
from app.auth.models import Role, UserCreate
from app.db import make_engine
from tests.browser.conftest import Accounts, LiveServer
from tests.factories import MFA_SECRETS, PDF_BYTES, enrol_mfa, totp_code

pytestmark = pytest.mark.browser

PDF = PDF_BYTES  # a real one-page PDF: uploads are read
PASSWORD = "een heel geheim wachtwoord"


def _make_clerk(live_server: LiveServer) -> str:
    email = f"clerk-{uuid.uuid4().hex[:8]}@tilburg.example"
    engine = make_engine(live_server.database_url)
    with Session(engine) as session:
        clerk = auth_service.create(
            session=session,
            data=UserCreate(email=email, password=PASSWORD, role=Role.clerk),
            actor=None,
        )
        enrol_mfa(session, clerk)
        session.commit()
    engine.dispose()
    return email


def _log_in(page: Page, live_server: LiveServer, email: str) -> None:
    """Log in; staff (enrolled by the test with `enrol_mfa`) also type their app's code."""
    page.goto(live_server.url + "/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    if email in MFA_SECRETS:
        expect(page).to_have_url(live_server.url + "/login/code")
        page.locator("#code").fill(totp_code(email))
        page.locator("form[action='/login/code'] button[type=submit]").click()
        expect(page).not_to_have_url(live_server.url + "/login/code")


def _log_out(page: Page) -> None:
    page.locator("#account-menu > summary").click()
    page.get_by_role("button", name="Uitloggen").click()


def test_apply_submit_decide_and_see_decision(
    page: Page, live_server: LiveServer, accounts: Accounts
) -> None:
    email = f"roos-{uuid.uuid4().hex[:8]}@example.org"
    accounts.register(page, email, PASSWORD)

    page.get_by_role("link", name="Vergunning aanvragen").click()
    page.get_by_label("Vergunning sekswerker").check()
    page.get_by_role("button", name="Aanvraag starten").click()

    # Step 1: details, saved as a draft first, with a mistake that is explained.
    expect(page.get_by_role("heading", name="Uw gegevens")).to_be_visible()
    page.get_by_label("Werknaam").fill("Roos")
    page.get_by_label("Geboortedatum").fill("2099-01-01")
    page.get_by_role("button", name="Opslaan als concept").click()
    expect(page.get_by_role("alert")).to_contain_text("echte geboortedatum")
    expect(page.get_by_label("Werknaam")).to_have_value("Roos")

    born = date.today().replace(year=date.today().year - 30)
    page.get_by_label("Naam zoals op uw identiteitsbewijs").fill("Maria Jansen")
    page.get_by_label("Geboortedatum").fill(born.isoformat())
    page.get_by_label("E-mailadres").fill("roos@example.org")
    page.get_by_role("button", name="Opslaan als concept").click()
    expect(page.get_by_role("status")).to_contain_text("Opgeslagen")
    page.get_by_role("button", name="Opslaan en verder").click()

    # Step 2: a document that is not a PDF/JPEG/PNG is refused; a PDF is accepted.
    expect(page.get_by_role("heading", name="Documenten", exact=True)).to_be_visible()
    upload = page.get_by_label("Kies bestand (Kopie van een geldig identiteitsbewijs)")
    # Choosing a file uploads it at once (no button to forget).
    upload.set_input_files(
        files=[{"name": "id.pdf", "mimeType": "application/pdf", "buffer": b"MZ not a pdf"}]
    )
    expect(page.get_by_role("alert")).to_contain_text("Alleen PDF-, JPEG- en PNG-bestanden")
    # The error page's address is the page's own: reloading it does not post again.
    expect(page).to_have_url(re.compile(r"/documents$"))
    page.reload()
    expect(page.get_by_role("alert")).to_have_count(0)
    page.get_by_label("Kies bestand (Kopie van een geldig identiteitsbewijs)").set_input_files(
        files=[{"name": "id.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    expect(page.get_by_text("Geüpload: id.pdf")).to_be_visible()
    page.get_by_role("link", name="Verder naar controleren en indienen").click()

    # Step 3: submit and see the result of the policy check at once.
    page.get_by_role("button", name="Aanvraag indienen").click()
    expect(page.locator("#status")).to_have_text("Ingediend")
    checks = page.locator("#checks")
    expect(checks).to_contain_text("Uw aanvraag voldoet aan de regels van het beleid")
    expect(checks).to_contain_text("Toegepaste beleidsversie")
    _log_out(page)

    # The clerk finds it in the queue (working name only) and approves it.
    _log_in(page, live_server, _make_clerk(live_server))
    expect(page.get_by_role("heading", name="Werkvoorraad")).to_be_visible()
    queue = page.locator("#queue")
    expect(queue).not_to_contain_text("Maria Jansen")
    queue.get_by_role("link", name="Roos").click()
    page.get_by_label("Verlenen en de vergunning uitgeven").check()
    page.get_by_role("button", name="Besluit vastleggen").click()
    expect(page.locator("#status")).to_have_text("Verleend")
    number = page.locator("a[href^='/permits/SW-']").inner_text()
    _log_out(page)

    # The applicant sees the decision and the permit under the working name.
    _log_in(page, live_server, email)
    expect(page.get_by_role("link", name=number)).to_be_visible()
    page.get_by_role("link", name="Vergunning sekswerker").click()
    expect(page.locator("#decision")).to_contain_text("Uw vergunning is verleend")
    expect(page.locator("#decision")).to_contain_text(number)
    page.goto(f"{live_server.url}/permits/{number}")
    expect(page.locator("#permit-status")).to_have_text("Geldig")
    expect(page.get_by_text("Roos", exact=True)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Maria Jansen")
