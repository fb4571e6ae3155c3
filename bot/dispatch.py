"""Deliver due nudges from the outbox: claim, re-check, send, settle.

Delivery is at least once:

1. A sweep claims a batch of due rows in one statement, marking them `sending` with this
   replica's id and a lease (PostgreSQL: FOR UPDATE SKIP LOCKED, so replicas never claim the same
   row; SQLite: one writer).
2. It re-checks them in one read: a nudge whose follow-up is no longer pending, whose person is
   gone, turned nudges off or can't receive DMs, or whose workspace removed the app, is
   cancelled, not sent. Several due nudges of one follow-up (after downtime) collapse into the
   latest, which says it is late; all of a person's nudges claimed together share one DM (the
   claim takes, with a person's due nudges, those falling due within the rulebook's
   `together_within`: one DM per person per moment), saying what is left for later. A career
   fair's evening DM is that moment's DM too: the evening sweep runs first, and claims with
   each evening the student's nudges due within `together_within` (and an evening due that
   soon when one of theirs is due now), sent as one DM keyed by the evening and the nudges.
3. It sends outside any transaction, concurrently up to a limit, paced per platform (bot.pacing).
4. It settles what it sent as it goes, a few DMs at a time (SETTLE_EVERY, SETTLE_WITHIN): sent;
   rescheduled (a platform's retry-after honoured exactly, other errors with exponential
   backoff and jitter); or failed for good with a reason, marking the person or workspace
   undeliverable when that is what failed.

A crash between a send and its settling leaves the row `sending`; when its lease expires another
replica (or the restarted one) claims it again, with `maybe_sent`, and the messenger makes sure
it isn't delivered twice (Discord drops the repeat: sends carry a nonce derived from the nudge
id, the Messenger's `key`; on Slack the DM carries the key in its metadata, and is looked for
first). A crash anywhere else loses nothing: every state is a row that some sweep picks up.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass, field, replace
from datetime import datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.club_rules import Rulebooks
from bot.digests import DigestSender
from bot.domain import (
    Address,
    FairList,
    FollowUpStatus,
    Nudge,
    NudgeKind,
    NudgeStatus,
    Person,
    why_not_nudged,
)
from bot.event_prompts import PromptSender
from bot.fair_evenings import BATCH as EVENING_BATCH
from bot.fair_evenings import FairEvenings
from bot.messages.nudges import Later, NudgeGroup, moment_message
from bot.metrics import Metrics, NoMetrics, NudgeTally, failure_reason, retry_reason
from bot.pacing import NoPacing, Pacer
from bot.ports import (
    ChannelPoster,
    Claim,
    Delivered,
    Delivery,
    Messenger,
    NudgeContext,
    OutboxDepth,
    PermanentFailure,
    RetryAfter,
    Storage,
    UnitOfWork,
    requests_for,
)
from bot.replies import Reply
from bot.scheduled_event_ends import ScheduledEventSweep
from rules.engine import Rulebook

__all__ = ["LEASE", "DispatchReport", "Dispatcher"]

log = logging.getLogger(__name__)

# Long enough for most paced batches (200 DMs at Discord's 45/s take under 5 s); short enough
# that a crashed replica's claims are picked up by another within minutes. A batch paced slower
# than its lease (Slack's budget of a few hundred a minute per workspace) hands the rest back
# unsent when less than LEASE_MARGIN is left, and the next sweep claims them afresh.
LEASE = timedelta(minutes=2)
LEASE_MARGIN = timedelta(seconds=15)
# The platform label of claimed nudges whose follow-up or person was deleted meanwhile.
UNKNOWN_PLATFORM = "unknown"
# A nudge sent this long after it fell due says it is late (the bot was down or backed up).
LATE_AFTER = timedelta(minutes=15)
# Transient failures back off exponentially from BACKOFF_BASE up to BACKOFF_CAP, then give up
# after MAX_ATTEMPTS: about a day of trying, by which time the nudge has lost its point.
BACKOFF_BASE = timedelta(seconds=30)
# Sent DMs are settled this many at a time, or after this many seconds: a replica killed
# between a send and its settling repeats at most these few DMs when the lease runs out.
SETTLE_EVERY = 16
SETTLE_WITHIN = 0.25
BACKOFF_CAP = timedelta(hours=1)
MAX_ATTEMPTS = 30
# A DM's key names its nudges up to this many (a moment's DM rarely holds more); a bigger one
# is keyed by a digest, to keep the key short enough for Slack's message metadata.
KEY_IDS = 32


@dataclass
class DispatchReport:
    """Counts of nudge rows (not DMs: a double follow-up's two rows share one DM)."""

    claimed: int = 0
    sent: int = 0
    cancelled: int = 0
    retried: int = 0
    failed: int = 0

    def add(self, other: DispatchReport) -> None:
        self.claimed += other.claimed
        self.sent += other.sent
        self.cancelled += other.cancelled
        self.retried += other.retried
        self.failed += other.failed


@dataclass(frozen=True)
class _SendRaised(RetryAfter):
    """The messenger raised instead of answering: retried like a RetryAfter, counted apart."""


class _Due(NamedTuple):
    """A claimed nudge that will be sent, with what it is about and when it first fell due."""

    nudge: Nudge
    context: NudgeContext
    first_due: datetime
    # The conversation's rulebook: its club's own when it was logged in a club that has one.
    rulebook: Rulebook


@dataclass(eq=False)
class Dispatcher:
    """Sends due nudges through a `Messenger`. One instance per process; `owner` names it in
    leases so that a replica's claims can be told apart."""

    storage: Storage
    messenger: Messenger
    clock: Clock
    rulebook: Rulebook
    _: KW_ONLY
    default_zone: ZoneInfo
    owner: str = "local"
    batch_size: int = 200
    concurrency: int = 32
    # None: sends go out as fast as the messenger takes them.
    pacer: Pacer | None = None
    lease: timedelta = LEASE
    # The platforms this process can send to (None: all); it claims nothing else.
    platforms: Sequence[str] | None = None
    # Told each batch's outcomes once it is settled, and the outbox's depth when measured.
    metrics: Metrics = field(default_factory=NoMetrics)
    # Posts clubs' digests in their channels (bot.digests); None: they wait for one that can.
    poster: ChannelPoster | None = None
    # Takes followed Scheduled Events at their scheduled end (bot.scheduled_event_ends); None
    # where no platform has them.
    event_ends: ScheduledEventSweep | None = None

    def __post_init__(self) -> None:
        self._pacer: Pacer = self.pacer or NoPacing()
        self._platforms = tuple(self.platforms) if self.platforms is not None else None
        self._pauses = _Pauses()
        self._rulebooks = Rulebooks(self.rulebook)
        self._evenings = FairEvenings(
            self.storage,
            self.clock,
            self.rulebook,
            self.default_zone,
            owner=self.owner,
            late_after=LATE_AFTER,
            max_attempts=MAX_ATTEMPTS,
        )
        self._prompts = PromptSender(
            self.storage,
            self.messenger,
            self.clock,
            self.owner,
            self.lease,
            pacer=self._pacer,
            platforms=self._platforms,
        )
        self._digests = DigestSender(
            self.storage,
            self.poster,
            self.clock,
            self._rulebooks,
            self.owner,
            self.lease,
            platforms=self._platforms,
        )

    async def dispatch_due(self) -> DispatchReport:
        """Deliver the evening DMs after career fairs (`bot.fair_evenings`), each with its
        student's nudges due at the same moment; then every other nudge due now, one batch at a
        time, until none is left; then the prompts after club events (`bot.event_prompts`) and
        clubs' digests, counted with them."""
        # Evenings first: an evening DM takes its student's nudges due at the same moment.
        report = await self._send_evenings()
        while True:
            batch = await self.claim()
            if batch:
                report.add(await self.deliver(batch))
            if len(batch) < self.batch_size:
                break
        others = [await self._prompts.dispatch_due(), await self._digests.dispatch_due()]
        if self.event_ends is not None:
            others.append(await self.event_ends.dispatch_due())
        for other in others:
            report.add(
                DispatchReport(
                    other.claimed, other.sent, other.cancelled, other.retried, other.failed
                )
            )
        return report

    async def _send_evenings(self) -> DispatchReport:
        """Claim, send and settle every due fair evening DM. One due within the rulebook's
        `together_within` goes out now when its student has a nudge due now; and with each,
        in the same transaction, the student's nudges due within it are claimed: one DM holds
        the checklist and the nudges (one DM per moment)."""
        report = DispatchReport()
        while True:
            now = self.clock.now()
            claim = Claim(
                now,
                self.owner,
                now + self.lease,
                EVENING_BATCH,
                self._platforms,
                together_until=now + self.rulebook.timing.together_within,
            )
            async with self.storage.session() as uow:
                evenings = await uow.fairs.claim_evenings(claim)
                people = sorted({fair.person_id for fair in evenings})
                claimed = await uow.outbox.claim_for_evenings(claim, people) if people else []
            report.claimed += len(evenings) + len(claimed)
            tally = NudgeTally()
            sendable = await self._triage(claimed, report, tally)
            self.metrics.nudges_dispatched(tally)  # claims and cancellations, as `deliver`
            dms = _into_dms(sendable)
            later = await self._left_for_later(dms)
            theirs = {dm[0].context.person.id or 0: dm for dm in dms}
            for fair in evenings:
                await self._send_evening(fair, theirs.pop(fair.person_id, []), later, report)
            if len(evenings) < EVENING_BATCH:
                return report

    async def _send_evening(
        self, fair: FairList, dm: list[_Due], later: dict[int, Later], report: DispatchReport
    ) -> None:
        """Send one claimed evening DM with the nudges `dm` holds (maybe none), and settle
        them all in one unit of work, each as its kind is settled alone."""
        person, evening, reason = await self._evenings.prepare(fair)
        if person is None or evening is None:
            await self._evenings.cancel(fair, reason)
            if dm:
                # Rare (the nudges' own checks would cancel them too): they go back unsent,
                # and the nudge sweep that follows sends them on their own.
                back = RetryAfter(0, "its fair evening DM was cancelled", tried=False)
                await self._settle_with_evening(dm, back, report)
            return
        now = self.clock.now()
        message, key = evening, f"fair-evening-{fair.id}"
        if dm:
            # The checklist, then the moment's nudge parts with their buttons; keyed by the
            # evening and every nudge, so a repeat after a crash is recognised as this DM.
            nudges = self._message(dm, now, later)
            message = replace(nudges, sections=(*evening.sections, *nudges.sections))
            key = f"{key}+{_key_of(dm)[1]}"
        attempts = max([fair.evening_attempts, *(d.nudge.attempts for d in dm)])
        await self._pacer.wait_turn(person, requests_for(self.messenger, person))
        try:
            # Claimed before and not settled as untried: it may have reached the student.
            delivery = await self.messenger.send_dm(
                person, message, key=key, maybe_sent=attempts > 1
            )
        except Exception as err:  # any platform error is transient until proven otherwise
            # The exception's text may quote the message (contacts): its type only.
            log.warning(
                "%s: send failed with %s; will retry",
                key,
                type(err).__name__,
                extra={"platform": person.address.platform},
            )
            delivery = _SendRaised(_backoff(attempts).total_seconds(), type(err).__name__)
        self._evenings.record(fair, delivery)
        await self._settle_with_evening(dm, delivery, report, fair=fair, person=person)
        if isinstance(delivery, Delivered):
            report.sent += 1

    async def _settle_with_evening(
        self,
        dm: list[_Due],
        delivery: Delivery,
        report: DispatchReport,
        *,
        fair: FairList | None = None,
        person: Person | None = None,
    ) -> None:
        """Settle an evening DM's nudges as any nudge DM's, and the evening (when given) in
        the same unit of work: a repeat after a crash finds both claimed, or neither."""
        settlement = _Settlement(report, NudgeTally(), self.clock.now())
        for due in dm:
            settlement.record(due, delivery)
        async with self.storage.session() as uow:
            await settlement.write(uow, self.owner)
            if fair is not None and person is not None:
                await self._evenings.settle(uow, fair, person, delivery)
        self.metrics.nudges_dispatched(settlement.tally)

    async def claim(self) -> list[Nudge]:
        """Claim the next batch of due nudges for this replica."""
        now = self.clock.now()
        claim = Claim(
            now,
            self.owner,
            now + self.lease,
            self.batch_size,
            self._platforms,
            together_until=now + self.rulebook.timing.together_within,
        )
        async with self.storage.session() as uow:
            return await uow.outbox.claim_due(claim)

    async def next_due_at(self) -> datetime | None:
        """When the earliest nudge, fair evening DM, prompt or digest falls due (or a lease runs
        out)."""
        async with self.storage.session() as uow:
            found = [
                await uow.outbox.next_due_at(),
                await uow.fairs.next_evening_at(),
                await uow.prompts.next_due_at(),
                await uow.digests.next_due_at() if self.poster is not None else None,
                await uow.event_ends.next_due_at() if self.event_ends is not None else None,
            ]
        times = [t for t in found if t is not None]
        return min(times) if times else None

    async def measure_outbox(self) -> OutboxDepth:
        """Count the nudges waiting, by state, and report it to `metrics`."""
        async with self.storage.session() as uow:
            depth = await uow.outbox.depth(self.clock.now())
        self.metrics.outbox_measured(depth)
        return depth

    async def deliver(self, claimed: Sequence[Nudge]) -> DispatchReport:
        """Re-check, send and settle a claimed batch; what was sent is settled a few DMs at a
        time as it goes, so a replica killed mid-batch repeats at most those few."""
        report = DispatchReport(claimed=len(claimed))
        tally = NudgeTally()
        dms = _into_dms(await self._triage(claimed, report, tally))
        self.metrics.nudges_dispatched(tally)  # claims and cancellations, settled by triage
        later = await self._left_for_later(dms)
        settler = _Settler(self, report)
        given_up: dict[int, PermanentFailure] = {}
        turns = iter(dms)

        async def sender() -> None:
            # Up to `concurrency` senders take the DMs in order, each sending one at a time,
            # until a settling fails (the rest stay claimed and go out when the lease ends).
            for dm in turns:
                if settler.error is not None:
                    return
                await settler.add(dm, await self._send(dm, given_up, later))

        senders = [asyncio.create_task(sender()) for _ in range(min(self.concurrency, len(dms)))]
        try:
            await asyncio.gather(*senders)
        except BaseException:  # cancelled (shutting down): no sender goes on alone
            for task in senders:
                task.cancel()
            raise
        await settler.flush()
        if settler.error is not None:
            raise settler.error
        return report

    async def _triage(
        self, claimed: Sequence[Nudge], report: DispatchReport, tally: NudgeTally
    ) -> list[_Due]:
        """Each follow-up's latest due nudge, re-checked; the rest are cancelled."""
        by_follow_up: dict[int, list[Nudge]] = defaultdict(list)
        for nudge in claimed:
            by_follow_up[nudge.follow_up_id].append(nudge)
        cancelled: list[Nudge] = []
        sendable: list[_Due] = []
        async with self.storage.session() as uow:
            contexts = await uow.outbox.contexts(claimed)
            workspaces = {
                (c.person.address.platform, c.person.address.workspace) for c in contexts.values()
            }
            closed = set(await uow.workspaces.undeliverable(sorted(workspaces)))
            # Clubs' own rulebooks, in one read, and only for a batch with a conversation
            # logged in a channel; each parsed once a version.
            in_clubs = any(c.conversation.logged_in for c in contexts.values())
            club_rulebooks = await self._rulebooks.by_channel(uow) if in_clubs else {}
            for group in by_follow_up.values():
                # The latest of a follow-up's due nudges speaks for all of them: one message.
                if len(group) > 1:
                    group.sort(key=lambda n: (n.due_at, n.kind is NudgeKind.WINDOW_CLOSED))
                nudge = group[-1]
                context = contexts.get(nudge.id or 0)
                platform = context.person.address.platform if context else UNKNOWN_PLATFORM
                tally.claimed[platform] += len(group)
                for old in group[:-1]:
                    _finish(old, NudgeStatus.CANCELLED, "superseded by a later nudge")
                    cancelled.append(old)
                rulebook = (
                    self._rulebooks.of(club_rulebooks, context.person, context.conversation)
                    if context is not None
                    else self.rulebook
                )
                reason = _why_not_sent(context, closed, rulebook)
                if reason is not None:
                    _finish(nudge, NudgeStatus.CANCELLED, reason)
                    cancelled.append(nudge)
                    tally.cancelled[platform] += len(group)
                    continue
                tally.cancelled[platform] += len(group) - 1
                assert context is not None
                sendable.append(_Due(nudge, context, group[0].due_at, rulebook))
            await uow.outbox.settle(cancelled, self.owner)
        report.cancelled += len(cancelled)
        return sendable

    async def _left_for_later(self, dms: Sequence[list[_Due]]) -> dict[int, Later]:
        """What is left for later for each person whose DM is about several conversations, in
        one read (none when every DM is about one: the usual case costs nothing more)."""
        people = sorted(
            dm[0].context.person.id or 0
            for dm in dms
            if len({d.context.conversation.id for d in dm}) > 1
        )
        if not people:
            return {}
        async with self.storage.session() as uow:
            found = await uow.outbox.waiting_for(people)
        later: dict[int, Later] = {}
        for dm in dms:
            person = dm[0].context.person.id or 0
            if person in people:
                waiting = found.get(person, {})
                here = {d.context.follow_up.id for d in dm}
                others = [f for f in waiting if f not in here]
                later[person] = Later(len(others), min(waiting.values(), default=None))
        return later

    async def _send(
        self, dm: list[_Due], given_up: dict[int, PermanentFailure], later: dict[int, Later]
    ) -> Delivery:
        person = dm[0].context.person
        # Someone this batch already found unreachable is not tried again.
        if person.id in given_up:
            return given_up[person.id or 0]
        paused_for = self._pauses.left(person.address, self.clock.now())
        if paused_for is not None:
            return RetryAfter(paused_for, "platform asked to slow down", tried=False)
        await self._pacer.wait_turn(person, requests_for(self.messenger, person))
        # Pacing may have taken a while: a nudge whose lease is running out goes back to the
        # outbox unsent rather than risk another replica sending it too.
        now = self.clock.now()
        lease_ends = min(d.nudge.lease_expires_at or now for d in dm)
        if lease_ends - now < LEASE_MARGIN:
            return RetryAfter(0, "its turn came too late in the lease", tried=False)
        nudge_id, key = _key_of(dm)
        try:
            # Claimed before and not settled as untried: it may have reached the student.
            maybe_sent = any(d.nudge.attempts > 1 for d in dm)
            delivery = await self.messenger.send_dm(
                person, self._message(dm, now, later), key=key, maybe_sent=maybe_sent
            )
        except Exception as err:  # any platform error is transient until proven otherwise
            # The exception's text may quote the message (contact data): log its type only.
            log.warning(
                "%s: send failed with %s; will retry",
                key,
                type(err).__name__,
                extra={"platform": person.address.platform, "nudge_id": nudge_id},
            )
            attempts = max(d.nudge.attempts for d in dm)
            return _SendRaised(_backoff(attempts).total_seconds(), type(err).__name__)
        if isinstance(delivery, RetryAfter):
            self._pauses.note(person.address, delivery, self.clock.now())
        if isinstance(delivery, PermanentFailure) and delivery.concerns_person:
            given_up[person.id or 0] = delivery
        return delivery

    def _message(self, dm: list[_Due], now: datetime, later: dict[int, Later]) -> Reply:
        # Late means the nudge being sent fell due a while ago (earlier ones it replaces don't
        # count: their moment is gone and the message speaks for now).
        due = min(d.nudge.due_at for d in dm)
        person = dm[0].context.person
        # A conversation's follow-ups nudged for the same reason share a part, in number order.
        together: dict[tuple[int, NudgeKind], list[_Due]] = defaultdict(list)
        for d in dm:
            together[(d.context.conversation.id or 0, d.nudge.kind)].append(d)
        groups = [
            NudgeGroup(
                part[0].nudge.kind,
                sorted((d.context.follow_up for d in part), key=lambda f: f.number),
                part[0].context.conversation,
                part[0].rulebook.kinds.get(part[0].context.conversation.kind),
                part[0].rulebook,
            )
            for part in together.values()
        ]
        return moment_message(
            groups,
            rulebook=dm[0].rulebook,
            now=now,
            zone=person.zone(self.default_zone),
            late_since=due if now - due > LATE_AFTER else None,
            later=later.get(person.id or 0),
        )


def _why_not_sent(
    context: NudgeContext | None, closed_workspaces: set[tuple[str, str]], rulebook: Rulebook
) -> str | None:
    """Why a claimed nudge is cancelled rather than sent, or None to send it."""
    if context is None:
        return "follow-up or person deleted"
    status = context.follow_up.status
    # The window-closed notice is still worth sending if the list already marked it missed.
    closing = context.nudge.kind is NudgeKind.WINDOW_CLOSED and status is FollowUpStatus.MISSED
    if status is not FollowUpStatus.PENDING and not closing:
        return f"follow-up {status}"
    address = context.person.address
    if (address.platform, address.workspace) in closed_workspaces:
        return "workspace can't receive DMs"
    return why_not_nudged(context.person, context.conversation, rulebook)


def _into_dms(sendable: list[_Due]) -> list[list[_Due]]:
    """All of a person's claimed nudges share one DM (the claim took those due at one moment);
    the DMs go out in the order they first fell due."""
    together: dict[int, list[_Due]] = defaultdict(list)
    for due in sendable:
        together[due.context.person.id or 0].append(due)
    return sorted(
        together.values(), key=lambda dm: (min(d.first_due for d in dm), dm[0].nudge.id or 0)
    )


def _key_of(dm: list[_Due]) -> tuple[int, str]:
    """The DM's first nudge id, and its key: the platform drops a repeat with the same key (the
    Discord nonce, Slack's metadata), so a DM of several nudges is keyed by all of them
    ("nudge-7+9+12"; past KEY_IDS, by their count and digest). A repeat after a crash that
    groups them otherwise is then a new DM (a nudge may come twice), never one taken for a DM
    that did not hold them all (a nudge lost)."""
    ids = sorted(d.nudge.id or 0 for d in dm)
    if len(ids) <= KEY_IDS:
        return ids[0], "nudge-" + "+".join(map(str, ids))
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:16]
    return ids[0], f"nudge-{ids[0]}-{len(ids)}-{digest}"


