"""Deliver due nudges from the outbox: claim, re-check, send, settle.

Delivery is at least once. A sweep claims due rows in one statement (marking them `sending` with
a lease), sends outside any transaction, then settles each row: sent, rescheduled with backoff
(a platform's retry-after honoured exactly), or failed for good. A crash between a send and its
settling repeats that one nudge once the lease expires; nothing is ever lost. Before sending, a
claimed nudge is re-checked, and one whose follow-up is no longer pending (or whose person turned
nudges off, or can't receive DMs) is cancelled, not sent. Several nudges of one follow-up due at
once (after downtime) collapse into the latest, which says it is late.
"""

from __future__ import annotations

import logging
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain import FollowUpStatus, JobStatus, Nudge, NudgeKind, NudgeStatus
from bot.messages import nudge_message
from bot.ports import (
    Delivered,
    Messenger,
    NudgeContext,
    PermanentFailure,
    RetryAfter,
    Storage,
    Store,
)
from rules.engine import Rulebook, should_nudge

__all__ = ["DispatchReport", "Dispatcher"]

log = logging.getLogger(__name__)

# Long enough for a slow platform call to finish; short enough that a crashed replica's claims
# are picked up by another within minutes.
LEASE = timedelta(minutes=2)
# A nudge sent this long after it fell due says it is late (the bot was down or backed up).
LATE_AFTER = timedelta(minutes=15)
# Transient failures back off exponentially from BACKOFF_BASE up to BACKOFF_CAP, then give up
# after MAX_ATTEMPTS: about a day of trying, by which time the nudge has lost its point.
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
MAX_ATTEMPTS = 30


@dataclass
class DispatchReport:
    claimed: int = 0
    sent: int = 0
    cancelled: int = 0
    retried: int = 0
    failed: int = 0


