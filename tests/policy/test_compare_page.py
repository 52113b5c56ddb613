"""The public page /beleid/vergelijken: two policies of the library, the rules that differ,
a proposal marked as not in force; works without JavaScript (a GET form)."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def english(client: TestClient) -> TestClient:
    client.cookies.set("lang", "en")
    return client


def test_default_is_tilburg_against_the_wrs_proposal(client: TestClient) -> None:
    response = english(client).get("/beleid/vergelijken")
    assert response.status_code == 200
    page = text_of(response.text)
    assert "Wet regulering sekswerk (wetsvoorstel) is a proposal, not in force." in page
    assert re.search(r'<option value="tilburg" selected>Tilburg</option>', response.text)
    assert re.search(r'<option value="wrs-proposal" selected>', response.text)
    assert "8 rules differ." in page
    assert "Sex worker permit: minimum age Tilburg 18 years." in page
    assert "21 years." in page and "A permit interview comes first." in page
    assert "Decision period" not in page  # the same in both
    # a rule the Wrs file takes from Tilburg is marked, and explained once
    assert "2 years. (as in Tilburg * )" in page
    assert page.count("the file follows Tilburg's policy here") == 1
    assert "https://zoek.officielebekendmakingen.nl/dossier/35715" in response.text


def test_choosing_two_policies_with_the_form(client: TestClient) -> None:
    response = english(client).get(
        "/beleid/vergelijken", params={"a": "geertruidenberg", "b": "tilburg"}
    )
    assert response.status_code == 200
    page = text_of(response.text)
    assert "1 rule differs." not in page and "2 rules differ." in page
    assert "Geertruidenberg At most 1 permit at a time. Tilburg No cap." in page
    assert "is a proposal, not in force." not in page
    assert '<form method="get" action="/beleid/vergelijken"' in response.text


def test_two_policies_that_agree(client: TestClient) -> None:
    page = text_of(english(client).get("/beleid/vergelijken?a=tilburg&b=hilversum").text)
    assert "No rule differs between these two policies." in page


def test_an_unknown_policy_is_not_found(client: TestClient) -> None:
    assert client.get("/beleid/vergelijken?a=nowhere").status_code == 404
    assert client.get("/beleid/vergelijken?a=../app").status_code in (404, 422)


def test_the_dutch_page_shows_the_rules_in_dutch(client: TestClient) -> None:
    page = text_of(client.get("/beleid/vergelijken").text)
    assert "Vergunning sekswerker: minimumleeftijd" in page and "21 jaar." in page
