"""/fair: plan a career fair's priority list, change it, and see what happened there."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from bot.commands import (
    AddToFair,
    FairForm,
    ListFairs,
    MoveOnFair,
    PlanFair,
    RemoveFromFair,
    ShowFair,
)
from bot.domain import FairEntry, FairList, NudgeStatus, company_key
from bot.errors import UserError
from bot.fairs import (
    LIST_LIMIT,
    FairError,
    closest_entry,
    default_fair,
    entries_of,
    fair_named,
    fair_report,
    is_fair_kind,
    renumber,
)
from bot.formatting import format_moment
from bot.handlers.context import Context
from bot.messages import fairs as say
from bot.replies import Reply
from bot.timeparse import WhenError, parse_day
from rules.engine import KindRule, fair_evening_at

__all__ = [
    "add_to_fair",
    "fair_form",
    "fair_of_conversation",
    "fair_shown",
    "list_fairs",
    "move_on_fair",
    "plan_fair",
    "remove_from_fair",
    "schedule_evening",
    "show_fair",
]

# A student's fairs over the years: enough for any degree, few enough to list in one reply.
FAIRS_LIMIT = 100
NEW_FAIR_NAME = "Career fair"


def _today(ctx: Context) -> date:
    return ctx.now.astimezone(ctx.zone).date()


async def _fair(ctx: Context, name: str) -> FairList:
    """The fair a command means: the one named, or the most recent; UserError if none."""
    fairs = await ctx.uow.fairs.of_person(ctx.person_id)
    found = fair_named(fairs, name) if name else default_fair(fairs, _today(ctx))
    if found is None:
        raise UserError(say.no_such_fair(name, fairs) if name and fairs else say.no_fair_yet())
    return found


async def fair_shown(ctx: Context, fair: FairList, heading: str = "", page: int = 1) -> Reply:
    """The student's list for `fair` and what happened there, under `heading`."""
    report = await fair_report(ctx.uow, fair)
    return say.fair_list_reply(
        report, rulebook=ctx.rulebook, zone=ctx.zone, now=ctx.now, heading=heading, page=page
    )


def schedule_evening(ctx: Context, fair: FairList) -> None:
    """Place the fair's evening DM (again) for its day, in the student's zone and out of their
    quiet hours. One already sent stays sent; a fair already over gets none; on the fair's
    day after the evening's hour, it goes out at once."""
    if fair.evening_status in (NudgeStatus.SENT, NudgeStatus.SENDING):
        return
    today = _today(ctx)
    if fair.held_on < today:
        fair.evening_due_at, fair.evening_status = None, NudgeStatus.CANCELLED
        return
    due = fair_evening_at(
        ctx.rulebook.fair,
        ctx.rulebook.timing,
        day=fair.held_on,
        zone=ctx.zone,
        quiet=ctx.person.quiet_hours,
    )
    fair.evening_due_at = max(due, ctx.now)
    fair.evening_status, fair.evening_attempts, fair.last_error = NudgeStatus.PENDING, 0, None
    ctx.planner.due_times.append(fair.evening_due_at)


async def plan_fair(command: PlanFair, ctx: Context) -> Reply:
    """Make (or replace) the list for a fair, in order of interest."""
    fairs = await ctx.uow.fairs.of_person(ctx.person_id)
    today = _today(ctx)
    day: date | None = None
    if command.when:
        try:
            day = parse_day(command.when, now=ctx.now, zone=ctx.zone)
        except WhenError as err:
            raise FairError(str(err), "when") from None
    if command.name:
        fair = next((f for f in fairs if f.name_key == company_key(command.name)), None)
    else:
        # No name: the next fair already planned (the one a club's event may have made).
        fair = next((f for f in fairs if f.held_on >= today), None)
    if fair is None:
        if len(fairs) >= FAIRS_LIMIT:
            raise UserError(f"You have {len(fairs)} fairs planned, the most I keep.")
        fair = FairList(
            person_id=ctx.person_id,
            name=command.name or NEW_FAIR_NAME,
            held_on=day or today,
            created_at=ctx.now,
            entries=[],
        )
    elif day is not None:
        fair.held_on = day
    # The same companies keep their entries, so conversations already matched stay matched.
    kept = {e.company_key: e for e in fair.entries}
    entries = entries_of(command.companies)
    for entry in entries:
        entry.id = kept[entry.company_key].id if entry.company_key in kept else None
    fair.entries = entries
    schedule_evening(ctx, fair)
    if fair.id is None:
        fair = await ctx.uow.fairs.add(fair)
        heading = f"Planned {fair.name}: {len(entries)} companies in order of interest."
    else:
        await ctx.uow.fairs.update(fair)
        heading = f"Updated {fair.name}: {len(entries)} companies in order of interest."
    if fair.evening_due_at is not None and fair.evening_status is NudgeStatus.PENDING:
        heading += (
            " That evening I'll DM you a checklist "
            f"({format_moment(fair.evening_due_at, ctx.zone)})."
        )
    return await fair_shown(ctx, fair, heading)


