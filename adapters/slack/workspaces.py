"""Which token speaks to a workspace, and whether the app is still installed there.

One workspace: the configured bot token. OAuth installs: the latest bot token slack_sdk's
installation store saved for the workspace, in our database. When a workspace uninstalls the app
or revokes its tokens, `remove` stops every send to it at once, in this process (memory) and in
every replica (the core marks the workspace undeliverable: `bot.workspaces.Installs`, which the
dispatcher reads before each DM); installing again lifts the mark.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import (
    AsyncSQLAlchemyInstallationStore,
    SQLAlchemyInstallationStore,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.slack import PLATFORM
from bot.workspaces import Installs

__all__ = ["InstallationStore", "Workspaces", "workspace_of"]

log = logging.getLogger(__name__)

# How long this process trusts its own "removed" finding before asking the database again:
# a reinstall handled by another replica lifts the mark there.
REMOVED_RECHECK = timedelta(seconds=30)


def workspace_of(
    *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None
) -> str | None:
    """The workspace part of a Slack address: the enterprise for an org-wide install (one
    install, one token for every workspace of the org), the team otherwise."""
    if is_enterprise_install and enterprise_id:
        return enterprise_id
    return team_id or enterprise_id


class InstallationStore(AsyncSQLAlchemyInstallationStore):
    """slack_sdk's SQLAlchemy installation store on our engine (tables by our migration 0004),
    which also tells `Workspaces` when a workspace installs the app again."""

    def __init__(self, client_id: str, engine: AsyncEngine, workspaces: Workspaces) -> None:
        super().__init__(client_id=client_id, engine=engine, logger=log)
        self.workspaces = workspaces

    async def async_save(self, installation: Installation) -> None:
        await super().async_save(installation)
        workspace = workspace_of(
            enterprise_id=installation.enterprise_id,
            team_id=installation.team_id,
            is_enterprise_install=installation.is_enterprise_install,
        )
        if workspace is not None:
            await self.workspaces.restore(workspace)
            log.info("Slack: installed in workspace %s", workspace)

    async def bot_for(self, workspace: str) -> Bot | None:
        """The latest bot install that speaks to `workspace`: an org-wide install when it is an
        enterprise id, else the team's own (whatever enterprise it belongs to)."""
        c = self.bots.c
        query = (
            self.bots.select()
            .where(
                c.client_id == self.client_id,
                c.bot_token.is_not(None),
                sqlalchemy.or_(
                    c.team_id == workspace,
                    sqlalchemy.and_(c.enterprise_id == workspace, c.team_id.is_(None)),
                ),
            )
            .order_by(sqlalchemy.desc(c.installed_at))
            .limit(1)
        )
        async with self.engine.connect() as connection:
            row = (await connection.execute(query)).mappings().first()
        if row is None:
            return None
        bot: Bot = SQLAlchemyInstallationStore.build_bot_entity(row)
        return bot


class Workspaces:
    """Tokens and installs. `bind` gives it the core's `Installs` once the bot exists; until
    then (and for OAuth, until the installation store exists) sends fail as transient."""

    def __init__(self, *, bot_token: str | None) -> None:
        self.bot_token = bot_token
        self.installs: Installs | None = None
        self.installations: InstallationStore | None = None
        self._removed: dict[str, datetime] = {}

    def bind(self, installs: Installs, installations: InstallationStore | None) -> None:
        self.installs, self.installations = installs, installations

    @property
    def ready(self) -> bool:
        return self.installs is not None and (
            self.bot_token is not None or self.installations is not None
        )

    async def token_for(self, workspace: str) -> str | None:
        """The bot token for `workspace`; None when the app isn't installed there."""
        if self.bot_token is not None:
            return self.bot_token
        if self.installations is None:
            raise RuntimeError("Slack installations aren't available yet")
        bot = await self.installations.bot_for(workspace)
        token: str | None = bot.bot_token if bot is not None else None
        return token

    async def is_removed(self, workspace: str) -> bool:
        if self.installs is None:
            return False
        seen = self._removed.get(workspace)
        if seen is not None and self.now() - seen < REMOVED_RECHECK:
            return True
        self._removed.pop(workspace, None)
        removed = await self.installs.closed(PLATFORM, workspace)
        if removed:
            self._removed[workspace] = self.now()
        return removed

    async def remove(self, workspace: str, *, reason: str) -> None:
        """Stop every send to `workspace` now, here and in every replica."""
        if self.installs is not None:
            self._removed[workspace] = self.now()
            await self.installs.removed(PLATFORM, workspace, reason=reason)
        log.info("Slack: %s in workspace %s; DMs to it stopped", reason, workspace)

    async def restore(self, workspace: str) -> None:
        """The app is installed in `workspace` again (or its token works): sends resume."""
        self._removed.pop(workspace, None)
        if self.installs is not None and await self.installs.installed(PLATFORM, workspace):
            log.info("Slack: workspace %s is installed again; DMs to it resume", workspace)

    def now(self) -> datetime:
        """The bot's time (its Clock), once bound."""
        assert self.installs is not None
        return self.installs.clock.now()
