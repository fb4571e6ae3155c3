"""Register the app commands with Discord, only when their definitions changed.

Discord limits command registration to 200 creations a day per scope; a bot that syncs at
every start, in every replica, burns through that. The definitions' hash is kept in the shared
database (the core's `SharedState`), per application and scope, so a restart or another replica
with the same commands makes no request at all.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import discord
from discord import app_commands

from bot.state import SharedState

__all__ = ["command_hash", "sync_commands"]

log = logging.getLogger(__name__)

STATE_KEY = "discord:commands:{application}:{scope}"


def command_payloads(
    tree: app_commands.CommandTree[Any], guild: discord.abc.Snowflake | None
) -> list[dict[str, Any]]:
    """What `tree.sync(guild=guild)` would send, in a stable order."""
    commands = tree.get_commands(guild=guild)
    return sorted((command.to_dict(tree) for command in commands), key=lambda c: str(c["name"]))


def command_hash(payloads: list[dict[str, Any]]) -> str:
    text = json.dumps(payloads, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


async def sync_commands(
    tree: app_commands.CommandTree[Any],
    state: SharedState,
    *,
    guild_id: int | None = None,
) -> bool:
    """Sync `tree` to the server `guild_id` (instant: for development) or globally, unless the
    same definitions were synced before. True when it synced. Needs the client logged in (the
    application id)."""
    application_id = tree.client.application_id
    if application_id is None:
        raise RuntimeError("log in before syncing commands: the application id is unknown")
    guild = discord.Object(id=guild_id) if guild_id is not None else None
    if guild is not None:
        tree.copy_global_to(guild=guild)
    scope = f"guild:{guild_id}" if guild_id is not None else "global"
    key = STATE_KEY.format(application=application_id, scope=scope)
    digest = command_hash(command_payloads(tree, guild))
    if await state.recall(key) == digest:
        log.info("Discord commands (%s) unchanged: not syncing", scope)
        return False
    synced = await tree.sync(guild=guild)
    await state.remember(key, digest)
    log.info("synced %d Discord commands (%s)", len(synced), scope)
    return True
