"""Pages for signals: an inspector makes one (also without a visit); the care coordinator
works through the queue, takes a signal and records follow-up steps."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from app.auth.deps import require_page
from app.auth.models import User
from app.auth.permissions import Action, can
from app.deps import SessionDep
from app.errors import AppError
from app.i18n import current_locale
from app.i18n import gettext as _
from app.policy import service as policy_service
from app.signals import service
from app.signals.models import FollowUpIn, FollowUpKind, SignalCreate
from app.web import FormDep, redirect, render, verify_csrf
from app.web_errors import status_of, user_message

router = APIRouter(include_in_schema=False)
Csrf = Depends(verify_csrf)
Maker = Annotated[User, Depends(require_page(Action.signal_create))]
Coordinator = Annotated[User, Depends(require_page(Action.signal_follow_up))]


def _indicators() -> list[dict[str, str]]:
    nl = current_locale.get() == "nl"
    return [
        {"key": i.key, "label": i.label_nl if nl else i.label_en}
        for i in policy_service.load_configured().policy.trafficking_indicators
    ]


@router.get("/signals/new")
def new_page(request: Request, user: Maker) -> Response:
    return render(request, "signals/new.html", {"indicators": _indicators()})


@router.post("/signals/new", dependencies=[Csrf])
def new(request: Request, session: SessionDep, user: Maker, form: FormDep) -> Response:
    chosen = [str(v) for v in form.getlist("indicators")]
    values = {"note": str(form.get("note") or ""), "place": str(form.get("place") or "")}
    try:
        data = SignalCreate(
            indicators=chosen, note=values["note"] or None, place=values["place"] or None
        )
        with session.begin_nested():
            signal = service.create(
                session=session,
                data=data,
                actor=user,
                policy=policy_service.load_configured().policy,
            )
    except (ValidationError, AppError) as exc:
        message = (
            user_message(exc.code)
            if isinstance(exc, AppError)
            else _("Tick at least one sign you saw; a note has at most 4000 characters.")
        )
        return render(
            request,
            "signals/new.html",
            {
                "indicators": _indicators(),
                "errors": {"indicators": message},
                "values": values,
                "chosen": chosen,
            },
            status_code=status_of(exc) if isinstance(exc, AppError) else 422,
        )
    return redirect(f"/signals/made?signal={signal.id}")


@router.get("/signals/made")
def made(request: Request, user: Maker, signal: uuid.UUID | None = None) -> Response:
    return render(request, "signals/made.html", {"signal_id": signal})


@router.get("/signals/{signal_id}")
def signal_page(
    signal_id: uuid.UUID, request: Request, session: SessionDep, user: Maker
) -> Response:
    """The care coordinator's page of a signal; its author may read it until it is taken."""
    signal = service.get_for(session=session, signal_id=signal_id, actor=user)
    public = service.public(
        session=session, signal=signal, policy=policy_service.load_configured().policy
    )
    return render(
        request,
        "signals/signal.html",
        {
            "signal": public,
            "kinds": list(FollowUpKind),
            "can_follow_up": can(user, Action.signal_follow_up),
        },
    )


@router.post("/signals/{signal_id}/take", dependencies=[Csrf])
def take(signal_id: uuid.UUID, session: SessionDep, user: Coordinator) -> Response:
    service.take(session=session, signal_id=signal_id, actor=user)
    return redirect(f"/signals/{signal_id}")


@router.post("/signals/{signal_id}/follow-ups", dependencies=[Csrf])
def follow_up(
    signal_id: uuid.UUID, request: Request, session: SessionDep, user: Coordinator, form: FormDep
) -> Response:
    try:
        data = FollowUpIn.model_validate(
            {
                "kind": form.get("kind"),
                "note": str(form.get("note") or "") or None,
                "close": form.get("close") == "1",
            }
        )
        with session.begin_nested():
            service.follow_up(session=session, signal_id=signal_id, data=data, actor=user)
    except (ValidationError, AppError) as exc:
        if isinstance(exc, AppError) and status_of(exc) == 404:
            raise
        signal = service.get_for(session=session, signal_id=signal_id, actor=user)
        public = service.public(
            session=session, signal=signal, policy=policy_service.load_configured().policy
        )
        message = user_message(exc.code) if isinstance(exc, AppError) else _("Choose a step.")
        return render(
            request,
            "signals/signal.html",
            {
                "signal": public,
                "kinds": list(FollowUpKind),
                "can_follow_up": True,
                "errors": {"kind": message},
            },
            status_code=status_of(exc) if isinstance(exc, AppError) else 422,
        )
    return redirect(f"/signals/{signal_id}?recorded=1")
