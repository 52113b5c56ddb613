"""Permits and decision letters stay legally in Dutch (and English where the permit type is
bilingual); a holder who reads another language gets a courtesy translation after the
legal text, marked as for information only, unless the policy switches it off
(`[documents] courtesy_translation`). Also the permit's layout: issue date, signature,
the status banner above the QR code, the house colour."""

from __future__ import annotations

import io
import tomllib
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session, col, select

from app.auth import service as auth_service
from app.auth.models import User
from app.config import PROJECT_ROOT, Settings, get_settings, house_colour
from app.documents import render
from app.documents.letters import COURTESY_NOTICE, N_, Letter, letter_request
from app.documents.models import Document, DocumentKind
from app.i18n import translate_in
from app.permits.documents import PermitCard, permit_request
from app.permits.models import Permit
from app.policy.loader import load_policy_file
from app.policy.schema import Policy
from tests.factories import make_application, make_user, pdf_pages, token_for

API = "/api/v1"
POLICIES = PROJECT_ROOT / "policies"
TILBURG = load_policy_file(POLICIES / "tilburg.toml")
SPEC = TILBURG.permit_types["sex_worker"]
# Romanian strings that exist in app/translations/ro.
RO_NAME_LABEL = "Numele de pe autorizație"  # "Name on the permit"
RO_VALID_UNTIL = "Valabilă până la"  # "Valid until"
RO_LETTER_TITLE = "Decizie privind cererea dumneavoastră: autorizație acordată"
RO_DISAGREE = "Nu sunteți de acord cu această decizie?"


def _without_courtesy(policy: Policy) -> Policy:
    documents = policy.documents.model_copy(update={"courtesy_translation": False})
    return policy.model_copy(update={"documents": documents})


def _card(language: str, state: str = "active") -> PermitCard:
    return PermitCard(
        number="SW-TEST-0001",
        permit_type="sex_worker",
        working_name="Ioana",
        valid_from=date(2026, 1, 5),
        valid_until=date(2028, 1, 4),
        state=state,
        conditions_nl=SPEC.conditions_nl,
        conditions_en=SPEC.conditions_en,
        language=language,
        verify_url="http://example.test/verify/SW-TEST-0001",
        issued_on=date(2026, 1, 2),
    )


def _pages(policy: Policy, card: PermitCard) -> tuple[list[str], bytes]:
    request = permit_request(policy, card)
    pdf = render.render_pdf(request.template, request.context, request.language)
    return pdf_pages(pdf), pdf


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_policy_switch_defaults_on_and_tilburg_documents_it() -> None:
    assert TILBURG.documents.courtesy_translation is True
    assert load_policy_file(POLICIES / "strict-example.toml").documents.courtesy_translation
    text = (POLICIES / "tilburg.toml").read_text("utf-8")
    assert "[documents]" in text and "courtesy_translation = true" in text
    assert TILBURG.legal_language("ro") == "nl" and TILBURG.legal_language("en") == "en"


def test_permit_for_a_romanian_speaker_is_dutch_with_a_romanian_courtesy_translation() -> None:
    pages, pdf = _pages(TILBURG, _card("ro"))
    assert len(pages) == 3  # Dutch (legal), English (bilingual type), Romanian (courtesy)
    dutch, english, romanian = (_flat(p) for p in pages)
    assert SPEC.label_nl in dutch and "Naam op de vergunning" in dutch
    assert SPEC.conditions_nl[0] in dutch
    assert SPEC.label_en in english and SPEC.conditions_en[0] in english
    # The courtesy page: the catalog's Romanian labels, the conditions in English, marked.
    assert RO_NAME_LABEL in romanian and RO_VALID_UNTIL in romanian
    assert SPEC.conditions_en[0] in romanian
    for lang in ("nl", "ro"):
        assert _flat(translate_in(lang, COURTESY_NOTICE)) in romanian
    assert RO_NAME_LABEL not in dutch + english
    assert _flat(translate_in("nl", COURTESY_NOTICE)) not in dutch + english
    # The document is legally Dutch: language and title.
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.root_object["/Lang"] == "nl"
    assert reader.metadata is not None and str(reader.metadata.title).startswith(SPEC.label_nl)
    # Issue date and signature on the legal pages, not on the translation.
    assert "02-01-2026" in dutch and "De burgemeester van Tilburg" in dutch
    assert dutch.count("De burgemeester van Tilburg") > romanian.count(
        "De burgemeester van Tilburg"
    )


def test_no_courtesy_translation_when_the_policy_switches_it_off() -> None:
    pages, _ = _pages(_without_courtesy(TILBURG), _card("ro"))
    assert len(pages) == 2
    text = _flat(" ".join(pages))
    assert RO_NAME_LABEL not in text
    assert _flat(translate_in("nl", COURTESY_NOTICE)) not in text


