"""Demo data for `make run`: one account per role, and a few applications so the clerk's
queue and the public check have something to show. Never loaded in production."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

from pypdf import PdfWriter
from sqlmodel import Session, func, select

from app.addresses import residents
from app.addresses.models import Resident
from app.applications import decisions, uploads
from app.applications import service as applications
from app.applications.models import Application, ApplicationCreate
from app.auth import mfa
from app.auth import service as auth_service
from app.auth.models import Role, User, UserCreate
from app.db import local_today
from app.inspections import service as inspections
from app.inspections.models import InspectionPlan
from app.policy import service as policy_service
from app.policy.evaluate import add_months


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


DEMO_TOTP_SECRET = "DEMODEMODEMODEMODEMODEMODEMODEMO"
"""The two-factor secret every demo staff account starts with (pending: the enrolment page
at first login shows it and asks for a code). It is public, printed on start and written
in the README, which is one reason demo data is refused when APP_ENV=production."""


def database_is_empty(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(User)).one() == 0


def load(session: Session) -> list[DemoAccount]:
    """Create the demo accounts that do not exist yet, and the demo applications when the
    database had none; returns the accounts created."""
    created = []
    for account in DEMO_ACCOUNTS:
        if auth_service.get_by_email(session=session, email=account.email) is None:
            user = auth_service.create(
                session=session,
                data=UserCreate(email=account.email, password=account.password, role=account.role),
                actor=None,
            )
            if user.mfa_required:
                # Not confirmed yet: at first login the enrolment page shows this secret.
                mfa.set_pending_secret(session=session, user=user, secret=DEMO_TOTP_SECRET)
            created.append(account)
    if created:
        _load_applications(session)
        _load_residents(session)
        _load_visit(session)
    session.commit()
    return created


# A small BRP extract for the local address register: the demo sex worker (BSN 999993653,
# a test number of the RvIG) lives at 5038 AB 12A, so she can register home work there.
DEMO_EXTRACT = (
    "bsn,postcode,huisnummer,huisletter,huisnummertoevoeging,datum_aanvang\n"
    "999993653,5038 AB,12,A,,2021-04-01\n"
    "111222333,5038 AB,14,,,2019-09-15\n"
    "123456782,5038 AC,3,,2,2023-01-10\n"
)


def _load_visit(session: Session) -> None:
    """A visit planned for today for the demo inspector, to an address in the extract, so
    the recording page can be tried at once."""
    inspector = auth_service.get_by_email(session=session, email=DEMO_ACCOUNTS[2].email)
    if inspector is None:
        return
    inspections.plan(
        session=session,
        data=InspectionPlan(
            postcode="5038 AB",
            house_number="14",
            planned_for=local_today(),
            inspector_ids=[inspector.id],
        ),
        actor=inspector,
    )


def _load_residents(session: Session) -> None:
    if session.exec(select(func.count()).select_from(Resident)).one():
        return
    residents.replace_all(session=session, rows=residents.read(DEMO_EXTRACT, name="demo"))


def demo_pdf() -> bytes:
    """A one-page blank PDF standing in for an identity document in the demo."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _apply(session: Session, applicant: User, working_name: str, age: int) -> Application:
    today = local_today()
    born = add_months(today, -12 * age) - timedelta(days=40)
    application = applications.create(
        session=session,
        data=ApplicationCreate(
            permit_type="sex_worker",
            working_name=working_name,
            legal_name=f"Demo {working_name}",
            birth_date=born,
            email="demo@demo.example",
        ),
        actor=applicant,
    )
    uploads.add_document(
        session=session,
        application_id=application.id,
        kind="identity_document",
        filename="identiteitsbewijs.pdf",
        content=demo_pdf(),
        actor=applicant,
    )
    return applications.submit(session=session, application_id=application.id, actor=applicant)


def _load_applications(session: Session) -> None:
    """The demo sex worker's own applications: one granted (with a permit to check on
    /verify), one waiting in the clerk's queue, and one of a 19-year-old that fails the
    age rule of the strict example policy but passes Tilburg's."""
    policy = policy_service.load_configured().policy
    if policy.permit_type("sex_worker") is None:
        return
    applicant = auth_service.get_by_email(session=session, email=DEMO_ACCOUNTS[0].email)
    clerk = auth_service.get_by_email(session=session, email=DEMO_ACCOUNTS[1].email)
    if applicant is None or clerk is None:
        return
    granted = _apply(session, applicant, "Roos", 31)
    decisions.approve(session=session, application_id=granted.id, actor=clerk)
    _apply(session, applicant, "Lila", 26)
    _apply(session, applicant, "Jade", 19)
