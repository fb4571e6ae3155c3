"""Alembic owns the schema: migrations build exactly the models, and go down and up again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.migrate import MIGRATION_LOCK_ID, downgrade_to, upgrade_to_head
from bot.storage.schema import (
    LIBRARY_TABLES,
    bot_state,
    conversations,
    metadata,
    people,
    workspaces,
)

TABLES = {
    "people",
    "conversations",
    "follow_ups",
    "nudges",
    "bot_state",
    "pace_turns",
    "workspaces",
    "calendar_feeds",
    "link_codes",
} | LIBRARY_TABLES
T0 = datetime(2026, 3, 6, 20, 0, tzinfo=UTC)


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


# bot_state as migration 0004 left it: the values 0005 moves into workspaces and people.
VALUES_0004 = {
    "discord:guild_tz:111": "Europe/Berlin",
    "discord:guild_tz:222": "",  # cleared with /server-tz zone:off
    "undeliverable-workspace:slack:T9": "app uninstalled",
    "undeliverable-workspace:discord:111": "bot removed",
    "undeliverable-workspace:slack:T8": "",  # installed again
    "discord:tz_hint:111:42": "1",
    "discord:tz_hint:dm:43": "1",
    "discord:commands": "abc",  # not a workspace's: stays
}


async def _values(engine: AsyncEngine) -> dict[str, str]:
    async with engine.connect() as db:
        rows = await db.execute(select(bot_state.c.key, bot_state.c.value))
        return dict(rows.tuples().all())


async def test_0005_moves_workspace_values_out_of_bot_state_and_back(engine: AsyncEngine) -> None:
    await upgrade_to_head(engine)
    await downgrade_to(engine, "0004")
    async with engine.begin() as db:
        await db.execute(
            bot_state.insert(),
            [{"key": k, "value": v, "updated_at": T0} for k, v in VALUES_0004.items()],
        )
        person = {"nudges_on": True, "job_status": "searching", "linkedin_plan": "free"}
        await db.execute(
            people.insert(),
            [
                {**person, "platform": p, "workspace": w, "user_id": u}
                | {"next_number": 1, "created_at": T0}
                for p, w, u in [
                    ("discord", "111", "42"),
                    ("discord", "dm", "43"),
                    ("discord", "111", "44"),
                ]
            ],
        )
    await upgrade_to_head(engine)
    async with engine.connect() as db:
        moved = set(
            (
                await db.execute(
                    select(
                        workspaces.c.platform,
                        workspaces.c.id,
                        workspaces.c.default_timezone,
                        workspaces.c.undeliverable,
                    )
                )
            )
            .tuples()
            .all()
        )
        hinted = dict(
            (await db.execute(select(people.c.user_id, people.c.zone_hint_shown))).tuples().all()
        )
        # 0007: a workspace marked before it counts its uninstall grace from the upgrade.
        since = (await db.execute(select(workspaces.c.undeliverable_since))).scalars().all()
    assert moved == {
        ("discord", "111", "Europe/Berlin", "bot removed"),
        ("slack", "T9", None, "app uninstalled"),
    }
    assert hinted == {"42": True, "43": True, "44": False}
    assert len(since) == 2
    assert all(moment is not None and moment.tzinfo is not None for moment in since)
    assert await _values(engine) == {"discord:commands": "abc"}
    await downgrade_to(engine, "0004")
    assert await _values(engine) == {
        k: v for k, v in VALUES_0004.items() if v
    }  # the empty ones meant nothing


async def test_0009_goes_down_without_losing_a_students_conversations(engine: AsyncEngine) -> None:
    await upgrade_to_head(engine)
    person = {"nudges_on": True, "job_status": "searching", "linkedin_plan": "free"}
    async with engine.begin() as db:
        await db.execute(
            people.insert(),
            {**person, "platform": "slack", "workspace": "T1", "user_id": "U1"}
            | {"next_number": 2, "created_at": T0, "id": 7},
        )
        await db.execute(
            conversations.insert(),
            {
                "person_id": 7,
                "contact_name": "Jane Doe",
                "company": "Acme",
                "company_key": "acme",
                "kind": "interview",
                "met_at": T0,
                "topics": "",
                "created_at": T0,
            },
        )
    await downgrade_to(engine, "0008")
    async with engine.connect() as db:
        assert (await db.execute(select(conversations.c.contact_name))).scalars().all() == [
            "Jane Doe"
        ]
    await upgrade_to_head(engine)
