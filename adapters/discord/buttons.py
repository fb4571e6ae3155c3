"""The follow-up buttons under DMs and replies, and the menus of follow-ups to pick under a
moment's DM: persistent, so a click works in any process and after any restart, in DMs sent
long ago too.

A button's custom id is a `ButtonRef`: the `Action` it stands for and the server whose identity
acts. A click decodes it back to that action and runs `command_for(action)` for the clicker: the
core checks the follow-up is theirs, so a stranger's click finds nothing and changes nothing. A
menu's option carries the same: a pick is a click on that follow-up's SHOW action.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.commands import command_for
from bot.errors import UserError
from bot.replies import ActionKind, Reply

from .context import PLATFORM_HELP, Responder
from .forms import MetFormModal
from .render import (
    CUSTOM_ID_PATTERN,
    DONE_COLOUR,
    MENU_ID_PATTERN,
    NO_MENTIONS,
    ButtonRef,
    button,
    pack_embeds,
    pages,
    render_embeds,
)

__all__ = [
    "FollowUpButtonBase",
    "FollowUpMenuBase",
    "click",
    "follow_up_button_type",
    "follow_up_menu_type",
    "pick",
]


async def click(
    responder: Responder, interaction: discord.Interaction[Any], ref: ButtonRef
) -> None:
    """A follow-up button, in a DM or under a reply. A change edits the message (that
    follow-up's buttons go, the outcome is added); an error or a question (skip an interview?)
    comes as a new ephemeral message, and so do a draft and a follow-up picked from a menu."""
    async with responder.guard(interaction):
        requester = responder.requester(interaction, ref.scope)
        try:
            command = command_for(ref.action)
        except UserError as err:  # a well-formed id whose argument its command refuses
            await responder.send(interaction, Reply.error(str(err)), scope=ref.scope)
            return
        reply = await responder.compute(interaction, responder.run(requester, command), update=True)
        if reply.form is not None and not interaction.response.is_done():
            # Edit: the /met form, filled in with what was recorded.
            form = MetFormModal(responder, correcting=reply.form, scope=ref.scope)
            await interaction.response.send_modal(form)
            return
        if ref.action.kind is ActionKind.PAGE and not reply.is_error:
            await _show_page(responder, interaction, reply, ref)
            return
        # A pick's answer goes beside the DM, not into it: the DM keeps its menu for the next
        # pick, and a pick again (or from an old DM) only shows it again.
        if (
            reply.is_error
            or reply.actions
            or ref.action.kind in (ActionKind.DRAFT, ActionKind.SHOW)
        ):
            await responder.send(interaction, reply, scope=ref.scope)
            return
        await _show_outcome(interaction, reply, ref)


async def pick(
    responder: Responder, interaction: discord.Interaction[Any], values: list[str]
) -> None:
    """A follow-up picked from a moment's menu: answered ephemerally with its buttons, as a
    click on its SHOW action would be (the core checks it is the picker's).

    Discord's client keeps showing the option picked until its message changes, and picking
    that option again sends nothing: so the message is first edited back to what it was (its
    menus at their placeholders, ready for the next pick, the same one included), and the
    follow-up comes after, as a new ephemeral message."""
    async with responder.guard(interaction):
        view = _remaining_buttons(interaction.message, drop=None)
        await interaction.response.edit_message(view=view, allowed_mentions=NO_MENTIONS)
        if view is not None:
            view.stop()  # the persistent items registered on the client answer it
    ref = ButtonRef.parse(values[0]) if len(values) == 1 else None
    if ref is None or ref.action.kind is not ActionKind.SHOW:
        async with responder.guard(interaction):
            error = Reply.error("That menu is out of date. /followups lists yours.")
            await responder.send(interaction, error, scope="dm")
        return
    await click(responder, interaction, ref)


async def _show_page(
    responder: Responder, interaction: discord.Interaction[Any], reply: Reply, ref: ButtonRef
) -> None:
    """Another page of the list, in place of the one clicked (what doesn't fit, after it)."""
    first, *rest = pages(reply, scope=ref.scope, help=PLATFORM_HELP)
    if not interaction.response.is_done():
        await interaction.response.edit_message(
            embeds=first.embeds, view=first.view, allowed_mentions=NO_MENTIONS
        )
    else:
        await interaction.edit_original_response(
            embeds=first.embeds, view=first.view, allowed_mentions=NO_MENTIONS
        )
    if first.view is not None:
        first.view.stop()
    if rest:
        await responder.send(interaction, reply, scope=ref.scope, shown=rest)


async def _show_outcome(
    interaction: discord.Interaction[Any], reply: Reply, ref: ButtonRef
) -> None:
    message = interaction.message
    original = list(message.embeds) if message is not None else []
    outcome = render_embeds(reply, help=PLATFORM_HELP)
    for embed in outcome:
        embed.colour = DONE_COLOUR if ref.action.kind is ActionKind.DONE else embed.colour
    # Measured again before it is sent: what no longer fits in the message (a long list, a
    # long outcome) comes after it as new messages, so the student sees the change that
    # happened, never an error for it.
    first, *rest = pack_embeds([*original, *outcome])
    # A snoozed follow-up is still open: its buttons stay for when the student sends it.
    drop = None if ref.action.kind is ActionKind.SNOOZE else ref.action.follow_up_id
    view = _remaining_buttons(message, drop)
    if not interaction.response.is_done():
        await interaction.response.edit_message(
            embeds=first, view=view, allowed_mentions=NO_MENTIONS
        )
    else:
        await interaction.edit_original_response(
            embeds=first, view=view, allowed_mentions=NO_MENTIONS
        )
    for embeds in rest:
        await interaction.followup.send(embeds=embeds, ephemeral=True, allowed_mentions=NO_MENTIONS)
    if view is not None:
        view.stop()


def _remaining_buttons(message: discord.Message | None, drop: int | None) -> discord.ui.View | None:
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
            if isinstance(child, discord.SelectMenu) and _MENU_ID.fullmatch(child.custom_id):
                # A menu of the other follow-ups stays, on its own row, as it was sent.
                select: discord.ui.Select[discord.ui.View] = discord.ui.Select(
                    custom_id=child.custom_id, placeholder=child.placeholder, options=child.options
                )
                select.row = row
                view.add_item(select)
                added = True
                continue
            if not isinstance(child, discord.Button) or child.custom_id is None:
                continue
            ref = ButtonRef.parse(child.custom_id, child.label or "")
            if ref is None or ref.action.follow_up_id == drop:
                continue
            item = button(ref)
            item.style = child.style
            item.row = row
            view.add_item(item)
            added = True
        row += added
    return view if view.children else None


class FollowUpButtonBase(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=re.compile(CUSTOM_ID_PATTERN),
):
    """A button whose custom id is a `ButtonRef`."""

    def __init__(self, ref: ButtonRef) -> None:
        super().__init__(button(ref))
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
        return cls(ButtonRef.from_match(match, label or ""))


_MENU_ID = re.compile(MENU_ID_PATTERN)


class FollowUpMenuBase(
    discord.ui.DynamicItem[discord.ui.Select[discord.ui.View]],
    template=_MENU_ID,
):
    """A menu of follow-ups to pick, under a moment's DM: each option's value is a `ButtonRef`."""

    def __init__(self, select: discord.ui.Select[discord.ui.View]) -> None:
        super().__init__(select)

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> FollowUpMenuBase:
        if isinstance(item, discord.ui.Select):
            return cls(item)
        return cls(discord.ui.Select(custom_id=match.group(0), options=[]))


def follow_up_menu_type(responder: Responder) -> type[FollowUpMenuBase]:
    """The persistent menu of follow-ups, bound to `responder`: registered on the client at
    start beside the button, it answers a pick from any moment's DM."""

    class FollowUpMenu(FollowUpMenuBase, template=_MENU_ID):
        async def callback(self, interaction: discord.Interaction[Any]) -> None:
            await pick(responder, interaction, [str(v) for v in self.item.values])

    return FollowUpMenu


def follow_up_button_type(responder: Responder) -> type[FollowUpButtonBase]:
    """The persistent follow-up button, bound to `responder`: registered on the client at
    start (`client.add_dynamic_items`), it answers any button whose custom id matches."""

    class FollowUpButton(FollowUpButtonBase, template=re.compile(CUSTOM_ID_PATTERN)):
        async def callback(self, interaction: discord.Interaction[Any]) -> None:
            await click(responder, interaction, self.ref)

    return FollowUpButton
