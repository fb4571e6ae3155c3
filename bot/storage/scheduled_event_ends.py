"""The ScheduledEventEnds repository on SQL: when followed Scheduled Events are over by their
schedule, as outbox rows claimed like prompts (one statement, SKIP LOCKED on PostgreSQL)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Update, update

from bot.domain import NudgeStatus, ScheduledEventEnd
from bot.ports import Claim
from bot.storage.engine import Repository, dialect_insert
from bot.storage.rows import (
    claim_statement,
    claim_values,
    delivery_fields,
    next_due_at,
    settle_rows,
)
from bot.storage.schema import clubs, scheduled_event_ends

__all__ = ["SqlScheduledEventEnds"]

_table = scheduled_event_ends


def _end_from(row: Any) -> ScheduledEventEnd:
    return ScheduledEventEnd(
        club_id=row.club_id, ref=row.ref, due_at=row.due_at, **delivery_fields(row)
    )


class SqlScheduledEventEnds(Repository):
    async def watch(self, end: ScheduledEventEnd) -> None:
        # Discord says an event changed as often as it likes, and replicas hear it together:
        # one row an event, moved while it waits, never revived once taken or cancelled.
        await self.db.execute(
            dialect_insert(self.db, _table)
            .values(
                club_id=end.club_id,
                ref=end.ref,
                due_at=end.due_at,
                status=end.status.value,
                attempts=end.attempts,
                next_attempt_at=end.next_attempt_at,
            )
            .on_conflict_do_nothing()
        )
        await self.db.execute(
            update(_table)
            .where(
                _table.c.club_id == end.club_id,
                _table.c.ref == end.ref,
                _table.c.status == NudgeStatus.PENDING.value,
            )
            .values(due_at=end.due_at, next_attempt_at=end.next_attempt_at)
        )

    async def close(self, club_id: int, ref: str, status: NudgeStatus, at: datetime) -> None:
        await self.db.execute(
            dialect_insert(self.db, _table)
            .values(
                club_id=club_id,
                ref=ref,
                due_at=at,
                status=status.value,
                attempts=0,
                next_attempt_at=at,
                sent_at=at if status is NudgeStatus.SENT else None,
            )
            .on_conflict_do_nothing()
        )
        await self.db.execute(
            update(_table)
            .where(
                _table.c.club_id == club_id,
                _table.c.ref == ref,
                _table.c.status == NudgeStatus.PENDING.value,
            )
            .values(status=status.value, sent_at=at if status is NudgeStatus.SENT else None)
        )

    async def claim_due(self, claim: Claim) -> list[ScheduledEventEnd]:
        statement = _claim_statement(claim.platforms is not None)
        rows = await self.db.execute(statement, claim_values(claim))
        claimed = [_end_from(row) for row in rows]
        claimed.sort(key=lambda e: (e.next_attempt_at or e.due_at, e.id or 0))
        return claimed

    async def settle(self, settled: Sequence[ScheduledEventEnd], owner: str) -> None:
        await settle_rows(self.db, _table, settled, owner)

    async def next_due_at(self) -> datetime | None:
        return await next_due_at(self.db, _table)


@functools.cache
def _claim_statement(by_platform: bool) -> Update:
    """Claim the next due rows, of the processes' platforms only when `by_platform`: a row is
    its club's."""
    return claim_statement(_table, (clubs, _table.c.club_id) if by_platform else None)
