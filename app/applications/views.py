"""Pages for applicants (apply in steps, follow, withdraw, renew) and clerks (queue, file,
decide). Routes are thin: they parse the form, call the service and render."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from app.applications import decisions, documents_list, queue, renewals, service, uploads
from app.applications.deps import PageApplicationDep
from app.applications.models import (
    Application,
    ApplicationCreate,
    ApplicationStatus,
    ApplicationUpdate,
    DecisionKind,
)
from app.applications.states import EDITABLE, Transition, next_status
from app.auth.deps import PageUser, require_page
from app.auth.models import User
from app.auth.permissions import Action
from app.config import get_settings
from app.db import local_today
from app.deps import SessionDep
from app.errors import AppError
from app.flows import decisions as decisions_flow
from app.flows import uploads as uploads_flow
from app.form_fields import html_limits, message_for
from app.i18n import current_locale
from app.i18n import gettext as _
from app.inspections import service as inspections_service
from app.policy import service as policy_service
from app.policy.schema import FIELD_LABELS, Policy
from app.web import FormDep, file_response, redirect, render, verify_csrf
from app.web_errors import status_of, user_message

router = APIRouter(include_in_schema=False)
Csrf = Depends(verify_csrf)
Clerk = Annotated[User, Depends(require_page(Action.application_decide))]
Applicant = Annotated[User, Depends(require_page(Action.application_create))]

INPUT_TYPES = {"birth_date": "date", "email": "email", "phone": "tel", "description": "textarea"}
INPUT_MODES = {"kvk_number": "numeric", "business_address_house_number": "text"}
AUTOCOMPLETE = {"legal_name": "name", "email": "email", "phone": "tel", "birth_date": "bday"}


def N_(message: str) -> str:
    """Marks a message for the catalogs; translated where it is shown."""
    return message


# The labels of the application fields on pages, in every interface language (the
# policy's FIELD_LABELS give the Dutch and English wording letters use).
FIELD_TEXT = {
    "working_name": N_("Working name"),
    "legal_name": N_("Name as on your identity document"),
    "birth_date": N_("Date of birth"),
    "email": N_("Email address"),
    "phone": N_("Phone number"),
    "business_name": N_("Business name"),
    "business_address_postcode": N_("Postcode of the business"),
    "business_address_house_number": N_("House number of the business"),
    "kvk_number": N_("Chamber of Commerce (KvK) number"),
    "description": N_("Description"),
}


def _policy() -> Policy:
    return policy_service.load_configured().policy


def label(nl: str, en: str) -> str:
    text = nl if current_locale.get() == "nl" else en
    return text[:1].upper() + text[1:]


def field_specs(policy: Policy, application: Application) -> list[dict[str, Any]]:
    """The inputs of the details step: label, type and the limits the server enforces."""
    spec = policy.permit_type(application.permit_type)
    names = list(spec.required_fields) if spec else []
    today = local_today().isoformat()
    return [
        {
            "name": n,
            "label": field_label(n),
            "type": INPUT_TYPES.get(n, "text"),
            "limits": {
                **html_limits(ApplicationUpdate, n),
                **({"min": "1900-01-01", "max": today} if n == "birth_date" else {}),
                **({"inputmode": INPUT_MODES[n]} if n in INPUT_MODES else {}),
                **({"autocomplete": AUTOCOMPLETE[n]} if n in AUTOCOMPLETE else {}),
            },
        }
        for n in names
    ]


def field_label(name: str) -> str:
    return _(FIELD_TEXT[name]) if name in FIELD_TEXT else label(*FIELD_LABELS[name])


def document_specs(policy: Policy, application: Application) -> list[dict[str, str]]:
    spec = policy.permit_type(application.permit_type)
    kinds = list(spec.required_documents) if spec else []
    return [
        {
            "kind": k,
            "label": label(policy.document_kinds[k].label_nl, policy.document_kinds[k].label_en),
        }
        for k in kinds
    ]


def _file_context(session: SessionDep, application: Application, user: User) -> dict[str, Any]:
    policy = _policy()
    public = service.to_public(session=session, application=application)
    spec = policy.permit_type(application.permit_type)
    today = local_today()
    return {
        "application": public,
        "type_label": label(spec.label_nl, spec.label_en) if spec else application.permit_type,
        "fields": field_specs(policy, application),
        "documents_needed": document_specs(policy, application),
        "editable": application.status in EDITABLE,
        # What the status machine allows now; the templates offer only these. Refusal after
        # a request for information waits for the end of the term (Awb 4:5).
        "allowed": (
            allowed := {
                t.value
                for t in Transition
                if next_status(application.status, t)
                and (t is not Transition.refuse or decisions.may_refuse(application, today))
            }
        ),
        "information_term_passed": decisions.information_term_passed(application, today),
        "decidable": bool(allowed & {"approve", "refuse", "request_information", "start_review"}),
        "can_extend": decisions.can_extend(application, policy.decision.extension_days, today),
        "field_label": {n: field_label(n) for n in FIELD_LABELS},
        "max_upload_bytes": get_settings().max_upload_bytes,
        "max_upload_mb": get_settings().max_upload_bytes // 2**20,
        "policy": policy,
        "decision_documents": [
            d
            for d in documents_list.for_application(
                session=session, application=application, actor=user
            )
            if d.source == "generated"
        ],
    }


def _field_errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for err in exc.errors():
        name = str(err["loc"][0]) if err["loc"] else "form"
        if name == "birth_date":
            errors[name] = _("Enter your real date of birth, like 03-04-1995.")
        elif name == "email":
            errors[name] = _("Enter a valid email address, like name@example.org.")
        elif name == "business_address_postcode":
            errors[name] = _("Enter a Dutch postcode, like 5038 AB.")
        elif name == "kvk_number":
            errors[name] = _("A KvK number has 8 digits.")
        elif name == "phone":
            errors[name] = _("Enter a phone number with digits only, like 06 12345678.")
        elif name == "business_address_house_number":
            errors[name] = _("Enter a house number, like 12, 12A or 12-3.")
        else:
            errors.setdefault(name, message_for(err))
    return errors


# ---- applicant ----------------------------------------------------------------------------


@router.get("/applications/new")
def new_page(request: Request, user: Applicant) -> Response:
    policy = _policy()
    types = [
        {"key": key, "label": label(t.label_nl, t.label_en), "spec": t}
        for key, t in policy.permit_types.items()
    ]
    return render(request, "applications/new.html", {"types": types, "policy": policy})


@router.post("/applications/new", dependencies=[Csrf])
def new(request: Request, session: SessionDep, user: Applicant, form: FormDep) -> Response:
    permit_type = str(form.get("permit_type") or "")
    try:
        with session.begin_nested():
            application = service.create(
                session=session, data=ApplicationCreate(permit_type=permit_type), actor=user
            )
    except (AppError, ValidationError):
        policy = _policy()
        types = [
            {"key": key, "label": label(t.label_nl, t.label_en), "spec": t}
            for key, t in policy.permit_types.items()
        ]
        errors = {"permit_type": _("Choose the permit you want to apply for.")}
        return render(
            request,
            "applications/new.html",
            {"types": types, "policy": policy, "errors": errors},
            status_code=422,
        )
    return redirect(f"/applications/{application.id}/details")


@router.get("/applications/{application_id}/details")
def details_page(
    request: Request, session: SessionDep, application: PageApplicationDep, user: PageUser
) -> Response:
    context = _file_context(session, application, user)
    return render(
        request, "applications/details.html", {**context, "values": dict(application.details)}
    )


@router.post("/applications/{application_id}/details", dependencies=[Csrf])
def save_details(
    request: Request,
    session: SessionDep,
    application: PageApplicationDep,
    user: Applicant,
    form: FormDep,
) -> Response:
    names = [f["name"] for f in field_specs(_policy(), application)]
    values = {n: str(form.get(n) or "").strip() for n in names}
    # Every valid field is saved, also when another one is not; the invalid ones keep
    # what was saved before and are shown with their errors and what was typed.
    errors: dict[str, str] = {}
    given = {k: (v or None) for k, v in values.items()}
    try:
        data = ApplicationUpdate.model_validate(given)
    except ValidationError as exc:
        errors = _field_errors(exc)
        data = ApplicationUpdate.model_validate({k: v for k, v in given.items() if k not in errors})
    with session.begin_nested():
        service.update(session=session, application_id=application.id, data=data, actor=user)
    if errors:
        context = _file_context(session, application, user)
        return render(
            request,
            "applications/details.html",
            {**context, "values": values, "errors": errors, "partly_saved": True},
            status_code=422,
        )
    target = "documents" if form.get("next") else "details?saved=1"
    return redirect(f"/applications/{application.id}/{target}")


@router.get("/applications/{application_id}/documents")
def documents_page(
    request: Request, session: SessionDep, application: PageApplicationDep, user: PageUser
) -> Response:
    return render(request, "applications/documents.html", _file_context(session, application, user))


@router.post("/applications/{application_id}/documents", dependencies=[Csrf])
def upload(
    request: Request,
    session: SessionDep,
    application: PageApplicationDep,
    user: Applicant,
    form: FormDep,
) -> Response:
    kind = str(form.get("kind") or "")
    upload_file = form.get("file")
    errors: dict[str, str] = {}
    if not isinstance(upload_file, UploadFile) or not upload_file.filename:
        errors[f"file-{kind}"] = _("Choose a file to upload.")
    else:
        limit = get_settings().max_upload_bytes
        content = upload_file.file.read(limit + 1)
        try:
            uploads_flow.add_document(
                session=session,
                application_id=application.id,
                kind=kind,
                filename=upload_file.filename,
                content=content,
                actor=user,
            )
        except AppError as exc:
            errors[f"file-{kind}"] = user_message(
                exc.code, _("This file cannot be added to this application."), mb=limit // 2**20
            )
    if errors:
        context = _file_context(session, application, user)
        return render(
            request, "applications/documents.html", {**context, "errors": errors}, status_code=422
        )
    return redirect(f"/applications/{application.id}/documents")


@router.get("/applications/{application_id}/documents/{document_id}")
def download(
    document_id: uuid.UUID, session: SessionDep, application: PageApplicationDep, user: PageUser
) -> Response:
    document, content = uploads.read_document(
        session=session, application_id=application.id, document_id=document_id, actor=user
    )
    return file_response(content, media_type=document.content_type, filename=document.filename)


@router.get("/applications/{application_id}")
def file_page(
    request: Request, session: SessionDep, application: PageApplicationDep, user: PageUser
) -> Response:
    decisions_flow.make_documents(session=session, application=application)
    return render(request, "applications/file.html", _file_context(session, application, user))


@router.post("/applications/{application_id}/submit", dependencies=[Csrf])
def submit(
    request: Request, session: SessionDep, application: PageApplicationDep, user: Applicant
) -> Response:
    try:
        with session.begin_nested():
            service.submit(session=session, application_id=application.id, actor=user)
    except AppError as exc:
        context = _file_context(session, application, user)
        message = user_message(exc.code, _("This application has already been submitted."))
        return render(
            request,
            "applications/file.html",
            {**context, "errors": {"form": message}},
            status_code=status_of(exc),
        )
    return redirect(f"/applications/{application.id}?submitted=1")


@router.post("/applications/{application_id}/withdraw", dependencies=[Csrf])
def withdraw(session: SessionDep, application: PageApplicationDep, user: Applicant) -> Response:
    service.withdraw(session=session, application_id=application.id, actor=user)
    return redirect(f"/applications/{application.id}")


@router.post("/permits/{number}/renew", dependencies=[Csrf])
def renew(number: str, session: SessionDep, user: Applicant) -> Response:
    application = renewals.start_renewal(session=session, number=number, actor=user)
    return redirect(f"/applications/{application.id}/details")


# ---- clerk --------------------------------------------------------------------------------


@router.get("/queue")
def queue_page(
    request: Request,
    session: SessionDep,
    user: Clerk,
    status: str | None = None,
    permit_type: str | None = None,
    overdue: str | None = None,
    cursor: str | None = None,
) -> Response:
    chosen_status = ApplicationStatus(status) if status in set(ApplicationStatus) else None
    page = queue.list_(
        session=session,
        actor=user,
        status=chosen_status,
        permit_type=permit_type or None,
        overdue=True if overdue == "1" else None,
        cursor=cursor or None,
    )
    policy = _policy()
    return render(
        request,
        "applications/queue.html",
        {
            "page": page,
            "filters": {
                "status": status or "",
                "permit_type": permit_type or "",
                "overdue": overdue,
            },
            "types": {k: label(t.label_nl, t.label_en) for k, t in policy.permit_types.items()},
            "statuses": list(ApplicationStatus),
            # Violations found on visits, waiting for the clerk (oldest first).
            "referrals": inspections_service.open_referrals(session=session, actor=user)[0],
        },
    )


@router.get("/queue/{application_id}")
def clerk_file(
    request: Request, session: SessionDep, application: PageApplicationDep, user: Clerk
) -> Response:
    decisions_flow.make_documents(session=session, application=application)
    return render(
        request, "applications/clerk_file.html", _clerk_context(session, application, user)
    )


def _clerk_context(session: SessionDep, application: Application, user: User) -> dict[str, Any]:
    """The file as a clerk sees it, with the same person's other applications and permits
    (under other working names too): staff only. Check messages are worded for the clerk
    ("the applicant is 26"), not for the applicant; document kinds show their policy label."""
    context = _file_context(session, application, user)
    public = context["application"]
    policy = context["policy"]
    return {
        **context,
        "staff_checks": service.checks_for_staff(
            [c.model_dump() for c in public.checks],
            birth_date=public.details.get("birth_date"),
            on=local_today(),
        ),
        "document_label": {
            kind: label(item.label_nl, item.label_en)
            for kind, item in policy.document_kinds.items()
        },
        "same_person": [
            {
                "id": other.id,
                "working_name": other.working_name,
                "status": other.status,
                "permit_type": other.permit_type,
                "other_name": other.working_name != application.working_name,
                "permit": service.permit_of(session=session, application_id=other.id),
            }
            for other in service.same_person(session=session, application=application)
        ],
    }


@router.post("/queue/{application_id}/decision", dependencies=[Csrf])
def clerk_decide(
    request: Request,
    session: SessionDep,
    application: PageApplicationDep,
    user: Clerk,
    form: FormDep,
) -> Response:
    choice = str(form.get("decision") or "")
    reason = str(form.get("reason") or "")
    try:
        if choice == "start_review":
            with session.begin_nested():
                decisions.start_review(session=session, application_id=application.id, actor=user)
        else:
            decisions_flow.decide(
                session=session,
                application_id=application.id,
                decision=DecisionKind(choice),
                reason=reason,
                actor=user,
            )
    except (AppError, ValueError) as exc:
        context = _clerk_context(session, application, user)
        code = exc.code if isinstance(exc, AppError) else "bad_decision"
        message = user_message(code, _("The decision could not be recorded."))
        errors = {"reason" if code == "reason_required" else "decision": message}
        failed = exc.details.get("failed_rules", []) if isinstance(exc, AppError) else []
        failed = service.checks_for_staff(
            failed, birth_date=context["application"].details.get("birth_date"), on=local_today()
        )
        return render(
            request,
            "applications/clerk_file.html",
            {**context, "errors": errors, "values": {"reason": reason}, "failed_rules": failed},
            status_code=status_of(exc) if isinstance(exc, AppError) else 422,
        )
    return redirect(f"/queue/{application.id}?recorded=1")
