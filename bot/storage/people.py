"""The People repository on SQL: students by their platform address."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select, update

from bot.domain import Address, Person, clip_reason
from bot.storage.engine import Repository, dialect_insert
from bot.storage.mapping import person_from, person_values
from bot.storage.schema import (
    calendar_feeds,
    conversations,
    event_going,
    event_prompts,
    fair_entries,
    fair_lists,
    fair_visits,
    follow_ups,
    link_codes,
    nudges,
    people,
)

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
        # A new student's first commands can arrive together on two replicas: both find no
        # one, both add. On PostgreSQL the second insert waits for the first to commit, adds
        # nothing, and reads the person the first one added (read committed sees them). SQLite
        # runs one writer at a time, so there the second command finds the person before it.
        insert = dialect_insert(self.db, people).values(values)
        added = await self.db.execute(
            insert.on_conflict_do_nothing(
                index_elements=[people.c.platform, people.c.workspace, people.c.user_id]
            ).returning(people.c.id)
        )
        person_id = added.scalar_one_or_none()
        if person_id is None:
            stored = await self.get(person.address)
            assert stored is not None, "the conflicting person is committed before we read it"
            return stored
        person.id = person_id
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
        lists = select(fair_lists.c.id).where(fair_lists.c.person_id.in_(ids))
        await self.db.execute(delete(fair_visits).where(fair_visits.c.fair_id.in_(lists)))
        await self.db.execute(delete(fair_entries).where(fair_entries.c.fair_id.in_(lists)))
        await self.db.execute(delete(fair_lists).where(fair_lists.c.person_id.in_(ids)))
        await self.db.execute(delete(conversations).where(conversations.c.person_id.in_(ids)))
        await self.db.execute(delete(calendar_feeds).where(calendar_feeds.c.person_id.in_(ids)))
        await self.db.execute(delete(link_codes).where(link_codes.c.person_id.in_(ids)))
        await self.db.execute(delete(event_going).where(event_going.c.person_id.in_(ids)))
        await self.db.execute(delete(event_prompts).where(event_prompts.c.person_id.in_(ids)))
        # An account joined to one that goes is a lone account again.
        await self.db.execute(
            update(people).where(people.c.linked_to.in_(ids)).values(linked_to=None)
        )
        await self.db.execute(delete(people).where(people.c.id.in_(ids)))

    async def in_workspace(self, platform: str, workspace_id: str) -> list[int]:
        rows = await self.db.execute(
            select(people.c.id).where(
                people.c.platform == platform, people.c.workspace == workspace_id
            )
        )
        return list(rows.scalars())
