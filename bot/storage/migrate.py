"""Bring the database schema to Alembic's head: at start, and by `followup-bot migrate`."""

from __future__ import annotations

import asyncio
import logging
from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.engine import blocking_sqlite_engine

__all__ = ["alembic_config", "downgrade_to", "upgrade_to_head"]

log = logging.getLogger(__name__)

# Any fixed 64-bit number will do; replicas starting together all take this one lock, so only
# one of them migrates and the others wait, then find nothing to do.
MIGRATION_LOCK_ID = 0x466F6C6C6F7755  # "FollowU"


def alembic_config() -> Config:
    """Alembic's configuration, pointing at the `migrations` package wherever it is installed."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("migrations")))
    return config


async def upgrade_to_head(engine: AsyncEngine) -> None:
    """Upgrade to head; on PostgreSQL under an advisory lock, so replicas can start together."""
    await _migrate(engine, "upgrade", "head")


async def downgrade_to(engine: AsyncEngine, revision: str) -> None:
    await _migrate(engine, "downgrade", revision)


async def _migrate(engine: AsyncEngine, action: str, revision: str) -> None:
    blocking = blocking_sqlite_engine(engine)
    if blocking is not None:
        # A SQLite file migrates in a worker thread through the synchronous driver: the loop
        # goes on, and a file that can't be opened leaves no aiosqlite thread behind to trip
        # over the closed loop when the bot exits at once.
        await asyncio.to_thread(_run_blocking, blocking, action, revision)
        return
    async with engine.connect() as connection:
        await connection.run_sync(_run, action, revision)
        await connection.commit()


def _run_blocking(engine: Engine, action: str, revision: str) -> None:
    try:
        with engine.connect() as connection:
            _run(connection, action, revision)
            connection.commit()
    finally:
        engine.dispose()


def _run(connection: Connection, action: str, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    locked = connection.dialect.name == "postgresql"
    if locked:
        connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        connection.commit()
    try:
        if action == "upgrade":
            command.upgrade(config, revision)
        else:
            command.downgrade(config, revision)
    finally:
        if locked:
            connection.commit()
            connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID})
            connection.commit()
    log.info("database schema: %s to %s done", action, revision)
