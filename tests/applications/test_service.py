"""Applications through the services: drafts, submission, decisions, renewal, audit."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.applications import decisions, renewals
from app.applications import queue as applications_queue
from app.applications import service as applications_service
from app.applications.models import (
    Application,
    ApplicationCheck,
    ApplicationCreate,
    ApplicationDocument,
    ApplicationStatus,
    ApplicationStatusChange,
    ApplicationUpdate,
    DecisionKind,
)
from app.audit import service as audit
from app.audit.models import AuditEvent
from app.auth.models import Role
from app.config import get_settings
from app.db import to_local_date, utcnow
from app.deadlines import due_date, next_working_day
from app.errors import AppError
from app.flows import permits as permits_flow
from app.flows import uploads
from app.permits import numbers
from app.permits import service as permits_service
from app.permits.models import Permit
from app.policy import service as policy_service
from app.policy.evaluate import add_months
from app.policy.models import PolicyVersion
from app.web_errors import status_of
from tests.factories import (
    LEGAL_NAME,
    PDF_BYTES,
    application_data,
    approve,
    make_application,
    make_permit,
    make_user,
    policy_variant,
)

TILBURG_SEX_WORKER_FIELDS = {"working_name", "legal_name", "birth_date", "email"}


def _today():  # type: ignore[no-untyped-def]
    return utcnow().date()


def _audit_actions(session: Session, object_type: str, object_id: object) -> list[str]:
    return [
        e.action
        for e in audit.list_for_object(session, object_type=object_type, object_id=object_id)
    ]


# ---- drafts ---------------------------------------------------------------------------------


def test_only_fields_the_policy_names_are_stored(session: Session) -> None:
    applicant = make_user(session)
    application = applications_service.create(
        session=session,
        data=ApplicationCreate.model_validate(application_data("sex_worker")),
        actor=applicant,
    )
    assert set(application.details) == TILBURG_SEX_WORKER_FIELDS
    assert "kvk_number" not in application.details
    assert "phone" not in application.details
    assert application.working_name == "Roos"


def test_legal_name_is_not_collected_where_the_policy_does_not_ask(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_legal_name = policy_variant(
        tmp_path,
        "tilburg",
        [
            (
                "permit_types.sex_worker",
                '"working_name", "legal_name", "birth_date"',
                '"working_name", "birth_date"',
            ),
            # A limit per person needs the legal name: it goes with it.
            ("permit_types.sex_worker", "max_active_per_person = 1", ""),
        ],
    )
    monkeypatch.setattr(get_settings(), "policy_file", no_legal_name)
    applicant = make_user(session)
    application = make_application(session, applicant)
    assert application.status is ApplicationStatus.submitted
    assert "legal_name" not in application.details
    assert LEGAL_NAME not in str(application.details)


def test_personal_details_are_encrypted_at_rest(session: Session) -> None:
    application = make_application(session, submit=False)
    assert application.details["legal_name"].startswith(LEGAL_NAME)
    raw = session.connection().exec_driver_sql("SELECT details FROM application").all()
    assert raw
    assert all(LEGAL_NAME not in str(row[0]) for row in raw)
    assert all("birth_date" not in str(row[0]) for row in raw)


def test_draft_is_filled_in_over_several_steps(session: Session) -> None:
    applicant = make_user(session)
    application = applications_service.create(
        session=session,
        data=ApplicationCreate(permit_type="sex_worker", working_name="Roos"),
        actor=applicant,
    )
    public = applications_service.to_public(session=session, application=application)
    assert public.missing_fields == ["legal_name", "birth_date", "email"]
    assert public.missing_documents == ["identity_document"]
    assert public.version == 1

    step = ApplicationUpdate(legal_name=LEGAL_NAME, version=1)
    application = applications_service.update(
        session=session, application_id=application.id, data=step, actor=applicant
    )
    # A later step leaves earlier answers alone.
    full = application_data("sex_worker")
    step = ApplicationUpdate(birth_date=full["birth_date"], email=full["email"], version=2)
    application = applications_service.update(
        session=session, application_id=application.id, data=step, actor=applicant
    )
    public = applications_service.to_public(session=session, application=application)
    assert public.details["legal_name"] == LEGAL_NAME
    assert public.missing_fields == []
    assert public.version == 3
    assert public.status is ApplicationStatus.draft

    # Explicitly clearing a field removes it.
    application = applications_service.update(
        session=session,
        application_id=application.id,
        data=ApplicationUpdate(email=None),
        actor=applicant,
    )
    assert "email" not in application.details


def test_stale_version_is_a_conflict(session: Session) -> None:
    applicant = make_user(session)
    application = make_application(session, applicant, submit=False)
    with pytest.raises(AppError) as caught:
        applications_service.update(
            session=session,
            application_id=application.id,
            data=ApplicationUpdate(working_name="Lelie", version=application.version - 1),
            actor=applicant,
        )
    assert (status_of(caught.value), caught.value.code) == (409, "stale_version")
    assert caught.value.details["current_version"] == application.version


def test_submitted_application_cannot_be_edited(session: Session) -> None:
    applicant = make_user(session)
    application = make_application(session, applicant)
    with pytest.raises(AppError) as caught:
        applications_service.update(
            session=session,
            application_id=application.id,
            data=ApplicationUpdate(working_name="Lelie"),
            actor=applicant,
        )
    assert (status_of(caught.value), caught.value.code) == (409, "not_editable")
    assert caught.value.details["current_status"] == "submitted"


def test_a_new_upload_replaces_the_document_of_that_kind(session: Session) -> None:
    applicant = make_user(session)
    application = make_application(session, applicant, submit=False)
    uploads.add_document(
        session=session,
        application_id=application.id,
        kind="identity_document",
        filename="second.pdf",
        content=PDF_BYTES + b"% second\n",
        actor=applicant,
    )
    documents = applications_service.documents_of(session=session, application_id=application.id)
    assert [(d.kind, d.filename) for d in documents] == [("identity_document", "second.pdf")]


def test_someone_else_cannot_change_or_submit_an_application(session: Session) -> None:
    application = make_application(session, submit=False)
    other = make_user(session)
    clerk = make_user(session, Role.clerk)
    for actor in (other, clerk):  # staff read files but never act as the applicant
        with pytest.raises(AppError) as caught:
            applications_service.submit(session=session, application_id=application.id, actor=actor)
        assert status_of(caught.value) == 404
    with pytest.raises(AppError) as caught:
        applications_service.get_for(session=session, application_id=application.id, actor=other)
    assert status_of(caught.value) == 404


# ---- submission -----------------------------------------------------------------------------


def test_incomplete_submission_is_refused_with_what_is_missing(session: Session) -> None:
    applicant = make_user(session)
    application = applications_service.create(
        session=session,
        data=ApplicationCreate(permit_type="sex_worker", working_name="Roos"),
        actor=applicant,
    )
    with pytest.raises(AppError) as caught:
        applications_service.submit(session=session, application_id=application.id, actor=applicant)
    assert (status_of(caught.value), caught.value.code) == (422, "incomplete")
    assert caught.value.details == {
        "missing_fields": ["legal_name", "birth_date", "email"],
        "missing_documents": ["identity_document"],
    }
    session.expire_all()
    stored = session.get(Application, application.id)
    assert stored is not None and stored.status is ApplicationStatus.draft
    assert stored.submitted_at is None
    checks = session.exec(
        select(ApplicationCheck).where(ApplicationCheck.application_id == application.id)
    ).all()
    assert checks == []


def test_submission_stores_checks_with_the_policy_version(session: Session) -> None:
    application = make_application(session)
    assert application.status is ApplicationStatus.submitted
    assert application.submitted_at is not None
    assert application.decision_due == due_date(to_local_date(application.submitted_at), 56)

    loaded = policy_service.load_configured()
    version = session.exec(
        select(PolicyVersion).where(PolicyVersion.fingerprint == loaded.fingerprint)
    ).one()
    assert application.policy_version_id == version.id
    checks = session.exec(
        select(ApplicationCheck).where(ApplicationCheck.application_id == application.id)
    ).all()
    assert {c.rule_id for c in checks} == {
        "permit_type.known",
        "fields.required",
        "documents.required",
        "age.minimum",
        "cap.permit_type",
        "person.max_active",
    }
    assert all(c.passed and c.stage == "submission" for c in checks)
    assert {c.policy_version_id for c in checks} == {version.id}
    public = applications_service.to_public(session=session, application=application)
    assert public.policy_version == "2020.1"
    assert len(public.checks) == 6


def test_under_age_fails_at_submission_and_blocks_approval(session: Session) -> None:
    application = make_application(session, age=17)
    assert application.status is ApplicationStatus.submitted  # stored, not refused outright
    public = applications_service.to_public(session=session, application=application)
    failed = [c for c in public.checks if not c.passed]
    assert [(c.rule_id, c.severity) for c in failed] == [("age.minimum", "blocking")]
    assert "age" not in failed[0].details  # derived personal data is not stored

    clerk = make_user(session, Role.clerk)
    with pytest.raises(AppError) as caught:
        decisions.approve(session=session, application_id=application.id, actor=clerk)
    assert (status_of(caught.value), caught.value.code) == (409, "blocking_checks_failed")
    assert [r["rule_id"] for r in caught.value.details["failed_rules"]] == ["age.minimum"]
    session.expire_all()
    assert session.get(Application, application.id).status is ApplicationStatus.submitted  # type: ignore[union-attr]
    assert applications_service.permit_of(session=session, application_id=application.id) is None
    assert "application.approve" not in _audit_actions(session, "application", application.id)


# ---- decisions ------------------------------------------------------------------------------


def test_request_information_pauses_the_deadline(session: Session) -> None:
    applicant = make_user(session)
    clerk = make_user(session, Role.clerk)
    application = make_application(session, applicant)
    due = application.decision_due
    assert due is not None

    asked = decisions.decide(
        session=session,
        application_id=application.id,
        decision=DecisionKind.request_information,
        reason="Please upload a readable copy of your passport.",
        actor=clerk,
    )
    assert asked.status is ApplicationStatus.information_requested
    assert asked.information_request == "Please upload a readable copy of your passport."
    assert asked.paused_at is not None

    # Five days pass while the applicant looks for the document.
    session.execute(
        update(Application)
        .where(col(Application.id) == application.id)
        .values(paused_at=utcnow() - timedelta(days=5))
    )
    session.commit()
    session.expire_all()

    uploads.add_document(
        session=session,
        application_id=application.id,
        kind="identity_document",
        filename="passport.png",
        content=PDF_BYTES + b"% readable\n",
        actor=applicant,
    )
    resubmitted = applications_service.submit(
        session=session, application_id=application.id, actor=applicant
    )
    assert resubmitted.status is ApplicationStatus.in_review
    # Awb 4:15: suspended from the day after the request until the day it was supplied.
    assert resubmitted.decision_due == next_working_day(due + timedelta(days=4))
    assert resubmitted.paused_at is None
    # A second evaluation is stored; the first is kept.
    evaluations = session.exec(
        select(ApplicationCheck.evaluated_at)
        .where(ApplicationCheck.application_id == application.id)
        .distinct()
    ).all()
    assert len(evaluations) == 2


def test_request_information_needs_a_reason(session: Session) -> None:
    application = make_application(session)
    clerk = make_user(session, Role.clerk)
    with pytest.raises(AppError) as caught:
        decisions.decide(
            session=session,
            application_id=application.id,
            decision=DecisionKind.request_information,
            reason="  ",
            actor=clerk,
        )
    assert (status_of(caught.value), caught.value.code) == (422, "reason_required")


@pytest.mark.parametrize("reason", [None, "", "  ", "no"])
def test_refusal_requires_a_reason(session: Session, reason: str | None) -> None:
    application = make_application(session)
    clerk = make_user(session, Role.clerk)
    with pytest.raises(AppError) as caught:
        decisions.decide(
            session=session,
            application_id=application.id,
            decision=DecisionKind.refuse,
            reason=reason,
            actor=clerk,
        )
    assert (status_of(caught.value), caught.value.code) == (422, "reason_required")
    session.expire_all()
    assert session.get(Application, application.id).status is ApplicationStatus.submitted  # type: ignore[union-attr]


def test_refusal_cites_the_failed_rules(session: Session) -> None:
    clerk = make_user(session, Role.clerk)
    young = make_application(session, age=17)
    refused = decisions.decide(
        session=session,
        application_id=young.id,
        decision=DecisionKind.refuse,
        reason="The applicant is under the minimum age.",
        actor=clerk,
    )
    assert refused.status is ApplicationStatus.refused
    assert refused.cited_rules == ["age.minimum"]
    assert refused.decision_reason == "The applicant is under the minimum age."
    assert refused.decided_at is not None
    session.commit()  # the caller's commit writes the audit events
    event = audit.list_for_object(session, object_type="application", object_id=young.id)[-1]
    assert event.action == "application.refuse"
    assert event.after is not None and event.after["cited_rules"] == ["age.minimum"]

    fine = make_application(session)
    refused = decisions.decide(
        session=session,
        application_id=fine.id,
        decision=DecisionKind.refuse,
        reason="Refused on other grounds (Bibob).",
        actor=clerk,
    )
    assert refused.cited_rules == []


def test_only_clerks_decide(session: Session) -> None:
    applicant = make_user(session)
    application = make_application(session, applicant)
    for actor in (applicant, make_user(session, Role.inspector), make_user(session, Role.admin)):
        with pytest.raises(AppError) as caught:
            decisions.approve(session=session, application_id=application.id, actor=actor)
        assert status_of(caught.value) == 403


def test_approval_issues_a_permit_with_policy_validity_and_conditions(session: Session) -> None:
    applicant = make_user(session)
    application = make_application(session, applicant, age=30, working_name="Roos")
    permit = approve(session, application)
    today = _today()
    policy = policy_service.load_configured().policy
    assert numbers.is_valid(permit.number)
    assert permit.number == numbers.normalise(permit.number)
    assert permit.holder_id == applicant.id
    assert permit.working_name == "Roos"
    assert permit.valid_from == today
    assert permit.valid_until == add_months(today, 24) - timedelta(days=1)
    assert permit.conditions_nl == list(policy.permit_types["sex_worker"].conditions_nl)
    assert permit.conditions_en == list(policy.permit_types["sex_worker"].conditions_en)
    session.refresh(application)
    assert application.status is ApplicationStatus.approved
    public = applications_service.to_public(session=session, application=application)
    assert public.permit_number == permit.number
    assert {c.stage for c in public.checks} == {"approval"}


@pytest.mark.parametrize(("age", "months"), [(18, 12), (20, 12), (21, 24), (45, 24)])
def test_validity_is_shorter_under_21(session: Session, age: int, months: int) -> None:
    permit = make_permit(session, age=age)
    assert permit.valid_until == add_months(_today(), months) - timedelta(days=1)


def test_an_application_is_approved_once(session: Session) -> None:
    application = make_application(session)
    clerk = make_user(session, Role.clerk)
    approve(session, application, clerk)
    with pytest.raises(AppError) as caught:
        decisions.approve(session=session, application_id=application.id, actor=clerk)
    assert (status_of(caught.value), caught.value.code) == (409, "illegal_transition")
    assert caught.value.details["current_status"] == "approved"
    permits = session.exec(select(Permit).where(Permit.application_id == application.id)).all()
    assert len(permits) == 1


def test_withdraw_before_decision(session: Session) -> None:
    applicant = make_user(session)
    application = make_application(session, applicant)
    withdrawn = applications_service.withdraw(
        session=session, application_id=application.id, actor=applicant
    )
    assert withdrawn.status is ApplicationStatus.withdrawn
    with pytest.raises(AppError) as caught:
        decisions.approve(
            session=session, application_id=application.id, actor=make_user(session, Role.clerk)
        )
    assert caught.value.details["current_status"] == "withdrawn"


def test_withdraw_after_decision_is_refused(session: Session) -> None:
    applicant = make_user(session)
    application = make_application(session, applicant)
    approve(session, application)
    with pytest.raises(AppError) as caught:
        applications_service.withdraw(
            session=session, application_id=application.id, actor=applicant
        )
    assert (status_of(caught.value), caught.value.code) == (409, "illegal_transition")
    assert caught.value.details["current_status"] == "approved"


# ---- audit ----------------------------------------------------------------------------------


def test_every_transition_is_audited_and_the_chain_verifies(session: Session) -> None:
    applicant = make_user(session)
    clerk = make_user(session, Role.clerk)
    application = make_application(session, applicant)
    decisions.start_review(session=session, application_id=application.id, actor=clerk)
    decisions.decide(
        session=session,
        application_id=application.id,
        decision=DecisionKind.request_information,
        reason="Please add your phone number.",
        actor=clerk,
    )
    applications_service.submit(session=session, application_id=application.id, actor=applicant)
    permit = approve(session, application, clerk)
    permits_flow.change_status(
        session=session, number=permit.number, actor=clerk, action="suspend", reason="Checks"
    )
    permits_flow.change_status(
        session=session, number=permit.number, actor=clerk, action="reinstate", reason="Fine"
    )
    permits_flow.change_status(
        session=session, number=permit.number, actor=clerk, action="revoke", reason="Gone"
    )
    session.commit()

    assert _audit_actions(session, "application", application.id) == [
        "application.create",
        "application.document_add",
        "application.submit",
        "application.start_review",
        "application.request_information",
        "application.submit",
        "application.approve",
    ]
    assert _audit_actions(session, "permit", permit.id) == [
        "permit.issue",
        "permit.suspend",
        "permit.reinstate",
        "permit.revoke",
    ]
    history = applications_service.history_of(session=session, application_id=application.id)
    assert [(h.from_status, h.to_status) for h in history] == [
        (None, "draft"),
        ("draft", "submitted"),
        ("submitted", "in_review"),
        ("in_review", "information_requested"),
        ("information_requested", "in_review"),
        ("in_review", "approved"),
    ]
    assert [h.by_role for h in history] == [
        "applicant",
        "applicant",
        "clerk",
        "clerk",
        "applicant",
        "clerk",
    ]
    decided = session.exec(
        select(AuditEvent).where(AuditEvent.action == "application.approve")
    ).one()
    assert decided.actor_id == clerk.id
    report = audit.verify_chain(session)
    assert report.ok, report


def test_staff_read_is_audited_and_the_applicant_s_own_is_not(session: Session) -> None:
    applicant = make_user(session)
    clerk = make_user(session, Role.clerk)
    application = make_application(session, applicant)
    applications_service.get_for(session=session, application_id=application.id, actor=applicant)
    session.commit()
    assert "application.read" not in _audit_actions(session, "application", application.id)
    applications_service.get_for(session=session, application_id=application.id, actor=clerk)
    session.commit()
    reads = session.exec(select(AuditEvent).where(AuditEvent.action == "application.read")).all()
    assert [(r.actor_id, r.object_id) for r in reads] == [(clerk.id, str(application.id))]


# ---- queue ----------------------------------------------------------------------------------


def test_paused_application_is_neither_flagged_nor_filtered_as_overdue(session: Session) -> None:
    clerk = make_user(session, Role.clerk)
    late = make_application(session)
    paused = make_application(session)
    decisions.decide(
        session=session,
        application_id=paused.id,
        decision=DecisionKind.request_information,
        reason="Please send the missing page.",
        actor=clerk,
    )
    past = _today() - timedelta(days=3)
    session.execute(
        update(Application)
        .where(col(Application.id).in_([late.id, paused.id]))
        .values(decision_due=past)
    )
    session.commit()
    session.expire_all()

    everything = applications_queue.list_(session=session, actor=clerk)
    flags = {item.id: item.overdue for item in everything.items}
    assert flags == {late.id: True, paused.id: False}
    overdue = applications_queue.list_(session=session, actor=clerk, overdue=True)
    assert [item.id for item in overdue.items] == [late.id]
    on_time = applications_queue.list_(session=session, actor=clerk, overdue=False)
    assert [item.id for item in on_time.items] == [paused.id]


def test_applicant_lists_only_their_own(session: Session) -> None:
    applicant = make_user(session)
    mine = make_application(session, applicant, submit=False)
    make_application(session)
    page = applications_queue.list_(session=session, actor=applicant)
    assert [item.id for item in page.items] == [mine.id]
    with pytest.raises(AppError) as caught:
        applications_queue.list_(session=session, actor=make_user(session, Role.inspector))
    assert status_of(caught.value) == 403


# ---- renewal --------------------------------------------------------------------------------


def _into_renewal_window(session: Session, permit: Permit, days_left: int = 30) -> None:
    session.execute(
        update(Permit)
        .where(col(Permit.id) == permit.id)
        .values(valid_until=_today() + timedelta(days=days_left))
    )
    session.commit()
    session.expire_all()


def _renew_and_approve(session: Session, permit: Permit) -> Permit:
    holder_id = permit.holder_id
    from app.auth.models import User

    holder = session.get(User, holder_id)
    assert holder is not None
    renewal = renewals.start_renewal(session=session, number=permit.number, actor=holder)
    uploads.add_document(
        session=session,
        application_id=renewal.id,
        kind="identity_document",
        filename="id.pdf",
        content=PDF_BYTES,
        actor=holder,
    )
    applications_service.submit(session=session, application_id=renewal.id, actor=holder)
    return approve(session, renewal)


def test_renewal_permit_follows_on_and_does_not_count_extra_against_a_cap(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    capped = policy_variant(
        tmp_path, "tilburg", [("permit_types.sex_worker", 'cap = "none"', "cap = 2")]
    )
    monkeypatch.setattr(get_settings(), "policy_file", capped)
    first = make_permit(session)
    _into_renewal_window(session, first)
    first = session.get(Permit, first.id)  # type: ignore[assignment]
    assert first is not None

    renewed = _renew_and_approve(session, first)
    assert renewed.renewal_of_id == first.id
    assert renewed.valid_from == first.valid_until + timedelta(days=1)
    # One holder, one place under the cap, even while both permits are on record.
    assert permits_service.count_held(session=session, permit_type="sex_worker", on=_today()) == 1

    second = make_permit(session)  # the second place is still free
    assert second.number != renewed.number
    with pytest.raises(AppError) as caught:
        make_permit(session)
    assert caught.value.code == "blocking_checks_failed"
    assert [r["rule_id"] for r in caught.value.details["failed_rules"]] == ["cap.permit_type"]


def test_renewal_passes_the_cap_when_the_cap_is_full(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    capped = policy_variant(
        tmp_path, "tilburg", [("permit_types.sex_worker", 'cap = "none"', "cap = 2")]
    )
    monkeypatch.setattr(get_settings(), "policy_file", capped)
    first = make_permit(session)
    make_permit(session)
    _into_renewal_window(session, first)
    renewed = _renew_and_approve(session, session.get(Permit, first.id))  # type: ignore[arg-type]
    assert renewed.renewal_of_id == first.id
    assert permits_service.count_held(session=session, permit_type="sex_worker", on=_today()) == 2


def test_a_permit_is_renewed_once(session: Session) -> None:
    first = make_permit(session)
    _into_renewal_window(session, first)
    _renew_and_approve(session, session.get(Permit, first.id))  # type: ignore[arg-type]
    from app.auth.models import User

    holder = session.get(User, first.holder_id)
    with pytest.raises(AppError) as caught:
        renewals.start_renewal(session=session, number=first.number, actor=holder)  # type: ignore[arg-type]
    assert (status_of(caught.value), caught.value.code) == (409, "renewal_exists")


def test_renewal_prefill_keeps_only_fields_the_policy_in_force_names(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_phone = policy_variant(
        tmp_path,
        "tilburg",
        [("permit_types.sex_worker", '"birth_date", "email"]', '"birth_date", "email", "phone"]')],
    )
    monkeypatch.setattr(get_settings(), "policy_file", with_phone)
    first = make_permit(session)
    assert "phone" in session.get(Application, first.application_id).details  # type: ignore[union-attr]
    _into_renewal_window(session, first)
    monkeypatch.setattr(get_settings(), "policy_file", Path("policies/tilburg.toml"))
    from app.auth.models import User

    holder = session.get(User, first.holder_id)
    renewal = renewals.start_renewal(session=session, number=first.number, actor=holder)  # type: ignore[arg-type]
    assert set(renewal.details) == TILBURG_SEX_WORKER_FIELDS
    assert renewal.working_name == first.working_name
    documents = session.exec(
        select(ApplicationDocument).where(ApplicationDocument.application_id == renewal.id)
    ).all()
    assert documents == []  # documents are supplied afresh
    history = session.exec(
        select(ApplicationStatusChange).where(ApplicationStatusChange.application_id == renewal.id)
    ).all()
    assert [(h.from_status, h.to_status) for h in history] == [(None, "draft")]
