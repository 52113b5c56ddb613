"""JSON route for the policy in force (public: anyone may read the rules)."""

from __future__ import annotations

from fastapi import APIRouter

from app.deps import SessionDep
from app.policy import summary
from app.policy.summary import PolicySummary

router = APIRouter(prefix="/api/v1/policy", tags=["policy"])


@router.get("", response_model=PolicySummary)
def read(session: SessionDep) -> PolicySummary:
    """The local policy in force: permit types, what each needs, periods, home-work rules,
    and the same rules in plain words (Dutch and English). No login needed."""
    return summary.in_force(session=session)
