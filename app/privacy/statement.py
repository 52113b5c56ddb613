"""The privacy statement: what the service stores, why and for how long.

Written from the policy in force (its `[retention]` periods, the details and documents its
permit types ask for) and the data this service holds, so the statement never drifts from
what the retention schedule (`app/retention.py`) really erases. Pure: a policy in, rows
of text out, in the request's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.i18n import current_locale, gettext, ngettext
from app.policy.schema import FIELD_LABELS, Policy


@dataclass(frozen=True)
class DataRow:
    key: str
    what: str
    why: str
    how_long: str


def _months(months: int) -> str:
    return ngettext("%(num)d month", "%(num)d months", months)


def _labels(policy: Policy) -> tuple[list[str], list[str]]:
    english = current_locale.get() != "nl"  # the policy has Dutch and English labels
    fields: list[str] = []
    documents: list[str] = []
    for spec in policy.permit_types.values():
        for name in spec.required_fields:
            text = FIELD_LABELS[name][1 if english else 0] if name in FIELD_LABELS else name
            if text not in fields:
                fields.append(text)
        for kind in spec.required_documents:
            item = policy.document_kinds.get(kind)
            text = (item.label_en if english else item.label_nl) if item else kind
            if text not in documents:
                documents.append(text)
    return fields, documents


def rows(policy: Policy) -> list[DataRow]:
    """Every kind of data the service holds, with its purpose and retention period."""
    retention = policy.retention
    fields, documents = _labels(policy)
    _ = gettext
    return [
        DataRow(
            "account",
            _(
                "Your account: your e-mail address, a hash of your password, your language and "
                "whether you want e-mail about your file."
            ),
            _("To let you sign in and to tell you that there is news in your file."),
            _(
                "As long as the account exists. After an erasure request the account stays, "
                "so that you can still sign in."
            ),
        ),
        DataRow(
            "application",
            _("The details of your application: %(fields)s.", fields=", ".join(fields)),
            _("To decide on your application against the local policy and to issue the permit."),
            _(
                "A refused or withdrawn application: %(refused)s after the final decision. "
                "A granted application: %(granted)s after the permit has ended (expired or "
                "revoked).",
                refused=_months(retention.refused_application_months),
                granted=_months(retention.applicant_data_months_after_expiry),
            ),
        ),
        DataRow(
            "documents",
            _("The documents you upload: %(documents)s.", documents=", ".join(documents))
            if documents
            else _("The documents you upload."),
            _("To check that you meet the conditions of the permit."),
            _("The same periods as the details of your application."),
        ),
        DataRow(
            "decisions",
            _("Decisions, permits and decision letters, under your working name."),
            _(
                "The municipality must keep records of its decisions (objection, appeal, "
                "enforcement)."
            ),
            _(
                "While the permit is held, and %(granted)s after it has ended.",
                granted=_months(retention.applicant_data_months_after_expiry),
            ),
        ),
        DataRow(
            "home_work",
            _(
                "Home-work registrations: the address and the check that you are registered "
                "there in the population register (BRP)."
            ),
            _(
                "Home work is only allowed at the address where you are registered, within "
                "the limits of the policy."
            ),
            _("The same periods as the details of your application."),
        ),
        DataRow(
            "nuisance",
            _(
                "Nuisance reports: the address, what was reported and, only if the reporter "
                "gives them, their contact details."
            ),
            _("To look into nuisance and to apply the policy's nuisance rule."),
            _("%(months)s after the report.", months=_months(retention.nuisance_report_months)),
        ),
        DataRow(
            "inspections",
            _("Inspection visits: findings, notes, photos and reports."),
            _("To supervise that the rules and permit conditions are kept."),
            _("%(months)s after the visit.", months=_months(retention.inspection_months)),
        ),
        DataRow(
            "signals",
            _("Signals of possible human trafficking, read only by the care coordinator."),
            _("To offer help and to refer to the police or care organisations."),
            _(
                "%(months)s after the care coordinator closed the follow-up.",
                months=_months(retention.signal_months),
            ),
        ),
        DataRow(
            "audit",
            _("A record of who (by role) did what and when, without the content of files."),
            _("To be able to account for every decision and every time staff read a file."),
            _("It is kept, without the content of files, so that it stays complete."),
        ),
    ]
