"""Rate limits as the platforms enforce them, for the fake Slack and the fake Discord: a request
over a limit is refused (the fakes answer 429), so a test or a benchmark that goes over one
sees it, as it would against the real platform."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["SlidingWindow", "TokenBucket"]


@dataclass
class SlidingWindow:
    """At most `limit` requests per key in any `period` seconds (Discord's global limit: 50 in
    any second; a DM channel's: 5 in any 5 seconds)."""

    limit: int
    period: float
    now: Callable[[], float] = time.monotonic
    _times: defaultdict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def take(self, key: str = "") -> float | None:
        """Count a request now: None if it is within the limit, else the seconds until it
        would be (and the request is not counted)."""
        now = self.now()
        times = self._times[key]
        while times and times[0] <= now - self.period:
            times.popleft()
        if len(times) >= self.limit:
            return times[0] + self.period - now
        times.append(now)
        return None

    def remaining(self, key: str = "") -> tuple[int, float]:
        """Requests left in the window for `key`, and the seconds until its oldest expires."""
        times = self._times[key]
        reset = times[0] + self.period - self.now() if times else 0.0
        return self.limit - len(times), max(reset, 0.0)


@dataclass
class TokenBucket:
    """`rate` requests a second per key on average, with bursts of up to `burst` (Slack's "one
    message a second per channel, short bursts allowed")."""

    rate: float
    burst: float
    now: Callable[[], float] = time.monotonic
    _state: dict[str, tuple[float, float]] = field(default_factory=dict)

    def take(self, key: str = "") -> float | None:
        """Count a request now: None if the bucket had a token, else the seconds until it
        will (and the request is not counted)."""
        now = self.now()
        tokens, then = self._state.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        if tokens < 1:
            self._state[key] = (tokens, now)
            return (1 - tokens) / self.rate
        self._state[key] = (tokens - 1, now)
        return None
