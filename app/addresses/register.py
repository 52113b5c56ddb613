"""The address register: is this person registered at this address, and since when.

Two implementations answer the same question, chosen by ADDRESS_REGISTER:

- `LocalRegister`: the `resident` table, loaded from a BRP extract (`residents.py`);
- `HaalCentraalRegister`: the BRP itself, through Haal Centraal BRP Personen Bevragen
  (`POST {BRP_API_URL}/personen`, "RaadpleegMetBurgerservicenummer", field
  `verblijfplaats`), with a timeout per request and retries with backoff.

When the register cannot be reached or answers nonsense, `RegisterUnavailable` is raised:
the caller keeps its check waiting (`pending_address_check`) and asks again later; it never
reads "unavailable" as "not registered".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

import httpx
from sqlmodel import Session, select
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import bsn as nl_bsn
from tenacity import (
    retry,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from app.addresses.models import Address, Resident
from app.addresses.parse import AddressParts, house_number_parts, normalise_postcode
from app.config import get_settings
from app.crypto import bsn_hash as bsn_hash  # re-exported for the register's callers
from app.errors import InvalidInput, Unavailable

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Residence:
    """What the register says about one person and one address."""

    registered: bool
    since: date | None = None


class RegisterUnavailable(Unavailable):
    def __init__(self, reason: str) -> None:
        super().__init__(
            "address_register_unavailable",
            "The population register cannot be reached now; the check is done again later.",
            retry_after=60,
        )
        self.reason = reason


class AddressRegister(Protocol):
    def residence(self, *, bsn: str, address: AddressParts) -> Residence: ...


def valid_bsn(value: str) -> str:
    """A BSN passing the eleven-test, as nine digits; InvalidInput otherwise."""
    try:
        return str(nl_bsn.validate(value))
    except StdnumError:
        raise InvalidInput(
            "invalid_bsn", "This is not a valid citizen service number (BSN)."
        ) from None


class LocalRegister:
    """The residents loaded from the last BRP extract."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def residence(self, *, bsn: str, address: AddressParts) -> Residence:
        row = self.session.exec(
            select(Resident, Address)
            .join(Address, Address.id == Resident.address_id)  # type: ignore[arg-type]
            .where(Resident.bsn_hash == bsn_hash(bsn))
        ).first()
        if row is None:
            return Residence(registered=False)
        resident, at = row
        same = (at.postcode, at.house_number, at.house_letter, at.addition) == (
            address.postcode,
            address.house_number,
            address.house_letter,
            address.addition,
        )
        return Residence(registered=same, since=resident.registered_since if same else None)


class _Retry(Exception):
    """A failure worth another try: a timeout, a dropped connection, a 5xx."""


class HaalCentraalRegister:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = 5.0,
        attempts: int = 3,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not base_url:
            raise ValueError("BRP_API_URL is required for ADDRESS_REGISTER=haal_centraal")
        self.url = base_url.rstrip("/") + "/personen"
        self.api_key = api_key
        self.timeout = timeout
        self.attempts = attempts
        self.transport = transport

    def residence(self, *, bsn: str, address: AddressParts) -> Residence:
        body = self._look_up(bsn)
        people = body.get("personen")
        if not isinstance(people, list):
            raise RegisterUnavailable("answer without a list of persons")
        if not people:
            return Residence(registered=False)
        place = people[0].get("verblijfplaats") if isinstance(people[0], dict) else None
        if not isinstance(place, dict) or not isinstance(place.get("verblijfadres"), dict):
            return Residence(registered=False)  # abroad, or no address known
        found = _parts(place["verblijfadres"])
        if found is None or found != address:
            return Residence(registered=False)
        return Residence(registered=True, since=_date(place))

    def _look_up(self, bsn: str) -> dict[str, Any]:
        attempt = retry(
            retry=retry_if_exception_type(_Retry),
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=0.2, max=2),
            reraise=True,
        )(self._post)
        try:
            response = attempt(bsn)
        except _Retry as exc:
            logger.warning("Haal Centraal unavailable after %s tries: %s", self.attempts, exc)
            raise RegisterUnavailable(str(exc)) from exc
        try:
            body = response.json()
        except ValueError as exc:
            raise RegisterUnavailable("answer is not JSON") from exc
        if not isinstance(body, dict):
            raise RegisterUnavailable("answer is not a JSON object")
        return body

    def _post(self, bsn: str) -> httpx.Response:
        payload = {
            "type": "RaadpleegMetBurgerservicenummer",
            "burgerservicenummer": [bsn],
            "fields": ["verblijfplaats"],
        }
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
                response = client.post(
                    self.url,
                    json=payload,
                    headers={"X-API-Key": self.api_key, "Accept": "application/json"},
                )
        except httpx.TransportError as exc:  # timeouts and refused connections
            raise _Retry(type(exc).__name__) from exc
        if response.status_code >= 500:
            raise _Retry(f"HTTP {response.status_code}")
        if response.status_code != 200:
            # 4xx: our request or our credentials are wrong; retrying will not help, and
            # it says nothing about where the person lives.
            raise RegisterUnavailable(f"HTTP {response.status_code}")
        return response


def _parts(found: dict[str, Any]) -> AddressParts | None:
    try:
        number, _, _ = house_number_parts(str(found.get("huisnummer") or ""))
        return AddressParts(
            normalise_postcode(str(found.get("postcode") or "")),
            number,
            str(found.get("huisletter") or "").upper(),
            str(found.get("huisnummertoevoeging") or "").upper(),
        )
    except ValueError:
        return None


def _date(place: dict[str, Any]) -> date | None:
    since = place.get("datumVan")
    text = since.get("datum") if isinstance(since, dict) else None
    try:
        return date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def configured(session: Session) -> AddressRegister:
    """The register ADDRESS_REGISTER names."""
    settings = get_settings()
    if settings.address_register == "haal_centraal":
        return HaalCentraalRegister(
            settings.brp_api_url,
            settings.brp_api_key,
            timeout=settings.brp_timeout_seconds,
            attempts=settings.brp_attempts,
        )
    return LocalRegister(session)
