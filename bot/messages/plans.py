"""The answer to /met: what to send, by when, how long, and when the bot will nudge."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain import Conversation, FollowUp, Person
from bot.formatting import format_day, format_moment
from bot.messages.words import (
    deadline_line,
    follow_up_actions,
    kind_label,
    method_label,
    note_limit,
    snoozable,
    topics_phrase,
    upper_first,
)
from bot.replies import Action, ActionKind, Reply, Section
from rules.engine import KindRule, NudgeKind, PlacedNudge, Rulebook

__all__ = ["NUDGE_LABELS", "plan_reply"]

NUDGE_LABELS = {
    NudgeKind.HEADS_UP: "heads-up",
    NudgeKind.LAST_CALL: "last call",
    NudgeKind.REMINDER: "reminder",
    NudgeKind.SNOOZED: "snoozed reminder",
    NudgeKind.WINDOW_CLOSED: "if still open, when the window closes",
}
# An event's reminder as its ideal window ends (weeks of adequate time follow).
IDEAL_ENDING = "as the ideal window ends"


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
        rule = kind.rule_for(follow_up.methods)
        rule_what, rule_length = (rule.what, rule.length) if rule else ("a follow-up", "short")
        what = f"Send {rule_what}"
        if topics:
            what += f": {topics}" if "discuss" in rule_what else f" (you talked about: {topics})"
        else:
            what += ". Note what you talked about next time: it makes the message personal"
        lines = [what.rstrip(".") + ".", f"Length: {rule_length}."]
        if "linkedin" in follow_up.methods:
            lines.append(
                f"A LinkedIn note is at most {note_limit(person, rulebook)} characters on your "
                f"{person.linkedin_plan} plan."
            )
        if follow_up.optional and not nudges:  # a brief chat nudged is one they care about
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
            lines.append(
                "I'll nudge you: " + _nudge_times(planned, zone, now, follow_up.ideal_by) + "."
            )
        title = (
            f"#{follow_up.number} {upper_first(method_label(follow_up, rulebook))} to "
            f"{follow_up.contact_in(conversation)}, {deadline_line(follow_up, now, zone)}"
        )
        sections.append(Section("\n".join(lines), title=title))
        actions += follow_up_actions(
            follow_up, snooze=snoozable(follow_up, now, rulebook), draft=True
        )
    if follow_ups:
        # A typo in a name or the wrong time: the /met form again, filled in, to correct it.
        first = follow_ups[0][0]
        actions.append(Action(ActionKind.EDIT, "Edit", first.number, first.id or 0))
    people = dict.fromkeys(f.contact_in(conversation) for f, _ in follow_ups)
    if len(people) > 1:
        sections.append(
            Section(
                f"Each of the {len(people)} people gets their own message with its own draft: "
                "the guide asks for a personalized email to every person you interacted with "
                "(each interviewer gets their own). They compare notes, so don't send one to "
                "all.",
                title="Everyone you met",
            )
        )
    if kind.linkedin_advice:
        sections.append(Section(kind.linkedin_advice, title="LinkedIn"))
    others = _other_contacts(earlier, conversation)
    if others:
        met_also = "; ".join(
            f"{c.contact_name} ({kind_label(c.kind, rulebook)}, {format_day(c.met_at, zone)})"
            for c in others
        )
        sections.append(
            Section(
                f"You also met {met_also}. Mention them: it shows you are following the company.",
                title=f"Others you met at {conversation.company}",
            )
        )
    if not nudged:
        number = follow_ups[0][0].number if follow_ups else 0
        sections.append(Section(_why_no_nudges(person, kind, conversation, number)))
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


def _nudge_times(
    nudges: Sequence[PlacedNudge], zone: ZoneInfo, now: datetime, ideal_by: datetime
) -> str:
    """ "Sat 7 Mar 15:00 EST (heads-up), right away (last call)": a nudge due already goes out
    as soon as this answer is sent (one that couldn't wait for quiet hours to end). An event's
    reminder before its ideal window ends is said as what it is."""
    return ", ".join(
        f"{'right away' if n.due_at <= now else format_moment(n.due_at, zone)} "
        f"({_label(n, ideal_by)})"
        for n in nudges
    )


def _label(nudge: PlacedNudge, ideal_by: datetime) -> str:
    if nudge.kind is NudgeKind.REMINDER and nudge.due_at < ideal_by:
        return IDEAL_ENDING
    return NUDGE_LABELS[nudge.kind]


def _why_no_nudges(person: Person, kind: KindRule, conversation: Conversation, number: int) -> str:
    if not person.nudges_on:
        return "Your nudges are off, so I won't remind you: /followups settings nudges on."
    if kind.event and person.job_status == "accepted":
        return (
            "You've accepted a job, so I won't nudge you about events "
            "(/followups settings job searching to change that)."
        )
    if kind.nudge_priorities is not None and conversation.priority not in kind.nudge_priorities:
        top = max(kind.nudge_priorities, default=1)
        wanted = "tier 1" if top == 1 else f"tiers 1 to {top}"
        # The guide's words on brief chats: a priority list, and no need to follow up with all.
        guide = "You don't have to follow up with everybody; when in doubt, follow up."
        if conversation.priority is None:
            return (
                f"No nudges for this brief chat: I nudge only about the companies you care "
                f"about most ({wanted} on your /fair list, or priority:1). {guide} If it is "
                f"one of them: /followups edit {number} priority:1."
            )
        return (
            f"No nudges: a brief chat with a tier-{conversation.priority} company is optional "
            f"(I nudge about {wanted} only). {guide} If this one matters more: "
            f"/followups edit {number} priority:1."
        )
    return "No nudges: the window has closed."
