"""The DMs to members after an event they said they were going to.

When the event ends, each one gets one DM at a sensible moment of their own day (an hour after
the end, or when their quiet hours end): "How was Deloitte Night? Log who you met", with the
button. The next day, one reminder, only if they logged nothing about it (a /met naming the
event, or one logged in the club's channel since it began); then silence.

They are outbox rows (`Prompts`), planned when a member clicks Going (and again when the event
moves), dropped when they take it back or the event is cancelled, and sent by `PromptSender`,
which the dispatcher runs beside the nudges: claimed by one replica, paced like every DM,
settled; a crash loses none (a claim whose lease runs out is claimed again, and the messenger's
key keeps it from arriving twice).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain import (
    ClubEvent,
    DeliveryRow,
    EventPrompt,
    NudgeStatus,
    Person,
    PromptKind,
    clip_reason,
)
from bot.messages import clubs as say
from bot.pacing import NoPacing, Pacer
from bot.ports import (
    Claim,
    Delivered,
    Delivery,
    Messenger,
    PermanentFailure,
    PromptContext,
    RetryAfter,
    Storage,
    UnitOfWork,
    requests_for,
)
from rules.engine import QuietHours

__all__ = [
    "PROMPT_AFTER",
    "REMINDER_AFTER",
    "PromptSender",
    "SendReport",
    "plan_prompts",
    "prompt_times",
    "settled",
]

log = logging.getLogger(__name__)

# After the event: long enough to be on the way home, soon enough that names are fresh.
PROMPT_AFTER = timedelta(hours=1)
# The reminder comes the next day, at the same moment of it.
REMINDER_AFTER = timedelta(days=1)
# A failed prompt is retried with this much more wait each time, this often at most: by then
# the reminder has said it.
RETRY_STEP = timedelta(minutes=5)
MAX_ATTEMPTS = 12


def prompt_times(
    ends_at: datetime, quiet: QuietHours | None, zone: ZoneInfo
) -> tuple[datetime, datetime]:
    """When the prompt and the reminder go: an hour after the event ends and a day later,
    each moved to the end of the member's quiet hours when it falls in them."""

    def outside_quiet(moment: datetime) -> datetime:
        if quiet is not None and quiet.contains(moment, zone):
            return quiet.span_around(moment, zone)[1]
        return moment

    prompt = outside_quiet(ends_at + PROMPT_AFTER)
    return prompt, outside_quiet(prompt + REMINDER_AFTER)


async def plan_prompts(
    uow: UnitOfWork, event: ClubEvent, people: Sequence[Person], default_zone: ZoneInfo
) -> list[datetime]:
    """(Re)plan the prompts of `people` for `event`, those never tried replaced; when they
    fall due."""
    assert event.id is not None
    planned: list[EventPrompt] = []
    for person in people:
        assert person.id is not None
        await uow.prompts.drop_pending(event.id, person.id)
        prompt, reminder = prompt_times(
            event.ends_at, person.quiet_hours, person.zone(default_zone)
        )
        planned += [
            EventPrompt(event.id, person.id, PromptKind.PROMPT, prompt),
            EventPrompt(event.id, person.id, PromptKind.REMINDER, reminder),
        ]
    await uow.prompts.plan(planned)
    return [p.due_at for p in planned]


@dataclass
class SendReport:
    """How many rows of an outbox beside the nudges' (prompts, digests) a sweep claimed, sent,
    cancelled, put back for a retry, or gave up on."""

    claimed: int = 0
    sent: int = 0
    cancelled: int = 0
    retried: int = 0
    failed: int = 0


