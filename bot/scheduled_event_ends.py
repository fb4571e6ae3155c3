"""A followed Scheduled Event is over at its scheduled end, whatever Discord says.

A club following its Discord server's Scheduled Events (`/club setup follow:on`) takes each one
that ends as its own event: its interested members get the prompts after it. Discord says an
event completed only when someone ends it or it ends itself: voice and stage events often stay
active or scheduled past their end, and a bot that was offline misses the update. So each
followed event's scheduled end is an outbox row (`ScheduledEventEnds`), planned when the event
is created or changed and moved with it; at that moment a sweep beside the prompts claims it
(one replica), reads the event as it stands (`ReadsScheduledEvents`: who is interested, whether
it was cancelled or moved) and hands it to the club as `ScheduledEventEnded`, which takes each
event once, so a completed update arriving too prompts nobody twice. A cancelled or deleted
event is dropped, and nobody is prompted.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.club_commands import ScheduledEventEnded
from bot.domain import Address, Club, NudgeStatus, ScheduledEventEnd
from bot.event_prompts import MAX_ATTEMPTS, RETRY_STEP, SendReport, settled
from bot.ports import Claim, Delivered, ReadsScheduledEvents, RetryAfter, Storage
from bot.replies import Reply

__all__ = [
    "DEFAULT_LENGTH",
    "TAKEN_WITHIN",
    "ScheduledEventSweep",
    "TakeEvent",
    "scheduled_event_end",
]

log = logging.getLogger(__name__)

# A Scheduled Event with no end (Discord requires one only of events held somewhere else than
# a voice or stage channel) is taken as over this long after its start: a club's evening talk
# or networking night runs about two hours, and the prompt an hour after that still finds the
# names fresh. One that runs longer and then completes is not prompted again.
DEFAULT_LENGTH = timedelta(hours=2)

# An event told only after its end (the bot was down, or its club began following the server's
# events since) is taken if it ended within this: later, its prompt would come too late to help.
TAKEN_WITHIN = timedelta(days=1)

# Hands an ended event to its server's following club: the service, as the server.
TakeEvent = Callable[[Address, ScheduledEventEnded], Awaitable[Reply]]


def scheduled_event_end(starts_at: datetime, ends_at: datetime | None) -> datetime:
    """When a Scheduled Event is over by its schedule: its end, else `DEFAULT_LENGTH` after
    its start."""
    return ends_at if ends_at is not None else starts_at + DEFAULT_LENGTH


@dataclass(eq=False)
class ScheduledEventSweep:
    """Takes the followed Scheduled Events whose scheduled end has come (`dispatch_due`)."""

    storage: Storage
    reader: ReadsScheduledEvents
    take: TakeEvent
    clock: Clock
    owner: str
    lease: timedelta
    platforms: tuple[str, ...] | None = None
    batch_size: int = 50

    async def dispatch_due(self) -> SendReport:
        report = SendReport()
        now = self.clock.now()
        claim = Claim(now, self.owner, now + self.lease, self.batch_size, self.platforms)
        async with self.storage.session() as uow:
            claimed = await uow.event_ends.claim_due(claim)
            clubs = {end.club_id: await uow.clubs.by_id(end.club_id) for end in claimed}
        report.claimed = len(claimed)
        done = [await self._take(end, clubs.get(end.club_id), report) for end in claimed]
        if done:
            async with self.storage.session() as uow:
                await uow.event_ends.settle(done, self.owner)
        return report

    async def next_due_at(self) -> datetime | None:
        async with self.storage.session() as uow:
            return await uow.event_ends.next_due_at()

    async def _take(
        self, end: ScheduledEventEnd, club: Club | None, report: SendReport
    ) -> ScheduledEventEnd:
        if club is None:
            return _cancelled(end, "club deleted", report)
        try:
            state = await self.reader.read_scheduled_event(club.workspace, end.ref)
        except Exception as err:  # transient until proven otherwise
            log.warning("event-end-%s: read failed with %s; will retry", end.id, type(err).__name__)
            state = RetryAfter(RETRY_STEP.total_seconds() * end.attempts, type(err).__name__)
        now = self.clock.now()
        if isinstance(state, RetryAfter):
            return _retried(end, state, now, report)
        if state is None or state.status == "cancelled":
            return _cancelled(end, "event cancelled or deleted", report)
        due = scheduled_event_end(state.starts_at, state.ends_at)
        if due < now - TAKEN_WITHIN:
            # The sweep ran this late (the bot was down): a prompt days after the event would
            # ask about something members have moved on from.
            return _cancelled(end, "read too long after its end", report)
        if state.status == "scheduled" and due <= now:
            # Its end passed and it never started: a voice or stage event nobody opened.
            return _cancelled(end, "never started", report)
        if state.status != "completed" and due > now:
            # Moved later without the bot hearing of it (it was down): wait for the new end.
            end.status = NudgeStatus.PENDING
            end.due_at = end.next_attempt_at = due
            end.attempts = 0
            end.lease_owner = end.lease_expires_at = None
            report.retried += 1
            return end
        command = ScheduledEventEnded(
            ref=end.ref,
            name=state.name,
            starts_at=state.starts_at,
            ends_at=min(due, now),
            interested=state.interested,
            created_by=state.created_by,
        )
        server = Address(club.platform, club.workspace, state.created_by or "0")
        try:
            reply = await self.take(server, command)
        except Exception as err:
            log.warning("event-end-%s: not taken (%s); will retry", end.id, type(err).__name__)
            retry = RetryAfter(RETRY_STEP.total_seconds() * end.attempts, type(err).__name__)
            return _retried(end, retry, now, report)
        if reply.is_error:
            log.warning("event-end-%s: not taken: %s", end.id, reply.plain_text())
        report.sent += 1
        return settled(end, Delivered(), now)


def _retried(
    end: ScheduledEventEnd, retry: RetryAfter, now: datetime, report: SendReport
) -> ScheduledEventEnd:
    if end.attempts < MAX_ATTEMPTS:
        report.retried += 1
    else:
        report.failed += 1
    return settled(end, retry, now)


def _cancelled(end: ScheduledEventEnd, reason: str, report: SendReport) -> ScheduledEventEnd:
    report.cancelled += 1
    end.status = NudgeStatus.CANCELLED
    end.lease_owner = end.lease_expires_at = None
    end.last_error = reason
    return end
