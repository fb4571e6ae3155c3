"""/followups: the list, and done, snooze and skip for one follow-up."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot import messages
from bot.commands import Home, ListFollowUps, MarkDone, ShowFollowUp, Skip, Snooze
from bot.domain import Conversation, FollowUp, FollowUpStatus, closes_as, standing
from bot.errors import UserError
from bot.event_times import parse_event_time
from bot.handlers.context import Context
from bot.messages import follow_ups as say
from bot.messages import settings as say_settings
from bot.messages.nudges import follow_up_message
from bot.replies import Reply
from bot.timeparse import DurationError, WhenError, parse_day, parse_duration
from rules.engine import KindRule, QuietHours, Rulebook, out_of_quiet_hours

__all__ = [
    "MISSED_SHOWN_FOR",
    "TOMORROW_MORNING",
    "close_windows",
    "home",
    "list_follow_ups",
    "mark_done",
    "show_follow_up",
    "skip",
    "snooze",
]

# /followups keeps showing a missed follow-up this long: a late note still helps for a while.
MISSED_SHOWN_FOR = timedelta(days=14)
# "Snooze until tomorrow" means tomorrow morning, at this local time or when quiet hours end.
TOMORROW_MORNING = time(9, 0)


async def list_follow_ups(command: ListFollowUps, ctx: Context) -> Reply:
    """A page of the student's follow-ups in sections: due soon, later, optional (most urgent
    first), then missed lately (latest first); only a kind's or an event's, if asked."""
    now, follow_ups = ctx.now, ctx.uow.follow_ups
    rows = await follow_ups.open(ctx.person_id)
    await close_windows(ctx, [row for row in rows if row[0].due_by <= now])
    rows = [(f, c) for f, c in rows if f.due_by > now]
    rows.sort(key=lambda row: row[0].urgency(now))
    missed = await follow_ups.missed_since(ctx.person_id, since=now - MISSED_SHOWN_FOR)
    missed.sort(key=lambda row: row[0].due_by, reverse=True)
    kind = _kind_asked(command, ctx.rulebook)
    event = _event_asked(command, [c for _, c in (*rows, *missed)])
    standings = {
        f.id or 0: standing(f, c, ctx.person, ctx.rulebook, now) for f, c in (*rows, *missed)
    }
    placed = [
        (f, c, say.list_section(f, c, ctx.rulebook, now, standings[f.id or 0]))
        for f, c in (*rows, *missed)
        if (kind is None or c.kind == kind.key) and (event is None or _at(c, event or None))
    ]
    order = list(say.ListSection)
    placed.sort(key=lambda row: order.index(row[2]))  # stable: urgency kept within each
    filtered = " ".join(
        part
        for part in (
            f"of kind {kind.label}" if kind is not None else "",
            f"at {event}" if event else "",
        )
        if part
    )
    return say.list_reply(
        placed,
        rulebook=ctx.rulebook,
        now=now,
        page=command.page,
        per_page=None if command.everything else command.per_page or say.PER_PAGE,
        filtered=filtered,
        kind=kind,
        event=event,
        standings=standings,
    )


def _kind_asked(command: ListFollowUps, rulebook: Rulebook) -> KindRule | None:
    """The kind `command` narrows the list to, by its rulebook name or an alias ("interviews",
    "coffee chats"), or by the key a Next button carries. UserError for no kind."""
    if command.kind is None:
        return None
    text = command.kind.strip()
    for candidate in (text, text.removesuffix("s"), text.removesuffix("es")):
        found = rulebook.find_kind(candidate)
        if found is not None:
            return found
    for kind in rulebook.kinds.values():
        if kind.key.replace("-", "").replace("_", "") == text:
            return kind
    raise UserError(say.no_such_kind(text, rulebook))


def _event_asked(command: ListFollowUps, conversations: list[Conversation]) -> str | None:
    """The event `command` narrows the list to: as typed, or the one among the student's
    whose short key a Next button carries (None when it no longer is among them)."""
    if command.event is not None:
        return command.event
    if command.event_key is None:
        return None
    for conversation in conversations:
        if conversation.event and say.event_key(conversation.event) == command.event_key:
            return conversation.event
    return ""  # an event no follow-up is at any more: nothing listed


def _at(conversation: Conversation, event: str | None) -> bool:
    if event is None:  # an event a Next button named and no follow-up is at any more
        return False
    return " ".join((conversation.event or "").casefold().split()) == " ".join(
        event.casefold().split()
    )


async def home(command: Home, ctx: Context) -> Reply:
    """The student's home page: a page of their follow-ups, then their settings."""
    listed = await list_follow_ups(ListFollowUps(page=command.page), ctx)
    settings = say_settings.settings_reply(ctx.person, zone=ctx.zone, rulebook=ctx.rulebook)
    return say.home_reply(listed, settings)


