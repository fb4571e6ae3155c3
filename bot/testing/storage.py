"""The Storage port in dictionaries: a unit of work with one small fake per repository.

The same contract tests run against these and the SQL repositories; a session works on a copy
of the tables and publishes it only on success, so an error rolls back as a transaction would.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import datetime

from bot.domain import (
    Address,
    Conversation,
    FollowUp,
    FollowUpStatus,
    Nudge,
    NudgeKind,
    NudgeStatus,
    Person,
    clip_reason,
)
from bot.ports import (
    Accounts,
    BotState,
    CalendarFeeds,
    Claim,
    Clubs,
    Digests,
    Fairs,
    FollowUps,
    NudgeContext,
    Outbox,
    OutboxDepth,
    People,
    Prompts,
    ScheduledEventEnds,
    Workspaces,
)
from bot.storage.nesting import one_session_at_a_time
from bot.testing.accounts import InMemoryAccounts
from bot.testing.clubs import (
    InMemoryClubs,
    InMemoryDigests,
    InMemoryPrompts,
    InMemoryScheduledEventEnds,
)
from bot.testing.fairs import InMemoryFairs
from bot.testing.tables import Tables
from bot.testing.workspaces import InMemoryBotState, InMemoryCalendarFeeds, InMemoryWorkspaces

__all__ = [
    "InMemoryAccounts",
    "InMemoryBotState",
    "InMemoryCalendarFeeds",
    "InMemoryFairs",
    "InMemoryFollowUps",
    "InMemoryOutbox",
    "InMemoryPeople",
    "InMemoryStorage",
    "InMemoryUnitOfWork",
    "InMemoryWorkspaces",
    "Tables",
]


_in_session: ContextVar[bool] = ContextVar("in_memory_session", default=False)


class InMemoryStorage:
    """Sessions run one at a time, like SQLite's single writer."""

    def __init__(self) -> None:
        self.tables = Tables()
        self._writer = asyncio.Lock()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[InMemoryUnitOfWork]:
        with one_session_at_a_time(_in_session):
            async with self._writer:
                # Work on a copy and publish it on success: an error leaves the tables as they were.
                working = copy.deepcopy(self.tables)
                yield InMemoryUnitOfWork(working)
                self.tables = working

    async def ping(self) -> None:
        """Memory always answers."""


class InMemoryUnitOfWork:
    """One session's repositories on its copy of the tables. Objects are copied in and out, as
    rows are, so callers can't change storage by accident."""

    def __init__(self, tables: Tables) -> None:
        self.people: People = InMemoryPeople(tables)
        self.follow_ups: FollowUps = InMemoryFollowUps(tables)
        self.outbox: Outbox = InMemoryOutbox(tables)
        self.workspaces: Workspaces = InMemoryWorkspaces(tables)
        self.state: BotState = InMemoryBotState(tables)
        self.calendar_feeds: CalendarFeeds = InMemoryCalendarFeeds(tables)
        self.accounts: Accounts = InMemoryAccounts(tables)
        self.fairs: Fairs = InMemoryFairs(tables)
        self.clubs: Clubs = InMemoryClubs(tables)
        self.prompts: Prompts = InMemoryPrompts(tables)
        self.digests: Digests = InMemoryDigests(tables)
        self.event_ends: ScheduledEventEnds = InMemoryScheduledEventEnds(tables)


class InMemoryPeople:
    def __init__(self, tables: Tables) -> None:
        self.t = tables

    async def get(self, address: Address) -> Person | None:
        for person in self.t.people.values():
            if person.address == address:
                return copy.copy(person)
        return None

    async def add(self, person: Person) -> Person:
        stored = await self.get(person.address)
        if stored is not None:
            return stored
        person.id = self.t.new_id()
        self.t.people[person.id] = copy.copy(person)
        self.t.next_numbers[person.id] = 1
        return person

    async def update(self, person: Person) -> None:
        assert person.id in self.t.people
        # As on SQL, `linked_to` is the Accounts repository's to write.
        stored = self.t.people[person.id]
        self.t.people[person.id] = dataclasses.replace(person, linked_to=stored.linked_to)

    async def mark_undeliverable(self, person_ids: Sequence[int], reason: str) -> None:
        for person_id in person_ids:
            if person_id in self.t.people:
                self.t.people[person_id].undeliverable = clip_reason(reason)

    async def forget(self, person_ids: Sequence[int]) -> None:
        gone = set(person_ids)
        self.t.delete_conversations(
            {i for i, c in self.t.conversations.items() if c.person_id in gone}
        )
        for person_id in gone:
            self.t.drop_codes_and_feeds(person_id)
            self.t.drop_fair_lists(person_id)
        self.t.event_going = {k: v for k, v in self.t.event_going.items() if k[1] not in gone}
        self.t.event_prompts = {
            i: p for i, p in self.t.event_prompts.items() if p.person_id not in gone
        }
        for person in self.t.people.values():
            if person.linked_to in gone:
                person.linked_to = None
        for person_id in gone:
            self.t.people.pop(person_id, None)
            self.t.next_numbers.pop(person_id, None)

    async def in_workspace(self, platform: str, workspace_id: str) -> list[int]:
        return [
            i
            for i, p in self.t.people.items()
            if (p.address.platform, p.address.workspace) == (platform, workspace_id)
        ]


