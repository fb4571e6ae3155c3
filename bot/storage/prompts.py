"""The Prompts repository on SQL: the DMs after an event, as outbox rows of their own.

The claim is one statement, as the nudges' is: due pending rows in due order and rows whose
lease ran out, locked with SKIP LOCKED on PostgreSQL so that replicas never claim the same.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Update, delete, func, or_, select

from bot.domain import EventPrompt, NudgeStatus, PromptKind
from bot.ports import Claim, PromptContext
from bot.storage.clubs import club_from, event_from
from bot.storage.engine import Repository, dialect_insert
from bot.storage.mapping import person_from
from bot.storage.rows import (
    claim_statement,
    claim_values,
    delivery_fields,
    next_due_at,
    settle_rows,
)
from bot.storage.schema import (
    club_events,
    clubs,
    conversations,
    event_prompts,
    people,
)

__all__ = ["SqlPrompts"]

_KIND = {m.value: m for m in PromptKind}


def _prompt_from(row: Any) -> EventPrompt:
    return EventPrompt(
        event_id=row.event_id,
        person_id=row.person_id,
        kind=_KIND[row.kind],
        due_at=row.due_at,
        **delivery_fields(row),
    )


class SqlPrompts(Repository):
    async def plan(self, prompts: Sequence[EventPrompt]) -> None:
        for prompt in prompts:
            await self.db.execute(
                dialect_insert(self.db, event_prompts)
                .values(
                    event_id=prompt.event_id,
                    person_id=prompt.person_id,
                    kind=prompt.kind.value,
                    due_at=prompt.due_at,
                    status=prompt.status.value,
                    attempts=prompt.attempts,
                    next_attempt_at=prompt.next_attempt_at,
                )
                .on_conflict_do_nothing()
            )

    async def drop_pending(self, event_id: int, person_id: int | None = None) -> None:
        whose = [event_prompts.c.person_id == person_id] if person_id is not None else []
        await self.db.execute(
            delete(event_prompts).where(
                event_prompts.c.event_id == event_id,
                event_prompts.c.status == NudgeStatus.PENDING.value,
                event_prompts.c.attempts == 0,
                *whose,
            )
        )

    async def claim_due(self, claim: Claim) -> list[EventPrompt]:
        statement = _claim_statement(claim.platforms is not None)
        rows = await self.db.execute(statement, claim_values(claim))
        claimed = [_prompt_from(row) for row in rows]
        claimed.sort(key=lambda p: (p.next_attempt_at or p.due_at, p.due_at, p.id or 0))
        return claimed

    async def contexts(self, claimed: Sequence[EventPrompt]) -> dict[int, PromptContext]:
        if not claimed:
            return {}
        by_id = {p.id: p for p in claimed}
        rows = await self.db.execute(
            select(event_prompts.c.id, club_events, clubs, people)
            .select_from(
                event_prompts.join(club_events, event_prompts.c.event_id == club_events.c.id)
                .join(clubs, club_events.c.club_id == clubs.c.id)
                .join(people, event_prompts.c.person_id == people.c.id)
            )
            .where(event_prompts.c.id.in_([p.id for p in claimed]))
        )
        e_end = 1 + len(club_events.c)
        c_end = e_end + len(clubs.c)
        found: dict[int, PromptContext] = {}
        for row in rows.tuples():
            event = event_from(dict(zip(club_events.c.keys(), row[1:e_end], strict=True)))
            club = club_from(dict(zip(clubs.c.keys(), row[e_end:c_end], strict=True)))
            found[row[0]] = PromptContext(by_id[row[0]], event, club, person_from(row[c_end:]))
        return found

    async def settle(self, settled: Sequence[EventPrompt], owner: str) -> None:
        await settle_rows(self.db, event_prompts, settled, owner)

    async def next_due_at(self) -> datetime | None:
        return await next_due_at(self.db, event_prompts)

    async def logged_since(self, person_id: int, title: str, channel: str, since: datetime) -> bool:
        rows = await self.db.execute(
            select(conversations.c.id)
            .where(
                conversations.c.person_id == person_id,
                or_(
                    func.lower(conversations.c.event) == title.lower(),
                    (conversations.c.logged_in == channel) & (conversations.c.created_at >= since),
                ),
            )
            .limit(1)
        )
        return rows.first() is not None


@functools.cache
def _claim_statement(by_platform: bool) -> Update:
    """Claim the next due rows (see `claim_statement`), of the processes' platforms only when
    `by_platform`: a prompt is its member's."""
    return claim_statement(
        event_prompts, (people, event_prompts.c.person_id) if by_platform else None
    )
