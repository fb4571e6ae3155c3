"""The People repository on SQL: students by their platform address."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select, update

from bot.domain import Address, Person, clip_reason
from bot.storage.engine import Repository
from bot.storage.mapping import person_from, person_values
from bot.storage.schema import people

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