async def close_windows(ctx: Context, rows: Sequence[tuple[FollowUp, Conversation]]) -> None:
    """Close these open follow-ups, whose windows have closed: missed, whether or not a nudge
    said so (nudges may be off), unless the guide did not ask for them (a brief fair chat below
    the priority cut, an event's while a job was accepted): those are not needed."""
    by_status: dict[FollowUpStatus, list[int]] = {}
    for follow_up, conversation in rows:
        status = closes_as(follow_up, conversation, ctx.person, ctx.rulebook)
        by_status.setdefault(status, []).append(follow_up.id or 0)
        follow_up.status, follow_up.closed_at = status, ctx.now
    for status, ids in by_status.items():
        await ctx.uow.follow_ups.close_missed(ids, ctx.now, status)


async def mark_done(command: MarkDone, ctx: Context) -> Reply:
    follow_up, conversation = await ctx.follow_up(command)
    rulebook = (await ctx.books_in(conversation.logged_in)).rulebook
    if follow_up.status is FollowUpStatus.DONE:
        return say.already_done(follow_up, conversation)
    siblings = await ctx.uow.follow_ups.of_conversation(conversation.id or 0)
    if command.method is not None and command.method not in follow_up.methods:
        by_method = next((s for s in siblings if command.method in s.methods), None)
        raise UserError(
            say.wrong_method(
                follow_up,
                command.method,
                sibling=by_method,
                kind=rulebook.kinds.get(conversation.kind),
                rulebook=rulebook,
            )
        )
    follow_up.status = FollowUpStatus.DONE
    # With one method, that is how it was sent; with several, only the student knows.
    follow_up.done_via = command.method or (
        follow_up.methods[0] if len(follow_up.methods) == 1 else None
    )
    follow_up.closed_at = ctx.now
    await ctx.uow.follow_ups.update(follow_up)
    assert follow_up.id is not None
    await ctx.uow.outbox.cancel_pending(follow_up.id, "follow-up done")
    still_open = [
        s for s in siblings if s.id != follow_up.id and s.status is FollowUpStatus.PENDING
    ]
    return say.done_reply(follow_up, conversation, still_open, rulebook)


async def show_follow_up(command: ShowFollowUp, ctx: Context) -> Reply:
    """One follow-up with the buttons its nudge has: a pick from a DM's menu. Reads only."""
    follow_up, conversation = await ctx.follow_up(command)
    rulebook = (await ctx.books_in(conversation.logged_in)).rulebook
    return follow_up_message(
        follow_up,
        conversation,
        rule=rulebook.kinds.get(conversation.kind),
        rulebook=rulebook,
        now=ctx.now,
        zone=ctx.zone,
    )


