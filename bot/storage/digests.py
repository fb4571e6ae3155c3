"""The Digests repository on SQL: a club's digests as outbox rows, and what they count."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Update,
    and_,
    delete,
    func,
    or_,
    select,
)

from bot.domain import EVENT_MARGIN, Club, ClubDigest, ClubEvent, DigestKind, NudgeStatus
from bot.ports import Activity, Claim, DigestContext
from bot.storage.clubs import club_from, event_from
from bot.storage.engine import Repository, dialect_insert
from bot.storage.rows import (
    claim_statement,
    claim_values,
    delivery_fields,
    next_due_at,
    settle_rows,
)
from bot.storage.schema import (
    club_digests,
    club_events,
    clubs,
    conversations,
    follow_ups,
    people,
)

__all__ = ["SqlDigests"]

_KIND = {m.value: m for m in DigestKind}


def _digest_from(row: Any) -> ClubDigest:
    return ClubDigest(
        club_id=row.club_id,
        kind=_KIND[row.kind],
        period_start=row.period_start,
        period_end=row.period_end,
        due_at=row.due_at,
        event_id=row.event_id,
        **delivery_fields(row),
    )


class SqlDigests(Repository):
    async def plan(self, digests: Sequence[ClubDigest]) -> None:
        for digest in digests:
            await self.db.execute(
                dialect_insert(self.db, club_digests)
                .values(
                    club_id=digest.club_id,
                    key=digest.key,
                    kind=digest.kind.value,
                    event_id=digest.event_id,
                    period_start=digest.period_start,
                    period_end=digest.period_end,
                    due_at=digest.due_at,
                    status=digest.status.value,
                    attempts=digest.attempts,
                    next_attempt_at=digest.next_attempt_at,
                )
                .on_conflict_do_nothing()
            )

    async def drop_pending(self, club_id: int, kind: str, event_id: int | None = None) -> None:
        which = [club_digests.c.event_id == event_id] if event_id is not None else []
        await self.db.execute(
            delete(club_digests).where(
                club_digests.c.club_id == club_id,
                club_digests.c.kind == kind,
                club_digests.c.status == NudgeStatus.PENDING.value,
                club_digests.c.attempts == 0,
                *which,
            )
        )

    async def claim_due(self, claim: Claim) -> list[ClubDigest]:
        statement = _claim_statement(claim.platforms is not None)
        rows = await self.db.execute(statement, claim_values(claim))
        claimed = [_digest_from(row) for row in rows]
        claimed.sort(key=lambda d: (d.next_attempt_at or d.due_at, d.id or 0))
        return claimed

    async def contexts(self, claimed: Sequence[ClubDigest]) -> dict[int, DigestContext]:
        if not claimed:
            return {}
        by_id = {d.id: d for d in claimed}
        rows = await self.db.execute(
            select(club_digests.c.id, clubs)
            .join(clubs, club_digests.c.club_id == clubs.c.id)
            .where(club_digests.c.id.in_(list(by_id)))
        )
        found: dict[int, DigestContext] = {}
        for row in rows.tuples():
            club = club_from(dict(zip(clubs.c.keys(), row[1:], strict=True)))
            digest = by_id[row[0]]
            event = None
            if digest.event_id is not None:
                events = await self.db.execute(
                    select(club_events).where(club_events.c.id == digest.event_id)
                )
                event_row = events.first()
                event = event_from(event_row) if event_row else None
            found[row[0]] = DigestContext(digest, club, event)
        return found

    async def settle(self, settled: Sequence[ClubDigest], owner: str) -> None:
        await settle_rows(self.db, club_digests, settled, owner)

    async def next_due_at(self) -> datetime | None:
        return await next_due_at(self.db, club_digests)

    async def activity(
        self, club: Club, event: ClubEvent | None, start: datetime, end: datetime
    ) -> list[Activity]:
        channel = conversations.c.logged_in == club.channel
        linked: ColumnElement[bool]
        if event is not None:
            linked = or_(
                func.lower(conversations.c.event) == event.title.lower(),
                and_(
                    channel,
                    conversations.c.met_at >= event.starts_at - EVENT_MARGIN,
                    conversations.c.met_at <= event.ends_at + EVENT_MARGIN,
                ),
            )
        else:
            titles = select(func.lower(club_events.c.title)).where(club_events.c.club_id == club.id)
            linked = and_(
                or_(channel, func.lower(conversations.c.event).in_(titles)),
                conversations.c.created_at >= start,
                conversations.c.created_at < end,
            )
        rows = await self.db.execute(
            select(
                conversations.c.person_id,
                conversations.c.id,
                follow_ups.c.status,
                follow_ups.c.closed_at,
                follow_ups.c.ideal_by,
                conversations.c.kind,
                people.c.shoutouts,
                people.c.name,
                people.c.display_name,
            )
            .select_from(
                conversations.join(people, people.c.id == conversations.c.person_id).outerjoin(
                    follow_ups, follow_ups.c.conversation_id == conversations.c.id
                )
            )
            .where(
                linked,
                people.c.platform == club.platform,
                people.c.workspace == club.workspace,
            )
        )
        return [
            Activity(
                person_id=person_id,
                conversation_id=conversation_id,
                status=status,
                closed_at=closed_at,
                ideal_by=ideal_by,
                kind=kind,
                shoutout_name=(name or display_name) if shoutouts else None,
            )
            for (
                person_id,
                conversation_id,
                status,
                closed_at,
                ideal_by,
                kind,
                shoutouts,
                name,
                display_name,
            ) in rows.tuples()
        ]

    async def weekly_clubs(self) -> list[Club]:
        rows = await self.db.execute(
            select(clubs).where(clubs.c.digest_day.is_not(None)).order_by(clubs.c.id)
        )
        return [club_from(row) for row in rows]


@functools.cache
def _claim_statement(by_platform: bool) -> Update:
    """Claim the next due rows (see `claim_statement`), of the processes' platforms only when
    `by_platform`: a digest is its club's."""
    return claim_statement(club_digests, (clubs, club_digests.c.club_id) if by_platform else None)
