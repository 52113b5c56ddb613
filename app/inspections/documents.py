"""An inspection's documents: the report of each recorded version (in Dutch, or English
when the policy or the reader asks), and a written warning to the permit holder when the
inspector chose one. A signal of human trafficking is never in either: nothing here can
read one."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel import Session

from app.auth import service as auth_service
from app.config import get_settings
from app.db import local_today, to_local_date
from app.documents import service as documents_service
from app.documents.letters import N_, Letter, format_date, letter_request
from app.documents.models import Document, DocumentKind, SubjectType
from app.documents.render import data_uri
from app.documents.store import get_store
from app.errors import NotFound
from app.i18n import translate_in
from app.inspections import service
from app.inspections.models import Inspection, InspectionVersion
from app.permits.models import Permit
from app.policy import service as policy_service

REPORT_TITLE = N_("Inspection report")
WARNING_TITLE = N_("Warning after an inspection")
WARNING_OPENING = N_(
    "On the date below our inspectors carried out an inspection. They found that the "
    "conditions of your permit or the policy were not met in all respects. We ask you to "
    "put this right. If it is not put right, we may suspend or revoke the permit."
)
OUTCOME_LABELS = {
    "compliant": N_("Compliant"),
    "warning": N_("Warning"),
    "violation": N_("Violation"),
}
ANSWER_LABELS = {"yes": N_("Yes"), "no": N_("No"), "not_applicable": N_("Not applicable")}
ROLE_LABELS = {
    "worker": N_("Sex worker"),
    "operator": N_("Operator"),
    "manager": N_("Manager"),
    "other": N_("Other"),
}
LANGUAGES = ("nl", "en")


def _version(session: Session, inspection: Inspection, number: int | None) -> InspectionVersion:
    versions = service.versions_of(session=session, inspection_id=inspection.id)
    if not versions:
        raise NotFound("report", message="This visit has not been recorded yet.")
    if number is None:
        return versions[-1]
    for version in versions:
        if version.number == number:
            return version
    raise NotFound("report")


def report(
    *, session: Session, inspection: Inspection, number: int | None = None, language: str | None
) -> Document:
    """The report of one recorded version (the latest by default), made the first time it
    is asked for and served from the store afterwards."""
    version = _version(session, inspection, number)
    active = policy_service.current(session=session)
    lang = language if language in LANGUAGES else active.policy.language_default

    def build() -> documents_service.RenderRequest:
        public = service.public(session=session, inspection=inspection)
        shown = next(v for v in public.versions if v.number == version.number)
        store = get_store(service.PHOTO_AREA)
        photos = [
            data_uri(store.get(row.sha256), row.media_type)
            for row in service.photos_of(session=session, inspection_id=inspection.id)
            if str(row.id) in version.content.get("photo_ids", [])
        ]
        zone = ZoneInfo(get_settings().timezone)
        title = translate_in(lang, REPORT_TITLE)
        context = {
            "title": title,
            "reference_code": str(inspection.id)[:8].upper(),
            "version": version.number,
            "place": public.place,
            "permit_number": public.permit_number,
            "working_name": public.working_name,
            "planned_for": format_date(public.planned_for),
            "visited_at": shown.visited_at.astimezone(zone).strftime("%d-%m-%Y %H:%M"),
            "inspectors": public.inspectors,
            "recorded_by": shown.recorded_by,
            "people_met": [
                {
                    "role": translate_in(lang, ROLE_LABELS[p.role.value]),
                    "permit_number": p.permit_number,
                }
                for p in shown.people_met
            ],
            "checklist": [
                {
                    "label": c.label_nl if lang == "nl" else c.label_en,
                    "answer": translate_in(lang, ANSWER_LABELS[c.answer.value]),
                    "failed": c.answer.value == "no",
                    "note": c.note,
                }
                for c in shown.checklist
            ],
            "outcome": translate_in(lang, OUTCOME_LABELS[shown.outcome.value]),
            "findings": shown.findings,
            "reinspect_on": format_date(shown.reinspect_on) if shown.reinspect_on else None,
            "warning_letter": shown.warning_letter,
            "referred": public.permit_number is not None
            and (shown.refer_to_clerk or shown.outcome.value == "violation"),
            "reason": shown.reason,
            "photos": photos,
            "policy_reference": active.policy.inspection.reference,
            "authority": active.policy.municipality.decision_authority,
            "date": format_date(local_today()),
        }
        return documents_service.RenderRequest(
            template="inspection.html",
            context=context,
            language=lang,
            title=title,
            sign_reason=title,
        )

    return documents_service.get_or_create(
        session=session,
        natural_key=f"inspection:{inspection.id}:v{version.number}:{lang}",
        kind=DocumentKind.inspection_report,
        subject_type=SubjectType.inspection,
        subject_id=inspection.id,
        owner_id=None,
        build=build,
    )


def warning_key(inspection: Inspection, number: int) -> str:
    return f"letter:{DocumentKind.inspection_warning.value}:{inspection.id}:v{number}"


def warning_letters(*, session: Session, inspection: Inspection) -> list[Document]:
    """The warning letters made after this visit's versions (kept with the permit)."""
    found = (
        documents_service.get_by_key(session=session, natural_key=warning_key(inspection, n))
        for n in range(1, inspection.recorded_versions + 1)
    )
    return [d for d in found if d is not None]


def warning_letter(*, session: Session, inspection: Inspection, number: int) -> Document | None:
    """The written warning to the permit holder for this version, when it asks for one."""
    version = _version(session, inspection, number)
    if not version.warning_letter or inspection.permit_id is None:
        return None
    permit = session.get(Permit, inspection.permit_id)
    if permit is None:
        return None
    active = policy_service.current(session=session)
    holder = auth_service.get(session=session, user_id=permit.holder_id)
    spec = active.policy.permit_types.get(permit.permit_type)

    def build() -> documents_service.RenderRequest:
        letter = Letter(
            title=WARNING_TITLE,
            opening=WARNING_OPENING,
            language=holder.language if holder else "nl",
            addressee=permit.working_name,
            reference_code=str(inspection.id)[:8].upper(),
            on=local_today(),
            policy_version=active.record.version,
            policy_reference=spec.reference if spec else active.policy.reference,
            permit_number=permit.number,
            reason=version.content.get("findings"),
            facts=(
                (N_("Permit number"), permit.number),
                (N_("Inspection on"), format_date(to_local_date(version.visited_at))),
            ),
            objection=False,
        )
        return letter_request(active.policy, letter)

    return documents_service.get_or_create(
        session=session,
        natural_key=warning_key(inspection, number),
        kind=DocumentKind.inspection_warning,
        # Part of the permit's file: the holder finds it there with their decisions.
        subject_type=SubjectType.permit,
        subject_id=permit.id,
        owner_id=permit.holder_id,
        build=build,
    )
