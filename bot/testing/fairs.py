"""The in-memory fake of students' fair lists (see `bot.testing.storage`)."""

from __future__ import annotations

import copy
from datetime import datetime

from bot.domain import Conversation, FairList, FairVisit, NudgeStatus
from bot.ports import Claim
from bot.testing.tables import Tables

__all__ = ["InMemoryFairs"]

# A list's evening DM: written when planned and by the sweep, never by `update`.
_EVENING = (
    "evening_due_at",
    "evening_status",
    "evening_attempts",
    "lease_owner",
    "lease_expires_at",
    "evening_sent_at",
    "last_error",
)


class InMemoryFairs:
    def __init__(self, tables: Tables) -> None:
        self.t = tables

    async def add(self, fair: FairList) -> FairList:
        fair.id = self.t.new_id()
        for entry in fair.entries:
            entry.id = self.t.new_id()
        self.t.fair_lists[fair.id] = copy.deepcopy(fair)
        return fair

    async def update(self, fair: FairList) -> None:
        stored = self.t.fair_lists.get(fair.id or 0)
        if stored is None or stored.person_id != fair.person_id:
            return
        for entry in fair.entries:
            if entry.id is None:
                entry.id = self.t.new_id()
        kept = {e.id for e in fair.entries}
        for conversation_id, visit in list(self.t.fair_visits.items()):
            if visit.fair_id == fair.id and visit.entry_id not in kept:
                self.t.fair_visits[conversation_id] = FairVisit(
                    visit.fair_id, conversation_id, None
                )
        written = copy.deepcopy(fair)
        for name in _EVENING:
            setattr(written, name, getattr(stored, name))
        self.t.fair_lists[fair.id or 0] = written

    async def reschedule_evening(self, fair: FairList) -> bool:
        stored = self.t.fair_lists.get(fair.id or 0)
        if stored is None or stored.person_id != fair.person_id:
            return False
        if stored.evening_status in (NudgeStatus.SENDING, NudgeStatus.SENT):
            return False
        for name in ("evening_due_at", "evening_status", "evening_attempts", "last_error"):
            setattr(stored, name, getattr(fair, name))
        return True

    async def link_visit(self, visit: FairVisit) -> None:
        found = self.t.fair_visits.get(visit.conversation_id)
        if found is not None and found.fair_id == visit.fair_id:
            self.t.fair_visits[visit.conversation_id] = visit

    async def of_person(self, person_id: int) -> list[FairList]:
        theirs = [copy.deepcopy(f) for f in self.t.fair_lists.values() if f.person_id == person_id]
        return sorted(theirs, key=lambda f: (f.held_on, f.id or 0))

    async def by_id(self, person_id: int, fair_id: int) -> FairList | None:
        found = self.t.fair_lists.get(fair_id)
        return copy.deepcopy(found) if found and found.person_id == person_id else None

    async def add_visit(self, visit: FairVisit) -> None:
        self.t.fair_visits[visit.conversation_id] = visit

    async def visits(self, person_id: int, fair_id: int) -> list[tuple[FairVisit, Conversation]]:
        found = [
            (visit, copy.copy(self.t.conversations[visit.conversation_id]))
            for visit in self.t.fair_visits.values()
            if visit.fair_id == fair_id
            and self.t.conversations[visit.conversation_id].person_id == person_id
        ]
        return sorted(found, key=lambda row: (row[1].met_at, row[1].id or 0))

    async def claim_evenings(self, claim: Claim) -> list[FairList]:
        claimed: list[FairList] = []
        in_order = sorted(
            self.t.fair_lists.values(), key=lambda f: (f.evening_due_at or claim.now, f.id or 0)
        )
        for fair in in_order:
            due = (
                fair.evening_status is NudgeStatus.PENDING
                and fair.evening_due_at is not None
                and fair.evening_due_at <= claim.now
            )
            expired = (
                fair.evening_status is NudgeStatus.SENDING
                and fair.lease_expires_at is not None
                and fair.lease_expires_at < claim.now
            )
            # Due soon, and its student has a nudge due now: one DM for both, now.
            early = (
                claim.together_until is not None
                and fair.evening_status is NudgeStatus.PENDING
                and fair.evening_due_at is not None
                and fair.evening_due_at <= claim.together_until
                and self._has_a_nudge_due(fair.person_id, claim.now)
            )
            person = self.t.people.get(fair.person_id)
            if claim.platforms is not None and (
                person is None or person.address.platform not in claim.platforms
            ):
                continue
            if (due or expired or early) and len(claimed) < claim.limit:
                fair.evening_status = NudgeStatus.SENDING
                fair.lease_owner = claim.owner
                fair.lease_expires_at = claim.lease_until
                fair.evening_attempts += 1
                claimed.append(copy.deepcopy(fair))
        return claimed

    def _has_a_nudge_due(self, person_id: int, now: datetime) -> bool:
        for nudge in self.t.nudges.values():
            if self.t.follow_ups[nudge.follow_up_id].person_id != person_id:
                continue
            if (
                nudge.status is NudgeStatus.PENDING
                and (nudge.next_attempt_at or nudge.due_at) <= now
            ):
                return True
            leased = nudge.lease_expires_at
            if nudge.status is NudgeStatus.SENDING and leased is not None and leased < now:
                return True
        return False

    async def settle_evening(self, fair: FairList, owner: str) -> None:
        stored = self.t.fair_lists.get(fair.id or 0)
        if stored is None or stored.lease_owner != owner:
            return
        for name in _EVENING:
            setattr(stored, name, getattr(fair, name))

    async def next_evening_at(self) -> datetime | None:
        times = [
            f.evening_due_at
            for f in self.t.fair_lists.values()
            if f.evening_status is NudgeStatus.PENDING and f.evening_due_at is not None
        ] + [
            f.lease_expires_at
            for f in self.t.fair_lists.values()
            if f.evening_status is NudgeStatus.SENDING and f.lease_expires_at is not None
        ]
        return min(times, default=None)
