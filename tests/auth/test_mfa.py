"""Two-factor login for staff: enrolment with a QR code, login with a code, wrong and
reused codes, recovery codes spent once, the admin's reset, the API token endpoint, and
the throttles (a stranger cannot lock the owner out)."""

from __future__ import annotations

import re

import pyotp
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.auth.models import RecoveryCode, Role, User, email_lookup
from app.demo import DEMO_TOTP_SECRET
from tests.factories import (
    MFA_SECRETS,
    PASSWORD,
    csrf_from,
    enrol_mfa,
    login_page,
    make_user,
    token_for,
    totp_code,
)


def _browser(app: FastAPI, address: str = "testclient") -> TestClient:
    return TestClient(app, client=(address, 50000))


def _signed_in(client: TestClient) -> bool:
    return client.get("/account/password", follow_redirects=False).status_code == 200


def _password_step(client: TestClient, user: User, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/login").text)
    return client.post(
        "/login",
        data={"email": user.email, "password": password, "csrf_token": token, "next": "/home"},
        follow_redirects=False,
    )


def _code_step(client: TestClient, code: str):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/login/code").text)
    return client.post(
        "/login/code", data={"code": code, "csrf_token": token}, follow_redirects=False
    )


def _enrol_in_browser(client: TestClient, user: User) -> tuple[str, list[str]]:
    """First login of a staff member: the enrolment page, a code, the recovery codes."""
    first = _password_step(client, user)
    assert first.status_code == 303 and first.headers["location"] == "/login/enrol"
    assert not _signed_in(client)  # no session before the second step
    page = client.get("/login/enrol")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "private, no-store"
    assert re.search(r'<img class="qr" src="data:image/svg\+xml[^"]+"', page.text)
    assert "<script" not in page.text and "style=" not in page.text
    secret = re.search(r'id="mfa-secret">([A-Z2-7]+)<', page.text)
    assert secret is not None
    token = csrf_from(page.text)
    wrong = client.post("/login/enrol", data={"code": "000000", "csrf_token": token})
    assert wrong.status_code == 401
    assert 'aria-invalid="true"' in wrong.text and secret.group(1) in wrong.text
    done = client.post(
        "/login/enrol",
        data={"code": pyotp.TOTP(secret.group(1)).now(), "csrf_token": token},
    )
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code></li>", done.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert _signed_in(client)
    MFA_SECRETS[user.email] = secret.group(1)
    return secret.group(1), codes


def test_staff_enrol_at_first_login_and_the_secret_is_encrypted(
    client: TestClient, session: Session
) -> None:
    clerk = make_user(session, Role.clerk, enrol=False)
    secret, codes = _enrol_in_browser(client, clerk)
    assert clerk.mfa_enrolled
    raw = session.execute(
        text("SELECT mfa_secret FROM user_account WHERE email_hash = :h"),
        {"h": email_lookup(clerk.email)},
    ).scalar_one()
    assert secret not in raw
    stored = session.exec(select(RecoveryCode).where(RecoveryCode.user_id == clerk.id)).all()
    assert len(stored) == 10
    assert not any(
        code in row.code_hash or code.replace("-", "") in row.code_hash
        for row in stored
        for code in codes
    )
    event = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "account.mfa_enrol", AuditEvent.object_id == str(clerk.id)
        )
    ).one()
    assert secret not in str(event.after)


