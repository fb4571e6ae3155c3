"""/fair: plan a career fair's priority list, change it, and see what happened there."""

from __future__ import annotations

from collections.abc import Mapping
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
from bot.domain import (
    Conversation,
    FairEntry,
    FairList,
    FairVisit,
    FollowUpStatus,
    NudgeStatus,
    company_key,
)
from bot.errors import UserError
from bot.fairs import (
    LIST_LIMIT,
    FairError,
    TierChange,
    closest_entry,
    default_fair,
    entries_of,
    fair_named,
    fair_report,
    is_fair_kind,
    renumber,
    tier_between,
)
from bot.formatting import format_moment
from bot.handlers.context import Context
from bot.messages import fairs as say
from bot.replies import Reply
from bot.timeparse import WhenError, parse_day
from rules.engine import KindRule

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
    """Place the fair's evening DM (again): see `NudgePlanner.place_evening`."""
    ctx.planner.place_evening(ctx.person, fair)


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
    before = _tiers(fair)
    entries = entries_of(command.companies)
    for entry in entries:
        entry.id = kept[entry.company_key].id if entry.company_key in kept else None
    fair.entries = entries
    schedule_evening(ctx, fair)
    changed = ""
    if fair.id is None:
        fair = await ctx.uow.fairs.add(fair)
        heading = f"Planned {fair.name}: {len(entries)} companies in order of interest."
    else:
        changed = await _save(ctx, fair, before)
        if not await ctx.uow.fairs.reschedule_evening(fair):
            # A sweep is sending it (or sent it) this moment: it stands as stored.
            fair.evening_status = NudgeStatus.SENDING
        heading = f"Updated {fair.name}: {len(entries)} companies in order of interest."
    if fair.evening_due_at is not None and fair.evening_status is NudgeStatus.PENDING:
        heading += (
            " That evening I'll DM you a checklist "
            f"({format_moment(fair.evening_due_at, ctx.zone)})."
        )
    if command.name_unquoted:
        heading += (
            f" (I read “{fair.name}” as the fair's name; if it isn't, put the name in quotes: "
            f'/fair plan "Spring Career Fair" Acme, Globex.)'
        )
    return await fair_shown(ctx, fair, heading + changed)


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
    before = _tiers(fair)
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
    followed = await _save(ctx, fair, before)
    return await fair_shown(ctx, fair, _sentence(changed) + followed)


async def remove_from_fair(command: RemoveFromFair, ctx: Context) -> Reply:
    fair = await _fair(ctx, command.fair)
    entry = closest_entry(fair, command.company)
    if entry is None:
        raise UserError(say.no_such_company(command.company, fair))
    before = _tiers(fair)
    fair.entries = [e for e in fair.entries if e is not entry]
    renumber(fair.entries)
    followed = await _save(ctx, fair, before)
    return await fair_shown(ctx, fair, f"Removed {entry.company} from {fair.name}.{followed}")


async def move_on_fair(command: MoveOnFair, ctx: Context) -> Reply:
    fair = await _fair(ctx, command.fair)
    entry = closest_entry(fair, command.company)
    if entry is None:
        raise UserError(say.no_such_company(command.company, fair))
    before = _tiers(fair)
    position = min(command.position, len(fair.entries))
    fair.entries.remove(entry)
    fair.entries.insert(position - 1, entry)
    renumber(fair.entries)
    # The order is one of interest: a company moved among another tier's joins that tier.
    was, entry.priority = entry.priority, tier_between(fair.entries, position - 1)
    tier = "" if entry.priority == was else f", tier {entry.priority} now (was {was})"
    followed = await _save(ctx, fair, before)
    return await fair_shown(
        ctx, fair, f"Moved {entry.company} to number {position}{tier}.{followed}"
    )


def _tiers(fair: FairList) -> dict[int, int]:
    """Each entry's tier, by id, before a change."""
    return {e.id: e.priority for e in fair.entries if e.id is not None}


async def _save(ctx: Context, fair: FairList, before: Mapping[int, int]) -> str:
    """Write a changed list, and bring the conversations already recorded at the fair along:
    one whose company's tier changed takes the new tier (unless a priority was typed for it),
    its follow-ups nudged or optional by it; one with a company just added is matched to it;
    one whose company was removed stays, unplanned. What changed for them, as sentences."""
    assert fair.id is not None
    recorded = await ctx.uow.fairs.visits(ctx.person_id, fair.id)
    await ctx.uow.fairs.update(fair)
    entries = {e.id: e for e in fair.entries if e.id is not None}
    changes: list[TierChange] = []
    unplanned: list[Conversation] = []
    for visit, conversation in recorded:
        assert conversation.id is not None
        if visit.entry_id is not None and visit.entry_id not in entries:
            unplanned.append(conversation)
            continue
        if visit.entry_id is None:
            entry = closest_entry(fair, conversation.company)
            if entry is None or entry.id in before:
                continue
            await ctx.uow.fairs.link_visit(FairVisit(fair.id, conversation.id, entry.id))
            was = None
        else:
            entry, was = entries[visit.entry_id], before.get(visit.entry_id)
        changes += await _retier(ctx, conversation, entry, was)
    return say.list_followed(changes, unplanned, zone=ctx.zone)


async def _retier(
    ctx: Context, conversation: Conversation, entry: FairEntry, was: int | None
) -> list[TierChange]:
    """Give a conversation matched to `entry` the entry's tier, when it took the list's tier
    (`was`, None for one just matched) rather than one typed with priority:; and nudge its
    open follow-ups from now, or stop, when that moves it across the rulebook's cut."""
    rulebook = await ctx.planner.rulebook_for(ctx.person, conversation)
    kind = rulebook.kinds.get(conversation.kind)
    if kind is None or kind.required or conversation.priority == entry.priority:
        return []
    if conversation.priority is not None and conversation.priority != was:
        return []  # a typed priority wins over the list
    retiered = replace(conversation, priority=entry.priority)
    await ctx.uow.follow_ups.update_conversation(retiered)
    cut = kind.nudge_priorities
    if cut is None or (conversation.priority in cut) == (entry.priority in cut):
        return []
    nudged = entry.priority in cut
    changes = []
    assert conversation.id is not None
    for follow_up in await ctx.uow.follow_ups.of_conversation(conversation.id):
        if follow_up.status is not FollowUpStatus.PENDING or follow_up.due_by <= ctx.now:
            continue
        assert follow_up.id is not None
        first = None
        if nudged:
            placed = await ctx.planner.replan(ctx.person, follow_up, retiered)
            first = min((p.due_at for p in placed), default=None)
        else:
            await ctx.uow.outbox.cancel_pending(follow_up.id, "its company's tier is optional")
        changes.append(
            TierChange(follow_up.number, follow_up.contact_in(retiered), entry, nudged, first)
        )
    return changes


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
