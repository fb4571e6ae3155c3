"""The Storage port on SQLAlchemy 2: a unit of work per transaction, a repository per noun.

- `bot.storage.engine`: the engines (PostgreSQL through asyncpg; SQLite on the event loop).
- `bot.storage.mapping`: rows to the domain's dataclasses and back.
- `bot.storage.people`, `.follow_ups`, `.outbox`, `.workspaces`, `.state`,
  `.calendar_feeds`, `.accounts`, `.clubs`, `.prompts`, `.digests`: the
  repositories.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.ports import (
    Accounts,
    BotState,
    CalendarFeeds,
    Clubs,
    Digests,
    Fairs,
    FollowUps,
    Outbox,
    People,
    Prompts,
    ScheduledEventEnds,
    Workspaces,
)
from bot.storage.accounts import SqlAccounts
from bot.storage.calendar_feeds import SqlCalendarFeeds
from bot.storage.clubs import SqlClubs
from bot.storage.digests import SqlDigests
from bot.storage.engine import Db, LoopConnection, create_engine, loop_sqlite_of
from bot.storage.fairs import SqlFairs
from bot.storage.follow_ups import SqlFollowUps
from bot.storage.outbox import SqlOutbox
from bot.storage.people import SqlPeople
from bot.storage.prompts import SqlPrompts
from bot.storage.scheduled_event_ends import SqlScheduledEventEnds
from bot.storage.state import SqlBotState
from bot.storage.workspaces import SqlWorkspaces

# create_engine lives in bot.storage.engine; it is named here too because whoever makes a
# SqlStorage (bootstrap, the migrations, the tests, the benchmarks) makes its engine first.
__all__ = ["SqlStorage", "SqlUnitOfWork", "create_engine"]


class SqlStorage:
    """Storage in a SQL database: `session()` is one transaction (see `bot.ports.Storage`)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._loop_sqlite = loop_sqlite_of(engine)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[SqlUnitOfWork]:
        if self._loop_sqlite is not None:
            async with self._loop_sqlite.transaction() as connection:
                yield SqlUnitOfWork(LoopConnection(connection))
            return
        async with self.engine.begin() as connection:
            yield SqlUnitOfWork(connection)

    async def ping(self) -> None:
        if self._loop_sqlite is not None:
            # A read, outside the one-writer queue: it answers even while a command writes, and
            # never waits (the loop-side connections have no busy timeout).
            with self._loop_sqlite.engine.connect() as connection:
                connection.execute(_PING)
            return
        async with self.engine.connect() as connection:
            await connection.execute(_PING)


_PING = text("SELECT 1")


class SqlUnitOfWork:
    """One transaction's repositories, all on its one connection."""

    __slots__ = (
        "accounts",
        "calendar_feeds",
        "clubs",
        "db",
        "digests",
        "event_ends",
        "fairs",
        "follow_ups",
        "outbox",
        "people",
        "prompts",
        "state",
        "workspaces",
    )

    def __init__(self, db: Db) -> None:
        self.db = db
        # Typed as the ports: mypy checks each repository against its Protocol here.
        self.people: People = SqlPeople(db)
        self.follow_ups: FollowUps = SqlFollowUps(db)
        self.outbox: Outbox = SqlOutbox(db)
        self.workspaces: Workspaces = SqlWorkspaces(db)
        self.state: BotState = SqlBotState(db)
        self.calendar_feeds: CalendarFeeds = SqlCalendarFeeds(db)
        self.accounts: Accounts = SqlAccounts(db)
        self.fairs: Fairs = SqlFairs(db)
        self.clubs: Clubs = SqlClubs(db)
        self.prompts: Prompts = SqlPrompts(db)
        self.digests: Digests = SqlDigests(db)
        self.event_ends: ScheduledEventEnds = SqlScheduledEventEnds(db)
