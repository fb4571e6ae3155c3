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


EVENT = rf"^/guilds/{GUILD_ID}/scheduled-events/{EVENT_ID}$"


def voice_event(bot: DiscordBot, status: int, *, ends_in: timedelta | None) -> dict[str, Any]:
    """A voice-channel Scheduled Event's wire payload, starting now; no end when `ends_in` is
    None (Discord asks for one only of events held elsewhere)."""
    start = bot.clock.now()
    return {
        "id": str(EVENT_ID),
        "guild_id": str(GUILD_ID),
        "channel_id": "970000000000000001",
        "creator_id": str(MEMBERS[0]),
        "name": "Deloitte Info Session",
        "description": None,
        "scheduled_start_time": start.isoformat(),
        "scheduled_end_time": (start + ends_in).isoformat() if ends_in is not None else None,
        "privacy_level": 2,
        "status": status,
        "entity_type": 2,  # a voice channel: Discord ends it only when someone does
        "entity_id": None,
        "entity_metadata": None,
        "user_count": 2,
    }


def as_object(bot: DiscordBot, payload: dict[str, Any]) -> discord.ScheduledEvent:
    return discord.ScheduledEvent(state=bot.client._connection, data=payload)  # type: ignore[arg-type]


async def follow(bot: DiscordBot) -> None:
    await bot.command("club setup", {"name": "Career Club", "follow": "on"}, permissions=EVENTS)


def prompted(bot: DiscordBot) -> set[str]:
    return {m["channel_id"] for m in bot.http.created if "How was" in text_of(m)}


async def test_a_voice_event_left_active_is_taken_at_its_scheduled_end(
    discord_bot: DiscordBot,
) -> None:
    await follow(discord_bot)
    created = voice_event(discord_bot, 1, ends_in=timedelta(hours=1))
    with discord_bot.http.installed():
        await discord_bot.client.on_scheduled_event_create(as_object(discord_bot, created))  # type: ignore[attr-defined]
        # It goes live; Discord never says it completed.
        await discord_bot.client.on_scheduled_event_update(  # type: ignore[attr-defined]
            as_object(discord_bot, created), as_object(discord_bot, created | {"status": 2})
        )
    assert discord_bot.http.to("GET", EVENT) == []
    await discord_bot.nudges_after(hours=0.5)
    assert discord_bot.http.to("GET", EVENT) == []  # not before its end
    discord_bot.http.answer("GET", EVENT, status=200, body=created | {"status": 2})
    discord_bot.http.answer("GET", USERS, status=200, body=interested())
    await discord_bot.nudges_after(hours=0.6)
    assert len(discord_bot.http.to("GET", EVENT)) == 1
    (asked,) = discord_bot.http.to("GET", USERS)
    assert asked.params.get("with_member") in ("false", "False", "0")
    await discord_bot.nudges_after(hours=1.1)
    assert prompted(discord_bot) == {str(member + 1) for member in MEMBERS}  # not the bot
    # The completed update comes after all: nobody hears twice.
    with discord_bot.http.installed():
        await discord_bot.client.on_scheduled_event_update(  # type: ignore[attr-defined]
            as_object(discord_bot, created | {"status": 2}),
            as_object(discord_bot, created | {"status": 3}),
        )
    await discord_bot.nudges_after(hours=2)
    assert len([m for m in discord_bot.http.created if "How was" in text_of(m)]) == len(MEMBERS)


async def test_a_cancelled_or_deleted_voice_event_prompts_nobody(discord_bot: DiscordBot) -> None:
    await follow(discord_bot)
    created = voice_event(discord_bot, 1, ends_in=None)
    with discord_bot.http.installed():
        await discord_bot.client.on_scheduled_event_create(as_object(discord_bot, created))  # type: ignore[attr-defined]
        await discord_bot.client.on_scheduled_event_update(  # type: ignore[attr-defined]
            as_object(discord_bot, created), as_object(discord_bot, created | {"status": 4})
        )
    await discord_bot.nudges_after(hours=3)
    assert discord_bot.http.to("GET", EVENT) == []
    # Another, deleted while the bot wasn't listening: Discord answers Unknown Scheduled Event.
    other = created | {"id": str(EVENT_ID + 1)}
    with discord_bot.http.installed():
        await discord_bot.client.on_scheduled_event_create(as_object(discord_bot, other))  # type: ignore[attr-defined]
    gone = rf"^/guilds/{GUILD_ID}/scheduled-events/{EVENT_ID + 1}$"
    discord_bot.http.answer("GET", gone, status=404, body={"code": 10070, "message": "Unknown"})
    await discord_bot.nudges_after(hours=3)
    assert len(discord_bot.http.to("GET", gone)) == 1
    assert discord_bot.http.to("GET", USERS) == []
    await discord_bot.nudges_after(hours=24)
    assert prompted(discord_bot) == set()
    # And one deleted with the bot listening is never read.
    third = created | {"id": str(EVENT_ID + 2)}
    with discord_bot.http.installed():
        await discord_bot.client.on_scheduled_event_create(as_object(discord_bot, third))  # type: ignore[attr-defined]
        await discord_bot.client.on_scheduled_event_delete(as_object(discord_bot, third))  # type: ignore[attr-defined]
    before = len(discord_bot.http.requests)
    await discord_bot.nudges_after(hours=3)
    assert [r for r in discord_bot.http.requests[before:] if "scheduled-events" in r.path] == []


async def test_on_connecting_the_servers_events_are_watched_and_a_missed_end_is_taken(
    discord_bot: DiscordBot,
) -> None:
    await follow(discord_bot)
    # Completed while the bot was down (Discord still lists it), and one still to come.
    missed = voice_event(discord_bot, 3, ends_in=timedelta(hours=-1)) | {
        "scheduled_start_time": (discord_bot.clock.now() - timedelta(hours=2)).isoformat()
    }
    ahead = voice_event(discord_bot, 1, ends_in=timedelta(hours=3)) | {"id": str(EVENT_ID + 1)}
    guild = discord.Guild(
        data={  # type: ignore[typeddict-item]
            "id": str(GUILD_ID),
            "name": "Career Club server",
            "guild_scheduled_events": [missed, ahead],
        },
        state=discord_bot.client._connection,
    )
    with discord_bot.http.installed():
        await discord_bot.client.on_guild_available(guild)  # type: ignore[attr-defined]
    discord_bot.http.answer("GET", EVENT, status=200, body=missed)
    discord_bot.http.answer("GET", USERS, status=200, body=interested())
    await discord_bot.nudges_after(hours=0.1)
    assert len(discord_bot.http.to("GET", EVENT)) == 1
    ahead_path = rf"^/guilds/{GUILD_ID}/scheduled-events/{EVENT_ID + 1}$"
    assert discord_bot.http.to("GET", ahead_path) == []  # not before its end
    await discord_bot.nudges_after(hours=1)
    assert prompted(discord_bot) == {str(member + 1) for member in MEMBERS}