class InMemoryFollowUps:
    def __init__(self, tables: Tables) -> None:
        self.t = tables

    async def add_conversation(self, conversation: Conversation) -> Conversation:
        conversation.id = self.t.new_id()
        self.t.conversations[conversation.id] = copy.copy(conversation)
        return conversation

    async def update_conversation(self, conversation: Conversation) -> None:
        stored = self.t.conversations[conversation.id or 0]
        self.t.conversations[conversation.id or 0] = dataclasses.replace(
            conversation, person_id=stored.person_id, created_at=stored.created_at
        )

    async def latest_conversation(self, person_id: int) -> Conversation | None:
        theirs = [c for c in self.t.conversations.values() if c.person_id == person_id]
        latest = max(theirs, key=lambda c: (c.created_at, c.id or 0), default=None)
        return copy.copy(latest) if latest else None

    async def delete_conversation(self, conversation_id: int) -> None:
        self.t.delete_conversations({conversation_id})

    async def delete_closed_before(self, cutoff: datetime) -> int:
        old = set()
        for conversation_id, conversation in self.t.conversations.items():
            theirs = [f for f in self.t.follow_ups.values() if f.conversation_id == conversation_id]
            if any(f.status is FollowUpStatus.PENDING for f in theirs):
                continue
            closed = [f.closed_at for f in theirs if f.closed_at is not None]
            last = max(closed) if closed else conversation.created_at
            if conversation.created_at < cutoff and last < cutoff:
                old.add(conversation_id)
        self.t.delete_conversations(old)
        return len(old)

    async def everything_of(self, person_id: int) -> list[tuple[FollowUp, Conversation]]:
        found = [
            self.t.with_conversation(f)
            for f in self.t.follow_ups.values()
            if f.person_id == person_id
        ]
        return sorted(found, key=lambda row: row[0].number)

    async def conversations_at(self, person_id: int, company_key: str) -> list[Conversation]:
        found = [
            copy.copy(c)
            for c in self.t.conversations.values()
            if c.person_id == person_id and c.company_key == company_key
        ]
        return sorted(found, key=lambda c: (c.met_at, c.id or 0))

    async def recorded_names(self, person_id: int) -> set[str]:
        names: set[str] = set()
        for c in self.t.conversations.values():
            if c.person_id == person_id:
                names.update(n for n in (c.contact_name, c.company, c.event) if n)
        for f in self.t.follow_ups.values():
            if f.person_id == person_id:
                names.update(n for n in (f.contact, f.greeting) if n)
        return names

    async def allocate_numbers(self, person_id: int, count: int) -> list[int]:
        first = self.t.next_numbers[person_id]
        self.t.next_numbers[person_id] = first + count
        return list(range(first, first + count))

    async def add(self, follow_ups: Sequence[FollowUp]) -> list[FollowUp]:
        for follow_up in follow_ups:
            for other in self.t.follow_ups.values():
                if (other.person_id, other.number) == (follow_up.person_id, follow_up.number):
                    raise ValueError("follow-up number already used")
            follow_up.id = self.t.new_id()
            self.t.follow_ups[follow_up.id] = copy.copy(follow_up)
        return list(follow_ups)

    async def update(self, follow_up: FollowUp) -> None:
        assert follow_up.id in self.t.follow_ups
        self.t.follow_ups[follow_up.id] = copy.copy(follow_up)

    async def by_number(self, person_id: int, number: int) -> tuple[FollowUp, Conversation] | None:
        for f in self.t.follow_ups.values():
            if f.person_id == person_id and f.number == number:
                return self.t.with_conversation(f)
        return None

    async def by_id(
        self, person_id: int, follow_up_id: int
    ) -> tuple[FollowUp, Conversation] | None:
        f = self.t.follow_ups.get(follow_up_id)
        if f is None or f.person_id != person_id:
            return None
        return self.t.with_conversation(f)

    async def of_conversation(self, conversation_id: int) -> list[FollowUp]:
        found = [
            copy.copy(f) for f in self.t.follow_ups.values() if f.conversation_id == conversation_id
        ]
        return sorted(found, key=lambda f: f.number)

    async def open(self, person_id: int) -> list[tuple[FollowUp, Conversation]]:
        return [
            self.t.with_conversation(f)
            for f in self.t.follow_ups.values()
            if f.person_id == person_id and f.status is FollowUpStatus.PENDING
        ]

    async def missed_since(
        self, person_id: int, since: datetime
    ) -> list[tuple[FollowUp, Conversation]]:
        return [
            self.t.with_conversation(f)
            for f in self.t.follow_ups.values()
            if f.person_id == person_id
            and f.status is FollowUpStatus.MISSED
            and f.closed_at is not None
            and f.closed_at >= since
        ]

    async def close_missed(
        self,
        follow_up_ids: Sequence[int],
        now: datetime,
        status: FollowUpStatus = FollowUpStatus.MISSED,
    ) -> None:
        for follow_up_id in follow_up_ids:
            follow_up = self.t.follow_ups.get(follow_up_id)
            if follow_up is not None and follow_up.status is FollowUpStatus.PENDING:
                follow_up.status, follow_up.closed_at = status, now


