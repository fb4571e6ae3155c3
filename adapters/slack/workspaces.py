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
# How long a workspace's bot token read from the installation store is used without reading it
# again: a flood of DMs then costs one read a workspace, not one a DM. A token that stops
# working is read afresh at once (`token_for(fresh=True)`).
TOKEN_KEPT = timedelta(seconds=60)


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
        # Per workspace: removed or not, and when that was read.
        self._checked: dict[str, tuple[bool, datetime]] = {}
        self._tokens: dict[str, tuple[str | None, datetime]] = {}

    def bind(self, installs: Installs, installations: InstallationStore | None) -> None:
        self.installs, self.installations = installs, installations

    @property
    def ready(self) -> bool:
        return self.installs is not None and (
            self.bot_token is not None or self.installations is not None
        )

    async def token_for(self, workspace: str, *, fresh: bool = False) -> str | None:
        """The bot token for `workspace`; None when the app isn't installed there. `fresh`
        reads the installation store even when a token read lately is kept."""
        if self.bot_token is not None:
            return self.bot_token
        if self.installations is None:
            raise RuntimeError("Slack installations aren't available yet")
        kept = self._tokens.get(workspace)
        if kept is not None and not fresh and self.now() - kept[1] < TOKEN_KEPT:
            return kept[0]
        bot = await self.installations.bot_for(workspace)
        token: str | None = bot.bot_token if bot is not None else None
        self._tokens[workspace] = (token, self.now())
        return token

    async def is_removed(self, workspace: str) -> bool:
        """Whether the app was removed from `workspace`, as this process last read it (at most
        REMOVED_RECHECK ago: a DM costs no database read, and the dispatcher reads the marks
        of every batch's workspaces anyway)."""
        if self.installs is None:
            return False
        seen = self._checked.get(workspace)
        if seen is not None and self.now() - seen[1] < REMOVED_RECHECK:
            return seen[0]
        removed = await self.installs.closed(PLATFORM, workspace)
        self._checked[workspace] = (removed, self.now())
        return removed

    async def remove(self, workspace: str, *, reason: str) -> None:
        """Stop every send to `workspace` now, here and in every replica."""
        self._tokens.pop(workspace, None)
        if self.installs is not None:
            self._checked[workspace] = (True, self.now())
            await self.installs.removed(PLATFORM, workspace, reason=reason)
        log.info("Slack: %s in workspace %s; DMs to it stopped", reason, workspace)

    async def restore(self, workspace: str) -> None:
        """The app is installed in `workspace` again (or its token works): sends resume."""
        self._checked.pop(workspace, None)
        self._tokens.pop(workspace, None)
        if self.installs is not None and await self.installs.installed(PLATFORM, workspace):
            log.info("Slack: workspace %s is installed again; DMs to it resume", workspace)

    def now(self) -> datetime:
        """The bot's time (its Clock), once bound."""
        assert self.installs is not None
        return self.installs.clock.now()
