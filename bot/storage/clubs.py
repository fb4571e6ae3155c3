"""The Clubs repository on SQL: club channels, their organizers, events and who is going."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update

from bot.domain import Club, ClubEvent, ClubRules, Person
from bot.storage.engine import Repository, dialect_insert
from bot.storage.mapping import person_from
from bot.storage.schema import (
    club_digests,
    club_events,
    club_organizers,
    club_rules,
    clubs,
    event_going,
    event_prompts,
    people,
    scheduled_event_ends,
)

__all__ = ["SqlClubs", "club_from", "event_from"]


def club_from(row: Any) -> Club:
    """A club from its row (or the row's values by column name)."""
    values = row if isinstance(row, dict) else row._mapping
    return Club(
        platform=values["platform"],
        workspace=values["workspace"],
        channel=values["channel"],
        name=values["name"],
        timezone=values["timezone"],
        created_by=values["created_by"],
        created_at=values["created_at"],
        digest_day=values["digest_day"],
        digest_at=values["digest_at"],
        follows_scheduled_events=values["follows_scheduled_events"],
        id=values["id"],
    )


def _event_values(event: ClubEvent) -> dict[str, Any]:
    return {
        "title": event.title,
        "kind": event.kind,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "companies": "\n".join(event.companies),
        "cancelled": event.cancelled,
        "post_ref": event.post_ref,
    }


def _new_event_values(event: ClubEvent) -> dict[str, Any]:
    """A new event's row: what an edit writes, and what never changes after."""
    return _event_values(event) | {
        "club_id": event.club_id,
        "created_by": event.created_by,
        "created_at": event.created_at,
        "scheduled_event": event.scheduled_event,
    }


def event_from(row: Any) -> ClubEvent:
    """An event from its row (or the row's values by column name)."""
    values = row if isinstance(row, dict) else row._mapping
    return ClubEvent(
        club_id=values["club_id"],
        title=values["title"],
        kind=values["kind"],
        starts_at=values["starts_at"],
        ends_at=values["ends_at"],
        created_by=values["created_by"],
        created_at=values["created_at"],
        companies=tuple(c for c in values["companies"].split("\n") if c),
        cancelled=values["cancelled"],
        post_ref=values["post_ref"],
        scheduled_event=values["scheduled_event"],
        id=values["id"],
    )


def _rules_from(row: Any) -> ClubRules:
    return ClubRules(row.club_id, row.what, row.toml, row.set_by, row.set_at)


class SqlClubs(Repository):
    async def by_id(self, club_id: int) -> Club | None:
        rows = await self.db.execute(select(clubs).where(clubs.c.id == club_id))
        row = rows.first()
        return club_from(row) if row else None

    async def get(self, platform: str, workspace: str, channel: str) -> Club | None:
        rows = await self.db.execute(
            select(clubs).where(
                clubs.c.platform == platform,
                clubs.c.workspace == workspace,
                clubs.c.channel == channel,
            )
        )
        row = rows.first()
        return club_from(row) if row else None

    async def add(self, club: Club) -> Club:
        values = {
            "platform": club.platform,
            "workspace": club.workspace,
            "channel": club.channel,
            "name": club.name,
            "timezone": club.timezone,
            "created_by": club.created_by,
            "created_at": club.created_at,
        }
        # Two set-ups of one channel at once: the second adds nothing and reads the first.
        added = await self.db.execute(
            dialect_insert(self.db, clubs)
            .values(values)
            .on_conflict_do_nothing(
                index_elements=[clubs.c.platform, clubs.c.workspace, clubs.c.channel]
            )
            .returning(clubs.c.id)
        )
        club_id = added.scalar_one_or_none()
        if club_id is None:
            stored = await self.get(club.platform, club.workspace, club.channel)
            assert stored is not None, "the conflicting club is committed before we read it"
            return stored
        club.id = club_id
        return club

    async def update(self, club: Club) -> None:
        await self.db.execute(
            update(clubs)
            .where(clubs.c.id == club.id)
            .values(
                name=club.name,
                timezone=club.timezone,
                digest_day=club.digest_day,
                digest_at=club.digest_at,
            )
        )

    async def delete(self, club_id: int) -> None:
        # The rows that refer to it go with it, without relying on the database's cascades
        # (SQLite enforces them only with foreign keys switched on).
        events = select(club_events.c.id).where(club_events.c.club_id == club_id)
        await self.db.execute(delete(event_going).where(event_going.c.event_id.in_(events)))
        await self.db.execute(delete(event_prompts).where(event_prompts.c.event_id.in_(events)))
        await self.db.execute(delete(club_digests).where(club_digests.c.club_id == club_id))
        await self.db.execute(
            delete(scheduled_event_ends).where(scheduled_event_ends.c.club_id == club_id)
        )
        await self.db.execute(delete(club_events).where(club_events.c.club_id == club_id))
        await self.db.execute(delete(club_organizers).where(club_organizers.c.club_id == club_id))
        await self.db.execute(delete(club_rules).where(club_rules.c.club_id == club_id))
        await self.db.execute(delete(clubs).where(clubs.c.id == club_id))

    async def rules(self, club_id: int) -> dict[str, ClubRules]:
        rows = await self.db.execute(select(club_rules).where(club_rules.c.club_id == club_id))
        return {row.what: _rules_from(row) for row in rows}

    async def set_rules(self, rules: ClubRules) -> None:
        values = {"toml": rules.toml, "set_by": rules.set_by, "set_at": rules.set_at}
        await self.db.execute(
            dialect_insert(self.db, club_rules)
            .values(club_id=rules.club_id, what=rules.what, **values)
            .on_conflict_do_update(
                index_elements=[club_rules.c.club_id, club_rules.c.what], set_=values
            )
        )

    async def reset_rules(self, club_id: int, what: str) -> bool:
        removed = await self.db.execute(
            delete(club_rules).where(club_rules.c.club_id == club_id, club_rules.c.what == what)
        )
        return bool(removed.rowcount == 1)

    async def rules_by_channel(self) -> dict[tuple[str, str, str], list[ClubRules]]:
        rows = await self.db.execute(
            select(club_rules, clubs.c.platform, clubs.c.workspace, clubs.c.channel)
            .join(clubs, clubs.c.id == club_rules.c.club_id)
            .order_by(club_rules.c.club_id, club_rules.c.what)
        )
        found: dict[tuple[str, str, str], list[ClubRules]] = {}
        for row in rows:
            found.setdefault((row.platform, row.workspace, row.channel), []).append(
                _rules_from(row)
            )
        return found

    async def organizers(self, club_id: int) -> list[str]:
        rows = await self.db.execute(
            select(club_organizers.c.user_id).where(club_organizers.c.club_id == club_id)
        )
        return sorted(rows.scalars().all())

    async def add_organizer(self, club_id: int, user_id: str) -> bool:
        added = await self.db.execute(
            dialect_insert(self.db, club_organizers)
            .values(club_id=club_id, user_id=user_id)
            .on_conflict_do_nothing()
        )
        return bool(added.rowcount == 1)

    async def remove_organizer(self, club_id: int, user_id: str) -> bool:
        removed = await self.db.execute(
            delete(club_organizers).where(
                club_organizers.c.club_id == club_id, club_organizers.c.user_id == user_id
            )
        )
        return bool(removed.rowcount == 1)

    async def add_event(self, event: ClubEvent) -> ClubEvent:
        added = await self.db.execute(
            club_events.insert().values(_new_event_values(event)).returning(club_events.c.id)
        )
        event.id = added.scalar_one()
        return event

    async def add_scheduled_event(self, event: ClubEvent) -> ClubEvent | None:
        # Discord may say an event ended twice (and two replicas hear it): stored once.
        added = await self.db.execute(
            dialect_insert(self.db, club_events)
            .values(_new_event_values(event))
            .on_conflict_do_nothing(
                index_elements=[club_events.c.club_id, club_events.c.scheduled_event]
            )
            .returning(club_events.c.id)
        )
        event.id = added.scalar_one_or_none()
        return event if event.id is not None else None

    async def following(self, platform: str, workspace: str) -> Club | None:
        rows = await self.db.execute(
            select(clubs)
            .where(
                clubs.c.platform == platform,
                clubs.c.workspace == workspace,
                clubs.c.follows_scheduled_events.is_(True),
            )
            .order_by(clubs.c.id)
        )
        row = rows.first()
        return club_from(row) if row else None

    async def follow_scheduled_events(self, club: Club, follow: bool) -> None:
        if follow:
            # One club a server follows them: the others stop.
            await self.db.execute(
                update(clubs)
                .where(clubs.c.platform == club.platform, clubs.c.workspace == club.workspace)
                .values(follows_scheduled_events=False)
            )
        await self.db.execute(
            update(clubs).where(clubs.c.id == club.id).values(follows_scheduled_events=follow)
        )
        club.follows_scheduled_events = follow

    async def update_event(self, event: ClubEvent) -> None:
        await self.db.execute(
            update(club_events).where(club_events.c.id == event.id).values(_event_values(event))
        )

    async def set_post_ref(self, event_id: int, ref: str) -> None:
        await self.db.execute(
            update(club_events).where(club_events.c.id == event_id).values(post_ref=ref)
        )

    async def event(self, club_id: int, event_id: int) -> ClubEvent | None:
        rows = await self.db.execute(
            select(club_events).where(
                club_events.c.id == event_id, club_events.c.club_id == club_id
            )
        )
        row = rows.first()
        return event_from(row) if row else None

    async def events_between(self, club_id: int, start: datetime, end: datetime) -> list[ClubEvent]:
        rows = await self.db.execute(
            select(club_events)
            .where(
                club_events.c.club_id == club_id,
                club_events.c.ends_at >= start,
                club_events.c.starts_at <= end,
            )
            .order_by(club_events.c.starts_at, club_events.c.id)
        )
        return [event_from(row) for row in rows]

    async def set_going(self, event_id: int, person_id: int, going: bool, at: datetime) -> bool:
        if going:
            changed = await self.db.execute(
                dialect_insert(self.db, event_going)
                .values(event_id=event_id, person_id=person_id, at=at)
                .on_conflict_do_nothing()
            )
        else:
            changed = await self.db.execute(
                delete(event_going).where(
                    event_going.c.event_id == event_id, event_going.c.person_id == person_id
                )
            )
        return bool(changed.rowcount == 1)

    async def going_people(self, event_id: int) -> list[Person]:
        rows = await self.db.execute(
            select(people)
            .join(event_going, event_going.c.person_id == people.c.id)
            .where(event_going.c.event_id == event_id)
            .order_by(people.c.id)
        )
        return [person_from(row) for row in rows.tuples()]

    async def going_event(self, event_id: int, person_id: int) -> ClubEvent | None:
        rows = await self.db.execute(
            select(club_events)
            .join(event_going, event_going.c.event_id == club_events.c.id)
            .where(club_events.c.id == event_id, event_going.c.person_id == person_id)
        )
        row = rows.first()
        return event_from(row) if row else None

    async def is_going(self, event_id: int, person_id: int) -> bool:
        rows = await self.db.execute(
            select(event_going.c.person_id).where(
                event_going.c.event_id == event_id, event_going.c.person_id == person_id
            )
        )
        return rows.first() is not None

    async def going_counts(self, event_ids: Sequence[int]) -> dict[int, int]:
        if not event_ids:
            return {}
        rows = await self.db.execute(
            select(event_going.c.event_id, func.count())
            .where(event_going.c.event_id.in_(list(event_ids)))
            .group_by(event_going.c.event_id)
        )
        return {event_id: count for event_id, count in rows.tuples()}
