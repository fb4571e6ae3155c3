"""Recording a conversation: /met's fields (typed options or the form) to the core, its problems
shown by field with a button to fix them in the form, and the form itself (a modal opened by a
bare /met or by that button).

A modal holds at most five inputs and /met has eight fields, so when, event, priority and the
greeting share the last one, written as on Slack:
``yesterday 4pm event:"Spring Fair" priority:1 greet:"Dr. Raman"``. The core's
own /met grammar splits it, and validates everything, so errors read the same everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import discord

from bot.commands import Edit, Met
from bot.edits import changes_from_form
from bot.errors import UserError
from bot.met import LIMITS, MetInput
from bot.replies import CorrectionForm, Reply

from .context import DM_SCOPE, Responder
from .limits import SELECT_OPTIONS_LIMIT
from .render import ERROR_COLOUR, Page, escape

__all__ = [
    "FORM_LABELS",
    "OPTION_LABELS",
    "FixInFormView",
    "MetFormModal",
    "extras_text",
    "record_met",
    "show_field_errors",
]

# How each /met field is named where the student typed it, to say which one is wrong.
OPTION_LABELS = {
    "name": "name",
    "company": "company",
    "kind": "kind",
    "topics": "about",
    "when": "when",
    "event": "event",
    "priority": "priority",
    "greet": "greet",
}
EXTRAS_LABEL = "When, event, priority, greet"
FORM_LABELS = {
    "name": "Name",
    "company": "Company",
    "kind": "Kind of conversation",
    "topics": "What you talked about",
    "when": EXTRAS_LABEL,
    "event": EXTRAS_LABEL,
    "priority": EXTRAS_LABEL,
    "greet": EXTRAS_LABEL,
}
# A select menu holds at most 25 options; a rulebook with more kinds gets a text input.
SELECT_LIMIT = SELECT_OPTIONS_LIMIT
# Each open form is an object in this process until it is submitted; one left open longer than
# this is forgotten (its submission then fails), so abandoned forms don't pile up in memory.
FORM_TIMEOUT = 30 * 60.0
EXTRAS_LIMIT = 300
# The longest each /met option may be typed, as the core allows it: the slash commands that
# take those fields (/met, /followups edit) declare these.
COMPANY_MAX = LIMITS["company"]
TOPICS_MAX = LIMITS["topics"]
EVENT_MAX = LIMITS["event"]
GREET_MAX = LIMITS["greet"]
WHEN_MAX = 100


def extras_text(fields: MetInput) -> str:
    """When, event, priority and greeting as the form's last input shows them."""
    parts = [fields.when.strip()]
    event = fields.event.strip().replace('"', "")  # it is shown in double quotes
    if event:
        parts.append(f'event:"{event}"')
    if fields.priority.strip():
        parts.append(f"priority:{fields.priority.strip()}")
    greet = fields.greet.strip().replace('"', "")
    if greet:
        parts.append(f'greet:"{greet}"')
    return " ".join(p for p in parts if p)


# The /met options the form has boxes of its own for.
_BOXED_OPTION = re.compile(r"(?<!\w)(kind|notes|note|topics)\s*:", re.IGNORECASE)


def read_extras(text: str) -> tuple[str, str, str, str]:
    """(when, event, priority, greet) from the form's last input, by the core's /met grammar:
    options anywhere, and words that are no option are the time. Raises UserError."""
    if boxed := _BOXED_OPTION.search(text):
        # The form has a box for each: typed here they would be read as the time.
        raise UserError(
            f"{boxed.group(1).casefold()}: has a box of its own in this form; put it there, "
            "and keep this box for when you met, event:, priority: and greet:."
        )
    parsed = MetInput.from_text(text)
    rest = ", ".join(p for p in (parsed.name, parsed.company, parsed.kind, parsed.topics) if p)
    when = " ".join(p for p in (rest, parsed.when) if p)
    return when, parsed.event, parsed.priority, parsed.greet


