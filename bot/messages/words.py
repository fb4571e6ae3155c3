"""The small words every reply shares: labels, what is left, which buttons go with a follow-up."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain import FollowUp, FollowUpStatus, Person, Standing
from bot.formatting import format_left, format_moment
from bot.replies import Action, ActionKind
from rules.engine import Rulebook

__all__ = [
    "DATABASE_AWAY",
    "TOPIC_LEAD",
    "deadline_line",
    "follow_up_actions",
    "kind_label",
    "method_label",
    "method_label_of",
    "note_limit",
    "snoozable",
    "snooze_limit",
    "standing_word",
    "status_word",
    "time_left",
    "topics_phrase",
    "upper_first",
]


# How students start what they noted at /met ("we talked about ...", "and asked about ..."):
# the words a reply or a draft leaves out before the topics themselves. "Asked" and "heard" only
# with their preposition ("heard about", not "heard back from the recruiter"), so that no word
# of the topic itself is dropped.
TOPIC_LEAD = re.compile(
    r"^(?:(?:and|also|or|plus|then)\s+)*(?:(?:we|i)\s+)?"
    r"(?:(?:talked|spoke|chatted|discussed|learned|learnt)(?:\s+(?:about|on|of))?"
    r"|(?:asked|heard)\s+(?:about|on|of)|about)\s+",
    re.IGNORECASE,
)


# Any command, when the database doesn't answer in time: nothing was saved (its transaction
# rolled back), so trying again is safe.
DATABASE_AWAY = (
    "I can't reach my records right now, so nothing was saved. Please try again in a moment."
)


def method_label(follow_up: FollowUp, rulebook: Rulebook) -> str:
    """ "email", "LinkedIn request or email"."""
    return " or ".join(method_label_of(m, rulebook) for m in follow_up.methods)


def method_label_of(method: str, rulebook: Rulebook) -> str:
    rule = rulebook.methods.get(method)
    return rule.label if rule else method


def kind_label(key: str, rulebook: Rulebook) -> str:
    kind = rulebook.kinds.get(key)
    return kind.label if kind else key


def topics_phrase(topics: str) -> str:
    """What they talked about, without a leading "talked about"."""
    lead = TOPIC_LEAD.match(topics)
    return topics[lead.end() :].strip() if lead else topics


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def note_limit(person: Person, rulebook: Rulebook) -> int:
    """How long the person's LinkedIn connection notes may be, by their plan."""
    return rulebook.note_limit(person.linkedin_plan)


def status_word(status: FollowUpStatus) -> str:
    return {
        FollowUpStatus.PENDING: "still open",
        FollowUpStatus.DONE: "already done",
        FollowUpStatus.SKIPPED: "skipped",
        FollowUpStatus.MISSED: "missed",
        FollowUpStatus.NOT_NEEDED: "not needed",
    }[status]


def standing_word(standing: Standing) -> str:
    """What the list and the export call where a follow-up stands."""
    return _STANDING_WORDS[standing]


_STANDING_WORDS = {
    Standing.PENDING: "pending",
    Standing.OPTIONAL: "optional",
    Standing.PAUSED: "paused: you accepted a job",
    Standing.DONE: "done",
    Standing.SKIPPED: "skipped",
    Standing.MISSED: "missed",
    Standing.NOT_NEEDED: "not needed",
}


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


def deadline_line(follow_up: FollowUp, now: datetime, zone: ZoneInfo) -> str:
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


def snoozable(follow_up: FollowUp, now: datetime, rulebook: Rulebook) -> bool:
    """Whether a snooze can still land before the deadline (see the snooze handler)."""
    return snooze_limit(follow_up, rulebook) > now


def snooze_limit(follow_up: FollowUp, rulebook: Rulebook) -> datetime:
    """The latest a snooze may land: the last call before the deadline."""
    last_calls = rulebook.timing.last_call_before
    return follow_up.due_by - (min(last_calls) if last_calls else timedelta(hours=1))


def time_left(follow_up: FollowUp, now: datetime) -> str:
    if follow_up.ideal_by > now:
        if follow_up.due_by > follow_up.ideal_by:
            # An event: the ideal window is not the deadline, weeks may remain.
            return (
                f"ideally within {format_left(follow_up.ideal_by - now)}, "
                f"adequate for {format_left(follow_up.due_by - now)}"
            )
        return f"{format_left(follow_up.ideal_by - now)} left"
    if follow_up.due_by > now:
        return f"ideal window passed, adequate for {format_left(follow_up.due_by - now)}"
    return f"deadline passed {format_left(now - follow_up.due_by)} ago"
