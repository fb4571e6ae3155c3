"""The answers to /followups: the list, and what done, snooze and skip say."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain import Conversation, FollowUp, Standing
from bot.formatting import format_left, format_moment
from bot.messages.words import (
    follow_up_actions,
    method_label,
    method_label_of,
    snoozable,
    standing_word,
    status_word,
    time_left,
)
from bot.replies import Action, ActionKind, Reply, Section
from rules.engine import KindRule, QuietHours, Rulebook

__all__ = [
    "already_done",
    "done_reply",
    "greeting_changed",
    "greeting_problem",
    "list_reply",
    "no_such_follow_up",
    "not_skippable",
    "nothing_to_snooze",
    "skip_question",
    "skipped",
    "snooze_reply",
    "snooze_word_hint",
    "too_late_to_snooze",
    "too_long_to_check",
    "who",
    "wrong_method",
]


def who(follow_up: FollowUp, conversation: Conversation) -> str:
    """ "Jane Doe at Acme": the one person a follow-up goes to."""
    return f"{follow_up.contact_in(conversation)} at {conversation.company}"


def everyone_at(conversation: Conversation) -> str:
    """ "Priya Raman and Tom O'Brien at Stripe": everyone the conversation was with."""
    return f"{conversation.contact_name} at {conversation.company}"


def greeting_changed(follow_up: FollowUp, contact: str, greeting: str | None) -> Reply:
    how = f"“{greeting}”" if greeting is not None else "their usual greeting"
    return Reply.text(
        f"The drafts to {contact} now greet them with {how}: /followups draft {follow_up.number}."
    )


def greeting_problem(number: int, limit: int | None = None) -> str:
    if limit is not None:
        return f'A greeting is at most {limit} characters, like /followups edit {number} greet:"Dr. Raman".'
    return f'Greet them how? Like /followups edit {number} greet:"Dr. Raman".'


def no_such_follow_up(number: int) -> str:
    return f"You have no follow-up #{number}. /followups lists yours."


def list_reply(
    rows: Sequence[tuple[FollowUp, Conversation]],
    *,
    missed: Sequence[tuple[FollowUp, Conversation]] = (),
    rulebook: Rulebook,
    now: datetime,
    limit: int = 25,
    standings: Mapping[int, Standing] | None = None,
) -> Reply:
    """/followups: pending follow-ups, most urgent first; then those missed lately.
    `standings` tells the optional and paused ones apart (by follow-up id)."""
    if not rows and not missed:
        return Reply.text(
            "Nothing pending. After your next conversation, record it with /met "
            "(/met help shows how)."
        )
    sections: list[Section] = []
    actions: list[Action] = []
    if rows:
        lines: list[str] = []
        for follow_up, conversation in rows[:limit]:
            if standings is None:
                optional = " (optional)" if follow_up.optional else ""
            else:  # only what the bot doesn't nudge about: optional, or paused
                shown = standings.get(follow_up.id or 0, Standing.PENDING)
                optional = "" if shown is Standing.PENDING else f" ({standing_word(shown)})"
            lines.append(
                f"#{follow_up.number} {follow_up.contact_in(conversation)}, {conversation.company}: "
                f"{method_label(follow_up, rulebook)}{optional}, {time_left(follow_up, now)}"
            )
            actions += follow_up_actions(follow_up, snooze=snoozable(follow_up, now, rulebook))
        if len(rows) > limit:
            lines.append(f"…and {len(rows) - limit} more.")
        lines.append("Mark one: /followups done N · snooze N 2h · skip N")
        sections.append(Section("\n".join(lines), title=f"Pending follow-ups ({len(rows)})"))
    else:
        sections.append(Section("Nothing pending right now."))
    if missed:
        lines = [
            f"#{f.number} {f.contact_in(c)}, {c.company}: {method_label(f, rulebook)}, "
            f"closed {format_left(now - f.due_by)} ago"
            for f, c in missed[:limit]
        ]
        lines.append("A late note is still better than none: send it, then /followups done N.")
        sections.append(Section("\n".join(lines), title="Missed lately"))
        actions += [a for f, _ in missed[:limit] for a in follow_up_actions(f, snooze=False)]
    return Reply(tuple(sections), tuple(actions))


# -- done ------------------------------------------------------------------------------------


def already_done(follow_up: FollowUp, conversation: Conversation) -> Reply:
    return Reply.text(f"#{follow_up.number} ({who(follow_up, conversation)}) is already done.")


def done_reply(
    follow_up: FollowUp,
    conversation: Conversation,
    still_open: Sequence[FollowUp],
    rulebook: Rulebook,
) -> Reply:
    via = f" by {method_label_of(follow_up.done_via, rulebook)}" if follow_up.done_via else ""
    lines = [
        f"Done: #{follow_up.number}, {who(follow_up, conversation)}{via}. Well done: that's how people "
        "remember you."
    ]
    lines += [
        f"The {method_label(sibling, rulebook)} (#{sibling.number}) is still open."
        for sibling in still_open
    ]
    return Reply.text(*lines)


def wrong_method(
    follow_up: FollowUp,
    method: str,
    *,
    sibling: FollowUp | None,
    kind: KindRule | None,
    rulebook: Rulebook,
) -> str:
    """/followups done N linkedin for a follow-up by email: which one is by LinkedIn, or why
    there is none."""
    label = method_label(follow_up, rulebook)
    if sibling is not None:
        return (
            f"#{follow_up.number} is the {label}; the {method_label(sibling, rulebook)} is "
            f"#{sibling.number}: /followups done {sibling.number}."
        )
    if method == "linkedin" and kind is not None and kind.linkedin_advice and not kind.event:
        return f"#{follow_up.number} is a thank-you {label}. {kind.linkedin_advice}"
    return f"#{follow_up.number} is a follow-up by {label}: /followups done {follow_up.number}."


# -- snooze ----------------------------------------------------------------------------------


def nothing_to_snooze(follow_up: FollowUp) -> str:
    return f"#{follow_up.number} is {status_word(follow_up.status)}: there's nothing to snooze."


def too_late_to_snooze(follow_up: FollowUp, now: datetime) -> str:
    left = format_left(follow_up.due_by - now) if follow_up.due_by > now else "no time"
    return (
        f"#{follow_up.number} has {left} left before its deadline, too little to snooze. "
        f"Send it now, or /followups skip {follow_up.number}."
    )


def snooze_word_hint(problem: str) -> str:
    """A duration that isn't one: the parser's words, and the other way to say it."""
    return f"{problem} Or say tomorrow."


def snooze_reply(
    follow_up: FollowUp,
    conversation: Conversation,
    *,
    moment: datetime,
    now: datetime,
    zone: ZoneInfo,
    clamped: bool,
    quiet: QuietHours | None,
    nudged: bool,
) -> Reply:
    """Snoozed until when, and why not when asked: past the deadline, or in quiet hours
    (`quiet`, when the snooze moved out of them); or, when no moment before the deadline is
    outside quiet hours and still ahead, that the reminder comes right away (`moment` is
    `now`)."""
    if moment <= now and quiet is not None:
        lines = [
            f"#{follow_up.number} ({who(follow_up, conversation)}) can't be snoozed: its deadline is "
            f"{format_moment(follow_up.due_by, zone)}, and until then you have quiet hours "
            f"({quiet})."
        ]
        if nudged:
            lines.append("So I'll remind you right away instead, while you're up.")
        else:
            lines.append("Your nudges are off for this one, so no DM will come.")
        return Reply.text(*lines)
    lines = [
        f"Snoozed #{follow_up.number} ({who(follow_up, conversation)}) until {format_moment(moment, zone)}."
    ]
    if clamped:
        lines.append(
            f"That would have been past the deadline ({format_moment(follow_up.due_by, zone)}), "
            f"so I'll nudge you {format_left(follow_up.due_by - moment)} before it instead."
        )
    if quiet is not None:
        lines.append(f"That is outside your quiet hours ({quiet}).")
    if not nudged:
        lines.append("Your nudges are off for this one, so no DM will come.")
    return Reply.text(*lines)


# -- skip ------------------------------------------------------------------------------------


def not_skippable(follow_up: FollowUp, conversation: Conversation) -> str:
    return (
        f"#{follow_up.number} ({who(follow_up, conversation)}) is {status_word(follow_up.status)}."
    )


def skip_question(follow_up: FollowUp, conversation: Conversation, kind: KindRule) -> Reply:
    """Skip a follow-up the guide says to send always? Asked once, with the way to confirm."""
    assert follow_up.id is not None
    why = (
        "a short thank-you can decide between you and another candidate"
        if kind.key == "interview"
        else "a short thank-you keeps the door open"
    )
    return Reply.text(
        f"After a conversation like this ({kind.label}) the guide says to follow up always, "
        f"without exception: {why}. #{follow_up.number} is for {who(follow_up, conversation)}.",
        f"Skip it anyway? /followups skip {follow_up.number} confirm",
        actions=[
            Action(ActionKind.SKIP, "Skip anyway", follow_up.number, follow_up.id, "confirm"),
            Action(ActionKind.SNOOZE, "Snooze 2h", follow_up.number, follow_up.id, "2h"),
        ],
    )


def skipped(follow_up: FollowUp, conversation: Conversation, kind: KindRule | None) -> Reply:
    advice = (
        " That's fine: you need not follow up with everyone, only with people you related "
        "to or want to learn more about."
        if kind is not None and kind.event
        else ""
    )
    return Reply.text(f"Skipped #{follow_up.number} ({who(follow_up, conversation)}).{advice}")


# -- check -----------------------------------------------------------------------------------


def too_long_to_check(length: int, limit: int) -> str:
    return f"That's {length:,} characters; I check up to {limit:,} at a time. Check it in parts."
