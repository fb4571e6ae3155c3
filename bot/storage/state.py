"""The BotState repository on SQL: short values the bot keeps for itself, and shared rate
windows (see `bot.pacing`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select, update

from bot.storage.engine import Repository, dialect_insert
from bot.storage.schema import bot_state, rate_windows

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

    async def take_rate_slot(self, key: str, window: int, limit: int) -> bool:
        upsert = dialect_insert(self.db, rate_windows)
        # Count this send only while the window has room; a full window updates no row.
        statement = upsert.values(key=key, window_start=window, used=1).on_conflict_do_update(
            index_elements=[rate_windows.c.key, rate_windows.c.window_start],
            set_={"used": rate_windows.c.used + 1},
            where=rate_windows.c.used < limit,
        )
        used = (await self.db.execute(statement.returning(rate_windows.c.used))).scalar()
        if used == 1:
            # The first send of a window tidies the key's old windows away.
            await self.db.execute(
                delete(rate_windows).where(
                    rate_windows.c.key == key, rate_windows.c.window_start < window - 2
                )
            )
        return used is not None

    async def forget_keys_ending(self, suffix: str) -> int:
        count = 0
        for table in (bot_state, rate_windows):
            deleted = await self.db.execute(
                delete(table).where(table.c.key.endswith(suffix, autoescape=True))
            )
            count += deleted.rowcount
        return count
