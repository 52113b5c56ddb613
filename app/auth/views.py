"""Pages: login (with the staff's second step), logout, register, change password,
language switch, staff accounts."""

from __future__ import annotations

import time
import uuid
from typing import Annotated

import segno
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session

from app.auth import links, mfa, recovery, registration, service, sessions
from app.auth.deps import (
    SESSION_GENERATION_KEY,
    SESSION_ID_KEY,
    SESSION_USER_KEY,
    OptionalPageUser,
    PageUser,
    SignedIn,
    require_page,
)
from app.auth.models import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    Role,
    User,
    UserCreate,
    UserRegister,
)
from app.auth.permissions import Action
from app.context import LANGUAGE_COOKIE
from app.deps import SessionDep
from app.errors import AppError, NotFound
from app.form_fields import message_for
from app.i18n import gettext as _
from app.i18n import normalise_language
from app.mail import sender
from app.web import (
    FormDep,
    client_address,
    limit_per_client,
    redirect,
    render,
    safe_next,
    verify_csrf,
)
from app.web_errors import status_of, user_message

router = APIRouter(include_in_schema=False)
Csrf = Depends(verify_csrf)
# Applicants make their own accounts; the admin page makes staff accounts.
STAFF_ROLE_CHOICES = [
    Role.clerk,
    Role.inspector,
    Role.care_coordinator,
    Role.analyst,
    Role.admin,
]


def _field_errors(exc: ValidationError) -> dict[str, str]:
    messages = {
        "email": _("Enter a valid email address, like name@example.org."),
        "password": _("Choose a password of at least %(n)s characters.", n=MIN_PASSWORD_LENGTH),
        "language": _("Choose one of the languages in the menu."),
        "role": _("Choose a role."),
    }
    errors: dict[str, str] = {}
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else "form"
        errors.setdefault(field, messages.get(field) or message_for(err))
    return errors


def _log_in(request: Request, session: Session, user: User) -> None:
    """A new server-side session for this browser; the cookie names it."""
    row = sessions.start(session=session, user=user, kind="page")
    request.session.clear()  # a fresh session (and CSRF token) after login
    request.session[SESSION_USER_KEY] = str(user.id)
    request.session[SESSION_ID_KEY] = str(row.id)
    request.session[SESSION_GENERATION_KEY] = row.generation


# Between the password and the second step a staff login waits in the (signed) cookie:
# whose, which generation, since when, and where to go afterwards. No session exists yet.
PENDING_KEY = "mfa_pending"
# The staff's second login step is no applicant page: no quick exit, and no script at all.
STAFF_STEP: dict[str, object] = {"quick_exit_url": None, "forms_script": False}
PENDING_SECONDS = 300


def _set_pending(request: Request, user: User, next: str) -> None:
    request.session.clear()
    request.session[PENDING_KEY] = {
        "user": str(user.id),
        "gen": user.session_generation,
        "at": int(time.time()),
        "next": next,
    }


def _pending(request: Request, session: Session) -> tuple[User, str] | None:
    """The staff member who gave the right password in this browser a moment ago."""
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    try:
        if time.time() - int(data["at"]) > PENDING_SECONDS:
            return None
        user = service.get(session=session, user_id=uuid.UUID(str(data["user"])))
    except (KeyError, TypeError, ValueError):
        return None
    if (
        user is None
        or not user.is_active
        or not user.mfa_required
        or user.session_generation != data.get("gen")
    ):
        return None
    return user, safe_next(str(data.get("next") or ""), "/home")


def _qr_data_uri(uri: str) -> str:
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def _enrol_page(
    request: Request, session: Session, user: User, errors: dict[str, str], status: int = 200
) -> Response:
    secret = mfa.pending_secret(session=session, user=user)
    uri = mfa.provisioning_uri(user, secret)
    context = {**STAFF_STEP, "qr": _qr_data_uri(uri), "secret": secret, "errors": errors}
    response = render(request, "auth/mfa_enrol.html", context, status_code=status)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# Pages of the staff accounts (admins).
Admin = Annotated[User, Depends(require_page(Action.account_create_staff))]


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
    if user.mfa_required:
        _set_pending(request, user, safe_next(next, "/home"))
        return redirect("/login/code" if user.mfa_enrolled else "/login/enrol")
    _log_in(request, session, user)
    return redirect(safe_next(next, "/home"))


def _login_expired() -> Response:
    return redirect("/login?expired=1")


@router.get("/login/code")
def login_code_page(request: Request, session: SessionDep) -> Response:
    pending = _pending(request, session)
    if pending is None or not pending[0].mfa_enrolled:
        return _login_expired()
    return render(request, "auth/mfa_code.html", STAFF_STEP)


@router.post("/login/code", dependencies=[Csrf])
def login_code(
    request: Request, session: SessionDep, code: Annotated[str, Form()] = ""
) -> Response:
    pending = _pending(request, session)
    if pending is None or not pending[0].mfa_enrolled:
        return _login_expired()
    user, next = pending
    try:
        with session.begin_nested():
            mfa.verify(
                session=session,
                user=user,
                code=code,
                throttle=request.app.state.mfa_throttle,
                client=client_address(request),
            )
    except AppError as exc:
        errors = {"code": user_message(exc.code)}
        return render(
            request,
            "auth/mfa_code.html",
            {**STAFF_STEP, "errors": errors},
            status_code=status_of(exc),
        )
    _log_in(request, session, user)
    return redirect(next)