class _Pauses:
    """What answered "slow down", until when: a platform, a workspace, or one person's DM
    channel. A pause is as wide as the platform said and no wider: the rest of a batch to what
    it covers waits with it, keeping its order, rather than hammering the platform or overtaking
    the first, and everyone else's DMs go on."""

    def __init__(self) -> None:
        self._until: dict[tuple[str, ...], datetime] = {}

    def left(self, address: Address, now: datetime) -> float | None:
        """Seconds until DMs to `address` may go again, or None when nothing holds them."""
        if not self._until:
            return None
        longest = None
        for scope in _scopes(address).values():
            until = self._until.get(scope)
            if until is not None and until > now:
                left = (until - now).total_seconds()
                longest = left if longest is None else max(longest, left)
        return longest

    def note(self, address: Address, delivery: RetryAfter, now: datetime) -> None:
        if delivery.scope == "message":
            return
        scope = _scopes(address)[delivery.scope]
        until = now + timedelta(seconds=delivery.seconds)
        self._until[scope] = max(until, self._until.get(scope, until))


def _scopes(address: Address) -> dict[str, tuple[str, ...]]:
    """The keys of the pauses that can hold a DM to `address`, by RetryAfter scope."""
    return {
        "platform": (address.platform,),
        "workspace": (address.platform, address.workspace),
        "person": (address.platform, address.workspace, address.user),
    }


