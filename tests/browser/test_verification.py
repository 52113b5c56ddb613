"""The public verification page, in a real browser: valid, then revoked by a clerk."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Accounts, LiveServer
from tests.browser.test_application_journey import PASSWORD, PDF, _log_in, _make_clerk
from tests.factories import MFA_SECRETS, totp_code

pytestmark = pytest.mark.browser


def _token(live_server: LiveServer, email: str) -> dict[str, str]:
    data = {"username": email, "password": PASSWORD}
    if email in MFA_SECRETS:  # staff send the code of their authenticator app
        data["totp"] = totp_code(email)
    response = httpx.post(f"{live_server.url}/api/v1/auth/token", data=data)
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _issue_permit(live_server: LiveServer, accounts: Accounts, clerk_email: str) -> str:
    """Register, apply, submit and approve through the server's own API."""
    base = live_server.url + "/api/v1"
    email = f"lila-{uuid.uuid4().hex[:8]}@example.org"
    accounts.register_by_api(email, PASSWORD)
    applicant = _token(live_server, email)
    born = date.today().replace(year=date.today().year - 28)
    created = httpx.post(
        f"{base}/applications",
        headers=applicant,
        json={
            "permit_type": "sex_worker",
            "working_name": "Lila",
            "legal_name": "Anna de Vries",
            "birth_date": born.isoformat(),
            "email": email,
        },
    ).json()
    httpx.post(
        f"{base}/applications/{created['id']}/documents",
        headers=applicant,
        data={"kind": "identity_document"},
        files={"file": ("id.pdf", PDF, "application/pdf")},
    ).raise_for_status()
    httpx.post(f"{base}/applications/{created['id']}/submit", headers=applicant).raise_for_status()
    decided = httpx.post(
        f"{base}/applications/{created['id']}/decision",
        headers=_token(live_server, clerk_email),
        json={"decision": "approve"},
        timeout=30,
    )
    decided.raise_for_status()
    return str(decided.json()["permit_number"])


def test_verification_shows_valid_then_revoked(
    page: Page, live_server: LiveServer, accounts: Accounts
) -> None:
    clerk = _make_clerk(live_server)
    number = _issue_permit(live_server, accounts, clerk)

    page.goto(f"{live_server.url}/verify/{number}")
    expect(page.locator("#verify-status")).to_have_text("Geldig")
    result = page.locator("#verify-result")
    expect(result).to_contain_text("Lila")
    expect(result).to_contain_text("Vergunning sekswerker")
    expect(page.locator("main")).not_to_contain_text("Anna de Vries")

    # A typo in the number is caught by the check symbol, not looked up.
    page.get_by_label("Vergunningnummer").fill(
        number[:-2] + ("0" if number[-2] != "0" else "1") + number[-1]
    )
    page.get_by_role("button", name="Controleren").click()
    expect(page.get_by_role("alert")).to_contain_text("geen geldig vergunningnummer")

    # The clerk revokes the permit on its page.
    _log_in(page, live_server, clerk)
    page.goto(f"{live_server.url}/permits/{number}")
    page.get_by_label("Intrekken").check()
    page.get_by_label("Reden").fill("De vergunning is op verzoek van de houder ingetrokken.")
    page.once("dialog", lambda dialog: dialog.accept())  # "Deze vergunning wijzigen?"
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.locator("#permit-status")).to_have_text("Ingetrokken")

    page.goto(f"{live_server.url}/verify/{number}")
    expect(page.locator("#verify-status")).to_have_text("Ingetrokken")
    expect(page.locator("#status-since")).to_be_visible()

    # In English too.
    page.locator("#lang-menu > summary").click()
    page.get_by_role("button", name="English").click()
    expect(page.locator("#verify-status")).to_have_text("Revoked")
