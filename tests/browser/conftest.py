"""Browser journeys: a real server process on a fresh database, driven by Debian's
chromium through Playwright. Skipped only when no chromium is installed (never in CI)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.live import LiveServer
from tests.live import live_server as start_live_server
from tests.smtp import Inbox, smtp_env, smtp_server

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Inbox]:
    """The SMTP server the journeys' server sends its mail to."""
    with smtp_server() as inbox:
        yield inbox


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, mailbox: Inbox) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("live")
    database_url = f"sqlite:///{folder / 'live.db'}"
    with start_live_server(database_url, folder, extra_env=smtp_env(mailbox)) as server:
        yield server


@dataclass
class Accounts:
    """New applicant accounts the way a person makes one: register, then open the
    confirmation link from the e-mail."""

    live_server: LiveServer
    mailbox: Inbox

    def register(self, page: object, email: str, password: str) -> None:
        """Register in the browser (Dutch pages), confirm by the link from the e-mail and
        end on the applicant's home page, logged in."""
        from playwright.sync_api import Page, expect

        assert isinstance(page, Page)
        page.goto(self.live_server.url + "/register")
        page.get_by_label("E-mailadres").fill(email)
        page.get_by_label("Wachtwoord", exact=True).fill(password)
        page.get_by_label("Herhaal wachtwoord").fill(password)
        page.get_by_role("button", name="Account aanmaken").click()
        expect(page.locator("#sent")).to_be_visible()
        page.goto(self.confirmation_link(email))
        page.get_by_role("button", name="Mijn adres bevestigen").click()
        expect(page.get_by_role("heading", name="Mijn pagina")).to_be_visible()

    def confirmation_link(self, email: str) -> str:
        return self.on_this_server(self.mailbox.wait_for_link(email, "/register/confirm"))

    def on_this_server(self, link: str) -> str:
        """A link from an e-mail, pointed at this test server (whatever its port)."""
        parts = urlsplit(link)
        return f"{self.live_server.url}{parts.path}?{parts.query}"

    def register_by_api(self, email: str, password: str) -> None:
        base = self.live_server.url + "/api/v1"
        httpx.post(f"{base}/auth/register", json={"email": email, "password": password})
        token = parse_qs(urlsplit(self.confirmation_link(email)).query)["token"][0]
        httpx.post(f"{base}/auth/confirm", json={"token": token}).raise_for_status()


@pytest.fixture(scope="session")
def accounts(live_server: LiveServer, mailbox: Inbox) -> Accounts:
    return Accounts(live_server, mailbox)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"chromium not found at {CHROMIUM}; CI must install Debian's chromium")
        pytest.skip(f"no chromium at {CHROMIUM} (install Debian's chromium package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="nl-NL")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()
