"""Short values adapters keep across restarts and replicas, through the core: a request already
handled (a claim that exactly one replica wins), a digest of what was last registered with the
platform. Each key is the adapter's own; values that only matter for a while are forgotten.
"""

from __future__ import annotations

from datetime import timedelta

from bot.clock import Clock
from bot.ports import Storage

__all__ = ["SharedState"]


class SharedState:
    """The bot's key/value state in the database, with the bot's clock."""

    def __init__(self, storage: Storage, clock: Clock) -> None:
        self.storage = storage
        self.clock = clock

    async def recall(self, key: str) -> str | None:
        """The value kept under `key`, or None."""
        async with self.storage.session() as uow:
            return await uow.state.get(key)

    async def remember(self, key: str, value: str) -> None:
        """Keep `value` under `key`, replacing what was there."""
        async with self.storage.session() as uow:
            await uow.state.set(key, value, self.clock.now())

    async def claim(self, key: str, *, forget: tuple[str, timedelta] | None = None) -> bool:
        """Claim `key`: True for the one caller, of all replicas, that claimed it first. With
        `forget` (prefix, age), claims under that prefix older than that age are dropped in the
        same transaction (the adapter decides how often: a DELETE costs a write)."""
        now = self.clock.now()
        async with self.storage.session() as uow:
            # One statement: of replicas claiming the same key at once, exactly one wins.
            claimed = await uow.state.add(key, now.isoformat(), now)
            if forget is not None:
                prefix, age = forget
                await uow.state.forget_older(prefix, now - age)
        return claimed
