"""Pacing: send no faster than each platform allows, in due order, dropping nothing.

A `PaceRule` says which key a DM counts against and how many sends that key may have per
period. Each adapter states its platform's rules (its runtime's `pace_rules`): Discord allows a
bot about 50 requests a second across all its processes; Slack about one message a second per
DM channel and a few hundred a minute per workspace.

- A rule that is *local* is kept in this process with a GCRA schedule (each send reserves the
  next free slot, so waiters go in the order they asked: due order).
- A rule that is *shared* keeps that schedule in the database, so all replicas together stay
  under the limit: taking a turn is one upsert that moves the key's next free turn on by one
  interval (from now, if it has passed) and returns the turn's start. This was chosen over
  counts per window, which let a flood starting mid-window send that window's unused slots at
  once on top of the next window's (twice the limit within one period), and over an advisory
  lock per send, which would hold a lock across a network call. It costs one short statement
  per DM and works the same on SQLite and PostgreSQL; any stretch of one period holds at most
  the limit and one.

Rate limits are about real time, so pacing uses the monotonic and wall clocks (injectable for
tests), not the bot's `Clock`, which the console moves by hand.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from bot.domain import Person
from bot.ports import Storage

__all__ = ["NoPacing", "PaceRule", "Pacer", "PlatformPacer"]

Sleep = Callable[[float], Awaitable[None]]


class Pacer(Protocol):
    async def wait_turn(self, to: Person, requests: int = 1) -> None:
        """Return when a DM to `to`, which makes `requests` requests, may be sent."""
        ...


class NoPacing:
    """For the console and tests: every turn is now."""

    async def wait_turn(self, to: Person, requests: int = 1) -> None:
        return None


@dataclass(frozen=True)
class PaceRule:
    """`count` sends per `per` for each key; `key` may use {platform}, {workspace}, {user}."""

    key: str
    count: int
    per: timedelta
    shared: bool = False
    # True when the limit counts every request a DM makes, not only the message itself.
    counts_requests: bool = False

    def key_for(self, to: Person) -> str:
        address = to.address
        return self.key.format(
            platform=address.platform, workspace=address.workspace, user=address.user
        )


class _Schedule:
    """GCRA: a theoretical arrival time that each send moves on by one interval."""

    def __init__(self, rule: PaceRule) -> None:
        self.interval = rule.per.total_seconds() / rule.count
        self.next_free = float("-inf")

    def reserve(self, now: float, slots: int = 1) -> float:
        """Seconds to wait for the next `slots` slots, which are now this caller's."""
        slot = max(self.next_free, now)
        self.next_free = slot + self.interval * slots
        return slot - now


class PlatformPacer:
    """Applies `rules` by the recipient's platform. Shared rules need `storage`."""

    def __init__(
        self,
        rules: Mapping[str, Sequence[PaceRule]],
        *,
        storage: Storage | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.rules = rules
        self.storage = storage
        self.monotonic = monotonic
        self.wall = wall
        self.sleep = sleep
        self._schedules: dict[str, _Schedule] = {}
        self._shared_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def wait_turn(self, to: Person, requests: int = 1) -> None:
        for rule in self.rules.get(to.address.platform, ()):
            key = rule.key_for(to)
            # A rule counts messages (Slack's per-channel limit) or requests (Discord's).
            slots = requests if rule.counts_requests else 1
            if rule.shared and self.storage is not None:
                await self._take_shared(key, rule, slots)
            else:
                schedule = self._schedules.get(key)
                if schedule is None:
                    schedule = self._schedules[key] = _Schedule(rule)
                delay = schedule.reserve(self.monotonic(), slots)
                if delay > 0:
                    await self.sleep(delay)

    async def _take_shared(self, key: str, rule: PaceRule, slots: int) -> None:
        assert self.storage is not None
        spacing = rule.per.total_seconds() / rule.count * slots
        # One turn-taking at a time per key in this process, so its DMs get turns in the order
        # they asked (due order); the wait for the turn is outside, so it doesn't queue them.
        async with self._shared_locks[key], self.storage.session() as uow:
            start = await uow.state.take_turn(key, self.wall(), spacing)
        wait = start - self.wall()
        if wait > 0:
            await self.sleep(wait)
