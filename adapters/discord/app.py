"""The Discord adapter: app commands, the /met form and persistent buttons, each turned into a
core command for the server and user Discord verified, and each core reply into an ephemeral
message. The core decides everything; this module translates.

A student is addressed as ("discord", server id, user id), or ("discord", "dm", user id) for
commands in a DM with the bot. Buttons carry their server in the custom id (see `ButtonRef`),
since a click in a DM comes without one.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import discord
from discord import app_commands

from adapters.discord import PLATFORM
from bot.commands import Command, CommandError, Help, Met, parse_followups
from bot.domain import Address
from bot.errors import UserError
from bot.met import MetInput
from bot.replies import ActionKind, Reply, Section
from bot.services import FollowUpService, Requester, zone_or_error

from .commands import build_commands
from .forms import FixInFormView
from .render import (
    CUSTOM_ID_PATTERN,
    DONE_COLOUR,
    EMBEDS_PER_MESSAGE,
    ERROR_COLOUR,
    NO_MENTIONS,
    ButtonRef,
    escape,
    render_embeds,
    render_view,
)

__all__ = ["DM_SCOPE", "PLATFORM", "DiscordApp", "FollowUpTree"]

log = logging.getLogger(__name__)

DM_SCOPE = "dm"
# Discord drops an interaction that gets no answer within 3 seconds. Commands usually answer in a
# few milliseconds; one that takes longer than this is deferred ("thinking…") and answered after.
DEFER_AFTER = 2.0
SERVER_ZONE_KEY = "discord:guild_tz:{guild}"
ZONE_HINT_KEY = "discord:tz_hint:{scope}:{user}"
SORRY = "Something went wrong on my side; nothing was changed. Please try again."

OPEN_DMS = Section(
    "On Discord: open the server's menu (its name, top left) → Privacy Settings → turn on Direct "
    "Messages; or User Settings → Content & Social → allow direct messages from server members. "
    "And make sure you haven't blocked me.",
    title="How to open your DMs",
)


class FollowUpTree(app_commands.CommandTree[discord.Client]):
    """The command tree, answering any error it sees with an apology instead of silence."""

    async def on_error(
        self, interaction: discord.Interaction[discord.Client], error: app_commands.AppCommandError
    ) -> None:
        command = interaction.command.qualified_name if interaction.command else "?"
        original = getattr(error, "original", error)
        # The exception text may quote what the student typed (contact data): its type only.
        log.error("/%s failed with %s", command, type(original).__name__)
        log.debug("/%s failed", command, exc_info=error)
        if isinstance(error, app_commands.CommandSignatureMismatch):
            await _say(interaction, "This command was just updated. Please try it again.")
        else:
            await _say(interaction, SORRY)


async def _say(interaction: discord.Interaction[discord.Client], text: str) -> None:
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


class DiscordApp:
    """Everything a Discord user touches, wired to one `FollowUpService`.

    Registers the commands on `tree` (sync them with `adapters.discord.sync`) and the persistent
    buttons on `client`; `defer_after` is how long a command may take before it is deferred.
    """

    def __init__(
        self,
        client: discord.Client,
        service: FollowUpService,
        *,
        tree: FollowUpTree | None = None,
        defer_after: float = DEFER_AFTER,
    ) -> None:
        self.client = client
        self.service = service
        self.tree = tree if tree is not None else FollowUpTree(client)
        self.defer_after = defer_after
        self.button_type = _follow_up_button_type(self)
        client.add_dynamic_items(self.button_type)
        for command in build_commands(self):
            self.tree.add_command(command)

    # -- who is asking ---------------------------------------------------------------------

    def address(
        self, interaction: discord.Interaction[discord.Client], scope: str | None = None
    ) -> Address:
        """The verified address: Discord vouches for the user; the scope is the server the
        interaction came from, or the one a button names."""
        if scope is None:
            scope = str(interaction.guild_id) if interaction.guild_id else DM_SCOPE
        return Address(PLATFORM, scope, str(interaction.user.id))

    async def requester(
        self, interaction: discord.Interaction[discord.Client], scope: str | None = None
    ) -> Requester:
        address = self.address(interaction, scope)
        zone = await self.server_zone(address.workspace)
        return Requester(address, display_name=interaction.user.display_name, timezone=zone)

    async def server_zone(self, scope: str) -> str | None:
        """The default zone a server's managers chose (/server-tz), if any."""
        if scope == DM_SCOPE:
            return None
        async with self.service.storage.session() as store:
            return await store.get_value(SERVER_ZONE_KEY.format(guild=scope)) or None

    async def set_server_zone(self, guild_id: int, text: str) -> Reply:
        """/server-tz: show, set or clear (off) a server's default zone."""
        key = SERVER_ZONE_KEY.format(guild=guild_id)
        value = text.strip()
        async with self.service.storage.session() as store:
            current = await store.get_value(key) or None
            if not value:
                if current:
                    return Reply.text(
                        f"This server's default time zone is {current}. Members who haven't set "
                        "their own see times in it. Change it with /server-tz zone:Europe/Berlin, "
                        "or clear it with /server-tz zone:off."
                    )
                return Reply.text(
                    "This server has no default time zone: members who haven't set theirs see "
                    f"times in {self.service.default_zone.key}. Set one with "
                    "/server-tz zone:Europe/Berlin."
                )
            if value.casefold() in ("off", "none", "clear", "unset"):
                await store.set_value(key, "", self.service.clock.now())
                return Reply.text(
                    "This server's default time zone is cleared. Members who haven't set their "
                    f"own see times in {self.service.default_zone.key}."
                )
            try:
                zone = zone_or_error(value).key
            except UserError as err:
                return Reply.error(str(err))
            await store.set_value(key, zone, self.service.clock.now())
        return Reply.text(
            f"This server's default time zone is now {zone}. Members who haven't set their own "
            "see times in it from their next command; anyone can still choose theirs with "
            "/followups settings tz."
        )

    # -- running a command -----------------------------------------------------------------

    async def run(self, requester: Requester, command: Command) -> Reply:
        """The core's reply, with what Discord users need besides: how to open DMs after a
        failed one, and once, how to set a time zone (Discord doesn't share it)."""
        hint_key = ZONE_HINT_KEY.format(
            scope=requester.address.workspace, user=requester.address.user
        )
        async with self.service.storage.session() as store:
            before = await store.person(requester.address)
            hinted = await store.get_value(hint_key)
        reply = await self.service.handle(requester, command)
        if reply.is_error:
            return reply
        sections = list(reply.sections)
        if before is not None and before.undeliverable is not None and sections:
            sections.insert(1, OPEN_DMS)  # right after the core's "your DMs are closed"
        if isinstance(command, Help):
            sections.append(_discord_help(command.topic))
        if hinted is None:
            async with self.service.storage.session() as store:
                person = await store.person(requester.address)
                if person is not None:
                    if person.timezone is None:
                        sections.append(self._zone_hint(requester))
                    await store.set_value(hint_key, "1", self.service.clock.now())
        return dataclasses.replace(reply, sections=tuple(sections))

    def _zone_hint(self, requester: Requester) -> Section:
        if requester.timezone:
            text = (
                f"I show times in {requester.timezone}, this server's time zone. If you live "
                "elsewhere, set yours with /followups settings tz (start typing your city)."
            )
        else:
            text = (
                "Discord doesn't tell bots your time zone, so I'm using "
                f"{self.service.default_zone.key} for now. Set yours so nudges come at sensible "
                "hours: /followups settings tz (start typing your city)."
            )
        return Section(text, title="Your time zone")

    async def answer(
        self,
        interaction: discord.Interaction[discord.Client],
        command: Command | None,
        *,
        error: str = "",
    ) -> None:
        """Run `command` for the user of `interaction` and answer ephemerally; or show `error`
        (a parse error) instead."""
        async with self.guard(interaction):
            requester = await self.requester(interaction)
            if command is None:
                await self.send(interaction, Reply.error(error), scope=requester.address.workspace)
                return
            reply = await self.compute(interaction, self.run(requester, command))
            await self.send(interaction, reply, scope=requester.address.workspace)

    async def compute(
        self,
        interaction: discord.Interaction[discord.Client],
        work: Awaitable[Reply],
        *,
        update: bool = False,
    ) -> Reply:
        """Await `work`, deferring the interaction if it takes longer than `defer_after` (a
        button defers as an update of its message, a command as "thinking…")."""
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
        interaction: discord.Interaction[discord.Client],
        reply: Reply,
        *,
        scope: str,
        embeds: Sequence[discord.Embed] | None = None,
        view: discord.ui.View | None = None,
    ) -> None:
        """`reply` as a new message (ephemeral unless the core says otherwise), with its
        buttons, or with `embeds`/`view` given instead."""
        embeds = list(embeds) if embeds is not None else render_embeds(reply)
        buttons = view is None
        if view is None:
            view = render_view(reply.actions, scope=scope, button=self._button)
        if not interaction.response.is_done():
            if view is not None:
                await interaction.response.send_message(
                    embeds=embeds,
                    view=view,
                    ephemeral=reply.ephemeral,
                    allowed_mentions=NO_MENTIONS,
                )
            else:
                await interaction.response.send_message(
                    embeds=embeds, ephemeral=reply.ephemeral, allowed_mentions=NO_MENTIONS
                )
        elif interaction.response.type is discord.InteractionResponseType.deferred_channel_message:
            # Deferred as "thinking…": the answer replaces that placeholder.
            await interaction.edit_original_response(
                embeds=embeds, view=view, allowed_mentions=NO_MENTIONS
            )
        elif view is not None:
            await interaction.followup.send(
                embeds=embeds, view=view, ephemeral=reply.ephemeral, allowed_mentions=NO_MENTIONS
            )
        else:
            await interaction.followup.send(
                embeds=embeds, ephemeral=reply.ephemeral, allowed_mentions=NO_MENTIONS
            )
        if buttons and view is not None:
            # The registered dynamic item answers these buttons, in any process, after any
            # restart: this view object needn't be kept (nor its timer run).
            view.stop()

    @asynccontextmanager
    async def guard(self, interaction: discord.Interaction[discord.Client]) -> AsyncIterator[None]:
        """Nothing a user does ends in silence: a failure is logged (its type: the text may
        hold contact data) and answered with an apology."""
        try:
            yield
        except Exception as err:
            await self.apologise(interaction, err)

    # -- /met ------------------------------------------------------------------------------

    async def met(
        self,
        interaction: discord.Interaction[discord.Client],
        fields: MetInput,
        *,
        labels: Mapping[str, str],
    ) -> None:
        """Record a conversation from typed options or the form. Problems are listed by the
        name of the field they concern (`labels`), with a button to fix them in the form."""
        async with self.guard(interaction):
            requester = await self.requester(interaction)
            where = str(interaction.channel_id) if interaction.guild_id else None
            reply = await self.compute(
                interaction, self.run(requester, Met(fields=fields, where=where))
            )
            if reply.field_errors:
                await self.show_field_errors(interaction, fields, reply.field_errors, labels=labels)
            else:
                await self.send(interaction, reply, scope=requester.address.workspace)

    async def show_field_errors(
        self,
        interaction: discord.Interaction[discord.Client],
        fields: MetInput,
        problems: Mapping[str, str],
        *,
        labels: Mapping[str, str],
    ) -> None:
        """What is wrong with each field, by its name; a form can't mark its own fields, so the
        button under it reopens the form with everything as given."""
        embed = discord.Embed(title="Please check these and try again", colour=ERROR_COLOUR)
        for field, problem in problems.items():
            embed.add_field(name=labels.get(field, field), value=escape(problem), inline=False)
        view = FixInFormView(self, fields, owner=interaction.user.id)
        await self.send(interaction, Reply.error(), scope=DM_SCOPE, embeds=[embed], view=view)

    async def apologise(self, interaction: discord.Interaction[Any], error: BaseException) -> None:
        log.error("Discord interaction failed with %s", type(error).__name__)
        log.debug("Discord interaction failed", exc_info=error)
        await _say(interaction, SORRY)

    # -- buttons ---------------------------------------------------------------------------

    def _button(
        self, ref: ButtonRef, label: str, style: discord.ButtonStyle
    ) -> discord.ui.Item[Any]:
        return self.button_type(ref, label, style)

    async def click(self, interaction: discord.Interaction[discord.Client], ref: ButtonRef) -> None:
        """A follow-up button, in a DM or under a reply. The core acts for the clicker on the
        follow-up the button names, so a stranger's click finds nothing and changes nothing.
        A change edits the message (that follow-up's buttons go, the outcome is added); an error
        or a question (skip an interview?) comes as a new ephemeral message."""
        async with self.guard(interaction):
            requester = await self.requester(interaction, ref.scope)
            try:
                command = parse_followups(ref.command_text)
                command = _with_follow_up_id(command, ref.follow_up_id)
            except UserError as err:
                await self.send(interaction, Reply.error(str(err)), scope=ref.scope)
                return
            reply = await self.compute(interaction, self.run(requester, command), update=True)
            if reply.is_error or reply.actions or ref.kind is ActionKind.DRAFT:
                await self.send(interaction, reply, scope=ref.scope)
                return
            await self._show_outcome(interaction, reply, ref)

    async def _show_outcome(
        self, interaction: discord.Interaction[discord.Client], reply: Reply, ref: ButtonRef
    ) -> None:
        message = interaction.message
        original = list(message.embeds) if message is not None else []
        outcome = render_embeds(reply)
        for embed in outcome:
            embed.colour = DONE_COLOUR if ref.kind is ActionKind.DONE else embed.colour
        keep = max(EMBEDS_PER_MESSAGE - len(outcome), 0)
        embeds = [*original[:keep], *outcome][:EMBEDS_PER_MESSAGE]
        # A snoozed follow-up is still open: its buttons stay for when the student sends it.
        drop = None if ref.kind is ActionKind.SNOOZE else ref.follow_up_id
        view = self._remaining_buttons(message, drop)
        if not interaction.response.is_done():
            await interaction.response.edit_message(
                embeds=embeds, view=view, allowed_mentions=NO_MENTIONS
            )
        else:
            await interaction.edit_original_response(
                embeds=embeds, view=view, allowed_mentions=NO_MENTIONS
            )
        if view is not None:
            view.stop()

    def _remaining_buttons(
        self, message: discord.Message | None, drop: int | None
    ) -> discord.ui.View | None:
        """The message's follow-up buttons, without those of follow-up `drop`; rows kept."""
        if message is None:
            return None
        view = discord.ui.View(timeout=None)
        row = 0
        for component in message.components:
            if not isinstance(component, discord.ActionRow):
                continue
            added = False
            for child in component.children:
                if not isinstance(child, discord.Button) or child.custom_id is None:
                    continue
                ref = ButtonRef.parse(child.custom_id)
                if ref is None or ref.follow_up_id == drop:
                    continue
                item = self.button_type(ref, child.label or "", child.style)
                item.row = row
                view.add_item(item)
                added = True
            row += added
        return view if view.children else None


