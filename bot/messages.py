"""The bot's wording: replies and DMs built from domain objects. No decisions, only words.

Every string here is plain text (see `bot.replies`); user text is inserted as is and escaped by
the adapter that renders it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain import Conversation, FollowUp, FollowUpStatus, Person
from bot.formatting import format_day, format_left, format_moment
from bot.met import EXAMPLE
from bot.replies import Action, ActionKind, Reply, Section
from rules.engine import FollowUpRule, KindRule, NudgeKind, PlacedNudge, Rulebook

__all__ = [
    "follow_up_actions",
    "follow_ups_help",
    "list_reply",
    "met_help",
    "method_label",
    "method_label_of",
    "nudge_message",
    "plan_reply",
    "settings_reply",
    "snoozable",
    "snooze_limit",
    "time_left",
    "topics_phrase",
]

_NUDGE_LABELS = {
    NudgeKind.HEADS_UP: "heads-up",
    NudgeKind.LAST_CALL: "last call",
    NudgeKind.REMINDER: "reminder",
    NudgeKind.SNOOZED: "snoozed reminder",
    NudgeKind.WINDOW_CLOSED: "if still open, when the window closes",
}
_TOPIC_LEAD = re.compile(r"(?:we talked about|talked about|we discussed|discussed|about) ", re.I)


def method_label(follow_up: FollowUp, rulebook: Rulebook) -> str:
    """ "email", "LinkedIn request or email"."""
    return " or ".join(method_label_of(m, rulebook) for m in follow_up.methods)


def method_label_of(method: str, rulebook: Rulebook) -> str:
    rule = rulebook.methods.get(method)
    return rule.label if rule else method


def topics_phrase(topics: str) -> str:
    """What they talked about, without a leading "talked about"."""
    lead = _TOPIC_LEAD.match(topics)
    return topics[lead.end() :].strip() if lead else topics


def follow_up_actions(
    follow_up: FollowUp, *, snooze: bool = True, draft: bool = False
) -> list[Action]:
    assert follow_up.id is not None
    number, ident = follow_up.number, follow_up.id
    actions = [Action(ActionKind.DRAFT, "Draft", number, ident)] if draft else []
    actions.append(Action(ActionKind.DONE, "Done", number, ident))
    if snooze:
        actions.append(Action(ActionKind.SNOOZE, "Snooze 2h", number, ident, "2h"))
    return actions


def _deadline_line(follow_up: FollowUp, now: datetime, zone: ZoneInfo) -> str:
    if follow_up.ideal_by > now:
        line = f"by {format_moment(follow_up.ideal_by, zone)} ({format_left(follow_up.ideal_by - now)} left)"
        if follow_up.due_by > follow_up.ideal_by:
            line += f"; still adequate until {format_moment(follow_up.due_by, zone)}"
        return line
    if follow_up.due_by > now:
        return (
            f"the ideal window has passed; still adequate until "
            f"{format_moment(follow_up.due_by, zone)} ({format_left(follow_up.due_by - now)} left)"
        )
    return f"the deadline passed {format_left(now - follow_up.due_by)} ago"


def plan_reply(
    *,
    conversation: Conversation,
    kind: KindRule,
    follow_ups: Sequence[tuple[FollowUp, list[PlacedNudge]]],
    earlier: Sequence[Conversation],
    person: Person,
    rulebook: Rulebook,
    now: datetime,
    zone: ZoneInfo,
    nudged: bool,
) -> Reply:
    """The answer to /met: what to send, by when, how long, and when the bot will nudge."""
    met = format_moment(conversation.met_at, zone)
    event = f" at {conversation.event}" if conversation.event else ""
    priority = f", priority {conversation.priority}" if conversation.priority else ""
    sections = [
        Section(
            f"Saved: {conversation.contact_name} at {conversation.company}, {kind.label}{event}"
            f"{priority}, {met}."
        )
    ]
    topics = topics_phrase(conversation.topics)
    actions: list[Action] = []
    for follow_up, nudges in follow_ups:
        rule_what, rule_length = _rule_text(kind, follow_up)
        what = f"Send {rule_what}"
        if topics:
            what += f": {topics}" if "discuss" in rule_what else f" (you talked about: {topics})"
        else:
            what += ". Note what you talked about next time: it makes the message personal"
        lines = [what.rstrip(".") + ".", f"Length: {rule_length}."]
        if "linkedin" in follow_up.methods:
            limit = _note_limit(person, rulebook)
            if limit:
                lines.append(
                    f"A LinkedIn note is at most {limit} characters on your "
                    f"{person.linkedin_plan} plan."
                )
        if follow_up.optional:
            lines.append(
                "Optional: follow up with the companies you care about; when in doubt, follow up."
            )
        if follow_up.due_by <= now:
            lines.append(
                "The window has already closed; a late message is still better than none, "
                "so send it today if you can."
            )
        planned = [n for n in nudges if n.kind is not NudgeKind.WINDOW_CLOSED]
        if planned:
            lines.append("I'll nudge you: " + _nudge_times(planned, zone) + ".")
        title = (
            f"#{follow_up.number} {_upper_first(method_label(follow_up, rulebook))} to "
            f"{conversation.contact_name}, {_deadline_line(follow_up, now, zone)}"
        )
        sections.append(Section("\n".join(lines), title=title))
        actions += follow_up_actions(
            follow_up, snooze=snoozable(follow_up, now, rulebook), draft=True
        )
    if kind.linkedin_advice:
        sections.append(Section(kind.linkedin_advice, title="LinkedIn"))
    others = _other_contacts(earlier, conversation)
    if others:
        met_also = "; ".join(
            f"{c.contact_name} ({_kind_label(c.kind, rulebook)}, {format_day(c.met_at, zone)})"
            for c in others
        )
        sections.append(
            Section(
                f"You also met {met_also}. Mention them: it shows you are following the company.",
                title=f"Others you met at {conversation.company}",
            )
        )
    if not nudged:
        sections.append(Section(_why_no_nudges(person, kind, conversation)))
    return Reply(tuple(sections), tuple(actions))


def _other_contacts(
    earlier: Sequence[Conversation], conversation: Conversation, limit: int = 5
) -> list[Conversation]:
    """Other people met at the company, each once (the latest conversation), latest first."""
    seen = {conversation.contact_name.casefold()}
    others = []
    for other in sorted(earlier, key=lambda c: (c.met_at, c.id or 0), reverse=True):
        name = other.contact_name.casefold()
        if name not in seen:
            seen.add(name)
            others.append(other)
    return others[:limit]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _rule_of(kind: KindRule, follow_up: FollowUp) -> FollowUpRule | None:
    """The rule a follow-up was planned by (None if the rulebook changed since)."""
    for rule in kind.follow_ups:
        if rule.methods == follow_up.methods:
            return rule
    return None


def _rule_text(kind: KindRule, follow_up: FollowUp) -> tuple[str, str]:
    rule = _rule_of(kind, follow_up)
    return (rule.what, rule.length) if rule else ("a follow-up", "short")


def _note_limit(person: Person, rulebook: Rulebook) -> int | None:
    method = rulebook.methods.get("linkedin")
    if method is None:
        return None
    if person.linkedin_plan == "premium":
        return method.note_chars_premium
    return method.note_chars_free


def _kind_label(key: str, rulebook: Rulebook) -> str:
    kind = rulebook.kinds.get(key)
    return kind.label if kind else key


def _nudge_times(nudges: Sequence[PlacedNudge], zone: ZoneInfo) -> str:
    return ", ".join(f"{format_moment(n.due_at, zone)} ({_NUDGE_LABELS[n.kind]})" for n in nudges)


def _why_no_nudges(person: Person, kind: KindRule, conversation: Conversation) -> str:
    if not person.nudges_on:
        return "Your nudges are off, so I won't remind you: /followups settings nudges on."
    if kind.event and person.job_status == "accepted":
        return (
            "You've accepted a job, so I won't nudge you about events "
            "(/followups settings job searching to change that)."
        )
    if kind.nudge_priorities is not None and conversation.priority not in kind.nudge_priorities:
        wanted = " or ".join(str(p) for p in sorted(kind.nudge_priorities))
        return (
            f"I'll only nudge you about a brief chat at priority {wanted}; add priority:1 "
            "next time for the companies you care about most."
        )
    return "No nudges: the window has closed."


def list_reply(
    rows: Sequence[tuple[FollowUp, Conversation]],
    *,
    missed: Sequence[tuple[FollowUp, Conversation]] = (),
    rulebook: Rulebook,
    now: datetime,
    limit: int = 25,
) -> Reply:
    """/followups: pending follow-ups, most urgent first; then those missed lately."""
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
            optional = " (optional)" if follow_up.optional else ""
            lines.append(
                f"#{follow_up.number} {conversation.contact_name}, {conversation.company}: "
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
            f"#{f.number} {c.contact_name}, {c.company}: {method_label(f, rulebook)}, "
            f"closed {format_left(now - f.due_by)} ago"
            for f, c in missed[:limit]
        ]
        lines.append("A late note is still better than none: send it, then /followups done N.")
        sections.append(Section("\n".join(lines), title="Missed lately"))
        actions += [a for f, _ in missed[:limit] for a in follow_up_actions(f, snooze=False)]
    return Reply(tuple(sections), tuple(actions))


def snoozable(follow_up: FollowUp, now: datetime, rulebook: Rulebook) -> bool:
    """Whether a snooze can still land before the deadline (see the service's snooze)."""
    return snooze_limit(follow_up, rulebook) > now


def snooze_limit(follow_up: FollowUp, rulebook: Rulebook) -> datetime:
    """The latest a snooze may land: the last call before the deadline."""
    last_calls = rulebook.timing.last_call_before
    return follow_up.due_by - (min(last_calls) if last_calls else timedelta(hours=1))


def time_left(follow_up: FollowUp, now: datetime) -> str:
    if follow_up.ideal_by > now:
        return f"{format_left(follow_up.ideal_by - now)} left"
    if follow_up.due_by > now:
        return f"ideal window passed, adequate for {format_left(follow_up.due_by - now)}"
    return f"deadline passed {format_left(now - follow_up.due_by)} ago"


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
        how = " and ".join(method_label(f, rulebook) for f in follow_ups)
    else:  # the usual case, without the joins
        numbers, how = f"#{first.number}", method_label(first, rulebook)
    who = f"{conversation.contact_name} at {conversation.company}"
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
    if kind is NudgeKind.LAST_CALL:
        # Events stay adequate for weeks after the ideal window: not a last call for them.
        headline = "Last call" if first.due_by <= first.ideal_by else "Ideal window closing"
    else:
        headline = _HEADLINES[kind]
    title = f"{numbers} {headline}: {how} to {who} ({time_left(first, now)})"
    lines.append(f"You met on {format_moment(conversation.met_at, zone)} ({label}).")
    if topics:
        lines.append(f"You talked about: {topics}.")
    lines.append(f"Deadline: {_deadline_line(first, now, zone)}.")
    rules = [_rule_of(rule, f) for f in follow_ups] if rule is not None else []
    lines += [f"Send {r.what}; {r.length}." if r else "Send a follow-up; short." for r in rules]
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


_HEADLINES = {
    NudgeKind.HEADS_UP: "Time to follow up",
    NudgeKind.REMINDER: "Still worth a follow-up",
    NudgeKind.SNOOZED: "Reminder, as you asked",
}
# How far off the last call must be for each snooze button to show.
_SNOOZE_2H = timedelta(hours=2)
_SNOOZE_TOMORROW = timedelta(hours=12)


def settings_reply(person: Person, *, zone: ZoneInfo, rulebook: Rulebook, saved: str = "") -> Reply:
    """/followups settings: every setting, and how to change it."""
    quiet = str(person.quiet_hours) if person.quiet_hours else "off"
    zone_note = "" if person.timezone else " (default; set yours)"
    limit = _note_limit(person, rulebook)
    notes = f" (LinkedIn notes up to {limit} characters)" if limit else ""
    lines = [
        f"Time zone: {zone.key}{zone_note}",
        f"Quiet hours: {quiet}",
        f"Nudges: {'on' if person.nudges_on else 'off'}",
        f"Job status: {person.job_status}",
        f"LinkedIn: {person.linkedin_plan}{notes}",
        f"Name: {person.name or 'not set'}",
    ]
    change = (
        "Change one: /followups settings tz Europe/Berlin · quiet 22:00-08:00 (or off) · "
        "nudges on|off · job searching|accepted · linkedin free|premium · name Alex Kim"
    )
    sections = [Section("\n".join(lines), title="Your settings"), Section(change)]
    if saved:
        sections.insert(0, Section(saved))
    return Reply(tuple(sections))


def met_help(rulebook: Rulebook) -> Reply:
    kinds = "\n".join(
        f"  {key}: {kind.label}"
        + (f" (also: {', '.join(kind.aliases[:3])})" if kind.aliases else "")
        for key, kind in rulebook.kinds.items()
    )
    return Reply(
        (
            Section(
                "/met NAME, COMPANY, KIND[, what you talked about]\n"
                'Options anywhere: when:"yesterday 4pm" (default: now) · event:"Spring Fair" '
                "· priority:1 (career fairs; 1 = you care most)",
                title="Record a conversation",
            ),
            Section(f"Kinds:\n{kinds}"),
            Section(
                f"Examples:\n{EXAMPLE}\n"
                '/met Sam Lee, Initech, coffee chat, her path from support to product when:"2 hours ago"\n'
                '/met Ana Ruiz, Globex, fair-good, robotics internships event:"Spring Career Fair"\n'
                "/met Raj Patel, Hooli, career fair, priority:1"
            ),
        )
    )


def follow_ups_help() -> Reply:
    return Reply(
        (
            Section(
                "/followups (or /followups list): what you owe, most urgent first\n"
                "/followups done 3 [email|linkedin]: you sent it\n"
                "/followups snooze 3 2h (or 30m, tomorrow): remind me later, never past the deadline\n"
                "/followups skip 3: you won't follow up (interviews ask you to confirm)\n"
                "/followups draft 3: a draft to copy, from what you noted at /met\n"
                "/followups check TEXT: spelling and grammar of a message before you send it\n"
                "/followups settings: your time zone, quiet hours, nudges, job status, LinkedIn plan, name\n"
                "/met help: how to record a conversation",
                title="Your follow-ups",
            ),
        )
    )


def status_word(status: FollowUpStatus) -> str:
    return {
        FollowUpStatus.PENDING: "still open",
        FollowUpStatus.DONE: "already done",
        FollowUpStatus.SKIPPED: "skipped",
        FollowUpStatus.MISSED: "missed",
    }[status]