class Dispatcher:
    """Sends due nudges through a `Messenger`. One instance per process; `owner` names it in
    leases so that a replica's claims can be told apart."""

    def __init__(
        self,
        storage: Storage,
        messenger: Messenger,
        clock: Clock,
        rulebook: Rulebook,
        *,
        default_zone: ZoneInfo,
        owner: str = "local",
        batch_size: int = 100,
    ) -> None:
        self.storage = storage
        self.messenger = messenger
        self.clock = clock
        self.rulebook = rulebook
        self.default_zone = default_zone
        self.owner = owner
        self.batch_size = batch_size

    async def dispatch_due(self) -> DispatchReport:
        """Deliver every nudge due now, one batch at a time, until none is left.

        The report counts nudge rows; a conversation's follow-ups nudged together (a fair's
        email and LinkedIn request) share one DM.
        """
        report = DispatchReport()
        while True:
            now = self.clock.now()
            async with self.storage.session() as store:
                claimed = await store.claim_due_nudges(
                    now, self.owner, now + LEASE, self.batch_size
                )
            if not claimed:
                return report
            report.claimed += len(claimed)
            sendable = await self._sendable(claimed, report)
            together: dict[tuple[int, NudgeKind], list[_Due]] = defaultdict(list)
            for due in sendable:
                together[(due.context.conversation.id or 0, due.nudge.kind)].append(due)
            for group in together.values():
                await self._send(sorted(group, key=lambda d: d.context.follow_up.number), report)
            if len(claimed) < self.batch_size:
                return report

    async def next_due_at(self) -> datetime | None:
        async with self.storage.session() as store:
            return await store.next_due_at()

    async def _sendable(self, claimed: list[Nudge], report: DispatchReport) -> list[_Due]:
        """Each follow-up's latest due nudge, re-checked; the rest are cancelled."""
        by_follow_up: dict[int, list[Nudge]] = defaultdict(list)
        for nudge in claimed:
            by_follow_up[nudge.follow_up_id].append(nudge)
        sendable = []
        async with self.storage.session() as store:
            for group in by_follow_up.values():
                # The latest of a follow-up's due nudges speaks for all of them: one message.
                group.sort(key=lambda n: (n.due_at, n.kind is NudgeKind.WINDOW_CLOSED))
                nudge, superseded = group[-1], group[:-1]
                for old in superseded:
                    _settle(old, NudgeStatus.CANCELLED, "superseded by a later nudge")
                    await store.update_nudge(old)
                    report.cancelled += 1
                context = await store.nudge_context(nudge.id or 0)
                reason = self._reason_not_to_send(context)
                if reason is not None:
                    _settle(nudge, NudgeStatus.CANCELLED, reason)
                    await store.update_nudge(nudge)
                    report.cancelled += 1
                    continue
                assert context is not None
                sendable.append(_Due(nudge, context, group[0].due_at))
        return sendable

    async def _send(self, group: list[_Due], report: DispatchReport) -> None:
        now = self.clock.now()
        first_due = min(d.first_due for d in group)
        person = group[0].context.person
        message = nudge_message(
            kind=group[0].nudge.kind,
            follow_ups=[d.context.follow_up for d in group],
            conversation=group[0].context.conversation,
            rule=self.rulebook.kinds.get(group[0].context.conversation.kind),
            rulebook=self.rulebook,
            now=now,
            zone=person.zone(self.default_zone),
            late_since=first_due if now - first_due > LATE_AFTER else None,
        )
        # The same rows give the same key on a retry, so a platform can drop a repeat.
        key = f"nudge-{min(d.nudge.id or 0 for d in group)}"
        try:
            delivery = await self.messenger.send_dm(person, message, key=key)
        except Exception as err:  # any platform error is transient until proven otherwise
            # The exception's text may quote the message (contact data): log its type only.
            log.warning("%s: send failed with %s; will retry", key, type(err).__name__)
            attempts = max(d.nudge.attempts for d in group)
            delivery = RetryAfter(_backoff(attempts).total_seconds(), type(err).__name__)
        async with self.storage.session() as store:
            for due in group:
                await self._settle_delivery(store, due, delivery, report)

    def _reason_not_to_send(self, context: NudgeContext | None) -> str | None:
        if context is None:
            return "follow-up deleted"
        if context.follow_up.status is not FollowUpStatus.PENDING:
            return f"follow-up {context.follow_up.status}"
        person = context.person
        if person.undeliverable is not None:
            return "person can't receive DMs"
        kind = self.rulebook.kinds.get(context.conversation.kind)
        if kind is None:
            return "kind no longer in the rulebook"
        if not should_nudge(
            kind,
            priority=context.conversation.priority,
            nudges_on=person.nudges_on,
            job_accepted=person.job_status is JobStatus.ACCEPTED,
        ):
            return "nudges off for this follow-up"
        return None

    async def _settle_delivery(
        self,
        store: Store,
        due: _Due,
        delivery: Delivered | RetryAfter | PermanentFailure,
        report: DispatchReport,
    ) -> None:
        now = self.clock.now()
        nudge, context = due.nudge, due.context
        match delivery:
            case Delivered():
                _settle(nudge, NudgeStatus.SENT, None)
                nudge.sent_at = now
                report.sent += 1
            case RetryAfter(seconds=seconds, reason=reason) if nudge.attempts < MAX_ATTEMPTS:
                nudge.status = NudgeStatus.PENDING
                nudge.next_attempt_at = now + timedelta(seconds=max(seconds, 0))
                nudge.lease_owner = nudge.lease_expires_at = None
                nudge.last_error = reason
                report.retried += 1
            case RetryAfter(reason=reason):
                _settle(
                    nudge, NudgeStatus.FAILED, f"gave up after {nudge.attempts} attempts: {reason}"
                )
                report.failed += 1
            case PermanentFailure(reason=reason, concerns_person=concerns_person):
                _settle(nudge, NudgeStatus.FAILED, reason)
                report.failed += 1
                if concerns_person:
                    person = await store.person_by_id(context.person.id or 0)
                    if person is not None and person.undeliverable != reason:
                        person.undeliverable = reason
                        await store.update_person(person)
        await store.update_nudge(nudge)
        settled = nudge.status in (NudgeStatus.SENT, NudgeStatus.FAILED)
        if nudge.kind is NudgeKind.WINDOW_CLOSED and settled:
            follow_up = context.follow_up
            found = await store.follow_up_by_id(follow_up.person_id, follow_up.id or 0)
            if found is not None and found[0].status is FollowUpStatus.PENDING:
                found[0].status = FollowUpStatus.MISSED
                found[0].closed_at = now
                await store.update_follow_up(found[0])


@dataclass(frozen=True)
class _Due:
    """A claimed nudge that will be sent, with what it is about and when it first fell due."""

    nudge: Nudge
    context: NudgeContext
    first_due: datetime


def _settle(nudge: Nudge, status: NudgeStatus, reason: str | None) -> None:
    nudge.status = status
    nudge.lease_owner = None
    nudge.lease_expires_at = None
    nudge.last_error = reason


def _backoff(attempts: int) -> timedelta:
    """Exponential backoff with full jitter, so that failed sends don't retry in lockstep."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** min(max(attempts - 1, 0), 16))
    low = BACKOFF_BASE.total_seconds() / 2
    return timedelta(seconds=random.uniform(low, ceiling.total_seconds()))
