"""The Fairs repository on SQL: a student's fair lists with their entries, the conversations at
each fair, and each fair's evening DM, claimed like a nudge."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update

from bot.domain import Conversation, FairEntry, FairList, FairVisit, NudgeStatus
from bot.ports import Claim
from bot.storage.engine import Repository
from bot.storage.mapping import conversation_from
from bot.storage.schema import (
    conversations,
    fair_entries,
    fair_lists,
    fair_visits,
    follow_ups,
    nudges,
    people,
)

__all__ = ["SqlFairs"]

_STATUS = {m.value: m for m in NudgeStatus}


def _list_values(fair: FairList) -> dict[str, Any]:
    return {
        "person_id": fair.person_id,
        "name": fair.name,
        "name_key": fair.name_key,
        "held_on": fair.held_on,
        "created_at": fair.created_at,
    }


def _evening_values(fair: FairList) -> dict[str, Any]:
    return {
        "evening_due_at": fair.evening_due_at,
        "evening_status": fair.evening_status.value,
        "evening_attempts": fair.evening_attempts,
        "lease_owner": fair.lease_owner,
        "lease_expires_at": fair.lease_expires_at,
        "evening_sent_at": fair.evening_sent_at,
        "last_error": fair.last_error,
    }


def _entry_values(fair_id: int, entry: FairEntry) -> dict[str, Any]:
    return {
        "fair_id": fair_id,
        "company": entry.company,
        "company_key": entry.company_key,
        "priority": entry.priority,
        "position": entry.position,
    }


def _list_from(row: Any, entries: list[FairEntry]) -> FairList:
    return FairList(
        id=row.id,
        person_id=row.person_id,
        name=row.name,
        held_on=row.held_on,
        created_at=row.created_at,
        entries=entries,
        evening_due_at=row.evening_due_at,
        evening_status=_STATUS[row.evening_status],
        evening_attempts=row.evening_attempts,
        lease_owner=row.lease_owner,
        lease_expires_at=row.lease_expires_at,
        evening_sent_at=row.evening_sent_at,
        last_error=row.last_error,
    )


class SqlFairs(Repository):
    async def add(self, fair: FairList) -> FairList:
        ids = await self.db.execute(
            insert(fair_lists).returning(fair_lists.c.id),
            [_list_values(fair) | _evening_values(fair)],
        )
        fair.id = ids.scalar_one()
        await self._add_entries(fair.id, fair.entries)
        return fair

    async def _add_entries(self, fair_id: int, entries: Sequence[FairEntry]) -> None:
        if entries:
            ids = await self.db.execute(
                insert(fair_entries).returning(fair_entries.c.id, sort_by_parameter_order=True),
                [_entry_values(fair_id, e) for e in entries],
            )
            for entry, entry_id in zip(entries, ids.scalars(), strict=True):
                entry.id = entry_id

    async def update(self, fair: FairList) -> None:
        assert fair.id is not None
        await self.db.execute(
            update(fair_lists)
            .where(fair_lists.c.id == fair.id, fair_lists.c.person_id == fair.person_id)
            .values(_list_values(fair))
        )
        kept = [e.id for e in fair.entries if e.id is not None]
        gone = select(fair_entries.c.id).where(
            fair_entries.c.fair_id == fair.id, fair_entries.c.id.not_in(kept)
        )
        # Child rows first, by hand (see `SqlPeople.forget`): a visit of a removed entry is
        # unplanned now.
        await self.db.execute(
            update(fair_visits).where(fair_visits.c.entry_id.in_(gone)).values(entry_id=None)
        )
        await self.db.execute(
            delete(fair_entries).where(
                fair_entries.c.fair_id == fair.id, fair_entries.c.id.not_in(kept)
            )
        )
        for entry in fair.entries:
            if entry.id is not None:
                await self.db.execute(
                    update(fair_entries)
                    .where(fair_entries.c.id == entry.id, fair_entries.c.fair_id == fair.id)
                    .values(_entry_values(fair.id, entry))
                )
        await self._add_entries(fair.id, [e for e in fair.entries if e.id is None])

    async def reschedule_evening(self, fair: FairList) -> bool:
        # Only a row no sweep holds or has sent: one claimed meanwhile keeps its claim.
        moved = await self.db.execute(
            update(fair_lists)
            .where(
                fair_lists.c.id == fair.id,
                fair_lists.c.person_id == fair.person_id,
                fair_lists.c.evening_status.not_in([NudgeStatus.SENDING, NudgeStatus.SENT]),
            )
            .values(
                evening_due_at=fair.evening_due_at,
                evening_status=fair.evening_status.value,
                evening_attempts=fair.evening_attempts,
                last_error=fair.last_error,
            )
        )
        return bool(moved.rowcount)

    async def link_visit(self, visit: FairVisit) -> None:
        await self.db.execute(
            update(fair_visits)
            .where(
                fair_visits.c.conversation_id == visit.conversation_id,
                fair_visits.c.fair_id == visit.fair_id,
            )
            .values(entry_id=visit.entry_id)
        )

    async def of_person(self, person_id: int) -> list[FairList]:
        return await self._lists(fair_lists.c.person_id == person_id)

    async def by_id(self, person_id: int, fair_id: int) -> FairList | None:
        found = await self._lists(fair_lists.c.person_id == person_id, fair_lists.c.id == fair_id)
        return found[0] if found else None

    async def _lists(self, *where: Any) -> list[FairList]:
        rows = (
            await self.db.execute(
                select(fair_lists).where(*where).order_by(fair_lists.c.held_on, fair_lists.c.id)
            )
        ).all()
        if not rows:
            return []
        entries: dict[int, list[FairEntry]] = defaultdict(list)
        found = await self.db.execute(
            select(fair_entries)
            .where(fair_entries.c.fair_id.in_([r.id for r in rows]))
            .order_by(fair_entries.c.position, fair_entries.c.id)
        )
        for e in found:
            entries[e.fair_id].append(FairEntry(e.company, e.priority, e.position, id=e.id))
        return [_list_from(row, entries[row.id]) for row in rows]

    async def add_visit(self, visit: FairVisit) -> None:
        await self.db.execute(
            insert(fair_visits).values(
                conversation_id=visit.conversation_id,
                fair_id=visit.fair_id,
                entry_id=visit.entry_id,
            )
        )

    async def visits(self, person_id: int, fair_id: int) -> list[tuple[FairVisit, Conversation]]:
        rows = await self.db.execute(
            select(fair_visits.c.entry_id, conversations)
            .join(conversations, conversations.c.id == fair_visits.c.conversation_id)
            .where(fair_visits.c.fair_id == fair_id, conversations.c.person_id == person_id)
            .order_by(conversations.c.met_at, conversations.c.id)
        )
        found = []
        for row in rows.tuples():
            conversation = conversation_from(row[1:])
            assert conversation.id is not None
            found.append((FairVisit(fair_id, conversation.id, row[0]), conversation))
        return found

    async def claim_evenings(self, claim: Claim) -> list[FairList]:
        which = [
            (fair_lists.c.evening_status == NudgeStatus.PENDING)
            & (fair_lists.c.evening_due_at <= claim.now),
            (fair_lists.c.evening_status == NudgeStatus.SENDING)
            & (fair_lists.c.lease_expires_at < claim.now),
        ]
        if claim.together_until is not None:
            # Due soon, and its student has a nudge due now: one DM for both, now.
            nudge_due = (
                select(nudges.c.id)
                .join(follow_ups, nudges.c.follow_up_id == follow_ups.c.id)
                .where(
                    follow_ups.c.person_id == fair_lists.c.person_id,
                    or_(
                        (nudges.c.status == NudgeStatus.PENDING)
                        & (nudges.c.next_attempt_at <= claim.now),
                        (nudges.c.status == NudgeStatus.SENDING)
                        & (nudges.c.lease_expires_at < claim.now),
                    ),
                )
                .exists()
            )
            which.append(
                (fair_lists.c.evening_status == NudgeStatus.PENDING)
                & (fair_lists.c.evening_due_at <= claim.together_until)
                & nudge_due
            )
        due = select(fair_lists.c.id).where(or_(*which))
        if claim.platforms is not None:
            due = due.where(
                select(people.c.id)
                .where(
                    people.c.id == fair_lists.c.person_id,
                    people.c.platform.in_(list(claim.platforms)),
                )
                .exists()
            )
        # PostgreSQL: SKIP LOCKED lets replicas claim side by side, never the same row.
        due = (
            due.order_by(fair_lists.c.evening_due_at)
            .limit(claim.limit)
            .with_for_update(skip_locked=True, of=fair_lists)
        )
        rows = await self.db.execute(
            update(fair_lists)
            .where(fair_lists.c.id.in_(due.scalar_subquery()))
            .values(
                evening_status=NudgeStatus.SENDING,
                lease_owner=claim.owner,
                lease_expires_at=claim.lease_until,
                evening_attempts=fair_lists.c.evening_attempts + 1,
            )
            .returning(fair_lists.c.id, fair_lists.c.person_id)
        )
        claimed = rows.all()
        lists: list[FairList] = []
        for fair_id, person_id in claimed:
            found = await self.by_id(person_id, fair_id)
            if found is not None:
                lists.append(found)
        lists.sort(key=lambda f: (f.evening_due_at or claim.now, f.id or 0))
        return lists

    async def settle_evening(self, fair: FairList, owner: str) -> None:
        await self.db.execute(
            update(fair_lists)
            .where(fair_lists.c.id == fair.id, fair_lists.c.lease_owner == owner)
            .values(_evening_values(fair))
        )

    async def next_evening_at(self) -> datetime | None:
        due = await self.db.execute(
            select(func.min(fair_lists.c.evening_due_at)).where(
                fair_lists.c.evening_status == NudgeStatus.PENDING
            )
        )
        leased = await self.db.execute(
            select(func.min(fair_lists.c.lease_expires_at)).where(
                fair_lists.c.evening_status == NudgeStatus.SENDING
            )
        )
        times = [t for t in (due.scalar_one(), leased.scalar_one()) if t is not None]
        return min(times) if times else None
