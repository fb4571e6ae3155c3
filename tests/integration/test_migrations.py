"""Alembic owns the schema: migrations build exactly the models, and go down and up again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage.migrate import MIGRATION_LOCK_ID, downgrade_to, upgrade_to_head
from bot.storage.schema import (
    LIBRARY_TABLES,
    bot_state,
    club_events,
    club_rules,
    clubs,
    conversations,
    event_going,
    event_prompts,
    fair_entries,
    fair_lists,
    fair_visits,
    follow_ups,
    metadata,
    nudges,
    people,
    scheduled_event_ends,
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
    "fair_lists",
    "fair_entries",
    "fair_visits",
    "clubs",
    "club_organizers",
    "club_events",
    "event_going",
    "event_prompts",
    "club_digests",
    "club_rules",
    "scheduled_event_ends",
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


async def test_0008_adds_each_follow_ups_person_and_takes_it_away(engine: AsyncEngine) -> None:
    await upgrade_to_head(engine)
    async with engine.begin() as db:
        person_id = (
            await db.execute(
                people.insert().returning(people.c.id),
                {
                    "platform": "slack", "workspace": "T1", "user_id": "U1",
                    "nudges_on": True, "job_status": "searching", "linkedin_plan": "free",
                    "next_number": 2, "created_at": T0,
                },
            )
        ).scalar_one()  # fmt: skip
        conversation_id = (
            await db.execute(
                conversations.insert().returning(conversations.c.id),
                {
                    "person_id": person_id, "contact_name": "Priya Raman and Tom O'Brien",
                    "company": "Acme", "company_key": "acme", "kind": "interview",
                    "met_at": T0, "topics": "", "created_at": T0,
                },
            )
        ).scalar_one()  # fmt: skip
        follow_up_id = (
            await db.execute(
                follow_ups.insert().returning(follow_ups.c.id),
                {
                    "person_id": person_id, "conversation_id": conversation_id, "number": 1,
                    "methods": "email", "ideal_by": T0, "due_by": T0, "optional": False,
                    "status": "pending", "contact_name": "Tom O'Brien", "greeting": "Dr. O",
                },
            )
        ).scalar_one()  # fmt: skip
        await db.execute(
            nudges.insert(),
            {
                "follow_up_id": follow_up_id, "kind": "heads-up", "due_at": T0,
                "status": "pending", "attempts": 0, "next_attempt_at": T0,
            },
        )  # fmt: skip
    await downgrade_to(engine, "0007")
    async with engine.connect() as db:
        columns = await db.run_sync(
            lambda c: {col["name"] for col in inspect(c).get_columns("follow_ups")}
        )
        assert {"contact_name", "greeting"}.isdisjoint(columns)
        # Nothing else went: the follow-up and its nudge are still there.
        assert (await db.execute(text("SELECT count(*) FROM nudges"))).scalar_one() == 1
    await upgrade_to_head(engine)
    async with engine.connect() as db:
        row = (await db.execute(select(follow_ups.c.contact_name, follow_ups.c.greeting))).one()
        assert tuple(row) == (None, None)  # the conversation's one person, as before panels
        assert await db.run_sync(_differences) == []


async def a_student_with_a_conversation(engine: AsyncEngine, **settings: Any) -> None:
    """At head: student 7 on Slack, with `settings`, and a conversation with Jane Doe."""
    await upgrade_to_head(engine)
    async with engine.begin() as db:
        await _a_student_with_a_conversation(db, kind="interview", **settings)


async def test_0010_goes_down_without_losing_a_students_conversations(engine: AsyncEngine) -> None:
    await a_student_with_a_conversation(engine)
    await downgrade_to(engine, "0009")
    async with engine.connect() as db:
        assert (await db.execute(select(conversations.c.contact_name))).scalars().all() == [
            "Jane Doe"
        ]
    await upgrade_to_head(engine)


async def test_0011_adds_fair_lists_and_takes_them_away_leaving_conversations(
    engine: AsyncEngine,
) -> None:
    await upgrade_to_head(engine)
    async with engine.begin() as db:
        await _a_student_with_a_conversation(db, kind="fair")
        await db.execute(
            fair_lists.insert(),
            {
                "id": 5,
                "person_id": 7,
                "name": "Spring Career Fair",
                "name_key": "spring career fair",
                "held_on": T0.date(),
                "created_at": T0,
                "evening_status": "pending",
                "evening_attempts": 0,
            },
        )
        await db.execute(
            fair_entries.insert(),
            {"id": 9, "fair_id": 5, "company": "Acme", "company_key": "acme"}
            | {"priority": 1, "position": 1},
        )
        await db.execute(fair_visits.insert(), {"conversation_id": 3, "fair_id": 5, "entry_id": 9})
    await downgrade_to(engine, "0010")
    async with engine.connect() as db:
        tables = await db.run_sync(_tables)
        assert not tables & {"fair_lists", "fair_entries", "fair_visits"}
        assert (await db.execute(select(conversations.c.contact_name))).scalars().all() == [
            "Jane Doe"
        ]
    await upgrade_to_head(engine)
    async with engine.connect() as db:
        assert (await db.run_sync(_differences)) == []


async def _a_student_with_a_conversation(
    db: AsyncConnection, *, kind: str, **settings: Any
) -> None:
    """Person 7 with `settings`, and conversation 3 of `kind` (Jane Doe at Acme)."""
    person = {"nudges_on": True, "job_status": "searching", "linkedin_plan": "free"}
    await db.execute(
        people.insert(),
        {**person, "platform": "slack", "workspace": "T1", "user_id": "U1"}
        | {"next_number": 2, "created_at": T0, "id": 7, **settings},
    )
    await db.execute(
        conversations.insert(),
        {
            "id": 3,
            "person_id": 7,
            "contact_name": "Jane Doe",
            "company": "Acme",
            "company_key": "acme",
            "kind": kind,
            "met_at": T0,
            "topics": "",
            "created_at": T0,
        },
    )


async def _a_member_of_a_club(db: AsyncConnection, kind: str) -> int:
    """A student (id 7) whose conversation of `kind` was logged in club channel C1; the
    club's id."""
    person = {"nudges_on": True, "job_status": "searching", "linkedin_plan": "free"}
    await db.execute(
        people.insert(),
        {**person, "platform": "slack", "workspace": "T1", "user_id": "U1"}
        | {"next_number": 1, "created_at": T0, "id": 7},
    )
    await db.execute(
        conversations.insert(),
        {
            "person_id": 7, "contact_name": "Priya Raman", "company": "Deloitte",
            "company_key": "deloitte", "kind": kind, "met_at": T0, "topics": "",
            "created_at": T0, "event": "Deloitte Night", "logged_in": "C1",
        },
    )  # fmt: skip
    club_id: int = (
        await db.execute(
            clubs.insert().returning(clubs.c.id),
            {
                "platform": "slack", "workspace": "T1", "channel": "C1",
                "name": "Career Club", "timezone": "UTC", "created_by": "U1",
                "created_at": T0,
            },
        )
    ).scalar_one()  # fmt: skip
    return club_id


