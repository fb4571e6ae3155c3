"""The dispatcher's hot statements keep one shape however many nudges they name: SQLAlchemy
compiles (and PostgreSQL prepares) each shape once, where a list rendered into the SQL is
compiled again for every batch."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.outbox import seed_outbox
from bot.domain import NudgeStatus
from bot.ports import Claim
from bot.storage.engine import loop_sqlite_of
from bot.storage.migrate import upgrade_to_head
from bot.storage.schema import nudges
from bot.storage.sql import SqlStorage

T0 = datetime(2026, 3, 6, 20, 0, tzinfo=UTC)


@contextmanager
def statements_run(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL text of every statement the storage's transactions run meanwhile."""
    loop_sqlite = loop_sqlite_of(engine)
    target: Engine = loop_sqlite.engine if loop_sqlite is not None else engine.sync_engine
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(target, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(target, "before_cursor_execute", note)


async def test_settling_and_rereading_batches_of_any_size_run_one_statement_each(
    engine: AsyncEngine,
) -> None:
    await upgrade_to_head(engine)
    ids = await seed_outbox(engine, pending=60, due_at=T0, students=60)
    storage = SqlStorage(engine)
    lease = T0 + timedelta(minutes=2)
    claimed = []
    with statements_run(engine) as claims:
        # Each batch's companions (due within the window) are claimed with the follow-ups
        # claimed: two claims of different sizes, two statements in all.
        for limit in (25, 35):
            async with storage.session() as uow:
                claimed += await uow.outbox.claim_due(
                    Claim(T0, "me", lease, limit, together_until=T0 + timedelta(minutes=30))
                )
    assert sorted(n.id or 0 for n in claimed) == sorted(ids)
    assert len(set(claims)) == 2, set(claims)
    with statements_run(engine) as seen:
        start = 0
        # A settling holds one DM's nudges or a few groups of DMs: sizes come and go.
        for size in (1, 2, 16, 41):
            batch = claimed[start : start + size]
            start += size
            async with storage.session() as uow:
                contexts = await uow.outbox.contexts(batch)
                assert sorted(contexts) == sorted(n.id or 0 for n in batch)
                assert {c.person.id for c in contexts.values()} == {
                    c.follow_up.person_id for c in contexts.values()
                }
                await uow.outbox.mark_sent([n.id or 0 for n in batch], T0, "me")
    reads = {s for s in seen if s.lstrip().upper().startswith("SELECT")}
    writes = {s for s in seen if s.lstrip().upper().startswith("UPDATE")}
    assert len(reads) == 1, reads
    assert len(writes) == 1, writes
    async with engine.connect() as db:
        sent = await db.scalar(
            select(func.count()).where(
                nudges.c.status == NudgeStatus.SENT, nudges.c.sent_at.is_not(None)
            )
        )
    assert sent == 60