def _with_follow_up_id(command: Command, follow_up_id: int) -> Command:
    """The command aimed at follow-up `follow_up_id` (which the core checks belongs to the
    clicker) rather than at the number typed."""
    if not any(f.name == "follow_up_id" for f in dataclasses.fields(command)):
        raise CommandError("That button no longer works here. /followups lists what's open.")
    changed: Command = dataclasses.replace(command, follow_up_id=follow_up_id)  # type: ignore[arg-type]  # checked above: every follow-up command has the field
    return changed


def _discord_help(topic: str) -> Section:
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


def _follow_up_button_type(app: DiscordApp) -> type[FollowUpButtonBase]:
    """The persistent follow-up button, bound to `app`: registered on the client at start, it
    answers any button whose custom id matches, in DMs sent long ago too."""

    class FollowUpButton(FollowUpButtonBase, template=re.compile(CUSTOM_ID_PATTERN)):
        async def callback(self, interaction: discord.Interaction[Any]) -> None:
            await app.click(interaction, self.ref)

    return FollowUpButton


class FollowUpButtonBase(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=re.compile(CUSTOM_ID_PATTERN),
):
    """A button whose custom id is a `ButtonRef`."""

    def __init__(
        self,
        ref: ButtonRef,
        label: str = "",
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    ) -> None:
        super().__init__(
            discord.ui.Button(style=style, label=label or None, custom_id=ref.custom_id)
        )
        self.ref = ref

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> FollowUpButtonBase:
        label = item.label if isinstance(item, discord.ui.Button) else None
        style = item.style if isinstance(item, discord.ui.Button) else discord.ButtonStyle.secondary
        return cls(ButtonRef.from_match(match), label or "", style)
