"""The product's nouns: people, conversations, follow-ups and their nudges.

Plain dataclasses with aware UTC datetimes. Storage maps them to rows; services change them.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from rules.engine import NudgeKind, PlannedFollowUp, QuietHours, Rulebook, should_nudge

__all__ = [
    "EVENT_MARGIN",
    "NAME_LIMIT",
    "REASON_LENGTH",
    "Address",
    "Channel",
    "Club",
    "ClubDigest",
    "ClubEvent",
    "ClubRules",
    "Conversation",
    "DeliveryRow",
    "DigestKind",
    "EventPrompt",
    "FairEntry",
    "FairList",
    "FairVisit",
    "FollowUp",
    "FollowUpStatus",
    "JobStatus",
    "LinkedInPlan",
    "Nudge",
    "NudgeKind",
    "NudgeStatus",
    "Person",
    "PromptKind",
    "ScheduledEventEnd",
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


@dataclass(frozen=True)
class Channel:
    """A shared channel a command came from (a Slack channel, a Discord text channel, the
    console's `:in #name`), by the platform's id, with its name when the platform says it. A
    command from a DM has none."""

    id: str
    name: str | None = None


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
    # Whether a club's digest may thank them by name (/followups settings shoutouts on): their
    # name only, never their contacts.
    shoutouts: bool = False
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
class Club:
    """A shared channel made a club with /club setup: a student chapter, a career-services
    channel, a class. Its organizers are the one who set it up, those they add, and whoever
    manages the workspace (the platform says who: Slack admins, Discord's Manage Events or
    Manage Server)."""

    platform: str
    workspace: str
    channel: str
    name: str
    timezone: str
    created_by: str
    created_at: datetime
    # The weekly digest, when its organizers want one: the weekday (Monday 0) and the time of
    # day, in the club's zone.
    digest_day: int | None = None
    digest_at: time | None = None
    # Discord: the server's own Scheduled Events count as this club's events (one club in a
    # server follows them: the last set up with follow:on).
    follows_scheduled_events: bool = False
    id: int | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class ClubRules:
    """A club's own rulebook (`what` "rulebook") or draft templates ("drafts"): the TOML its
    organizers pasted, validated when they did, and who set it when."""

    club_id: int
    what: str
    toml: str
    set_by: str
    set_at: datetime


@dataclass
class ClubEvent:
    """An event a club's organizers post (an employer night, a mixer, a fair trip), with the
    card the bot keeps up to date in the channel (`post_ref`: the platform's message id)."""

    club_id: int
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    created_by: str
    created_at: datetime
    # A fair's companies, as the organizer listed them.
    companies: tuple[str, ...] = ()
    cancelled: bool = False
    post_ref: str | None = None
    # The Discord Scheduled Event it came from (it has no card: the server shows that event).
    scheduled_event: str | None = None
    id: int | None = None


@dataclass(kw_only=True)
class DeliveryRow:
    """How a row of an outbox stands (a nudge, an event prompt, a club digest), as dispatch
    claims, sends and settles it. Each kind adds what it is about and when it falls due, and
    sets `next_attempt_at` to that when it is not given."""

    status: NudgeStatus = NudgeStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None
    id: int | None = None


# A conversation logged in a club's channel counts for an event when it was met this close to
# the event's hours (a student arriving early, a chat in the doorway afterwards).
EVENT_MARGIN = timedelta(hours=1)


class DigestKind(enum.StrEnum):
    """A club's digests: after an event (its end + 48 h), and weekly."""

    EVENT = "event"
    WEEKLY = "weekly"


@dataclass
class ClubDigest(DeliveryRow):
    """One digest a club's channel gets: an outbox row like a nudge, so that replicas post it
    once and a restart loses none. It counts what was logged from `period_start` to
    `period_end` (an event's: the event's conversations, whenever logged)."""

    club_id: int
    kind: DigestKind
    period_start: datetime
    period_end: datetime
    due_at: datetime
    event_id: int | None = None

    def __post_init__(self) -> None:
        if self.next_attempt_at is None:
            self.next_attempt_at = self.due_at

    @property
    def key(self) -> str:
        """What names this digest among the club's: one row per key, whoever plans it."""
        return f"{self.kind}:{self.event_id or ''}:{self.period_end.isoformat()}"


class PromptKind(enum.StrEnum):
    """The DMs a member who said they were going gets after an event."""

    PROMPT = "prompt"  # "How was Deloitte Night? Log who you met"
    REMINDER = "reminder"  # the next day, only if they logged nothing


@dataclass
class ScheduledEventEnd(DeliveryRow):
    """When a Discord server's Scheduled Event, followed by club `club_id`, is over by its
    schedule (`due_at`): an outbox row, so that the event is taken at its end even when Discord
    never says it completed (voice and stage events often stay active) or the bot was down.
    Settled sent once the club took it, cancelled when it was cancelled or deleted."""

    club_id: int
    ref: str  # the Scheduled Event's id
    due_at: datetime

    def __post_init__(self) -> None:
        if self.next_attempt_at is None:
            self.next_attempt_at = self.due_at


@dataclass
class EventPrompt(DeliveryRow):
    """One DM to a member after an event they said they were going to: an outbox row like a
    nudge, claimed by one replica, sent, settled."""

    event_id: int
    person_id: int
    kind: PromptKind
    due_at: datetime

    def __post_init__(self) -> None:
        if self.next_attempt_at is None:
            self.next_attempt_at = self.due_at


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
class Nudge(DeliveryRow):
    """One DM in the outbox. The row is the truth: dispatch claims, sends and settles it."""

    follow_up_id: int
    kind: NudgeKind
    due_at: datetime

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


@dataclass
class FairEntry:
    """A company on a student's fair list: its tier (`priority`, 1 = the companies they care
    about most) and its place in their order of interest (`position`, from 1)."""

    company: str
    priority: int
    position: int
    id: int | None = None

    @property
    def company_key(self) -> str:
        return company_key(self.company)


@dataclass
class FairList:
    """A student's priority list for one career fair (/fair plan), and the evening DM after it.

    `held_on` is the fair's day in the student's zone. The evening DM is a row like a nudge:
    `evening_status` pending until a sweep claims it (sending, with a lease), then sent,
    cancelled or failed; `evening_due_at` is when it goes out (or is next tried).
    """

    person_id: int
    name: str
    held_on: date
    created_at: datetime
    entries: list[FairEntry]
    evening_due_at: datetime | None = None
    evening_status: NudgeStatus = NudgeStatus.PENDING
    evening_attempts: int = 0
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    evening_sent_at: datetime | None = None
    last_error: str | None = None
    id: int | None = None

    @property
    def name_key(self) -> str:
        return company_key(self.name)


@dataclass(frozen=True)
class FairVisit:
    """A conversation at a fair: `entry_id` is the list entry it matched, None when unplanned."""

    fair_id: int
    conversation_id: int
    entry_id: int | None


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