async def test_0012_goes_down_and_up_leaving_members_conversations(engine: AsyncEngine) -> None:
    """Clubs come and go with 0012; a student's conversation logged in a club channel stays."""
    await upgrade_to_head(engine)
    async with engine.begin() as db:
        club_id = await _a_member_of_a_club(db, "networking")
        event_id = (
            await db.execute(
                club_events.insert().returning(club_events.c.id),
                {
                    "club_id": club_id, "title": "Deloitte Night", "kind": "networking",
                    "starts_at": T0, "ends_at": T0, "companies": "", "created_by": "U1",
                    "created_at": T0,
                },
            )
        ).scalar_one()  # fmt: skip
        await db.execute(event_going.insert(), {"event_id": event_id, "person_id": 7, "at": T0})
        await db.execute(
            event_prompts.insert(),
            {
                "event_id": event_id, "person_id": 7, "kind": "prompt", "due_at": T0,
                "status": "pending", "attempts": 0, "next_attempt_at": T0,
            },
        )  # fmt: skip
    await downgrade_to(engine, "0011")
    async with engine.connect() as db:
        assert {
            "clubs",
            "club_events",
            "event_going",
            "club_organizers",
            "event_prompts",
        }.isdisjoint(await db.run_sync(_tables))
        assert (await db.execute(select(conversations.c.logged_in))).scalars().all() == ["C1"]
    await upgrade_to_head(engine)
    async with engine.connect() as db:
        assert await db.run_sync(_differences) == []
        # The new club_events starts with no cancellation, whatever the database's default.
        assert (await db.execute(select(club_events))).first() is None


