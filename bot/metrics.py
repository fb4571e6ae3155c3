"""What the bot counts and times, as a port: `Metrics`.

The core reports what happened in its own words (a dispatch batch's outcomes, a command's
latency, the outbox's depth, a database error); `bot.prometheus.PrometheusMetrics` turns that
into Prometheus metrics, and `NoMetrics` (the default: tests, the console) forgets it.

Labels are a small fixed vocabulary, never anything a person typed or is: a platform's name,
a command's class name, a state, and a reason from `RETRY_REASONS` or `FAILURE_REASONS` (the
platforms' own failure texts can carry anything, so they are sorted into these words here).
No user id, workspace id, contact or free text becomes a label.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Final, Literal, Protocol

from bot.ports import OutboxDepth, PermanentFailure, RetryAfter, Storage, UnitOfWork

__all__ = [
    "FAILURE_REASONS",
    "RETRY_REASONS",
    "FailureReason",
    "MeasuredStorage",
    "Metrics",
    "NoMetrics",
    "NudgeTally",
    "RetryReason",
    "failure_reason",
    "retry_reason",
]

# Why a nudge goes back to the outbox: it waited its turn and nothing was tried ("deferred": a
# platform's pause, pacing, a lease too short), the platform said "later" ("retry_after": a 429,
# a 5xx with Retry-After), or the send raised ("error": network, timeout, an unknown answer).
RetryReason = Literal["deferred", "retry_after", "error"]
RETRY_REASONS: Final[tuple[RetryReason, ...]] = ("deferred", "retry_after", "error")
# Why a nudge is failed for good: the person can't get DMs, the workspace removed the app, the
# platform refused this message, or the retries ran out.
FailureReason = Literal["dms_closed", "workspace_gone", "refused", "gave_up"]
FAILURE_REASONS: Final[tuple[FailureReason, ...]] = (
    "dms_closed",
    "workspace_gone",
    "refused",
    "gave_up",
)


def retry_reason(delivery: RetryAfter, *, raised: bool = False) -> RetryReason:
    """The reason word for a nudge put back; `raised`: the send raised rather than answer."""
    if raised:
        return "error"
    return "retry_after" if delivery.tried else "deferred"


def failure_reason(delivery: PermanentFailure | None) -> FailureReason:
    """The reason word for a nudge failed for good: None means its retries ran out."""
    if delivery is None:
        return "gave_up"
    if delivery.concerns_workspace:
        return "workspace_gone"
    return "dms_closed" if delivery.concerns_person else "refused"


@dataclass
class NudgeTally:
    """One dispatch batch's outcomes, in nudge rows, by platform (and reason): the dispatcher
    fills it while it works and reports it once, after the batch is settled."""

    claimed: Counter[str] = field(default_factory=Counter)
    sent: Counter[str] = field(default_factory=Counter)
    cancelled: Counter[str] = field(default_factory=Counter)
    retried: Counter[tuple[str, RetryReason]] = field(default_factory=Counter)
    failed: Counter[tuple[str, FailureReason]] = field(default_factory=Counter)
    # Seconds from each sent nudge's due time to its sending, by platform.
    lateness: defaultdict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


class Metrics(Protocol):
    """Where the core reports what it did. Each call is cheap and never raises."""

    def nudges_dispatched(self, tally: NudgeTally) -> None:
        """A dispatch batch was settled (and committed) with these outcomes."""
        ...

    def command_handled(self, command: str, platform: str, seconds: float) -> None:
        """A command (`command`: its class name) from `platform` took `seconds`, answered
        whichever way."""
        ...

    def outbox_measured(self, depth: OutboxDepth) -> None:
        """The outbox was just counted."""
        ...

    def database_error(self) -> None:
        """A unit of work or a readiness check failed on the database."""
        ...

    def channel_posted(self, platform: str) -> None:
        """A post went to a club channel (reserved: channel posts are not sent yet)."""
        ...


class NoMetrics:
    """Metrics that go nowhere: the default wherever nobody scrapes."""

    def nudges_dispatched(self, tally: NudgeTally) -> None:
        pass

    def command_handled(self, command: str, platform: str, seconds: float) -> None:
        pass

    def outbox_measured(self, depth: OutboxDepth) -> None:
        pass

    def database_error(self) -> None:
        pass

    def channel_posted(self, platform: str) -> None:
        pass


class MeasuredStorage:
    """A `Storage` that counts its database's errors (`errors`: what the storage raises while
    its database is away or refuses) in `metrics`, then lets them go on as they were."""

    def __init__(
        self, storage: Storage, metrics: Metrics, errors: tuple[type[BaseException], ...]
    ) -> None:
        self.storage = storage
        self.metrics = metrics
        self.errors = errors

    @asynccontextmanager
    async def session(self) -> AsyncIterator[UnitOfWork]:
        try:
            async with self.storage.session() as uow:
                yield uow
        except self.errors:
            self.metrics.database_error()
            raise

    async def ping(self) -> None:
        try:
            await self.storage.ping()
        except self.errors:
            self.metrics.database_error()
            raise
