"""Several dispatchers on one PostgreSQL database, in their own processes: every nudge once,
crashes lose nothing. (SQLite is one process's database; these run on PostgreSQL only.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.outbox import duplicates_and_lost, engine_for, nudge_ids, run_replicas, seed_outbox
from bot.clock import VirtualClock
from bot.dispatch import LEASE, Dispatcher
from bot.scheduler import SWEEP_EVERY
from bot.storage.migrate import upgrade_to_head
from bot.storage.schema import nudges
from bot.storage.sql import SqlStorage
from bot.testing import FakeMessenger
from rules.engine import Rulebook
from tests.conftest import NEW_YORK, PG_URL, postgres_schema

pytestmark = pytest.mark.postgres
DUE = datetime(2026, 3, 8, 21, 0, tzinfo=UTC)  # 4 pm in New York, 48 h after the fair


@pytest.fixture
async def schema() -> AsyncIterator[str]:
    """A migrated schema of its own, which the replicas' processes reach by name."""
    async with postgres_schema("r") as name:
        engine = engine_for(PG_URL, name)
        await upgrade_to_head(engine)
        await engine.dispose()
        yield name


def survivor(engine: AsyncEngine, rulebook: Rulebook) -> tuple[Dispatcher, FakeMessenger]:
    """Another replica, one sweep after the dead one's lease ran out, and what it sends."""
    messenger = FakeMessenger()
    clock = VirtualClock(DUE + LEASE + SWEEP_EVERY)
    storage = SqlStorage(engine)
    dispatcher = Dispatcher(
        storage, messenger, clock, rulebook, default_zone=NEW_YORK, owner="survivor"
    )
    return dispatcher, messenger


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
    assert duplicates_and_lost(delivered, expected) == (0, 0)  # none in two DMs, none lost
    assert await statuses(engine) == {"sent": 2000}
    await engine.dispose()


async def test_a_moment_split_between_replicas_is_never_sent_twice(schema: str) -> None:
    # Twenty students with ten nudges each, due over ten minutes, swept a minute in: each
    # student's first is due, the rest fall due within the window and come with it; every
    # replica's claim wants the same students' rows at once (SKIP LOCKED hands each row to one).
    engine = engine_for(PG_URL, schema)
    expected = await seed_outbox(
        engine, pending=200, due_at=DUE, spread=timedelta(minutes=10), students=20
    )
    results = run_replicas(PG_URL, 3, schema=schema, now=DUE + timedelta(minutes=1))
    assert [r["returncode"] for r in results] == [0, 0, 0], [r["stderr"][-500:] for r in results]
    delivered = [key for r in results for key in r["sent"]]
    assert duplicates_and_lost(delivered, expected) == (0, 0)
    assert len(delivered) < 200  # grouped: far fewer DMs than nudges
    await engine.dispose()


async def crash_a_replica(schema: str, crash: str) -> tuple[AsyncEngine, list[int], list[str]]:
    """150 due nudges, and a replica that dies on purpose (`crash`) while sending them: the
    engine, the nudges' ids and what the replica sent before it died."""
    engine = engine_for(PG_URL, schema)
    expected = await seed_outbox(engine, pending=150, due_at=DUE)
    (crashed,) = run_replicas(PG_URL, 1, schema=schema, now=DUE, crash=crash)
    assert crashed["returncode"] == 3
    return engine, expected, crashed["sent"]


async def test_a_replica_killed_after_claiming_loses_nothing(
    schema: str, rulebook: Rulebook
) -> None:
    engine, expected, sent = await crash_a_replica(schema, "after-claim")
    assert sent == []
    assert (await statuses(engine)).get("sending") == 100  # its batch, leased
    # Another replica, one sweep after the lease ran out, delivers everything.
    dispatcher, messenger = survivor(engine, rulebook)
    report = await dispatcher.dispatch_due()
    assert report.sent == 150
    assert duplicates_and_lost([dm.key for dm in messenger.sent], expected) == (0, 0)
    assert len(messenger.sent) == 100  # one DM a student
    await engine.dispose()


async def test_a_replica_killed_between_send_and_settling_repeats_at_most_once(
    schema: str, rulebook: Rulebook
) -> None:
    engine, expected, sent = await crash_a_replica(schema, "after-send")
    assert len(sent) >= 1
    dispatcher, messenger = survivor(engine, rulebook)
    await dispatcher.dispatch_due()
    delivered = sent + [dm.key for dm in messenger.sent]
    duplicates, lost = duplicates_and_lost(delivered, expected)
    assert lost == 0
    # Only what the dead replica sent can repeat (a DM of a student's nudges), once each.
    repeated = [n for key in sent for n in nudge_ids(key)]
    assert duplicates == len(repeated) >= 1
    keys = [n for key in delivered for n in nudge_ids(key)]
    assert max(keys.count(k) for k in set(keys)) == 2
    assert await statuses(engine) == {"sent": 150}
    await engine.dispose()
