"""Rate limits on wrong passwords (and other abuse-prone endpoints), with `limits`."""

from __future__ import annotations

import time

from limits import RateLimitItem, RateLimitItemPerHour, RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class Throttle:
    """Counts failures per key in a moving window; one instance per app process."""

    def __init__(self, per_minute: int | None = None, *, per_hour: int | None = None) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._item: RateLimitItem = (
            RateLimitItemPerHour(per_hour) if per_hour else RateLimitItemPerMinute(per_minute or 1)
        )

    def allowed(self, *keys: str) -> bool:
        return all(self._limiter.test(self._item, key) for key in keys)

    def hit(self, *keys: str) -> bool:
        """Count one event for every key; False when a key is now over its limit."""
        return all([self._limiter.hit(self._item, key) for key in keys])

    def retry_after(self, *keys: str) -> int:
        waits = [int(self._limiter.get_window_stats(self._item, k).reset_time) for k in keys]
        return max(1, max(waits, default=0) - int(time.time()))


class LoginThrottle:
    """Wrong passwords per account and per client address."""

    def __init__(self, per_account_per_minute: int) -> None:
        self.account = Throttle(per_account_per_minute)
        self.client = Throttle(per_account_per_minute * 4)

    def _keys(self, email: str, client: str) -> tuple[tuple[Throttle, str], ...]:
        return ((self.account, f"login:{email.lower()}"), (self.client, f"login-ip:{client}"))

    def allowed(self, email: str, client: str) -> bool:
        return all(t.allowed(k) for t, k in self._keys(email, client))

    def failed(self, email: str, client: str) -> None:
        for throttle, key in self._keys(email, client):
            throttle.hit(key)

    def retry_after(self, email: str, client: str) -> int:
        return max(t.retry_after(k) for t, k in self._keys(email, client))
