"""Clubs on Discord: event cards in the channel, their persistent buttons, and the /club event
form.

A card shows its time with Discord's timestamp markup (`<t:UNIX:F>`), which every reader sees in
their own zone; organizer text is escaped and no message allows a mention. Its buttons carry the
event's id (`club:going:12`); the core checks the event belongs to the club of the channel the
click came from. Going is answered privately; the card's count is updated by the core through
the messenger, like every other post.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import discord

from bot.club_commands import ClubOwnRules, FairAtEvent, Going, LogAtEvent, PostEvent
from bot.replies import DigestPost, EventAction, EventButton, EventCard

from .context import Responder
from .fairs import FairFormModal
from .forms import MetFormModal
from .render import escape

__all__ = [
    "CARD_COLOUR",
    "EventFormModal",
    "RulesPasteModal",
    "club_button_type",
    "digest_embed",
    "event_card_embed",
    "event_card_view",
    "with_event_buttons",
]

CARD_COLOUR = discord.Colour(0x5865F2)
# An event's button: "club:going:12" on its card; in a DM after it, with the server whose
# identity the member was going as ("club:log:12:930000000000000001"), since a click in a DM
# comes without one.
CLUB_BUTTON_PATTERN = (
    r"club:(?P<button>going|log|fair):(?P<id>[0-9]{1,10})(?::(?P<scope>dm|[0-9]{1,20}))?"
)
_STYLES = {
    EventButton.GOING: discord.ButtonStyle.success,
    EventButton.LOG: discord.ButtonStyle.primary,
    EventButton.FAIR: discord.ButtonStyle.secondary,
}

_COMMANDS: dict[EventButton, type[Going | LogAtEvent | FairAtEvent]] = {
    EventButton.GOING: Going,
    EventButton.LOG: LogAtEvent,
    EventButton.FAIR: FairAtEvent,
}


def event_card_embed(card: EventCard) -> discord.Embed:
    """The card as an embed: each reader's own time, every piece of organizer text escaped."""
    start, end = int(card.starts_at.timestamp()), int(card.ends_at.timestamp())
    title = f"{card.title} (cancelled)" if card.cancelled else card.title
    embed = discord.Embed(
        title=escape(title),
        description=f"<t:{start}:F> – <t:{end}:t>\n{escape(card.kind_label)}",
        colour=CARD_COLOUR,
    )
    if card.companies:
        embed.add_field(name="Companies", value=escape(", ".join(card.companies)), inline=False)
    embed.set_footer(text=card.going_text)
    return embed


def digest_embed(digest: DigestPost) -> discord.Embed:
    """A digest as an embed: its title and lines, escaped."""
    return discord.Embed(
        title=escape(digest.title),
        description="\n".join(escape(line) for line in digest.lines),
        colour=CARD_COLOUR,
    )


def event_card_view(card: EventCard) -> discord.ui.View | None:
    """Going and Log who I met; none once cancelled."""
    if not card.buttons:
        return None
    view = discord.ui.View(timeout=None)
    for button, label, _ in card.buttons:
        view.add_item(_button(button, card.event_id, label))
    view.stop()  # the persistent club button answers clicks, in any process
    return view


def with_event_buttons(
    view: discord.ui.View | None, actions: Sequence[EventAction], *, scope: str
) -> discord.ui.View | None:
    """`view` (a DM's follow-up buttons, or none) with the DM's event buttons in a row of
    their own, each carrying the member's server."""
    if not actions:
        return view
    view = view if view is not None else discord.ui.View(timeout=None)
    row = min(len({item.row for item in view.children}), 4)
    for action in actions[:5]:
        item = _button(action.button, action.event_id, action.label, scope=scope)
        item.row = row
        view.add_item(item)
    view.stop()
    return view


def _button(
    button: EventButton, event_id: int, label: str | None = None, *, scope: str | None = None
) -> discord.ui.Button[discord.ui.View]:
    custom_id = f"club:{button}:{event_id}" + (f":{scope}" if scope else "")
    return discord.ui.Button(style=_STYLES[button], label=label, custom_id=custom_id)


