"""GET /api/v1/policy: the policy in force, public, structured and in plain words; and the
plain-words sentences (app.policy.summary) the API and the /beleid page share."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.policy.loader import load_policy_file, load_policy_text
from app.policy.models import PolicyVersion
from app.policy.schema import Policy
from app.policy.summary import plain_words


def test_policy_is_public_and_is_tilburgs(client: TestClient, session: Session) -> None:
    response = client.get("/api/v1/policy")  # no token
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["version"] == "2020.1"
    assert body["effective_date"] == "2020-01-01"
    assert body["municipality"]["name"] == "Tilburg"
    assert body["decision"] == {
        "period_days": 56,
        "extension_days": 56,
        "renewal_window_days": 90,
        "objection_period_days": 42,
        "information_term_days": 28,
    }
    types = {item["key"]: item for item in body["permit_types"]}
    assert list(types) == ["sex_worker", "sex_business", "escort_business"]
    assert {item["cap"] for item in types.values()} == {"none"}
    assert types["sex_business"]["validity_months"] == 36
    assert types["escort_business"]["validity_months"] == 12
    worker = types["sex_worker"]
    assert (worker["validity_months"], worker["young_validity_months"]) == (24, 12)
    assert (worker["young_age_threshold"], worker["minimum_age"]) == (21, 18)
    assert worker["required_fields"][0] == {
        "key": "working_name",
        "label_nl": "werknaam",
        "label_en": "working name",
    }
    assert [d["key"] for d in worker["required_documents"]] == ["identity_document"]
    assert worker["required_documents"][0]["label_en"] == "Copy of a valid identity document"
    assert len(worker["conditions_nl"]) == len(worker["conditions_en"]) == 3
    assert types["sex_business"]["reference"] == "APV Tilburg art. 97"
    assert body["home_work"]["allowed"] is True
    assert body["home_work"]["requires_registration_at_address"] is True
    assert [c["key"] for c in body["nuisance_categories"]][:2] == ["noise", "parking"]
    words = body["plain_words"]
    assert words["caps"] == [
        {
            "nl": "Er is geen maximum aantal vergunningen.",
            "en": "There is no cap on the number of permits.",
        }
    ]
    assert "Thuiswerk is toegestaan" in words["home_work"][0]["nl"]


def test_policy_names_its_recorded_version(client: TestClient, session: Session) -> None:
    body = client.get("/api/v1/policy").json()
    record = session.exec(
        select(PolicyVersion).where(PolicyVersion.fingerprint == body["fingerprint"])
    ).one()
    assert str(record.id) == body["id"]
    assert record.version == body["version"]
    again = client.get("/api/v1/policy").json()
    assert again["id"] == body["id"]  # the same file is recorded once


def test_policy_is_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "get" in paths["/api/v1/policy"]
    assert "/beleid" not in paths


# ---- plain words (pure: app.policy.summary.plain_words) -------------------------------------

POLICIES = Path(__file__).resolve().parents[2] / "policies"
TILBURG_TEXT = (POLICIES / "tilburg.toml").read_text(encoding="utf-8")


def words(policy: Policy, language: str) -> list[str]:
    plain = plain_words(policy)
    sentences = [plain.in_force, *plain.caps, *plain.decision, *plain.home_work]
    for per_type in plain.permit_types.values():
        sentences.extend(per_type)
    return [sentence.text(language) for sentence in sentences]


def test_plain_words_for_tilburg() -> None:
    plain = plain_words(load_policy_file(POLICIES / "tilburg.toml"))
    assert plain.in_force.nl == "Deze regels gelden vanaf 1 januari 2020 (versie 2020.1)."
    assert [s.nl for s in plain.caps] == ["Er is geen maximum aantal vergunningen."]
    assert [s.en for s in plain.caps] == ["There is no cap on the number of permits."]
    assert [s.nl for s in plain.permit_types["sex_worker"]] == [
        "Een vergunning sekswerker is 2 jaar geldig; als u jonger bent dan 21 jaar, 1 jaar.",
        "U moet minstens 18 jaar zijn voor een vergunning sekswerker.",
        "Er is geen maximum aantal vergunningen van deze soort.",
    ]
    assert [s.en for s in plain.permit_types["sex_worker"]] == [
        "A sex worker permit is valid for 2 years; if you are under 21, 1 year.",
        "You must be at least 18 for a sex worker permit.",
        "There is no cap on the number of permits of this kind.",
    ]
    assert plain.permit_types["sex_business"][0].nl == (
        "Een exploitatievergunning seksbedrijf is 3 jaar geldig."
    )
    assert plain.permit_types["escort_business"][0].en == (
        "An escort business operating permit is valid for 1 year."
    )
    assert [s.nl for s in plain.decision] == [
        "De gemeente beslist binnen 8 weken; die termijn kan één keer met 8 weken worden verlengd.",
        "Vraagt de gemeente u om meer informatie, dan krijgt u daarvoor 4 weken. Valt de "
        "laatste dag van een termijn in het weekend of op een feestdag, dan loopt hij door "
        "tot de eerstvolgende werkdag.",
        "U kunt verlenging aanvragen vanaf 90 dagen voordat uw vergunning afloopt.",
        "Bent u het niet eens met een besluit? Dan kunt u binnen 6 weken bezwaar maken.",
    ]
    assert plain.decision[0].en == (
        "The municipality decides within 8 weeks; that period can be extended once by 8 weeks."
    )
    assert [s.nl for s in plain.home_work] == [
        "Thuiswerk is toegestaan zolang u op dat adres staat ingeschreven in de BRP en er geen "
        "overlast is.",
        "Op één adres mogen hoogstens 2 sekswerkers thuis werken.",
        "Is er binnen 365 dagen 2 keer overlast vastgesteld op het adres, dan is thuiswerk daar "
        "niet meer toegestaan.",
    ]
    assert plain.home_work[2].en == (
        "Once nuisance at the address has been established twice within 365 days, home work "
        "is no longer allowed there."
    )


def test_plain_words_for_the_strict_example() -> None:
    plain = plain_words(load_policy_file(POLICIES / "strict-example.toml"))
    assert [s.nl for s in plain.caps] == [
        "Voor de exploitatievergunning seksbedrijf geldt een maximum van 2 vergunningen tegelijk.",
        "Voor de andere soorten vergunningen is er geen maximum aantal.",
    ]
    assert plain.caps[0].en == (
        "The sex business operating permit has a cap of 2 permits in force at the same time."
    )
    worker = plain.permit_types["sex_worker"]
    assert worker[0].nl == "Een vergunning sekswerker is 1 jaar geldig."  # no young validity
    assert worker[1].nl == "U moet minstens 21 jaar zijn voor een vergunning sekswerker."
    assert worker[1].en == "You must be at least 21 for a sex worker permit."
    business = plain.permit_types["sex_business"]
    assert business[2].nl == "Er kunnen hoogstens 2 vergunningen van deze soort tegelijk gelden."
    assert business[2].en == "At most 2 permits of this kind can be in force at the same time."
    assert plain.decision[0].nl == (
        "De gemeente beslist binnen 8 weken; die termijn kan één keer met 4 weken worden verlengd."
    )
    assert [s.nl for s in plain.home_work] == [
        "Thuiswerk (sekswerk vanuit uw eigen woning) is niet toegestaan."
    ]
    assert [s.en for s in plain.home_work] == [
        "Home work (sex work from your own home) is not allowed."
    ]


def test_plain_words_follow_unusual_numbers() -> None:
    text = (
        TILBURG_TEXT.replace("validity_months = 36", "validity_months = 18")
        .replace("extension_days = 56", "extension_days = 0")
        .replace("nuisance_threshold = 2", "nuisance_threshold = 3")
        .replace("max_workers_per_address = 2", "max_workers_per_address = 1")
        .replace(
            "requires_registration_at_address = true", "requires_registration_at_address = false"
        )
    )
    head, escort = text.split("[permit_types.escort_business]")
    text = head + "[permit_types.escort_business]" + escort.replace('cap = "none"', "cap = 1", 1)
    plain = plain_words(load_policy_text(text))
    assert plain.permit_types["sex_business"][0].nl == (
        "Een exploitatievergunning seksbedrijf is 18 maanden geldig."
    )
    assert plain.permit_types["sex_business"][0].en == (
        "A sex business operating permit is valid for 18 months."
    )
    assert plain.caps[0].nl == (
        "Voor de exploitatievergunning escortbedrijf geldt een maximum van 1 vergunning tegelijk."
    )
    assert plain.permit_types["escort_business"][2].en == (
        "At most 1 permit of this kind can be in force at the same time."
    )
    assert (
        plain.decision[0].nl
        == "De gemeente beslist binnen 8 weken; die termijn wordt niet verlengd."
    )
    assert [s.en for s in plain.home_work] == [
        "Home work is allowed as long as there is no nuisance.",
        "At most 1 sex worker may work from one address.",
        "Once nuisance at the address has been established 3 times within 365 days, home work "
        "is no longer allowed there.",
    ]


def test_plain_words_never_use_stigmatising_words() -> None:
    for name in ("tilburg.toml", "strict-example.toml"):
        for language in ("nl", "en"):
            for sentence in words(load_policy_file(POLICIES / name), language):
                assert "prostitu" not in sentence.lower(), sentence
