"""Help: how to record a conversation, and what /followups does."""

from __future__ import annotations

from bot import messages
from bot.commands import Help, MetForm
from bot.handlers.context import Context
from bot.messages.fairs import fair_help
from bot.replies import Reply

__all__ = ["met_form", "show_help"]


async def show_help(command: Help, ctx: Context) -> Reply:
    if command.topic == "met":
        return messages.met_help(ctx.rulebook)
    if command.topic == "fair":
        return fair_help(ctx.rulebook)
    return messages.follow_ups_help()


async def met_form(command: MetForm, ctx: Context) -> Reply:
    """/met alone: adapters with forms open one; the others show how to type it."""
    return messages.met_help(ctx.rulebook)
