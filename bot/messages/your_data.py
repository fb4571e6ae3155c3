"""The words of /followups edit, delete, undo, export, calendar and forget-me."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain import Conversation, FollowUp, FollowUpStatus
from bot.edits import EDIT_EXAMPLE
from bot.formatting import format_moment
from bot.messages.follow_ups import everyone_at
from bot.messages.words import deadline_line, follow_up_actions
from bot.met import MetInput
from bot.replies import Action, ActionKind, CorrectionForm, File, Reply

__all__ = [
    "calendar_exists",
    "calendar_given",
    "calendar_unavailable",
    "correction",
    "delete_question",
    "deleted",
    "edited",
    "exported",
    "forget_me_question",
    "forgotten",
    "kind_gone",
    "nothing_changed",
    "nothing_to_export",
    "nothing_to_undo",
    "undo_after_marking",
    "undone",
]


def _numbers(follow_ups: Sequence[FollowUp]) -> str:
    return ", ".join(f"#{f.number}" for f in follow_ups)


def _follow_ups(follow_ups: Sequence[FollowUp]) -> str:
    """ "follow-up #3 and its reminders", "follow-ups #3, #4 and their reminders"."""
    if len(follow_ups) == 1:
        return f"follow-up {_numbers(follow_ups)} and its reminders"
    return f"follow-ups {_numbers(follow_ups)} and their reminders"


def edited(
    conversation: Conversation,
    follow_ups: Sequence[FollowUp],
    *,
    changed: Sequence[str],
    nudged: bool,
    now: datetime,
    zone: ZoneInfo,
    first_reminder: datetime | None = None,
) -> Reply:
    """The corrected conversation and where its open follow-ups stand now (with a new priority,
    whether it is nudged: from `first_reminder`)."""
    event = f" ({conversation.event})" if conversation.event else ""
    met = format_moment(conversation.met_at, zone)
    lines = [f"Saved: {everyone_at(conversation)}{event}, met {met}."]
    if conversation.topics:
        lines.append(f"You talked about: {conversation.topics}")
    open_ = [f for f in follow_ups if f.status is FollowUpStatus.PENDING]
    for follow_up in open_:
        lines.append(f"#{follow_up.number}: {deadline_line(follow_up, now, zone)}")
    for follow_up in follow_ups:
        if follow_up.status is FollowUpStatus.MISSED and follow_up.closed_at == now:
            lines.append(
                f"#{follow_up.number}: at that time, {deadline_line(follow_up, now, zone)}: "
                "it is marked missed. A late note can still be worth sending after an event."
            )
        elif follow_up.status is FollowUpStatus.NOT_NEEDED and follow_up.closed_at == now:
            lines.append(
                f"#{follow_up.number}: at that time, {deadline_line(follow_up, now, zone)}: "
                "it was optional, so it is closed as not needed."
            )
    if open_ and "when" in changed:
        lines.append(
            "Your reminders are planned again from the new time; none already sent comes twice."
            if nudged
            else "The deadlines moved with the new time."
        )
    if open_ and "priority" in changed:
        lines.append(
            f"Nudged now, first reminder {format_moment(first_reminder, zone)}."
            if first_reminder is not None
            else "No reminders for it now."
        )
    actions = [a for f in open_ for a in follow_up_actions(f, snooze=False, draft=True)]
    if follow_ups:
        actions.append(edit_action(follow_ups[0]))
    return Reply.text("\n".join(lines), actions=actions)


def edit_action(follow_up: FollowUp) -> Action:
    """The Edit button: the /met form filled in with the follow-up's conversation."""
    assert follow_up.id is not None
    return Action(ActionKind.EDIT, "Edit", follow_up.number, follow_up.id)


def correction(follow_up: FollowUp, fields: MetInput) -> Reply:
    """What was recorded, how to type a correction, and the form that does it."""
    assert follow_up.id is not None
    n = follow_up.number
    recorded = [
        f"name: {fields.name}",
        f"company: {fields.company}",
        f"about: {fields.topics or 'none'}",
        f"when: {fields.when}",
        f"event: {fields.event or 'none'}",
        f"priority: {fields.priority or 'none'}",
    ]
    return Reply(
        Reply.text(
            f"What you recorded for #{n}:\n" + "\n".join(recorded),
            "To correct it, type what changes: "
            + EDIT_EXAMPLE.replace(" 3 ", f" {n} ", 1)
            + " (the kind can't change: delete it and /met again).",
        ).sections,
        form=CorrectionForm(fields, n, follow_up.id),
    )


