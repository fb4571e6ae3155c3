"""Command registration: only when the definitions changed, per application and scope."""

from __future__ import annotations

import pytest

pytest.importorskip("discord")

import discord
from discord import app_commands

from adapters.discord.sync import command_payloads, sync_commands
from adapters.discord.testing import APPLICATION_ID, GUILD_ID
from bot.state import SharedState
from tests.adapters.discord.conftest import DiscordBot

GLOBAL = rf"^/applications/{APPLICATION_ID}/commands$"
GUILD = rf"^/applications/{APPLICATION_ID}/guilds/{GUILD_ID}/commands$"


async def sync(bot: DiscordBot, guild_id: int | None = None) -> bool:
    return await sync_commands(bot.app.tree, SharedState(bot.storage, bot.clock), guild_id=guild_id)


async def test_unchanged_definitions_make_no_sync_call(discord_bot: DiscordBot) -> None:
    assert await sync(discord_bot) is True
    (put,) = discord_bot.http.to("PUT", GLOBAL)
    assert sorted(c["name"] for c in put.json) == ["club", "fair", "followups", "met", "server-tz"]

    # A restart, or another replica: same definitions, same database.
    assert await sync(discord_bot) is False
    assert len(discord_bot.http.to("PUT", GLOBAL)) == 1


async def test_changed_definitions_sync_again(discord_bot: DiscordBot) -> None:
    await sync(discord_bot)

    @app_commands.command(name="ping", description="A new command")
    async def ping(interaction: discord.Interaction[discord.Client]) -> None:
        pass

    discord_bot.app.tree.add_command(ping)
    assert await sync(discord_bot) is True
    assert len(discord_bot.http.to("PUT", GLOBAL)) == 2


async def test_a_development_server_is_synced_on_its_own(discord_bot: DiscordBot) -> None:
    assert await sync(discord_bot, GUILD_ID) is True
    (put,) = discord_bot.http.to("PUT", GUILD)
    assert "met" in [c["name"] for c in put.json]
    assert discord_bot.http.to("PUT", GLOBAL) == []
    assert await sync(discord_bot, GUILD_ID) is False
    assert await sync(discord_bot) is True  # the global scope has a hash of its own


async def test_the_definitions_sent(discord_bot: DiscordBot) -> None:
    commands = {c["name"]: c for c in command_payloads(discord_bot.app.tree, None)}

    met = {o["name"]: o for o in commands["met"]["options"]}
    assert list(met) == ["name", "company", "kind", "about", "when", "event", "priority", "greet"]
    assert not any(o.get("required") for o in met.values())  # /met alone opens the form
    assert [c["value"] for c in met["kind"]["choices"]] == list(discord_bot.service.rulebook.kinds)
    assert met["name"]["max_length"] == 650  # a panel: names between ;
    assert met["greet"]["max_length"] == 100

    subcommands = {o["name"]: o for o in commands["followups"]["options"]}
    assert set(subcommands) >= {"list", "done", "snooze", "skip", "settings", "help"}
    assert {o["name"] for o in subcommands["settings"]["options"]} == {
        "show",
        "tz",
        "quiet",
        "digest",
        "nudges",
        "job",
        "linkedin",
        "name",
        "dm",
        "shoutouts",
    }
    assert set(subcommands) >= {"calendar", "link", "unlink"}
    (code,) = subcommands["link"]["options"]
    assert (code["name"], code.get("required", False)) == ("code", False)
    for name in ("done", "snooze", "skip"):
        (follow_up,) = [o for o in subcommands[name]["options"] if o["name"] == "follow_up"]
        assert follow_up["autocomplete"] is True

    server_tz = commands["server-tz"]
    manage_guild = discord.Permissions(manage_guild=True).value
    assert int(server_tz["default_member_permissions"]) == manage_guild
    assert server_tz["contexts"] == [0]  # servers only
    assert server_tz["integration_types"] == [0]  # installed in a server only
    club = commands["club"]
    assert int(club["default_member_permissions"]) == discord.Permissions(manage_events=True).value
    assert club["contexts"] == [0]
    # /met and /followups also on a student's own account, anywhere: servers, DMs, group DMs.
    for name in ("met", "followups"):
        assert sorted(commands[name]["integration_types"]) == [0, 1]
        assert sorted(commands[name]["contexts"]) == [0, 1, 2]