def _claim_order(nudge: Nudge) -> tuple[datetime, datetime, int]:
    return (nudge.next_attempt_at or nudge.due_at, nudge.due_at, nudge.id or 0)


class InMemoryOutbox:
    def __init__(self, tables: Tables) -> None:
        self.t = tables

    async def add(self, nudges: Sequence[Nudge]) -> None:
        for nudge in nudges:
            nudge.id = self.t.new_id()
            self.t.nudges[nudge.id] = copy.copy(nudge)

    async def replace_pending(
        self, follow_up_id: int, nudges: Sequence[Nudge], now: datetime
    ) -> None:
        for nudge in self._pending(follow_up_id):
            if nudge.attempts == 0 and (nudge.next_attempt_at or nudge.due_at) > now:
                del self.t.nudges[nudge.id or 0]
        for nudge in nudges:
            nudge.follow_up_id = follow_up_id
        await self.add(nudges)

    async def sent_counts(
        self, follow_up_id: int, *, kept_at: datetime | None = None
    ) -> dict[NudgeKind, int]:
        def counted(n: Nudge) -> bool:
            if n.status in (NudgeStatus.SENT, NudgeStatus.SENDING):
                return True
            return (
                kept_at is not None
                and n.status is NudgeStatus.PENDING
                and (n.attempts > 0 or (n.next_attempt_at or n.due_at) <= kept_at)
            )

        counts: dict[NudgeKind, int] = {}
        for n in self.t.nudges.values():
            if n.follow_up_id == follow_up_id and counted(n):
                counts[n.kind] = counts.get(n.kind, 0) + 1
        return counts

    async def last_sent_at(self, follow_up_id: int) -> datetime | None:
        moments = [
            n.sent_at or n.due_at
            for n in self.t.nudges.values()
            if n.follow_up_id == follow_up_id
            and n.status in (NudgeStatus.SENT, NudgeStatus.SENDING)
        ]
        return max(moments, default=None)

    async def cancel_pending(self, follow_up_id: int, reason: str) -> int:
        pending = self._pending(follow_up_id)
        for nudge in pending:
            nudge.status, nudge.last_error = NudgeStatus.CANCELLED, reason
        return len(pending)

    async def claim_due(self, claim: Claim) -> list[Nudge]:
        now = claim.now

        def mine(n: Nudge) -> bool:
            return claim.platforms is None or self._platform_of(n) in claim.platforms

        due = sorted(
            (
                n
                for n in self.t.nudges.values()
                if n.status is NudgeStatus.PENDING and _claim_order(n)[0] <= now and mine(n)
            ),
            key=_claim_order,
        )[: claim.limit]
        expired = sorted(
            (
                n
                for n in self.t.nudges.values()
                if n.status is NudgeStatus.SENDING
                and n.lease_expires_at is not None
                and n.lease_expires_at < now
                and mine(n)
            ),
            key=lambda n: n.lease_expires_at or now,
        )[: claim.limit]
        claimed = due + expired
        if claim.together_until is not None:
            # Their nudges due within the window: one DM per person per moment (see `Claim`).
            until, taken = claim.together_until, {n.id for n in claimed}
            people = {self.t.follow_ups[n.follow_up_id].person_id for n in claimed}
            claimed += sorted(
                (
                    n
                    for n in self.t.nudges.values()
                    if n.status is NudgeStatus.PENDING
                    and n.id not in taken
                    and now < (n.next_attempt_at or n.due_at) <= until
                    and n.kind is not NudgeKind.WINDOW_CLOSED
                    and self.t.follow_ups[n.follow_up_id].person_id in people
                    and self.t.follow_ups[n.follow_up_id].status is FollowUpStatus.PENDING
                ),
                key=_claim_order,
            )[: claim.together_limit]
        claimed.sort(key=_claim_order)
        for nudge in claimed:
            nudge.status = NudgeStatus.SENDING
            nudge.lease_owner, nudge.lease_expires_at = claim.owner, claim.lease_until
            nudge.attempts += 1
        return [copy.copy(n) for n in claimed]

    async def claim_for_evenings(self, claim: Claim, person_ids: Sequence[int]) -> list[Nudge]:
        if claim.together_until is None:
            return []
        now, until, people = claim.now, claim.together_until, set(person_ids)

        def goes_with_the_evening(n: Nudge) -> bool:
            follow_up = self.t.follow_ups[n.follow_up_id]
            if follow_up.person_id not in people:
                return False
            if n.status is NudgeStatus.SENDING:
                return n.lease_expires_at is not None and n.lease_expires_at < now
            if n.status is not NudgeStatus.PENDING:
                return False
            due = n.next_attempt_at or n.due_at
            return due <= now or (
                due <= until
                and n.kind is not NudgeKind.WINDOW_CLOSED
                and follow_up.status is FollowUpStatus.PENDING
            )

        claimed = sorted(filter(goes_with_the_evening, self.t.nudges.values()), key=_claim_order)
        for nudge in claimed[: claim.together_limit]:
            nudge.status = NudgeStatus.SENDING
            nudge.lease_owner, nudge.lease_expires_at = claim.owner, claim.lease_until
            nudge.attempts += 1
        return [copy.copy(n) for n in claimed[: claim.together_limit]]

    async def contexts(self, claimed: Sequence[Nudge]) -> dict[int, NudgeContext]:
        found = {}
        for nudge in claimed:
            stored = self.t.nudges.get(nudge.id or 0)
            follow_up = self.t.follow_ups.get(stored.follow_up_id) if stored else None
            if nudge.id is None or follow_up is None:
                continue
            found[nudge.id] = NudgeContext(
                nudge,
                *self.t.with_conversation(follow_up),
                copy.copy(self.t.people[follow_up.person_id]),
            )
        return found

    async def mark_sent(self, nudge_ids: Sequence[int], sent_at: datetime, owner: str) -> None:
        for nudge_id in nudge_ids:
            stored = self.t.nudges.get(nudge_id)
            if stored is not None and stored.lease_owner == owner:
                stored.status, stored.sent_at = NudgeStatus.SENT, sent_at
                stored.lease_owner = stored.lease_expires_at = stored.last_error = None

    async def settle(self, settled: Sequence[Nudge], owner: str | None = None) -> None:
        for nudge in settled:
            stored = self.t.nudges.get(nudge.id or 0)
            # Like an UPDATE: a row deleted meanwhile (its person left), or no longer held by
            # `owner`, is left as it is.
            if stored is not None and (owner is None or stored.lease_owner == owner):
                self.t.nudges[nudge.id or 0] = copy.copy(nudge)

    async def next_due_at(self) -> datetime | None:
        times = [
            _claim_order(n)[0] for n in self.t.nudges.values() if n.status is NudgeStatus.PENDING
        ] + [
            n.lease_expires_at
            for n in self.t.nudges.values()
            if n.status is NudgeStatus.SENDING and n.lease_expires_at is not None
        ]
        return min(times) if times else None

    async def depth(self, now: datetime) -> OutboxDepth:
        pending = [
            _claim_order(n)[0] for n in self.t.nudges.values() if n.status is NudgeStatus.PENDING
        ]
        due = sum(1 for moment in pending if moment <= now)
        sending = sum(1 for n in self.t.nudges.values() if n.status is NudgeStatus.SENDING)
        return OutboxDepth(due=due, scheduled=len(pending) - due, sending=sending)

    def _pending(self, follow_up_id: int) -> list[Nudge]:
        """The follow-up's pending rows themselves (not copies)."""
        return [
            n
            for n in self.t.nudges.values()
            if n.follow_up_id == follow_up_id and n.status is NudgeStatus.PENDING
        ]

    async def waiting_for(self, person_ids: Sequence[int]) -> dict[int, dict[int, datetime]]:
        found: dict[int, dict[int, datetime]] = {}
        for n in self.t.nudges.values():
            follow_up = self.t.follow_ups.get(n.follow_up_id)
            if (
                follow_up is None
                or follow_up.person_id not in person_ids
                or follow_up.status is not FollowUpStatus.PENDING
                or n.status is not NudgeStatus.PENDING
                or n.kind is NudgeKind.WINDOW_CLOSED
            ):
                continue
            theirs = found.setdefault(follow_up.person_id, {})
            due = n.next_attempt_at or n.due_at
            theirs[n.follow_up_id] = min(theirs.get(n.follow_up_id, due), due)
        return found

    def _platform_of(self, nudge: Nudge) -> str:
        follow_up = self.t.follow_ups[nudge.follow_up_id]
        return self.t.people[follow_up.person_id].address.platform
