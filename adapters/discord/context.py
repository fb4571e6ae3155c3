"""Answering an interaction: the helpers every command, form and button uses (the bottom of the
Discord adapter, as RoboDanny's cogs/utils/context.py is of its cogs).

`Responder` knows who is asking (the address Discord verified), runs a core command for them and
answers ephemerally, deferring a slow command, and turns any failure into an apology: nothing a
user does ends in silence. It imports nothing else of the adapter but `render`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import logging
from collections.abc import AsyncIterator, Awaitable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import discord
from discord import app_commands

from adapters.discord import PLATFORM
from bot.commands import Command, Help, ListFollowUps
from bot.domain import Address, Channel
from bot.replies import NoticeKind, Reply, Section
from bot.services import FollowUpService, Requester

from .limits import ROWS_PER_MESSAGE
from .render import ERROR_COLOUR, NO_MENTIONS, Page, escape, pages

__all__ = [
    "DEFER_AFTER",
    "DM_SCOPE",
    "LIST_PAGE",
    "OPEN_DMS",
    "SORRY",
    "FollowUpTree",
    "Interaction",
    "Responder",
    "say",
]

log = logging.getLogger(__name__)

Interaction = discord.Interaction[discord.Client]

DM_SCOPE = "dm"
# Follow-ups a page of /followups shows on Discord: a row of buttons each, and one row for
# Previous and Next, make the five rows a message takes.
LIST_PAGE = ROWS_PER_MESSAGE - 1
# Discord drops an interaction that gets no answer within 3 seconds. Commands usually answer in a
# few milliseconds; one that takes longer than this is deferred ("thinking…") and answered after.
DEFER_AFTER = 2.0
SORRY = "Something went wrong on my side; nothing was changed. Please try again."

# Discord's help beside the core's "I couldn't send you a DM".
OPEN_DMS = Section(
    "On Discord: open the server's menu (its name, top left) → Privacy Settings → turn on Direct "
    "Messages; or User Settings → Content & Social → allow direct messages from server members. "
    "And make sure you haven't blocked me.",
    title="How to open your DMs",
)
PLATFORM_HELP = {NoticeKind.DMS_CLOSED: OPEN_DMS}


async def say(interaction: discord.Interaction[Any], text: str) -> None:
    """A short ephemeral answer, whether or not the interaction was answered already."""
    embed = discord.Embed(description=escape(text), colour=ERROR_COLOUR)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(
                embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
        else:
            await interaction.response.send_message(
                embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
    except discord.HTTPException as err:
        log.warning("could not answer an interaction: %s", type(err).__name__)


class FollowUpTree(app_commands.CommandTree[discord.Client]):
    """The command tree, answering any error it sees with an apology instead of silence."""

    async def on_error(self, interaction: Interaction, error: app_commands.AppCommandError) -> None:
        command = interaction.command.qualified_name if interaction.command else "?"
        original = getattr(error, "original", error)
        # The exception text may quote what the student typed (contact data): its type only.
        log.error(
            "/%s failed with %s", command, type(original).__name__, extra={"command": command}
        )
        log.debug("/%s failed", command, exc_info=error, extra={"command": command})
        if isinstance(error, app_commands.CommandSignatureMismatch):
            await say(interaction, "This command was just updated. Please try it again.")
        else:
            await say(interaction, SORRY)


class Responder:
    """Runs core commands for Discord users and answers them; `defer_after` is how long a
    command may take before it is deferred."""

    def __init__(self, service: FollowUpService, *, defer_after: float = DEFER_AFTER) -> None:
        self.service = service
        self.defer_after = defer_after

    # -- who is asking ---------------------------------------------------------------------

    def address(self, interaction: discord.Interaction[Any], scope: str | None = None) -> Address:
        """The verified address: Discord vouches for the user; the scope is the server the
        interaction came from, or the one a button names. A command through the student's own
        install of the app (in a server without the bot, a group DM) is in their own scope,
        with their DMs with the bot: it belongs to no server."""
        if scope is None:
            own_install = interaction.is_user_integration() and not (
                interaction.is_guild_integration()
            )
            in_server = interaction.guild_id is not None and not own_install
            scope = str(interaction.guild_id) if in_server else DM_SCOPE
        return Address(PLATFORM, scope, str(interaction.user.id))

    def requester(
        self, interaction: discord.Interaction[Any], scope: str | None = None
    ) -> Requester:
        # Discord doesn't tell bots a user's zone: the core falls back on the server's default
        # and, once, says how to set one.
        address = self.address(interaction, scope)
        in_server = address.workspace not in (DM_SCOPE, "") and interaction.guild_id is not None
        channel = None
        if in_server and interaction.channel_id is not None:
            name = getattr(interaction.channel, "name", None)
            channel = Channel(str(interaction.channel_id), name if isinstance(name, str) else None)
        # The member's permissions in the channel, as the interaction carries them (server
        # administrators have every one): those who run the server's events organize its clubs.
        permissions = interaction.permissions
        return Requester(
            address,
            display_name=interaction.user.display_name,
            shares_zone=False,
            channel=channel,
            manages_workspace=in_server and (permissions.manage_events or permissions.manage_guild),
        )

    # -- running a command -----------------------------------------------------------------

    async def run(self, requester: Requester, command: Command) -> Reply:
        """The core's reply, with what only Discord users need besides (how the commands look
        here, after the core's help)."""
        if isinstance(command, ListFollowUps) and command.per_page is None:
            # Five rows of buttons a message: one for each follow-up, one for Previous/Next.
            command = dataclasses.replace(command, per_page=LIST_PAGE)
        reply = await self.service.handle(requester, command)
        if isinstance(command, Help) and not reply.is_error:
            reply = dataclasses.replace(reply, sections=(*reply.sections, _help(command.topic)))
        return reply

    async def answer(
        self, interaction: discord.Interaction[Any], command: Command | None, *, error: str = ""
    ) -> None:
        """Run `command` for the user of `interaction` and answer ephemerally; or show `error`
        (a parse error) instead."""
        async with self.guard(interaction):
            requester = self.requester(interaction)
            if command is None:
                await self.send(interaction, Reply.error(error), scope=requester.address.workspace)
                return
            reply = await self.compute(interaction, self.run(requester, command))
            await self.send(interaction, reply, scope=requester.address.workspace)

    async def compute(
        self, interaction: discord.Interaction[Any], work: Awaitable[Reply], *, update: bool = False
    ) -> Reply:
        """Await `work`, deferring the interaction if it takes longer than `defer_after` (a
        button defers as an update of its message, a command as "thinking…"); one already
        answered (a pick, which puts its menu back first) needs no deferring."""
        if interaction.response.is_done():
            return await work
        task = asyncio.ensure_future(work)
        try:
            return await asyncio.wait_for(asyncio.shield(task), self.defer_after)
        except TimeoutError:
            if update:
                await interaction.response.defer()
            else:
                await interaction.response.defer(ephemeral=True, thinking=True)
            return await task

    async def send(
        self,
        interaction: discord.Interaction[Any],
        reply: Reply,
        *,
        scope: str,
        shown: Sequence[Page] | None = None,
    ) -> None:
        """`reply` as new ephemeral messages with its buttons (as many as Discord needs for it:
        `pages`), or the messages `shown` instead. Replies are always ephemeral: they may name
        a contact."""
        ours = shown is None
        shown = list(shown) if shown is not None else pages(reply, scope=scope, help=PLATFORM_HELP)
        for index, page in enumerate(shown):
            # An export's files come with the first message: only its asker sees them.
            files = (
                [discord.File(io.BytesIO(f.content), filename=f.name) for f in reply.files]
                if index == 0
                else []
            )
            await self._send_page(interaction, page, files)
            if ours and page.view is not None:
                # The follow-up button registered on the client answers these, in any process,
                # after any restart: this view object needn't be kept (nor its timer run).
                page.view.stop()

    async def _send_page(
        self, interaction: discord.Interaction[Any], page: Page, files: list[discord.File]
    ) -> None:
        with_view: dict[str, Any] = {"view": page.view} if page.view is not None else {}
        if not interaction.response.is_done():
            await interaction.response.send_message(
                embeds=page.embeds,
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
                files=files,
                **with_view,
            )
        elif (
            interaction.response.type is discord.InteractionResponseType.deferred_channel_message
            and not _answered(interaction)
        ):
            # Deferred as "thinking…": the answer replaces that placeholder.
            await interaction.edit_original_response(
                embeds=page.embeds,
                view=page.view,
                allowed_mentions=NO_MENTIONS,
                attachments=files,
            )
            interaction.extras[_ANSWERED] = True
        else:
            await interaction.followup.send(
                embeds=page.embeds,
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
                files=files,
                **with_view,
            )

    @asynccontextmanager
    async def guard(self, interaction: discord.Interaction[Any]) -> AsyncIterator[None]:
        """Nothing a user does ends in silence: a failure is logged (its type: the text may
        hold contact data) and answered with an apology."""
        try:
            yield
        except Exception as err:
            await self.apologise(interaction, err)

    async def apologise(self, interaction: discord.Interaction[Any], error: BaseException) -> None:
        log.error("Discord interaction failed with %s", type(error).__name__)
        log.debug("Discord interaction failed", exc_info=error)
        await say(interaction, SORRY)


# Set in an interaction's extras once its deferred "thinking…" has been replaced by the answer:
# the reply's further messages come as followups.
_ANSWERED = "followup-answered"


def _answered(interaction: discord.Interaction[Any]) -> bool:
    return bool(interaction.extras.get(_ANSWERED))


def _help(topic: str) -> Section:
    if topic == "met":
        text = (
            "On Discord, /met takes options: name, company, kind (pick one), about (what you "
            "talked about), when, event and priority. /met with no options opens a form."
        )
    else:
        text = (
            "On Discord, done, snooze, skip and draft suggest your open follow-ups as you type; "
            "/followups settings tz suggests time zones. Server managers can set a default time "
            "zone for everyone with /server-tz."
        )
    return Section(text, title="On Discord")
