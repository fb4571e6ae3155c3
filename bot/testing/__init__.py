"""First-class fakes for the core's ports, for tests and for trying things out.

- `FakeClock`: a clock that moves only when told to.
- `FakeMessenger`: records every DM; can be told what to answer (retry-after, failures).
- `InMemoryStorage` (`bot.testing.storage`): the Storage port in dictionaries, with the same
  contract as the SQL one (the same contract tests run against both) and a real rollback on
  error: a unit of work with one small fake per repository; tests read `.tables`.
- `make_test_bot`: the service and the dispatcher wired on these fakes (`TestBot`).
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.clock import VirtualClock
from bot.domain import Club, Person
from bot.metrics import Metrics, NoMetrics
from bot.ports import (
    ChannelPoster,
    Delivered,
    Delivery,
    Messenger,
    PermanentFailure,
    Posted,
    ReadsScheduledEvents,
    RetryAfter,
    ScheduledEventState,
    Storage,
)
from bot.replies import DigestPost, EventCard, Reply
from bot.testing.storage import InMemoryStorage, InMemoryUnitOfWork
from rules.engine import Rulebook, load_rulebook

if TYPE_CHECKING:
    from bot.dispatch import Dispatcher
    from bot.services import FollowUpService

__all__ = [
    "NEW_YORK",
    "TEST_START",
    "ChannelPost",
    "FakeClock",
    "FakeMessenger",
    "FakeScheduledEvents",
    "InMemoryStorage",
    "InMemoryUnitOfWork",
    "ReplicaKilled",
    "SentDM",
    "TestBot",
    "killed_after",
    "make_test_bot",
]

NEW_YORK = ZoneInfo("America/New_York")
# Friday 6 March 2026, 15:00 in New York: two days before the US switch to summer time, so a
# test that runs a few days crosses it.
TEST_START = datetime(2026, 3, 6, 20, 0, tzinfo=UTC)


class FakeClock(VirtualClock):
    """A `VirtualClock` that tests may also set back, as an operator fixing a clock would."""

    def set(self, moment: datetime) -> datetime:
        self._now = moment.astimezone(UTC)
        return self._now


@dataclass(frozen=True)
class ChannelPost:
    """An event card in a club channel, by the ref the platform gave it."""

    channel: str
    card: EventCard
    ref: str


@dataclass(frozen=True)
class SentDM:
    to: Person
    message: Reply
    key: str
    at: datetime | None


class FakeMessenger:
    """Records DMs. `answers` (a queue) decides what each send returns; Delivered when empty.
    `answers_by_user` answers every send to one user id the same way, before the queue (a
    student whose DM channel is rate limited, say).

    An answer that is an exception instance is raised, as a broken platform client would.
    With `record=False` it only counts deliveries (`delivered`), as a platform would keep
    nothing in the bot's memory: what benchmarks want. `delay` is how long each send takes (a
    slow platform), in real seconds.
    """

    def __init__(
        self, clock: VirtualClock | None = None, *, record: bool = True, delay: float = 0.0
    ) -> None:
        self.sent: list[SentDM] = []
        self.delivered = 0
        self.answers: deque[Delivery | Exception] = deque()
        self.answers_by_user: dict[str, Delivery] = {}
        self.tried_users: list[str] = []
        # Event cards in channels, as they stand now (updated in place), and what the next
        # posts answer instead of posting (a bot that isn't in the channel, say).
        self.posts: list[ChannelPost] = []
        self.post_answers: deque[RetryAfter | PermanentFailure] = deque()
        self.updates = 0
        # Digests posted in channels: (channel, digest).
        self.digests: list[tuple[str, DigestPost]] = []
        # Everything ever shown in a channel, in order: each card as posted and as updated,
        # and each digest.
        self.channel_history: list[EventCard | DigestPost] = []
        self.clock = clock
        self.record = record
        self.delay = delay

    async def send_dm(
        self, to: Person, message: Reply, *, key: str, maybe_sent: bool = False
    ) -> Delivery:
        if self.delay:
            await asyncio.sleep(self.delay)
        self.tried_users.append(to.address.user)
        if to.address.user in self.answers_by_user:
            return self.answers_by_user[to.address.user]
        answer = self.answers.popleft() if self.answers else Delivered()
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, Delivered):
            self.delivered += 1
            if self.record:
                when = self.clock.now() if self.clock else None
                self.sent.append(SentDM(to, message, key, when))
        return answer

    def texts(self) -> list[str]:
        return [dm.message.plain_text() for dm in self.sent]

    async def post_to_channel(
        self, club: Club, card: EventCard
    ) -> Posted | RetryAfter | PermanentFailure:
        answer = self.post_answers.popleft() if self.post_answers else None
        if answer is not None:
            return answer
        self.posts.append(ChannelPost(club.channel, card, f"post-{len(self.posts) + 1}"))
        self.channel_history.append(card)
        return Posted(self.posts[-1].ref)

    async def post_digest(
        self, club: Club, digest: DigestPost
    ) -> Posted | RetryAfter | PermanentFailure:
        answer = self.post_answers.popleft() if self.post_answers else None
        if answer is not None:
            return answer
        self.digests.append((club.channel, digest))
        self.channel_history.append(digest)
        return Posted(f"digest-{len(self.digests)}")

    async def update_post(self, club: Club, ref: str, card: EventCard) -> Delivery:
        found = [i for i, post in enumerate(self.posts) if post.ref == ref]
        if not found:
            return PermanentFailure("message not found", concerns_person=False)
        self.posts[found[0]] = ChannelPost(club.channel, card, ref)
        self.channel_history.append(card)
        self.updates += 1
        return Delivered()


class ReplicaKilled(BaseException):
    """A replica's process ending at once (kill -9): nothing after it runs, no settling."""


