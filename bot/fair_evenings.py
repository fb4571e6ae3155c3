"""The evening DM after a career fair: claimed, sent and settled like a nudge.

Each fair list carries its evening DM as a row of its own (`FairList.evening_*`): a sweep claims
the due ones in one statement with a lease (replicas never claim the same; a crashed replica's
claim is taken again when its lease runs out), builds the checklist from what was recorded at
the fair, sends it outside the transaction, and settles it: sent, tried again later (a
platform's retry-after honoured), or failed for good. The Dispatcher runs this sweep with its
nudges, so the scheduler and the console deliver both.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain import FairList, NudgeStatus, Person, clip_reason
from bot.fairs import fair_report
from bot.messages.fairs import evening_message
from bot.pacing import NoPacing, Pacer
from bot.ports import (
    Claim,
    Delivered,
    Delivery,
    Messenger,
    PermanentFailure,
    RetryAfter,
    Storage,
    UnitOfWork,
)
from bot.replies import Reply
from rules.engine import Rulebook

__all__ = ["FairEvenings"]

log = logging.getLogger(__name__)

# Evening DMs are a few a student a term: a small batch per sweep is plenty.
BATCH = 50


@dataclass
class FairEvenings:
    """Sends the due evening DMs through `messenger`; `owner` names this replica in leases.
    The Dispatcher makes it with its own lease, lateness, backoff and giving up, so that an
    evening DM is delivered by the same rules as a nudge."""

    storage: Storage
    messenger: Messenger
    clock: Clock
    rulebook: Rulebook
    default_zone: ZoneInfo
    owner: str
    lease: timedelta
    # A DM sent this long after it fell due says it is late.
    late_after: timedelta
    # Transient failures wait `backoff(attempts)`, and give up after `max_attempts`.
    backoff: Callable[[int], timedelta]
    max_attempts: int
    platforms: Sequence[str] | None = None
    pacer: Pacer | None = None

    async def send_due(self) -> tuple[int, int]:
        """Claim, send and settle every due evening DM: how many were claimed, and sent."""
        claimed = sent = 0
        while True:
            now = self.clock.now()
            platforms = tuple(self.platforms) if self.platforms is not None else None
            claim = Claim(now, self.owner, now + self.lease, BATCH, platforms)
            async with self.storage.session() as uow:
                batch = await uow.fairs.claim_evenings(claim)
            claimed += len(batch)
            for fair in batch:
                sent += await self._deliver(fair)
            if len(batch) < BATCH:
                return claimed, sent

    async def _deliver(self, fair: FairList) -> int:
        """Send one claimed evening DM and settle it; 1 if it was sent."""
        async with self.storage.session() as uow:
            person = await uow.accounts.by_id(fair.person_id)
            reason = await self._why_not_sent(uow, person)
            message: Reply | None = None
            if person is not None and reason is None:
                report = await fair_report(uow, fair)
                now = self.clock.now()
                due = fair.evening_due_at or now
                message = evening_message(
                    report,
                    rulebook=self.rulebook,
                    zone=person.zone(self.default_zone),
                    now=now,
                    late=fair.evening_attempts == 1 and now - due > self.late_after,
                )
        if person is None or message is None:
            self._finish(fair, NudgeStatus.CANCELLED, reason)
            await self._settle(fair)
            return 0
        await (self.pacer or NoPacing()).wait_turn(person, 1)
        try:
            delivery: Delivery = await self.messenger.send_dm(
                person, message, key=f"fair-evening-{fair.id}", maybe_sent=fair.evening_attempts > 1
            )
        except Exception as err:  # any platform error is transient until proven otherwise
            # The exception's text may quote the message (contacts): its type only.
            log.warning(
                "fair evening %s: send failed with %s; will retry", fair.id, type(err).__name__
            )
            delivery = RetryAfter(
                self.backoff(fair.evening_attempts).total_seconds(), type(err).__name__
            )
        await self._record(fair, person, delivery)
        return 1 if isinstance(delivery, Delivered) else 0

    @staticmethod
    async def _why_not_sent(uow: UnitOfWork, person: Person | None) -> str | None:
        """Why a claimed evening DM is cancelled rather than sent, or None to send it."""
        if person is None:
            return "person deleted"
        if person.undeliverable is not None:
            return "person can't receive DMs"
        if not person.nudges_on:
            return "nudges off"
        where = (person.address.platform, person.address.workspace)
        if await uow.workspaces.undeliverable([where]):
            return "workspace can't receive DMs"
        return None

    async def _record(self, fair: FairList, person: Person, delivery: Delivery) -> None:
        now = self.clock.now()
        match delivery:
            case Delivered():
                self._finish(fair, NudgeStatus.SENT, None)
                fair.evening_sent_at = now
            case RetryAfter() if fair.evening_attempts < self.max_attempts or not delivery.tried:
                if not delivery.tried:
                    fair.evening_attempts -= 1
                self._finish(fair, NudgeStatus.PENDING, delivery.reason)
                fair.evening_due_at = now + timedelta(seconds=delivery.seconds)
            case RetryAfter():
                self._finish(fair, NudgeStatus.FAILED, f"gave up: {delivery.reason}")
            case PermanentFailure():
                self._finish(fair, NudgeStatus.FAILED, delivery.reason)
        async with self.storage.session() as uow:
            await uow.fairs.settle_evening(fair, self.owner)
            if isinstance(delivery, PermanentFailure) and delivery.concerns_person:
                await uow.people.mark_undeliverable([person.id or 0], delivery.reason)

    async def _settle(self, fair: FairList) -> None:
        async with self.storage.session() as uow:
            await uow.fairs.settle_evening(fair, self.owner)

    @staticmethod
    def _finish(fair: FairList, status: NudgeStatus, reason: str | None) -> None:
        """Its outcome, lease released (settling matches the lease still stored)."""
        fair.evening_status = status
        fair.last_error = clip_reason(reason)
        fair.lease_owner = fair.lease_expires_at = None

    async def next_due_at(self) -> datetime | None:
        async with self.storage.session() as uow:
            return await uow.fairs.next_evening_at()
