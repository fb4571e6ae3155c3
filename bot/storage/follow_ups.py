"""The FollowUps repository on SQL: a student's conversations and the follow-ups they owe.

Every read is scoped by the person who asks (see `bot.ports.FollowUps`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from bot.domain import Conversation, FollowUp, FollowUpStatus
from bot.storage.engine import Repository
from bot.storage.mapping import (
    conversation_from,
    conversation_values,
    follow_up_from,
    follow_up_values,
)
from bot.storage.schema import conversations, fair_visits, follow_ups, nudges, people

__all__ = ["SqlFollowUps"]


class SqlFollowUps(Repository):
    # -- conversations -------------------------------------------------------------------

    async def add_conversation(self, conversation: Conversation) -> Conversation:
        added = await self.db.execute(
            insert(conversations)
            .values(conversation_values(conversation))
            .returning(conversations.c.id)
        )
        conversation.id = added.scalar_one()
        return conversation

    async def update_conversation(self, conversation: Conversation) -> None:
        values = conversation_values(conversation)
        del values["person_id"], values["created_at"]
        await self.db.execute(
            update(conversations).where(conversations.c.id == conversation.id).values(values)
        )

    async def latest_conversation(self, person_id: int) -> Conversation | None:
        rows = await self.db.execute(
            select(conversations)
            .where(conversations.c.person_id == person_id)
            .order_by(conversations.c.created_at.desc(), conversations.c.id.desc())
            .limit(1)
        )
        row = rows.tuples().first()
        return conversation_from(row) if row else None

    async def delete_conversation(self, conversation_id: int) -> None:
        await self._delete_conversations([conversation_id])

    async def delete_closed_before(self, cutoff: datetime) -> int:
        # Conversations with no open follow-up whose last one closed before the cutoff.
        still_open = select(follow_ups.c.id).where(
            follow_ups.c.conversation_id == conversations.c.id,
            follow_ups.c.status == FollowUpStatus.PENDING,
        )
        last_closed = (
            select(func.max(follow_ups.c.closed_at))
            .where(follow_ups.c.conversation_id == conversations.c.id)
            .scalar_subquery()
        )
        rows = await self.db.execute(
            select(conversations.c.id).where(
                ~still_open.exists(),
                conversations.c.created_at < cutoff,
                func.coalesce(last_closed, conversations.c.created_at) < cutoff,
            )
        )
        old = list(rows.scalars())
        await self._delete_conversations(old)
        return len(old)

    async def _delete_conversations(self, ids: list[int]) -> None:
        if not ids:
            return
        # Child rows first, by hand (see `SqlPeople.forget`).
        theirs = select(follow_ups.c.id).where(follow_ups.c.conversation_id.in_(ids))
        await self.db.execute(delete(nudges).where(nudges.c.follow_up_id.in_(theirs)))
        await self.db.execute(delete(follow_ups).where(follow_ups.c.conversation_id.in_(ids)))
        await self.db.execute(delete(fair_visits).where(fair_visits.c.conversation_id.in_(ids)))
        await self.db.execute(delete(conversations).where(conversations.c.id.in_(ids)))

    async def conversations_at(self, person_id: int, company_key: str) -> list[Conversation]:
        rows = await self.db.execute(
            select(conversations)
            .where(
                conversations.c.person_id == person_id, conversations.c.company_key == company_key
            )
            .order_by(conversations.c.met_at, conversations.c.id)
        )
        return [conversation_from(row) for row in rows.tuples()]

    async def recorded_names(self, person_id: int) -> set[str]:
        rows = await self.db.execute(
            select(conversations.c.contact_name, conversations.c.company, conversations.c.event)
            .where(conversations.c.person_id == person_id)
            .distinct()
        )
        # A panel's people, and the greetings the student chose, are names too.
        own = await self.db.execute(
            select(follow_ups.c.contact_name, follow_ups.c.greeting)
            .where(follow_ups.c.person_id == person_id)
            .distinct()
        )
        return {name for row in [*rows, *own] for name in row if name}

    async def allocate_numbers(self, person_id: int, count: int) -> list[int]:
        # One UPDATE ... RETURNING: two commands of one person never get the same numbers.
        after = (
            await self.db.execute(
                update(people)
                .where(people.c.id == person_id)
                .values(next_number=people.c.next_number + count)
                .returning(people.c.next_number)
            )
        ).scalar_one()
        return list(range(after - count, after))

    # -- follow-ups ----------------------------------------------------------------------

    async def add(self, added: Sequence[FollowUp]) -> list[FollowUp]:
        if not added:
            return []
        ids = await self.db.execute(
            insert(follow_ups).returning(follow_ups.c.id, sort_by_parameter_order=True),
            [
                {
                    "person_id": f.person_id,
                    "conversation_id": f.conversation_id,
                    "number": f.number,
                    **follow_up_values(f),
                }
                for f in added
            ],
        )
        for follow_up, follow_up_id in zip(added, ids.scalars(), strict=True):
            follow_up.id = follow_up_id
        return list(added)

    async def update(self, follow_up: FollowUp) -> None:
        await self.db.execute(
            update(follow_ups)
            .where(follow_ups.c.id == follow_up.id)
            .values(follow_up_values(follow_up))
        )

    async def by_number(self, person_id: int, number: int) -> tuple[FollowUp, Conversation] | None:
        return await self._one(follow_ups.c.person_id == person_id, follow_ups.c.number == number)

    async def by_id(
        self, person_id: int, follow_up_id: int
    ) -> tuple[FollowUp, Conversation] | None:
        return await self._one(follow_ups.c.person_id == person_id, follow_ups.c.id == follow_up_id)

    async def of_conversation(self, conversation_id: int) -> list[FollowUp]:
        rows = await self.db.execute(
            select(follow_ups)
            .where(follow_ups.c.conversation_id == conversation_id)
            .order_by(follow_ups.c.number)
        )
        return [follow_up_from(row) for row in rows.tuples()]

    async def open(self, person_id: int) -> list[tuple[FollowUp, Conversation]]:
        return await self._with_conversations(
            follow_ups.c.person_id == person_id, follow_ups.c.status == FollowUpStatus.PENDING
        )

    async def missed_since(
        self, person_id: int, since: datetime
    ) -> list[tuple[FollowUp, Conversation]]:
        return await self._with_conversations(
            follow_ups.c.person_id == person_id,
            follow_ups.c.status == FollowUpStatus.MISSED,
            follow_ups.c.closed_at >= since,
        )

    async def close_missed(
        self,
        follow_up_ids: Sequence[int],
        now: datetime,
        status: FollowUpStatus = FollowUpStatus.MISSED,
    ) -> None:
        if follow_up_ids:
            await self.db.execute(
                update(follow_ups)
                .where(
                    follow_ups.c.id.in_(list(follow_up_ids)),
                    follow_ups.c.status == FollowUpStatus.PENDING,
                )
                .values(status=status, closed_at=now)
            )

    async def everything_of(self, person_id: int) -> list[tuple[FollowUp, Conversation]]:
        rows = await self._with_conversations(follow_ups.c.person_id == person_id)
        rows.sort(key=lambda row: row[0].number)
        return rows

    async def _one(self, *where: Any) -> tuple[FollowUp, Conversation] | None:
        rows = await self._with_conversations(*where)
        return rows[0] if rows else None

    async def _with_conversations(self, *where: Any) -> list[tuple[FollowUp, Conversation]]:
        """Follow-ups and their conversations in one read (a join, mapped by position)."""
        joined = follow_ups.join(conversations, follow_ups.c.conversation_id == conversations.c.id)
        rows = await self.db.execute(
            select(*follow_ups.c, *conversations.c).select_from(joined).where(*where)
        )
        width = len(follow_ups.c)
        return [
            (follow_up_from(row[:width]), conversation_from(row[width:])) for row in rows.tuples()
        ]
