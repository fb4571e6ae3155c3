"""The in-memory fakes of the workspaces, of the bot's own values and of the calendar
subscriptions (see `bot.testing.storage`, whose unit of work holds them)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime

from bot.domain import Person, Workspace, clip_reason
from bot.testing.tables import Tables

__all__ = ["InMemoryBotState", "InMemoryCalendarFeeds", "InMemoryWorkspaces"]


class InMemoryWorkspaces:
    def __init__(self, tables: Tables) -> None:
        self.t = tables

    async def get(self, platform: str, workspace_id: str) -> Workspace | None:
        found = self.t.workspaces.get((platform, workspace_id))
        return copy.copy(found) if found else None

    async def set_default_zone(self, platform: str, workspace_id: str, zone: str | None) -> None:
        self._row(platform, workspace_id).default_timezone = zone

    async def mark_undeliverable(
        self, keys: Sequence[tuple[str, str]], reason: str, *, at: datetime
    ) -> None:
        for platform, workspace_id in keys:
            row = self._row(platform, workspace_id)
            row.undeliverable = clip_reason(reason)
            row.undeliverable_since = row.undeliverable_since or at

    async def clear_undeliverable(self, platform: str, workspace_id: str) -> bool:
        found = self.t.workspaces.get((platform, workspace_id))
        if found is None or found.undeliverable is None:
            return False
        found.undeliverable = found.undeliverable_since = None
        return True

    async def gone_since(self, cutoff: datetime) -> list[tuple[str, str]]:
        return [
            key
            for key, w in self.t.workspaces.items()
            if w.undeliverable is not None
            and w.undeliverable_since is not None
            and w.undeliverable_since < cutoff
        ]

    async def forget(self, platform: str, workspace_id: str) -> None:
        self.t.workspaces.pop((platform, workspace_id), None)

    def _row(self, platform: str, workspace_id: str) -> Workspace:
        """The workspace's stored record itself (not a copy), added if new: like an upsert."""
        return self.t.workspaces.setdefault(
            (platform, workspace_id), Workspace(platform, workspace_id)
        )

    async def undeliverable(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        found = {key: self.t.workspaces.get(key) for key in keys}
        return {k: w.undeliverable for k, w in found.items() if w and w.undeliverable is not None}


class InMemoryBotState:
    def __init__(self, tables: Tables) -> None:
        self.t = tables

    async def get(self, key: str) -> str | None:
        return self.t.values.get(key)

    async def set(self, key: str, value: str, now: datetime) -> None:
        self.t.values[key] = value
        self.t.values_updated[key] = now

    async def hold(self, key: str, now: datetime) -> str | None:
        # One unit of work at a time in memory: nothing else can change it meanwhile.
        return await self.get(key)

    async def add(self, key: str, value: str, now: datetime) -> bool:
        if key in self.t.values:
            return False
        await self.set(key, value, now)
        return True

    async def forget_older(self, prefix: str, updated_before: datetime) -> int:
        old = [
            key
            for key, updated in self.t.values_updated.items()
            if key.startswith(prefix) and updated < updated_before
        ]
        for key in old:
            del self.t.values[key], self.t.values_updated[key]
        return len(old)

    async def take_turn(self, key: str, now: float, spacing: float) -> float:
        turn = max(self.t.pace_turns.get(key, now), now)
        self.t.pace_turns[key] = turn + spacing
        return turn

    async def forget_keys_ending(self, suffix: str) -> int:
        values = [key for key in self.t.values if key.endswith(suffix)]
        turns = [key for key in self.t.pace_turns if key.endswith(suffix)]
        for key in values:
            del self.t.values[key], self.t.values_updated[key]
        for key in turns:
            del self.t.pace_turns[key]
        return len(values) + len(turns)


class InMemoryCalendarFeeds:
    def __init__(self, tables: Tables) -> None:
        self.t = tables

    async def replace(self, person_id: int, token_hash: str, now: datetime) -> None:
        self.t.calendar_feeds = {h: p for h, p in self.t.calendar_feeds.items() if p != person_id}
        self.t.calendar_feeds[token_hash] = person_id

    async def exists(self, person_id: int) -> bool:
        return person_id in self.t.calendar_feeds.values()

    async def owner(self, token_hash: str) -> Person | None:
        person_id = self.t.calendar_feeds.get(token_hash)
        return copy.copy(self.t.people[person_id]) if person_id is not None else None
