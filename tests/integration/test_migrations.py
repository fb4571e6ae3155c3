"""Alembic owns the schema: migrations build exactly the models, and go down and up again."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.migrate import MIGRATION_LOCK_ID, downgrade_to, upgrade_to_head
from bot.storage.schema import LIBRARY_TABLES, metadata

TABLES = {
    "people",
    "conversations",
    "follow_ups",
    "nudges",
    "bot_state",
    "rate_windows",
} | LIBRARY_TABLES


def _ours_only(name: str | None, type_: str, parent_names: Any) -> bool:
    # The library's tables are checked against the library itself, in
    # tests/adapters/slack/test_oauth_tables.py.
    return not (type_ == "table" and name in LIBRARY_TABLES)


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": _ours_only}
    )
    return list(compare_metadata(context, metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


async def test_upgrade_from_empty_matches_the_models(engine: AsyncEngine) -> None:
    await upgrade_to_head(engine)
    async with engine.connect() as connection:
        assert await connection.run_sync(_tables) == TABLES
        assert await connection.run_sync(_differences) == []


async def test_downgrade_to_base_and_up_again(engine: AsyncEngine) -> None:
    await upgrade_to_head(engine)
    await downgrade_to(engine, "base")
    async with engine.connect() as connection:
        assert await connection.run_sync(_tables) == set()
    await upgrade_to_head(engine)
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_upgrading_twice_is_a_no_op(engine: AsyncEngine) -> None:
    await upgrade_to_head(engine)
    await upgrade_to_head(engine)
    async with engine.connect() as connection:
        assert await connection.run_sync(_tables) == TABLES


async def test_upgrade_waits_for_the_migration_lock_on_postgresql(engine: AsyncEngine) -> None:
    """Replicas starting together: whoever holds the advisory lock migrates, the others wait."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer and no advisory locks")
    async with engine.connect() as holder:
        await holder.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        upgrade = asyncio.create_task(upgrade_to_head(engine))
        await asyncio.sleep(0.5)
        assert not upgrade.done()
        await holder.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID})
        await asyncio.wait_for(upgrade, timeout=30)
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []
