"""Migration 0004 builds slack_sdk's OAuth tables exactly as slack_sdk's stores define them, so
the stores read and write our database (the core's own tables are checked in
tests/integration/test_migrations.py)."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Connection, MetaData, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.migrate import downgrade_to, upgrade_to_head
from bot.storage.schema import LIBRARY_TABLES


def slack_sdk_tables() -> MetaData:
    metadata = MetaData()
    SQLAlchemyInstallationStore.build_installations_table(metadata, "slack_installations")
    SQLAlchemyInstallationStore.build_bots_table(metadata, "slack_bots")
    SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, "slack_oauth_states")
    return metadata


def _only_library_tables(name: str | None, type_: str, parent_names: Any) -> bool:
    return type_ != "table" or name in LIBRARY_TABLES


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": _only_library_tables}
    )
    return list(compare_metadata(context, slack_sdk_tables()))


async def test_the_migration_builds_slack_sdks_tables(engine: AsyncEngine) -> None:
    assert set(slack_sdk_tables().tables) == LIBRARY_TABLES
    await upgrade_to_head(engine)
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_and_takes_them_away_on_downgrade(engine: AsyncEngine) -> None:
    await upgrade_to_head(engine)
    await downgrade_to(engine, "0002")
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert not tables & LIBRARY_TABLES
    assert "bot_state" in tables
