"""The nudges: one DM for the follow-ups of one conversation that fall due together."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain import Conversation, FollowUp
from bot.formatting import format_left, format_moment
from bot.messages.words import (
    deadline_line,
    follow_up_actions,
    method_label,
    snooze_limit,
    time_left,
    topics_phrase,
)
from bot.names import names_phrase
from bot.replies import Action, ActionKind, Reply, Section
from rules.engine import KindRule, NudgeKind, Rulebook

__all__ = ["nudge_message"]


def nudge_message(
    *,
    kind: NudgeKind,
    follow_ups: Sequence[FollowUp],
    conversation: Conversation,
    rule: KindRule | None,
    rulebook: Rulebook,
    now: datetime,
    zone: ZoneInfo,
    late_since: datetime | None,
) -> Reply:
    """One DM for the follow-ups of one conversation that are nudged together (a fair's double
    follow-up is one message, not two). `late_since` is when it was due, if it is late."""
    first = follow_ups[0]
    several = len(follow_ups) > 1
    if several:
        numbers = " and ".join(f"#{f.number}" for f in follow_ups)
        how = _how(follow_ups, conversation, rulebook)
        people = list(dict.fromkeys(f.contact_in(conversation) for f in follow_ups))
        who = f"{names_phrase(people)} at {conversation.company}"
    else:  # the usual case, without the joins
        numbers, how = f"#{first.number}", method_label(first, rulebook)
        who = f"{first.contact_in(conversation)} at {conversation.company}"
    label = rule.label if rule else conversation.kind
    topics = topics_phrase(conversation.topics)
    lines: list[str] = []
    if late_since is not None:
        lines.append(
            f"Sorry, this reminder is late (it was due {format_moment(late_since, zone)})."
        )
    if kind is NudgeKind.WINDOW_CLOSED:
        title = f"{numbers} The window to follow up with {who} has closed"
        if rule is not None and rule.event:
            lines.append(
                "A late note is still worth sending after an event: people remember a "
                f"thoughtful {how} even weeks later."
            )
        else:
            lines.append(
                "A late thank-you is still better than none: send it today, and mention what "
                "you talked about."
            )
        lines.append("It's recorded as missed; if you still send it, mark it done.")
        actions = [a for f in follow_ups for a in follow_up_actions(f, snooze=False, draft=True)]
        return Reply((Section("\n".join(lines), title=title),), tuple(actions))
    # An event's reminder before its ideal window ends: ideally now, yet weeks remain.
    ideal_ending = (
        kind is NudgeKind.REMINDER and first.ideal_by > now and first.due_by > first.ideal_by
    )
    headline = "Ideal window ending" if ideal_ending else _HEADLINES[kind]
    title = f"{numbers} {headline}: {how} to {who} ({time_left(first, now)})"
    if ideal_ending:
        lines.append(
            f"Ideally by {format_moment(first.ideal_by, zone)}; a note within the next "
            f"{format_left(first.due_by - now)} is still adequate."
        )
    lines.append(f"You met on {format_moment(conversation.met_at, zone)} ({label}).")
    if topics:
        lines.append(f"You talked about: {topics}.")
    lines.append(f"Deadline: {deadline_line(first, now, zone)}.")
    rules = [rule.rule_for(f.methods) for f in follow_ups] if rule is not None else []
    # A panel's emails share one instruction: said once, as its tips are.
    sends = [f"Send {r.what}; {r.length}." if r else "Send a follow-up; short." for r in rules]
    lines += dict.fromkeys(sends)
    advice = [r.advice for r in rules if r and r.advice]
    if advice:
        lines += [f"Tip: {line}." for line in dict.fromkeys(advice)]
    else:
        lines.append("Check spelling and grammar before you send.")
    # The snooze buttons show while a snooze can still land before the last call.
    last_snooze = snooze_limit(first, rulebook) - now
    actions = []
    for follow_up in follow_ups:
        assert follow_up.id is not None
        number, ident = follow_up.number, follow_up.id
        suffix = f" #{number}" if several else ""
        if several:
            last_snooze = snooze_limit(follow_up, rulebook) - now
        actions.append(Action(ActionKind.DRAFT, f"Draft{suffix}", number, ident))
        actions.append(Action(ActionKind.DONE, f"Done{suffix}", number, ident))
        if last_snooze > _SNOOZE_2H:
            actions.append(Action(ActionKind.SNOOZE, f"Snooze 2h{suffix}", number, ident, "2h"))
        if last_snooze > _SNOOZE_TOMORROW:
            actions.append(
                Action(ActionKind.SNOOZE, f"Tomorrow morning{suffix}", number, ident, "tomorrow")
            )
        actions.append(Action(ActionKind.SKIP, f"Skip{suffix}", number, ident))
    return Reply((Section("\n".join(lines), title=title),), tuple(actions))


def _how(follow_ups: Sequence[FollowUp], conversation: Conversation, rulebook: Rulebook) -> str:
    """ "emails" for a panel's one email each; "LinkedIn request or email and email" for one
    person's double follow-up."""
    labels = [method_label(f, rulebook) for f in follow_ups]
    people = {f.contact_in(conversation) for f in follow_ups}
    if len(people) == len(follow_ups) and len(set(labels)) == 1:
        return " or ".join(f"{label}s" for label in labels[0].split(" or "))
    return " and ".join(dict.fromkeys(labels)) if len(people) > 1 else " and ".join(labels)


_HEADLINES = {
    NudgeKind.HEADS_UP: "Time to follow up",
    NudgeKind.LAST_CALL: "Last call",
    NudgeKind.REMINDER: "Still worth a follow-up",
    NudgeKind.SNOOZED: "Reminder, as you asked",
}
# How far off the last call must be for each snooze button to show.
_SNOOZE_2H = timedelta(hours=2)
_SNOOZE_TOMORROW = timedelta(hours=12)
