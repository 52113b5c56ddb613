"""An inspection visit in a real browser on a phone-sized screen (360 x 740): the inspector
plans and records a visit with two checklist failures, one photo and one sign of human
trafficking; the report shows the failures and not the sign; the care coordinator takes
the signal and records a referral; the clerk finds the violation referred to them. axe
finds no serious or critical accessibility problem on the recording page or the care
coordinator's queue."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from app.auth import service as auth_service
from app.auth.models import Role, UserCreate
from app.db import make_engine
from app.policy import service as policy_service
from tests.browser.conftest import LiveServer
from tests.browser.test_application_journey import PASSWORD, _log_in, _log_out
from tests.factories import enrol_mfa, make_permit, pdf_text

pytestmark = pytest.mark.browser

FINDINGS = "Geen werkrooster en de vergunning hing niet op."


def _prepare(live_server: LiveServer) -> tuple[dict[str, str], str]:
    emails = {
        role.value: f"{role.value}-{uuid.uuid4().hex[:8]}@tilburg.example"
        for role in (Role.clerk, Role.inspector, Role.care_coordinator)
    }
    engine = make_engine(live_server.database_url)
    with Session(engine) as session:
        users = {
            role: auth_service.create(
                session=session,
                data=UserCreate(email=email, password=PASSWORD, role=Role(role)),
                actor=None,
            )
            for role, email in emails.items()
        }
        for staff in users.values():
            enrol_mfa(session, staff)
        session.commit()
        permit = make_permit(
            session,
            clerk=users["clerk"],
            permit_type="sex_business",
            working_name="Club Noor",
        )
        number = permit.number
    engine.dispose()
    return emails, number


def _serious(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def _photo(directory: Path) -> Path:
    image = Image.new("RGB", (320, 240), (30, 90, 160))
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 33.0, 20.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    path = directory / "deur.jpg"
    path.write_bytes(out.getvalue())
    return path


def test_record_a_visit_report_signal_and_referral(
    browser: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    emails, number = _prepare(live_server)
    policy = policy_service.load_configured().policy
    items = policy.inspection_checklist
    failing = [items[0], items[1]]
    indicator = policy.trafficking_indicators[0]

    phone = browser.new_context(
        locale="nl-NL", viewport={"width": 360, "height": 740}, accept_downloads=True
    )
    page = phone.new_page()
    page.set_default_timeout(15_000)
    _log_in(page, live_server, emails["inspector"])
    expect(page.get_by_role("heading", name="Toe aan een controle")).to_be_visible()
    page.get_by_role("link", name="Controle plannen").first.click()
    page.get_by_label("Vergunningnummer", exact=True).fill(number)
    page.get_by_role("button", name="Controle plannen").click()
    expect(page.get_by_role("status")).to_contain_text("De controle is gepland")
    page.get_by_role("link", name="Controle vastleggen").click()

    page.get_by_label("Tijd", exact=True).fill("10:30")
    page.get_by_label("Persoon 1", exact=True).select_option(label="Exploitant")
    for item in items:
        answer = "Nee" if item in failing else "Ja"
        group = page.get_by_role("group", name=item.label_nl)
        group.get_by_label(answer, exact=True).check()
    page.get_by_role("group", name=failing[0].label_nl).get_by_label(
        "Notitie (niet verplicht)"
    ).fill("Lag in een la.")
    page.get_by_label("Overtreding", exact=True).check()
    page.get_by_label("Bevindingen", exact=True).fill(FINDINGS)
    # The photo is uploaded with a draft save; everything typed stays.
    page.get_by_label("Foto toevoegen", exact=False).set_input_files(str(_photo(tmp_path)))
    page.get_by_role("button", name="Foto toevoegen en concept opslaan").click()
    expect(page.get_by_role("status").first).to_contain_text("Concept opgeslagen")
    expect(page.get_by_label("Bevindingen", exact=True)).to_have_value(FINDINGS)
    expect(page.get_by_label("In het verslag")).to_be_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert _serious(page) == []

    page.get_by_label(indicator.label_nl).check()
    page.get_by_role("button", name="Controle vastleggen").click()
    expect(page.get_by_role("status")).to_contain_text("De controle is vastgelegd")
    expect(page.locator("main")).to_contain_text("apart vertrouwelijk signaal")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    with page.expect_download() as download:
        page.get_by_role("link", name="Rapport downloaden (pdf)").click()
    text = pdf_text(Path(download.value.path()).read_bytes())
    for item in failing:
        assert item.label_nl in text
    assert "Nee" in text and "Overtreding" in text
    assert " ".join(FINDINGS.split()) in text
    assert indicator.label_nl not in text and indicator.label_en not in text
    _log_out(page)

    # The care coordinator sees the new signal, takes it and refers.
    _log_in(page, live_server, emails["care_coordinator"])
    expect(page.get_by_role("heading", name="Nieuwe signalen")).to_be_visible()
    assert _serious(page) == []
    page.locator("main table a").first.click()
    expect(page.locator("main")).to_contain_text(indicator.label_nl)
    expect(page.locator("main")).to_contain_text("Club Noor")
    page.get_by_role("button", name="Dit signaal in behandeling nemen").click()
    page.get_by_label("Stap", exact=True).select_option(label="Doorverwezen naar de politie (AVIM)")
    page.get_by_label("Notitie (niet verplicht)").fill("AVIM gebeld, zaak loopt.")
    page.get_by_role("button", name="Stap vastleggen").click()
    expect(page.locator("main")).to_contain_text("AVIM gebeld, zaak loopt.")
    _log_out(page)

    # The clerk finds the violation referred to them, with the visit's findings.
    _log_in(page, live_server, emails["clerk"])
    referrals = page.locator("#referrals")
    expect(referrals).to_contain_text(number)
    referrals.get_by_role("link").first.click()
    expect(page.locator("main")).to_contain_text(FINDINGS)
    expect(page.locator("main")).not_to_contain_text(indicator.label_nl)
    phone.close()