class _Settler:
    """Settles a batch's DMs as they are sent: every SETTLE_EVERY DMs, or when SETTLE_WITHIN
    has passed since the last settling, in one unit of work each time. A replica killed at any
    moment leaves at most 2 x SETTLE_EVERY DMs, and those in flight, sent but unsettled."""

    def __init__(self, dispatcher: Dispatcher, report: DispatchReport) -> None:
        self.dispatcher = dispatcher
        self.report = report
        self.error: Exception | None = None
        self._pending: list[tuple[list[_Due], Delivery]] = []
        self._lock = asyncio.Lock()
        self._loop = asyncio.get_running_loop()
        self._last = self._loop.time()

    async def add(self, dm: list[_Due], delivery: Delivery) -> None:
        self._pending.append((dm, delivery))
        full = len(self._pending) >= SETTLE_EVERY
        if full or self._loop.time() - self._last >= SETTLE_WITHIN:
            await self.flush()
        elif self._lock.locked():
            # A settling is being written: wait for it rather than send on past it, so what
            # is sent and unsettled stays within two groups and the sends in flight.
            async with self._lock:
                pass

    async def flush(self) -> None:
        """Write what is pending. A failure is kept in `error`, and the unsettled rows stay
        claimed: another sweep takes them when their lease ends."""
        async with self._lock:
            pending, self._pending = self._pending, []
            self._last = self._loop.time()
            if not pending or self.error is not None:
                return
            dispatcher = self.dispatcher
            settlement = _Settlement(self.report, NudgeTally(), dispatcher.clock.now())
            for dm, delivery in pending:
                for due in dm:
                    settlement.record(due, delivery)
            try:
                async with dispatcher.storage.session() as uow:
                    await settlement.write(uow, dispatcher.owner)
            except Exception as err:
                self.error = err
                return
            # Counted once settled: rows whose settling failed are claimed and counted again.
            dispatcher.metrics.nudges_dispatched(settlement.tally)


