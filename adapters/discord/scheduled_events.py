"""A server's own Scheduled Events, for the club that follows them (`/club setup follow:on`).

Discord tells the bot (the non-privileged GUILD_SCHEDULED_EVENTS intent) when an event is
created, changed or deleted. When one becomes completed, the bot reads who was interested in it
(REST: GET /guilds/{guild}/scheduled-events/{event}/users, a hundred a page, users only) and
hands the core the event and those members. Any other change tells the core when the event is
to end (`ScheduledEventWatched`): Discord often never says a voice or stage event completed, so
the core takes it at its scheduled end (`bot.scheduled_event_ends`, through
`DiscordMessenger.read_scheduled_event`); a cancelled or deleted one is dropped. The events a
server has when the bot connects are told the same way, so one that ended while the bot was
down is taken too. The core does the rest: the club that follows the server takes each event,
or nobody does. A server without such a club costs no request.
"""

from __future__ import annotations

import logging

import discord

from bot.club_commands import ScheduledEventDropped, ScheduledEventEnded, ScheduledEventWatched
from bot.domain import Address
from bot.services import FollowUpService, Requester

from . import PLATFORM

__all__ = [
    "scheduled_event_deleted",
    "scheduled_event_seen",
    "scheduled_event_updated",
    "scheduled_events_seen",
]

log = logging.getLogger(__name__)


async def scheduled_event_updated(
    service: FollowUpService, before: discord.ScheduledEvent, after: discord.ScheduledEvent
) -> None:
    """`on_scheduled_event_update`: an event that has just ended goes to the following club;
    one cancelled is dropped; any other change moves when it is to end."""
    ended = discord.EventStatus.completed
    if after.status is not ended:
        await scheduled_event_seen(service, after)
        return
    if before.status is ended:
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


async def scheduled_event_seen(service: FollowUpService, event: discord.ScheduledEvent) -> None:
    """`on_scheduled_event_create`, or a change that isn't its end: when it is to end, for the
    following club; nothing if it was cancelled. No request to Discord."""
    if event.status is discord.EventStatus.completed:
        return  # its update says so, or the sweep reads it (scheduled_events_seen)
    command: ScheduledEventWatched | ScheduledEventDropped
    if event.status is discord.EventStatus.cancelled:
        command = ScheduledEventDropped(str(event.id))
    else:
        command = ScheduledEventWatched(str(event.id), event.start_time, event.end_time)
    await _tell(service, event, command)


async def scheduled_event_deleted(service: FollowUpService, event: discord.ScheduledEvent) -> None:
    """`on_scheduled_event_delete`: nobody is prompted about it."""
    await _tell(service, event, ScheduledEventDropped(str(event.id)))


async def scheduled_events_seen(service: FollowUpService, guild: discord.Guild) -> None:
    """`on_guild_available` (the bot connected, or reconnected): the server's events, told as
    if each had just changed, so that those whose change the bot missed are watched, and one
    that completed meanwhile is read and taken at once."""
    events = guild.scheduled_events
    if not events or not await service.follows_scheduled_events(PLATFORM, str(guild.id)):
        return
    for event in events:
        if event.status is discord.EventStatus.completed:
            # Ended while the bot was away: read and taken by the sweep at once (the core
            # leaves one that ended long ago alone).
            end = event.end_time or event.start_time
            command = ScheduledEventWatched(str(event.id), event.start_time, end)
            await _tell(service, event, command)
        else:
            await scheduled_event_seen(service, event)


async def _tell(
    service: FollowUpService,
    event: discord.ScheduledEvent,
    command: ScheduledEventWatched | ScheduledEventDropped,
) -> None:
    # From the server, not from someone asking: nothing about the requester is recorded.
    workspace = str(event.guild_id)
    reply = await service.handle(Requester(Address(PLATFORM, workspace, "0")), command)
    if reply.is_error:
        log.warning("Discord: a Scheduled Event's change wasn't taken: %s", reply.plain_text())
