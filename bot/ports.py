"""The core's ports: what it needs from the outside world, as Protocols.

`bot/bootstrap.py` picks the concrete classes; `bot/testing.py` ships the fakes.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from bot.domain import Address, Conversation, FollowUp, Nudge, NudgeKind, Person
from bot.replies import Reply

__all__ = [
    "Delivered",
    "Delivery",
    "Messenger",
    "NudgeContext",
    "PermanentFailure",
    "RetryAfter",
    "Storage",
    "Store",
    "undeliverable_workspace_key",
]


# -- Messenger -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivered:
    """The platform accepted the message."""


@dataclass(frozen=True)
class RetryAfter:
    """Rate-limited or briefly unavailable: try again after `seconds`.

    `scope` is what the platform asked to slow down: the whole "platform" (a bot-wide limit),
    one "workspace", or just this "message". `tried` is False when nothing reached the platform
    (the nudge waited its turn), so the attempt doesn't count towards giving up.
    """

    seconds: float
    reason: str = "rate limited"
    scope: Literal["platform", "workspace", "message"] = "platform"
    tried: bool = True


@dataclass(frozen=True)
class PermanentFailure:
    """It will never work as things stand (DMs closed, user gone, app uninstalled).

    `concerns_person` marks the recipient undeliverable so the bot stops trying and can tell
    them the next time they use a command; `concerns_workspace` stops sends to everyone in
    their workspace until the adapter clears the mark (see `undeliverable_workspace_key`).
    """

    reason: str
    concerns_person: bool = True
    # The whole workspace or server is gone for the bot (app uninstalled, tokens revoked).
    concerns_workspace: bool = False


Delivery = Delivered | RetryAfter | PermanentFailure


def undeliverable_workspace_key(platform: str, workspace: str) -> str:
    """The `bot_state` key that marks a workspace undeliverable; its value is the reason.
    An adapter deletes it (sets it to "") when the app is installed there again."""
    return f"undeliverable-workspace:{platform}:{workspace}"


class Messenger(Protocol):
    async def send_dm(self, to: Person, message: Reply, *, key: str) -> Delivery:
        """DM `to`. `key` is unique per nudge, so a platform that supports it can drop a
        repeated send (Discord's nonce). Raising means a transient failure, retried later."""
        ...


# -- Storage ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NudgeContext:
    nudge: Nudge
    follow_up: FollowUp
    conversation: Conversation
    person: Person


class Store(Protocol):
    """One unit of work's view of storage. Every read about a student's follow-ups is scoped
    by the person who asks."""

    async def person(self, address: Address) -> Person | None: ...
    async def add_person(self, person: Person) -> Person: ...
    async def update_person(self, person: Person) -> None: ...

    async def add_conversation(self, conversation: Conversation) -> Conversation: ...
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

    async def add_follow_ups(self, follow_ups: Sequence[FollowUp]) -> list[FollowUp]:
        """Add several follow-ups in one go; they get their ids."""
        ...

    async def update_follow_up(self, follow_up: FollowUp) -> None: ...
    async def follow_up(self, person_id: int, number: int) -> tuple[FollowUp, Conversation] | None:
        """The person's follow-up #number, or None when it doesn't exist or isn't theirs."""
        ...

    async def follow_up_by_id(
        self, person_id: int, follow_up_id: int
    ) -> tuple[FollowUp, Conversation] | None:
        """Like `follow_up`, by internal id (buttons carry ids); None when not theirs."""
        ...

    async def follow_ups_of(self, conversation_id: int) -> list[FollowUp]: ...
    async def open_follow_ups(self, person_id: int) -> list[tuple[FollowUp, Conversation]]:
        """The person's pending follow-ups, in no particular order."""
        ...

    async def missed_follow_ups(
        self, person_id: int, since: datetime
    ) -> list[tuple[FollowUp, Conversation]]:
        """The person's follow-ups marked missed at or after `since`."""
        ...

    async def pending_nudges(self, follow_up_id: int) -> list[Nudge]:
        """Nudges not yet claimed for sending, in due order."""
        ...

    async def add_nudges(self, nudges: Sequence[Nudge]) -> None:
        """Add nudges to the outbox (their ids are not needed back)."""
        ...

    async def replace_pending_nudges(
        self, follow_up_id: int, nudges: Sequence[Nudge], now: datetime
    ) -> None:
        """A re-plan: drop the follow-up's planned nudges still ahead (pending, never tried,
        due after `now`) and add `nudges`. Rows already due or waiting for a retry stay."""
        ...

    async def nudges_sent(self, follow_up_id: int) -> dict[NudgeKind, int]:
        """How many nudges of each kind went out (or are going out) for a follow-up."""
        ...

    async def cancel_pending_nudges(self, follow_up_id: int, reason: str) -> int: ...

    async def claim_due_nudges(
        self,
        now: datetime,
        owner: str,
        lease_until: datetime,
        limit: int,
        platforms: Sequence[str] | None = None,
    ) -> list[Nudge]:
        """Claim up to `limit` due nudges (pending, or sending with an expired lease), in due
        order, for `owner` until `lease_until`; only for people on `platforms` when given (a
        process claims only what it can send). One statement; replicas never claim the same."""
        ...

    async def nudge_contexts(self, claimed: Sequence[Nudge]) -> dict[int, NudgeContext]:
        """What each claimed nudge is about (its follow-up, conversation and person), in one
        read, by nudge id; nudges whose rows are gone are left out."""
        ...

    async def mark_sent(self, nudge_ids: Sequence[int], sent_at: datetime, owner: str) -> None:
        """Settle delivered nudges in one write: sent at `sent_at`, lease and error cleared.
        Only rows `owner` still holds change (as with `settle_nudges`)."""
        ...

    async def settle_nudges(self, settled: Sequence[Nudge], owner: str | None = None) -> None:
        """Write the outcome (status, attempts, next attempt, lease, error) of many nudges;
        with `owner`, only of rows that replica still holds (a lease that ran out and was
        claimed by another replica is theirs now)."""
        ...

    async def mark_undeliverable(self, person_ids: Sequence[int], reason: str) -> None: ...
    async def close_missed(self, follow_up_ids: Sequence[int], now: datetime) -> None:
        """Mark these follow-ups missed, those still pending."""
        ...

    async def delete_person(self, person_id: int) -> None:
        """Forget a person and everything about their conversations."""
        ...

    async def next_due_at(self) -> datetime | None:
        """When the earliest pending nudge falls due."""
        ...

    async def get_value(self, key: str) -> str | None:
        """A value the bot keeps for itself (see `set_value`), or None."""
        ...

    async def get_values(self, keys: Sequence[str]) -> dict[str, str]: ...

    async def take_rate_slot(self, key: str, window: int, limit: int) -> bool:
        """Count one send against `key` in `window` if fewer than `limit` were; True if so."""
        ...

    async def set_value(self, key: str, value: str, now: datetime) -> None:
        """Keep `value` under `key`, replacing what was there."""
        ...

    async def add_value(self, key: str, value: str, now: datetime) -> bool:
        """Keep `value` under `key` unless `key` is taken; True if it was kept. Of several
        replicas adding one key at once, exactly one gets True (a claim)."""
        ...

    async def delete_values(self, prefix: str, updated_before: datetime) -> int:
        """Forget the values whose key starts with `prefix` and that were last set before
        `updated_before` (short-lived adapter state); how many were forgotten."""
        ...


class Storage(Protocol):
    def session(self) -> AbstractAsyncContextManager[Store]:
        """A unit of work: commits when the block ends normally, rolls back on an error."""
        ...
