"""Demo data for `make run`: one account per role. Never loaded in production."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, func, select

from app.auth import service as auth_service
from app.auth.models import Role, User, UserCreate


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    role: Role


DEMO_ACCOUNTS = (
    DemoAccount("sekswerker@demo.example", "demo-sekswerker-2026", Role.applicant),
    DemoAccount("behandelaar@demo.example", "demo-behandelaar-2026", Role.clerk),
    DemoAccount("toezicht@demo.example", "demo-toezichthouder-2026", Role.inspector),
    DemoAccount("zorg@demo.example", "demo-zorgcoordinator-2026", Role.care_coordinator),
    DemoAccount("beheer@demo.example", "demo-beheerder-2026", Role.admin),
)


def database_is_empty(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(User)).one() == 0


def load(session: Session) -> list[DemoAccount]:
    """Create the demo accounts that do not exist yet; returns those created."""
    created = []
    for account in DEMO_ACCOUNTS:
        if auth_service.get_by_email(session=session, email=account.email) is None:
            auth_service.create(
                session=session,
                data=UserCreate(email=account.email, password=account.password, role=account.role),
                actor=None,
            )
            created.append(account)
    return created
