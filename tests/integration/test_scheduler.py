"""The scheduler: punctual wake-ups, and sweeping on through database outages."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.outbox import seed_outbox
from bot.bootstrap import STORAGE_OUTAGES, build_bot
from bot.clock import SystemClock
from bot.config import Settings
from bot.dispatch import Dispatcher
from bot.domain import Address, Club, Person
from bot.ports import Claim
from bot.retention import Retention, RetentionReport
from bot.scheduler import NudgeScheduler
from bot.storage.migrate import upgrade_to_head
from bot.storage.sql import SqlStorage, create_engine
from bot.testing import FakeClock, FakeMessenger
from rules.engine import Rulebook
from tests.conftest import NEW_YORK, PG_URL, START, postgres_schema


@asynccontextmanager
async def hourly_sweeps(
    path: Path, rulebook: Rulebook, messenger: FakeMessenger, clock: SystemClock
) -> AsyncIterator[tuple[AsyncEngine, NudgeScheduler]]:
    """A scheduler on a fresh SQLite database whose interval sweep comes only hourly: what
    goes out on time goes out by its wake-ups. Its first sweep (nothing due) has run."""
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade_to_head(engine)
    scheduler = NudgeScheduler(clock=clock, sweep_every=timedelta(hours=1))
    scheduler.attach(
        Dispatcher(SqlStorage(engine), messenger, clock, rulebook, default_zone=NEW_YORK)
    )
    await scheduler.start()
    try:
        await asyncio.sleep(0.2)
        yield engine, scheduler
    finally:
        await scheduler.stop()
        await engine.dispose()


async def until_sent(messenger: FakeMessenger, count: int, *, within: float) -> None:
    for _ in range(int(within / 0.1)):
        if len(messenger.sent) >= count:
            return
        await asyncio.sleep(0.1)


async def test_a_nudge_goes_out_at_its_time_not_at_the_next_interval(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    clock = SystemClock()
    messenger = FakeMessenger()
    async with hourly_sweeps(tmp_path / "wake.db", rulebook, messenger, clock) as (
        engine,
        scheduler,
    ):
        due = clock.now() + timedelta(seconds=0.5)
        await seed_outbox(engine, pending=1, due_at=due)
        scheduler.wake_at(due)  # what the service does when it plans a nudge
        await until_sent(messenger, 1, within=5)
        assert len(messenger.sent) == 1
        assert clock.now() - due < timedelta(seconds=3)


async def test_a_nudge_falling_due_during_a_slow_sweep_goes_out_right_after_it(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    # The platform takes 0.5 s a DM. The first nudge's sweep is still sending when the second
    # falls due; the wake-up that sweep re-arms for it fires while it is finishing.
    clock = SystemClock()
    messenger = FakeMessenger(clock, delay=0.5)
    async with hourly_sweeps(tmp_path / "busy.db", rulebook, messenger, clock) as (
        engine,
        scheduler,
    ):
        first = clock.now() + timedelta(seconds=0.3)
        second = first + timedelta(seconds=0.2)
        await seed_outbox(engine, pending=1, due_at=first)
        await seed_outbox(engine, pending=1, due_at=second)
        scheduler.wake_at(first)
        await until_sent(messenger, 2, within=6)
        assert len(messenger.sent) == 2, "the second nudge waited for the hourly sweep"
        sent_at = messenger.sent[1].at
        assert sent_at is not None
        # Its own send takes 0.5 s, after the first one's: it went out in the next round.
        assert sent_at - second < timedelta(seconds=2)


async def sweeping_outbox(
    engine: AsyncEngine, rulebook: Rulebook, *, pending: int
) -> tuple[FakeClock, FakeMessenger, NudgeScheduler]:
    """A migrated database on `engine` with `pending` nudges due at START, and a scheduler (with
    the bot's outage handling) that sweeps it a minute later."""
    await upgrade_to_head(engine)
    await seed_outbox(engine, pending=pending, due_at=START)
    clock = FakeClock(START + timedelta(minutes=1))
    messenger = FakeMessenger()
    scheduler = NudgeScheduler(clock=clock, outage_errors=STORAGE_OUTAGES)
    scheduler.attach(
        Dispatcher(SqlStorage(engine), messenger, clock, rulebook, default_zone=NEW_YORK)
    )
    return clock, messenger, scheduler


async def test_sweeping_goes_on_through_a_locked_sqlite_database(
    tmp_path: Path, rulebook: Rulebook, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "locked.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}", sqlite_busy_timeout_ms=100)
    clock, _, scheduler = await sweeping_outbox(engine, rulebook, pending=3)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
    try:
        assert await scheduler.sweep() is None
        assert await scheduler.sweep() is None  # paused: not even tried
        assert "sweep failed (OperationalError)" in caplog.text
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    clock.advance(timedelta(seconds=2))  # the back-off is over
    report = await scheduler.sweep()
    assert report is not None
    assert report.sent == 3
    await engine.dispose()


@pytest.mark.postgres
async def test_sweeping_resumes_when_postgresql_drops_its_connections(
    rulebook: Rulebook,
) -> None:
    async with postgres_schema("s") as schema:
        admin = create_engine(PG_URL)
        # Named, so that only this engine's connections are cut (other tests share the server).
        engine = create_engine(
            PG_URL,
            connect_args={"server_settings": {"search_path": schema, "application_name": schema}},
        )
        try:
            clock, messenger, scheduler = await sweeping_outbox(engine, rulebook, pending=2)
            assert (await scheduler.sweep()) is not None
            # The server restarts, as far as this pool can tell: every connection is cut.
            async with admin.begin() as db:
                await db.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = :name"
                    ),
                    {"name": schema},
                )
            await seed_outbox(engine, pending=2, due_at=START)
            for _ in range(3):
                await scheduler.sweep()
                clock.advance(timedelta(seconds=6))
            assert len(messenger.sent) == 4
        finally:
            await engine.dispose()
            await admin.dispose()


