"""The BotState repository on SQL: short values the bot keeps for itself, and the shared
schedules of pace rules (see `bot.pacing`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, delete, insert, select, update

from bot.storage.engine import Repository, dialect_insert
from bot.storage.schema import bot_state, pace_turns

__all__ = ["SqlBotState"]


class SqlBotState(Repository):
    async def get(self, key: str) -> str | None:
        row = await self.db.execute(select(bot_state.c.value).where(bot_state.c.key == key))
        value: str | None = row.scalar_one_or_none()
        return value

    async def set(self, key: str, value: str, now: datetime) -> None:
        updated = await self.db.execute(
            update(bot_state).where(bot_state.c.key == key).values(value=value, updated_at=now)
        )
        if updated.rowcount == 0:
            await self.db.execute(insert(bot_state).values(key=key, value=value, updated_at=now))

    async def hold(self, key: str, now: datetime) -> str | None:
        # A row to lock even for a key never kept (an empty value reads as none); a replica
        # adding it at the same moment makes this insert wait for its transaction.
        await self.add(key, "", now)
        row = await self.db.execute(
            select(bot_state.c.value).where(bot_state.c.key == key).with_for_update()
        )
        value: str = row.scalar_one()
        return value or None

    async def add(self, key: str, value: str, now: datetime) -> bool:
        # ON CONFLICT DO NOTHING: of replicas adding one key at once, the database lets one in.
        added = await self.db.execute(
            dialect_insert(self.db, bot_state)
            .values(key=key, value=value, updated_at=now)
            .on_conflict_do_nothing(index_elements=[bot_state.c.key])
        )
        return bool(added.rowcount == 1)

    async def forget_older(self, prefix: str, updated_before: datetime) -> int:
        deleted = await self.db.execute(
            delete(bot_state).where(
                bot_state.c.key.startswith(prefix, autoescape=True),
                bot_state.c.updated_at < updated_before,
            )
        )
        count: int = deleted.rowcount
        return count

    async def take_turn(self, key: str, now: float, spacing: float) -> float:
        table = pace_turns
        # One statement, so replicas taking turns at once each get their own: the row is locked
        # by the upsert until the transaction ends.
        later = case((table.c.next_free > now, table.c.next_free), else_=now) + spacing
        statement = (
            dialect_insert(self.db, table)
            .values(key=key, next_free=now + spacing)
            .on_conflict_do_update(index_elements=[table.c.key], set_={"next_free": later})
            .returning(table.c.next_free)
        )
        next_free = float((await self.db.execute(statement)).scalar_one())
        return next_free - spacing

    async def forget_keys_ending(self, suffix: str) -> int:
        count = 0
        for table in (bot_state, pace_turns):
            deleted = await self.db.execute(
                delete(table).where(table.c.key.endswith(suffix, autoescape=True))
            )
            count += deleted.rowcount
        return count
