"""The policy comparison in a real browser on a phone-sized screen (360 x 740), in English,
with JavaScript switched off: the form chooses two policies of the library, the proposal is
marked as not in force, nothing in the content is wider than the screen, and axe finds no serious or
critical accessibility problem."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def _serious(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def _fits_the_screen(page: Page) -> bool:
    """Nothing in the page's main content is wider than the screen (the language menu
    above it is the base layout's)."""
    script = (
        "Array.from(document.querySelectorAll('main *'))"
        ".every(e => e.getBoundingClientRect().right <= window.innerWidth)"
    )
    return bool(page.evaluate(script))


def test_compare_two_policies_on_a_phone_without_javascript(
    browser: Browser, live_server: LiveServer
) -> None:
    no_script = browser.new_context(
        locale="en-GB", viewport={"width": 360, "height": 740}, java_script_enabled=False
    )
    no_script.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    page = no_script.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_server.url + "/beleid/vergelijken")
        expect(page.get_by_role("heading", name="Compare policies", level=1)).to_be_visible()
        expect(page.get_by_role("note")).to_contain_text("is a proposal, not in force")
        expect(page.get_by_text("8 rules differ.")).to_be_visible()
        page.get_by_label("First policy").select_option("geertruidenberg")
        page.get_by_label("Second policy").select_option("tilburg")
        page.get_by_role("button", name="Compare").click()
        expect(page).to_have_url(
            live_server.url + "/beleid/vergelijken?a=geertruidenberg&b=tilburg"
        )
        expect(page.get_by_text("At most 1 permit at a time.")).to_be_visible()
        expect(page.get_by_role("note")).to_have_count(0)
    finally:
        no_script.close()


@pytest.mark.parametrize(
    "query", ["", "?a=amsterdam&b=strict-example"], ids=["tilburg-wrs", "amsterdam-strict"]
)
def test_the_comparison_passes_axe_and_fits_a_phone(
    browser: Browser, live_server: LiveServer, query: str
) -> None:
    # axe runs as a script in the page, so this context has JavaScript.
    phone = browser.new_context(locale="en-GB", viewport={"width": 360, "height": 740})
    phone.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    page = phone.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_server.url + "/beleid/vergelijken" + query)
        expect(page.get_by_role("heading", name="Compare policies", level=1)).to_be_visible()
        assert _fits_the_screen(page)
        assert _serious(page) == []
    finally:
        phone.close()