@dataclass
class _Settlement:
    """What settling some of a batch's DMs writes, and the report's counts."""

    report: DispatchReport
    tally: NudgeTally
    now: datetime
    sent: list[int] = field(default_factory=list)
    settled: list[Nudge] = field(default_factory=list)
    # Why no DM reaches them -> the people, and the (platform, workspace id) workspaces.
    undeliverable: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    workspaces: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))
    missed: set[int] = field(default_factory=set)

    def record(self, due: _Due, delivery: Delivery) -> None:
        """Settle one nudge of a DM by what its delivery said."""
        nudge, context, report, tally = due.nudge, due.context, self.report, self.tally
        platform = context.person.address.platform
        match delivery:
            case Delivered():
                _finish(nudge, NudgeStatus.SENT, None)
                nudge.sent_at = self.now
                report.sent += 1
                self.sent.append(nudge.id or 0)
                tally.sent[platform] += 1
                tally.lateness[platform].append((self.now - nudge.due_at).total_seconds())
            case RetryAfter(seconds=seconds, reason=reason) if nudge.attempts < MAX_ATTEMPTS:
                if not delivery.tried:
                    nudge.attempts -= 1  # it waited its turn: nothing was tried
                nudge.status = NudgeStatus.PENDING
                # Rows held back by one pause share its end; the claim then takes them in due
                # order (it sorts by next attempt, then due time).
                nudge.next_attempt_at = self.now + timedelta(seconds=max(seconds, 0))
                nudge.lease_owner = nudge.lease_expires_at = None
                nudge.last_error = reason
                report.retried += 1
                raised = isinstance(delivery, _SendRaised)
                tally.retried[platform, retry_reason(delivery, raised=raised)] += 1
            case RetryAfter(reason=reason):
                _finish(
                    nudge, NudgeStatus.FAILED, f"gave up after {nudge.attempts} attempts: {reason}"
                )
                report.failed += 1
                tally.failed[platform, failure_reason(None)] += 1
            case PermanentFailure(reason=reason):
                _finish(nudge, NudgeStatus.FAILED, reason)
                report.failed += 1
                tally.failed[platform, failure_reason(delivery)] += 1
                address = context.person.address
                if delivery.concerns_workspace:
                    self.workspaces[reason].add((address.platform, address.workspace))
                elif delivery.concerns_person and context.person.id is not None:
                    self.undeliverable[reason].add(context.person.id)
        if nudge.status is not NudgeStatus.SENT:
            self.settled.append(nudge)
        finished = nudge.status in (NudgeStatus.SENT, NudgeStatus.FAILED)
        if nudge.kind is NudgeKind.WINDOW_CLOSED and finished and context.follow_up.id:
            self.missed.add(context.follow_up.id)

    async def write(self, uow: UnitOfWork, owner: str) -> None:
        """Write it all in the one unit of work; only rows `owner` still holds change."""
        await uow.outbox.mark_sent(self.sent, self.now, owner)
        await uow.outbox.settle(self.settled, owner)
        for reason, person_ids in self.undeliverable.items():
            await uow.people.mark_undeliverable(sorted(person_ids), reason)
        for reason, workspaces in self.workspaces.items():
            await uow.workspaces.mark_undeliverable(sorted(workspaces), reason, at=self.now)
        await uow.follow_ups.close_missed(sorted(self.missed), self.now)


def _finish(nudge: Nudge, status: NudgeStatus, reason: str | None) -> None:
    nudge.status = status
    nudge.lease_owner = None
    nudge.lease_expires_at = None
    nudge.last_error = reason


def _backoff(attempts: int) -> timedelta:
    """Exponential backoff with full jitter, so that failed sends don't retry in lockstep."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** min(max(attempts - 1, 0), 16))
    low = BACKOFF_BASE.total_seconds() / 2
    return timedelta(seconds=random.uniform(low, ceiling.total_seconds()))
