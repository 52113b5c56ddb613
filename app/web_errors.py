"""The web layer's side of errors: which HTTP status each kind of domain error gets, the
one map from error code to the message a page shows, and the exception handlers.

The API answers `{"detail": {"code", "message", ...}}` with the domain's stable English
message; pages show the visitor's language from `USER_MESSAGES`.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import errors
from app.db import is_database_unavailable
from app.i18n import gettext as _

logger = logging.getLogger(__name__)

STATUS_BY_KIND: dict[type[errors.AppError], int] = {
    errors.BadRequest: 400,
    errors.NotAuthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.TooLarge: 413,
    errors.UnsupportedType: 415,
    errors.InvalidInput: 422,
    errors.TooManyRequests: 429,
    errors.Unavailable: 503,
}

CODES_BY_STATUS = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    503: "unavailable",
}


def status_of(exc: errors.AppError) -> int:
    """The HTTP status for a domain error: its nearest kind in STATUS_BY_KIND."""
    for kind in type(exc).__mro__:
        if kind in STATUS_BY_KIND:
            return STATUS_BY_KIND[kind]
    return 400


def headers_of(exc: errors.AppError) -> dict[str, str]:
    headers: dict[str, str] = {}
    if exc.retry_after is not None:
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, errors.NotAuthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    return headers


def N_(message: str) -> str:
    return message


USER_MESSAGES: dict[str, str] = {
    # Pages and the site as a whole.
    "not_found": N_("We could not find this page. Check the address, or go back."),
    "forbidden": N_("Your account does not give access to this page."),
    "method_not_allowed": N_("This page cannot be used like this."),
    "bad_cursor": N_("This page of the list no longer exists. Start again from the top."),
    "internal_error": N_("Something went wrong on our side. Nothing was changed."),
    "csrf_failed": N_(
        "This form has expired or did not come from this site. Reload the page and try again."
    ),
    "too_many_requests": N_("Too many requests from your address. Wait a minute and try again."),
    "database_busy": N_("The service is very busy. Try again in a moment; nothing was changed."),
    "rate_limit_unavailable": N_(
        "The service cannot take this request right now. Try again in a moment."
    ),
    # Accounts.
    "own_account": N_("You cannot switch off your own account."),
    "own_role": N_("You cannot change your own role. Ask another administrator."),
    "role_not_staff": N_("Choose one of the staff roles."),
    "invalid_credentials": N_("Email address or password is wrong."),
    "too_many_attempts": N_("Too many wrong passwords. Wait a minute and try again."),
    "too_many_registrations": N_("Too many new accounts from your address. Try again later."),
    "email_taken": N_("An account with this email address already exists."),
    "wrong_password": N_("The current password is wrong."),
    "weak_password": N_("Choose a password of at least 12 characters."),
    "same_password": N_("Choose a password you did not use just now."),
    "invalid_mfa_code": N_("This code is not right. Try the newest code."),
    "too_many_codes": N_("Too many wrong codes. Wait a while and try again."),
    "mfa_not_enrolled": N_("Set up two-factor login first."),
    "mfa_already_enrolled": N_("Two-factor login is already set up."),
    "mfa_required": N_("Send the code of your authenticator app."),
    "mfa_enrolment_required": N_("Set up two-factor login by logging in on the site first."),
    # Applications, uploads and decisions.
    "incomplete": N_("Your application is not complete yet. Fill in what is listed below."),
    "too_large": N_("The file is too large. The limit is %(mb)s MB."),
    "unsupported_file_type": N_("Only PDF, JPEG and PNG files are accepted."),
    "empty_file": N_("The file is empty."),
    "renewal_exists": N_("There is already a renewal application for this permit."),
    "reason_required": N_("Give a reason: the applicant reads it in the decision."),
    "blocking_checks_failed": N_("This application cannot be approved while rules fail."),
    "illegal_transition": N_("This is not possible in the current status."),
    "already_extended": N_("The decision period has already been extended once."),
    "period_ended": N_("The decision period has ended; it can no longer be extended."),
    "no_extension": N_("The policy allows no extension of the decision period."),
    "information_term_running": N_(
        "The applicant may still supply the information. Refuse only when the term to "
        "supply it has passed (Awb 4:5)."
    ),
    "bad_decision": N_("Choose a decision."),
    "stale_version": N_(
        "This was changed in the meantime, perhaps by a colleague. Reload the page and try again."
    ),
    # Home work.
    "invalid_bsn": N_("This is not a valid citizen service number (BSN). Check the 9 digits."),
    "home_work_refused": N_("Home work at this address is not possible. Below you can read why."),
    "already_registered": N_(
        "Home work is already registered for this citizen service number. End that "
        "registration first; if it is not yours, contact the municipality."
    ),
    "hearing_open": N_(
        "The sex worker may still respond. Decide after her response, or when the period "
        "to respond has passed."
    ),
    "not_under_review": N_("A response can only be given while home work is under review."),
    "unknown_indicator": N_("Tick only the signs listed."),
    "not_taken": N_("Take the signal first; a closed signal gets no more steps."),
    # Inspections.
    "place_required": N_("Give the permit number of a business, or a postcode and house number."),
    "unknown_permit": N_("There is no permit with this number. Check the number."),
    "permit_not_in_force": N_(
        "This permit has expired or was revoked. Plan the visit to its address instead."
    ),
    "unknown_address": N_("There is no such address. Give a postcode and house number."),
    "date_in_past": N_("Plan the visit for today or a later day."),
    "date_too_far": N_("Plan the visit within a year from today."),
    "inspectors_required": N_("Tick at least one inspector who goes on the visit."),
    "not_an_inspector": N_("Only active inspectors can go on a visit."),
    "checklist_incomplete": N_("Answer every item of the checklist: yes, no or not applicable."),
    "checklist_twice": N_("Answer each item of the checklist once."),
    "findings_required": N_("Write what you found: a warning or a violation needs findings."),
    "visited_at_invalid": N_(
        "Give the day and time of the visit: in the past year, not later than now."
    ),
    "reinspect_date_invalid": N_("A re-inspection date must be after today, within two years."),
    "already_recorded": N_(
        "This visit has been recorded. Open it again to correct it, with a reason."
    ),
    "bad_draft": N_("The draft could not be kept. Reload the page and try again."),
    "control_characters": N_("Remove the invisible control characters from the text."),
    "link_invalid": N_(
        "This link is not valid any more (used, or older than two hours). Ask for a new one."
    ),
    "password_length": N_("Choose a password of at least 12 characters."),
    "needs_permit": N_(
        "A warning letter or a referral to the clerk is only for a licensed business."
    ),
    "unknown_photo": N_("A photo does not belong to this visit. Reload the page."),
    "unknown_permit_number": N_(
        "There is no permit with number %(permit_number)s. Record the person by role only."
    ),
    "correction_reason_required": N_(
        "Say why you correct the visit: the correction is kept as a new version."
    ),
    "image_too_large": N_(
        "The image is too large: at most %(mb)s MB and 40 megapixels. Choose a smaller one."
    ),
    "image_type": N_("An image must be a JPEG or PNG file (it was not added)."),
    "unreadable_image": N_("The image could not be read. Take it again or choose another."),
    "pdf_encrypted": N_("A PDF with a password cannot be accepted. Save it without one."),
    "pdf_active_content": N_(
        "This PDF contains scripts, attachments or actions. Print it to a new PDF (or scan "
        "it) and upload that."
    ),
    "unreadable_pdf": N_("The PDF could not be read. Save it again and upload it once more."),
    "too_many_photos": N_("A visit has at most 20 photos."),
    "draft_too_large": N_("The draft is too large to keep. Shorten the notes."),
    "referral_settled": N_("This referral was already handled or withdrawn."),
    "unknown_inspection": N_("There is no such visit."),
    "address_register_unavailable": N_(
        "The population register cannot be reached now. Your registration waits and is "
        "checked again later."
    ),
}


def user_message(code: str, fallback: str | None = None, **values: Any) -> str:
    """What a page says about an error code, in the visitor's language."""
    message = USER_MESSAGES.get(code)
    if message is None or ("%(" in message and not values):
        # Unknown, or a message that needs values the caller does not have (a 413 page).
        return fallback if fallback is not None else _("Something went wrong. Try again.")
    return _(message, **values)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _page(request: Request, status_code: int, code: str, message: str) -> Response:
    from app.web import render

    # Pages speak the visitor's language; the API keeps its stable English messages.
    return render(
        request,
        "error.html",
        {"status_code": status_code, "code": code, "message": user_message(code, message)},
        status_code=status_code,
    )


