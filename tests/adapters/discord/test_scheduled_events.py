"""A club that follows its Discord server's Scheduled Events: /club setup follow:on; when an
event's status becomes completed, the members Discord lists as interested (REST, users only,
bots left out) get the same DM as those who clicked Going; a server with no following club costs
no request."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

pytest.importorskip("discord")

import discord  # after the skip: these tests need the [discord] extra

from adapters.discord.runtime import intents
from adapters.discord.testing import GUILD_ID, text_of
from adapters.discord.testing.wire import BOT_USER, user_payload
from tests.adapters.discord.conftest import DiscordBot

EVENTS = discord.Permissions.text() | discord.Permissions(manage_events=True)
EVENT_ID = 950000000000000001
USERS = rf"^/guilds/{GUILD_ID}/scheduled-events/{EVENT_ID}/users$"
MEMBERS = (960000000000000001, 960000000000000002)


def scheduled_event(bot: DiscordBot, status: int, **changes: Any) -> discord.ScheduledEvent:
    """A Scheduled Event as the gateway sends it (GUILD_SCHEDULED_EVENT_UPDATE)."""
    start = bot.clock.now() - timedelta(hours=2)
    payload = {
        "id": str(EVENT_ID),
        "guild_id": str(GUILD_ID),
        "channel_id": None,
        "creator_id": str(MEMBERS[0]),
        "name": "Spring Career Fair @everyone",
        "description": "Booths in the main hall",
        "scheduled_start_time": start.isoformat(),
        "scheduled_end_time": bot.clock.now().isoformat(),
        "privacy_level": 2,
        "status": status,
        "entity_type": 3,  # external: a place, not a voice channel
        "entity_id": None,
        "entity_metadata": {"location": "Main hall"},
        "user_count": 3,
    } | changes
    return discord.ScheduledEvent(state=bot.client._connection, data=payload)  # type: ignore[arg-type]


def interested() -> list[dict[str, Any]]:
    users = [user_payload(member, f"member {n}") for n, member in enumerate(MEMBERS)]
    return [
        {"guild_scheduled_event_id": str(EVENT_ID), "user": user} for user in [*users, BOT_USER]
    ]


async def ended(bot: DiscordBot) -> None:
    before, after = scheduled_event(bot, 2), scheduled_event(bot, 3)
    with bot.http.installed():
        await bot.client.on_scheduled_event_update(before, after)  # type: ignore[attr-defined]


def test_the_bot_asks_for_scheduled_events_within_the_default_intents() -> None:
    assert intents().guild_scheduled_events
    assert intents().value & ~discord.Intents.default().value == 0


async def test_an_ended_scheduled_event_prompts_its_interested_members(
    discord_bot: DiscordBot,
) -> None:
    answer = await discord_bot.command(
        "club setup", {"name": "Career Club", "follow": "on"}, permissions=EVENTS
    )
    assert "It follows this server's Scheduled Events" in text_of(answer)
    discord_bot.http.answer("GET", USERS, status=200, body=interested())
    # Going live is no end: nothing is asked.
    with discord_bot.http.installed():
        await discord_bot.client.on_scheduled_event_update(  # type: ignore[attr-defined]
            scheduled_event(discord_bot, 1), scheduled_event(discord_bot, 2)
        )
    assert discord_bot.http.to("GET", USERS) == []
    await ended(discord_bot)
    (asked,) = discord_bot.http.to("GET", USERS)
    assert asked.params.get("with_member") in ("false", "False", "0")
    # Discord says so again (a resumed gateway): still one event, one DM each.
    discord_bot.http.answer("GET", USERS, status=200, body=interested())
    await ended(discord_bot)
    await discord_bot.nudges_after(hours=2)
    dms = {m["channel_id"]: m for m in discord_bot.http.created}
    assert set(dms) == {str(member + 1) for member in MEMBERS}  # not the bot
    shown = text_of(dms[str(MEMBERS[1] + 1)])
    assert "How was Spring Career Fair \\@everyone? Log who you met" in shown
    async with discord_bot.storage.session() as uow:
        club = await uow.clubs.following("discord", str(GUILD_ID))
        assert club is not None
        assert club.id is not None
        now = discord_bot.clock.now()
        (event,) = await uow.clubs.events_between(club.id, now - timedelta(days=1), now)
    assert (event.kind, event.scheduled_event) == ("fair", str(EVENT_ID))


async def test_a_server_without_a_following_club_costs_no_request(discord_bot: DiscordBot) -> None:
    await discord_bot.command("club setup", {"name": "Career Club"}, permissions=EVENTS)
    await ended(discord_bot)
    assert discord_bot.http.to("GET", USERS) == []
    off = await discord_bot.command("club setup", {"follow": "off"}, permissions=EVENTS)
    assert "It doesn't follow this server's Scheduled Events." in text_of(off)
