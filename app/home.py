"""The home page per role. It sits above the domains and only composes their services."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.applications import queue as applications_queue
from app.applications import renewals
from app.auth.deps import PageUser
from app.auth.models import Role
from app.db import local_today
from app.deps import SessionDep
from app.homework import service as homework_service
from app.homework.models import HomeWorkStatus
from app.i18n import current_locale
from app.inspections import service as inspections_service
from app.permits import service as permits_service
from app.policy import service as policy_service
from app.signals import service as signals_service
from app.signals.models import SignalStatus
from app.web import redirect, render

router = APIRouter(include_in_schema=False)

REDIRECTS = {Role.clerk: "/queue", Role.analyst: "/statistics"}


@router.get("/home")
def home(request: Request, session: SessionDep, user: PageUser) -> Response:
    if user.role in REDIRECTS:
        return redirect(REDIRECTS[user.role])
    context: dict[str, object] = {"user": user}
    if user.role is Role.applicant:
        policy = policy_service.load_configured().policy
        nl = current_locale.get() == "nl"
        today = local_today()
        permits = permits_service.list_for_holder(session=session, holder_id=user.id)
        context.update(
            applications=applications_queue.list_(session=session, actor=user, limit=100).items,
            permits=[
                {
                    "permit": permits_service.public(p, on=today),
                    "renewable_from": renewals.renewal_opens_on(
                        p, policy.decision.renewal_window_days
                    ),
                    "renewal": renewals.existing_renewal(session=session, permit_id=p.id),
                }
                for p in permits
            ],
            today=today,
            under_review=[
                r
                for r in homework_service.list_(
                    session=session, actor=user, status=HomeWorkStatus.under_review, limit=10
                ).items
            ],
            type_labels={
                k: (t.label_nl if nl else t.label_en) for k, t in policy.permit_types.items()
            },
        )
    if user.role is Role.inspector:
        context.update(
            planned=inspections_service.planned_for(session=session, user=user),
            due=inspections_service.due(
                session=session,
                actor=user,
                policy=policy_service.load_configured().policy,
                on=local_today(),
            ),
        )
    if user.role is Role.care_coordinator:
        policy = policy_service.load_configured().policy
        context.update(
            signals=signals_service.queue(session=session, actor=user, policy=policy).items,
            taken=signals_service.queue(
                session=session, actor=user, policy=policy, status=SignalStatus.taken, limit=50
            ).items,
        )
    return render(request, f"home/{user.role.value}.html", context)