async def fair_form(command: FairForm, ctx: Context) -> Reply:
    """/fair plan alone: adapters with forms open the list form; others show how."""
    return replace(say.fair_help(ctx.rulebook), fair_form=True)


async def show_fair(command: ShowFair, ctx: Context) -> Reply:
    if command.form_if_none and not await ctx.uow.fairs.of_person(ctx.person_id):
        return replace(Reply.text(say.no_fair_yet()), fair_form=True)
    return await fair_shown(ctx, await _fair(ctx, command.name), page=command.page)


async def list_fairs(command: ListFairs, ctx: Context) -> Reply:
    fairs = await ctx.uow.fairs.of_person(ctx.person_id)
    if not fairs:
        return Reply.text(say.no_fair_yet())
    counted = []
    for fair in reversed(fairs):
        report = await fair_report(ctx.uow, fair)
        counted.append((fair, len(report.visited)))
    return say.fairs_reply(counted, _today(ctx), command.page)


async def add_to_fair(command: AddToFair, ctx: Context) -> Reply:
    fair = await _fair(ctx, command.fair)
    changed: list[str] = []
    tier = fair.entries[-1].priority if fair.entries else 1
    for planned in command.companies:
        found = next((e for e in fair.entries if e.company_key == planned.company_key), None)
        if found is not None:
            if planned.priority is not None and planned.priority != found.priority:
                found.priority = planned.priority
                changed.append(f"{found.company} is tier {found.priority} now")
            else:
                changed.append(f"{found.company} was on the list already")
            continue
        if len(fair.entries) >= LIST_LIMIT:
            raise UserError(f"{fair.name}'s list holds {LIST_LIMIT} companies, the most it can.")
        tier = planned.priority or tier
        fair.entries.append(FairEntry(planned.company, tier, len(fair.entries) + 1))
        changed.append(f"added {planned.company} (tier {tier})")
    await ctx.uow.fairs.update(fair)
    return await fair_shown(ctx, fair, _sentence(changed))


async def remove_from_fair(command: RemoveFromFair, ctx: Context) -> Reply:
    fair = await _fair(ctx, command.fair)
    entry = closest_entry(fair, command.company)
    if entry is None:
        raise UserError(say.no_such_company(command.company, fair))
    fair.entries = [e for e in fair.entries if e is not entry]
    renumber(fair.entries)
    await ctx.uow.fairs.update(fair)
    return await fair_shown(ctx, fair, f"Removed {entry.company} from {fair.name}.")


async def move_on_fair(command: MoveOnFair, ctx: Context) -> Reply:
    fair = await _fair(ctx, command.fair)
    entry = closest_entry(fair, command.company)
    if entry is None:
        raise UserError(say.no_such_company(command.company, fair))
    position = min(command.position, len(fair.entries))
    fair.entries.remove(entry)
    fair.entries.insert(position - 1, entry)
    renumber(fair.entries)
    await ctx.uow.fairs.update(fair)
    return await fair_shown(ctx, fair, f"Moved {entry.company} to number {position}.")


async def fair_of_conversation(
    ctx: Context, *, company: str, event: str | None, kind: KindRule, met_at: datetime
) -> tuple[FairList, FairEntry | None] | None:
    """The student's fair a /met took place at, with the list entry its company matched
    (None: unplanned). A conversation is at a fair when it names the fair as its event, or
    takes place on the fair's day with a company on the list, or is a career-fair kind of
    conversation on that day; otherwise it is at none (None)."""
    fairs = await ctx.uow.fairs.of_person(ctx.person_id)
    if not fairs:
        return None
    named = fair_named(fairs, event) if event else None
    day = met_at.astimezone(ctx.zone).date()
    candidates = [named] if named is not None else [f for f in fairs if f.held_on == day]
    for fair in candidates:
        entry = closest_entry(fair, company)
        if entry is not None:
            return fair, entry
    if candidates and (named is not None or is_fair_kind(kind)):
        return candidates[0], None
    return None


def _sentence(parts: list[str]) -> str:
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."
