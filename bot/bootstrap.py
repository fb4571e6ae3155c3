"""The one place that picks concrete classes and wires the core together.

`build_bot` loads the rules, migrates the database and wires storage, the service, the
dispatcher (with the platforms' messengers behind one `RoutingMessenger` and their pace rules),
the scheduler that sweeps the outbox, and the metrics they report to (Prometheus, in a registry
of the bot's own, when scheduled; nowhere in the console). Adapters bring only what is theirs: a
messenger and the pace rules of their platform, keyed by the platform's name.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.calendar_feed import CalendarFeed
from bot.clock import Clock
from bot.club_commands import ScheduledEventEnded
from bot.config import Settings
from bot.digests import plan_weekly_digests
from bot.dispatch import LEASE, Dispatcher
from bot.domain import Address
from bot.messengers import RoutingMessenger, RoutingPoster
from bot.metrics import MeasuredStorage, Metrics, NoMetrics
from bot.pacing import PaceRule, PlatformPacer
from bot.ports import Messenger, ReadsScheduledEvents, Storage
from bot.prometheus import PrometheusMetrics
from bot.proofread import Proofreader
from bot.replies import Reply
from bot.retention import Retention
from bot.scheduled_event_ends import ScheduledEventSweep
from bot.scheduler import NudgeScheduler
from bot.services import FollowUpService, Requester
from bot.state import SharedState
from bot.storage.migrate import upgrade_to_head
from bot.storage.sql import SqlStorage, create_engine
from bot.workspaces import Installs
from rules.drafts import load_drafts
from rules.engine import Rulebook, load_rulebook

__all__ = [
    "DATABASE_ERRORS",
    "STORAGE_OUTAGES",
    "Bot",
    "build_bot",
    "migrate_database",
    "scheduled_event_sweep",
]

# What the SQL storage raises while its database is away (restarting, locked): the scheduler
# pauses and retries on these rather than treat them as bugs.
STORAGE_OUTAGES: tuple[type[BaseException], ...] = (SQLAlchemyError,)
# And what a command may meet besides: asyncpg's own timeout (TimeoutError, when the server stops
# answering altogether) and a refused connection. The student is told to try again.
DATABASE_ERRORS: tuple[type[BaseException], ...] = (*STORAGE_OUTAGES, OSError)
# A readiness check waits this long for the database's answer: a load balancer asks every few
# seconds, and a database slower than this to answer SELECT 1 is not ready for commands either.
READY_TIMEOUT = 2.0


@dataclass
class Bot:
    """Everything an adapter needs: the service for commands, the dispatcher and its scheduler
    for nudges, and the core's small APIs for what adapters learn from their platform
    (`installs`: the app removed or installed; `state`: short shared values), the students'
    calendar subscriptions (`calendars`), and the `metrics` they all report to."""

    storage: Storage
    clock: Clock
    service: FollowUpService
    dispatcher: Dispatcher
    rulebook: Rulebook
    # None where time moves by hand (the console, tests): the caller dispatches itself.
    scheduler: NudgeScheduler | None = None
    # The SQL engine, for what libraries keep in our database (Slack's OAuth installs); None on
    # the in-memory storage.
    engine: AsyncEngine | None = None
    metrics: Metrics = field(default_factory=NoMetrics)
    installs: Installs = field(init=False)
    state: SharedState = field(init=False)
    calendars: CalendarFeed = field(init=False)

    def __post_init__(self) -> None:
        self.installs = Installs(self.storage, self.clock)
        self.state = SharedState(self.storage, self.clock)
        self.calendars = CalendarFeed(self.storage, self.clock, self.service.default_zone)

    async def database_ready(self, within: float = READY_TIMEOUT) -> bool:
        """Whether the database answers a `SELECT 1` within `within` seconds. Never raises:
        an error is an answer (no), counted in `metrics`."""
        ping = asyncio.ensure_future(self.storage.ping())
        ping.add_done_callback(_retrieve)
        await asyncio.wait([ping], timeout=within)
        if not ping.done():
            # Lost packets: the answer is no, now. The cancelled ping tidies up its connection
            # in the background, as long as that takes, without holding the answer up.
            ping.cancel()
            self.metrics.database_error()
            return False
        # Whatever the driver raised, the database isn't usable now (the storage counted it).
        return not ping.cancelled() and ping.exception() is None

    async def close(self) -> None:
        """Stop sweeping (a sweep in progress settles first) and close the database."""
        if self.scheduler is not None:
            await self.scheduler.stop()
        if self.engine is not None:
            await self.engine.dispose()


def _retrieve(ping: asyncio.Future[None]) -> None:
    """Take a finished ping's error, so that a ping left behind is never reported unretrieved."""
    if not ping.cancelled():
        ping.exception()


