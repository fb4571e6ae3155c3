"""The CalendarFeeds repository on SQL: students' calendar subscriptions, by the sha256 of the
secret in their URL."""

from __future__ import annotations

import hmac
from datetime import datetime

from sqlalchemy import select

from bot.domain import Person
from bot.storage.engine import Repository, replace_persons_row
from bot.storage.mapping import person_from
from bot.storage.schema import calendar_feeds, people

__all__ = ["SqlCalendarFeeds"]


class SqlCalendarFeeds(Repository):
    async def replace(self, person_id: int, token_hash: str, now: datetime) -> None:
        values = {"token_hash": token_hash, "person_id": person_id, "created_at": now}
        await replace_persons_row(self.db, calendar_feeds, values)

    async def exists(self, person_id: int) -> bool:
        found = await self.db.execute(
            select(calendar_feeds.c.person_id).where(calendar_feeds.c.person_id == person_id)
        )
        return found.first() is not None

    async def owner(self, token_hash: str) -> Person | None:
        rows = await self.db.execute(
            select(calendar_feeds.c.token_hash, people)
            .join(people, people.c.id == calendar_feeds.c.person_id)
            .where(calendar_feeds.c.token_hash == token_hash)
        )
        row = rows.tuples().first()
        # The hash found it by key; compared again in constant time all the same, so that no
        # collation or padding rule of a database can let a near miss through.
        if row is None or not hmac.compare_digest(row[0], token_hash):
            return None
        return person_from(row[1:])
