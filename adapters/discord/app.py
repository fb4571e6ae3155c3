"""The Discord adapter, wired: app commands, the /met form and persistent buttons, each turned
into a core command for the server and user Discord verified, and each core reply into an
ephemeral message. The core decides everything; the modules below translate:

    app.py       this wiring
    commands.py  /met, /followups, /server-tz, /club  forms.py  the /met form
    buttons.py   the follow-up buttons               clubs.py  event cards, their buttons and form
    scheduled_events.py  the server's Scheduled Events, for the club that follows them
    context.py   answering an interaction (Responder)  render.py  embeds, escaping, custom ids

A student is addressed as ("discord", server id, user id), or ("discord", "dm", user id) for
commands in a DM with the bot. Buttons carry their server in the custom id (see `ButtonRef`),
since a click in a DM comes without one.
"""

from __future__ import annotations

import discord

from adapters.discord import PLATFORM
from bot.services import FollowUpService

from .buttons import follow_up_button_type, follow_up_menu_type
from .clubs import club_button_type
from .commands import build_commands
from .context import DEFER_AFTER, DM_SCOPE, FollowUpTree, Responder
from .scheduled_events import (
    scheduled_event_deleted,
    scheduled_event_seen,
    scheduled_event_updated,
    scheduled_events_seen,
)

__all__ = ["DM_SCOPE", "PLATFORM", "DiscordApp", "FollowUpTree"]


class DiscordApp:
    """Everything a Discord user touches, wired to one `FollowUpService`: the commands on `tree`
    (sync them with `adapters.discord.sync`) and the persistent buttons on `client`."""

    def __init__(
        self,
        client: discord.Client,
        service: FollowUpService,
        *,
        tree: FollowUpTree | None = None,
        defer_after: float = DEFER_AFTER,
    ) -> None:
        self.client = client
        self.responder = Responder(service, defer_after=defer_after)
        self.tree = tree if tree is not None else FollowUpTree(client)
        client.add_dynamic_items(
            follow_up_button_type(self.responder),
            follow_up_menu_type(self.responder),
            club_button_type(self.responder),
        )
        for command in build_commands(self.responder):
            self.tree.add_command(command)

        async def on_scheduled_event_update(
            before: discord.ScheduledEvent, after: discord.ScheduledEvent
        ) -> None:
            await scheduled_event_updated(service, before, after)

        async def on_scheduled_event_create(event: discord.ScheduledEvent) -> None:
            await scheduled_event_seen(service, event)

        async def on_scheduled_event_delete(event: discord.ScheduledEvent) -> None:
            await scheduled_event_deleted(service, event)

        async def on_guild_available(guild: discord.Guild) -> None:
            await scheduled_events_seen(service, guild)

        client.event(on_scheduled_event_update)
        client.event(on_scheduled_event_create)
        client.event(on_scheduled_event_delete)
        client.event(on_guild_available)
