"""The Accounts repository on SQL: a student's Slack and Discord accounts joined into one, and
the one-time codes that join them.

A joined account's row points at the primary one (`people.linked_to`); the student's
conversations, follow-ups, settings and calendar link live on the primary row only, so every
read of "the student's follow-ups" finds them by the primary's id.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import delete, or_, select, update

from bot.domain import Person
from bot.storage.engine import Repository, replace_persons_row
from bot.storage.mapping import person_from
from bot.storage.schema import (
    calendar_feeds,
    conversations,
    fair_lists,
    follow_ups,
    link_codes,
    people,
)

__all__ = ["SqlAccounts"]

# What is the student's, and moves with them when their primary account changes.
_THEIRS = (conversations, follow_ups, calendar_feeds, link_codes, fair_lists)


class SqlAccounts(Repository):
    async def by_id(self, person_id: int) -> Person | None:
        rows = await self.db.execute(select(people).where(people.c.id == person_id))
        row = rows.tuples().first()
        return person_from(row) if row else None

    async def linked_to(self, primary_id: int) -> list[Person]:
        rows = await self.db.execute(
            select(people).where(people.c.linked_to == primary_id).order_by(people.c.id)
        )
        return [person_from(row) for row in rows.tuples()]

    async def join(self, account_id: int, primary_id: int, numbers: Mapping[int, int]) -> None:
        for follow_up_id, number in numbers.items():
            await self.db.execute(
                update(follow_ups)
                .where(follow_ups.c.id == follow_up_id, follow_ups.c.person_id == account_id)
                .values(person_id=primary_id, number=number)
            )
        await self.db.execute(
            update(conversations)
            .where(conversations.c.person_id == account_id)
            .values(person_id=primary_id)
        )
        await self.db.execute(
            update(fair_lists)
            .where(fair_lists.c.person_id == account_id)
            .values(person_id=primary_id)
        )
        await self.db.execute(
            delete(calendar_feeds).where(calendar_feeds.c.person_id == account_id)
        )
        await self.db.execute(delete(link_codes).where(link_codes.c.person_id == account_id))
        await self.db.execute(
            update(people).where(people.c.id == account_id).values(linked_to=primary_id)
        )

    async def make_primary(self, old_id: int, new_id: int) -> None:
        for table in _THEIRS:
            await self.db.execute(
                update(table).where(table.c.person_id == old_id).values(person_id=new_id)
            )
        numbering = select(people.c.next_number).where(people.c.id == old_id).scalar_subquery()
        await self.db.execute(
            update(people).where(people.c.id == new_id).values(next_number=numbering)
        )
        await self.db.execute(
            update(people)
            .where(or_(people.c.linked_to == old_id, people.c.id == old_id))
            .values(linked_to=new_id)
        )
        await self.db.execute(update(people).where(people.c.id == new_id).values(linked_to=None))

    async def unlink(self, primary_id: int) -> None:
        await self.db.execute(
            update(people).where(people.c.linked_to == primary_id).values(linked_to=None)
        )

    async def add_code(self, person_id: int, code_hash: str, expires_at: datetime) -> None:
        values = {"code_hash": code_hash, "person_id": person_id, "expires_at": expires_at}
        await replace_persons_row(self.db, link_codes, values)

    async def take_code(self, code_hash: str) -> tuple[int, datetime] | None:
        rows = await self.db.execute(
            delete(link_codes)
            .where(link_codes.c.code_hash == code_hash)
            .returning(link_codes.c.code_hash, link_codes.c.person_id, link_codes.c.expires_at)
        )
        row = rows.tuples().first()
        # Found by its hash; compared again in constant time all the same.
        if row is None or not hmac.compare_digest(row[0], code_hash):
            return None
        return row[1], row[2]
