"""The core's ports: what it needs from the outside world, as Protocols.

`bot/bootstrap.py` picks the concrete classes; `bot/testing/` ships the fakes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

from bot.domain import (
    Address,
    Conversation,
    FollowUp,
    FollowUpStatus,
    Nudge,
    NudgeKind,
    Person,
    Workspace,
)
from bot.replies import Reply

__all__ = [
    "Accounts",
    "BotState",
    "CalendarFeeds",
    "Claim",
    "Delivered",
    "Delivery",
    "FollowUps",
    "Messenger",
    "NudgeContext",
    "Outbox",
    "OutboxDepth",
    "People",
    "PermanentFailure",
    "RetryAfter",
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


@runtime_checkable
class CountsRequests(Protocol):
    """A messenger whose DM may take more than one request against the platform's limit
    (Discord: opening a DM channel with someone new is a request of its own)."""

    def requests_for(self, to: Person) -> int:
        """How many requests a DM to `to` would make now."""
        ...


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


class BotState(Protocol):
    """Short values the bot keeps for itself across replicas: command-sync digests, requests
    already seen, shared rate windows."""

    async def get(self, key: str) -> str | None:
        """A value kept under `key`, or None."""
        ...

    async def set(self, key: str, value: str, now: datetime) -> None:
        """Keep `value` under `key`, replacing what was there."""
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


class Storage(Protocol):
    def session(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A unit of work: commits when the block ends normally, rolls back on an error."""
        ...

    async def ping(self) -> None:
        """Check the database answers (`SELECT 1`); raises what the storage raises while its
        database is away."""
        ...
