"""The public page /beleid: the policy in force in plain words, in Dutch and English."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient

from app.auth.models import Role
from tests.factories import login_page, make_user


def text_of(html: str) -> str:
    """The page's visible text, tags removed and white space collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_page_in_dutch_by_default(client: TestClient) -> None:
    response = client.get("/beleid")
    assert response.status_code == 200
    assert '<html lang="nl">' in response.text
    page = text_of(response.text)
    assert "Regels voor sekswerk in Tilburg" in page
    assert "Deze regels gelden vanaf 1 januari 2020 (versie 2020.1)." in page
    assert "Er is geen maximum aantal vergunningen." in page
    assert (
        "Een vergunning sekswerker is 2 jaar geldig; als u jonger bent dan 21 jaar, 1 jaar." in page
    )
    assert "Een exploitatievergunning seksbedrijf is 3 jaar geldig." in page
    assert "Een exploitatievergunning escortbedrijf is 1 jaar geldig." in page
    assert (
        "De gemeente beslist binnen 8 weken; die termijn kan één keer met 8 weken worden "
        "verlengd." in page
    )
    assert (
        "Thuiswerk is toegestaan zolang u op dat adres staat ingeschreven in de BRP en er geen "
        "overlast is." in page
    )
    assert "binnen 6 weken bezwaar maken" in page
    # what is needed, per permit type: fields and documents
    assert "Werknaam" in page
    assert "KvK-nummer" in page
    assert "Plattegrond van het pand" in page
    assert "Postbus 90155" in page
    # the policy's own title is shown as data, marked as Dutch
    assert '<dd lang="nl">Beleidsnota prostitutie en seksbranche Gemeente Tilburg 2019</dd>' in (
        response.text
    )


def test_page_in_english_after_switching(client: TestClient) -> None:
    switched = client.get("/lang/en", follow_redirects=False)
    assert switched.status_code == 303
    response = client.get("/beleid")
    assert response.status_code == 200
    assert '<html lang="en">' in response.text
    page = text_of(response.text)
    assert "Rules for sex work in Tilburg" in page
    assert "These rules apply from 1 January 2020 (version 2020.1)." in page
    assert "There is no cap on the number of permits." in page
    assert "A sex worker permit is valid for 2 years; if you are under 21, 1 year." in page
    assert "An escort business operating permit is valid for 1 year." in page
    assert (
        "The municipality decides within 8 weeks; that period can be extended once by 8 weeks."
        in page
    )
    assert "Home work is allowed as long as you are registered at that address" in page
    assert "Chamber of Commerce (KvK) number" in page
    assert "Details we ask for" in page
    assert "Gegevens die we vragen" not in page
    assert "Regels voor sekswerk" not in page


def test_interface_text_says_sex_work(client: TestClient) -> None:
    for language in ("nl", "en"):
        client.get(f"/lang/{language}")
        html = client.get("/beleid").text
        # The only place the old word may appear is the title of the policy document (data).
        without_titles = html.replace(
            "Beleidsnota prostitutie en seksbranche Gemeente Tilburg 2019", ""
        )
        assert "prostitu" not in without_titles.lower()


def test_english_path_redirects(client: TestClient) -> None:
    response = client.get("/policy", follow_redirects=False)
    assert response.status_code in (301, 303, 307, 308)
    assert response.headers["location"] == "/beleid"


def test_page_keeps_the_logged_in_header(client: TestClient, session) -> None:  # type: ignore[no-untyped-def]
    user = make_user(session, Role.applicant)
    login_page(client, user)
    page = client.get("/beleid").text
    assert 'action="/logout"' in page
    assert user.email not in page  # a shared phone's screen shows no e-mail address
