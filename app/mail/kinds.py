"""Every kind of message: who may receive it, whether it is about the account's security
(sent even to someone who chose no e-mail), the template its body comes from and the
values that template needs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Audience(StrEnum):
    applicant = "applicant"  # news about their own file: never to a staff address
    staff = "staff"  # work of the staff: only to staff addresses
    anyone = "anyone"  # the account's security: to any account, or an address


@dataclass(frozen=True)
class MailKind:
    name: str
    audience: Audience
    template: str
    values: frozenset[str] = frozenset()
    security: bool = False


def _news(name: str) -> MailKind:
    # Every message about a file says the same: there is news, log in to read it.
    return MailKind(name, Audience.applicant, "news")


def _security(name: str) -> MailKind:
    return MailKind(name, Audience.anyone, name, frozenset({"link"}), security=True)


KINDS: dict[str, MailKind] = {
    kind.name: kind
    for kind in (
        _news("application_received"),
        _news("information_requested"),
        _news("decision_made"),
        _news("decision_extended"),
        _news("permit_suspended"),
        _news("permit_reinstated"),
        _news("permit_revoked"),
        _news("renewal_open"),
        _news("permit_expiring"),
        MailKind("clerk_digest", Audience.staff, "clerk_digest", frozenset({"due", "overdue"})),
        _security("confirm_address"),
        _security("already_registered"),
        _security("password_reset"),
    )
}

SECURITY_KINDS = frozenset(name for name, kind in KINDS.items() if kind.security)


def get(name: str) -> MailKind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown kind of mail: {name!r}") from None