@router.get("/login/enrol")
def login_enrol_page(request: Request, session: SessionDep) -> Response:
    pending = _pending(request, session)
    if pending is None or pending[0].mfa_enrolled:
        return _login_expired()
    return _enrol_page(request, session, pending[0], {})


@router.post("/login/enrol", dependencies=[Csrf])
def login_enrol(
    request: Request, session: SessionDep, code: Annotated[str, Form()] = ""
) -> Response:
    pending = _pending(request, session)
    if pending is None or pending[0].mfa_enrolled:
        return _login_expired()
    user, next = pending
    try:
        with session.begin_nested():
            codes = mfa.confirm_enrolment(
                session=session,
                user=user,
                code=code,
                throttle=request.app.state.mfa_throttle,
                client=client_address(request),
            )
    except AppError as exc:
        errors = {"code": user_message(exc.code)}
        return _enrol_page(request, session, user, errors, status_of(exc))
    _log_in(request, session, user)
    request.state.signed_in = SignedIn(email=user.email, role=user.role.value)
    response = render(request, "auth/mfa_recovery_codes.html", {"codes": codes, "next": next})
    response.headers["Cache-Control"] = "private, no-store"
    return response


@router.post("/logout", dependencies=[Csrf])
def logout(request: Request, session: SessionDep, user: OptionalPageUser) -> Response:
    """Ends this browser's session on the server too: a copy of the cookie stops working."""
    if user is not None:
        raw = request.session.get(SESSION_ID_KEY)
        try:
            session_id = uuid.UUID(str(raw))
        except ValueError:
            session_id = None
        sessions.end(session=session, user=user, session_id=session_id)
    request.session.clear()
    return redirect("/")


@router.get("/account/password")
def password_page(request: Request, user: PageUser) -> Response:
    return render(request, "auth/password.html")


@router.post("/account/password", dependencies=[Csrf])
def change_password(
    request: Request,
    session: SessionDep,
    user: PageUser,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    new_password_repeat: Annotated[str, Form()] = "",
) -> Response:
    """A new password ends every session and token of the account; this browser gets a new
    session and stays logged in."""
    errors: dict[str, str] = {}
    if len(new_password) < MIN_PASSWORD_LENGTH:
        errors["new_password"] = _(
            "Choose a password of at least %(n)s characters.", n=MIN_PASSWORD_LENGTH
        )
    elif new_password != new_password_repeat:
        errors["new_password_repeat"] = _("The two passwords are not the same.")
    if not errors:
        try:
            with session.begin_nested():
                service.change_password(
                    session=session,
                    user=user,
                    current=current_password,
                    new=new_password,
                    throttle=request.app.state.login_throttle,
                    client=client_address(request),
                )
        except AppError as exc:
            field = (
                "new_password"
                if exc.code in ("weak_password", "same_password")
                else ("current_password")
            )
            errors[field] = user_message(exc.code)
            return render(
                request, "auth/password.html", {"errors": errors}, status_code=status_of(exc)
            )
    if errors:
        return render(request, "auth/password.html", {"errors": errors}, status_code=422)
    _log_in(request, session, user)
    return redirect("/account/password?changed=1")


@router.get("/register")
def register_page(request: Request) -> Response:
    return _register_page(request, {"dev_mail": sender.mode() == "dev"})


def _register_page(
    request: Request, context: dict[str, object], status_code: int = 200
) -> Response:
    limits = {"min_password": MIN_PASSWORD_LENGTH, "max_password": MAX_PASSWORD_LENGTH}
    return render(request, "auth/register.html", {**limits, **context}, status_code=status_code)


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
        return _register_page(request, {"errors": errors, "values": values}, status_code=422)
    if password != password_repeat:
        errors = {"password_repeat": _("The two passwords are not the same.")}
        return _register_page(request, {"errors": errors, "values": values}, status_code=422)
    registration.register(
        session=session,
        data=data,
        throttle=request.app.state.register_throttle,
        client=client_address(request),
    )
    return redirect("/register?sent=1")


@router.get("/register/confirm")
def confirm_page(request: Request, token: str = "") -> Response:
    """The link in the confirmation e-mail opens this page; its button confirms (a GET
    changes nothing, so a mail program that opens links first does not spend it)."""
    return render(request, "auth/confirm.html", {"token": token[: links.TOKEN_LENGTH]})


@router.post("/register/confirm", dependencies=[Csrf])
def confirm(request: Request, session: SessionDep, token: Annotated[str, Form()] = "") -> Response:
    try:
        with session.begin_nested():
            user = registration.confirm(session=session, raw_token=token)
    except AppError as exc:
        return render(
            request,
            "auth/confirm.html",
            {"token": "", "errors": {"form": user_message(exc.code, exc.message)}},
            status_code=status_of(exc),
        )
    _log_in(request, session, user)
    return redirect("/home")


