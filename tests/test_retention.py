"""The retention schedule erases applicants' personal data when the policy says so, and
nothing before."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select, update

from app import retention
from app.applications import service as applications_service
from app.applications.models import Application, ApplicationDocument, DecisionKind
from app.audit.models import AuditEvent
from app.auth.models import Role
from app.db import local_today, utcnow
from app.documents.models import Document
from app.documents.store import get_store
from app.flows import decisions, uploads
from app.permits.models import Permit
from tests.factories import PDF_BYTES, make_application, make_permit, make_user


def _upload_keys(session: Session, application_id: object) -> list[str]:
    return [
        d.sha256
        for d in session.exec(
            select(ApplicationDocument).where(ApplicationDocument.application_id == application_id)
        ).all()
    ]


def _refused(session: Session, months_ago: int) -> Application:
    """A refused application whose identity document is a file of its own."""
    applicant = make_user(session)
    draft = make_application(
        session, applicant, legal_name=f"Geheim {months_ago}", documents=False, submit=False
    )
    uploads.add_document(
        session=session,
        application_id=draft.id,
        kind="identity_document",
        filename="id.pdf",
        content=PDF_BYTES + f"% {draft.id}\n".encode(),
        actor=applicant,
    )
    application = applications_service.submit(
        session=session, application_id=draft.id, actor=applicant
    )
    _refuse_days_ago(session, application, 31 * months_ago)
    return application


def _refuse_days_ago(session: Session, application: Application, days: int) -> None:
    decisions.decide(
        session=session,
        application_id=application.id,
        decision=DecisionKind.refuse,
        reason="Niet volledig.",
        actor=make_user(session, Role.clerk),
    )
    session.execute(
        update(Application)
        .where(col(Application.id) == application.id)
        .values(decided_at=utcnow() - timedelta(days=days))
    )
    session.commit()
    session.expire_all()


def test_refused_application_is_erased_after_its_period(session: Session) -> None:
    old = _refused(session, months_ago=13)  # Tilburg keeps refused applications 12 months
    recent = _refused(session, months_ago=6)
    old_keys = _upload_keys(session, old.id)
    assert old_keys and all(get_store().exists(k) for k in old_keys)

    dry = retention.run(session=session, dry_run=True)
    assert dry.erased == [old.id]
    session.refresh(old)
    assert old.details  # a dry run changes nothing

    report = retention.run(session=session)
    assert report.erased == [old.id]
    session.refresh(old)
    session.refresh(recent)
    assert old.details == {} and old.erased_at is not None
    assert report.files_deleted == 1
    assert not any(get_store().exists(k) for k in old_keys)
    assert old.working_name  # the working name and the decision stay
    assert _upload_keys(session, old.id) == []
    assert recent.details and _upload_keys(session, recent.id)
    letters = session.exec(select(Document).where(Document.subject_id == old.id)).all()
    assert letters and all(d.source_data == {} for d in letters)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "application.erase")).one()
    assert event.object_id == str(old.id)
    assert "Geheim" not in str(event.after)
    # A second run has nothing left to do.
    assert retention.run(session=session).erased == []


def test_granted_application_is_kept_while_the_permit_is_held(session: Session) -> None:
    permit = make_permit(session)
    assert retention.run(session=session).erased == []

    # Three months after expiry (Tilburg: applicant_data_months_after_expiry = 3) it goes.
    session.execute(
        update(Permit)
        .where(col(Permit.id) == permit.id)
        .values(valid_until=local_today() - timedelta(days=80))
    )
    session.commit()
    assert retention.run(session=session).erased == []
    session.execute(
        update(Permit)
        .where(col(Permit.id) == permit.id)
        .values(valid_until=local_today() - timedelta(days=100))
    )
    session.commit()
    assert retention.run(session=session).erased == [permit.application_id]
    application = session.get(Application, permit.application_id)
    assert application is not None and application.details == {}


def test_shared_file_is_kept_while_another_record_uses_it(session: Session) -> None:
    old = make_application(session)  # uploads the factory's standard PDF bytes
    _refuse_days_ago(session, old, 400)
    key = _upload_keys(session, old.id)[0]
    make_application(session)  # another application uploaded the very same bytes
    report = retention.run(session=session)
    assert old.id in report.erased
    assert report.files_deleted == 0
    assert get_store().exists(key)


def test_a_replaced_upload_leaves_no_file_behind(session: Session) -> None:
    applicant = make_user(session)
    draft = make_application(session, applicant, documents=False, submit=False)
    first = uploads.add_document(
        session=session,
        application_id=draft.id,
        kind="identity_document",
        filename="old.pdf",
        content=PDF_BYTES + b"% first scan\n",
        actor=applicant,
    )
    assert get_store().exists(first.sha256)
    second = uploads.add_document(
        session=session,
        application_id=draft.id,
        kind="identity_document",
        filename="new.pdf",
        content=PDF_BYTES + b"% second scan\n",
        actor=applicant,
    )
    assert get_store().exists(second.sha256)
    assert not get_store().exists(first.sha256)


def test_nuisance_reports_are_deleted_after_their_period(session: Session) -> None:
    """Tilburg keeps nuisance reports 24 months, reporter's contact details included."""
    from datetime import timedelta

    from app.nuisance import service as nuisance_service
    from app.nuisance.models import NuisanceReport, NuisanceReportCreate
    from app.policy import service as policy_service

    policy = policy_service.load_configured().policy
    references = []
    for months_ago in (25, 23):
        data = NuisanceReportCreate(
            postcode="5038 AB",
            house_number="12",
            category="noise",
            observed_on=local_today(),
            description="Loud music until late at night.",
            contact_consent=True,
            contact_email="buur@example.org",
        )
        receipt = nuisance_service.report(session=session, data=data, policy=policy)
        references.append(receipt.reference)
        session.execute(
            update(NuisanceReport)
            .where(col(NuisanceReport.reference) == receipt.reference)
            .values(created_at=utcnow() - timedelta(days=31 * months_ago))
        )
    session.commit()
    dry = retention.run(session=session, dry_run=True)
    assert dry.nuisance_reports == 1
    report = retention.run(session=session)
    assert report.nuisance_reports == 1
    session.expire_all()
    left = session.exec(select(NuisanceReport.reference)).all()
    assert references[0] not in left and references[1] in left
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "nuisance_report.delete")
    ).one()
    assert event.after == {"reason": "retention schedule"}