class _KilledAfter:
    def __init__(self, messenger: Messenger, sends: int) -> None:
        self.messenger = messenger
        self.left = sends

    async def send_dm(
        self, to: Person, message: Reply, *, key: str, maybe_sent: bool = False
    ) -> Delivery:
        if self.left <= 0:  # dead: nothing more leaves this process
            raise ReplicaKilled(key)
        delivery = await self.messenger.send_dm(to, message, key=key, maybe_sent=maybe_sent)
        self.left -= 1
        if self.left <= 0:
            raise ReplicaKilled(key)
        return delivery


def killed_after(messenger: Messenger, sends: int) -> Messenger:
    """`messenger`, in a replica killed right after its `sends`-th send reached the platform:
    the dispatcher's `deliver` raises ReplicaKilled, with what it sent unsettled."""
    return _KilledAfter(messenger, sends)


@dataclass
class TestBot:
    """The core wired on fakes: a service to send commands to, and the dispatcher that sends
    the nudges they plan. `woken` holds each wake-up the service asked for (the earliest due
    time of the nudges a command planned), as a scheduler would receive them."""

    __test__ = False  # a helper, not a test class for pytest to collect

    service: FollowUpService
    dispatcher: Dispatcher
    storage: Storage
    clock: FakeClock
    messenger: FakeMessenger
    rulebook: Rulebook
    default_zone: ZoneInfo = NEW_YORK
    woken: list[datetime] = field(default_factory=list)

    def replica(self, **options: Any) -> Dispatcher:
        """Another dispatcher on this bot's storage, messenger, clock and rulebook, with
        Dispatcher's `options` (owner, platforms, pacer, messenger ...): a second replica, or a
        process that serves only some platforms."""
        from bot.dispatch import Dispatcher

        return Dispatcher(
            self.storage,
            options.pop("messenger", self.messenger),
            self.clock,
            self.rulebook,
            default_zone=self.default_zone,
            **options,
        )

    async def run_until(self, hours: float) -> None:
        """Step the clock to each due nudge and dispatch it, as the console and the scheduler
        do, until `hours` from now."""
        target = self.clock.now() + timedelta(hours=hours)
        while (due := await self.dispatcher.next_due_at()) is not None and due <= target:
            self.clock.move_to(due)
            await self.dispatcher.dispatch_due()
        self.clock.move_to(target)


class FakeScheduledEvents:
    """Discord's Scheduled Events as a test sets them (`events`, by server and id); what the
    sweep asked (`reads`). An event not there is gone; `unreachable` makes every read fail."""

    def __init__(self) -> None:
        self.events: dict[tuple[str, str], ScheduledEventState] = {}
        self.reads: list[tuple[str, str]] = []
        self.unreachable = False

    async def read_scheduled_event(
        self, workspace: str, ref: str
    ) -> ScheduledEventState | RetryAfter | None:
        self.reads.append((workspace, ref))
        if self.unreachable:
            return RetryAfter(30, "Discord unavailable")
        return self.events.get((workspace, ref))


def make_test_bot(
    storage: Storage | None = None,
    *,
    clock: FakeClock | None = None,
    messenger: FakeMessenger | None = None,
    rulebook: Rulebook | None = None,
    default_zone: ZoneInfo = NEW_YORK,
    metrics: Metrics | None = None,
    outages: tuple[type[BaseException], ...] = (),
    public_url: str | None = None,
    poster: ChannelPoster | None = None,
    scheduled_events: ReadsScheduledEvents | None = None,
) -> TestBot:
    """A `TestBot` on `storage` (in memory by default), a `FakeClock` at `TEST_START` and a
    `FakeMessenger` on that clock, with the bundled rulebook unless given one; the service and
    the dispatcher report to `metrics` if given (else to none); commands that meet one of
    `outages` (the storage's errors while its database is away) are answered "try again";
    `public_url` turns calendar subscriptions on; club cards are posted through `poster` (the
    messenger by default); `scheduled_events` (a `FakeScheduledEvents`) are Discord's Scheduled
    Events, taken at their scheduled end."""
    # Imported here: the fakes serve every test and the benchmarks, and most need no service
    # (nor the rules, drafts and proofreader it loads).
    from bot.bootstrap import scheduled_event_sweep
    from bot.dispatch import Dispatcher
    from bot.services import FollowUpService

    clock = clock if clock is not None else FakeClock(TEST_START)
    messenger = messenger if messenger is not None else FakeMessenger(clock)
    rulebook = rulebook if rulebook is not None else load_rulebook()
    storage = storage if storage is not None else InMemoryStorage()
    woken: list[datetime] = []
    metrics = metrics if metrics is not None else NoMetrics()
    service = FollowUpService(
        storage,
        clock,
        rulebook,
        default_zone=default_zone,
        on_nudge_planned=woken.append,
        metrics=metrics,
        outages=outages,
        public_url=public_url,
        poster=poster if poster is not None else messenger,
    )
    dispatcher = Dispatcher(
        storage,
        messenger,
        clock,
        rulebook,
        default_zone=default_zone,
        metrics=metrics,
        poster=poster if poster is not None else messenger,
        event_ends=scheduled_event_sweep(
            storage,
            service,
            {"discord": scheduled_events} if scheduled_events is not None else {},
            clock,
            "local",
        ),
    )
    return TestBot(service, dispatcher, storage, clock, messenger, rulebook, default_zone, woken)
