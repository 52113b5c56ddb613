"""JSON routes for signals of human trafficking (need to know: see service.py)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import BaseModel

from app.auth.deps import CurrentUser
from app.deps import SessionDep
from app.policy import service as policy_service
from app.signals import service
from app.signals.models import FollowUpIn, SignalCreate, SignalPage, SignalPublic, SignalStatus

router = APIRouter(prefix="/api/v1/signals", tags=["signals"])


class Made(BaseModel):
    id: uuid.UUID
    status: SignalStatus


@router.post("", response_model=Made, status_code=201)
def create(data: SignalCreate, session: SessionDep, user: CurrentUser) -> Made:
    """Inspector (or care coordinator): the indicators seen (keys from the policy), where,
    and a note. Only the care coordinator reads it; its author until it is taken."""
    signal = service.create(
        session=session, data=data, actor=user, policy=policy_service.load_configured().policy
    )
    return Made(id=signal.id, status=signal.status)


@router.get("", response_model=SignalPage)
def queue(
    session: SessionDep,
    user: CurrentUser,
    status: SignalStatus | None = SignalStatus.new,
    cursor: str | None = None,
    limit: int = 25,
) -> SignalPage:
    """Care coordinator: signals, oldest first (new ones by default)."""
    return service.queue(
        session=session,
        actor=user,
        policy=policy_service.load_configured().policy,
        status=status,
        cursor=cursor,
        limit=min(max(limit, 1), 100),
    )


@router.get("/{signal_id}", response_model=SignalPublic)
def read(signal_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> SignalPublic:
    signal = service.get_for(session=session, signal_id=signal_id, actor=user)
    return service.public(
        session=session, signal=signal, policy=policy_service.load_configured().policy
    )


@router.post("/{signal_id}/take", response_model=SignalPublic)
def take(signal_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> SignalPublic:
    signal = service.take(session=session, signal_id=signal_id, actor=user)
    return service.public(
        session=session, signal=signal, policy=policy_service.load_configured().policy
    )


@router.post("/{signal_id}/follow-ups", response_model=SignalPublic)
def follow_up(
    signal_id: uuid.UUID, data: FollowUpIn, session: SessionDep, user: CurrentUser
) -> SignalPublic:
    """Care coordinator: contact made, consent given or refused, a referral (shelter care,
    the police's AVIM unit, a support organisation) or a note; `close` ends it."""
    signal = service.follow_up(session=session, signal_id=signal_id, data=data, actor=user)
    return service.public(
        session=session, signal=signal, policy=policy_service.load_configured().policy
    )