def test_login_asks_for_a_code_and_refuses_wrong_and_reused_ones(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    inspector = make_user(session, Role.inspector)
    first = _password_step(client, inspector)
    assert first.headers["location"] == "/login/code"
    assert not _signed_in(client)
    wrong = _code_step(client, "123456" if totp_code(inspector.email) != "123456" else "654321")
    assert wrong.status_code == 401
    assert not _signed_in(client)
    code = totp_code(inspector.email, inspector)
    right = _code_step(client, code)
    assert right.status_code == 303 and right.headers["location"] == "/home"
    assert _signed_in(client)
    # The same code a second time (read over a shoulder) is refused.
    other = _browser(app)
    _password_step(other, inspector)
    assert _code_step(other, code).status_code == 401
    assert not _signed_in(other)


def test_the_code_step_without_a_password_step_goes_back_to_login(client: TestClient) -> None:
    assert (
        client.get("/login/code", follow_redirects=False).headers["location"].startswith("/login")
    )
    token = csrf_from(client.get("/login").text)
    answer = client.post(
        "/login/code", data={"code": "123456", "csrf_token": token}, follow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/login?expired=1"


def test_applicants_have_no_second_step(client: TestClient, session: Session) -> None:
    applicant = make_user(session)
    answer = _password_step(client, applicant)
    assert answer.headers["location"] == "/home"
    assert _signed_in(client)


def test_a_recovery_code_logs_in_once(app: FastAPI, client: TestClient, session: Session) -> None:
    coordinator = make_user(session, Role.care_coordinator, enrol=False)
    codes = enrol_mfa(session, coordinator)
    session.commit()
    browser = _browser(app)
    _password_step(browser, coordinator)
    used = _code_step(browser, codes[3].upper())  # typed in capitals: still the code
    assert used.status_code == 303
    assert _signed_in(browser)
    again = _browser(app)
    _password_step(again, coordinator)
    assert _code_step(again, codes[3]).status_code == 401
    assert _code_step(again, codes[4]).status_code == 303
    spent = session.exec(
        select(RecoveryCode).where(
            RecoveryCode.user_id == coordinator.id,
            RecoveryCode.used_at.is_not(None),  # type: ignore[union-attr]
        )
    ).all()
    assert len(spent) == 2
    assert (
        len(
            session.exec(
                select(AuditEvent).where(AuditEvent.action == "account.mfa_recovery_code_used")
            ).all()
        )
        == 2
    )


def test_admin_resets_mfa_and_the_member_enrols_again(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    admin = make_user(session, Role.admin)
    clerk = make_user(session, Role.clerk)
    clerk_browser = _browser(app)
    login_page(clerk_browser, clerk)
    old_secret = MFA_SECRETS[clerk.email]

    login_page(client, admin)
    page = client.get("/admin/users")
    assert f'action="/admin/users/{clerk.id}/mfa/reset"' in page.text
    token = csrf_from(page.text)
    assert client.post(f"/admin/users/{clerk.id}/mfa/reset", data={}).status_code == 403
    done = client.post(
        f"/admin/users/{clerk.id}/mfa/reset", data={"csrf_token": token}, follow_redirects=False
    )
    assert done.status_code == 303
    assert not _signed_in(clerk_browser)  # the lost phone's sessions end too
    assert not clerk.mfa_enrolled
    assert session.exec(select(RecoveryCode).where(RecoveryCode.user_id == clerk.id)).all() == []
    event = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "account.mfa_reset", AuditEvent.object_id == str(clerk.id)
        )
    ).one()
    assert event.actor_id == admin.id

    fresh = _browser(app)
    secret, _codes = _enrol_in_browser(fresh, clerk)
    assert secret != old_secret


def test_staff_tokens_need_the_code_and_applicant_tokens_do_not(
    client: TestClient, session: Session
) -> None:
    clerk = make_user(session, Role.clerk)
    form = {"username": clerk.email, "password": PASSWORD}
    missing = client.post("/api/v1/auth/token", data=form)
    assert missing.status_code == 401
    assert missing.json()["detail"]["code"] == "mfa_required"
    wrong = client.post("/api/v1/auth/token", data={**form, "totp": "000000"})
    assert wrong.status_code == 401
    assert wrong.json()["detail"]["code"] == "invalid_mfa_code"
    assert client.get("/api/v1/users/me", headers=token_for(client, clerk)).status_code == 200

    not_enrolled = make_user(session, Role.inspector, enrol=False)
    answer = client.post(
        "/api/v1/auth/token", data={"username": not_enrolled.email, "password": PASSWORD}
    )
    assert answer.status_code == 401
    assert answer.json()["detail"]["code"] == "mfa_enrolment_required"

    applicant = make_user(session)
    plain = client.post(
        "/api/v1/auth/token", data={"username": applicant.email, "password": PASSWORD}
    )
    assert plain.status_code == 200


def test_wrong_codes_are_throttled(client: TestClient, session: Session) -> None:
    clerk = make_user(session, Role.clerk)
    form = {"username": clerk.email, "password": PASSWORD, "totp": "000000"}
    if totp_code(clerk.email, clerk) == "000000":  # pragma: no cover - one in a million
        form["totp"] = "111111"
    answers = [client.post("/api/v1/auth/token", data=form).status_code for _ in range(6)]
    assert answers == [401] * 5 + [429]
    right = client.post("/api/v1/auth/token", data={**form, "totp": totp_code(clerk.email, clerk)})
    assert right.status_code == 429


def test_another_address_cannot_lock_the_owner_out(app: FastAPI, session: Session) -> None:
    owner = make_user(session)
    attacker = _browser(app, "203.0.113.9")
    for _ in range(8):
        answer = attacker.post(
            "/api/v1/auth/token", data={"username": owner.email, "password": "guess guess"}
        )
    assert answer.status_code == 429  # the attacker's address is held back
    home = _browser(app, "198.51.100.7")
    right = home.post("/api/v1/auth/token", data={"username": owner.email, "password": PASSWORD})
    assert right.status_code == 200
    # A page login from the owner's address works too.
    login_page(home, owner)
    assert _signed_in(home)


def test_an_address_trying_many_accounts_meets_the_per_address_limit(
    app: FastAPI, session: Session
) -> None:
    users = [make_user(session) for _ in range(5)]
    sprayer = _browser(app, "203.0.113.10")
    answers = [
        sprayer.post(
            "/api/v1/auth/token", data={"username": user.email, "password": f"wrong {n}"}
        ).status_code
        for n in range(4)
        for user in users
    ]
    assert answers[:20] == [401] * 20
    last = sprayer.post(
        "/api/v1/auth/token", data={"username": users[0].email, "password": PASSWORD}
    )
    assert last.status_code == 429
    # The owners are not affected elsewhere.
    elsewhere = _browser(app, "198.51.100.8")
    ok = elsewhere.post(
        "/api/v1/auth/token", data={"username": users[0].email, "password": PASSWORD}
    )
    assert ok.status_code == 200


def test_demo_secret_is_a_valid_totp_secret() -> None:
    assert len(pyotp.TOTP(DEMO_TOTP_SECRET).now()) == 6
