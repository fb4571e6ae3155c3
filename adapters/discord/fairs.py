"""/fair on Discord: the command group (plan, show, list, add, remove, move) with autocomplete of
the student's own fairs and of the companies on a list, and the fair-list form (a modal)."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.commands import (
    AddToFair,
    Command,
    CommandError,
    FairForm,
    ListFairs,
    MoveOnFair,
    RemoveFromFair,
    ShowFair,
    parse_fair,
    plan_from_form,
)
from bot.domain import company_key
from bot.fairs import COMPANY_LIMIT, FAIR_NAME_LIMIT, LIST_LIMIT, FairError
from bot.replies import FairPrefill, Reply

from .context import Interaction, Responder

__all__ = ["FairFormModal", "fair_group"]

# A list of 50 companies with their tiers, one a line, with room to spare (a modal's input
# holds at most 4000 characters).
COMPANIES_MAX = 3000
WHEN_MAX = 100
# Discord shows at most 25 choices, and a choice's name is at most 100 characters.
CHOICE_LIMIT = 25
CHOICE_NAME_LIMIT = 100
FORM_TIMEOUT = 30 * 60
# A student's fairs fill a few pages at most (bot.handlers.fairs.FAIRS_LIMIT).
FAIRS_PAGES = 20

Choices = list[app_commands.Choice[str]]


def _clip(text: str) -> str:
    return text if len(text) <= CHOICE_NAME_LIMIT else text[: CHOICE_NAME_LIMIT - 1] + "…"


class FairFormModal(discord.ui.Modal):
    """/fair plan as a form: the fair's name, its companies one a line, its day; `prefill`, a
    club's fair, fills them in."""

    def __init__(self, responder: Responder, prefill: FairPrefill | None = None) -> None:
        super().__init__(title="Plan a career fair", timeout=FORM_TIMEOUT)
        self.responder = responder
        self.fair: discord.ui.TextInput[FairFormModal] = discord.ui.TextInput(
            max_length=FAIR_NAME_LIMIT,
            required=False,
            placeholder="Spring Career Fair",
            default=prefill.name if prefill else None,
        )
        self.companies: discord.ui.TextInput[FairFormModal] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph,
            max_length=COMPANIES_MAX,
            placeholder="Acme:1\nGlobex:1\nInitech:2\nHooli",
            default=prefill.companies or None if prefill else None,
        )
        self.when: discord.ui.TextInput[FairFormModal] = discord.ui.TextInput(
            max_length=WHEN_MAX,
            required=False,
            placeholder="friday, tomorrow, March 12",
            default=prefill.when if prefill else None,
        )
        self.add_item(discord.ui.Label(text="Fair", component=self.fair))
        self.add_item(
            discord.ui.Label(
                text="Companies, in order of interest",
                description="One a line, a tier after a colon (1 = most). When in doubt, "
                "follow up.",
                component=self.companies,
            )
        )
        self.add_item(discord.ui.Label(text="When is it?", component=self.when))

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        try:
            command: Command = plan_from_form(
                self.fair.value or "", self.companies.value or "", self.when.value or ""
            )
        except FairError as err:
            await self.responder.answer(interaction, None, error=str(err))
            return
        await answer_fair(self.responder, interaction, command)

    async def on_error(  # type: ignore[override]  # discord.py's Modal drops the view's item argument
        self, interaction: discord.Interaction[Any], error: Exception, /
    ) -> None:
        await self.responder.apologise(interaction, error)


async def answer_fair(
    responder: Responder, interaction: discord.Interaction[Any], command: Command
) -> None:
    """Run a /fair command and answer; a reply that asks for the form opens it instead."""
    if isinstance(command, FairForm):
        await interaction.response.send_modal(FairFormModal(responder))
        return
    async with responder.guard(interaction):
        requester = responder.requester(interaction)
        reply: Reply = await responder.compute(interaction, responder.run(requester, command))
        if reply.fair_form and not interaction.response.is_done():
            await interaction.response.send_modal(FairFormModal(responder))
            return
        await responder.send(interaction, reply, scope=requester.address.workspace)


