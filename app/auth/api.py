"""JSON routes for accounts and tokens."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.security import OAuth2PasswordRequestForm

from app.auth import mfa, registration, service, sessions
from app.auth.deps import CurrentUser, require
from app.auth.models import (
    LinkToken,
    RegistrationAccepted,
    RoleChange,
    Token,
    User,
    UserCreate,
    UserPublic,
    UserRegister,
)
from app.auth.permissions import Action
from app.auth.security import create_access_token
from app.deps import SessionDep
from app.errors import NotAuthenticated
from app.web import client_address

router = APIRouter(prefix="/api/v1", tags=["accounts"])


# Routes for staff accounts (admins).
Admin = Annotated[User, Depends(require(Action.account_create_staff))]


@router.post("/auth/register", response_model=RegistrationAccepted, status_code=202)
def register(data: UserRegister, request: Request, session: SessionDep) -> RegistrationAccepted:
    """Make an applicant account (sex workers and business operators).

    The answer is the same whether or not the address has an account: an e-mail goes to
    the address with a link to confirm it (its token goes to `POST /auth/confirm`), or,
    when the address has an account already, the way to choose a new password. An
    account logs in once its address is confirmed."""
    registration.register(
        session=session,
        data=data,
        throttle=request.app.state.register_throttle,
        client=client_address(request),
    )
    return RegistrationAccepted()


@router.post("/auth/confirm", response_model=UserPublic)
def confirm(data: LinkToken, session: SessionDep) -> User:
    """Confirm an address with the token of the link in the e-mail (422 `link_invalid`
    for a token that is unknown, used or expired)."""
    return registration.confirm(session=session, raw_token=data.token)


@router.post("/auth/token", response_model=Token)
def token(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    totp: Annotated[str, Form()] = "",
) -> Token:
    """OAuth2 password flow: email as `username`, and the password.

    Staff accounts also send `totp`: the current 6-digit code of their authenticator app
    (or one of their recovery codes, which is spent). A staff member who has not set up
    two-factor login yet does that first by logging in on the site (401
    `mfa_enrolment_required`). Each token is a session of its own: logging out elsewhere
    leaves it, ending all sessions (password change, an admin) ends it."""
    client = client_address(request)
    user = service.authenticate(
        session=session,
        email=form.username,
        password=form.password,
        throttle=request.app.state.login_throttle,
        client=client,
    )
    if user.mfa_required:
        if not user.mfa_enrolled:
            raise NotAuthenticated(
                "mfa_enrolment_required",
                "Set up two-factor login by logging in on the site first.",
            )
        if not totp.strip():
            raise NotAuthenticated("mfa_required", "Send the code of your authenticator app.")
        mfa.verify(
            session=session,
            user=user,
            code=totp,
            throttle=request.app.state.mfa_throttle,
            client=client,
        )
    row = sessions.start(session=session, user=user, kind="api")
    access_token, expires_in = create_access_token(
        user.id, session_id=row.id, generation=row.generation
    )
    return Token(access_token=access_token, expires_in=expires_in)


@router.get("/users/me", response_model=UserPublic)
def me(user: CurrentUser) -> User:
    return user


@router.get("/users", response_model=list[UserPublic])
def list_users(
    session: SessionDep,
    user: Annotated[User, Depends(require(Action.account_read_any))],
    after: str | None = None,
    limit: int = 50,
) -> list[User]:
    """Staff: accounts ordered by email; pass the last email as `after` for the next page."""
    return service.list_(
        session=session, actor=user, limit=min(max(limit, 1), 200), after_email=after
    )


@router.get("/users/{user_id}", response_model=UserPublic)
def read_user(user_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> User:
    """An account: your own, or any account for staff allowed to (the read is audited)."""
    return service.read_account(session=session, user_id=user_id, actor=user)


@router.post("/users", response_model=UserPublic, status_code=201)
def create_user(
    data: UserCreate,
    session: SessionDep,
    user: Admin,
) -> User:
    """Admin: make an account with any role."""
    return service.create(session=session, data=data, actor=user)


@router.post("/users/{user_id}/deactivate", response_model=UserPublic)
def deactivate_user(
    user_id: uuid.UUID,
    session: SessionDep,
    user: Admin,
) -> User:
    """Admin: switch off a staff account (its sessions and tokens stop working)."""
    return service.set_active(session=session, user_id=user_id, active=False, actor=user)


@router.post("/users/{user_id}/activate", response_model=UserPublic)
def activate_user(
    user_id: uuid.UUID,
    session: SessionDep,
    user: Admin,
) -> User:
    """Admin: switch a staff account on again (sessions from before stay ended)."""
    return service.set_active(session=session, user_id=user_id, active=True, actor=user)


@router.post("/users/{user_id}/sessions/end", response_model=UserPublic)
def end_sessions(
    user_id: uuid.UUID,
    session: SessionDep,
    user: Admin,
) -> User:
    """Admin: end every session and token of a staff account."""
    return sessions.admin_end_all(session=session, user_id=user_id, actor=user)


@router.post("/users/{user_id}/mfa/reset", response_model=UserPublic)
def reset_mfa(
    user_id: uuid.UUID,
    session: SessionDep,
    user: Admin,
) -> User:
    """Admin: reset a staff member's two-factor login (lost phone); they set it up again at
    their next login, and every session of theirs ends."""
    return mfa.reset(session=session, user_id=user_id, actor=user)


@router.post("/users/{user_id}/role", response_model=UserPublic)
def change_role(user_id: uuid.UUID, data: RoleChange, session: SessionDep, user: Admin) -> User:
    """Give a staff member another staff role (admins; audited; not one's own)."""
    return service.change_role(session=session, user_id=user_id, role=data.role, actor=user)