async def record_met(
    responder: Responder,
    interaction: discord.Interaction[Any],
    fields: MetInput,
    *,
    labels: Mapping[str, str],
    scope: str | None = None,
    at_event: int | None = None,
) -> None:
    """Record a conversation from typed options or the form. Problems are listed by the name of
    the field they concern (`labels`), with a button to fix them in the form. `scope`: the
    server whose identity records it, when the form was opened in a DM from a button that
    names it; `at_event`: the club event whose Log who I met button opened the form."""
    async with responder.guard(interaction):
        requester = responder.requester(interaction, scope)
        where = str(interaction.channel_id) if interaction.guild_id else None
        command = Met(fields=fields, where=where, at_event=at_event)
        reply = await responder.compute(interaction, responder.run(requester, command))
        if reply.field_errors:
            await show_field_errors(
                responder,
                interaction,
                fields,
                reply.field_errors,
                labels=labels,
                scope=scope,
                at_event=at_event,
            )
        else:
            await responder.send(interaction, reply, scope=requester.address.workspace)


async def show_field_errors(
    responder: Responder,
    interaction: discord.Interaction[Any],
    fields: MetInput,
    problems: Mapping[str, str],
    *,
    labels: Mapping[str, str],
    scope: str | None = None,
    at_event: int | None = None,
) -> None:
    """What is wrong with each field, by its name; a form can't mark its own fields, so the
    button under it reopens the form with everything as given."""
    embed = discord.Embed(title="Please check these and try again", colour=ERROR_COLOUR)
    for field, problem in problems.items():
        embed.add_field(name=labels.get(field, field), value=escape(problem), inline=False)
    view = FixInFormView(
        responder, fields, owner=interaction.user.id, scope=scope, at_event=at_event
    )
    await responder.send(interaction, Reply.error(), scope=DM_SCOPE, shown=[Page([embed], view)])


