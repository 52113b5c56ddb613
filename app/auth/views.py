"""Pages: login, logout, register, language switch, home per role, staff accounts."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from app.auth import service
from app.auth.deps import SESSION_USER_KEY, OptionalPageUser, require_page
from app.auth.models import MIN_PASSWORD_LENGTH, Role, User, UserCreate, UserRegister
from app.auth.permissions import Action
from app.context import LANGUAGE_COOKIE
from app.deps import SessionDep
from app.errors import AppError, NotFound
from app.i18n import gettext as _
from app.i18n import normalise_language
from app.web import FormDep, client_address, redirect, render, safe_next, verify_csrf
from app.web_errors import status_of, user_message

router = APIRouter(include_in_schema=False)
Csrf = Depends(verify_csrf)
# Applicants make their own accounts; the admin page makes staff accounts.
STAFF_ROLE_CHOICES = [Role.clerk, Role.inspector, Role.care_coordinator, Role.admin]


def _field_errors(exc: ValidationError) -> dict[str, str]:
    messages = {
        "email": _("Enter a valid email address, like name@example.org."),
        "password": _("Choose a password of at least %(n)s characters.", n=MIN_PASSWORD_LENGTH),
        "language": _("Choose Dutch or English."),
        "role": _("Choose a role."),
    }
    errors: dict[str, str] = {}
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else "form"
        errors.setdefault(field, messages.get(field, _("Check this field.")))
    return errors


def _log_in(request: Request, user: User) -> None:
    request.session.clear()  # a fresh session (and CSRF token) after login
    request.session[SESSION_USER_KEY] = str(user.id)


@router.get("/")
def index(request: Request, user: OptionalPageUser) -> Response:
    if user is not None:
        return redirect("/home")
    return render(request, "index.html")


@router.get("/login")
def login_page(request: Request, user: OptionalPageUser, next: str | None = None) -> Response:
    if user is not None:
        return redirect(safe_next(next, "/home"))
    return render(request, "auth/login.html", {"next": safe_next(next, "/home")})


@router.post("/login", dependencies=[Csrf])
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/home",
) -> Response:
    try:
        user = service.authenticate(
            session=session,
            email=email,
            password=password,
            throttle=request.app.state.login_throttle,
            client=client_address(request),
        )
    except AppError as exc:
        message = user_message(exc.code)
        return render(
            request,
            "auth/login.html",
            {"errors": {"form": message}, "values": {"email": email}, "next": safe_next(next)},
            status_code=status_of(exc),
        )
    _log_in(request, user)
    return redirect(safe_next(next, "/home"))


@router.post("/logout", dependencies=[Csrf])
def logout(request: Request) -> Response:
    request.session.clear()
    return redirect("/")


@router.get("/register")
def register_page(request: Request) -> Response:
    return render(request, "auth/register.html")


@router.post("/register", dependencies=[Csrf])
def register(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    password_repeat: Annotated[str, Form()] = "",
) -> Response:
    values = {"email": email}
    language = normalise_language(request.cookies.get(LANGUAGE_COOKIE)) or "nl"
    try:
        data = UserRegister.model_validate(
            {"email": email, "password": password, "language": language}
        )
    except ValidationError as exc:
        errors = _field_errors(exc)
        return render(
            request, "auth/register.html", {"errors": errors, "values": values}, status_code=422
        )
    if password != password_repeat:
        errors = {"password_repeat": _("The two passwords are not the same.")}
        return render(
            request, "auth/register.html", {"errors": errors, "values": values}, status_code=422
        )
    try:
        user = service.register(
            session=session,
            data=data,
            throttle=request.app.state.register_throttle,
            client=client_address(request),
        )
    except AppError as exc:
        return render(
            request,
            "auth/register.html",
            {"errors": {"email": user_message(exc.code)}, "values": values},
            status_code=status_of(exc),
        )
    _log_in(request, user)
    return redirect("/home")


@router.get("/lang/{code}")
def switch_language(
    code: str, request: Request, session: SessionDep, user: OptionalPageUser, next: str = "/"
) -> Response:
    language = normalise_language(code)
    if language is None:
        raise NotFound(code="unknown_language", message="This language is not available.")
    response = redirect(safe_next(next))
    response.set_cookie(
        LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax", httponly=True
    )
    if user is not None:
        service.set_language(session=session, user=user, language=language)
    return response


@router.get("/admin/users")
def admin_users(
    request: Request,
    session: SessionDep,
    user: Annotated[User, Depends(require_page(Action.account_create_staff))],
    after: str | None = None,
) -> Response:
    users = service.list_(session=session, actor=user, limit=50, after_email=after)
    return render(request, "admin/users.html", {"users": users, "roles": STAFF_ROLE_CHOICES})


@router.post("/admin/users", dependencies=[Csrf])
def admin_create_user(
    request: Request,
    session: SessionDep,
    user: Annotated[User, Depends(require_page(Action.account_create_staff))],
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
) -> Response:
    values = {"email": email, "role": role}
    try:
        data = UserCreate(email=email, password=password, role=role)  # type: ignore[arg-type]
        service.create(session=session, data=data, actor=user)
    except (ValidationError, AppError) as exc:
        if isinstance(exc, ValidationError):
            errors = _field_errors(exc)
        else:
            errors = {"email": user_message(exc.code)}
        users = service.list_(session=session, actor=user, limit=50)
        return render(
            request,
            "admin/users.html",
            {"users": users, "roles": STAFF_ROLE_CHOICES, "errors": errors, "values": values},
            status_code=422,
        )
    return redirect("/admin/users?recorded=1")


@router.post("/admin/users/{user_id}/active", dependencies=[Csrf])
def admin_set_active(
    user_id: uuid.UUID,
    session: SessionDep,
    user: Annotated[User, Depends(require_page(Action.account_create_staff))],
    form: FormDep,
) -> Response:
    service.set_active(
        session=session, user_id=user_id, active=form.get("active") == "1", actor=user
    )
    return redirect("/admin/users?recorded=1")
