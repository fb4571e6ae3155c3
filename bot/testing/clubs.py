"""The in-memory fake of the club channels (see `bot.testing.storage`)."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TypeVar

from bot.domain import (
    EVENT_MARGIN,
    Club,
    ClubDigest,
    ClubEvent,
    ClubRules,
    EventPrompt,
    FollowUp,
    NudgeStatus,
    Person,
    ScheduledEventEnd,
)
from bot.ports import Activity, Claim, DigestContext, PromptContext
from bot.testing.tables import Tables

__all__ = ["InMemoryClubs", "InMemoryDigests", "InMemoryPrompts"]


class InMemoryClubs:
    def __init__(self, tables: Tables) -> None:
        self.t = tables

    async def by_id(self, club_id: int) -> Club | None:
        club = self.t.clubs.get(club_id)
        return copy.copy(club) if club is not None else None

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
        stored.digest_day, stored.digest_at = club.digest_day, club.digest_at

    async def delete(self, club_id: int) -> None:
        events = {i for i, e in self.t.club_events.items() if e.club_id == club_id}
        self.t.event_going = {k: v for k, v in self.t.event_going.items() if k[0] not in events}
        self.t.event_prompts = {
            i: p for i, p in self.t.event_prompts.items() if p.event_id not in events
        }
        for event_id in events:
            del self.t.club_events[event_id]
        self.t.club_organizers.pop(club_id, None)
        self.t.club_rules = {k: r for k, r in self.t.club_rules.items() if k[0] != club_id}
        self.t.club_digests = {i: d for i, d in self.t.club_digests.items() if d.club_id != club_id}
        self.t.event_ends = {i: e for i, e in self.t.event_ends.items() if e.club_id != club_id}
        self.t.clubs.pop(club_id, None)

    async def rules(self, club_id: int) -> dict[str, ClubRules]:
        return {what: r for (club, what), r in sorted(self.t.club_rules.items()) if club == club_id}

    async def set_rules(self, rules: ClubRules) -> None:
        self.t.club_rules[(rules.club_id, rules.what)] = rules

    async def reset_rules(self, club_id: int, what: str) -> bool:
        return self.t.club_rules.pop((club_id, what), None) is not None

    async def rules_by_channel(self) -> dict[tuple[str, str, str], list[ClubRules]]:
        found: dict[tuple[str, str, str], list[ClubRules]] = {}
        for (club_id, _), rules in sorted(self.t.club_rules.items()):
            club = self.t.clubs[club_id]
            found.setdefault((club.platform, club.workspace, club.channel), []).append(rules)
        return found

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

    async def add_scheduled_event(self, event: ClubEvent) -> ClubEvent | None:
        for stored in self.t.club_events.values():
            if (stored.club_id, stored.scheduled_event) == (event.club_id, event.scheduled_event):
                return None
        return await self.add_event(event)

    async def following(self, platform: str, workspace: str) -> Club | None:
        found = [
            c
            for c in self.t.clubs.values()
            if (c.platform, c.workspace) == (platform, workspace) and c.follows_scheduled_events
        ]
        return copy.copy(min(found, key=lambda c: c.id or 0)) if found else None

    async def follow_scheduled_events(self, club: Club, follow: bool) -> None:
        for stored in self.t.clubs.values():
            same = (stored.platform, stored.workspace) == (club.platform, club.workspace)
            if follow and same:
                stored.follows_scheduled_events = False
        self.t.clubs[club.id or 0].follows_scheduled_events = follow
        club.follows_scheduled_events = follow

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


Row = TypeVar("Row", EventPrompt, ClubDigest, ScheduledEventEnd)


def claim_rows(
    rows: dict[int, Row], claim: Claim, platform_of: Callable[[Row], str | None]
) -> list[Row]:
    """Claim due rows (pending and due, or sending with an expired lease), as SQL does."""

    def claimable(row: Row) -> bool:
        if row.status is NudgeStatus.PENDING:
            due = row.next_attempt_at is not None and row.next_attempt_at <= claim.now
        else:
            expired = (row.lease_expires_at or claim.now) < claim.now
            due = row.status is NudgeStatus.SENDING and expired
        return due and (claim.platforms is None or platform_of(row) in claim.platforms)

    found = sorted(
        (row for row in rows.values() if claimable(row)),
        key=lambda row: (row.next_attempt_at or row.due_at, row.id or 0),
    )[: claim.limit]
    for row in found:
        row.status = NudgeStatus.SENDING
        row.lease_owner, row.lease_expires_at = claim.owner, claim.lease_until
        row.attempts += 1
    return [copy.copy(row) for row in found]


def settle_rows(rows: dict[int, Row], settled: Sequence[Row], owner: str) -> None:
    for row in settled:
        stored = rows.get(row.id or 0)
        if stored is not None and stored.lease_owner == owner:
            rows[stored.id or 0] = copy.copy(row)


def next_due(rows: Iterable[EventPrompt | ClubDigest | ScheduledEventEnd]) -> datetime | None:
    times = [
        row.next_attempt_at if row.status is NudgeStatus.PENDING else row.lease_expires_at
        for row in rows
        if row.status in (NudgeStatus.PENDING, NudgeStatus.SENDING)
    ]
    found = [t for t in times if t is not None]
    return min(found) if found else None


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
        def platform(p: EventPrompt) -> str | None:
            person = self.t.people.get(p.person_id)
            return person.address.platform if person is not None else None

        return claim_rows(self.t.event_prompts, claim, platform)

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
        settle_rows(self.t.event_prompts, settled, owner)

    async def next_due_at(self) -> datetime | None:
        return next_due(self.t.event_prompts.values())

    async def logged_since(self, person_id: int, title: str, channel: str, since: datetime) -> bool:
        return any(
            c.person_id == person_id
            and (
                (c.event or "").lower() == title.lower()
                or (c.logged_in == channel and c.created_at >= since)
            )
            for c in self.t.conversations.values()
        )


class InMemoryDigests:
    def __init__(self, tables: Tables) -> None:
        self.t = tables

    async def plan(self, digests: Sequence[ClubDigest]) -> None:
        taken = {(d.club_id, d.key) for d in self.t.club_digests.values()}
        for digest in digests:
            if (digest.club_id, digest.key) in taken:
                continue
            digest.id = self.t.new_id()
            self.t.club_digests[digest.id] = copy.copy(digest)
            taken.add((digest.club_id, digest.key))

    async def drop_pending(self, club_id: int, kind: str, event_id: int | None = None) -> None:
        self.t.club_digests = {
            i: d
            for i, d in self.t.club_digests.items()
            if not (
                d.club_id == club_id
                and d.kind == kind
                and d.status is NudgeStatus.PENDING
                and d.attempts == 0
                and event_id in (None, d.event_id)
            )
        }

    async def claim_due(self, claim: Claim) -> list[ClubDigest]:
        def platform(d: ClubDigest) -> str | None:
            club = self.t.clubs.get(d.club_id)
            return club.platform if club is not None else None

        return claim_rows(self.t.club_digests, claim, platform)

    async def contexts(self, claimed: Sequence[ClubDigest]) -> dict[int, DigestContext]:
        found: dict[int, DigestContext] = {}
        for digest in claimed:
            club = self.t.clubs.get(digest.club_id)
            if digest.id not in self.t.club_digests or club is None:
                continue
            event = self.t.club_events.get(digest.event_id or 0)
            found[digest.id or 0] = DigestContext(
                digest, copy.copy(club), copy.copy(event) if event else None
            )
        return found

    async def settle(self, settled: Sequence[ClubDigest], owner: str) -> None:
        settle_rows(self.t.club_digests, settled, owner)

    async def next_due_at(self) -> datetime | None:
        return next_due(self.t.club_digests.values())

    async def activity(
        self, club: Club, event: ClubEvent | None, start: datetime, end: datetime
    ) -> list[Activity]:
        titles = {e.title.lower() for e in self.t.club_events.values() if e.club_id == club.id}
        found: list[Activity] = []
        for conversation in self.t.conversations.values():
            person = self.t.people.get(conversation.person_id)
            if person is None or (person.address.platform, person.address.workspace) != (
                club.platform,
                club.workspace,
            ):
                continue
            named = (conversation.event or "").lower()
            in_channel = conversation.logged_in == club.channel
            if event is not None:
                linked = named == event.title.lower() or (
                    in_channel
                    and event.starts_at - EVENT_MARGIN
                    <= conversation.met_at
                    <= event.ends_at + EVENT_MARGIN
                )
            else:
                linked = (in_channel or named in titles) and (
                    start <= conversation.created_at < end
                )
            if not linked:
                continue
            name = (person.name or person.display_name) if person.shoutouts else None
            follow_ups: list[FollowUp | None] = [
                f for f in self.t.follow_ups.values() if f.conversation_id == conversation.id
            ]
            for follow_up in follow_ups or [None]:
                found.append(
                    Activity(
                        person_id=conversation.person_id,
                        conversation_id=conversation.id or 0,
                        status=follow_up.status.value if follow_up else None,
                        closed_at=follow_up.closed_at if follow_up else None,
                        ideal_by=follow_up.ideal_by if follow_up else None,
                        kind=conversation.kind,
                        shoutout_name=name,
                    )
                )
        return found

    async def weekly_clubs(self) -> list[Club]:
        return [copy.copy(c) for _, c in sorted(self.t.clubs.items()) if c.digest_day is not None]


class InMemoryScheduledEventEnds:
    def __init__(self, tables: Tables) -> None:
        self.t = tables

    def _found(self, club_id: int, ref: str) -> ScheduledEventEnd | None:
        return next(
            (e for e in self.t.event_ends.values() if (e.club_id, e.ref) == (club_id, ref)), None
        )

    async def watch(self, end: ScheduledEventEnd) -> None:
        found = self._found(end.club_id, end.ref)
        if found is None:
            end.id = self.t.new_id()
            self.t.event_ends[end.id] = copy.copy(end)
        elif found.status is NudgeStatus.PENDING:
            found.due_at = end.due_at
            found.next_attempt_at = end.next_attempt_at

    async def close(self, club_id: int, ref: str, status: NudgeStatus, at: datetime) -> None:
        found = self._found(club_id, ref)
        if found is None:
            found = ScheduledEventEnd(club_id=club_id, ref=ref, due_at=at)
            found.id = self.t.new_id()
            self.t.event_ends[found.id] = found
        if found.status is NudgeStatus.PENDING:
            found.status = status
            found.sent_at = at if status is NudgeStatus.SENT else None

    async def claim_due(self, claim: Claim) -> list[ScheduledEventEnd]:
        def platform(e: ScheduledEventEnd) -> str | None:
            club = self.t.clubs.get(e.club_id)
            return club.platform if club is not None else None

        return claim_rows(self.t.event_ends, claim, platform)

    async def settle(self, settled: Sequence[ScheduledEventEnd], owner: str) -> None:
        settle_rows(self.t.event_ends, settled, owner)

    async def next_due_at(self) -> datetime | None:
        return next_due(self.t.event_ends.values())
