"""Alembic environment: async engines, batch mode on SQLite, our naming convention.

Two ways in: `bot.storage.migrate` hands over an open connection (config.attributes), and the
`alembic` command line builds an engine from DATABASE_URL (for writing new revisions).
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

from bot.storage.schema import LIBRARY_TABLES, UTCDateTime, metadata
from bot.storage.sql import create_engine

config = context.config


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    """Write our UTCDateTime as the plain column type it is in the database, so migrations
    don't import the application's code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Autogenerate compares our tables only: a library's tables (LIBRARY_TABLES) are created
    by our migrations in the library's shape, which is not in our metadata."""
    return not (type_ == "table" and name in LIBRARY_TABLES)


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite can't ALTER most things; batch mode recreates the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_own_engine() -> None:
    engine = create_engine(os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///followup.db"))
    async with engine.connect() as connection:
        await connection.run_sync(_configure)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run against a database")

given = config.attributes.get("connection")
if given is not None:
    _configure(given)
else:
    asyncio.run(_run_with_own_engine())
