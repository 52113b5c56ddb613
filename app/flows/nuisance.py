"""Assessing a nuisance report, and what follows from it, in one transaction: when the
substantiated reports at the address within the policy's window reach its threshold,
the home-work registrations there go under review. Consequences go one way: the nuisance
domain knows nothing of home work; this flow calls both."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from app.addresses import service as addresses_service
from app.auth.models import User
from app.db import local_today
from app.homework import service as homework_service
from app.nuisance import service as nuisance_service
from app.nuisance.models import AssessmentIn, NuisanceReport
from app.policy import service as policy_service
from app.policy.evaluate import nuisance_window_start


def assess(
    *, session: Session, report_id: uuid.UUID, data: AssessmentIn, actor: User
) -> NuisanceReport:
    report = nuisance_service.assess(session=session, report_id=report_id, data=data, actor=actor)
    if not report.substantiated:
        return report
    policy = policy_service.current(session=session).policy
    today = local_today()
    start = nuisance_window_start(policy, today)
    if not start <= report.observed_on <= today:
        return report  # nuisance from outside the window does not count towards it
    # Counted under the address's lock: two assessments at once cannot both miss the
    # threshold, and a registration being made there waits for the outcome.
    addresses_service.lock(session=session, address_id=report.address_id)
    inside = [
        day
        for day in nuisance_service.substantiated_dates(
            session=session,
            address_id=report.address_id,
            since=start,
        )
        if day <= today
    ]
    if len(inside) >= policy.home_work.nuisance_threshold:
        homework_service.review_address(
            session=session,
            address_id=report.address_id,
            actor=actor,
            hearing_days=policy.home_work.hearing_days,
        )
    return report
