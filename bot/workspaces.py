"""Whether a workspace (a Slack team, a Discord server) still has the app: what adapters learn
from their platform's events, kept in the workspace's record so the dispatcher and every replica
see it.

An uninstall marks the workspace `undeliverable`: the dispatcher cancels its nudges before
trying them. Installing the app again lifts the mark. Adapters reach storage only through this.
"""

from __future__ import annotations

from dataclasses import replace

from bot.clock import Clock
from bot.domain import Workspace
from bot.ports import Storage

__all__ = ["Installs"]


class Installs:
    """The app's installs, by (platform, workspace id)."""

    def __init__(self, storage: Storage, clock: Clock) -> None:
        self.storage = storage
        self.clock = clock

    async def removed(self, platform: str, workspace_id: str, *, reason: str) -> None:
        """The app was removed from the workspace (or its token is dead): DMs to its members
        stop, here and in every replica, until `installed`. Its other settings are kept."""
        async with self.storage.session() as uow:
            known = await uow.workspaces.get(platform, workspace_id)
            workspace = known or Workspace(platform, workspace_id)
            await uow.workspaces.save(replace(workspace, undeliverable=reason))

    async def installed(self, platform: str, workspace_id: str) -> bool:
        """The app is installed in the workspace again (or its token works): DMs resume. True
        when that lifted a stop."""
        async with self.storage.session() as uow:
            known = await uow.workspaces.get(platform, workspace_id)
            if known is None or not known.undeliverable:
                return False
            await uow.workspaces.save(replace(known, undeliverable=None))
        return True

    async def closed(self, platform: str, workspace_id: str) -> bool:
        """Whether DMs to the workspace are stopped (the app was removed)."""
        async with self.storage.session() as uow:
            known = await uow.workspaces.get(platform, workspace_id)
        return known is not None and bool(known.undeliverable)
