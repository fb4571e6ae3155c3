"""The product's nouns: people, conversations, follow-ups and their nudges.

Plain dataclasses with aware UTC datetimes. Storage maps them to rows; services change them.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from rules.engine import NudgeKind, PlannedFollowUp, QuietHours, Rulebook, should_nudge

__all__ = [
    "NAME_LIMIT",
    "REASON_LENGTH",
    "Address",
    "Conversation",
    "FollowUp",
    "FollowUpStatus",
    "JobStatus",
    "LinkedInPlan",
    "Nudge",
    "NudgeKind",
    "NudgeStatus",
    "Person",
    "Standing",
    "Workspace",
    "clip_reason",
    "closes_as",
    "company_key",
    "standing",
    "why_not_nudged",
]


@dataclass(frozen=True)
class Address:
    """Who a person is on a platform: Slack (team, user), Discord (guild, user), console."""

    platform: str
    workspace: str
    user: str


class JobStatus(enum.StrEnum):
    SEARCHING = "searching"
    ACCEPTED = "accepted"


class LinkedInPlan(enum.StrEnum):
    FREE = "free"
    PREMIUM = "premium"


class FollowUpStatus(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    SKIPPED = "skipped"
    MISSED = "missed"
    # Its window closed while the guide did not ask for it: a brief fair chat below the
    # priority cut, or an event follow-up while the student had accepted a job. Never "missed".
    NOT_NEEDED = "not_needed"


class Standing(enum.StrEnum):
    """Where a follow-up stands, as the list, the export and the DMs say it: its stored status,
    with an open one told apart by whether the bot nudges about it (see `standing`)."""

    PENDING = "pending"
    # Open, not nudged, never missed: a brief fair chat below the priority cut.
    OPTIONAL = "optional"
    # Open, not nudged while the student has accepted a job (an event's follow-up); its nudges
    # come back if they go back to searching.
    PAUSED = "paused"
    DONE = "done"
    SKIPPED = "skipped"
    MISSED = "missed"
    NOT_NEEDED = "not_needed"


class NudgeStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


# A name signs drafts and greets in DMs: long enough for anyone, short enough for a line (a
# platform's profile name is cut to it).
NAME_LIMIT = 80

# Why a send failed, or why no DM reaches a person or workspace: platforms' error texts are cut
# to this, by storage of every kind (a column's width in SQL).
REASON_LENGTH = 200


def clip_reason(reason: str | None) -> str | None:
    """`reason` cut to what storage keeps (`REASON_LENGTH`)."""
    return None if reason is None else reason[:REASON_LENGTH]


@dataclass
class Person:
    """A student using the bot, with their settings."""

    address: Address
    created_at: datetime
    # The name the student chose (signs drafts); the platform's profile name otherwise.
    name: str | None = None
    display_name: str | None = None
    # The zone the student chose; the platform's (Slack profile) otherwise; the bot's default.
    timezone: str | None = None
    platform_timezone: str | None = None
    quiet_hours: QuietHours | None = None
    nudges_on: bool = True
    job_status: JobStatus = JobStatus.SEARCHING
    linkedin_plan: LinkedInPlan = LinkedInPlan.FREE
    # Set when the platform said DMs to this person can't be delivered (DMs closed, user gone).
    undeliverable: str | None = None
    # Whether they were told once how to set their zone (platforms that don't share it).
    zone_hint_shown: bool = False
    id: int | None = None
    # The student's primary account when this one is joined to it (/followups link): their
    # follow-ups and settings are the primary's. None for a primary or a lone account.
    linked_to: int | None = None
    # The local time of their daily digest (settings digest daily 18:00): their nudges wait
    # for it, but for an interview's or a call's last calls. None: each nudge on time.
    digest_at: time | None = None

    def zone(self, default: ZoneInfo) -> ZoneInfo:
        chosen = self.timezone or self.platform_timezone
        return ZoneInfo(chosen) if chosen else default


@dataclass
class Workspace:
    """A Slack team or a Discord server (or the console), as the bot knows it.

    `default_timezone` is the zone its managers chose for members who haven't set theirs
    (/server-tz); `undeliverable` says why no DM reaches anyone there (the app was uninstalled)
    until it is installed again, and `undeliverable_since` since when: its members' data is
    deleted once that is longer ago than the uninstall grace (`bot.retention`).
    """

    platform: str
    id: str
    default_timezone: str | None = None
    undeliverable: str | None = None
    undeliverable_since: datetime | None = None


@dataclass
class Conversation:
    """A career conversation the student logged with /met."""

    person_id: int
    contact_name: str
    company: str
    kind: str
    met_at: datetime
    created_at: datetime
    topics: str = ""
    event: str | None = None
    priority: int | None = None
    # Where the student typed /met (a channel id), so a club channel can count its events.
    logged_in: str | None = None
    id: int | None = None

    @property
    def company_key(self) -> str:
        return company_key(self.company)


@dataclass
class FollowUp:
    """Something the student owes after a conversation: one message by one of its methods.

    `number` is the student's own #N, unique per person; ids are internal.
    """

    person_id: int
    conversation_id: int
    number: int
    methods: tuple[str, ...]
    ideal_by: datetime
    due_by: datetime
    optional: bool = False
    status: FollowUpStatus = FollowUpStatus.PENDING
    done_via: str | None = None
    snoozed_until: datetime | None = None
    closed_at: datetime | None = None
    # The one person it goes to (each person of a panel gets their own), and how the draft
    # greets them when the student said (greet:"Dr. Raman"). Follow-ups recorded before panels
    # have no contact: they go to the conversation's one person.
    contact: str | None = None
    greeting: str | None = None
    id: int | None = None

    def contact_in(self, conversation: Conversation) -> str:
        """Whom this follow-up goes to."""
        return self.contact or conversation.contact_name

    def urgency(self, now: datetime) -> tuple[int, datetime, int]:
        """Sort key, most urgent first: open windows by their next deadline, then those past."""
        if self.ideal_by > now:
            return (0, self.ideal_by, self.number)
        if self.due_by > now:
            return (0, self.due_by, self.number)
        return (1, self.due_by, self.number)

    @classmethod
    def planned(
        cls,
        plan: PlannedFollowUp,
        *,
        person_id: int,
        conversation_id: int,
        number: int,
        contact: str | None = None,
        greeting: str | None = None,
    ) -> FollowUp:
        """A new follow-up to `contact`, as the rules planned it."""
        return cls(
            person_id,
            conversation_id,
            number,
            plan.methods,
            plan.ideal_by,
            plan.due_by,
            plan.optional,
            contact=contact,
            greeting=greeting,
        )


@dataclass
class Nudge:
    """One DM in the outbox. The row is the truth: dispatch claims, sends and settles it."""

    follow_up_id: int
    kind: NudgeKind
    due_at: datetime
    status: NudgeStatus = NudgeStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        if self.next_attempt_at is None:
            self.next_attempt_at = self.due_at


_COMPANY_SUFFIXES = re.compile(
    r"\b(inc|incorporated|llc|ltd|limited|corp|corporation|co|company|gmbh|ag|sa|plc)\b\.?"
)


# The key's column holds 100 characters; folding can lengthen a name (NFKC expands ligatures).
COMPANY_KEY_LENGTH = 100


def company_key(company: str) -> str:
    """A company name folded for matching: "Acme, Inc." and "acme" are the same company.

    A name with no letters or digits (an emoji) is its own key, so that two such companies
    are not taken for one.
    """
    folded = unicodedata.normalize("NFKC", company).casefold()
    key = " ".join(re.findall(r"\w+", _COMPANY_SUFFIXES.sub(" ", folded)))
    return (key or " ".join(folded.split()))[:COMPANY_KEY_LENGTH]


def why_not_nudged(person: Person, conversation: Conversation, rulebook: Rulebook) -> str | None:
    """Why this person gets no nudges about this conversation now, or None if they do: their
    DMs fail, its kind left the rulebook, or the rules say no (nudges off, a job accepted for
    events, a brief chat below the priority nudged). Planning and sending both ask this."""
    if person.undeliverable is not None:
        return "person can't receive DMs"
    kind = rulebook.kinds.get(conversation.kind)
    if kind is None:
        return "kind no longer in the rulebook"
    if not should_nudge(
        kind,
        priority=conversation.priority,
        nudges_on=person.nudges_on,
        job_accepted=person.job_status is JobStatus.ACCEPTED,
    ):
        return "nudges off for this follow-up"
    return None


def standing(
    follow_up: FollowUp,
    conversation: Conversation,
    person: Person,
    rulebook: Rulebook,
    now: datetime,
) -> Standing:
    """Where `follow_up` stands at `now`. An open one whose window has closed stands as it will
    be closed (`closes_as`), whether or not the list has closed it yet."""
    if follow_up.status is not FollowUpStatus.PENDING:
        return Standing(follow_up.status.value)
    if follow_up.due_by <= now:
        return Standing(closes_as(follow_up, conversation, person, rulebook).value)
    if _optional(follow_up, conversation, rulebook):
        return Standing.OPTIONAL
    if _paused(conversation, person, rulebook):
        return Standing.PAUSED
    return Standing.PENDING


def closes_as(
    follow_up: FollowUp, conversation: Conversation, person: Person, rulebook: Rulebook
) -> FollowUpStatus:
    """What an open follow-up becomes when its window closes: missed, unless the guide did
    not ask for it (optional, or paused by an accepted job)."""
    if _optional(follow_up, conversation, rulebook) or _paused(conversation, person, rulebook):
        return FollowUpStatus.NOT_NEEDED
    return FollowUpStatus.MISSED


def _optional(follow_up: FollowUp, conversation: Conversation, rulebook: Rulebook) -> bool:
    """A follow-up the guide leaves to the student (a brief fair chat) that the bot does not
    nudge (its priority is below the cut)."""
    if not follow_up.optional:
        return False
    kind = rulebook.kinds.get(conversation.kind)
    if kind is None or kind.nudge_priorities is None:
        return kind is None
    return conversation.priority not in kind.nudge_priorities


def _paused(conversation: Conversation, person: Person, rulebook: Rulebook) -> bool:
    kind = rulebook.kinds.get(conversation.kind)
    return kind is not None and kind.event and person.job_status is JobStatus.ACCEPTED