@dataclass(eq=False)
class PromptSender:
    """Sends the due prompts through the dispatcher's messenger and pacing."""

    storage: Storage
    messenger: Messenger
    clock: Clock
    owner: str
    lease: timedelta
    batch_size: int = 200
    pacer: Pacer = field(default_factory=NoPacing)
    platforms: tuple[str, ...] | None = None

    async def dispatch_due(self) -> SendReport:
        """Send every prompt due now, a batch at a time."""
        report = SendReport()
        while True:
            now = self.clock.now()
            claim = Claim(now, self.owner, now + self.lease, self.batch_size, self.platforms)
            async with self.storage.session() as uow:
                claimed = await uow.prompts.claim_due(claim)
                contexts = await uow.prompts.contexts(claimed)
                logged: dict[int | None, bool] = {
                    p.id: await _logged(uow, contexts[p.id])
                    for p in claimed
                    if p.id in contexts and p.kind is PromptKind.REMINDER
                }
            report.claimed += len(claimed)
            settled = [
                await self._send(p, contexts.get(p.id or 0), logged, report) for p in claimed
            ]
            async with self.storage.session() as uow:
                await uow.prompts.settle(settled, self.owner)
            if len(claimed) < self.batch_size:
                return report

    async def next_due_at(self) -> datetime | None:
        async with self.storage.session() as uow:
            return await uow.prompts.next_due_at()

    async def _send(
        self,
        prompt: EventPrompt,
        context: PromptContext | None,
        logged: dict[int | None, bool],
        report: SendReport,
    ) -> EventPrompt:
        reason = _why_not_sent(prompt, context, logged)
        if reason is not None or context is None:
            report.cancelled += 1
            return _finished(prompt, NudgeStatus.CANCELLED, reason)
        person = context.person
        await self.pacer.wait_turn(person, requests_for(self.messenger, person))
        message = say.event_prompt(context.event, reminder=prompt.kind is PromptKind.REMINDER)
        try:
            delivery = await self.messenger.send_dm(
                person, message, key=f"prompt-{prompt.id}", maybe_sent=prompt.attempts > 1
            )
        except Exception as err:  # transient until proven otherwise
            log.warning("prompt-%s: send failed with %s; will retry", prompt.id, type(err).__name__)
            delivery = RetryAfter(RETRY_STEP.total_seconds() * prompt.attempts, type(err).__name__)
        if isinstance(delivery, Delivered):
            report.sent += 1
        elif isinstance(delivery, RetryAfter) and prompt.attempts < MAX_ATTEMPTS:
            report.retried += 1
        else:
            report.failed += 1
        return settled(prompt, delivery, self.clock.now())


Row = TypeVar("Row", bound=DeliveryRow)


def settled(row: Row, delivery: Delivery, now: datetime) -> Row:
    """`row` settled by what its send said: sent; back to pending after the wait a platform
    asked for (or one more `RETRY_STEP` a failed attempt, up to `MAX_ATTEMPTS`); or failed."""
    match delivery:
        case Delivered():
            done = _finished(row, NudgeStatus.SENT, None)
            done.sent_at = now
            return done
        case RetryAfter(seconds=seconds, reason=why) if row.attempts < MAX_ATTEMPTS:
            if not delivery.tried:
                row.attempts -= 1
            row.status = NudgeStatus.PENDING
            row.next_attempt_at = now + timedelta(seconds=max(seconds, 0))
            row.lease_owner = row.lease_expires_at = None
            row.last_error = clip_reason(why)
            return row
        case PermanentFailure(reason=why) | RetryAfter(reason=why):
            return _finished(row, NudgeStatus.FAILED, why)


async def _logged(uow: UnitOfWork, context: PromptContext) -> bool:
    event = context.event
    return await uow.prompts.logged_since(
        context.prompt.person_id, event.title, context.club.channel, event.starts_at
    )


def _why_not_sent(
    prompt: EventPrompt, context: PromptContext | None, logged: dict[int | None, bool]
) -> str | None:
    if context is None:
        return "event or member deleted"
    if context.event.cancelled:
        return "event cancelled"
    if context.person.undeliverable is not None:
        return "member can't receive DMs"
    if prompt.kind is PromptKind.REMINDER and logged.get(prompt.id):
        return "logged already"
    return None


def _finished(row: Row, status: NudgeStatus, reason: str | None) -> Row:
    row.status = status
    row.lease_owner = row.lease_expires_at = None
    row.last_error = clip_reason(reason)
    return row
