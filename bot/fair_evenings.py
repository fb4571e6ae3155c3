"""The evening DM after a career fair: claimed, sent and settled like a nudge.

Each fair list carries its evening DM as a row of its own (`FairList.evening_*`): a sweep claims
the due ones in one statement with a lease (replicas never claim the same; a crashed replica's
claim is taken again when its lease runs out), builds the checklist from what was recorded at
the fair, sends it outside the transaction, and settles it: sent, tried again later (a
platform's retry-after honoured), or failed for good. The Dispatcher runs this sweep before its
nudges' and claims, with an evening DM, the student's nudges due at the same moment: one DM
holds both (`Dispatcher.dispatch_due`), so the scheduler and the console deliver both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain import FairList, NudgeStatus, Person, clip_reason
from bot.fairs import fair_report
from bot.messages.fairs import evening_message
from bot.ports import (
    Delivered,
    Delivery,
    PermanentFailure,
    RetryAfter,
    Storage,
    UnitOfWork,
)
from bot.replies import Reply
from rules.engine import Rulebook

__all__ = ["BATCH", "FairEvenings"]

# Evening DMs are a few a student a term: a small batch per sweep is plenty.
BATCH = 50


@dataclass
class FairEvenings:
    """Prepares and settles the evening DMs the Dispatcher claims and sends; `owner` names this
    replica in leases. The Dispatcher makes it with its own lateness and giving up, so that an
    evening DM is delivered by the same rules as a nudge."""

    storage: Storage
    clock: Clock
    rulebook: Rulebook
    default_zone: ZoneInfo
    owner: str
    # A DM sent this long after it fell due says it is late.
    late_after: timedelta
    # Transient failures give up after `max_attempts`.
    max_attempts: int

    async def prepare(self, fair: FairList) -> tuple[Person | None, Reply | None, str | None]:
        """A claimed evening DM's student and checklist, or why it is cancelled rather than
        sent (the checklist then None)."""
        async with self.storage.session() as uow:
            person = await uow.accounts.by_id(fair.person_id)
            reason = await self._why_not_sent(uow, person)
            if person is None or reason is not None:
                return person, None, reason
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
        return person, message, None

    async def cancel(self, fair: FairList, reason: str | None) -> None:
        """Settle a claimed evening DM as cancelled: `prepare` found why not to send it."""
        self._finish(fair, NudgeStatus.CANCELLED, reason)
        async with self.storage.session() as uow:
            await uow.fairs.settle_evening(fair, self.owner)

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

    def record(self, fair: FairList, delivery: Delivery) -> None:
        """Its outcome by what the delivery said, for `settle` to write."""
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

    async def settle(
        self, uow: UnitOfWork, fair: FairList, person: Person, delivery: Delivery
    ) -> None:
        """Write what `record` made of it, in `uow` (with the nudges the DM held)."""
        await uow.fairs.settle_evening(fair, self.owner)
        if isinstance(delivery, PermanentFailure) and delivery.concerns_person:
            await uow.people.mark_undeliverable([person.id or 0], delivery.reason)

    @staticmethod
    def _finish(fair: FairList, status: NudgeStatus, reason: str | None) -> None:
        """Its outcome, lease released (settling matches the lease still stored)."""
        fair.evening_status = status
        fair.last_error = clip_reason(reason)
        fair.lease_owner = fair.lease_expires_at = None

    async def next_due_at(self) -> datetime | None:
        async with self.storage.session() as uow:
            return await uow.fairs.next_evening_at()
