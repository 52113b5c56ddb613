"""Home work and nuisance in a real browser: a sex worker registers home work at her
address (on a phone-sized screen), a neighbour reports nuisance twice, an inspector
assesses both as substantiated, the worker sees the review and responds, a clerk ends the
registration, and the worker finds the decision letter."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from app.addresses import residents
from app.auth import service as auth_service
from app.auth.models import Role, UserCreate
from app.db import make_engine
from app.flows import residents as residents_flow
from tests.browser.conftest import Accounts, LiveServer
from tests.browser.test_application_journey import PASSWORD, _log_in, _log_out
from tests.factories import enrol_mfa

pytestmark = pytest.mark.browser

BSN = "999993653"


def _prepare(live_server: LiveServer, house: int) -> dict[str, str]:
    """Staff accounts and a BRP extract holding the worker at 5038 AB <house>."""
    emails = {
        role.value: f"{role.value}-{uuid.uuid4().hex[:8]}@tilburg.example"
        for role in (Role.clerk, Role.inspector)
    }
    engine = make_engine(live_server.database_url)
    with Session(engine) as session:
        for role in (Role.clerk, Role.inspector):
            staff = auth_service.create(
                session=session,
                data=UserCreate(email=emails[role.value], password=PASSWORD, role=role),
                actor=None,
            )
            enrol_mfa(session, staff)
        session.commit()
        extract = (
            "bsn,postcode,huisnummer,huisletter,huisnummertoevoeging,datum_aanvang\n"
            f"{BSN},5038 AB,{house},,,2021-04-01\n"
        )
        residents_flow.import_extract(session=session, rows=residents.read(extract, name="x"))
    engine.dispose()
    return emails


def _report(page: Page, live_server: LiveServer, house: int, category: str) -> str:
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Overlast melden").click()
    page.get_by_label("Postcode").fill("5038ab")
    page.get_by_label("Huisnummer").fill(str(house))
    page.get_by_label("Wat voor overlast?").select_option(label=category)
    page.get_by_label("Wanneer merkte u het?").fill((date.today() - timedelta(days=1)).isoformat())
    page.get_by_label("Wat is er gebeurd?").fill("Bezoekers bellen elke avond bij ons aan.")
    page.get_by_role("button", name="Melding versturen").click()
    expect(page.get_by_role("heading", name="Melding ontvangen")).to_be_visible()
    return page.locator(".reference").inner_text()


def test_home_work_nuisance_review_and_letter(
    browser: Browser, live_server: LiveServer, accounts: Accounts
) -> None:
    house = 100 + uuid.uuid4().int % 800
    emails = _prepare(live_server, house)
    worker_email = f"jade-{uuid.uuid4().hex[:8]}@example.org"

    # The worker, on a phone-sized screen, registers home work.
    phone = browser.new_context(locale="nl-NL", viewport={"width": 360, "height": 740})
    page = phone.new_page()
    page.set_default_timeout(15_000)
    accounts.register(page, worker_email, PASSWORD)
    page.get_by_role("link", name="Thuiswerk aanmelden").click()
    page.get_by_label("Werknaam").fill("Jade")
    page.get_by_label("Burgerservicenummer (BSN)").fill(BSN)
    page.get_by_label("Postcode").fill("5038 AB")
    page.get_by_label("Huisnummer").fill(str(house + 1))
    page.get_by_role("button", name="Thuiswerk aanmelden").click()
    expect(page.locator("main")).to_contain_text("niet op dit adres ingeschreven")
    expect(page.get_by_label("Werknaam")).to_have_value("Jade")
    page.get_by_label("Burgerservicenummer (BSN)").fill(BSN)
    page.get_by_label("Huisnummer").fill(str(house))
    page.get_by_role("button", name="Thuiswerk aanmelden").click()
    expect(page.get_by_role("status")).to_contain_text("Uw thuiswerk is aangemeld")
    expect(page.get_by_role("cell", name="Actief")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    _log_out(page)

    # A neighbour reports twice, without an account.
    public = browser.new_context(locale="nl-NL")
    neighbour = public.new_page()
    neighbour.set_default_timeout(15_000)
    first = _report(neighbour, live_server, house, "Geluidsoverlast")
    second = _report(neighbour, live_server, house, "Bezoekers bellen aan bij de buren")
    assert first != second
    public.close()

    # The inspector assesses both as substantiated.
    desk = browser.new_context(locale="nl-NL")
    staff = desk.new_page()
    staff.set_default_timeout(15_000)
    _log_in(staff, live_server, emails["inspector"])
    staff.get_by_role("link", name="Overlastmeldingen").first.click()
    for reference in (first, second):
        card = staff.locator("section.card", has_text=reference)
        card.get_by_label("Ja, vastgesteld").check()
        card.get_by_label("Wat heeft u vastgesteld?").fill("Gezien tijdens de avondronde.")
        card.get_by_role("button", name="Beoordeling vastleggen").click()
        expect(staff.get_by_role("status")).to_contain_text("De beoordeling is vastgelegd")
    _log_out(staff)

    # The worker sees the review and responds.
    _log_in(page, live_server, worker_email)
    page.goto(live_server.url + "/home-work")
    expect(page.get_by_role("heading", name="in onderzoek")).to_be_visible()
    page.get_by_label("Uw reactie", exact=True).fill("Het waren de bezoekers van de buren.")
    page.get_by_role("button", name="Reactie versturen").click()
    expect(page.get_by_role("status")).to_contain_text("Uw reactie is vastgelegd")
    _log_out(page)

    # The clerk reads the response and ends the registration.
    _log_in(staff, live_server, emails["clerk"])
    staff.get_by_role("link", name="Thuiswerk in onderzoek").click()
    staff.get_by_role("link", name="Jade").click()
    expect(staff.get_by_text("Het waren de bezoekers van de buren.")).to_be_visible()
    staff.get_by_label("Het thuiswerk op dit adres beëindigen").check()
    staff.get_by_label("Reden (de sekswerker leest dit)").fill(
        "Twee keer overlast vastgesteld in één week."
    )
    staff.get_by_role("button", name="Besluit vastleggen").click()
    expect(staff.get_by_role("status")).to_contain_text("Het besluit is vastgelegd")
    desk.close()

    # The worker finds the decision letter.
    _log_in(page, live_server, worker_email)
    page.goto(live_server.url + "/home-work")
    expect(page.get_by_role("cell", name="Beëindigd na een onderzoek")).to_be_visible()
    letter = page.get_by_role("link", name="Besluit: uw thuiswerk op dit adres stopt")
    expect(letter).to_be_visible()
    with page.expect_download() as download:
        letter.click()
    assert download.value.suggested_filename.endswith(".pdf")
    phone.close()
