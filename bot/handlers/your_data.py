"""The student's own data: correct a conversation, delete one, undo the last /met, export it
all, subscribe to its calendar, and forget the student altogether.

Each acts only on the asker's rows (a number that isn't theirs reads as one that doesn't
exist). Deleting takes the rows away in the command's transaction: a nudge a replica claimed
meanwhile finds its row gone when it re-checks before sending, and is not sent.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.calendar_feed import feed_url, new_token, token_hash
from bot.commands import Calendar, Delete, Edit, EditForm, Export, ForgetMe, Undo
from bot.domain import Conversation, FollowUp, FollowUpStatus
from bot.edits import corrected_fields, recorded_fields
from bot.errors import UserError
from bot.export import calendar_file, csv_file, fairs_file
from bot.fairs import fair_report
from bot.handlers.context import Context
from bot.handlers.follow_ups import close_windows
from bot.messages import your_data as say
from bot.messages.fairs import ignored_priority
from bot.met import LIMITS, validate_met
from bot.names import people_phrase
from bot.replies import Reply
from rules.engine import plan_follow_ups

__all__ = ["UNDO_WITHIN", "calendar", "delete", "edit", "edit_form", "export", "forget_me", "undo"]

# /followups undo takes back a /met this recent: long enough to notice a slip, short enough
# that it can't delete something recorded long ago by surprise.
UNDO_WITHIN = timedelta(minutes=10)


async def edit(command: Edit, ctx: Context) -> Reply:
    """Correct the conversation of follow-up #N; a new time moves its deadlines, and the open
    follow-ups' nudges are placed again (none already sent, or due, is placed twice). One
    already closed stays closed: a missed one was reported so, and stays missed."""
    edited, conversation = await ctx.follow_up(command)
    assert conversation.id is not None
    changes = dict(command.changes)
    if not changes:
        raise UserError(say.nothing_changed(command.number))
    kind = ctx.rulebook.kinds.get(conversation.kind)
    if kind is None:
        raise UserError(say.kind_gone(command.number))
    fields = corrected_fields(conversation, kind.key, changes)
    details = validate_met(fields, ctx.rulebook, now=ctx.now, zone=ctx.zone)
    if kind.required and "priority" in changes and details.priority is not None:
        # Nothing to change: an interview or a call is followed up whatever its priority.
        raise UserError(ignored_priority(kind).text)
    met_at = details.met_at if "when" in changes else conversation.met_at
    corrected = replace(
        conversation,
        contact_name=details.name,
        company=details.company,
        topics=details.topics,
        event=details.event,
        priority=details.priority,
        met_at=met_at,
    )
    follow_ups = await ctx.uow.follow_ups.of_conversation(conversation.id)
    if "name" in changes:
        corrected = await _rename(ctx, edited, conversation, corrected, follow_ups)
    await ctx.uow.follow_ups.update_conversation(corrected)
    if met_at != conversation.met_at:
        # The rules planned the follow-ups in this order, and numbered them in it.
        for follow_up, plan in zip(follow_ups, plan_follow_ups(kind, met_at), strict=False):
            follow_up.ideal_by, follow_up.due_by = plan.ideal_by, plan.due_by
            if follow_up.snoozed_until is not None and follow_up.snoozed_until > plan.due_by:
                follow_up.snoozed_until = None
            await ctx.uow.follow_ups.update(follow_up)
    nudged = False
    reminders: list[datetime] = []
    for follow_up in follow_ups:
        if follow_up.status is not FollowUpStatus.PENDING:
            continue
        if follow_up.due_by <= ctx.now:
            # The true time closed its window already: missed, as /followups would call it,
            # and nothing more to nudge about.
            assert follow_up.id is not None
            await close_windows(ctx, [(follow_up, corrected)])
            await ctx.uow.outbox.cancel_pending(follow_up.id, "window closed by a correction")
            continue
        if met_at != conversation.met_at:
            # Nudges waiting to go were placed on the old timeline (a window-closed notice
            # due now would report a window that is still open): the rules place them afresh,
            # counting only those already sent.
            assert follow_up.id is not None
            await ctx.uow.outbox.cancel_pending(follow_up.id, "replaced by a correction")
        placed = await ctx.planner.replan(ctx.person, follow_up, corrected)
        nudged |= bool(placed)
        reminders += [p.due_at for p in placed]
    return say.edited(
        corrected,
        follow_ups,
        changed=list(changes),
        nudged=nudged,
        first_reminder=min(reminders, default=None),
        now=ctx.now,
        zone=ctx.zone,
    )


async def _rename(
    ctx: Context,
    edited: FollowUp,
    conversation: Conversation,
    corrected: Conversation,
    follow_ups: list[FollowUp],
) -> Conversation:
    """A new name goes to follow-up #N's person: on a panel only theirs, the conversation then
    naming everyone again; else every follow-up of the conversation."""
    old = edited.contact_in(conversation)
    people = list(dict.fromkeys(f.contact_in(conversation) for f in follow_ups))
    for follow_up in follow_ups:
        if len(people) == 1 or follow_up.contact_in(conversation) == old:
            follow_up.contact = corrected.contact_name
            await ctx.uow.follow_ups.update(follow_up)
    if len(people) == 1:
        return corrected
    everyone = [corrected.contact_name if name == old else name for name in people]
    return replace(corrected, contact_name=people_phrase(everyone, LIMITS["name"]))


async def edit_form(command: EditForm, ctx: Context) -> Reply:
    """What was recorded for follow-up #N, and the form to correct it."""
    follow_up, conversation = await ctx.follow_up(command)
    assert follow_up.id is not None
    fields = recorded_fields(conversation, ctx.zone)
    return say.correction(follow_up, fields)