async def migrate_database(settings: Settings) -> None:
    """Upgrade the database to the latest schema (`followup-bot migrate`; `build_bot` does it
    too). Raises what the database raises when it can't be reached (`STORAGE_OUTAGES`,
    OSError)."""
    engine = create_engine(settings.database_url)
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()


def scheduled_event_sweep(
    storage: Storage,
    service: FollowUpService,
    platforms: Mapping[str, object],
    clock: Clock,
    owner: str,
) -> ScheduledEventSweep | None:
    """The sweep that takes followed Scheduled Events at their scheduled end, through the
    platform that can read them (Discord's messenger); None where none of `platforms` can."""
    readers = {p: m for p, m in platforms.items() if isinstance(m, ReadsScheduledEvents)}
    if not readers:
        return None
    # One platform has Scheduled Events; should another, the sweep would route by platform.
    platform, reader = next(iter(readers.items()))

    async def as_the_server(server: Address, command: ScheduledEventEnded) -> Reply:
        return await service.handle(Requester(server), command)

    return ScheduledEventSweep(
        storage, reader, as_the_server, clock, owner, LEASE, platforms=(platform,)
    )


async def build_bot(
    settings: Settings,
    *,
    clock: Clock,
    messengers: Mapping[str, Messenger],
    pace_rules: Mapping[str, Sequence[PaceRule]] | None = None,
    owner: str = "local",
    scheduled: bool = True,
    metrics: Metrics | None = None,
) -> Bot:
    """Load the rulebook and the draft templates (RulebookError, DraftsError if bad) and the
    spell check's dictionary, migrate the database, wire the core.

    `messengers` send the DMs of each platform this process serves (by platform name); the
    dispatcher claims only nudges for those. `pace_rules` are the platforms' limits, counted in
    the database when shared so replicas stay under them together; without rules (the console)
    sends are not paced. `scheduled`: sweep the outbox on time with a `NudgeScheduler` (start
    it with `bot.scheduler.start()` once the platforms are up); the console moves its virtual
    clock and dispatches itself instead. `metrics`: by default a `PrometheusMetrics` of this
    bot's own when `scheduled` (adapters/ops.py serves it on /metrics), none otherwise.
    """
    rulebook = load_rulebook(settings.rulebook_path)
    drafts = load_drafts(settings.drafts_path, rulebook=rulebook)
    proofreader = Proofreader.load()
    zone = settings.default_zone()
    engine = create_engine(settings.database_url, timeout=settings.database_timeout)
    try:
        if engine.dialect.name == "sqlite":
            await upgrade_to_head(engine)
        else:
            # Replicas starting together wait for the one that migrates (an advisory lock), as
            # long as it takes: not under the statement timeout the commands have.
            await migrate_database(settings)
    except BaseException:
        await engine.dispose()
        raise
    if metrics is None:
        metrics = PrometheusMetrics(platforms=list(messengers)) if scheduled else NoMetrics()
    # The database's errors are counted wherever they happen: commands, sweeps, checks.
    storage = MeasuredStorage(SqlStorage(engine), metrics, DATABASE_ERRORS)
    scheduler = NudgeScheduler(clock=clock, outage_errors=STORAGE_OUTAGES) if scheduled else None
    poster = RoutingPoster(messengers)
    service = FollowUpService(
        storage,
        clock,
        rulebook,
        default_zone=zone,
        on_nudge_planned=scheduler.wake_at if scheduler is not None else None,
        drafts=drafts,
        proofreader=proofreader,
        metrics=metrics,
        outages=DATABASE_ERRORS,
        public_url=settings.public_url,
        poster=poster,
    )
    dispatcher = Dispatcher(
        storage,
        RoutingMessenger(messengers),
        clock,
        rulebook,
        default_zone=zone,
        owner=owner,
        pacer=PlatformPacer(pace_rules, storage=storage) if pace_rules else None,
        platforms=list(messengers),
        metrics=metrics,
        poster=poster,
        event_ends=scheduled_event_sweep(storage, service, messengers, clock, owner),
    )
    if scheduler is not None:
        scheduler.attach(dispatcher)
        scheduler.digests = functools.partial(plan_weekly_digests, storage, clock)
        scheduler.housekeeping = Retention(
            storage,
            clock,
            keep_closed=timedelta(days=settings.retention_days),
            uninstall_grace=timedelta(days=settings.uninstall_grace_days),
        ).run
    return Bot(
        storage=storage,
        clock=clock,
        service=service,
        dispatcher=dispatcher,
        rulebook=rulebook,
        scheduler=scheduler,
        engine=engine,
        metrics=metrics,
    )
