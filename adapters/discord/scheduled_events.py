"""A server's own Scheduled Events, for the club that follows them (`/club setup follow:on`).

Discord tells the bot (the non-privileged GUILD_SCHEDULED_EVENTS intent) when an event's status
changes; when one becomes completed, the bot reads who was interested in it (REST: GET
/guilds/{guild}/scheduled-events/{event}/users, a hundred a page, users only) and hands the core
the event and those members. The core does the rest: the club that follows the server takes
it, or nobody does. A server without such a club costs no request.
"""

from __future__ import annotations

import logging

import discord

from bot.club_commands import ScheduledEventEnded
from bot.domain import Address
from bot.services import FollowUpService, Requester

from . import PLATFORM

__all__ = ["scheduled_event_updated"]

log = logging.getLogger(__name__)


async def scheduled_event_updated(
    service: FollowUpService, before: discord.ScheduledEvent, after: discord.ScheduledEvent
) -> None:
    """`on_scheduled_event_update`: an event that has just ended goes to the following club."""
    ended = discord.EventStatus.completed
    if after.status is not ended or before.status is ended:
        return
    workspace = str(after.guild_id)
    if not await service.follows_scheduled_events(PLATFORM, workspace):
        return
    try:
        interested = tuple([str(user.id) async for user in after.users() if not user.bot])
    except discord.HTTPException as err:
        # Without who was interested, nobody would be prompted: the event is left alone.
        log.warning("Discord: a Scheduled Event's users couldn't be read (%s)", type(err).__name__)
        return
    creator = str(after.creator_id or "")
    command = ScheduledEventEnded(
        ref=str(after.id),
        name=after.name,
        starts_at=after.start_time,
        ends_at=after.end_time,
        interested=interested,
        created_by=creator,
    )
    # From the server, not from someone asking: nothing about the requester is recorded.
    reply = await service.handle(Requester(Address(PLATFORM, workspace, creator or "0")), command)
    if reply.is_error:
        log.warning("Discord: a Scheduled Event wasn't taken: %s", reply.plain_text())
