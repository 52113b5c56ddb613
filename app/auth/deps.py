"""Dependencies: the current user (bearer token for the API, session cookie for pages)
and permission checks declared on routes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from app.auth import sessions
from app.auth.models import User
from app.auth.permissions import Action, can
from app.auth.security import decode_access_token
from app.deps import SessionDep
from app.errors import Forbidden, NotAuthenticated

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)

SESSION_USER_KEY = "user_id"
SESSION_ID_KEY = "sid"
SESSION_GENERATION_KEY = "gen"


@dataclass(frozen=True)
class SignedIn:
    email: str
    role: str


class LoginRequired(NotAuthenticated):
    """Raised on pages; the page handler turns it into a redirect to /login."""


def get_current_user(
    session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> User:
    claims = decode_access_token(token) if token else None
    user = (
        sessions.check(
            session=session,
            user_id=claims.user_id,
            session_id=claims.session_id,
            generation=claims.generation,
        )
        if claims
        else None
    )
    if user is None:
        raise NotAuthenticated("not_authenticated", "A valid bearer token is required.")
    return user


def get_page_user_optional(request: Request, session: SessionDep) -> User | None:
    raw = request.session.get(SESSION_USER_KEY)
    if not raw:
        return None
    try:
        user = sessions.check(
            session=session,
            user_id=uuid.UUID(str(raw)),
            session_id=uuid.UUID(str(request.session.get(SESSION_ID_KEY))),
            generation=int(str(request.session.get(SESSION_GENERATION_KEY))),
            max_age=timedelta(seconds=request.app.state.settings.session_max_age_seconds),
        )
    except (TypeError, ValueError):
        user = None
    if user is None:
        # An ended session: the cookie is worth nothing any more, so forget it.
        request.session.clear()
        return None
    # A plain snapshot for the page header: an error page rendered after a rollback must
    # not touch an expired database object.
    request.state.signed_in = SignedIn(email=user.email, role=user.role.value)
    return user


def get_page_user(user: Annotated[User | None, Depends(get_page_user_optional)]) -> User:
    if user is None:
        raise LoginRequired()
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
PageUser = Annotated[User, Depends(get_page_user)]
OptionalPageUser = Annotated[User | None, Depends(get_page_user_optional)]


def require(action: Action) -> Callable[[User], User]:
    """API dependency: the bearer user must hold `action`."""

    def dependency(user: CurrentUser) -> User:
        if not can(user, action):
            raise Forbidden()
        return user

    return dependency


def require_page(action: Action) -> Callable[[User], User]:
    """Page dependency: the logged-in user must hold `action`."""

    def dependency(user: PageUser) -> User:
        if not can(user, action):
            raise Forbidden()
        return user

    return dependency