async def snooze(command: Snooze, ctx: Context) -> Reply:
    """Nudge again later: never past the deadline, and out of quiet hours when it can be."""
    follow_up, conversation = await ctx.follow_up(command)
    rulebook = (await ctx.books_in(conversation.logged_in)).rulebook
    if follow_up.status is not FollowUpStatus.PENDING:
        raise UserError(say.nothing_to_snooze(follow_up))
    now, zone, quiet = ctx.now, ctx.zone, ctx.person.quiet_hours
    target = _snooze_target(command.duration, now, zone, quiet)
    # Never past the deadline: at the latest, the last call before it.
    latest = messages.snooze_limit(follow_up, rulebook)
    if latest <= now:
        raise UserError(say.too_late_to_snooze(follow_up, now))
    moment, clamped = min(target, latest), target > latest
    moved = None
    if quiet is not None and quiet.contains(moment, zone):
        moved = out_of_quiet_hours(
            moment,
            quiet,
            zone,
            margin=rulebook.timing.quiet_margin,
            earliest=now,
            latest=latest,
            later_first=True,
        )
        if moved is None and clamped:
            # The latest moment before the deadline is in quiet hours, and the evening before
            # them has passed: the student is up now, so now, rather than in their sleep.
            moved = now
    # No better moment out of quiet hours: keep the one asked for.
    follow_up.snoozed_until = moved if moved is not None else moment
    await ctx.uow.follow_ups.update(follow_up)
    nudges = await ctx.planner.replan(ctx.person, follow_up, conversation)
    return say.snooze_reply(
        follow_up,
        conversation,
        moment=follow_up.snoozed_until,
        now=now,
        zone=zone,
        clamped=clamped,
        quiet=quiet if moved is not None else None,
        nudged=bool(nudges),
    )


def _snooze_target(text: str, now: datetime, zone: ZoneInfo, quiet: QuietHours | None) -> datetime:
    """When a snooze typed as `text` ends: "2h", "1d"; "tomorrow" (its morning); a moment
    ahead, "until monday" (its morning), "friday 3pm", "until 5pm"."""
    morning = TOMORROW_MORNING
    if quiet is not None and quiet.end > morning and quiet.start > quiet.end:
        morning = quiet.end
    if text.strip().casefold() in ("tomorrow", "tomorrow morning", "morning"):
        day = now.astimezone(zone).date() + timedelta(days=1)
        return datetime.combine(day, morning, tzinfo=zone).astimezone(now.tzinfo)
    try:
        return now + parse_duration(text)
    except DurationError as err:
        hint = say.snooze_word_hint(str(err))
    ahead = _UNTIL.sub("", text.strip().casefold())
    with contextlib.suppress(UserError):  # "monday 9am", "5pm": a moment, always ahead
        return parse_event_time(ahead, now=now, zone=zone)[0]
    try:  # "monday", "next friday", "March 12": that day's morning
        day = parse_day(ahead, now=now, zone=zone)
    except WhenError:
        raise UserError(hint) from None
    moment = datetime.combine(day, morning, tzinfo=zone).astimezone(now.tzinfo)
    if moment <= now:
        raise UserError(hint)
    return moment


# "until monday", "till 5pm", "to friday": the little word before a moment.
_UNTIL = re.compile(r"^(?:until|till|til|to)\s+")


async def skip(command: Skip, ctx: Context) -> Reply:
    """Not following up: fine after events; after an interview, asked to confirm first."""
    follow_up, conversation = await ctx.follow_up(command)
    rulebook = (await ctx.books_in(conversation.logged_in)).rulebook
    # A missed one may be skipped too: it leaves the "missed lately" list.
    if follow_up.status not in (
        FollowUpStatus.PENDING,
        FollowUpStatus.MISSED,
        FollowUpStatus.NOT_NEEDED,
    ):
        raise UserError(say.not_skippable(follow_up, conversation))
    kind = rulebook.kinds.get(conversation.kind)
    missed = follow_up.status is not FollowUpStatus.PENDING
    if kind is not None and kind.required and not command.confirmed and not missed:
        return say.skip_question(follow_up, conversation, kind)
    follow_up.status = FollowUpStatus.SKIPPED
    follow_up.closed_at = ctx.now
    await ctx.uow.follow_ups.update(follow_up)
    assert follow_up.id is not None
    await ctx.uow.outbox.cancel_pending(follow_up.id, "follow-up skipped")
    return say.skipped(follow_up, conversation, kind)
