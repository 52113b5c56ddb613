"""Accessibility as a gate: axe runs on every page of every role's journey, in Dutch and
in Romanian, on a desktop screen and on a phone 360 px wide. Any violation of impact
serious or critical fails, listed by page, language and width. On the phone the page
must not scroll sideways and the header must fit one row.

One browser context per role, logged in once (staff with their second factor); the
language is changed through the header's language menu, the width by resizing the page."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlmodel import Session

from app.auth import service as auth_service
from app.auth.models import Role, UserCreate
from app.db import make_engine
from app.inspections import service as inspections_service
from app.inspections.models import InspectionPlan
from app.privacy import service as privacy_service
from app.privacy.models import ErasureRequestIn
from tests.browser.conftest import Accounts, LiveServer
from tests.browser.test_application_journey import PASSWORD, _log_in
from tests.factories import enrol_mfa, make_application, make_permit

pytestmark = pytest.mark.browser

LANGUAGES = {"nl": "Nederlands", "ro": "Română"}
WIDTHS = {"desktop": (1280, 900), "phone": (360, 740)}
AXE = Axe()


@dataclass
class Seed:
    emails: dict[str, str]
    draft_id: str = ""
    submitted_id: str = ""
    permit_number: str = ""
    inspection_id: str = ""
    pages: dict[str, list[str]] = field(default_factory=dict)


def _seed(live_server: LiveServer, accounts: Accounts) -> Seed:
    applicant_email = f"a11y-{uuid.uuid4().hex[:8]}@example.org"
    accounts.register_by_api(applicant_email, PASSWORD)
    staff_roles = (Role.clerk, Role.inspector, Role.care_coordinator, Role.admin)
    emails = {
        r.value: f"a11y-{r.value}-{uuid.uuid4().hex[:8]}@tilburg.example" for r in staff_roles
    }
    engine = make_engine(live_server.database_url)
    with Session(engine) as session:
        staff = {}
        for role, email in emails.items():
            user = auth_service.create(
                session=session,
                data=UserCreate(email=email, password=PASSWORD, role=Role(role)),
                actor=None,
            )
            enrol_mfa(session, user)
            staff[role] = user
        session.commit()
        applicant = auth_service.get_by_email(session=session, email=applicant_email)
        assert applicant is not None
        permit = make_permit(session, applicant, clerk=staff["clerk"], working_name="Lila")
        submitted = make_application(session, permit_type="sex_business", working_name="Club Zon")
        draft = make_application(
            session,
            applicant,
            permit_type="sex_business",
            working_name="Studio Lila",
            documents=False,
            submit=False,
        )
        inspection = inspections_service.plan(
            session=session,
            data=InspectionPlan(
                permit_number=permit.number,
                planned_for=datetime.now(UTC).date(),
                inspector_ids=[staff["inspector"].id],
            ),
            actor=staff["inspector"],
        )
        privacy_service.request_erasure(
            session=session, data=ErasureRequestIn(note=None), actor=applicant
        )
        session.commit()
        seed = Seed(
            emails={"applicant": applicant_email, **emails},
            draft_id=str(draft.id),
            submitted_id=str(submitted.id),
            permit_number=permit.number,
            inspection_id=str(inspection.id),
        )
    engine.dispose()
    seed.pages = {
        "public": [
            "/",
            "/login",
            "/register",
            "/password/forgot",
            "/beleid",
            "/verify",
            f"/verify/{seed.permit_number}",
            "/overlast-melden",
            "/privacy",
            "/toegankelijkheid",
            "/contact",
            "/docs",
        ],
        "applicant": [
            "/home",
            "/applications/new",
            f"/applications/{seed.draft_id}/details",
            f"/applications/{seed.draft_id}/documents",
            f"/applications/{seed.draft_id}",
            f"/permits/{seed.permit_number}",
            "/home-work",
            "/account/data",
            "/account/mail",
            "/account/password",
        ],
        "clerk": ["/queue", f"/queue/{seed.submitted_id}", "/privacy-requests"],
        "inspector": ["/home", f"/inspections/{seed.inspection_id}/record"],
        "care_coordinator": ["/home"],
        "admin": ["/admin/users", "/dev/mail", "/home"],
    }
    return seed


@pytest.fixture(scope="module")
def seed(live_server: LiveServer, accounts: Accounts) -> Seed:
    return _seed(live_server, accounts)


@pytest.fixture(scope="module")
def contexts(browser: Browser) -> Iterator[dict[str, BrowserContext]]:
    made: dict[str, BrowserContext] = {}
    yield made
    for context in made.values():
        context.close()


def _page_for(
    role: str, browser: Browser, contexts: dict, live_server: LiveServer, seed: Seed
) -> Page:
    if role not in contexts:
        contexts[role] = browser.new_context(locale="nl-NL")
        contexts[role].add_init_script(AXE.axe_script)
        page = contexts[role].new_page()
        page.set_default_timeout(15_000)
        if role != "public":
            _log_in(page, live_server, seed.emails[role])
    return contexts[role].pages[0]


def _choose_language(page: Page, live_server: LiveServer, code: str) -> None:
    """Through the header's language menu, as a person would (without script too)."""
    page.goto(live_server.url + "/privacy")
    if page.locator("html").get_attribute("lang") == code:
        return
    page.locator("#lang-menu > summary").click()
    page.locator("#lang-menu").get_by_role("button", name=LANGUAGES[code]).click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def _findings(page: Page, where: str, phone: bool) -> list[str]:
    # axe-core is loaded into every page of the context once (an init script), not per run.
    violations = page.evaluate("axe.run(document, {resultTypes: ['violations']})")["violations"]
    found = [
        f"{where}: {v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(
            " ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"])
            for n in v["nodes"][:3]
        )
        for v in violations
        if v.get("impact") in ("serious", "critical")
    ]
    if phone and not where.split()[0].endswith("/docs"):
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            found.append(f"{where}: the page is {width} px wide on a 360 px screen")
        rows = page.evaluate(
            """() => { const row = document.querySelector('.header-row');
            if (!row) return 1;
            const boxes = [...row.children].filter(e => e.offsetParent !== null)
              .map(e => e.getBoundingClientRect());
            const firstBottom = Math.min(...boxes.map(b => b.bottom));
            return boxes.some(b => b.top >= firstBottom - 1) ? 2 : 1; }"""
        )
        if rows > 1:
            found.append(f"{where}: the header takes {rows} rows on a 360 px screen")
        crowded = page.evaluate(
            """() => [...document.querySelectorAll('.header-row > *')]
              .filter(e => e.offsetParent !== null)
              .filter(e => e.scrollWidth > e.clientWidth + 1)
              .map(e => e.className || e.tagName)"""
        )
        if crowded:
            found.append(f"{where}: header items overflow their place: {crowded}")
    return found


@pytest.mark.parametrize(
    "role", ["public", "applicant", "clerk", "inspector", "care_coordinator", "admin"]
)
def test_no_serious_accessibility_problems(
    role: str, browser: Browser, contexts: dict, live_server: LiveServer, seed: Seed
) -> None:
    page = _page_for(role, browser, contexts, live_server, seed)
    problems: list[str] = []
    for code in LANGUAGES:
        _choose_language(page, live_server, code)
        for path in seed.pages[role]:
            if path == "/docs" and code != "nl":
                continue  # Swagger UI is in English whatever the language
            page.set_viewport_size({"width": WIDTHS["desktop"][0], "height": WIDTHS["desktop"][1]})
            page.goto(live_server.url + path)
            if path == "/docs":
                expect(page.locator(".swagger-ui .info")).to_be_visible()
            else:
                expect(page.locator("main h1").first).to_be_visible()
            # Both widths on the page as loaded: the layout follows the resize.
            for width_name, (width, height) in WIDTHS.items():
                page.set_viewport_size({"width": width, "height": height})
                where = f"{path} [{role}, {code}, {width_name}]"
                problems += _findings(page, where, width_name == "phone")
    assert problems == [], "\n".join(problems)
