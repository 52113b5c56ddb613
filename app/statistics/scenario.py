"""A policy as a scenario for the council: how many of today's permits and home-work
registrations would no longer comply with another policy file of the library (the Wrs
proposal, a stricter municipality), by rule, published under the same small-count
protection as the statistics. Counts only; the simulation keeps no names here (limit 0).
Nothing here commits."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session

from app.auth.models import User
from app.auth.permissions import Action, can
from app.errors import Forbidden
from app.i18n import gettext as _
from app.permits import service as permits_service
from app.policy.schema import Policy
from app.simulation import simulate
from app.statistics.service import Table, make_table


@dataclass(frozen=True)
class Scenario:
    policy_key: str
    policy: Policy
    threshold: int
    tables: tuple[Table, ...]


def run(
    *, session: Session, key: str, draft: Policy, current: Policy, actor: User, lang: str
) -> Scenario:
    """Simulate ``draft`` over today's permits and home-work registrations; one protected
    table for the totals, one per permit type and one for home work, rule by rule."""
    if not can(actor, Action.statistics_read):
        raise Forbidden()
    threshold = current.statistics.small_count_threshold
    report = simulate(
        session=session, draft=draft, on=permits_service.today(), limit=0, actor=actor
    )
    columns = [("fails", _("Would no longer comply")), ("meets", _("Would comply"))]
    home_work = report.home_work
    tables = [
        make_table(
            key="summary",
            title=_("Today's permits and home-work registrations under this policy"),
            description=_(
                "A permit fails when it breaks at least one blocking rule of the policy; permits "
                "that could not be checked are left out."
            ),
            rows=[
                ("permits", _("Permits in force")),
                ("home_work", _("Home-work registrations")),
            ],
            columns=columns,
            counts={
                ("permits", "fails"): report.non_compliant_count,
                ("permits", "meets"): report.permits_checked
                - report.non_compliant_count
                - report.unchecked_count,
                ("home_work", "fails"): home_work.failing_count,
                ("home_work", "meets"): home_work.registrations_checked - home_work.failing_count,
            },
            threshold=threshold,
        )
    ]
    groups: dict[str | None, list[tuple[str, int, int]]] = defaultdict(list)
    for impact in report.by_rule():
        group = impact.permit_type if impact.subject == "permit" else None
        groups[group].append((impact.rule_id, impact.failing, impact.checked))
    for group, rules in groups.items():
        if group is None:
            title = _("Home-work registrations, by rule")
        else:
            spec = draft.permit_types.get(group) or current.permit_types.get(group)
            label = (spec.label_nl if lang == "nl" else spec.label_en) if spec else group
            title = _("Permits of the type %(type)s, by rule", type=label)
        counts: dict[tuple[str, str], int] = {}
        for rule_id, failing, checked in rules:
            counts[(rule_id, "fails")] = failing
            counts[(rule_id, "meets")] = checked - failing
        tables.append(
            make_table(
                key=f"rules-{group or 'home_work'}",
                title=title,
                description=_("For each rule of the policy: how many would break it."),
                rows=[(rule_id, rule_id) for rule_id, _f, _c in rules],
                columns=columns,
                counts=counts,
                threshold=threshold,
            )
        )
    return Scenario(policy_key=key, policy=draft, threshold=threshold, tables=tuple(tables))
