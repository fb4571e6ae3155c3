"""`followup-bot run` with Discord: settings, the client it makes, and serving."""

from __future__ import annotations

import pytest

pytest.importorskip("discord")

import discord

from adapters.discord.messenger import DiscordMessenger
from adapters.discord.runtime import DiscordRuntime, DiscordSettings, intents
from adapters.discord.testing import APPLICATION_ID, TOKEN, FakeDiscordHTTP
from bot.bootstrap import Bot
from bot.config import ConfigError
from bot.testing import TestBot, make_test_bot

SERVER = "123456789012345678"


def test_settings_from_the_environment() -> None:
    settings = DiscordSettings.from_env({"DISCORD_TOKEN": " abc ", "DISCORD_GUILD_ID": SERVER})
    assert settings == DiscordSettings(token="abc", guild_id=int(SERVER))
    assert "abc" not in repr(settings)

    auto = DiscordSettings.from_env({"DISCORD_TOKEN": "t", "DISCORD_SHARD_COUNT": "auto"})
    assert auto.sharded
    assert auto.shard_count is None

    split = DiscordSettings.from_env(
        {"DISCORD_TOKEN": "t", "DISCORD_SHARD_COUNT": "4", "DISCORD_SHARD_IDS": "2, 0,2"}
    )
    assert (split.shard_count, split.shard_ids) == (4, (0, 2))


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "DISCORD_TOKEN"),
        ({"DISCORD_GUILD_ID": "my-server"}, "DISCORD_GUILD_ID"),
        ({"DISCORD_SHARD_COUNT": "0"}, "DISCORD_SHARD_COUNT"),
        ({"DISCORD_SHARD_COUNT": "many"}, "DISCORD_SHARD_COUNT"),
        ({"DISCORD_SHARD_IDS": "0"}, "DISCORD_SHARD_IDS"),
        ({"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "0,2"}, "DISCORD_SHARD_IDS"),
    ],
)
def test_bad_settings_are_named(env: dict[str, str], named: str) -> None:
    if named != "DISCORD_TOKEN":
        env = {"DISCORD_TOKEN": "t", **env}
    with pytest.raises(ConfigError, match=named):
        DiscordSettings.from_env(env)


def test_no_privileged_intent() -> None:
    wanted = intents()
    assert not (wanted.members)
    assert not (wanted.presences)
    assert not (wanted.message_content)
    assert wanted.value & ~discord.Intents.default().value == 0  # within the defaults
    assert wanted.guilds


def test_the_client_mentions_no_one_and_shards_when_asked() -> None:
    plain = DiscordRuntime(DiscordSettings(token="t"))
    assert type(plain.client) is discord.Client
    assert plain.client.allowed_mentions is not None
    assert plain.client.allowed_mentions.to_dict() == {"parse": []}
    assert isinstance(plain.messenger, DiscordMessenger)  # before any Bot exists

    sharded = DiscordRuntime(
        DiscordSettings(token="t", sharded=True, shard_count=4, shard_ids=(1,))
    )
    assert isinstance(sharded.client, discord.AutoShardedClient)
    assert sharded.client.shard_count == 4
    assert sharded.client.shard_ids == [1]


def bot_for(core: TestBot) -> Bot:
    """A bot on the in-memory core, as build_bot wires one (without its database)."""
    return Bot(
        storage=core.storage,
        clock=core.clock,
        service=core.service,
        dispatcher=core.dispatcher,
        rulebook=core.rulebook,
    )


async def test_serve_logs_in_syncs_once_and_closes(monkeypatch: pytest.MonkeyPatch) -> None:
    core = make_test_bot()
    runtime = DiscordRuntime(DiscordSettings(token=TOKEN))
    with pytest.raises(RuntimeError, match="attach"):
        await runtime.serve()
    runtime.attach(bot_for(core))
    connected: list[bool] = []

    async def connect(*, reconnect: bool = True) -> None:  # the gateway, which needs a network
        connected.append(reconnect)

    monkeypatch.setattr(runtime.client, "connect", connect)
    fake = FakeDiscordHTTP()
    with fake.installed():
        await runtime.serve()

    assert connected == [True]
    assert len(fake.to("PUT", rf"^/applications/{APPLICATION_ID}/commands$")) == 1
    assert fake.closed

    # Started again (a restart): the commands are the same, so no sync.
    again = DiscordRuntime(DiscordSettings(token=TOKEN))
    again.attach(bot_for(core))
    monkeypatch.setattr(again.client, "connect", connect)
    second = FakeDiscordHTTP()
    with second.installed():
        await again.serve()
    assert second.to("PUT", r"/commands$") == []


async def test_a_rejected_token_is_a_configuration_error() -> None:
    runtime = DiscordRuntime(DiscordSettings(token="wrong"))
    runtime.attach(bot_for(make_test_bot()))
    fake = FakeDiscordHTTP()
    fake.error("GET", "^/users/@me$", status=401, code=0, message="401: Unauthorized")
    with fake.installed(), pytest.raises(ConfigError, match="DISCORD_TOKEN was rejected"):
        await runtime.serve()
