"""The bot's clock-driven jobs on APScheduler 3 (`AsyncIOScheduler`, in-memory job store).

This is the only module that imports APScheduler. Nudges themselves live in the database
outbox, never in APScheduler's job stores (they pickle callables and can't be shared by
replicas); APScheduler only decides *when* to sweep:

- an interval job sweeps due nudges every `sweep_every` (`max_instances=1`, coalescing), which
  also picks up what other replicas planned and leases that expired;
- a one-shot wake-up at the next due time, re-armed after every sweep and whenever an earlier
  nudge is planned (`wake_at`), so a nudge goes out within a moment of its time rather than up
  to a whole interval late;
- neither job sweeps itself: each asks for a sweep and returns at once. One task sweeps while
  sweeps are asked for, so a wake-up that falls due while a sweep runs makes it go round once
  more, instead of being skipped by APScheduler as "maximum number of running instances";
- an interval job counts the outbox by state for the metrics (`measure`), on its own timer so
  a scrape never queries the database;
- a daily job deletes what is kept past its time (`bot.retention`), when one is attached;
- an hourly cron job plans each club's next weekly digest (`bot.digests`), when attached: the
  digest itself is an outbox row, posted by the sweep, once, whichever replica claims it.

A sweep that fails because the database is away (PostgreSQL restarting, SQLite locked) does not
stop anything: it is logged, and sweeps pause with exponential backoff (capped at a few seconds,
so claiming resumes within seconds of the database returning, without a retry storm).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock, SystemClock
from bot.dispatch import Dispatcher, DispatchReport

__all__ = ["NudgeScheduler"]

log = logging.getLogger(__name__)

# Another replica's plans and expired leases are found at most this late; the wake-up job
# makes this replica's own nudges punctual.
SWEEP_EVERY = timedelta(seconds=30)
# The outbox's depth is this fresh: about one Prometheus scrape interval, and three index-only
# counts that often cost nothing next to the sweeps.
MEASURE_EVERY = timedelta(seconds=15)
# Retention counts in days: once a day is on time. Its first run waits a little after start,
# so a fleet of replicas starting together doesn't open with a burst of deletions.
HOUSEKEEPING_EVERY = timedelta(days=1)
HOUSEKEEPING_FIRST_AFTER = timedelta(minutes=5)
# After a failed sweep, wait 0.5 s, 1 s, 2 s ... up to 5 s before trying the database again.
OUTAGE_BACKOFF_BASE = 0.5
OUTAGE_BACKOFF_CAP = 5.0
# A database error is an outage; anything else is a bug, logged loudly, and sweeping goes on.
# The storage's own errors come from `bootstrap` (`outage_errors`): the scheduler knows no driver.
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (OSError, TimeoutError)


class NudgeScheduler:
    """Sweeps the outbox on time. `bot.bootstrap.build_bot` creates it (its `wake_at` is the
    service's `on_nudge_planned`) and attaches the dispatcher; `start` it once the platforms
    are up. `outage_errors` are what the storage raises while its database is away."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        sweep_every: timedelta = SWEEP_EVERY,
        measure_every: timedelta = MEASURE_EVERY,
        housekeeping_first_after: timedelta = HOUSEKEEPING_FIRST_AFTER,
        outage_errors: tuple[type[BaseException], ...] = (),
    ) -> None:
        self.clock = clock or SystemClock()
        self.sweep_every = sweep_every
        self.measure_every = measure_every
        self.housekeeping_first_after = housekeeping_first_after
        self.outage_errors = (*OUTAGE_ERRORS, *outage_errors)
        self.dispatcher: Dispatcher | None = None
        self.housekeeping: Callable[[], Awaitable[object]] | None = None
        # Plans clubs' next weekly digests (`bot.digests.plan_weekly_digests`), hourly.
        self.digests: Callable[[], Awaitable[object]] | None = None
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._lock = asyncio.Lock()
        self._measuring = asyncio.Lock()
        self._wake: datetime | None = None
        self._failures = 0
        self._paused_until: datetime | None = None
        self._stopped = False
        # Set by each wake-up and interval tick; the sweeping task goes round while it is set.
        self._asked = False
        self._sweeping: asyncio.Task[None] | None = None

    def attach(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    async def start(self) -> None:
        """Start sweeping: the first sweep runs at once (overdue nudges after downtime)."""
        if self.dispatcher is None:
            raise RuntimeError("attach a dispatcher before starting")
        self._every(self.sweep_every, self._ask_for_sweep, "sweep")
        self._every(self.measure_every, self.measure, "measure")
        if self.housekeeping is not None:
            self._every(
                HOUSEKEEPING_EVERY,
                self.keep_house,
                "housekeeping",
                first=self.clock.now() + self.housekeeping_first_after,
            )
        if self.digests is not None:
            # On the hour: a digest set for 9:00 is planned well before (each one plans the
            # next), and this mends the chain after an outage or a new setting on a replica.
            self._scheduler.add_job(
                self.plan_digests,
                CronTrigger(minute=0, timezone=UTC),
                id="digests",
                max_instances=1,
                coalesce=True,
                next_run_time=self.clock.now(),
                misfire_grace_time=None,
            )
        self._scheduler.start()

    def _every(
        self,
        period: timedelta,
        job: Callable[[], Awaitable[object]],
        name: str,
        *,
        first: datetime | None = None,
    ) -> None:
        """Run `job` now (or at `first`) and every `period`, one run at a time; runs missed
        while one was still going are dropped, not run in a burst."""
        self._scheduler.add_job(
            job,
            IntervalTrigger(seconds=period.total_seconds(), timezone=UTC),
            id=name,
            max_instances=1,
            coalesce=True,
            next_run_time=first or self.clock.now(),
            misfire_grace_time=None,
        )

    async def stop(self) -> None:
        """Stop sweeping; a sweep in progress settles its batch first."""
        self._stopped = True
        # First let a sweep in progress finish (APScheduler's shutdown would cancel it midway),
        # and let job runs already handed to the event loop start, see `_stopped` and end.
        async with self._lock, self._measuring:
            pass
        if self._sweeping is not None:
            await asyncio.gather(self._sweeping, return_exceptions=True)
        for _ in range(3):
            await asyncio.sleep(0)
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def wake_at(self, moment: datetime) -> None:
        """Sweep at `moment` (or now, if it has passed), unless a wake-up comes sooner."""
        if not self._scheduler.running:
            return
        now = self.clock.now()
        if self._wake is not None and now <= self._wake <= moment:
            return
        self._wake = max(moment, now)
        self._scheduler.add_job(
            self._ask_for_sweep,
            DateTrigger(run_date=self._wake, timezone=UTC),
            id="wake",
            replace_existing=True,
            misfire_grace_time=None,
        )

    async def _ask_for_sweep(self) -> None:
        """What APScheduler runs: a sweep now, or one more round of the sweep under way (which
        may have claimed its batch before this wake-up's nudge fell due)."""
        self._asked = True
        if self._sweeping is None or self._sweeping.done():
            self._sweeping = asyncio.create_task(self._sweep_while_asked())

    async def _sweep_while_asked(self) -> None:
        while self._asked and not self._stopped:
            self._asked = False
            await self.sweep()

    async def measure(self) -> None:
        """Count the outbox for the metrics. Never raises; skipped while sweeps pause for an
        outage (the sweep reports it; the storage counts the error)."""
        assert self.dispatcher is not None
        if self._stopped or (self._paused_until and self.clock.now() < self._paused_until):
            return
        # A lock of its own: a long sweep doesn't hold the count up (APScheduler would skip
        # it), and `stop` waits for it as for a sweep.
        async with self._measuring:
            if self._stopped:
                return
            try:
                await self.dispatcher.measure_outbox()
            except self.outage_errors as err:
                log.debug("counting the outbox failed (%s)", type(err).__name__)
            except Exception as err:
                log.error("counting the outbox failed unexpectedly (%s)", type(err).__name__)
                log.debug("outbox count failure", exc_info=True)

    async def keep_house(self) -> None:
        """Run the daily housekeeping (retention). Never raises: a failure is logged and the
        next day's run tries again."""
        assert self.housekeeping is not None
        if self._stopped:
            return
        try:
            await self.housekeeping()
        except Exception as err:
            log.error("housekeeping failed (%s); it runs again tomorrow", type(err).__name__)
            log.debug("housekeeping failure", exc_info=True)

    async def plan_digests(self) -> None:
        """Plan clubs' next weekly digests. Never raises: a failure is logged, and the next
        hour's run tries again."""
        assert self.digests is not None
        if self._stopped:
            return
        try:
            await self.digests()
        except Exception as err:
            log.error("planning digests failed (%s); it runs again in an hour", type(err).__name__)
            log.debug("digest planning failure", exc_info=True)

    async def sweep(self) -> DispatchReport | None:
        """Deliver what is due, then re-arm the wake-up. Never raises."""
        assert self.dispatcher is not None
        now = self.clock.now()
        if self._stopped or (self._paused_until is not None and now < self._paused_until):
            return None
        async with self._lock:
            self._wake = None
            try:
                report = await self.dispatcher.dispatch_due()
                next_due = await self.dispatcher.next_due_at()
            except self.outage_errors as err:
                self._failures += 1
                delay = min(OUTAGE_BACKOFF_CAP, OUTAGE_BACKOFF_BASE * 2 ** (self._failures - 1))
                delay *= random.uniform(0.8, 1.2)  # replicas don't come back in lockstep
                self._paused_until = self.clock.now() + timedelta(seconds=delay)
                log.warning(
                    "sweep failed (%s); the database may be away, retrying in %.1f s",
                    type(err).__name__,
                    delay,
                )
                self.wake_at(self._paused_until)
                return None
            except Exception as err:
                # Its text may quote a message (contact data): the type at ERROR, the rest at DEBUG.
                log.error("sweep failed unexpectedly (%s); sweeping goes on", type(err).__name__)
                log.debug("sweep failure", exc_info=True)
                return None
            if self._failures:
                log.info("database is back after %d failed sweeps", self._failures)
            self._failures = 0
            self._paused_until = None
        if self._stopped:
            return report
        if report.claimed:
            log.info(
                "sweep: %d claimed, %d sent, %d cancelled, %d retried, %d failed",
                report.claimed,
                report.sent,
                report.cancelled,
                report.retried,
                report.failed,
            )
        if next_due is not None:
            self.wake_at(next_due)
        return report
