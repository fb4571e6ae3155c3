"""A new student's first commands, arriving together on two replicas of one database: every one
is answered, and the student is stored once."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.commands import parse_command
from bot.domain import Address
from bot.replies import Reply
from bot.services import FollowUpService, Requester
from bot.storage.migrate import upgrade_to_head
from bot.storage.schema import people
from bot.storage.sql import SqlStorage, create_engine
from bot.testing import NEW_YORK, FakeClock
from rules.engine import Rulebook
from tests.conftest import PG_URL, START, postgres_schema

STUDENTS = 20


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def two_replicas(
    request: pytest.FixtureRequest, tmp_path: os.PathLike[str]
) -> AsyncIterator[tuple[AsyncEngine, AsyncEngine]]:
    """Two engines on one migrated database, as two replicas of the bot have."""
    if request.param == "sqlite":
        url, options = f"sqlite+aiosqlite:///{tmp_path}/replicas.db", {}
        first, second = create_engine(url), create_engine(url)
        await upgrade_to_head(first)
        yield first, second
        await first.dispose()
        await second.dispose()
        return
    async with postgres_schema("first") as schema:
        options = {"connect_args": {"server_settings": {"search_path": schema}}}
        first, second = create_engine(PG_URL, **options), create_engine(PG_URL, **options)
        await upgrade_to_head(first)
        yield first, second
        await first.dispose()
        await second.dispose()


async def test_new_students_first_commands_together_on_two_replicas(
    two_replicas: tuple[AsyncEngine, AsyncEngine], rulebook: Rulebook
) -> None:
    clock = FakeClock(START)
    replicas = [
        FollowUpService(SqlStorage(engine), clock, rulebook, default_zone=NEW_YORK)
        for engine in two_replicas
    ]

    async def send(replica: FollowUpService, user: str, text: str) -> Reply:
        requester = Requester(Address("slack", "T1", user), display_name=user.title())
        return await replica.handle(requester, parse_command(text))

    # Each student's /met reaches one replica and their /followups the other, at once.
    sent = []
    for n in range(STUDENTS):
        met_on, list_on = replicas[n % 2], replicas[1 - n % 2]
        sent.append(
            send(met_on, f"student{n}", "/met Jane Doe, Acme, interview, talked about Kafka")
        )
        sent.append(send(list_on, f"student{n}", "/followups"))
    replies = await asyncio.gather(*sent)

    for met, listing in zip(replies[::2], replies[1::2], strict=True):
        assert not met.is_error, met.plain_text()
        assert met.plain_text().startswith("Saved: Jane Doe at Acme, interview")
        assert not listing.is_error, listing.plain_text()
        # Listed before the /met was saved, or after: either way an answer, not an error.
        assert listing.plain_text().startswith(("Nothing pending", "Due soon (1)"))
    async with two_replicas[0].connect() as db:
        counted = await db.execute(
            select(people.c.user_id, func.count()).group_by(people.c.user_id)
        )
        rows = dict(counted.tuples().all())
    assert rows == {f"student{n}": 1 for n in range(STUDENTS)}
