"""/followups edit, delete, undo, export, calendar, link, unlink and forget-me on Discord: typed options to the core's
commands. The follow-up is picked as for done and snooze (`commands.py` hands its picker over);
an export's files come back as attachments of the ephemeral answer (`Responder.send`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from discord import app_commands

from bot.commands import (
    Calendar,
    Command,
    Delete,
    Edit,
    EditGreeting,
    Export,
    ForgetMe,
    Link,
    Undo,
    Unlink,
)
from bot.edits import EDIT_EXAMPLE
from bot.met import LIMITS

from .context import Interaction, Responder
from .forms import COMPANY_MAX, EVENT_MAX, GREET_MAX, TOPICS_MAX, WHEN_MAX

__all__ = ["add_your_data_commands"]

Choices = list[app_commands.Choice[str]]
Picker = Callable[[Interaction, str], Coroutine[Any, Any, Choices]]
OnFollowUp = Callable[[Interaction, str, str, Callable[[int], Command]], Awaitable[None]]

# The core's limits, as Discord enforces them while the student types.
NAME_MAX = LIMITS["name"]  # a correction renames one person
PRIORITY_MAX = 10


def add_your_data_commands(
    responder: Responder,
    followups: app_commands.Group,
    *,
    own_follow_ups: Picker,
    on_follow_up: OnFollowUp,
) -> None:
    """Add the your-data subcommands to the /followups group."""

    @followups.command(name="edit", description="Correct what you recorded (reminders follow)")
    @app_commands.describe(
        follow_up="Which one (start typing a name)",
        name="Who you met",
        company="Their company, school or organisation",
        about="What you talked about (none to clear)",
        when="When you met, like yesterday 4pm",
        event="The event (none to clear)",
        priority="Career fairs: 1, 2 or 3 (none to clear)",
        greet="How the draft greets them, like Dr. Raman (off for the usual greeting)",
    )
    @app_commands.autocomplete(follow_up=own_follow_ups)
    async def edit(
        interaction: Interaction,
        follow_up: str,
        name: app_commands.Range[str, 1, NAME_MAX] | None = None,
        company: app_commands.Range[str, 1, COMPANY_MAX] | None = None,
        about: app_commands.Range[str, 1, TOPICS_MAX] | None = None,
        when: app_commands.Range[str, 1, WHEN_MAX] | None = None,
        event: app_commands.Range[str, 1, EVENT_MAX] | None = None,
        priority: app_commands.Range[str, 1, PRIORITY_MAX] | None = None,
        greet: app_commands.Range[str, 1, GREET_MAX] | None = None,
    ) -> None:
        given: dict[str, str | None] = {
            "name": name,
            "company": company,
            "topics": about,
            "when": when,
            "event": event,
            "priority": priority,
        }
        changes = tuple((field, value) for field, value in given.items() if value is not None)
        if greet is not None:
            if changes:
                await responder.answer(
                    interaction, None, error="Change the greeting on its own: just greet."
                )
                return
            off = greet.strip().casefold() in ("off", "none", "reset")
            await on_follow_up(
                interaction,
                follow_up,
                '/followups edit 3 greet:"Dr. Raman"',
                lambda n: EditGreeting(n, None if off else greet),
            )
            return
        if not changes:
            example = "name, company, about, when, event or priority"
            await responder.answer(
                interaction, None, error=f"Say what to change: {example}. Typed: {EDIT_EXAMPLE}"
            )
            return
        await on_follow_up(interaction, follow_up, "/followups edit 3", lambda n: Edit(n, changes))

    @followups.command(name="delete", description="Delete a conversation and its follow-ups")
    @app_commands.describe(
        follow_up="Which one (start typing a name)", confirm="Yes, delete it for good"
    )
    @app_commands.autocomplete(follow_up=own_follow_ups)
    async def delete(interaction: Interaction, follow_up: str, confirm: bool = False) -> None:
        await on_follow_up(
            interaction, follow_up, "/followups delete 3", lambda n: Delete(n, confirmed=confirm)
        )

    @followups.command(name="undo", description="Take back your last /met (within 10 minutes)")
    async def undo(interaction: Interaction) -> None:
        await responder.answer(interaction, Undo())

    @followups.command(name="export", description="Your data as a spreadsheet and a calendar")
    async def export(interaction: Interaction) -> None:
        await responder.answer(interaction, Export())

    @followups.command(name="calendar", description="A private link to your deadlines' calendar")
    @app_commands.describe(reset="A new link: the one you had stops working")
    async def calendar(interaction: Interaction, reset: bool = False) -> None:
        await responder.answer(interaction, Calendar(reset=reset))

    @followups.command(name="link", description="One list on Slack and Discord: a code, or yours")
    @app_commands.describe(code="The code /followups link gave you on Slack (none: get one)")
    async def link(
        interaction: Interaction, code: app_commands.Range[str, 1, 40] | None = None
    ) -> None:
        await responder.answer(interaction, Link(code or ""))

    @followups.command(name="unlink", description="Split your Slack and Discord lists again")
    async def unlink(interaction: Interaction) -> None:
        await responder.answer(interaction, Unlink())

    @followups.command(name="forget-me", description="Delete everything I keep about you")
    @app_commands.describe(confirm="Yes, delete it all for good")
    async def forget_me(interaction: Interaction, confirm: bool = False) -> None:
        await responder.answer(interaction, ForgetMe(confirmed=confirm))
