"""The People repository on SQL: students by their platform address."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, insert, select, update

from bot.domain import Address, Person, clip_reason
from bot.storage.engine import Repository
from bot.storage.mapping import person_from, person_values
from bot.storage.schema import conversations, follow_ups, nudges, people

__all__ = ["SqlPeople"]


class SqlPeople(Repository):
    async def get(self, address: Address) -> Person | None:
        rows = await self.db.execute(
            select(people).where(
                people.c.platform == address.platform,
                people.c.workspace == address.workspace,
                people.c.user_id == address.user,
            )
        )
        row = rows.tuples().first()
        return person_from(row) if row else None

    async def add(self, person: Person) -> Person:
        values = {**person_values(person), "next_number": 1, "created_at": person.created_at}
        added = await self.db.execute(insert(people).values(values).returning(people.c.id))
        person.id = added.scalar_one()
        return person

    async def update(self, person: Person) -> None:
        await self.db.execute(
            update(people).where(people.c.id == person.id).values(person_values(person))
        )

    async def mark_undeliverable(self, person_ids: Sequence[int], reason: str) -> None:
        if person_ids:
            await self.db.execute(
                update(people)
                .where(people.c.id.in_(list(person_ids)))
                .values(undeliverable=clip_reason(reason))
            )

    async def forget(self, person_ids: Sequence[int]) -> None:
        if not person_ids:
            return
        ids = list(person_ids)
        # Child rows first, by hand: the foreign keys cascade too, but no row about a person
        # may depend on a database's settings to go.
        theirs = select(follow_ups.c.id).where(follow_ups.c.person_id.in_(ids))
        await self.db.execute(delete(nudges).where(nudges.c.follow_up_id.in_(theirs)))
        await self.db.execute(delete(follow_ups).where(follow_ups.c.person_id.in_(ids)))
        await self.db.execute(delete(conversations).where(conversations.c.person_id.in_(ids)))
        await self.db.execute(delete(people).where(people.c.id.in_(ids)))

    async def in_workspace(self, platform: str, workspace_id: str) -> list[int]:
        rows = await self.db.execute(
            select(people.c.id).where(
                people.c.platform == platform, people.c.workspace == workspace_id
            )
        )
        return list(rows.scalars())
