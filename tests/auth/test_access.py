"""Read access per kind of object: the application read action opens applications only.

A role that may read every application, but not a kind's own read action, gets 404 for
that kind (permits, permit PDFs, decision letters) — on the API, on the pages and in the
application's document list. Creating and reading are separate: an inspector may make a
signal but never read one.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.auth import permissions
from app.auth.models import Role, User
from app.auth.permissions import Action, ObjectKind, can, can_read
from app.documents.models import READ_AS, Document, DocumentKind
from app.flows import permits as permits_flow
from app.permits.models import Permit
from tests.factories import make_user, token_for

API = "/api/v1"


@pytest.fixture
def application_reader(session: Session, monkeypatch: pytest.MonkeyPatch) -> User:
    """A staff member whose role reads every application and nothing else."""
    monkeypatch.setitem(
        permissions.ROLE_PERMISSIONS,
        Role.inspector,
        frozenset({Action.account_read_own, Action.application_read_any}),
    )
    return make_user(session, Role.inspector)


def _documents(session: Session, permit: Permit) -> dict[DocumentKind, Document]:
    rows = session.exec(
        select(Document).where(col(Document.subject_id).in_([permit.id, permit.application_id]))
    ).all()
    return {d.kind: d for d in rows}


def test_every_document_kind_has_its_own_read_actions() -> None:
    assert set(READ_AS) == set(DocumentKind)
    kinds = set(READ_AS.values())
    assert ObjectKind.application not in kinds
    for kind in kinds:
        assert permissions.READ_ACCESS[kind].any is not Action.application_read_any


def test_the_application_reader_sees_the_application(
    client: TestClient, application_reader: User, permit: Permit
) -> None:
    """The control: the role does read applications, so the 404s below are about kinds."""
    headers = token_for(client, application_reader)
    response = client.get(f"{API}/applications/{permit.application_id}", headers=headers)
    assert response.status_code == 200, response.text


def test_permit_needs_the_permit_read_action(
    client: TestClient, application_reader: User, permit: Permit
) -> None:
    headers = token_for(client, application_reader)
    assert client.get(f"{API}/permits/{permit.number}", headers=headers).status_code == 404
    assert client.get(f"{API}/permits/{permit.number}/pdf", headers=headers).status_code == 404


@pytest.mark.parametrize("kind", [DocumentKind.permit, DocumentKind.decision_approve])
def test_generated_document_needs_its_kind_s_read_action(
    client: TestClient,
    session: Session,
    application_reader: User,
    holder: User,
    permit: Permit,
    kind: DocumentKind,
) -> None:
    document = _documents(session, permit)[kind]
    reader = token_for(client, application_reader)
    response = client.get(f"{API}/documents/{document.id}", headers=reader)
    assert response.status_code == 404, response.text
    assert response.json()["detail"]["code"] == "not_found"
    # Its owner, and a clerk (who holds the kind's action), do get it.
    assert client.get(
        f"{API}/documents/{document.id}", headers=token_for(client, holder)
    ).is_success
    clerk = token_for(client, make_user(session, Role.clerk))
    assert client.get(f"{API}/documents/{document.id}", headers=clerk).is_success


def test_status_letters_need_the_letter_read_action(
    client: TestClient,
    session: Session,
    application_reader: User,
    clerk: User,
    permit: Permit,
) -> None:
    permits_flow.change_status(
        session=session, number=permit.number, actor=clerk, action="suspend", reason="Checks"
    )
    letter = _documents(session, permit)[DocumentKind.decision_suspend]
    reader = token_for(client, application_reader)
    assert client.get(f"{API}/documents/{letter.id}", headers=reader).status_code == 404


def test_the_document_list_shows_only_kinds_the_reader_may_read(
    client: TestClient, application_reader: User, permit: Permit
) -> None:
    reader = token_for(client, application_reader)
    response = client.get(f"{API}/applications/{permit.application_id}/documents", headers=reader)
    assert response.status_code == 200, response.text
    sources = {d["source"] for d in response.json()}
    assert sources == {"upload"}


def test_a_page_download_needs_the_kind_s_read_action(
    client: TestClient, session: Session, application_reader: User, permit: Permit
) -> None:
    from tests.factories import login_page

    login_page(client, application_reader)
    document = _documents(session, permit)[DocumentKind.permit]
    assert client.get(f"/documents/{document.id}").status_code == 404
    assert client.get(f"/permits/{permit.number}").status_code == 404


def test_an_inspector_creates_signals_and_reads_none(session: Session) -> None:
    """Creating is not reading: an inspector reads no signal but their own, and their own
    only until the care coordinator takes it (tests/signals/)."""
    inspector = make_user(session, Role.inspector)
    other = make_user(session, Role.inspector)
    coordinator = make_user(session, Role.care_coordinator)
    assert can(inspector, Action.signal_create)
    assert not can(inspector, Action.signal_read)
    assert not can_read(inspector, ObjectKind.signal, owner_id=other.id)
    assert can_read(coordinator, ObjectKind.signal, owner_id=None)


@pytest.mark.parametrize("kind", list(ObjectKind))
def test_no_role_but_the_owner_reads_by_ownership(session: Session, kind: ObjectKind) -> None:
    """Owning an object opens it only with the kind's `own` action: an admin who happened
    to be named owner of a permit still cannot read it."""
    admin = make_user(session, Role.admin)
    expected = can(admin, permissions.READ_ACCESS[kind].any)
    assert can_read(admin, kind, owner_id=admin.id) is expected