async def test_0013_adds_the_digest_time_and_takes_it_away_keeping_the_student(
    engine: AsyncEngine,
) -> None:
    await a_student_with_a_conversation(engine, digest_at=time(18, 0))
    async with engine.connect() as db:
        assert (await db.execute(select(people.c.digest_at))).scalar_one() == time(18, 0)
    await downgrade_to(engine, "0012")
    async with engine.connect() as db:
        columns = await db.run_sync(
            lambda c: {col["name"] for col in inspect(c).get_columns("people")}
        )
        assert "digest_at" not in columns
        assert (await db.execute(text("SELECT count(*) FROM conversations"))).scalar_one() == 1
    await upgrade_to_head(engine)
    async with engine.connect() as db:
        # Back up, the student is there, each nudge on time until they choose a digest again.
        assert (await db.execute(select(people.c.id, people.c.digest_at))).one() == (7, None)
        assert await db.run_sync(_differences) == []


async def test_0014_follows_scheduled_events_goes_down_and_up_keeping_clubs_and_events(
    engine: AsyncEngine,
) -> None:
    """0014 adds a club's following of Discord's Scheduled Events and an event's link to one;
    down and up again, clubs and their events stay, and a club follows nothing by default."""
    await upgrade_to_head(engine)
    async with engine.begin() as db:
        club_id = (
            await db.execute(
                clubs.insert().returning(clubs.c.id),
                {
                    "platform": "discord", "workspace": "G1", "channel": "C1",
                    "name": "Career Club", "timezone": "UTC", "created_by": "U1",
                    "created_at": T0, "follows_scheduled_events": True,
                },
            )
        ).scalar_one()  # fmt: skip
        event = {
            "club_id": club_id, "title": "Mixer", "kind": "networking", "starts_at": T0,
            "ends_at": T0, "companies": "", "created_by": "U1", "created_at": T0,
        }  # fmt: skip
        await db.execute(club_events.insert(), {**event, "scheduled_event": "1234"})
    async with engine.connect() as db:
        with pytest.raises(IntegrityError):
            await db.execute(club_events.insert(), {**event, "scheduled_event": "1234"})
        await db.rollback()
    await downgrade_to(engine, "0013")
    async with engine.connect() as db:
        columns = await db.run_sync(
            lambda c: {col["name"] for col in inspect(c).get_columns("clubs")}
        )
        assert "follows_scheduled_events" not in columns
        titles = await db.execute(text("SELECT title FROM club_events"))
        assert titles.scalars().all() == ["Mixer"]
    await upgrade_to_head(engine)
    async with engine.connect() as db:
        assert await db.run_sync(_differences) == []
        assert (await db.execute(select(clubs.c.follows_scheduled_events))).scalars().all() == [
            False
        ]
        assert (await db.execute(select(club_events.c.scheduled_event))).scalars().all() == [None]


async def test_0015_takes_clubs_own_rules_down_and_up_leaving_clubs_and_conversations(
    engine: AsyncEngine,
) -> None:
    """A club's own rulebook goes with 0015; the club and what its members logged stay."""
    await upgrade_to_head(engine)
    async with engine.begin() as db:
        club_id = await _a_member_of_a_club(db, "alumni-dinner")
        await db.execute(
            club_rules.insert(),
            {"club_id": club_id, "what": "rulebook", "toml": "version = 1", "set_by": "U1"}
            | {"set_at": T0},
        )
    await downgrade_to(engine, "0014")
    async with engine.connect() as db:
        assert "club_rules" not in await db.run_sync(_tables)
        assert (await db.execute(select(clubs.c.name))).scalars().all() == ["Career Club"]
        assert (await db.execute(select(conversations.c.kind))).scalars().all() == ["alumni-dinner"]
    await upgrade_to_head(engine)
    async with engine.connect() as db:
        assert await db.run_sync(_differences) == []
        assert (await db.execute(select(club_rules))).first() is None


async def test_0016_takes_scheduled_event_ends_down_and_up_leaving_the_club(
    engine: AsyncEngine,
) -> None:
    """The watched ends of a server's Scheduled Events go with 0016; the club stays."""
    await upgrade_to_head(engine)
    async with engine.begin() as db:
        club_id = await _a_member_of_a_club(db, "networking")
        await db.execute(
            scheduled_event_ends.insert(),
            {"club_id": club_id, "ref": "950000000000000001", "due_at": T0, "status": "pending"}
            | {"attempts": 0, "next_attempt_at": T0},
        )
    await downgrade_to(engine, "0015")
    async with engine.connect() as db:
        assert "scheduled_event_ends" not in await db.run_sync(_tables)
        assert (await db.execute(select(clubs.c.name))).scalars().all() == ["Career Club"]
    await upgrade_to_head(engine)
    async with engine.connect() as db:
        assert await db.run_sync(_differences) == []
        assert (await db.execute(select(scheduled_event_ends))).first() is None
