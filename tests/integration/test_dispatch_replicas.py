"""Several dispatchers on one PostgreSQL database, in their own processes: every nudge once,
crashes lose nothing. (SQLite is one process's database; these run on PostgreSQL only.)"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.outbox import duplicates_and_lost, engine_for, run_replicas, seed_outbox
from bot.clock import VirtualClock
from bot.dispatch import LEASE, Dispatcher
from bot.scheduler import SWEEP_EVERY
from bot.storage.migrate import upgrade_to_head
from bot.storage.schema import nudges
from bot.storage.sql import SqlStorage
from bot.testing import FakeMessenger
from rules.engine import Rulebook
from tests.conftest import NEW_YORK, PG_URL

pytestmark = pytest.mark.postgres
DUE = datetime(2026, 3, 8, 21, 0, tzinfo=UTC)  # 4 pm in New York, 48 h after the fair


@pytest.fixture
async def schema() -> AsyncIterator[str]:
    if not PG_URL:
        pytest.skip("PostgreSQL not configured (FOLLOWUP_TEST_DATABASE_URL)")
    name = f"r_{uuid.uuid4().hex[:12]}"
    admin = engine_for(PG_URL)
    async with admin.begin() as db:
        await db.execute(text(f'CREATE SCHEMA "{name}"'))
    engine = engine_for(PG_URL, name)
    await upgrade_to_head(engine)
    await engine.dispose()
    try:
        yield name
    finally:
        async with admin.begin() as db:
            await db.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        await admin.dispose()


async def statuses(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as db:
        rows = await db.execute(select(nudges.c.status, nudges.c.id))
        found: dict[str, int] = {}
        for status, _ in rows.tuples():
            found[status] = found.get(status, 0) + 1
        return found


async def test_three_replicas_deliver_each_nudge_once(schema: str) -> None:
    engine = engine_for(PG_URL, schema)
    expected = await seed_outbox(engine, pending=2000, due_at=DUE, students=400)
    results = run_replicas(PG_URL, 3, schema=schema, now=DUE.replace(second=59))
    assert [r["returncode"] for r in results] == [0, 0, 0], [r["stderr"][-500:] for r in results]
    delivered = [key for r in results for key in r["sent"]]
    assert duplicates_and_lost(delivered, expected) == (0, 0)
    assert await statuses(engine) == {"sent": 2000}
    await engine.dispose()


async def test_a_replica_killed_after_claiming_loses_nothing(
    schema: str, rulebook: Rulebook
) -> None:
    engine = engine_for(PG_URL, schema)
    expected = await seed_outbox(engine, pending=150, due_at=DUE)
    (crashed,) = run_replicas(PG_URL, 1, schema=schema, now=DUE, crash="after-claim")
    assert crashed["returncode"] == 3
    assert crashed["sent"] == []
    assert (await statuses(engine)).get("sending") == 100  # its batch, leased
    # Another replica, one sweep after the lease ran out, delivers everything.
    clock = VirtualClock(DUE + LEASE + SWEEP_EVERY)
    messenger = FakeMessenger()
    survivor = Dispatcher(
        SqlStorage(engine), messenger, clock, rulebook, default_zone=NEW_YORK, owner="survivor"
    )
    report = await survivor.dispatch_due()
    assert report.sent == 150
    assert duplicates_and_lost([dm.key for dm in messenger.sent], expected) == (0, 0)
    await engine.dispose()


async def test_a_replica_killed_between_send_and_settling_repeats_at_most_once(
    schema: str, rulebook: Rulebook
) -> None:
    engine = engine_for(PG_URL, schema)
    expected = await seed_outbox(engine, pending=150, due_at=DUE)
    (crashed,) = run_replicas(PG_URL, 1, schema=schema, now=DUE, crash="after-send")
    assert crashed["returncode"] == 3
    assert len(crashed["sent"]) >= 1
    clock = VirtualClock(DUE + LEASE + SWEEP_EVERY)
    messenger = FakeMessenger()
    survivor = Dispatcher(
        SqlStorage(engine), messenger, clock, rulebook, default_zone=NEW_YORK, owner="survivor"
    )
    await survivor.dispatch_due()
    delivered = crashed["sent"] + [dm.key for dm in messenger.sent]
    duplicates, lost = duplicates_and_lost(delivered, expected)
    assert lost == 0
    # Only what the dead replica sent can repeat, and only once each.
    assert duplicates == len(crashed["sent"])
    keys = [int(k.removeprefix("nudge-")) for k in delivered]
    assert max(keys.count(k) for k in set(keys)) == 2
    assert await statuses(engine) == {"sent": 150}
    await engine.dispose()
