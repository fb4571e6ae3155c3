"""The core's ports: what it needs from the outside world, as Protocols.

`bot/bootstrap.py` picks the concrete classes; `bot/testing.py` ships the fakes.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain import Address, Conversation, FollowUp, Nudge, Person
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
]


# -- Messenger -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivered:
    """The platform accepted the message."""


@dataclass(frozen=True)
class RetryAfter:
    """Rate-limited or briefly unavailable: try again after `seconds`."""

    seconds: float
    reason: str = "rate limited"


@dataclass(frozen=True)
class PermanentFailure:
    """It will never work as things stand (DMs closed, user gone, app uninstalled).

    `concerns_person` marks the recipient undeliverable so the bot stops trying and can tell
    them the next time they use a command.
    """

    reason: str
    concerns_person: bool = True


Delivery = Delivered | RetryAfter | PermanentFailure


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
    async def person_by_id(self, person_id: int) -> Person | None: ...
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

    async def add_follow_up(self, follow_up: FollowUp) -> FollowUp: ...
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

    async def pending_nudges(self, follow_up_id: int) -> list[Nudge]:
        """Nudges not yet claimed for sending, in due order."""
        ...

    async def replace_pending_nudges(self, follow_up_id: int, nudges: Sequence[Nudge]) -> None:
        """Drop the follow-up's pending nudges and add `nudges` (a re-plan)."""
        ...

    async def cancel_pending_nudges(self, follow_up_id: int, reason: str) -> int: ...

    async def claim_due_nudges(
        self, now: datetime, owner: str, lease_until: datetime, limit: int
    ) -> list[Nudge]:
        """Claim up to `limit` due nudges (pending, or sending with an expired lease), in due
        order, for `owner` until `lease_until`. One statement; replicas never claim the same."""
        ...

    async def nudge_context(self, nudge_id: int) -> NudgeContext | None: ...
    async def update_nudge(self, nudge: Nudge) -> None: ...
    async def next_due_at(self) -> datetime | None:
        """When the earliest pending nudge falls due."""
        ...

    async def get_value(self, key: str) -> str | None:
        """A value the bot keeps for itself (see `set_value`), or None."""
        ...

    async def set_value(self, key: str, value: str, now: datetime) -> None:
        """Keep `value` under `key`, replacing what was there."""
        ...


class Storage(Protocol):
    def session(self) -> AbstractAsyncContextManager[Store]:
        """A unit of work: commits when the block ends normally, rolls back on an error."""
        ...
