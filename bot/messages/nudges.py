"""The nudges: one DM for the follow-ups of one conversation that fall due together, and one DM
for all of a student's nudges that fall due at one moment (`moment_message`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from bot.domain import Conversation, FollowUp, FollowUpStatus
from bot.formatting import format_left, format_moment
from bot.messages.words import (
    deadline_line,
    follow_up_actions,
    method_label,
    snooze_limit,
    status_word,
    time_left,
    topics_phrase,
)
from bot.names import names_phrase
from bot.replies import Action, ActionKind, Choice, Reply, Section
from rules.engine import KindRule, NudgeKind, Rulebook

__all__ = [
    "BUTTONS_FOR",
    "DETAILED",
    "MOMENT_CHARACTERS",
    "Later",
    "NudgeGroup",
    "follow_up_message",
    "moment_message",
    "nudge_message",
    "pick_placeholder",
]

# A moment's DM gives buttons to this many follow-ups, the most urgent: Discord holds five rows
# of buttons (a row a follow-up), and more would hide the first under a wall of them.
BUTTONS_FOR = 5
# ...spells out this many conversations; any more are a line each...
DETAILED = 5
# ...of which it names at most this many: a backlog after downtime points to the list instead.
LINES_AT_MOST = 15
# What a moment's DM spells out, at most, besides its closing lines: Discord takes 6,000
# characters a message, and escaping its markdown adds a few.
MOMENT_CHARACTERS = 5000
# What was talked about, as a moment's DM recalls it (the draft and the list have it all): with
# the parts above, a moment's DM stays within Discord's 6,000 characters a message.
TOPICS_RECALLED = 160


class NudgeGroup(NamedTuple):
    """One conversation's follow-ups nudged together, and why (a nudge kind)."""

    kind: NudgeKind
    follow_ups: Sequence[FollowUp]
    conversation: Conversation
    rule: KindRule | None
    # The rulebook the conversation follows (a club's own), when not the DM's.
    rulebook: Rulebook | None = None


class Later(NamedTuple):
    """What is left for later after a moment's DM: how many other follow-ups have reminders
    to come, and when the next reminder (about any follow-up) is due."""

    follow_ups: int
    next_due: datetime | None


def moment_message(
    groups: Sequence[NudgeGroup],
    *,
    rulebook: Rulebook,
    now: datetime,
    zone: ZoneInfo,
    late_since: datetime | None,
    later: Later | None = None,
) -> Reply:
    """One DM for everything due for a student at one moment: the most urgent first, each
    conversation with its own part and buttons (for the first `BUTTONS_FOR` follow-ups), then
    what is left for later. Every other follow-up is a `Choice` to pick (a select menu where
    the platform has one), which answers with its own buttons. A single conversation with
    nothing said about later is its usual DM (`nudge_message`)."""
    if len(groups) == 1 and later is None:
        return _part(groups[0], rulebook, now, zone, late_since=late_since)
    # Most urgent: the deadline that really closes the window (an interview's before an event's
    # ideal window, which weeks of adequate time follow); a window already closed, last.
    ordered = sorted(
        groups,
        key=lambda g: (
            g.kind is NudgeKind.WINDOW_CLOSED,
            min((f.due_by, f.number) for f in g.follow_ups),
        ),
    )
    count = sum(len(g.follow_ups) for g in ordered)
    head: list[str] = []
    if late_since is not None:
        head.append(
            f"Sorry, these reminders are late (due since {format_moment(late_since, zone)})."
        )
    head.append("The most urgent first." if count > 1 else "Just this one for now.")
    sections = [Section(" ".join(head), title=_moment_title(ordered))]
    actions: list[Action] = []
    with_buttons: list[int] = []
    # Room for the parts, then the lines, within MOMENT_CHARACTERS (the closing lines aside).
    room = MOMENT_CHARACTERS - sum(len(s.text) + len(s.title or "") for s in sections)
    detailed = 0
    rest: list[NudgeGroup] = []
    for group in ordered:
        part = _part(group, rulebook, now, zone, recall=TOPICS_RECALLED)
        size = sum(len(s.text) + len(s.title or "") for s in part.sections)
        if detailed == DETAILED or size > room or rest:
            rest.append(group)
            continue
        detailed, room = detailed + 1, room - size
        sections.extend(part.sections)
        for follow_up in group.follow_ups:
            if len(with_buttons) < BUTTONS_FOR:
                with_buttons.append(follow_up.number)
                actions += [_numbered(a) for a in part.actions if a.follow_up_id == follow_up.id]
    if rest:
        lines = [_line(f, g, g.rulebook or rulebook, now) for g in rest for f in g.follow_ups]
        shown: list[str] = []
        for line in lines[:LINES_AT_MOST]:
            if len(line) + 1 > room:
                break
            shown.append(line)
            room -= len(line) + 1
        if len(lines) > len(shown):
            shown.append(f"…and {len(lines) - len(shown)} more: /followups lists them all.")
        sections.append(Section("\n".join(shown), title="Also to send"))
    # Every follow-up without buttons can be picked, in the order the DM tells of them.
    chosen = set(with_buttons)
    choices = tuple(
        _choice(f, g, g.rulebook or rulebook, now)
        for g in ordered
        for f in g.follow_ups
        if f.number not in chosen
    )
    closing: list[str] = []
    if choices:
        closing.append(
            f"Buttons are for {', '.join(f'#{n}' for n in with_buttons)}; pick any other "
            "from the menu for its buttons, or type /followups done N (or draft, snooze, "
            "skip), or /followups to see them all."
        )
    if later is not None and later.next_due is None:
        closing.append("Left for later: nothing, no more reminders are planned.")
    elif later is not None and later.next_due is not None:
        about = (
            f"{later.follow_ups} other follow-up{'s' if later.follow_ups != 1 else ''} too"
            if later.follow_ups
            else "these"
        )
        closing.append(
            f"Left for later: more reminders about {about}; the next "
            f"{format_moment(later.next_due, zone)}."
        )
    if closing:
        sections.append(Section("\n".join(closing)))
    return Reply(tuple(sections), tuple(actions), choices=choices)