def kind_gone(number: int) -> str:
    return (
        f"#{number}'s kind of conversation is no longer in the rules, so it can't be changed. "
        f"You can delete it (/followups delete {number}) and record it again with /met."
    )


def nothing_changed(number: int) -> str:
    return f"Nothing changed: #{number} stays as it was."


def delete_question(conversation: Conversation, follow_ups: Sequence[FollowUp]) -> Reply:
    """Delete a conversation? Asked once, with the way to confirm."""
    first = follow_ups[0]
    assert first.id is not None
    return Reply.text(
        f"Delete your conversation with {everyone_at(conversation)} and its follow-ups "
        f"{_numbers(follow_ups)}? Its reminders stop and it can't be brought back.",
        f"To delete it: /followups delete {first.number} confirm",
        actions=[Action(ActionKind.DELETE, "Delete it", first.number, first.id, "confirm")],
    )


def deleted(conversation: Conversation, follow_ups: Sequence[FollowUp]) -> Reply:
    return Reply.text(
        f"Deleted your conversation with {everyone_at(conversation)}, its "
        f"{_follow_ups(follow_ups)}."
    )


def nothing_to_undo(window: timedelta) -> str:
    minutes = int(window.total_seconds() // 60)
    return (
        f"There is no /met of the last {minutes} minutes to undo. To remove an older one: "
        "/followups delete N (/followups lists the numbers)."
    )


def undo_after_marking(conversation: Conversation, marked: Sequence[FollowUp]) -> str:
    said = ", ".join(
        f"#{f.number} {'done' if f.status is FollowUpStatus.DONE else 'skipped'}" for f in marked
    )
    return (
        f"Your last /met, about {everyone_at(conversation)}, has {said} already, so undo leaves "
        f"it alone. To delete it all the same, with what you marked: /followups delete "
        f"{marked[0].number} confirm."
    )


def undone(conversation: Conversation, follow_ups: Sequence[FollowUp]) -> Reply:
    return Reply.text(
        f"Undone: your /met about {everyone_at(conversation)} is deleted, with its "
        f"{_follow_ups(follow_ups)}."
    )


def forget_me_question() -> Reply:
    return Reply.text(
        "Forget you? I will delete everything I keep about you here: your settings, every "
        "conversation you recorded, its follow-ups, the reminders not sent yet, and your "
        "calendar link. It can't "
        "be undone. /followups export first if you want a copy.",
        "To delete it all: /followups forget-me confirm",
    )


def forgotten() -> Reply:
    return Reply.text(
        "Done: I deleted everything I kept about you. If you use /met again, I start afresh."
    )


def nothing_to_export() -> str:
    return "There is nothing to export yet: record a conversation with /met first."


def exported(count: int, open_count: int, files: Sequence[File]) -> Reply:
    names = " and ".join(f.name for f in files)
    return Reply(
        Reply.text(
            f"Your data, {count} follow-up{'s' if count != 1 else ''}: {names}. The CSV opens "
            f"in any spreadsheet; the calendar has your {open_count} open deadline"
            f"{'s' if open_count != 1 else ''}, each with a reminder, to import into Google "
            "Calendar, Outlook or Apple Calendar."
        ).sections,
        files=tuple(files),
    )


_RESET = "/followups calendar reset gives you a new link, and the old one stops working at once."


def calendar_unavailable() -> Reply:
    return Reply.text(
        "Calendar subscriptions aren't available here: this bot has no public web address to "
        "serve them from. /followups export gives you a calendar file (.ics) of your open "
        "deadlines to import instead."
    )


def calendar_exists() -> Reply:
    return Reply.text(
        "You have a calendar link already, and it still works. I keep only a fingerprint of "
        f"it, so I can't show it again. {_RESET}"
    )


def calendar_given(url: str, *, replaced: bool) -> Reply:
    first = (
        "Your new calendar link (the old one no longer works):"
        if replaced
        else "Your private calendar link:"
    )
    return Reply.text(
        f"{first} {url}",
        "Subscribe to it in Google Calendar (Other calendars, From URL), Outlook (Add "
        "calendar, Subscribe from web) or Apple Calendar: your open deadlines show there and "
        "stay current.",
        f"Anyone with the link can see them, so keep it to yourself. {_RESET}",
    )