async def delete(command: Delete, ctx: Context) -> Reply:
    """Delete the conversation of follow-up #N with all its follow-ups, once confirmed."""
    _, conversation = await ctx.follow_up(command)
    assert conversation.id is not None
    follow_ups = await ctx.uow.follow_ups.of_conversation(conversation.id)
    if not command.confirmed:
        return say.delete_question(conversation, follow_ups)
    await ctx.uow.follow_ups.delete_conversation(conversation.id)
    return say.deleted(conversation, follow_ups)


async def undo(command: Undo, ctx: Context) -> Reply:
    """Take back the last /met, if it was recorded within `UNDO_WITHIN`."""
    latest = await ctx.uow.follow_ups.latest_conversation(ctx.person_id)
    if latest is None or latest.id is None or ctx.now - latest.created_at > UNDO_WITHIN:
        raise UserError(say.nothing_to_undo(UNDO_WITHIN))
    follow_ups = await ctx.uow.follow_ups.of_conversation(latest.id)
    marked = [f for f in follow_ups if f.status in (FollowUpStatus.DONE, FollowUpStatus.SKIPPED)]
    if marked:
        # "done 1" then "undo" most likely means the done: the /met behind it (and the record
        # that it was sent) is deleted only by a command naming it.
        raise UserError(say.undo_after_marking(latest, marked))
    await ctx.uow.follow_ups.delete_conversation(latest.id)
    return say.undone(latest, follow_ups)


async def export(command: Export, ctx: Context) -> Reply:
    """Everything the student recorded, as a CSV and a calendar of the open deadlines, and
    their fair lists as a CSV of their own."""
    rows = await ctx.uow.follow_ups.everything_of(ctx.person_id)
    fairs = await ctx.uow.fairs.of_person(ctx.person_id)
    if not rows and not fairs:
        raise UserError(say.nothing_to_export())
    zone, day = ctx.zone, ctx.now.astimezone(ctx.zone).date().isoformat()
    files = [
        csv_file(
            rows,
            rulebook=ctx.rulebook,
            zone=zone,
            name=f"followups-{day}.csv",
            person=ctx.person,
            now=ctx.now,
        ),
        calendar_file(rows, now=ctx.now, zone=zone, name=f"followups-{day}.ics"),
    ]
    if fairs:
        reports = [await fair_report(ctx.uow, fair) for fair in fairs]
        files.append(fairs_file(reports, name=f"fairs-{day}.csv"))
    still_open = sum(
        1 for f, _ in rows if f.status is FollowUpStatus.PENDING and f.due_by > ctx.now
    )
    return say.exported(len(rows), still_open, files)


async def calendar(command: Calendar, ctx: Context) -> Reply:
    """The student's private calendar URL: a new one the first time and on a reset (the old one
    stops working in this transaction). Only a hash of it is kept, so an existing one can't be
    shown again: the student is told how to get a new one instead."""
    public_url = ctx.deps.public_url
    if public_url is None:
        return say.calendar_unavailable()
    had_one = await ctx.uow.calendar_feeds.exists(ctx.person_id)
    if had_one and not command.reset:
        return say.calendar_exists()
    token = new_token()
    await ctx.uow.calendar_feeds.replace(ctx.person_id, token_hash(token), ctx.now)
    return say.calendar_given(feed_url(public_url, token), replaced=had_one)


async def forget_me(command: ForgetMe, ctx: Context) -> Reply:
    """Delete the student and every row about them, once confirmed."""
    if not command.confirmed:
        return say.forget_me_question()
    # Every account of theirs: on Slack and on Discord, when they linked them.
    accounts = [ctx.person, *await ctx.uow.accounts.linked_to(ctx.person_id)]
    await ctx.uow.people.forget([a.id for a in accounts if a.id is not None])
    for account in accounts:
        # Their own pace windows and link tries, keyed by their address.
        address = account.address
        await ctx.uow.state.forget_keys_ending(f":{address.workspace}:{address.user}")
    ctx.forgotten = True
    return say.forgotten()
