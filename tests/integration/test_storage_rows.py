"""How rows are stored and read back: times as aware UTC on every backend, in a text form on
SQLite that sorts as time does; and the row mappers in step with the tables."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage import mapping
from bot.storage.migrate import upgrade_to_head
from bot.storage.schema import bot_state, conversations, follow_ups, nudges, people, workspaces
from bot.storage.sql import create_engine

MOMENTS = [
    datetime(2026, 3, 8, 6, 59, 59, 999999, tzinfo=UTC),
    datetime(2026, 3, 8, 3, 0, tzinfo=ZoneInfo("America/New_York")),  # just after the change
    datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=ZoneInfo("America/New_York")),  # the repeat
    datetime(2026, 3, 6, 20, 0, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    datetime(1999, 12, 31, 23, 59, tzinfo=UTC),
]


async def store_moments(engine: AsyncEngine) -> None:
    """MOMENTS as the times of values k0, k1, ..., in a migrated database."""
    await upgrade_to_head(engine)
    async with engine.begin() as db:
        for n, moment in enumerate(MOMENTS):
            await db.execute(bot_state.insert().values(key=f"k{n}", value="", updated_at=moment))


async def test_times_come_back_as_the_same_instant_in_utc(engine: AsyncEngine) -> None:
    await store_moments(engine)
    async with engine.connect() as db:
        rows = (
            await db.execute(select(bot_state.c.key, bot_state.c.updated_at).order_by("key"))
        ).all()
    for (_, back), moment in zip(rows, MOMENTS, strict=True):
        # (An ambiguous local time never equals another zone's time in Python: compare in UTC.)
        assert back == moment.astimezone(UTC)
        assert back.tzinfo is not None
        assert back.utcoffset() == timedelta(0)


async def test_sqlite_keeps_times_as_utc_text_that_sorts_as_time_does(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/times.db")
    await store_moments(engine)
    async with engine.connect() as db:
        stored = (
            await db.execute(text("SELECT updated_at FROM bot_state ORDER BY updated_at"))
        ).scalars()
        stored_texts = list(stored)
    await engine.dispose()
    assert stored_texts == sorted(
        m.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") for m in MOMENTS
    )


async def test_a_naive_time_is_refused(engine: AsyncEngine) -> None:
    await upgrade_to_head(engine)
    with pytest.raises(StatementError, match="only aware datetimes"):
        async with engine.begin() as db:
            await db.execute(
                bot_state.insert().values(key="k", value="", updated_at=datetime(2026, 3, 6))  # noqa: DTZ001
            )


@pytest.mark.parametrize(
    ("table", "mapper"),
    [
        (people, mapping.person_from),
        (conversations, mapping.conversation_from),
        (follow_ups, mapping.follow_up_from),
        (nudges, mapping.nudge_from),
        (workspaces, mapping.workspace_from),
    ],
)
def test_each_row_mapper_unpacks_its_tables_columns_in_order(table: object, mapper: object) -> None:
    """The mappers unpack rows by position: a column added to a table needs its mapper too."""
    source = inspect.getsource(mapper)  # type: ignore[arg-type]
    unpacked = source.split("(\n", 1)[1].split(") = row", 1)[0]
    names = [n.strip().rstrip(",").strip("_") for n in unpacked.splitlines() if n.strip()]
    assert names == [c.name for c in table.c]  # type: ignore[attr-defined]
