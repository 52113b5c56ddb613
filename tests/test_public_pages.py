"""The pages every Dutch government service has (privacy statement, accessibility
statement, contact), linked from every footer, and the header's compact menus. New texts
are checked in English (the lead translates them); the structure in any language."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.models import Role
from app.config import get_settings
from app.policy import service as policy_service
from tests.factories import csrf_from, login_page, make_user

PAGES = ("/privacy", "/toegankelijkheid", "/contact")


def english(client: TestClient) -> None:
    token = csrf_from(client.get("/").text)
    client.post("/lang", data={"code": "en", "next": "/", "csrf_token": token})


def footer(html: str) -> str:
    return html[html.index('<footer class="site-footer">') :]


def header(html: str) -> str:
    return html[html.index('<header class="site-header">') : html.index("</header>")]


@pytest.mark.parametrize("path", PAGES)
def test_each_page_answers_anyone_with_a_heading(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert "<h1>" in response.text


@pytest.mark.parametrize("path", ["/", "/login", "/beleid", "/verify", "/overlast-melden", *PAGES])
def test_every_public_footer_links_the_pages_and_not_the_api_documentation(
    client: TestClient, path: str
) -> None:
    links = re.findall(r'href="([^"]+)"', footer(client.get(path).text))
    for page in PAGES:
        assert page in links
    assert "/docs" not in links


def test_staff_keep_the_api_documentation_in_their_footer(
    client: TestClient, session: Session
) -> None:
    login_page(client, make_user(session, Role.clerk))
    assert 'href="/docs"' in footer(client.get("/queue").text)
    assert 'href="/privacy"' in footer(client.get("/queue").text)


def test_the_privacy_statement_takes_its_periods_from_the_policy(client: TestClient) -> None:
    english(client)
    page = client.get("/privacy").text
    retention = policy_service.load_configured().policy.retention
    rows = dict(re.findall(r'<tr id="data-(\w+)">(.*?)</tr>', page, re.S))
    assert {"account", "application", "documents", "nuisance", "inspections", "signals"} <= set(
        rows
    )
    assert (
        f"{retention.refused_application_months} months after the final decision"
        in (rows["application"])
    )
    assert (
        f"{retention.applicant_data_months_after_expiry} months after the permit"
        in (rows["application"])
    )
    assert f"{retention.nuisance_report_months} months after the report" in rows["nuisance"]
    assert f"{retention.inspection_months} months after the visit" in rows["inspections"]
    assert f"{retention.signal_months} months after" in rows["signals"]
    # The details the policy asks for are named (Tilburg asks for a working name).
    assert "working name" in rows["application"].lower()


def test_the_accessibility_statement_names_the_standard_and_how_to_report(
    client: TestClient,
) -> None:
    english(client)
    page = client.get("/toegankelijkheid").text
    assert "WCAG" in page and "2.1" in page and "AA" in page
    assert "axe" in page
    assert 'id="limits"' in page and 'id="report"' in page
    assert 'href="/contact"' in page


def test_the_contact_page_gives_the_team_channels_and_no_staff(client: TestClient) -> None:
    english(client)
    page = client.get("/contact").text
    settings = get_settings()
    policy = policy_service.load_configured().policy
    assert settings.contact_phone in page
    assert settings.municipality_name in page
    assert policy.municipality.objection_address in page
    assert "licensing team" in page


def test_the_language_menu_stays_a_post_form_per_language_without_script(
    client: TestClient, session: Session
) -> None:
    user = make_user(session)
    login_page(client, user)
    head = header(client.get("/home?x=1").text)
    menu = head[head.index('<details class="header-menu lang-menu"') :]
    forms = re.findall(r'<form method="post" action="/lang"[^>]*>(.*?)</form>', menu, re.S)
    assert len(forms) == 7  # every language but the current one
    for form in forms:
        assert re.search(r'<input type="hidden" name="csrf_token" value="[^"]+">', form)
        assert re.search(r'<input type="hidden" name="code" value="\w\w">', form)
        assert '<input type="hidden" name="next" value="/home?x=1">' in form
    # No e-mail address in the header, and the quick exit stays for applicants.
    assert user.email not in head
    assert 'id="quick-exit"' in head
    assert "<script" not in head
