"""The storage's part of the metrics and the readiness check, on every backend (the outbox's
depth by state, and a ping), and the scheduler's timer that counts the outbox."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from pathlib import Path

from bench.outbox import seed_outbox
from bot.bootstrap import STORAGE_OUTAGES
from bot.clock import SystemClock
from bot.dispatch import Dispatcher
from bot.domain import NudgeKind, NudgeStatus
from bot.metrics import MeasuredStorage
from bot.ports import Claim, OutboxDepth, Storage
from bot.prometheus import PrometheusMetrics
from bot.scheduler import NudgeScheduler
from bot.storage.migrate import upgrade_to_head
from bot.storage.sql import SqlStorage, create_engine
from bot.testing import FakeClock, FakeMessenger
from rules.engine import Rulebook
from tests.conftest import NEW_YORK
from tests.integration.test_storage_contract import T0, follow_up_with_nudges


async def test_the_outbox_is_counted_by_state(storage: Storage) -> None:
    async with storage.session() as uow:
        assert await uow.outbox.depth(T0) == OutboxDepth(due=0, scheduled=0, sending=0)
        await follow_up_with_nudges(
            uow,
            (NudgeKind.HEADS_UP, timedelta(hours=-2)),
            (NudgeKind.LAST_CALL, timedelta(hours=-1)),
            (NudgeKind.WINDOW_CLOSED, timedelta(hours=1)),
            planned_at=T0 - timedelta(hours=3),
        )
        assert await uow.outbox.depth(T0) == OutboxDepth(due=2, scheduled=1, sending=0)
        (claimed,) = await uow.outbox.claim_due(Claim(T0, "a", T0 + timedelta(minutes=2), 1))
        assert await uow.outbox.depth(T0) == OutboxDepth(due=1, scheduled=1, sending=1)
        # Settled rows are history: not counted.
        claimed.status, claimed.lease_owner, claimed.lease_expires_at = NudgeStatus.SENT, None, None
        await uow.outbox.settle([claimed], "a")
        assert await uow.outbox.depth(T0) == OutboxDepth(due=1, scheduled=1, sending=0)
        assert await uow.outbox.depth(T0 + timedelta(hours=2)) == OutboxDepth(2, 0, 0)


async def test_the_storage_answers_a_ping(storage: Storage) -> None:
    await storage.ping()
    async with storage.session() as uow:  # and still works after it
        assert await uow.outbox.next_due_at() is None


async def test_the_scheduler_counts_the_outbox_on_its_timer_and_through_an_outage(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    path = tmp_path / "measured.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}", sqlite_busy_timeout_ms=100)
    await upgrade_to_head(engine)
    # Due in an hour of real time: APScheduler keeps real time, so no sweep sends them meanwhile.
    clock = FakeClock(SystemClock().now())
    await seed_outbox(engine, pending=3, due_at=clock.now() + timedelta(hours=1))
    metrics = PrometheusMetrics(["bench"])
    storage = MeasuredStorage(SqlStorage(engine), metrics, (*STORAGE_OUTAGES, OSError))
    scheduler = NudgeScheduler(clock=clock, outage_errors=STORAGE_OUTAGES)
    scheduler.attach(
        Dispatcher(
            storage, FakeMessenger(), clock, rulebook, default_zone=NEW_YORK, metrics=metrics
        )
    )
    await scheduler.start()  # counts at once, then every 15 s
    try:
        for _ in range(50):
            if metrics.outbox.labels("scheduled")._value.get() == 3:
                break
            await asyncio.sleep(0.05)
        assert metrics.outbox.labels("scheduled")._value.get() == 3
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # another process holds the database
        try:
            await scheduler.measure()  # never raises
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert metrics.database_errors._value.get() == 1
        assert metrics.outbox.labels("scheduled")._value.get() == 3  # the last count stands
        clock.advance(timedelta(hours=2))
        await scheduler.measure()
        assert metrics.outbox.labels("due")._value.get() == 3
    finally:
        await scheduler.stop()
        await engine.dispose()