def error_response(request: Request, exc: errors.AppError) -> Response:
    status_code = status_of(exc)
    headers = headers_of(exc)
    if _is_api(request):
        return JSONResponse({"detail": exc.detail()}, status_code=status_code, headers=headers)
    headers.pop("WWW-Authenticate", None)
    response = _page(request, status_code, exc.code, exc.message)
    response.headers.update(headers)
    return response


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(errors.AppError)
    async def _app_error(request: Request, exc: errors.AppError) -> Response:
        return error_response(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = CODES_BY_STATUS.get(exc.status_code, "error")
        if isinstance(exc.detail, dict) and "code" in exc.detail:
            detail: dict[str, Any] = exc.detail
        else:
            message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
            detail = {"code": code, "message": message}
        if _is_api(request):
            return JSONResponse(
                {"detail": detail},
                status_code=exc.status_code,
                headers=getattr(exc, "headers", None),
            )
        return _page(request, exc.status_code, detail["code"], detail["message"])

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors_ = [
            {k: v for k, v in err.items() if k in ("type", "loc", "msg")} for err in exc.errors()
        ]
        if _is_api(request):
            return JSONResponse({"detail": errors_}, status_code=422)
        if any(e["loc"] and e["loc"][0] == "path" for e in errors_):
            # A mistyped address on a page is a page that does not exist.
            return _page(request, 404, "not_found", "Not found")
        message = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors_)
        return _page(request, 422, "validation_error", message)

    @app.exception_handler(PoolTimeoutError)
    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, exc: Exception) -> Response:
        if not is_database_unavailable(exc):
            return await _unexpected(request, exc)
        # The driver's own message (never the statement or its parameters).
        reason = getattr(exc, "orig", None) or exc
        logger.warning("database unavailable: %s: %.200s", type(reason).__name__, reason)
        return error_response(request, errors.DatabaseBusy())

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        logger.exception("unhandled error", exc_info=exc)
        message = "Something went wrong on our side. Nothing was changed."
        if _is_api(request):
            return JSONResponse(
                {"detail": {"code": "internal_error", "message": message}}, status_code=500
            )
        return _page(request, 500, "internal_error", message)
