"""The Clock port: the one way the bot learns the time.

Inside, every datetime is aware and in UTC; people's zones appear only at the edges (parsing what
they type, formatting what they read).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "SystemClock", "VirtualClock"]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, aware, in UTC."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class VirtualClock:
    """A clock that moves only when told to: the console's `:advance`, and the tests' clock."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("VirtualClock needs an aware start time")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, by: timedelta) -> datetime:
        if by < timedelta(0):
            raise ValueError("time only moves forward")
        self._now += by
        return self._now

    def move_to(self, moment: datetime) -> datetime:
        """Jump forward to `moment`; a moment in the past leaves the clock where it is."""
        self._now = max(self._now, moment.astimezone(UTC))
        return self._now