@pytest.mark.parametrize("language", ["nl", "en"])
def test_no_courtesy_translation_for_dutch_or_english(language: str) -> None:
    pages, pdf = _pages(TILBURG, _card(language))
    assert len(pages) == 2
    assert PdfReader(io.BytesIO(pdf)).root_object["/Lang"] == language


def test_permit_in_english_shows_an_issue_date_and_keeps_the_banner_off_the_qr_code() -> None:
    request = permit_request(TILBURG, _card("en", state="suspended"))
    html = render.render_html(request.template, request.context, request.language)
    first = html.split("<section", 2)[1]
    # The banner comes before the QR code's block, at full width; facts and QR code are
    # cells of one row.
    assert first.index('class="status-banner"') < first.index('class="permit-top"')
    assert first.index('class="facts-cell"') < first.index('class="qr"')
    text = _flat(pdf_pages(render.html_to_pdf(html))[0])
    assert "Date of issue 02-01-2026" in text
    assert "SUSPENDED" in text


def test_letter_for_a_romanian_speaker_is_dutch_with_a_romanian_courtesy_translation() -> None:
    letter = Letter(
        title=N_("Decision on your application: permit granted"),
        opening=N_("Decision on your application: permit granted"),
        language="ro",
        addressee="Ioana",
        reference_code="ABC",
        on=date(2026, 1, 2),
        policy_version="2020.1",
        policy_reference="APV",
    )
    request = letter_request(TILBURG, letter)
    assert request.language == "nl"
    assert request.title == "Besluit op uw aanvraag: vergunning verleend"
    text = _flat(" ".join(pdf_pages(render.render_pdf(**_args(request)))))
    dutch, _, courtesy = text.partition(_flat(translate_in("nl", COURTESY_NOTICE)))
    assert "Besluit op uw aanvraag: vergunning verleend" in dutch
    assert "Bent u het niet eens met dit besluit?" in dutch
    assert RO_LETTER_TITLE in courtesy and RO_DISAGREE in courtesy
    assert RO_LETTER_TITLE not in dutch

    off = letter_request(_without_courtesy(TILBURG), letter)
    assert "courtesy" not in off.context
    text = _flat(" ".join(pdf_pages(render.render_pdf(**_args(off)))))
    assert RO_LETTER_TITLE not in text and "Besluit op uw aanvraag" in text


def _args(request: Any) -> dict[str, Any]:
    return {"template": request.template, "context": request.context, "lang": request.language}


def test_permit_and_letter_through_the_api_for_a_romanian_holder(
    client: TestClient, session: Session, clerk: User
) -> None:
    holder = auth_service.set_language(session=session, user=make_user(session), language="ro")
    application = make_application(session, holder, working_name="Ioana")
    response = client.post(
        f"{API}/applications/{application.id}/decision",
        json={"decision": "approve"},
        headers=token_for(client, clerk),
    )
    assert response.status_code == 200, response.text
    session.expire_all()
    permit = session.exec(
        select(Permit).where(Permit.number == response.json()["permit_number"])
    ).one()
    pdf = client.get(f"{API}/permits/{permit.number}/pdf", headers=token_for(client, holder))
    pages = [_flat(p) for p in pdf_pages(pdf.content)]
    assert len(pages) == 3
    assert "Vergunning sekswerker" in pages[0] and RO_NAME_LABEL in pages[2]
    letter = session.exec(
        select(Document)
        .where(Document.owner_id == holder.id, Document.kind == DocumentKind.decision_approve)
        .order_by(col(Document.created_at))
    ).one()
    assert letter.language == "nl"
    content = client.get(f"{API}/documents/{letter.id}", headers=token_for(client, holder))
    text = _flat(" ".join(pdf_pages(content.content)))
    assert "Besluit op uw aanvraag: vergunning verleend" in text and RO_LETTER_TITLE in text


# ---- the house colour ---------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["blue", "#0053", "#ffff00", "#ffffff", "00539b"])
def test_the_house_colour_is_a_hex_colour_white_text_is_readable_on(bad: str) -> None:
    with pytest.raises(ValueError):
        house_colour(bad)
    with pytest.raises(ValueError, match=r"(?i)municipality_colour"):
        Settings(municipality_colour=bad)
    assert house_colour("#00539B") == "#00539b"


def test_the_house_colour_reaches_the_site_and_the_documents(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "municipality_colour", "#7a1f3d")
    css = client.get("/theme.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "--accent: #7a1f3d" in css.text
    assert '<link rel="stylesheet" href="/theme.css">' in client.get("/").text
    request = permit_request(TILBURG, _card("nl"))
    assert "#7a1f3d" in render.render_html(request.template, request.context, "nl")


def test_tilburg_policy_file_still_parses_as_toml() -> None:
    assert tomllib.loads((POLICIES / "tilburg.toml").read_text("utf-8"))["documents"] == {
        "courtesy_translation": True
    }
