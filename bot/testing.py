"""First-class fakes for the core's ports, for tests and for trying things out.

- `FakeClock`: a clock that moves only when told to.
- `FakeMessenger`: records every DM; can be told what to answer (retry-after, failures).
- `InMemoryStorage`: the Storage port in dictionaries, with the same contract as the SQL one
  (the same contract tests run against both) and a real rollback on error.
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime

from bot.clock import VirtualClock
from bot.domain import (
    Address,
    Conversation,
    FollowUp,
    FollowUpStatus,
    Nudge,
    NudgeStatus,
    Person,
)
from bot.ports import Delivered, Delivery, NudgeContext
from bot.replies import Reply

__all__ = ["FakeClock", "FakeMessenger", "InMemoryStorage", "InMemoryStore", "SentDM"]


class FakeClock(VirtualClock):
    """A `VirtualClock` under the name tests look for."""


@dataclass(frozen=True)
class SentDM:
    to: Person
    message: Reply
    key: str
    at: datetime | None


class FakeMessenger:
    """Records DMs. `answers` (a queue) decides what each send returns; Delivered when empty.

    An answer that is an exception instance is raised, as a broken platform client would.
    """

    def __init__(self, clock: VirtualClock | None = None) -> None:
        self.sent: list[SentDM] = []
        self.answers: deque[Delivery | Exception] = deque()
        self.clock = clock

    async def send_dm(self, to: Person, message: Reply, *, key: str) -> Delivery:
        answer = self.answers.popleft() if self.answers else Delivered()
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, Delivered):
            self.sent.append(SentDM(to, message, key, self.clock.now() if self.clock else None))
        return answer

    def texts(self) -> list[str]:
        return [dm.message.plain_text() for dm in self.sent]


@dataclass
class _Tables:
    people: dict[int, Person] = field(default_factory=dict)
    next_numbers: dict[int, int] = field(default_factory=dict)
    conversations: dict[int, Conversation] = field(default_factory=dict)
    follow_ups: dict[int, FollowUp] = field(default_factory=dict)
    nudges: dict[int, Nudge] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    last_id: int = 0

    def new_id(self) -> int:
        self.last_id += 1
        return self.last_id


class InMemoryStorage:
    def __init__(self) -> None:
        self.tables = _Tables()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[InMemoryStore]:
        # Work on a copy and publish it on success: an error leaves the tables untouched.
        working = copy.deepcopy(self.tables)
        yield InMemoryStore(working)
        self.tables = working


class InMemoryStore:
    """Objects are copied in and out, as rows are, so callers can't change storage by accident."""

    def __init__(self, tables: _Tables) -> None:
        self.t = tables

    async def person(self, address: Address) -> Person | None:
        for person in self.t.people.values():
            if person.address == address:
                return copy.copy(person)
        return None

    async def person_by_id(self, person_id: int) -> Person | None:
        person = self.t.people.get(person_id)
        return copy.copy(person) if person else None

    async def add_person(self, person: Person) -> Person:
        if await self.person(person.address) is not None:
            raise ValueError("person already exists")
        person.id = self.t.new_id()
        self.t.people[person.id] = copy.copy(person)
        self.t.next_numbers[person.id] = 1
        return person

    async def update_person(self, person: Person) -> None:
        assert person.id in self.t.people
        self.t.people[person.id] = copy.copy(person)

    async def allocate_numbers(self, person_id: int, count: int) -> list[int]:
        first = self.t.next_numbers[person_id]
        self.t.next_numbers[person_id] = first + count
        return list(range(first, first + count))

    async def add_conversation(self, conversation: Conversation) -> Conversation:
        conversation.id = self.t.new_id()
        self.t.conversations[conversation.id] = copy.copy(conversation)
        return conversation

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
        return names

    async def add_follow_up(self, follow_up: FollowUp) -> FollowUp:
        for other in self.t.follow_ups.values():
            if (other.person_id, other.number) == (follow_up.person_id, follow_up.number):
                raise ValueError("follow-up number already used")
        follow_up.id = self.t.new_id()
        self.t.follow_ups[follow_up.id] = copy.copy(follow_up)
        return follow_up

    async def update_follow_up(self, follow_up: FollowUp) -> None:
        assert follow_up.id in self.t.follow_ups
        self.t.follow_ups[follow_up.id] = copy.copy(follow_up)

    async def follow_up(self, person_id: int, number: int) -> tuple[FollowUp, Conversation] | None:
        for f in self.t.follow_ups.values():
            if f.person_id == person_id and f.number == number:
                return copy.copy(f), copy.copy(self.t.conversations[f.conversation_id])
        return None

    async def follow_up_by_id(
        self, person_id: int, follow_up_id: int
    ) -> tuple[FollowUp, Conversation] | None:
        f = self.t.follow_ups.get(follow_up_id)
        if f is None or f.person_id != person_id:
            return None
        return copy.copy(f), copy.copy(self.t.conversations[f.conversation_id])

    async def follow_ups_of(self, conversation_id: int) -> list[FollowUp]:
        found = [
            copy.copy(f) for f in self.t.follow_ups.values() if f.conversation_id == conversation_id
        ]
        return sorted(found, key=lambda f: f.number)

    async def open_follow_ups(self, person_id: int) -> list[tuple[FollowUp, Conversation]]:
        return [
            (copy.copy(f), copy.copy(self.t.conversations[f.conversation_id]))
            for f in self.t.follow_ups.values()
            if f.person_id == person_id and f.status is FollowUpStatus.PENDING
        ]

    async def pending_nudges(self, follow_up_id: int) -> list[Nudge]:
        found = [
            copy.copy(n)
            for n in self.t.nudges.values()
            if n.follow_up_id == follow_up_id and n.status is NudgeStatus.PENDING
        ]
        return sorted(found, key=lambda n: (n.due_at, n.id or 0))

    async def replace_pending_nudges(self, follow_up_id: int, nudges: Sequence[Nudge]) -> None:
        for nudge in await self.pending_nudges(follow_up_id):
            del self.t.nudges[nudge.id or 0]
        for nudge in nudges:
            nudge.id = self.t.new_id()
            nudge.follow_up_id = follow_up_id
            self.t.nudges[nudge.id] = copy.copy(nudge)

    async def cancel_pending_nudges(self, follow_up_id: int, reason: str) -> int:
        pending = await self.pending_nudges(follow_up_id)
        for nudge in pending:
            stored = self.t.nudges[nudge.id or 0]
            stored.status, stored.last_error = NudgeStatus.CANCELLED, reason
        return len(pending)

    async def claim_due_nudges(
        self, now: datetime, owner: str, lease_until: datetime, limit: int
    ) -> list[Nudge]:
        def claimable(n: Nudge) -> bool:
            expired = n.status is NudgeStatus.SENDING and (
                n.lease_expires_at is None or n.lease_expires_at < now
            )
            return (n.status is NudgeStatus.PENDING or expired) and (
                n.next_attempt_at or n.due_at
            ) <= now

        due = sorted(
            (n for n in self.t.nudges.values() if claimable(n)),
            key=lambda n: (n.next_attempt_at or n.due_at, n.id or 0),
        )[:limit]
        for nudge in due:
            nudge.status = NudgeStatus.SENDING
            nudge.lease_owner, nudge.lease_expires_at = owner, lease_until
            nudge.attempts += 1
        return [copy.copy(n) for n in due]

    async def nudge_context(self, nudge_id: int) -> NudgeContext | None:
        nudge = self.t.nudges.get(nudge_id)
        follow_up = self.t.follow_ups.get(nudge.follow_up_id) if nudge else None
        if nudge is None or follow_up is None:
            return None
        return NudgeContext(
            copy.copy(nudge),
            copy.copy(follow_up),
            copy.copy(self.t.conversations[follow_up.conversation_id]),
            copy.copy(self.t.people[follow_up.person_id]),
        )

    async def update_nudge(self, nudge: Nudge) -> None:
        assert nudge.id in self.t.nudges
        self.t.nudges[nudge.id] = copy.copy(nudge)

    async def next_due_at(self) -> datetime | None:
        times = [
            n.next_attempt_at or n.due_at
            for n in self.t.nudges.values()
            if n.status is NudgeStatus.PENDING
        ] + [
            n.lease_expires_at
            for n in self.t.nudges.values()
            if n.status is NudgeStatus.SENDING and n.lease_expires_at is not None
        ]
        return min(times) if times else None

    async def get_value(self, key: str) -> str | None:
        return self.t.values.get(key)

    async def set_value(self, key: str, value: str, now: datetime) -> None:
        self.t.values[key] = value
