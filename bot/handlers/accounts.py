"""One student across Slack and Discord: /followups link (a code, or a code typed on the other
platform), /followups unlink, and /followups settings dm (where the reminders go).

A student's accounts are people rows; one is primary, the others point at it (`linked_to`),
and the service hands every handler the primary (`Context.person`), so their one list, their
settings and their numbering are the primary's. Reminders go to the primary account: choosing
where they go makes that account the primary (`Accounts.make_primary`).
"""

from __future__ import annotations

from dataclasses import replace

from bot.commands import Link, Unlink
from bot.domain import Person
from bot.errors import UserError
from bot.handlers.context import Context
from bot.linking import (
    CODE_LIFETIME,
    LINKABLE,
    PAUSE,
    TRIES,
    code_hash,
    new_code,
    normal_code,
    read_tries,
    tries_key,
    write_tries,
)
from bot.messages import accounts as say
from bot.replies import Reply

__all__ = ["deliver_on", "link", "unlink"]


async def link(command: Link, ctx: Context) -> Reply:
    """A new code, or the accounts joined by a code from the other platform."""
    if not command.code:
        return await _give_code(ctx)
    return await _join(command.code, ctx)


async def _accounts(ctx: Context) -> list[Person]:
    """All the student's accounts, the primary first."""
    return [ctx.person, *await ctx.uow.accounts.linked_to(ctx.person_id)]


async def _give_code(ctx: Context) -> Reply:
    have = {a.address.platform for a in await _accounts(ctx)}
    others = [p for p in LINKABLE if p not in have]
    if not others:
        raise UserError(say.all_linked())
    code = new_code()
    stored = normal_code(code)
    assert stored is not None
    await ctx.uow.accounts.add_code(ctx.person_id, code_hash(stored), ctx.now + CODE_LIFETIME)
    return say.code_given(code, others, CODE_LIFETIME)


async def _join(typed: str, ctx: Context) -> Reply:
    """Join the asking account to the student whose code `typed` is. A wrong or expired code
    counts against the asking account (committed: the answer is not a raised error)."""
    asker = ctx.asker
    key = tries_key(asker.address)
    # Held: wrong codes typed at once from two devices each count.
    tries, paused_until = read_tries(await ctx.uow.state.hold(key, ctx.now))
    if paused_until is not None and paused_until > ctx.now:
        return say.paused(paused_until - ctx.now)
    code = normal_code(typed)
    if code is None:
        raise UserError(say.not_a_code(typed))
    found = await ctx.uow.accounts.take_code(code_hash(code))
    owner = await ctx.uow.accounts.by_id(found[0]) if found is not None else None
    if found is None or owner is None or found[1] <= ctx.now:
        tries += 1
        pause = ctx.now + PAUSE if tries >= TRIES else None
        await ctx.uow.state.set(key, write_tries(0 if pause else tries, pause), ctx.now)
        expired = found is not None and owner is not None
        return say.wrong_code(expired=expired, tries_left=TRIES - tries, pause=PAUSE)
    # The errors below roll the command back: the code stays good for the right account.
    if owner.id == ctx.person_id:
        raise UserError(say.own_code())
    if asker.linked_to is not None:
        raise UserError(say.already_linked())
    theirs = [owner, *await ctx.uow.accounts.linked_to(owner.id or 0)]
    taken = {a.address.platform for a in theirs} & {
        a.address.platform for a in await _accounts(ctx)
    }
    if taken:
        raise UserError(say.same_platform(taken.pop()))
    # The asker's own follow-ups join the student's list, numbered after theirs.
    rows = await ctx.uow.follow_ups.everything_of(ctx.person_id)
    numbers = await ctx.uow.follow_ups.allocate_numbers(owner.id or 0, len(rows)) if rows else []
    renumbered = {f.id or 0: n for (f, _), n in zip(rows, numbers, strict=True)}
    # The asker's own calendar link ends with the join: the student's one now covers it all.
    had_calendar = await ctx.uow.calendar_feeds.exists(ctx.person_id)
    await ctx.uow.accounts.join(ctx.person_id, owner.id or 0, renumbered)
    await ctx.uow.state.set(key, write_tries(0, None), ctx.now)
    # Their reminders now follow the student's settings, and go where the student's go.
    await ctx.planner.replan_all(owner)
    platforms = [a.address.platform for a in theirs] + [asker.address.platform]
    moved = [(f.number, renumbered[f.id or 0]) for f, _ in rows]
    return say.linked(
        owner.address.platform,
        platforms,
        moved,
        calendar_ended=had_calendar,
        calendar_kept=await ctx.uow.calendar_feeds.exists(owner.id or 0),
    )


async def unlink(command: Unlink, ctx: Context) -> Reply:
    """Split the student's accounts: the list stays with the primary, where reminders go."""
    others = await ctx.uow.accounts.linked_to(ctx.person_id)
    if not others:
        raise UserError(say.not_linked())
    await ctx.uow.accounts.unlink(ctx.person_id)
    return say.unlinked(ctx.person.address.platform, [a.address.platform for a in others])


async def deliver_on(value: str, ctx: Context) -> Reply:
    """/followups settings dm slack|discord: the account on that platform becomes the primary,
    the list, the settings and the reminders with it."""
    platform = value.strip().casefold()
    if platform not in LINKABLE:
        raise UserError(say.dm_usage())
    if ctx.person.address.platform == platform:
        return say.dm_already(platform)
    target = next(
        (a for a in await _accounts(ctx) if a.address.platform == platform and a.id), None
    )
    if target is None or target.id is None:
        raise UserError(say.dm_not_linked(platform))
    await ctx.uow.accounts.make_primary(ctx.person_id, target.id)
    # The student's settings, now on that account; what the platform knows stays its own.
    primary = replace(
        ctx.person,
        id=target.id,
        address=target.address,
        display_name=target.display_name or ctx.person.display_name,
        undeliverable=target.undeliverable,
        linked_to=None,
    )
    await ctx.uow.people.update(primary)
    ctx.person = primary
    await ctx.planner.replan_all(primary)
    return say.dm_moved(platform)
