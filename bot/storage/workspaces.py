"""The Workspaces repository on SQL: Slack teams and Discord servers."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, select

from bot.domain import Workspace
from bot.storage.engine import Repository, dialect_insert
from bot.storage.mapping import workspace_from, workspace_values
from bot.storage.schema import workspaces

__all__ = ["SqlWorkspaces"]


class SqlWorkspaces(Repository):
    async def get(self, platform: str, workspace_id: str) -> Workspace | None:
        rows = await self.db.execute(_ONE, {"platform": platform, "id": workspace_id})
        row = rows.tuples().first()
        return workspace_from(row) if row else None

    async def save(self, workspace: Workspace) -> None:
        upsert = dialect_insert(self.db, workspaces).values(workspace_values(workspace))
        await self.db.execute(
            upsert.on_conflict_do_update(
                index_elements=[workspaces.c.platform, workspaces.c.id],
                set_={k: upsert.excluded[k] for k in ("default_timezone", "undeliverable")},
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


_ONE = select(workspaces).where(
    workspaces.c.platform == bindparam("platform"), workspaces.c.id == bindparam("id")
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