def _language_response(code: str, next: str) -> Response:
    language = normalise_language(code)
    if language is None:
        raise NotFound(code="unknown_language", message="This language is not available.")
    response = redirect(safe_next(next))
    response.set_cookie(
        LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax", httponly=True
    )
    return response


@router.post("/lang", dependencies=[Csrf])
def switch_language(
    session: SessionDep,
    user: OptionalPageUser,
    code: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """The language menu's forms: the page language, and the saved setting of a logged-in
    account (which is why this is a POST with a CSRF token)."""
    response = _language_response(code, next)
    language = normalise_language(code)
    if user is not None and language is not None:
        service.set_language(session=session, user=user, language=language)
    return response


@router.get("/lang/{code}")
def switch_language_link(code: str, user: OptionalPageUser, next: str = "/") -> Response:
    """A plain link for visitors who are not logged in: only this browser's language
    cookie. It never changes an account's saved setting (that takes the POST form)."""
    if user is not None:
        return redirect(safe_next(next))
    return _language_response(code, next)


@router.get("/admin/users")
def admin_users(
    request: Request,
    session: SessionDep,
    user: Admin,
    after: str | None = None,
) -> Response:
    users = service.list_(session=session, actor=user, limit=50, after_email=after)
    return render(request, "admin/users.html", {"users": users, "roles": STAFF_ROLE_CHOICES})


@router.post("/admin/users", dependencies=[Csrf])
def admin_create_user(
    request: Request,
    session: SessionDep,
    user: Admin,
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


@router.get("/password/forgot")
def forgot_page(request: Request) -> Response:
    return render(request, "auth/forgot.html")


@router.post("/password/forgot", dependencies=[Csrf])
def forgot(request: Request, session: SessionDep, email: Annotated[str, Form()] = "") -> Response:
    """The same answer whether or not the address has an account."""
    address = email.strip()
    if not address or "@" not in address or len(address) > 254:
        return render(
            request,
            "auth/forgot.html",
            {"errors": {"email": _("Fill in the e-mail address of your account.")}},
            status_code=422,
        )
    limit_per_client(request, request.app.state.register_throttle, "forgot")
    recovery.request_reset(
        session=session, user=service.get_by_email(session=session, email=address)
    )
    return redirect("/password/forgot?sent=1")


@router.get("/password/reset")
def reset_page(request: Request, token: str = "") -> Response:
    return render(request, "auth/reset.html", {"token": token[: links.TOKEN_LENGTH]})


@router.post("/password/reset", dependencies=[Csrf])
def reset(
    request: Request,
    session: SessionDep,
    token: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    password_repeat: Annotated[str, Form()] = "",
) -> Response:
    error: str | None = None
    if password != password_repeat:
        error = _("The two passwords are not the same.")
    else:
        try:
            with session.begin_nested():
                recovery.reset_password(session=session, raw_token=token, password=password)
        except AppError as exc:
            error = user_message(exc.code, exc.message)
    if error is not None:
        return render(
            request,
            "auth/reset.html",
            {"token": token[: links.TOKEN_LENGTH], "errors": {"password": error}},
            status_code=422,
        )
    request.session.clear()
    return redirect("/login?reset=1")


@router.post("/admin/users/{user_id}/password-reset", dependencies=[Csrf])
def admin_send_reset(user_id: uuid.UUID, session: SessionDep, user: Admin) -> Response:
    recovery.admin_send_reset(session=session, user_id=user_id, actor=user)
    return redirect("/admin/users?recorded=1")


@router.post("/admin/users/{user_id}/sessions/end", dependencies=[Csrf])
def admin_end_sessions(
    user_id: uuid.UUID,
    session: SessionDep,
    user: Admin,
) -> Response:
    sessions.admin_end_all(session=session, user_id=user_id, actor=user)
    return redirect("/admin/users?recorded=1")


@router.post("/admin/users/{user_id}/mfa/reset", dependencies=[Csrf])
def admin_reset_mfa(
    user_id: uuid.UUID,
    session: SessionDep,
    user: Admin,
) -> Response:
    mfa.reset(session=session, user_id=user_id, actor=user)
    return redirect("/admin/users?recorded=1")


@router.post("/admin/users/{user_id}/active", dependencies=[Csrf])
def admin_set_active(
    user_id: uuid.UUID,
    session: SessionDep,
    user: Admin,
    form: FormDep,
) -> Response:
    service.set_active(
        session=session, user_id=user_id, active=form.get("active") == "1", actor=user
    )
    return redirect("/admin/users?recorded=1")


@router.post("/admin/users/{user_id}/role", dependencies=[Csrf])
def admin_change_role(
    user_id: uuid.UUID, session: SessionDep, user: Admin, form: FormDep
) -> Response:
    try:
        role = Role(str(form.get("role", "")))
    except ValueError:
        role = Role.applicant  # refused by the service as not a staff role
    service.change_role(session=session, user_id=user_id, role=role, actor=user)
    return redirect("/admin/users?recorded=1")