def fair_group(responder: Responder) -> app_commands.Group:
    fair = app_commands.Group(
        name="fair",
        description="Your priority list for a career fair: plan, show, add, remove, move",
        allowed_installs=discord.app_commands.AppInstallationType(guild=True, user=True),
        allowed_contexts=discord.app_commands.AppCommandContext(
            guild=True, dm_channel=True, private_channel=True
        ),
    )

    async def own_fairs(interaction: Interaction, current: str) -> Choices:
        # The invoker's own, by the verified address: never anyone else's.
        fairs = await responder.service.fair_lists(responder.requester(interaction))
        typed = current.strip().casefold()
        return [
            app_commands.Choice(name=_clip(f"{f.name} ({f.held_on:%a %d %b %Y})"), value=f.name)
            for f in fairs
            if typed in f.name.casefold()
        ][:CHOICE_LIMIT]

    async def listed_companies(interaction: Interaction, current: str) -> Choices:
        fairs = await responder.service.fair_lists(responder.requester(interaction))
        named = getattr(interaction.namespace, "fair", None)
        # The fair picked in the same command, else the most recent one's companies.
        chosen = [f for f in fairs if named and company_key(f.name) == company_key(named)]
        shown = (chosen or fairs)[:1]
        typed = current.strip().casefold()
        return [
            app_commands.Choice(name=_clip(f"{e.company} (tier {e.priority})"), value=e.company)
            for fair in shown
            for e in fair.entries
            if typed in e.company.casefold()
        ][:CHOICE_LIMIT]

    async def run(interaction: Interaction, make: Any) -> None:
        try:
            command = make()
        except CommandError as err:
            await responder.answer(interaction, None, error=str(err))
            return
        await answer_fair(responder, interaction, command)

    @fair.command(name="plan", description="Your list for a fair (no companies: open a form)")
    @app_commands.describe(
        fair="The fair's name, like Spring Career Fair (default: the next one you planned)",
        companies="In order of interest, between commas; tiers after a colon: Acme:1, Globex:2",
        when="The fair's day, like friday, tomorrow or March 12 (default: today)",
    )
    @app_commands.autocomplete(fair=own_fairs)
    async def plan(
        interaction: Interaction,
        fair: app_commands.Range[str, 1, FAIR_NAME_LIMIT] | None = None,
        companies: app_commands.Range[str, 1, COMPANIES_MAX] | None = None,
        when: app_commands.Range[str, 1, WHEN_MAX] | None = None,
    ) -> None:
        if not companies:
            await interaction.response.send_modal(FairFormModal(responder))
            return
        await run(interaction, lambda: plan_from_form(fair or "", companies, when or ""))

    @fair.command(name="show", description="A fair's list and what happened there")
    @app_commands.describe(
        fair="Which fair (default: the most recent)", page="A long list's page (default: 1)"
    )
    @app_commands.autocomplete(fair=own_fairs)
    async def show(
        interaction: Interaction,
        fair: app_commands.Range[str, 1, FAIR_NAME_LIMIT] | None = None,
        page: app_commands.Range[int, 1, LIST_LIMIT] = 1,
    ) -> None:
        command = ShowFair(fair or "", form_if_none=not fair and page == 1, page=page)
        await answer_fair(responder, interaction, command)

    @fair.command(name="list", description="Every fair you planned")
    @app_commands.describe(page="A long list's page (default: 1)")
    async def list_(
        interaction: Interaction, page: app_commands.Range[int, 1, FAIRS_PAGES] = 1
    ) -> None:
        await answer_fair(responder, interaction, ListFairs(page))

    @fair.command(name="add", description="Add companies to a fair's list")
    @app_commands.describe(
        companies="Between commas, tiers after a colon: Globex:1, Hooli",
        fair="Which fair (default: the most recent)",
    )
    @app_commands.autocomplete(fair=own_fairs)
    async def add(
        interaction: Interaction,
        companies: app_commands.Range[str, 1, COMPANIES_MAX],
        fair: app_commands.Range[str, 1, FAIR_NAME_LIMIT] | None = None,
    ) -> None:
        await run(interaction, lambda: _with_fair(parse_fair(f"add {companies}"), fair))

    @fair.command(name="remove", description="Take a company off a fair's list")
    @app_commands.describe(company="Which company", fair="Which fair (default: the most recent)")
    @app_commands.autocomplete(fair=own_fairs, company=listed_companies)
    async def remove(
        interaction: Interaction,
        company: app_commands.Range[str, 1, COMPANY_LIMIT],
        fair: app_commands.Range[str, 1, FAIR_NAME_LIMIT] | None = None,
    ) -> None:
        await answer_fair(responder, interaction, RemoveFromFair(company, fair or ""))

    @fair.command(name="move", description="Move a company up or down your order of interest")
    @app_commands.describe(
        company="Which company",
        place="Its new place in your order (1 = first)",
        fair="Which fair (default: the most recent)",
    )
    @app_commands.autocomplete(fair=own_fairs, company=listed_companies)
    async def move(
        interaction: Interaction,
        company: app_commands.Range[str, 1, COMPANY_LIMIT],
        place: app_commands.Range[int, 1, LIST_LIMIT],
        fair: app_commands.Range[str, 1, FAIR_NAME_LIMIT] | None = None,
    ) -> None:
        await answer_fair(responder, interaction, MoveOnFair(company, place, fair or ""))

    return fair


def _with_fair(command: Command, fair: str | None) -> Command:
    """/fair add's companies, for the fair picked."""
    assert isinstance(command, AddToFair)
    return AddToFair(command.companies, fair or "")
