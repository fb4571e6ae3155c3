"""`followup-bot run` with Discord: settings, the client it makes, and serving."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path

import pytest

pytest.importorskip("discord")

import discord

from adapters import cli
from adapters.discord.messenger import DiscordMessenger
from adapters.discord.runtime import DiscordRuntime, DiscordSettings, intents
from adapters.discord.testing import APPLICATION_ID, TOKEN, FakeDiscordHTTP, logged_in
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


# -- `followup-bot run` on Discord, in this process against the fake HTTP layer ---------------

# A refused token stops `followup-bot run` within this (issue 17).
REFUSAL_BOUND = 20.0


@pytest.fixture
def discord_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The environment of `followup-bot run` with Discord alone; logging left to pytest."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "DISCORD_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/discord.db")
    monkeypatch.setenv("OPS_PORT", "0")
    monkeypatch.setattr(cli, "_configure_logging", lambda *args, **kwargs: None)


def run_against(fake: FakeDiscordHTTP) -> tuple[int, float]:
    started = time.monotonic()
    with fake.installed():
        code = cli.main(["run"])
    return code, time.monotonic() - started


@pytest.mark.usefixtures("discord_only")
def test_run_stops_when_discord_refuses_the_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def never(self: discord.Client, *, reconnect: bool = True) -> None:
        raise AssertionError("the gateway is not tried with a refused token")

    monkeypatch.setattr(discord.Client, "connect", never)
    fake = FakeDiscordHTTP()
    fake.error("GET", "^/users/@me$", status=401, code=0, message="401: Unauthorized")
    code, took = run_against(fake)
    assert code == 2
    assert took < REFUSAL_BOUND
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("followup-bot: DISCORD_TOKEN was rejected by Discord")


@pytest.mark.usefixtures("discord_only")
def test_run_gives_up_naming_discord_when_the_gateway_never_answers(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def silent(self: discord.Client, *, reconnect: bool = True) -> None:
        await asyncio.Event().wait()  # neither READY nor an error

    monkeypatch.setattr(discord.Client, "connect", silent)
    monkeypatch.setattr(cli, "STARTUP_TIMEOUT", 0.5)
    code, took = run_against(FakeDiscordHTTP())
    assert code == 2
    assert took < REFUSAL_BOUND
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("followup-bot: discord: not connected after")


@pytest.mark.usefixtures("discord_only")
def test_running_is_logged_once_the_gateway_has_accepted_the_bot(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    async def accepted(self: discord.Client, *, reconnect: bool = True) -> None:
        await asyncio.sleep(0.2)
        assert not any("followup-bot running" in r.getMessage() for r in caplog.records)
        self.dispatch("connect")  # what discord.py dispatches on the gateway's READY
        await asyncio.sleep(0.2)  # then the gateway closes: the run ends

    monkeypatch.setattr(discord.Client, "connect", accepted)
    code, _ = run_against(FakeDiscordHTTP())
    assert code == 0
    said = [r.getMessage() for r in caplog.records]
    connected = said.index("Discord: connected to the gateway")
    assert said.index("followup-bot running: discord") > connected


async def test_ready_follows_the_gateway() -> None:
    runtime = DiscordRuntime(DiscordSettings(token=TOKEN))
    await logged_in(runtime.client, FakeDiscordHTTP())
    assert not runtime.ready.is_set()
    for event, expected in [("connect", True), ("disconnect", False), ("resumed", True)]:
        runtime.client.dispatch(event)
        await asyncio.sleep(0)  # discord.py runs each listener as a task
        await asyncio.sleep(0)
        assert runtime.ready.is_set() is expected, event
    await runtime.client.close()
