"""JSON routes for home-work registrations."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from pydantic import BaseModel

from app.addresses import register as address_register
from app.auth.deps import CurrentUser
from app.deps import SessionDep
from app.documents import service as documents_service
from app.documents.models import DocumentPublic
from app.flows import homework as homework_flow
from app.homework import documents as homework_documents
from app.homework import service
from app.homework.models import (
    HomeWorkCreate,
    HomeWorkPage,
    HomeWorkPublic,
    HomeWorkStatus,
    ResponseIn,
    ReviewDecisionIn,
)
from app.web import limit_per_client

router = APIRouter(prefix="/api/v1/home-work-registrations", tags=["home work"])


class EndIn(BaseModel):
    version: int | None = None


@router.post("", response_model=HomeWorkPublic, status_code=201)
def create(
    data: HomeWorkCreate, request: Request, session: SessionDep, user: CurrentUser
) -> HomeWorkPublic:
    """Register home work at your own address: 201 active (or `pending_address_check` when
    the population register cannot be reached now), or 422 `home_work_refused` with the
    failed rules in plain words."""
    limit_per_client(request, request.app.state.home_work_throttle, "home-work", str(user.id))
    registration = service.register(
        session=session,
        data=data,
        actor=user,
        address_register=address_register.configured(session),
    )
    return service.public(session=session, registration=registration)


@router.get("", response_model=HomeWorkPage)
def list_registrations(
    session: SessionDep,
    user: CurrentUser,
    status: HomeWorkStatus | None = None,
    cursor: str | None = None,
    limit: int = 25,
) -> HomeWorkPage:
    """Your own registrations; staff: every one (filter on `status`). Newest first; pass
    `next_cursor` back as `cursor`."""
    return service.list_(
        session=session, actor=user, status=status, cursor=cursor, limit=min(max(limit, 1), 100)
    )


@router.get("/{registration_id}", response_model=HomeWorkPublic)
def read(registration_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> HomeWorkPublic:
    """One registration (staff reads are audited). A registration waiting on its address
    check is checked again first."""
    registration = service.get_for(session=session, registration_id=registration_id, actor=user)
    if registration.status is HomeWorkStatus.pending_address_check:
        registration = service.recheck(
            session=session,
            registration=registration,
            address_register=address_register.configured(session),
            actor=user,
        )
    return service.public(session=session, registration=registration)


@router.post("/{registration_id}/end", response_model=HomeWorkPublic)
def end(
    registration_id: uuid.UUID, data: EndIn, session: SessionDep, user: CurrentUser
) -> HomeWorkPublic:
    """End your own registration (409 `illegal_transition` once it has ended)."""
    registration = service.end(
        session=session,
        registration_id=registration_id,
        actor=user,
        expected_version=data.version,
    )
    return service.public(session=session, registration=registration)


@router.post("/{registration_id}/response", response_model=HomeWorkPublic)
def respond(
    registration_id: uuid.UUID, data: ResponseIn, session: SessionDep, user: CurrentUser
) -> HomeWorkPublic:
    """The worker's response while their home work is under review."""
    registration = service.respond(
        session=session, registration_id=registration_id, actor=user, text=data.text
    )
    return service.public(session=session, registration=registration)


@router.post("/{registration_id}/review-decision", response_model=HomeWorkPublic)
def decide_review(
    registration_id: uuid.UUID, data: ReviewDecisionIn, session: SessionDep, user: CurrentUser
) -> HomeWorkPublic:
    """Clerk, after a review: `{"decision": "resume" | "end", "reason": "..."}`; ending
    makes a decision letter for the worker."""
    registration = homework_flow.decide_review(
        session=session,
        registration_id=registration_id,
        actor=user,
        outcome=data.decision,
        reason=data.reason,
        expected_version=data.version,
    )
    return service.public(session=session, registration=registration)


@router.get("/{registration_id}/documents", response_model=list[DocumentPublic])
def documents(
    registration_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> list[DocumentPublic]:
    """The decision letters of a registration you may read."""
    registration = service.get_for(session=session, registration_id=registration_id, actor=user)
    return [
        documents_service.public(d)
        for d in homework_documents.letters_of(
            session=session, registration=registration, actor=user
        )
    ]
