"""Whether a workspace (a Slack team, a Discord server) still has the app: what adapters learn
from their platform's events, kept in the workspace's record so the dispatcher and every replica
see it.

An uninstall marks the workspace `undeliverable`: the dispatcher cancels its nudges before
trying them. Installing the app again lifts the mark. Adapters reach storage only through this.
"""

from __future__ import annotations

from bot.clock import Clock
from bot.ports import Storage

__all__ = ["Installs"]


class Installs:
    """The app's installs, by (platform, workspace id)."""

    def __init__(self, storage: Storage, clock: Clock) -> None:
        self.storage = storage
        self.clock = clock

    async def removed(self, platform: str, workspace_id: str, *, reason: str) -> None:
        """The app was removed from the workspace (or its token is dead): DMs to its members
        stop, here and in every replica, until `installed`. Its other settings are kept; its
        members' data is deleted after the uninstall grace unless it comes back
        (`bot.retention`)."""
        async with self.storage.session() as uow:
            await uow.workspaces.mark_undeliverable(
                [(platform, workspace_id)], reason, at=self.clock.now()
            )

    async def installed(self, platform: str, workspace_id: str) -> bool:
        """The app is installed in the workspace again (or its token works): DMs resume. True
        when that lifted a stop."""
        async with self.storage.session() as uow:
            return await uow.workspaces.clear_undeliverable(platform, workspace_id)

    async def closed(self, platform: str, workspace_id: str) -> bool:
        """Whether DMs to the workspace are stopped (the app was removed)."""
        key = (platform, workspace_id)
        async with self.storage.session() as uow:
            return key in await uow.workspaces.undeliverable([key])
