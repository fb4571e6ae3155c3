"""The Workspaces repository on SQL: Slack teams and Discord servers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update

from bot.domain import Workspace, clip_reason
from bot.storage.engine import Repository, dialect_insert
from bot.storage.mapping import workspace_from
from bot.storage.schema import workspaces

__all__ = ["SqlWorkspaces"]


class SqlWorkspaces(Repository):
    async def get(self, platform: str, workspace_id: str) -> Workspace | None:
        rows = await self.db.execute(_ONE, {"key_platform": platform, "key_id": workspace_id})
        row = rows.tuples().first()
        return workspace_from(row) if row else None

    async def set_default_zone(self, platform: str, workspace_id: str, zone: str | None) -> None:
        await self._upsert([(platform, workspace_id)], "default_timezone", zone)

    async def mark_undeliverable(
        self, keys: Sequence[tuple[str, str]], reason: str, *, at: datetime
    ) -> None:
        await self._upsert(keys, "undeliverable", clip_reason(reason), since=at)

    async def gone_since(self, cutoff: datetime) -> list[tuple[str, str]]:
        rows = await self.db.execute(
            select(workspaces.c.platform, workspaces.c.id).where(
                workspaces.c.undeliverable.is_not(None),
                workspaces.c.undeliverable_since < cutoff,
            )
        )
        return [(platform, workspace_id) for platform, workspace_id in rows.tuples()]

    async def forget(self, platform: str, workspace_id: str) -> None:
        await self.db.execute(
            delete(workspaces).where(
                workspaces.c.platform == platform, workspaces.c.id == workspace_id
            )
        )

    async def clear_undeliverable(self, platform: str, workspace_id: str) -> bool:
        cleared = await self.db.execute(_CLEAR, {"key_platform": platform, "key_id": workspace_id})
        return bool(cleared.rowcount == 1)

    async def _upsert(
        self,
        keys: Sequence[tuple[str, str]],
        column: str,
        value: str | None,
        *,
        since: datetime | None = None,
    ) -> None:
        """Set one column of these workspaces, adding those not yet known, in one statement:
        their other columns stay as they are, with no read for another writer to race. With
        `since`, the undeliverable mark's time is set too, unless one is kept already."""
        # Each once (PostgreSQL refuses to update a row twice in one statement), in one order
        # (so that two replicas marking the same workspaces lock them alike, never a deadlock).
        extra = {"undeliverable_since": since} if since is not None else {}
        rows = [{"platform": p, "id": i, column: value, **extra} for p, i in sorted(set(keys))]
        if not rows:
            return
        upsert = dialect_insert(self.db, workspaces).values(rows)
        changes: dict[str, Any] = {column: upsert.excluded[column]}
        if since is not None:
            changes["undeliverable_since"] = func.coalesce(
                workspaces.c.undeliverable_since, upsert.excluded.undeliverable_since
            )
        await self.db.execute(
            upsert.on_conflict_do_update(
                index_elements=[workspaces.c.platform, workspaces.c.id], set_=changes
            )
        )

    async def undeliverable(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        if not keys:
            return {}
        asked = set(keys)
        platforms = sorted({platform for platform, _ in asked})
        ids = sorted({workspace_id for _, workspace_id in asked})
        rows = await self.db.execute(_UNDELIVERABLE, {"platforms": platforms, "ids": ids})
        # The two lists also pair one asked workspace's platform with another's id.
        return {(p, i): reason for p, i, reason in rows.tuples() if (p, i) in asked}


# Bound names apart from the columns': an UPDATE keeps those for its SET clause.
_THE_ONE = (
    workspaces.c.platform == bindparam("key_platform"),
    workspaces.c.id == bindparam("key_id"),
)
_ONE = select(workspaces).where(*_THE_ONE)
# Only a marked row changes, so the count says whether the mark was there.
_CLEAR = (
    update(workspaces)
    .where(*_THE_ONE, workspaces.c.undeliverable.is_not(None))
    .values(undeliverable=None, undeliverable_since=None)
)

# Asked with every dispatch batch, so built once: the batch's workspaces, only those marked
# (most are not, and then no row comes back). Platforms IN (...) AND ids IN (...) is a lookup
# in the primary key's index on SQLite and PostgreSQL alike; a row-value IN ((p, id), ...)
# scans the whole table on SQLite.
_UNDELIVERABLE = select(workspaces.c.platform, workspaces.c.id, workspaces.c.undeliverable).where(
    workspaces.c.platform.in_(bindparam("platforms", expanding=True)),
    workspaces.c.id.in_(bindparam("ids", expanding=True)),
    workspaces.c.undeliverable.is_not(None),
)
