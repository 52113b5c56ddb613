"""Rate limits on wrong passwords (and other abuse-prone endpoints), with `limits`.

Counters live where RATE_LIMIT_STORAGE_URL says: in the process (`memory://`, one worker)
or in Redis (`redis://...`), shared by every worker and instance, so a limit holds however
many processes serve the site.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from limits import RateLimitItem, RateLimitItemPerHour, RateLimitItemPerMinute
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from app.errors import Unavailable

logger = logging.getLogger(__name__)
T = TypeVar("T")


REDIS_TIMEOUT_SECONDS = 2
"""A Redis that does not answer within this fails the request with 503 (a hung Redis must
not hold the server's threads)."""


def make_storage(url: str) -> Storage:
    options = (
        {"socket_timeout": REDIS_TIMEOUT_SECONDS, "socket_connect_timeout": REDIS_TIMEOUT_SECONDS}
        if url.startswith(("redis://", "rediss://"))
        else {}
    )
    storage = storage_from_string(url, **options)
    if not isinstance(storage, Storage):
        raise ValueError(f"RATE_LIMIT_STORAGE_URL must name a synchronous storage: {url}")
    return storage


def _counted(call: Callable[[], T]) -> T:
    """A limit that cannot be counted is not waived: the request is answered 503."""
    try:
        return call()
    except Exception as exc:  # the storage's own connection errors differ per backend
        logger.warning("rate-limit storage unavailable: %s", exc.__class__.__name__)
        raise Unavailable(
            "rate_limit_unavailable",
            "The service cannot take this request right now. Try again in a moment.",
            retry_after=5,
        ) from exc


class Throttle:
    """Counts events per key in a moving window."""

    def __init__(
        self,
        per_minute: int | None = None,
        *,
        per_hour: int | None = None,
        storage: Storage | None = None,
    ) -> None:
        self._limiter = MovingWindowRateLimiter(storage or make_storage("memory://"))
        self._item: RateLimitItem = (
            RateLimitItemPerHour(per_hour) if per_hour else RateLimitItemPerMinute(per_minute or 1)
        )

    def allowed(self, *keys: str) -> bool:
        return _counted(lambda: all(self._limiter.test(self._item, key) for key in keys))

    def hit(self, *keys: str) -> bool:
        """Count one event for every key; False when a key is now over its limit."""
        return _counted(lambda: all([self._limiter.hit(self._item, key) for key in keys]))

    def retry_after(self, *keys: str) -> int:
        def wait() -> int:
            stats = [self._limiter.get_window_stats(self._item, k) for k in keys]
            return max(1, max((int(s.reset_time) for s in stats), default=0) - int(time.time()))

        return _counted(wait)


class LoginThrottle:
    """Wrong passwords, counted per (account, client address) and per client address.

    Nothing is counted per account alone, so failures from one address never lock the
    owner out at another: a correct password from an address that has not been failing is
    always let through. Per (account, address) the wait grows: `per_minute` wrong passwords
    wait out the minute, `per_minute * 4` in an hour wait out the hour. An address that
    tries many accounts meets the looser per-address limit (`per_minute * 4` a minute)."""

    def __init__(self, per_account_per_minute: int, *, storage: Storage | None = None) -> None:
        self.pair_minute = Throttle(per_account_per_minute, storage=storage)
        self.pair_hour = Throttle(per_hour=per_account_per_minute * 4, storage=storage)
        self.client = Throttle(per_account_per_minute * 4, storage=storage)

    def _keys(self, email: str, client: str) -> tuple[tuple[Throttle, str], ...]:
        pair = f"login:{email.lower()}|{client}"
        return (
            (self.pair_minute, pair),
            (self.pair_hour, pair),
            (self.client, f"login-ip:{client}"),
        )

    def allowed(self, email: str, client: str) -> bool:
        return all(t.allowed(k) for t, k in self._keys(email, client))

    def failed(self, email: str, client: str) -> None:
        for throttle, key in self._keys(email, client):
            throttle.hit(key)

    def retry_after(self, email: str, client: str) -> int:
        return max(
            (t.retry_after(k) for t, k in self._keys(email, client) if not t.allowed(k)),
            default=1,
        )


class MfaThrottle:
    """Wrong two-factor codes: `per_minute` per (account, address) and `per_hour` per
    account. Only someone who already has the password reaches this step; the per-account
    hour limit keeps guessing 6-digit codes from many addresses hopeless."""

    def __init__(
        self, per_minute: int = 5, *, per_hour: int = 20, storage: Storage | None = None
    ) -> None:
        self.pair = Throttle(per_minute, storage=storage)
        self.account = Throttle(per_hour=per_hour, storage=storage)

    def _keys(self, user_id: str, client: str) -> tuple[tuple[Throttle, str], ...]:
        return ((self.pair, f"mfa:{user_id}|{client}"), (self.account, f"mfa:{user_id}"))

    def allowed(self, user_id: str, client: str) -> bool:
        return all(t.allowed(k) for t, k in self._keys(user_id, client))

    def failed(self, user_id: str, client: str) -> None:
        for throttle, key in self._keys(user_id, client):
            throttle.hit(key)

    def retry_after(self, user_id: str, client: str) -> int:
        return max(
            (t.retry_after(k) for t, k in self._keys(user_id, client) if not t.allowed(k)),
            default=1,
        )