class MetFormModal(discord.ui.Modal):
    """/met as a form, filled in with `prefill` (what the student gave before, if anything)."""

    def __init__(
        self,
        responder: Responder,
        prefill: MetInput | None = None,
        *,
        correcting: CorrectionForm | None = None,
        scope: str | None = None,
        at_event: int | None = None,
    ) -> None:
        """With `correcting`, the form corrects that recorded conversation (an Edit button in
        `scope`, the server whose identity owns it) instead of recording a new one; with
        `at_event`, what it records is that club event's (its Log who I met button)."""
        title = "Correct a conversation" if correcting else "Record a conversation"
        super().__init__(title=title, timeout=FORM_TIMEOUT)
        self.responder = responder
        self.correcting = correcting
        self.scope = scope
        self.at_event = at_event
        prefill = correcting.fields if correcting else (prefill or MetInput())
        self.name: discord.ui.TextInput[MetFormModal] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph,
            max_length=LIMITS["people"],
            required=False,
            default=prefill.name or None,
            placeholder="Jane Doe (a panel: one person per line)",
        )
        self.company: discord.ui.TextInput[MetFormModal] = discord.ui.TextInput(
            max_length=LIMITS["company"], default=prefill.company or None, placeholder="Acme"
        )
        self.topics: discord.ui.TextInput[MetFormModal] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph,
            max_length=LIMITS["topics"],
            required=False,
            default=prefill.topics or None,
            placeholder="Kafka, and her move from intern to team lead",
        )
        self.extras: discord.ui.TextInput[MetFormModal] = discord.ui.TextInput(
            max_length=EXTRAS_LIMIT,
            required=False,
            default=extras_text(prefill) or None,
            placeholder='yesterday 4pm event:"Spring Fair" priority:1 greet:"Dr. Raman"',
        )
        kinds = responder.service.rulebook.kinds
        self.kind: discord.ui.Select[MetFormModal] | discord.ui.TextInput[MetFormModal]
        if len(kinds) <= SELECT_LIMIT:
            self.kind = discord.ui.Select(
                options=[
                    discord.SelectOption(
                        label=kind.label[:100],
                        value=key,
                        description=_aliases(kind.aliases),
                        default=key == prefill.kind,
                    )
                    for key, kind in kinds.items()
                ],
                required=True,
            )
        else:
            self.kind = discord.ui.TextInput(
                max_length=60, default=prefill.kind or None, placeholder="interview"
            )
        self.add_item(
            discord.ui.Label(
                text=FORM_LABELS["name"],
                description="A panel: one per line, each gets their own email. No name: empty.",
                component=self.name,
            )
        )
        self.add_item(discord.ui.Label(text=FORM_LABELS["company"], component=self.company))
        self.add_item(discord.ui.Label(text=FORM_LABELS["kind"], component=self.kind))
        self.add_item(
            discord.ui.Label(
                text=FORM_LABELS["topics"],
                description="It makes your message personal, and I'll remind you of it.",
                component=self.topics,
            )
        )
        self.add_item(
            discord.ui.Label(
                text=EXTRAS_LABEL,
                description="All optional. When: now; priority 1-3: fairs; greet: how to greet them.",
                component=self.extras,
            )
        )

    def _kind(self) -> str:
        if isinstance(self.kind, discord.ui.Select):
            return self.kind.values[0] if self.kind.values else ""
        return self.kind.value or ""

    def fields(self) -> MetInput:
        """What the student submitted. Raises UserError for a last input that can't be read."""
        when, event, priority, greet = read_extras(self.extras.value or "")
        return MetInput(
            name=self.name.value or "",
            company=self.company.value or "",
            kind=self._kind(),
            topics=self.topics.value or "",
            when=when,
            event=event,
            priority=priority,
            greet=greet,
        )

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        if self.correcting is not None:
            await self._correct(interaction, self.correcting)
            return
        try:
            fields = self.fields()
        except UserError as err:
            # Only the last input is read here: keep the rest as given, and point at that one.
            kept = MetInput(
                name=self.name.value or "",
                company=self.company.value or "",
                kind=self._kind(),
                topics=self.topics.value or "",
                when=self.extras.value or "",
            )
            await show_field_errors(
                self.responder,
                interaction,
                kept,
                {"when": str(err)},
                labels=FORM_LABELS,
                scope=self.scope,
                at_event=self.at_event,
            )
            return
        await record_met(
            self.responder,
            interaction,
            fields,
            labels=FORM_LABELS,
            scope=self.scope,
            at_event=self.at_event,
        )

    async def _correct(
        self, interaction: discord.Interaction[Any], correcting: CorrectionForm
    ) -> None:
        """The submitted form as `/followups edit`: only what changed from what it showed."""
        responder = self.responder
        async with responder.guard(interaction):
            requester = responder.requester(interaction, self.scope)
            scope = requester.address.workspace
            try:
                changes = changes_from_form(self.fields(), correcting.fields)
            except UserError as err:
                await responder.send(interaction, Reply.error(str(err)), scope=scope)
                return
            command = Edit(correcting.number, changes, follow_up_id=correcting.follow_up_id)
            reply = await responder.compute(interaction, responder.run(requester, command))
            await responder.send(interaction, reply, scope=scope)

    async def on_error(  # type: ignore[override]  # discord.py's Modal drops the view's item argument
        self, interaction: discord.Interaction[Any], error: Exception, /
    ) -> None:
        await self.responder.apologise(interaction, error)


def _aliases(aliases: tuple[str, ...]) -> str | None:
    if not aliases:
        return None
    text = "also: " + ", ".join(aliases[:4])
    return text if len(text) <= 100 else text[:99] + "…"


class FixInFormView(discord.ui.View):
    """Under a /met with problems: one button that opens the form with what was given, so
    nothing has to be typed again. Only its owner sees it (the reply is ephemeral)."""

    def __init__(
        self,
        responder: Responder,
        fields: MetInput,
        *,
        owner: int,
        scope: str | None = None,
        at_event: int | None = None,
    ) -> None:
        super().__init__(timeout=FORM_TIMEOUT)
        self.responder = responder
        self.fields = fields
        self.owner = owner
        self.scope = scope
        self.at_event = at_event

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        return interaction.user.id == self.owner

    @discord.ui.button(label="Fix it in the form", style=discord.ButtonStyle.primary)
    async def fix(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[FixInFormView]
    ) -> None:
        await interaction.response.send_modal(
            MetFormModal(self.responder, self.fields, scope=self.scope, at_event=self.at_event)
        )