async def test_the_daily_housekeeping_deletes_what_is_past_its_time(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/retention.db")
    await upgrade_to_head(engine)
    storage = SqlStorage(engine)
    clock = SystemClock()
    async with storage.session() as uow:
        person = await uow.people.add(Person(Address("slack", "T9", "U1"), created_at=clock.now()))
        await uow.workspaces.mark_undeliverable(
            [("slack", "T9")], "app uninstalled", at=clock.now() - timedelta(days=31)
        )
    scheduler = NudgeScheduler(clock=clock, housekeeping_first_after=timedelta(seconds=0.2))
    scheduler.attach(Dispatcher(storage, FakeMessenger(), clock, rulebook, default_zone=NEW_YORK))
    ran: list[RetentionReport] = []

    async def housekeeping() -> None:
        ran.append(await Retention(storage, clock).run())

    scheduler.housekeeping = housekeeping
    await scheduler.start()
    try:
        for _ in range(50):
            if ran:
                break
            await asyncio.sleep(0.1)
        await scheduler.stop()
        assert ran == [RetentionReport(conversations=0, workspaces=1, people=1)]
        async with storage.session() as uow:
            assert await uow.people.get(person.address) is None
    finally:
        await scheduler.stop()
        await engine.dispose()


async def test_housekeeping_that_fails_is_logged_and_tried_again_tomorrow(
    caplog: pytest.LogCaptureFixture,
) -> None:
    scheduler = NudgeScheduler(clock=FakeClock(START))

    async def broken() -> None:
        raise RuntimeError("Jane Doe's row")  # its text may hold contact data

    scheduler.housekeeping = broken
    await scheduler.keep_house()  # no exception
    assert "housekeeping failed (RuntimeError)" in caplog.text
    assert "Jane Doe" not in caplog.text


async def test_the_bot_keeps_house_by_its_settings(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        retention_days=90,
        uninstall_grace_days=7,
    )
    bot = await build_bot(settings, clock=FakeClock(START), messengers={"console": FakeMessenger()})
    try:
        assert bot.scheduler is not None
        housekeeping = bot.scheduler.housekeeping
        retention = getattr(housekeeping, "__self__", None)
        assert isinstance(retention, Retention)
        assert retention.keep_closed == timedelta(days=90)
        assert retention.uninstall_grace == timedelta(days=7)
    finally:
        await bot.close()


async def test_an_hourly_cron_job_plans_each_clubs_weekly_digest(tmp_path: Path) -> None:
    """The bot's scheduler plans weekly digests on the hour (and at start): each an outbox row
    the sweep posts, so a club whose chain broke (an outage) gets its next one all the same."""
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/bot.db")
    clock = FakeClock(START)
    messenger = FakeMessenger(clock)
    bot = await build_bot(settings, clock=clock, messengers={"slack": messenger})
    try:
        async with bot.storage.session() as uow:
            club = await uow.clubs.add(
                Club("slack", "T1", "C1", "Career Club", "America/New_York", "U1", START)
            )
            club.digest_day, club.digest_at = 0, time(9)
            await uow.clubs.update(club)
        assert bot.scheduler is not None
        await bot.scheduler.start()
        job = bot.scheduler._scheduler.get_job("digests")
        assert isinstance(job.trigger, CronTrigger)
        assert str(job.trigger) == "cron[minute='0']"
        for _ in range(50):
            if await bot.dispatcher.next_due_at() is not None:
                break
            await asyncio.sleep(0.1)
        # Monday 9 March, 9:00 in New York: planned once, whoever runs the job.
        assert await bot.dispatcher.next_due_at() == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
        await bot.scheduler.plan_digests()
        async with bot.storage.session() as uow:
            assert len(await uow.digests.claim_due(
                Claim(datetime(2026, 3, 10, tzinfo=UTC), "t", datetime(2026, 3, 11, tzinfo=UTC), 9)
            )) == 1  # fmt: skip
    finally:
        await bot.close()
