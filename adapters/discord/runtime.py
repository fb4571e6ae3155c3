"""Discord in `followup-bot run`: settings from the environment, the messenger, the gateway.

Settings:

- ``DISCORD_TOKEN`` (required): the bot's token.
- ``DISCORD_GUILD_ID``: sync the commands to this one server (instant; for development) instead
  of globally.
- ``DISCORD_SHARD_COUNT``: ``auto`` (Discord's recommendation) or a number: run an
  ``AutoShardedClient``. Unset, one connection (fine up to about 2,500 servers).
- ``DISCORD_SHARD_IDS``: with a numeric count, the shards this process runs ("0,1"); the other
  processes run the rest. Every process can send DMs through REST, sharing the outbox.

A token Discord refuses (401 on login) stops the start with a ConfigError naming DISCORD_TOKEN.
`ready` is set once the gateway has accepted the bot (its READY, any shard), cleared while it is
disconnected.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import discord

from bot.bootstrap import Bot
from bot.config import ConfigError
from bot.pacing import PaceRule

from . import PLATFORM
from .app import DiscordApp
from .messenger import PACE_RULES, DiscordMessenger
from .render import NO_MENTIONS
from .sync import sync_commands

__all__ = ["DiscordRuntime", "DiscordSettings", "intents"]

log = logging.getLogger(__name__)


def intents() -> discord.Intents:
    """The gateway events the bot asks for: servers and their channels, and their Scheduled
    Events (for a club that follows them), nothing more.

    All within Discord's default (non-privileged) intents: interactions reach a bot whatever its
    intents, so it asks for no member, presence or message content intent, and not for message
    events either, which a bot in many servers would receive for every message anyone writes.
    """
    return discord.Intents(guilds=True, guild_scheduled_events=True)


@dataclass(frozen=True)
class DiscordSettings:
    token: str
    guild_id: int | None = None
    sharded: bool = False
    shard_count: int | None = None  # None with `sharded`: as many as Discord recommends
    shard_ids: tuple[int, ...] | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> DiscordSettings:
        def get(name: str) -> str:
            return env.get(name, "").strip()

        token = get("DISCORD_TOKEN")
        if not token:
            raise ConfigError(
                "DISCORD_TOKEN is not set: copy the bot's token from the Discord developer "
                "portal (your application → Bot → Reset Token)"
            )
        guild = get("DISCORD_GUILD_ID")
        if guild and not (guild.isdigit() and 15 <= len(guild) <= 20):
            raise ConfigError(
                f"DISCORD_GUILD_ID: “{guild[:30]}” isn't a server id (a number of 17 to 20 "
                "digits: right-click the server with Developer Mode on → Copy Server ID)"
            )
        count_text = get("DISCORD_SHARD_COUNT").casefold()
        ids_text = get("DISCORD_SHARD_IDS")
        count: int | None = None
        if count_text and count_text != "auto":
            if not count_text.isdigit() or int(count_text) < 1:
                raise ConfigError(
                    f"DISCORD_SHARD_COUNT: “{count_text[:20]}” isn't auto or a number of shards"
                )
            count = int(count_text)
        shard_ids: tuple[int, ...] | None = None
        if ids_text:
            if count is None:
                raise ConfigError(
                    "DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT set to the total number of "
                    "shards, so that every process agrees on who runs which"
                )
            parts = [p.strip() for p in ids_text.split(",")]
            if not all(p.isdigit() and int(p) < count for p in parts):
                raise ConfigError(
                    f"DISCORD_SHARD_IDS: “{ids_text[:40]}” should be shard numbers from 0 to "
                    f"{count - 1}, separated by commas"
                )
            shard_ids = tuple(sorted({int(p) for p in parts}))
        return cls(
            token=token,
            guild_id=int(guild) if guild else None,
            sharded=bool(count_text),
            shard_count=count,
            shard_ids=shard_ids,
        )

    def __repr__(self) -> str:
        # The token never reaches a log or a traceback through repr().
        return (
            f"DiscordSettings(guild_id={self.guild_id}, sharded={self.sharded}, "
            f"shard_count={self.shard_count}, shard_ids={self.shard_ids})"
        )


def make_client(settings: DiscordSettings) -> discord.Client:
    """One gateway connection, or an `AutoShardedClient` when shards are asked for. Mentions
    are off by default for everything it sends."""
    if settings.sharded and settings.shard_ids is not None:
        return discord.AutoShardedClient(
            intents=intents(),
            allowed_mentions=NO_MENTIONS,
            shard_count=settings.shard_count,
            shard_ids=list(settings.shard_ids),
        )
    if settings.sharded:
        return discord.AutoShardedClient(
            intents=intents(), allowed_mentions=NO_MENTIONS, shard_count=settings.shard_count
        )
    return discord.Client(intents=intents(), allowed_mentions=NO_MENTIONS)


class DiscordRuntime:
    """Discord for `followup-bot run`: `messenger` and `pace_rules` first (the dispatcher needs
    them), then `attach(bot)`, then `serve()` until cancelled."""

    platform = PLATFORM
    pace_rules: Sequence[PaceRule] = PACE_RULES

    def __init__(self, settings: DiscordSettings) -> None:
        self.settings = settings
        self.messenger = DiscordMessenger(settings.token)
        self.client = make_client(settings)
        self.app: DiscordApp | None = None
        self._bot: Bot | None = None
        # Set while the gateway holds a session: from READY (or RESUMED) to a disconnect.
        self.ready = asyncio.Event()
        self._watch_the_gateway()

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> DiscordRuntime:
        return cls(DiscordSettings.from_env(env))

    def _watch_the_gateway(self) -> None:
        # discord.py calls the client's on_<event> attributes; nothing else here sets these.
        ready = self.ready

        async def on_connect() -> None:  # dispatched on READY, once the token is accepted
            if not ready.is_set():
                log.info("Discord: connected to the gateway")
            ready.set()

        async def on_resumed() -> None:
            ready.set()

        async def on_disconnect() -> None:
            ready.clear()

        for listener in (on_connect, on_resumed, on_disconnect):
            self.client.event(listener)

    def attach(self, bot: Bot) -> None:
        """Wire the commands and buttons to `bot.service`."""
        self.app = DiscordApp(self.client, bot.service)
        self.messenger.clock = bot.clock
        self._bot = bot

    async def serve(self) -> None:
        """Log in, sync the commands if they changed, and hold the gateway until cancelled;
        then close the connection and the messenger's HTTP session."""
        if self.app is None or self._bot is None:
            raise RuntimeError("DiscordRuntime.attach(bot) must come before serve()")
        bot = self._bot
        try:
            try:
                await self.client.login(self.settings.token)
            except discord.LoginFailure:
                raise ConfigError(
                    "DISCORD_TOKEN was rejected by Discord: reset it in the developer portal "
                    "(your application → Bot) and set the new one"
                ) from None
            try:
                await sync_commands(self.app.tree, bot.state, guild_id=self.settings.guild_id)
            except discord.HTTPException as err:
                # The commands registered before still work; the next start tries again.
                log.error("Discord: registering the commands failed (HTTP %s)", err.status)
            log.info("Discord: connecting to the gateway (%r)", self.settings)
            await self.client.connect(reconnect=True)
        finally:
            self.ready.clear()
            await self.client.close()
            await self.messenger.close()