def _part(
    group: NudgeGroup,
    rulebook: Rulebook,
    now: datetime,
    zone: ZoneInfo,
    *,
    late_since: datetime | None = None,
    recall: int | None = None,
) -> Reply:
    """One conversation's nudge, as its own DM or as a part of a moment's."""
    return nudge_message(
        kind=group.kind,
        follow_ups=group.follow_ups,
        conversation=group.conversation,
        rule=group.rule,
        rulebook=group.rulebook or rulebook,
        now=now,
        zone=zone,
        late_since=late_since,
        recall=recall,
    )


def _moment_title(groups: Sequence[NudgeGroup]) -> str:
    """ "A last call and 3 more follow-ups to send" when last calls are among them, else "4
    follow-ups to send"."""
    count = sum(len(g.follow_ups) for g in groups)
    last_calls = sum(len(g.follow_ups) for g in groups if g.kind is NudgeKind.LAST_CALL)
    if not last_calls:
        return "A follow-up to send" if count == 1 else f"{count} follow-ups to send"
    calls = "A last call" if last_calls == 1 else f"{last_calls} last calls"
    others = count - last_calls
    if not others:
        return f"{calls} to send"
    return f"{calls} and {others} more follow-up{'s' if others != 1 else ''} to send"


def _numbered(action: Action) -> Action:
    """A button that says which follow-up it is for, among several in one DM."""
    if "#" in action.label:
        return action
    return action._replace(label=f"{action.label} #{action.number}")


def _choice(follow_up: FollowUp, group: NudgeGroup, rulebook: Rulebook, now: datetime) -> Choice:
    """ "#7 Priya Shah, Acme" to pick, "email, 2 days left" beside it."""
    assert follow_up.id is not None
    name = f"{follow_up.contact_in(group.conversation)}, {group.conversation.company}"
    action = Action(ActionKind.SHOW, f"#{follow_up.number} {name}", follow_up.number, follow_up.id)
    return Choice(action, name, f"{method_label(follow_up, rulebook)}, {time_left(follow_up, now)}")


def follow_up_message(
    follow_up: FollowUp,
    conversation: Conversation,
    *,
    rule: KindRule | None,
    rulebook: Rulebook,
    now: datetime,
    zone: ZoneInfo,
) -> Reply:
    """One follow-up as its nudge shows it, with the same buttons: the answer to picking it
    from a moment's menu (or /followups show N). One that is closed says so, without buttons,
    so a pick from an old DM, or picked again after a click, does no harm."""
    if follow_up.status is FollowUpStatus.PENDING:
        kind = NudgeKind.HEADS_UP if follow_up.due_by > now else NudgeKind.WINDOW_CLOSED
    elif follow_up.status is FollowUpStatus.MISSED:
        kind = NudgeKind.WINDOW_CLOSED
    else:
        who = f"{follow_up.contact_in(conversation)} at {conversation.company}"
        return Reply.text(
            f"#{follow_up.number} ({who}) is {status_word(follow_up.status)}: nothing to do."
        )
    return nudge_message(
        kind=kind,
        follow_ups=[follow_up],
        conversation=conversation,
        rule=rule,
        rulebook=rulebook,
        now=now,
        zone=zone,
        late_since=None,
    )


def _line(follow_up: FollowUp, group: NudgeGroup, rulebook: Rulebook, now: datetime) -> str:
    who = f"{follow_up.contact_in(group.conversation)} at {group.conversation.company}"
    return f"#{follow_up.number} {method_label(follow_up, rulebook)} to {who} ({time_left(follow_up, now)})"


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
    recall: int | None = None,
) -> Reply:
    """One DM for the follow-ups of one conversation that are nudged together (a fair's double
    follow-up is one message, not two). `late_since` is when it was due, if it is late;
    `recall` shortens what was talked about to about that many characters."""
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
    if recall is not None and len(topics) > recall:
        topics = topics[: recall - 1].rstrip() + "… (the draft has it all)"
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


def pick_placeholder(first: int, count: int, total: int, *, one_menu: bool) -> str:
    """What a menu of a moment's other follow-ups says before one is picked: "7 more
    follow-ups: pick one", or with several menus which of them this one holds."""
    if one_menu:
        return f"{total} more follow-up{'s' if total != 1 else ''}: pick one"
    return f"More follow-ups, {first + 1}–{first + count} of {total}: pick one"
