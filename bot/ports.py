"""The core's ports: what it needs from the outside world, as Protocols.

`bot/bootstrap.py` picks the concrete classes; `bot/testing/` ships the fakes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol, cast, runtime_checkable

from bot.domain import (
    Address,
    Club,
    ClubDigest,
    ClubEvent,
    ClubRules,
    Conversation,
    EventPrompt,
    FairList,
    FairVisit,
    FollowUp,
    FollowUpStatus,
    Nudge,
    NudgeKind,
    NudgeStatus,
    Person,
    ScheduledEventEnd,
    Workspace,
)
from bot.replies import DigestPost, EventCard, Reply

__all__ = [
    "Accounts",
    "Activity",
    "BotState",
    "CalendarFeeds",
    "ChannelPoster",
    "Claim",
    "Clubs",
    "Delivered",
    "Delivery",
    "DigestContext",
    "Digests",
    "Fairs",
    "FollowUps",
    "Messenger",
    "NudgeContext",
    "Outbox",
    "OutboxDepth",
    "People",
    "PermanentFailure",
    "Posted",
    "PromptContext",
    "Prompts",
    "ReadsScheduledEvents",
    "RetryAfter",
    "ScheduledEventEnds",
    "ScheduledEventState",
    "Storage",
    "UnitOfWork",
    "Workspaces",
]


# -- Messenger -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivered:
    """The platform accepted the message."""


@dataclass(frozen=True)
class RetryAfter:
    """Rate-limited or briefly unavailable: try again after `seconds`.

    `scope` is what the platform asked to slow down, and so what waits: the whole "platform"
    (a bot-wide limit), one "workspace", one "person" (the route to them: their DM channel), or
    just this "message". `tried` is False when nothing reached the platform (the nudge waited its
    turn), so the attempt doesn't count towards giving up.
    """

    seconds: float
    reason: str = "rate limited"
    scope: Literal["platform", "workspace", "person", "message"] = "platform"
    tried: bool = True


@dataclass(frozen=True)
class PermanentFailure:
    """It will never work as things stand (DMs closed, user gone, app uninstalled).

    `concerns_person` marks the recipient undeliverable so the bot stops trying and can tell
    them the next time they use a command; `concerns_workspace` stops sends to everyone in
    their workspace until the app is installed there again (`Workspace.undeliverable`).
    """

    reason: str
    concerns_person: bool = True
    # The whole workspace or server is gone for the bot (app uninstalled, tokens revoked).
    concerns_workspace: bool = False


Delivery = Delivered | RetryAfter | PermanentFailure


class Messenger(Protocol):
    async def send_dm(
        self, to: Person, message: Reply, *, key: str, maybe_sent: bool = False
    ) -> Delivery:
        """DM `to`. `key` is unique per nudge, so a platform that supports it can drop a
        repeated send (Discord's nonce). `maybe_sent`: this nudge was tried before and may have
        arrived (a crash before its settling, a timeout), so look for it before sending again
        where the platform allows (Slack). Raising means a transient failure, retried later."""
        ...


@dataclass(frozen=True)
class Posted:
    """The platform posted the card: `ref` is its message (Slack's ts, Discord's message id),
    to update it in place."""

    ref: str


@runtime_checkable
class ChannelPoster(Protocol):
    """Posts in club channels: an event's card, updated in place as it changes."""

    async def post_to_channel(
        self, club: Club, card: EventCard
    ) -> Posted | RetryAfter | PermanentFailure:
        """Post `card` in the club's channel. Raising means a transient failure."""
        ...

    async def update_post(self, club: Club, ref: str, card: EventCard) -> Delivery:
        """Replace the club's message `ref` with `card`."""
        ...

    async def post_digest(
        self, club: Club, digest: DigestPost
    ) -> Posted | RetryAfter | PermanentFailure:
        """Post a digest in the club's channel. Raising means a transient failure."""
        ...


@dataclass(frozen=True)
class ScheduledEventState:
    """A server's Scheduled Event as the platform says it stands now, and the members
    interested in it (platform user ids, bots left out)."""

    name: str
    starts_at: datetime
    ends_at: datetime | None
    # "scheduled", "active", "completed" or "cancelled".
    status: str
    interested: tuple[str, ...]
    created_by: str = ""


@runtime_checkable
class ReadsScheduledEvents(Protocol):
    """A platform whose servers have Scheduled Events (Discord) the bot can read."""

    async def read_scheduled_event(
        self, workspace: str, ref: str
    ) -> ScheduledEventState | RetryAfter | None:
        """The event `ref` of server `workspace`; None when it is gone (deleted, or the bot was
        removed from the server); RetryAfter when the platform can't say now."""
        ...


@runtime_checkable
class CountsRequests(Protocol):
    """A messenger whose DM may take more than one request against the platform's limit
    (Discord: opening a DM channel with someone new is a request of its own)."""

    def requests_for(self, to: Person) -> int:
        """How many requests a DM to `to` would make now."""
        ...


def requests_for(messenger: object, to: Person) -> int:
    """How many requests a DM to `to` through `messenger` would make now: 1 unless it counts
    them (`CountsRequests`)."""
    kind = type(messenger)
    counts = _COUNTS_REQUESTS.get(kind)
    if counts is None:
        counts = _COUNTS_REQUESTS[kind] = issubclass(kind, CountsRequests)
    return cast(CountsRequests, messenger).requests_for(to) if counts else 1


# Whether each messenger class counts its requests, asked of the class once: isinstance against
# a runtime-checkable Protocol looks up its members on every call, a tenth of what a
# zero-latency send costs.
_COUNTS_REQUESTS: dict[type, bool] = {}


# -- Storage: a unit of work with repositories ----------------------------------------------


@dataclass(frozen=True)
class NudgeContext:
    nudge: Nudge
    follow_up: FollowUp
    conversation: Conversation
    person: Person


@dataclass(frozen=True, slots=True)
class Claim:
    """What a sweep asks of the outbox: up to `limit` due nudges as of `now`, held by `owner`
    until `lease_until`; only for people on `platforms` when given (a process claims only what
    it can send).

    With `together_until`, the same transaction also claims, in one more statement, for each
    person one of those is for, their pending nudges that fall due after `now` and by then
    (up to `together_limit` more; a window-closed notice never early): they go out in the same
    DM as the person's claimed ones, one per person per moment."""

    now: datetime
    owner: str
    lease_until: datetime
    limit: int
    platforms: tuple[str, ...] | None = None
    together_until: datetime | None = None

    @property
    def together_limit(self) -> int:
        # A few a claimed person on average: a fair's worth for each, yet a bounded batch.
        return self.limit * 4


@dataclass(frozen=True, slots=True)
class OutboxDepth:
    """How many nudges wait in the outbox as of a moment: `due` (pending and due: the sweep
    should take them at once, so a number that stays up means nudges are late), `scheduled`
    (pending, due later, retries waiting out their backoff included) and `sending` (claimed by
    a replica and not settled yet)."""

    due: int
    scheduled: int
    sending: int


class People(Protocol):
    """The students, by their platform address."""

    async def get(self, address: Address) -> Person | None: ...
    async def add(self, person: Person) -> Person:
        """Add a new person, who gets their id; or, when someone at their address is stored
        already (another replica's command added them a moment ago), that stored person,
        unchanged. Never fails on the address being taken."""
        ...

    async def update(self, person: Person) -> None: ...
    async def mark_undeliverable(self, person_ids: Sequence[int], reason: str) -> None:
        """DMs to these people fail (`reason`): nudges stop until they next use a command."""
        ...

    async def forget(self, person_ids: Sequence[int]) -> None:
        """Delete these people and every row about them: their conversations, follow-ups and
        nudges (a nudge claimed meanwhile finds its row gone and is not sent)."""
        ...

    async def in_workspace(self, platform: str, workspace_id: str) -> list[int]:
        """The ids of everyone known in a workspace."""
        ...


class FollowUps(Protocol):
    """A student's conversations and what they owe after them. Every read is scoped by the
    person who asks: someone else's follow-up reads like one that doesn't exist."""

    async def add_conversation(self, conversation: Conversation) -> Conversation: ...
    async def update_conversation(self, conversation: Conversation) -> None:
        """Write a corrected conversation (its person and creation time stay)."""
        ...

    async def latest_conversation(self, person_id: int) -> Conversation | None:
        """The person's most recently recorded conversation, or None."""
        ...

    async def delete_conversation(self, conversation_id: int) -> None:
        """Delete a conversation with its follow-ups and their nudges."""
        ...

    async def delete_closed_before(self, cutoff: datetime) -> int:
        """Delete the conversations whose follow-ups are all closed (done, skipped, missed),
        the last of them before `cutoff`, with their follow-ups and nudges; how many."""
        ...

    async def everything_of(self, person_id: int) -> list[tuple[FollowUp, Conversation]]:
        """All the person's follow-ups, open and closed, with their conversations, by number."""
        ...

    async def conversations_at(self, person_id: int, company_key: str) -> list[Conversation]:
        """The person's conversations at a company (by `company_key`), oldest first."""
        ...

    async def recorded_names(self, person_id: int) -> set[str]:
        """The contact names, companies and event names in the person's conversations (the
        spell check leaves them alone)."""
        ...

    async def allocate_numbers(self, person_id: int, count: int) -> list[int]:
        """The next `count` follow-up numbers of this person (#1, #2 ...), never reused."""
        ...

    async def add(self, follow_ups: Sequence[FollowUp]) -> list[FollowUp]:
        """Add several follow-ups in one go; they get their ids."""
        ...

    async def update(self, follow_up: FollowUp) -> None: ...
    async def by_number(self, person_id: int, number: int) -> tuple[FollowUp, Conversation] | None:
        """The person's follow-up #number, or None when it doesn't exist or isn't theirs."""
        ...

    async def by_id(
        self, person_id: int, follow_up_id: int
    ) -> tuple[FollowUp, Conversation] | None:
        """Like `by_number`, by internal id (buttons carry ids); None when not theirs."""
        ...

    async def of_conversation(self, conversation_id: int) -> list[FollowUp]: ...
    async def open(self, person_id: int) -> list[tuple[FollowUp, Conversation]]:
        """The person's pending follow-ups, in no particular order."""
        ...

    async def missed_since(
        self, person_id: int, since: datetime
    ) -> list[tuple[FollowUp, Conversation]]:
        """The person's follow-ups marked missed at or after `since`."""
        ...

    async def close_missed(
        self,
        follow_up_ids: Sequence[int],
        now: datetime,
        status: FollowUpStatus = FollowUpStatus.MISSED,
    ) -> None:
        """Close these follow-ups, those still pending, as `status`: missed, or not needed
        (see `bot.domain.closes_as`)."""
        ...


class Outbox(Protocol):
    """The nudges waiting to go out, and those that went: the rows are the truth."""

    async def add(self, nudges: Sequence[Nudge]) -> None:
        """Add nudges to the outbox (their ids are not needed back)."""
        ...

    async def replace_pending(
        self, follow_up_id: int, nudges: Sequence[Nudge], now: datetime
    ) -> None:
        """A re-plan: drop the follow-up's planned nudges still ahead (pending, never tried,
        due after `now`) and add `nudges`. Rows already due or waiting for a retry stay."""
        ...

    async def sent_counts(
        self, follow_up_id: int, *, kept_at: datetime | None = None
    ) -> dict[NudgeKind, int]:
        """How many nudges of each kind went out (or are going out) for a follow-up; with
        `kept_at`, also those a re-plan at that moment keeps to send (`replace_pending`: due,
        or waiting for a retry), so that a re-plan never places one of them twice."""
        ...

    async def last_sent_at(self, follow_up_id: int) -> datetime | None:
        """When the follow-up's latest nudge went out (or, still going out, fell due); None
        when none has."""
        ...

    async def cancel_pending(self, follow_up_id: int, reason: str) -> int: ...

    async def claim_due(self, claim: Claim) -> list[Nudge]:
        """Claim the due nudges `claim` asks for (pending, or sending with an expired lease), in
        due order: marked sending, one more attempt. One statement; replicas never claim the
        same."""
        ...

    async def claim_for_evenings(self, claim: Claim, person_ids: Sequence[int]) -> list[Nudge]:
        """For these people, whose fair evening DMs were just claimed, claim in one statement
        the nudges that go out in the same DM: those due (or sending with an expired lease, as
        `claim_due` takes them) and those falling due by `claim.together_until` (a
        window-closed notice never early), up to `claim.together_limit`; replicas never claim
        the same."""
        ...

    async def contexts(self, claimed: Sequence[Nudge]) -> dict[int, NudgeContext]:
        """What each claimed nudge is about (its follow-up, conversation and person), in one
        read, by nudge id; nudges whose rows are gone are left out."""
        ...

    async def mark_sent(self, nudge_ids: Sequence[int], sent_at: datetime, owner: str) -> None:
        """Settle delivered nudges in one write: sent at `sent_at`, lease and error cleared.
        Only rows `owner` still holds change (as with `settle`)."""
        ...

    async def settle(self, settled: Sequence[Nudge], owner: str | None = None) -> None:
        """Write the outcome (status, attempts, next attempt, lease, error) of many nudges;
        with `owner`, only of rows that replica still holds (a lease that ran out and was
        claimed by another replica is theirs now)."""
        ...

    async def next_due_at(self) -> datetime | None:
        """When the earliest pending nudge falls due (or the earliest lease runs out)."""
        ...

    async def waiting_for(self, person_ids: Sequence[int]) -> dict[int, dict[int, datetime]]:
        """For each of these people with pending nudges (window-closed notices aside): the
        follow-ups they are for, each with when its next is due. One read."""
        ...

    async def depth(self, now: datetime) -> OutboxDepth:
        """The nudges waiting as of `now`, by state: counts read through the claim's own
        indexes, so their cost follows the rows waiting, not the history of sent ones."""
        ...


class Workspaces(Protocol):
    """Slack teams and Discord servers, with what the bot knows of each."""

    async def get(self, platform: str, workspace_id: str) -> Workspace | None: ...

    # Each write changes one field and leaves the others as they are, so that writers of
    # different fields (a manager's /server-tz, an uninstall) never undo one another.

    async def set_default_zone(self, platform: str, workspace_id: str, zone: str | None) -> None:
        """Set the zone members who set none see times in, or clear it (None)."""
        ...

    async def mark_undeliverable(
        self, keys: Sequence[tuple[str, str]], reason: str, *, at: datetime
    ) -> None:
        """No DM reaches anyone in these (platform, workspace id) workspaces, for `reason`
        (cut to `REASON_LENGTH`), until `clear_undeliverable`; since `at`, unless they were
        marked already (the uninstall grace counts from the first mark)."""
        ...

    async def gone_since(self, cutoff: datetime) -> list[tuple[str, str]]:
        """The (platform, workspace id) of workspaces marked undeliverable before `cutoff`."""
        ...

    async def forget(self, platform: str, workspace_id: str) -> None:
        """Delete the workspace's record (its members are deleted with `People.forget`)."""
        ...

    async def clear_undeliverable(self, platform: str, workspace_id: str) -> bool:
        """DMs reach the workspace again; True if it was marked."""
        ...

    async def undeliverable(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """Of these (platform, workspace id) pairs, those whose DMs can't be delivered (the app
        was uninstalled), with the reason. Cheap when no workspace is marked."""
        ...


class Accounts(Protocol):
    """A student's platform accounts joined into one (`bot.handlers.accounts`): a joined row
    points at the primary one, which alone holds the student's conversations, follow-ups,
    settings, calendar link and link code. And the one-time codes that join them."""

    async def by_id(self, person_id: int) -> Person | None: ...

    async def linked_to(self, primary_id: int) -> list[Person]:
        """The accounts joined to this primary one (not itself), oldest first."""
        ...

    async def join(self, account_id: int, primary_id: int, numbers: Mapping[int, int]) -> None:
        """Join a lone account to a primary one: its conversations and follow-ups become the
        primary's, each follow-up renumbered as `numbers` says (by follow-up id); its calendar
        link and link code go."""
        ...

    async def make_primary(self, old_id: int, new_id: int) -> None:
        """Make a joined account the primary one: what the old primary held (conversations,
        follow-ups, calendar link, link code, numbering) moves to it, and every other account
        points at it. The settings are the caller's to write (`People.update`)."""
        ...

    async def unlink(self, primary_id: int) -> None:
        """Split the accounts joined to this primary one off, each a lone account again."""
        ...

    async def add_code(self, person_id: int, code_hash: str, expires_at: datetime) -> None:
        """Make `code_hash` the person's one link code, good until `expires_at`."""
        ...

    async def take_code(self, code_hash: str) -> tuple[int, datetime] | None:
        """Take the code away (it works once): whose it was and until when it was good, or
        None when there is none."""
        ...


class CalendarFeeds(Protocol):
    """Students' calendar subscriptions, each found by the sha256 of the secret in its URL
    (`bot.calendar_feed`); the secret itself is never stored."""

    async def replace(self, person_id: int, token_hash: str, now: datetime) -> None:
        """Make `token_hash` the person's one subscription; the one they had stops working."""
        ...

    async def exists(self, person_id: int) -> bool:
        """Whether the person has a subscription."""
        ...

    async def owner(self, token_hash: str) -> Person | None:
        """The person whose subscription `token_hash` is, or None."""
        ...


class Fairs(Protocol):
    """A student's career-fair priority lists (/fair), the conversations recorded at each, and
    each fair's evening DM (an outbox row of its own). Every read is scoped by the person who
    asks: another student's list reads like one that doesn't exist."""

    async def add(self, fair: FairList) -> FairList:
        """Add a list; it and its entries get their ids."""
        ...

    async def update(self, fair: FairList) -> None:
        """Write a changed list: its name and day; entries with an id are updated, new ones
        added, and those no longer on it deleted (conversations that matched them become
        unplanned). Its evening DM is written by `reschedule_evening` and the sweep."""
        ...

    async def reschedule_evening(self, fair: FairList) -> bool:
        """Write the list's evening DM as planned again (due time, status, attempts, error),
        unless a sweep has claimed or sent it meanwhile (then nothing changes: False)."""
        ...

    async def link_visit(self, visit: FairVisit) -> None:
        """Match a conversation at the fair to a list entry (a company added after it)."""
        ...

    async def of_person(self, person_id: int) -> list[FairList]:
        """The person's lists, by the fair's day (then as planned)."""
        ...

    async def by_id(self, person_id: int, fair_id: int) -> FairList | None:
        """The person's list, or None when it doesn't exist or isn't theirs."""
        ...

    async def add_visit(self, visit: FairVisit) -> None:
        """Record that a conversation took place at a fair."""
        ...

    async def visits(self, person_id: int, fair_id: int) -> list[tuple[FairVisit, Conversation]]:
        """The conversations recorded at the person's fair, in the order they took place."""
        ...

    async def claim_evenings(self, claim: Claim) -> list[FairList]:
        """Claim the evening DMs due as of `claim.now` (pending, or sending with an expired
        lease), like `Outbox.claim_due`: marked sending, one more attempt. With
        `claim.together_until`, also those due by then whose student has a nudge due now (or
        sending with an expired lease): the evening DM and the nudges go out as one."""
        ...

    async def settle_evening(self, fair: FairList, owner: str) -> None:
        """Write the outcome of a claimed evening DM (status, attempts, due time, lease, sent
        time, error), if `owner` still holds it."""
        ...

    async def next_evening_at(self) -> datetime | None:
        """When the earliest pending evening DM falls due (or the earliest lease runs out)."""
        ...


class Clubs(Protocol):
    """Club channels (`bot.handlers.clubs`): their organizers, their events, and who is going
    (private: only counts leave storage for a channel)."""

    async def by_id(self, club_id: int) -> Club | None:
        """The club `club_id`, or None (deleted)."""
        ...

    async def get(self, platform: str, workspace: str, channel: str) -> Club | None:
        """The club of a channel, or None when the channel isn't one."""
        ...

    async def add(self, club: Club) -> Club:
        """Make a channel a club: `club` with its id; or, when the channel became one a moment
        ago (another replica), that club, unchanged."""
        ...

    async def update(self, club: Club) -> None:
        """Write a club's name and zone."""
        ...

    async def delete(self, club_id: int) -> None:
        """Delete a club with its organizers, events and who was going to them; members'
        conversations and follow-ups stay."""
        ...

    async def rules(self, club_id: int) -> dict[str, ClubRules]:
        """The club's own rulebook and templates, by `ClubRules.what`; those it has none of
        are left out (it uses the deployment's)."""
        ...

    async def set_rules(self, rules: ClubRules) -> None:
        """Keep the club's own rulebook or templates, replacing what it had."""
        ...

    async def reset_rules(self, club_id: int, what: str) -> bool:
        """Go back to the deployment's rulebook or templates; False when it had none."""
        ...

    async def rules_by_channel(self) -> dict[tuple[str, str, str], list[ClubRules]]:
        """Every club's own rules, by its (platform, workspace, channel): one read, for
        resolving many conversations' rulebooks at once."""
        ...

    async def organizers(self, club_id: int) -> list[str]:
        """The platform user ids of the organizers the founder added, in the order added."""
        ...

    async def add_organizer(self, club_id: int, user_id: str) -> bool:
        """Add an organizer; False when they were one already."""
        ...

    async def remove_organizer(self, club_id: int, user_id: str) -> bool:
        """Remove an organizer; False when they weren't one."""
        ...

    async def add_event(self, event: ClubEvent) -> ClubEvent:
        """Add an event; it gets its id."""
        ...

    async def add_scheduled_event(self, event: ClubEvent) -> ClubEvent | None:
        """Add an event that came from a Discord Scheduled Event (`event.scheduled_event`); None
        when that one is stored already."""
        ...

    async def following(self, platform: str, workspace: str) -> Club | None:
        """The club of a server that follows its Scheduled Events, or None."""
        ...

    async def follow_scheduled_events(self, club: Club, follow: bool) -> None:
        """Make `club` follow its server's Scheduled Events (and no other club of the server),
        or stop."""
        ...

    async def update_event(self, event: ClubEvent) -> None:
        """Write an event's title, kind, times, companies, cancellation and card."""
        ...

    async def set_post_ref(self, event_id: int, ref: str) -> None:
        """Keep where the event's card was posted (only that: an edit meanwhile stays)."""
        ...

    async def event(self, club_id: int, event_id: int) -> ClubEvent | None:
        """The club's event `event_id`, or None (another club's reads like none)."""
        ...

    async def events_between(self, club_id: int, start: datetime, end: datetime) -> list[ClubEvent]:
        """The club's events that end at or after `start` and start at or before `end`, the
        cancelled ones too, soonest first."""
        ...

    async def set_going(self, event_id: int, person_id: int, going: bool, at: datetime) -> bool:
        """Say the person is going (or no longer); False when that was so already."""
        ...

    async def is_going(self, event_id: int, person_id: int) -> bool: ...

    async def going_counts(self, event_ids: Sequence[int]) -> dict[int, int]:
        """How many are going to each of these events (those with none are left out)."""
        ...

    async def going_people(self, event_id: int) -> list[Person]:
        """Who is going to the event (for their prompts' times only: never shown)."""
        ...

    async def going_event(self, event_id: int, person_id: int) -> ClubEvent | None:
        """The event, if the person said they were going to it (what a DM's button may
        reach); None otherwise."""
        ...


@dataclass(frozen=True)
class PromptContext:
    """What a claimed prompt is about: its event, the event's club, and the member."""

    prompt: EventPrompt
    event: ClubEvent
    club: Club
    person: Person


class ScheduledEventEnds(Protocol):
    """When the Scheduled Events a club follows are over by their schedule
    (`bot.scheduled_event_ends`): outbox rows claimed, read and settled like prompts."""

    async def watch(self, end: ScheduledEventEnd) -> None:
        """Add the row, or move a pending one to `end.due_at`; one already taken or cancelled
        is left as it is."""
        ...

    async def close(self, club_id: int, ref: str, status: NudgeStatus, at: datetime) -> None:
        """Mark event `ref`'s row taken (sent) or cancelled, unless a sweep holds it; added so
        when there is none (due `at`), so that a later `watch` leaves the event alone."""
        ...

    async def claim_due(self, claim: Claim) -> list[ScheduledEventEnd]:
        """Claim the due rows as prompts are claimed: one statement, never two replicas."""
        ...

    async def settle(self, settled: Sequence[ScheduledEventEnd], owner: str) -> None:
        """Write the outcome of rows `owner` still holds."""
        ...

    async def next_due_at(self) -> datetime | None: ...


class Prompts(Protocol):
    """The DMs to members after an event they were going to (`bot.event_prompts`): outbox
    rows claimed, sent and settled like nudges, through their own statements."""

    async def plan(self, prompts: Sequence[EventPrompt]) -> None:
        """Add these prompts; one a member, event and kind already planned is left as it is."""
        ...

    async def drop_pending(self, event_id: int, person_id: int | None = None) -> None:
        """Delete the event's prompts never tried yet (of one member, or of all)."""
        ...

    async def claim_due(self, claim: Claim) -> list[EventPrompt]:
        """Claim the due prompts `claim` asks for (pending, or sending with an expired lease),
        in due order: marked sending, one more attempt. One statement; replicas never claim
        the same."""
        ...

    async def contexts(self, claimed: Sequence[EventPrompt]) -> dict[int, PromptContext]:
        """What each claimed prompt is about, by its id; those whose rows are gone are left
        out."""
        ...

    async def settle(self, settled: Sequence[EventPrompt], owner: str) -> None:
        """Write the outcome of many prompts, of rows `owner` still holds."""
        ...

    async def next_due_at(self) -> datetime | None:
        """When the earliest pending prompt falls due (or the earliest lease runs out)."""
        ...

    async def logged_since(self, person_id: int, title: str, channel: str, since: datetime) -> bool:
        """Whether the member logged a conversation naming the event `title` (in any case),
        or logged one in the club's `channel` at or after `since`."""
        ...


@dataclass(frozen=True)
class DigestContext:
    """What a claimed digest is about: its club, and its event for an event's digest."""

    digest: ClubDigest
    club: Club
    event: ClubEvent | None


@dataclass(frozen=True, slots=True)
class Activity:
    """One follow-up (or a conversation with none: `status` None) a digest counts: whose, and
    how it stands. Names leave storage only for those who opted in to shout-outs."""

    person_id: int
    conversation_id: int
    status: str | None
    closed_at: datetime | None
    ideal_by: datetime | None
    kind: str
    shoutout_name: str | None


class Digests(Protocol):
    """A club's digests: outbox rows like the nudges, and what they count."""

    async def plan(self, digests: Sequence[ClubDigest]) -> None:
        """Add these digests; one whose club and key are planned already is left as it is."""
        ...

    async def drop_pending(self, club_id: int, kind: str, event_id: int | None = None) -> None:
        """Delete the club's digests of `kind` (of one event) never tried yet."""
        ...

    async def claim_due(self, claim: Claim) -> list[ClubDigest]:
        """Claim the due digests `claim` asks for, as `Prompts.claim_due` does."""
        ...

    async def contexts(self, claimed: Sequence[ClubDigest]) -> dict[int, DigestContext]:
        """What each claimed digest is about, by its id; those whose club is gone left out."""
        ...

    async def settle(self, settled: Sequence[ClubDigest], owner: str) -> None:
        """Write the outcome of many digests, of rows `owner` still holds."""
        ...

    async def next_due_at(self) -> datetime | None:
        """When the earliest pending digest falls due (or the earliest lease runs out)."""
        ...

    async def activity(
        self, club: Club, event: ClubEvent | None, start: datetime, end: datetime
    ) -> list[Activity]:
        """What a digest counts. For an event: the conversations naming it, or logged in the
        club's channel while it ran. Weekly: those logged from `start` to `end` in the
        channel or naming one of the club's events. With their follow-ups."""
        ...

    async def weekly_clubs(self) -> list[Club]:
        """The clubs that want a weekly digest."""
        ...


class BotState(Protocol):
    """Short values the bot keeps for itself across replicas: command-sync digests, requests
    already seen, shared rate windows."""

    async def get(self, key: str) -> str | None:
        """A value kept under `key`, or None."""
        ...

    async def set(self, key: str, value: str, now: datetime) -> None:
        """Keep `value` under `key`, replacing what was there."""
        ...

    async def hold(self, key: str, now: datetime) -> str | None:
        """The value under `key` (None if none), held until this unit of work ends: another
        holding it meanwhile waits, so a count read here and written back loses no update made
        by a replica at the same moment."""
        ...

    async def add(self, key: str, value: str, now: datetime) -> bool:
        """Keep `value` under `key` unless `key` is taken; True if it was kept. Of several
        replicas adding one key at once, exactly one gets True (a claim)."""
        ...

    async def forget_older(self, prefix: str, updated_before: datetime) -> int:
        """Forget the values whose key starts with `prefix` and that were last set before
        `updated_before` (short-lived adapter state); how many were forgotten."""
        ...

    async def take_turn(self, key: str, now: float, spacing: float) -> float:
        """Take the next turn on `key`'s schedule shared by replicas: the time (seconds since
        the epoch) it starts, at `now` or later; the one after it starts `spacing` later."""
        ...

    async def forget_keys_ending(self, suffix: str) -> int:
        """Forget the values and rate windows whose key ends with `suffix` (a person's own
        pace key, "...:{workspace}:{user}"); how many rows went."""
        ...


class UnitOfWork(Protocol):
    """One transaction's view of storage, a repository per noun."""

    people: People
    follow_ups: FollowUps
    outbox: Outbox
    workspaces: Workspaces
    state: BotState
    calendar_feeds: CalendarFeeds
    accounts: Accounts
    fairs: Fairs
    clubs: Clubs
    prompts: Prompts
    digests: Digests
    event_ends: ScheduledEventEnds


class Storage(Protocol):
    def session(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A unit of work: commits when the block ends normally, rolls back on an error."""
        ...

    async def ping(self) -> None:
        """Check the database answers (`SELECT 1`); raises what the storage raises while its
        database is away."""
        ...
