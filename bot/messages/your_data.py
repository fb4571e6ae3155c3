"""The words of /followups edit, delete, undo, export and forget-me."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain import Conversation, FollowUp, FollowUpStatus
from bot.formatting import format_moment
from bot.messages.follow_ups import who
from bot.messages.words import deadline_line, follow_up_actions
from bot.replies import Action, ActionKind, File, Reply

__all__ = [
    "delete_question",
    "deleted",
    "edited",
    "exported",
    "forget_me_question",
    "forgotten",
    "nothing_to_export",
    "nothing_to_undo",
    "undone",
]


def _numbers(follow_ups: Sequence[FollowUp]) -> str:
    return ", ".join(f"#{f.number}" for f in follow_ups)


def edited(
    conversation: Conversation,
    follow_ups: Sequence[FollowUp],
    *,
    changed: Sequence[str],
    nudged: bool,
    now: datetime,
    zone: ZoneInfo,
) -> Reply:
    """The corrected conversation and where its open follow-ups stand now."""
    event = f" ({conversation.event})" if conversation.event else ""
    lines = [f"Saved: {who(conversation)}{event}, met {format_moment(conversation.met_at, zone)}."]
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
    if open_ and "when" in changed:
        lines.append(
            "Your reminders are planned again from the new time; none already sent comes twice."
            if nudged
            else "The deadlines moved with the new time."
        )
    actions = [a for f in open_ for a in follow_up_actions(f, snooze=False, draft=True)]
    return Reply.text("\n".join(lines), actions=actions)


def delete_question(conversation: Conversation, follow_ups: Sequence[FollowUp]) -> Reply:
    """Delete a conversation? Asked once, with the way to confirm."""
    first = follow_ups[0]
    assert first.id is not None
    return Reply.text(
        f"Delete your conversation with {who(conversation)} and its follow-ups "
        f"{_numbers(follow_ups)}? Its reminders stop and it can't be brought back.",
        f"To delete it: /followups delete {first.number} confirm",
        actions=[Action(ActionKind.DELETE, "Delete it", first.number, first.id, "confirm")],
    )


def deleted(conversation: Conversation, follow_ups: Sequence[FollowUp]) -> Reply:
    return Reply.text(
        f"Deleted your conversation with {who(conversation)}, its follow-ups "
        f"{_numbers(follow_ups)} and their reminders."
    )


def nothing_to_undo(window: timedelta) -> str:
    minutes = int(window.total_seconds() // 60)
    return (
        f"There is no /met of the last {minutes} minutes to undo. To remove an older one: "
        "/followups delete N (/followups lists the numbers)."
    )


def undone(conversation: Conversation, follow_ups: Sequence[FollowUp]) -> Reply:
    return Reply.text(
        f"Undone: your /met about {who(conversation)} is deleted, with its follow-ups "
        f"{_numbers(follow_ups)} and their reminders."
    )


def forget_me_question() -> Reply:
    return Reply.text(
        "Forget you? I will delete everything I keep about you here: your settings, every "
        "conversation you recorded, its follow-ups, and the reminders not sent yet. It can't "
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
