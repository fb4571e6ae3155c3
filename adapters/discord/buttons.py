"""The follow-up buttons under DMs and replies: persistent, so a click works in any process and
after any restart, in DMs sent long ago too.

A button's custom id is a `ButtonRef`: the `Action` it stands for and the server whose identity
acts. A click decodes it back to that action and runs `command_for(action)` for the clicker: the
core checks the follow-up is theirs, so a stranger's click finds nothing and changes nothing.
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
    NO_MENTIONS,
    ButtonRef,
    button,
    pack_embeds,
    pages,
    render_embeds,
)

__all__ = ["FollowUpButtonBase", "click", "follow_up_button_type"]


async def click(
    responder: Responder, interaction: discord.Interaction[Any], ref: ButtonRef
) -> None:
    """A follow-up button, in a DM or under a reply. A change edits the message (that
    follow-up's buttons go, the outcome is added); an error or a question (skip an interview?)
    comes as a new ephemeral message, and so does a draft."""
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
        if reply.is_error or reply.actions or ref.action.kind is ActionKind.DRAFT:
            await responder.send(interaction, reply, scope=ref.scope)
            return
        await _show_outcome(interaction, reply, ref)


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


def follow_up_button_type(responder: Responder) -> type[FollowUpButtonBase]:
    """The persistent follow-up button, bound to `responder`: registered on the client at
    start (`client.add_dynamic_items`), it answers any button whose custom id matches."""

    class FollowUpButton(FollowUpButtonBase, template=re.compile(CUSTOM_ID_PATTERN)):
        async def callback(self, interaction: discord.Interaction[Any]) -> None:
            await click(responder, interaction, self.ref)

    return FollowUpButton
