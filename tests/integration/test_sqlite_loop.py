"""SQLite transactions on the event loop: they wait for the write lock without blocking the loop,
run one at a time within a process, and give up after the busy timeout."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain import Address, Person
from bot.storage.migrate import upgrade_to_head
from bot.storage.sql import SqlStorage, create_engine

T0 = datetime(2026, 3, 6, 20, 0, tzinfo=UTC)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    made = create_engine(f"sqlite+aiosqlite:///{tmp_path}/loop.db", sqlite_busy_timeout_ms=400)
    await upgrade_to_head(made)
    yield made
    await made.dispose()


@contextlib.contextmanager
def write_lock_held(path: Path) -> Iterator[Callable[[], None]]:
    """Another process's write lock on `path`, until the block ends or `release` is called."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")

    def release() -> None:
        if holder.in_transaction:
            holder.execute("ROLLBACK")

    try:
        yield release
    finally:
        release()
        holder.close()


async def ticks_while(work: asyncio.Future[object]) -> int:
    """How often another task got to run on the loop while `work` was going on."""
    count = 0
    while not work.done():
        count += 1
        await asyncio.sleep(0.01)
    return count


async def test_a_session_waits_for_another_processes_write_lock_without_blocking_the_loop(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    storage = SqlStorage(engine)

    async def add() -> Person:
        async with storage.session() as uow:
            return await uow.people.add(Person(Address("slack", "T1", "alice"), T0))

    with write_lock_held(tmp_path / "loop.db") as release:
        adding = asyncio.ensure_future(add())
        await asyncio.sleep(0.2)
        assert not adding.done()  # still waiting for the lock...
        release()
        ticks = await ticks_while(adding)
    person = await adding
    assert person.id is not None
    assert ticks >= 1
    async with storage.session() as uow:
        assert await uow.people.get(Address("slack", "T1", "alice")) is not None


async def test_the_loop_keeps_running_while_a_session_waits(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    storage = SqlStorage(engine)

    async def read() -> None:
        async with storage.session() as uow:
            await uow.state.get("x")

    with write_lock_held(tmp_path / "loop.db"):
        waiting = asyncio.ensure_future(read())
        # 0.3 s of a 0.4 s busy timeout: a blocked loop would tick once or not at all.
        ticks = 0
        for _ in range(30):
            await asyncio.sleep(0.01)
            ticks += 1
        assert ticks == 30
        assert not waiting.done()
    await waiting


async def test_a_lock_held_past_the_busy_timeout_fails_the_session_and_changes_nothing(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    storage = SqlStorage(engine)
    with write_lock_held(tmp_path / "loop.db"), pytest.raises(OperationalError, match="locked"):
        async with storage.session() as uow:
            await uow.state.set("x", "1", T0)
    async with storage.session() as uow:
        assert await uow.state.get("x") is None


async def test_sessions_queued_behind_a_lock_each_give_up_within_the_busy_timeout(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """The timeout counts from when a session asked, queueing behind this process's other
    sessions included: five waiting sessions fail together, not one after another."""
    storage = SqlStorage(engine)

    async def read() -> float:
        start = asyncio.get_running_loop().time()
        with pytest.raises(OperationalError, match="locked"):
            async with storage.session() as uow:
                await uow.state.get("x")
        return asyncio.get_running_loop().time() - start

    with write_lock_held(tmp_path / "loop.db"):
        waited = await asyncio.gather(*(read() for _ in range(5)))
    assert max(waited) < 0.4 + 0.3  # the 0.4 s busy timeout, not five of them in a row


async def test_a_session_inside_a_session_is_refused_rather_than_waiting_forever(
    engine: AsyncEngine,
) -> None:
    storage = SqlStorage(engine)
    async with storage.session():
        with pytest.raises(RuntimeError, match="inside another"):
            async with storage.session():
                pass
    async with storage.session() as uow:  # and the outer one let go
        assert await uow.state.get("x") is None


async def test_the_wal_is_checkpointed_off_the_loop_and_stays_small(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    storage = SqlStorage(engine)
    loop_sqlite = storage._loop_sqlite
    assert loop_sqlite is not None
    async with storage.session() as uow:
        # SQLite's own checkpoints, which would sync the file on the loop, are off here.
        value = uow.db.connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        assert value == 0
    wal = tmp_path / "loop.db-wal"
    sizes = []
    for batch in range(40):
        async with storage.session() as uow:
            for n in range(200):
                await uow.state.set(f"k{batch}-{n}", "x" * 200, T0)
        if loop_sqlite.checkpointing is not None:
            await loop_sqlite.checkpointing
        sizes.append(wal.stat().st_size)
    # 8,000 rows of ~250 bytes with their index: about 4 MB of WAL if nothing copied it back.
    assert max(sizes) < 2_500_000, sizes
    async with storage.session() as uow:
        assert await uow.state.get("k39-199") == "x" * 200


async def test_an_in_memory_database_works_through_its_one_connection() -> None:
    made = create_engine("sqlite+aiosqlite://")
    try:
        await upgrade_to_head(made)
        storage = SqlStorage(made)
        async with storage.session() as uow:
            await uow.state.set("x", "1", T0)
        async with storage.session() as uow:
            assert await uow.state.get("x") == "1"
    finally:
        await made.dispose()


async def test_concurrent_sessions_in_one_process_take_turns(engine: AsyncEngine) -> None:
    storage = SqlStorage(engine)
    async with storage.session() as uow:
        person = await uow.people.add(Person(Address("slack", "T1", "alice"), T0))
    assert person.id is not None
    person_id = person.id

    async def allocate() -> list[int]:
        async with storage.session() as uow:
            numbers = await uow.follow_ups.allocate_numbers(person_id, 2)
            await asyncio.sleep(0)  # a pause inside a transaction holds the others back
            return numbers

    results = await asyncio.gather(*(allocate() for _ in range(40)))
    numbers = sorted(n for result in results for n in result)
    assert numbers == list(range(1, 81))


async def test_a_library_transaction_on_the_async_engine_and_a_session_both_finish(
    engine: AsyncEngine,
) -> None:
    """slack_sdk's stores use the async engine: its transaction may pause between statements
    while holding the lock, and a session must wait for it, not deadlock the loop."""
    storage = SqlStorage(engine)
    started = asyncio.Event()

    async def library() -> None:
        async with engine.begin() as connection:
            await connection.execute(
                text("INSERT INTO bot_state (key, value, updated_at) VALUES ('lib', 'v', :t)"),
                {"t": "2026-03-06 20:00:00.000000"},
            )
            started.set()
            await asyncio.sleep(0.1)

    async def session() -> str | None:
        await started.wait()
        async with storage.session() as uow:
            return await uow.state.get("lib")

    _, value = await asyncio.wait_for(asyncio.gather(library(), session()), timeout=5)
    assert value == "v"


async def test_disposing_the_engine_closes_the_sessions_connections(engine: AsyncEngine) -> None:
    storage = SqlStorage(engine)
    async with storage.session() as uow:
        await uow.state.set("x", "1", T0)
    loop_sqlite = storage._loop_sqlite
    assert loop_sqlite is not None
    assert loop_sqlite.engine.pool.checkedin() == 1
    await engine.dispose()
    assert loop_sqlite.engine.pool.checkedin() == 0
