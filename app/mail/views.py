"""Pages: the account's e-mail choice, and (development only) the mail that would have
been sent."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.auth import service as auth_service
from app.auth.deps import PageUser, require_page
from app.auth.models import User
from app.auth.permissions import Action
from app.config import get_settings
from app.deps import SessionDep
from app.errors import NotFound
from app.mail import sender
from app.web import FormDep, redirect, render, verify_csrf

router = APIRouter(include_in_schema=False)
Csrf = Depends(verify_csrf)
Admin = Annotated[User, Depends(require_page(Action.account_create_staff))]


@router.get("/account/mail")
def mail_page(request: Request, user: PageUser) -> Response:
    return render(request, "account/mail.html", {"opt_out": user.email_opt_out})


@router.post("/account/mail", dependencies=[Csrf])
def mail_choice(request: Request, session: SessionDep, user: PageUser, form: FormDep) -> Response:
    auth_service.set_email_opt_out(session=session, user=user, opt_out=form.get("news") != "yes")
    return redirect("/account/mail?saved=1")


@router.get("/dev/mail")
def dev_mail(request: Request, session: SessionDep, user: Admin) -> Response:
    """What was "sent" without a mail server: development only (a 404 anywhere else)."""
    if get_settings().app_env != "development":
        raise NotFound("page")
    messages = sender.delivered_here(session)
    recipients = {
        row.to_user_id: (found.email if found else "")
        for row, _ in messages
        if row.to_user_id is not None
        for found in [auth_service.get(session=session, user_id=row.to_user_id)]
    }
    return render(
        request,
        "dev/mail.html",
        {
            "messages": [
                {
                    "to": row.to_address
                    or (recipients.get(row.to_user_id, "") if row.to_user_id else ""),
                    "kind": row.kind,
                    "language": row.language,
                    "sent_at": row.sent_at,
                    "subject": content.subject,
                    "text": content.text,
                }
                for row, content in messages
            ]
        },
    )