class ClubButtonBase(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=re.compile(CLUB_BUTTON_PATTERN),
):
    """A button on an event card, by its custom id."""

    def __init__(self, button: EventButton, event_id: int, scope: str | None = None) -> None:
        super().__init__(_button(button, event_id, scope=scope))
        self.button = button
        self.event_id = event_id
        self.scope = scope

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ClubButtonBase:
        return cls(EventButton(match["button"]), int(match["id"]), match["scope"])


def club_button_type(responder: Responder) -> type[ClubButtonBase]:
    """The persistent event-card button, bound to `responder`: registered on the client at
    start (`client.add_dynamic_items`)."""

    class ClubButton(ClubButtonBase, template=re.compile(CLUB_BUTTON_PATTERN)):
        async def callback(self, interaction: discord.Interaction[Any]) -> None:
            async with responder.guard(interaction):
                requester = responder.requester(interaction, self.scope)
                command = _COMMANDS[self.button](self.event_id)
                reply = await responder.compute(interaction, responder.run(requester, command))
                if reply.met_form is not None and not interaction.response.is_done():
                    await interaction.response.send_modal(
                        MetFormModal(
                            responder,
                            prefill=reply.met_form,
                            scope=self.scope,
                            at_event=self.event_id if self.button is EventButton.LOG else None,
                        )
                    )
                    return
                if reply.fair_prefill is not None and not interaction.response.is_done():
                    await interaction.response.send_modal(
                        FairFormModal(responder, prefill=reply.fair_prefill)
                    )
                    return
                await responder.send(interaction, reply, scope=requester.address.workspace)

    return ClubButton


class EventFormModal(discord.ui.Modal):
    """/club event as a form: title, when, kind, a fair's companies."""

    def __init__(self, responder: Responder) -> None:
        super().__init__(title="Post an event")
        self.responder = responder
        self.name: discord.ui.TextInput[EventFormModal] = discord.ui.TextInput(
            label="Title", max_length=100, placeholder="Deloitte Night"
        )
        self.when: discord.ui.TextInput[EventFormModal] = discord.ui.TextInput(
            label="When (the club's time zone)", max_length=60, placeholder="thu 6pm-8pm"
        )
        self.kind: discord.ui.TextInput[EventFormModal] = discord.ui.TextInput(
            label="Kind", max_length=60, placeholder="networking, career fair ..."
        )
        self.companies: discord.ui.TextInput[EventFormModal] = discord.ui.TextInput(
            label="Companies (a fair)",
            style=discord.TextStyle.paragraph,
            max_length=1000,
            required=False,
            placeholder="Acme, Globex, Initech",
        )
        for item in (self.name, self.when, self.kind, self.companies):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        command = PostEvent(
            self.name.value, self.when.value, self.kind.value, self.companies.value or ""
        )
        await self.responder.answer(interaction, command)


# Discord takes at most 4,000 characters in a form's text input.
PASTE_INPUT_LIMIT = 4000


class RulesPasteModal(discord.ui.Modal):
    """/club rules change:paste (or templates): the club's own TOML, pasted in a paragraph box,
    checked by the core as a file would be. Discord's box holds 4,000 characters: a longer file
    goes through the file option, as the box says."""

    def __init__(self, responder: Responder, what: str) -> None:
        noun = "rulebook" if what == "rulebook" else "templates"
        super().__init__(title=f"Club {noun}")
        self.responder = responder
        self.what = what
        name = "rules" if what == "rulebook" else "templates"
        self.toml: discord.ui.TextInput[RulesPasteModal] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph,
            max_length=PASTE_INPUT_LIMIT,
            placeholder="version = 1",
        )
        self.add_item(
            discord.ui.Label(
                text=f"The {noun}'s TOML",
                description=(
                    f"Up to 4,000 characters. Longer: /club {name} change:set with the file."
                ),
                component=self.toml,
            )
        )

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        command = ClubOwnRules(self.what, "set", self.toml.value or "")
        await self.responder.answer(interaction, command)