def test_files_no_record_points_at_are_removed_after_an_hour(session: Session) -> None:
    import os
    import time as clock

    from app.documents.store import get_store
    from tests.factories import make_application

    application = make_application(session)
    store = get_store()
    kept = set(
        session.exec(
            select(ApplicationDocument.sha256).where(
                ApplicationDocument.application_id == application.id
            )
        ).all()
    )
    orphan = store.put(b"%PDF-1.7 left behind by a crash")
    fresh = store.put(b"%PDF-1.7 an upload whose row is being written")
    from app.config import get_settings

    root = get_settings().data_dir / "documents"
    old = clock.time() - 7200
    for key in (orphan, *kept):
        os.utime(root / key[:2] / key[2:4] / key, (old, old))
    report = retention.run(session=session)
    assert report.orphans_deleted >= 1
    assert not store.exists(orphan)
    assert store.exists(fresh)  # too young: its row may still be on its way
    assert all(store.exists(key) for key in kept)


def test_ended_and_long_expired_session_rows_are_purged(session: Session) -> None:
    from app.auth import sessions
    from app.auth.models import UserSession
    from tests.factories import make_user

    user = make_user(session)
    old = utcnow() - timedelta(days=400)
    ended = sessions.start(session=session, user=user)
    ended.ended_at = utcnow() - timedelta(days=31)
    stale = sessions.start(session=session, user=user)
    stale.created_at = old
    live = sessions.start(session=session, user=user)
    session.add_all([ended, stale])
    session.commit()
    ids = {"ended": ended.id, "stale": stale.id, "live": live.id}
    report = retention.run(session=session)
    assert report.sessions_purged >= 2
    left = {row.id for row in session.exec(select(UserSession)).all()}
    assert ids["live"] in left and ids["ended"] not in left and ids["stale"] not in left
