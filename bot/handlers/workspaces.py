"""A workspace's own settings: its default time zone (/server-tz on Discord)."""

from __future__ import annotations

from bot.commands import ServerZone
from bot.handlers.context import Context
from bot.messages import settings as say
from bot.replies import Reply
from bot.zones import zone_or_error

__all__ = ["CLEAR_WORDS", "server_zone"]

CLEAR_WORDS = ("off", "none", "clear", "unset")


async def server_zone(command: ServerZone, ctx: Context) -> Reply:
    """Show, set or clear (`CLEAR_WORDS`) the zone members who set none see times in. The
    adapter checks that the requester manages the workspace before it builds the command."""
    value = command.value.strip()
    if not value:
        workspace = await ctx.workspace()
        return say.workspace_zone_shown(workspace.default_timezone, ctx.deps.default_zone)
    zone = None if value.casefold() in CLEAR_WORDS else zone_or_error(value).key
    address = ctx.person.address
    await ctx.uow.workspaces.set_default_zone(address.platform, address.workspace, zone)
    if zone is None:
        return say.workspace_zone_cleared(ctx.deps.default_zone)
    return say.workspace_zone_set(zone)
