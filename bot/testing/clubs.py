"""The in-memory fake of the club channels (see `bot.testing.storage`)."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence
from datetime import datetime

from bot.domain import Club, ClubEvent, EventPrompt, NudgeStatus, Person
from bot.ports import Claim, PromptContext
from bot.testing.tables import Tables

__all__ = ["InMemoryClubs", "InMemoryPrompts"]


class InMemoryClubs:
    def __init__(self, tables: Tables) -> None:
        self.t = tables

    async def get(self, platform: str, workspace: str, channel: str) -> Club | None:
        for club in self.t.clubs.values():
            if (club.platform, club.workspace, club.channel) == (platform, workspace, channel):
                return copy.copy(club)
        return None

    async def add(self, club: Club) -> Club:
        stored = await self.get(club.platform, club.workspace, club.channel)
        if stored is not None:
            return stored
        club.id = self.t.new_id()
        self.t.clubs[club.id] = copy.copy(club)
        return club

    async def update(self, club: Club) -> None:
        stored = self.t.clubs[club.id or 0]
        stored.name, stored.timezone = club.name, club.timezone

    async def delete(self, club_id: int) -> None:
        events = {i for i, e in self.t.club_events.items() if e.club_id == club_id}
        self.t.event_going = {k: v for k, v in self.t.event_going.items() if k[0] not in events}
        self.t.event_prompts = {
            i: p for i, p in self.t.event_prompts.items() if p.event_id not in events
        }
        for event_id in events:
            del self.t.club_events[event_id]
        self.t.club_organizers.pop(club_id, None)
        self.t.clubs.pop(club_id, None)

    async def organizers(self, club_id: int) -> list[str]:
        return sorted(self.t.club_organizers.get(club_id, []))

    async def add_organizer(self, club_id: int, user_id: str) -> bool:
        added = self.t.club_organizers.setdefault(club_id, [])
        if user_id in added:
            return False
        added.append(user_id)
        return True

    async def remove_organizer(self, club_id: int, user_id: str) -> bool:
        added = self.t.club_organizers.get(club_id, [])
        if user_id not in added:
            return False
        added.remove(user_id)
        return True

    async def add_event(self, event: ClubEvent) -> ClubEvent:
        event.id = self.t.new_id()
        self.t.club_events[event.id] = copy.copy(event)
        return event

    async def update_event(self, event: ClubEvent) -> None:
        stored = self.t.club_events[event.id or 0]
        self.t.club_events[stored.id or 0] = dataclasses.replace(
            event,
            club_id=stored.club_id,
            created_by=stored.created_by,
            created_at=stored.created_at,
        )

    async def set_post_ref(self, event_id: int, ref: str) -> None:
        if event_id in self.t.club_events:
            self.t.club_events[event_id].post_ref = ref

    async def event(self, club_id: int, event_id: int) -> ClubEvent | None:
        found = self.t.club_events.get(event_id)
        return copy.copy(found) if found is not None and found.club_id == club_id else None

    async def events_between(self, club_id: int, start: datetime, end: datetime) -> list[ClubEvent]:
        found = [
            copy.copy(e)
            for e in self.t.club_events.values()
            if e.club_id == club_id and e.ends_at >= start and e.starts_at <= end
        ]
        return sorted(found, key=lambda e: (e.starts_at, e.id or 0))

    async def set_going(self, event_id: int, person_id: int, going: bool, at: datetime) -> bool:
        key = (event_id, person_id)
        if going == (key in self.t.event_going):
            return False
        if going:
            self.t.event_going[key] = at
        else:
            del self.t.event_going[key]
        return True

    async def going_people(self, event_id: int) -> list[Person]:
        ids = sorted(p for e, p in self.t.event_going if e == event_id)
        return [copy.copy(self.t.people[i]) for i in ids if i in self.t.people]

    async def going_event(self, event_id: int, person_id: int) -> ClubEvent | None:
        if (event_id, person_id) not in self.t.event_going:
            return None
        found = self.t.club_events.get(event_id)
        return copy.copy(found) if found is not None else None

    async def is_going(self, event_id: int, person_id: int) -> bool:
        return (event_id, person_id) in self.t.event_going

    async def going_counts(self, event_ids: Sequence[int]) -> dict[int, int]:
        counts: dict[int, int] = {}
        for event_id, _ in self.t.event_going:
            if event_id in event_ids:
                counts[event_id] = counts.get(event_id, 0) + 1
        return counts


class InMemoryPrompts:
    def __init__(self, tables: Tables) -> None:
        self.t = tables

    async def plan(self, prompts: Sequence[EventPrompt]) -> None:
        taken = {(p.event_id, p.person_id, p.kind) for p in self.t.event_prompts.values()}
        for prompt in prompts:
            if (prompt.event_id, prompt.person_id, prompt.kind) in taken:
                continue
            prompt.id = self.t.new_id()
            self.t.event_prompts[prompt.id] = copy.copy(prompt)

    async def drop_pending(self, event_id: int, person_id: int | None = None) -> None:
        self.t.event_prompts = {
            i: p
            for i, p in self.t.event_prompts.items()
            if not (
                p.event_id == event_id
                and p.status is NudgeStatus.PENDING
                and p.attempts == 0
                and person_id in (None, p.person_id)
            )
        }

    async def claim_due(self, claim: Claim) -> list[EventPrompt]:
        def claimable(p: EventPrompt) -> bool:
            if p.status is NudgeStatus.PENDING:
                due = p.next_attempt_at is not None and p.next_attempt_at <= claim.now
            else:
                due = (
                    p.status is NudgeStatus.SENDING
                    and (p.lease_expires_at or claim.now) < claim.now
                )
            person = self.t.people.get(p.person_id)
            mine = claim.platforms is None or (
                person is not None and person.address.platform in claim.platforms
            )
            return due and mine

        found = sorted(
            (p for p in self.t.event_prompts.values() if claimable(p)),
            key=lambda p: (p.next_attempt_at or p.due_at, p.due_at, p.id or 0),
        )[: claim.limit]
        for prompt in found:
            prompt.status = NudgeStatus.SENDING
            prompt.lease_owner, prompt.lease_expires_at = claim.owner, claim.lease_until
            prompt.attempts += 1
        return [copy.copy(p) for p in found]

    async def contexts(self, claimed: Sequence[EventPrompt]) -> dict[int, PromptContext]:
        found: dict[int, PromptContext] = {}
        for prompt in claimed:
            event = self.t.club_events.get(prompt.event_id)
            person = self.t.people.get(prompt.person_id)
            club = self.t.clubs.get(event.club_id) if event is not None else None
            if prompt.id in self.t.event_prompts and event and person and club:
                found[prompt.id or 0] = PromptContext(
                    prompt, copy.copy(event), copy.copy(club), copy.copy(person)
                )
        return found

    async def settle(self, settled: Sequence[EventPrompt], owner: str) -> None:
        for prompt in settled:
            stored = self.t.event_prompts.get(prompt.id or 0)
            if stored is not None and stored.lease_owner == owner:
                self.t.event_prompts[stored.id or 0] = copy.copy(prompt)

    async def next_due_at(self) -> datetime | None:
        times = [
            p.next_attempt_at if p.status is NudgeStatus.PENDING else p.lease_expires_at
            for p in self.t.event_prompts.values()
            if p.status in (NudgeStatus.PENDING, NudgeStatus.SENDING)
        ]
        found = [t for t in times if t is not None]
        return min(found) if found else None

    async def logged_since(self, person_id: int, title: str, channel: str, since: datetime) -> bool:
        return any(
            c.person_id == person_id
            and (
                (c.event or "").lower() == title.lower()
                or (c.logged_in == channel and c.created_at >= since)
            )
            for c in self.t.conversations.values()
        )
