"""/club on Discord: a text channel becomes a club; members who can manage the server's events
(or the server) organize it, with those the founder adds; anyone else is refused."""

from __future__ import annotations

import pytest

pytest.importorskip("discord")

import discord  # after the skip: these tests need the [discord] extra

from adapters.discord.testing import CHANNEL_ID, GUILD_ID, text_of
from tests.adapters.discord.conftest import ALICE, BOB, DiscordBot

EVENTS = discord.Permissions.text() | discord.Permissions(manage_events=True)
SERVER = discord.Permissions.text() | discord.Permissions(manage_guild=True)


async def test_setup_makes_the_text_channel_a_club(discord_bot: DiscordBot) -> None:
    answer = await discord_bot.command(
        "club setup", {"name": "Career Club", "tz": "Europe/Berlin"}, permissions=EVENTS
    )
    assert answer["flags"] & 64  # ephemeral
    assert "This channel is now the club Career Club, in Europe/Berlin time." in text_of(answer)
    async with discord_bot.storage.session() as uow:
        club = await uow.clubs.get("discord", str(GUILD_ID), str(CHANNEL_ID))
    assert club is not None
    assert club.created_by == str(ALICE)


async def test_organizers_are_those_who_run_events_or_the_server_and_those_added(
    discord_bot: DiscordBot,
) -> None:
    await discord_bot.command("club setup", {"name": "Career Club"}, permissions=EVENTS)
    refused = text_of(await discord_bot.command("club setup", {"tz": "UTC"}, user=BOB))
    assert "Sorry, only the organizers of Career Club can change its set-up." in refused
    managed = await discord_bot.command("club setup", {"tz": "UTC"}, user=BOB, permissions=SERVER)
    assert "Saved: this channel is the club Career Club, in UTC time." in text_of(managed)
    added = await discord_bot.command("club organizers", {"change": "add"}, members={"member": BOB})
    assert "is now an organizer of this club." in text_of(added)
    # Bob organizes now without any permission of his own.
    again = await discord_bot.command("club setup", {"tz": "Asia/Tokyo"}, user=BOB)
    assert "in Asia/Tokyo time" in text_of(again)
    missing = text_of(await discord_bot.command("club organizers", {"change": "remove"}))
    assert "Whom should I remove? Pick a member." in missing


async def test_club_is_for_event_managers_by_default(discord_bot: DiscordBot) -> None:
    commands = {c.name: c for c in discord_bot.app.tree.get_commands()}
    club = commands["club"]
    assert club.default_permissions == discord.Permissions(manage_events=True)
    assert club.guild_only


async def test_club_delete_asks_first_and_only_an_organizer_confirms(
    discord_bot: DiscordBot,
) -> None:
    await discord_bot.command("club setup", {"name": "Career Club"}, permissions=EVENTS)
    refused = await discord_bot.command("club delete", {"confirm": True}, user=BOB)
    assert "only the organizers of Career Club can delete it" in text_of(refused)
    asked = await discord_bot.command("club delete", {})
    assert asked["flags"] & 64
    assert "To go ahead: /club delete confirm" in text_of(asked)
    deleted = await discord_bot.command("club delete", {"confirm": True})
    assert deleted["flags"] & 64
    assert "Deleted the club Career Club" in text_of(deleted)
    async with discord_bot.storage.session() as uow:
        assert await uow.clubs.get("discord", str(GUILD_ID), str(CHANNEL_ID)) is None
