"""Pacing: a flood drains at the platform's limit, in due order, nothing dropped; the shared
limit holds across replicas (on every storage backend)."""

from __future__ import annotations

import asyncio
import bisect
from datetime import UTC, datetime, timedelta

from bench.outbox import seed_outbox
from bot.dispatch import Dispatcher
from bot.domain import Address, Person
from bot.pacing import PaceRule, PlatformPacer
from bot.ports import Delivered, Delivery, Storage
from bot.replies import Reply
from bot.storage.sql import SqlStorage
from bot.testing import FakeClock
from rules.engine import Rulebook
from tests.conftest import NEW_YORK

T0 = datetime(2026, 3, 8, 21, 0, tzinfo=UTC)

# A bot-wide limit counted in the database, shaped like Discord's (the adapter has its own).
PER_SECOND = 45
SHARED = PaceRule(
    "discord:bot", PER_SECOND, timedelta(seconds=1), shared=True, counts_requests=True
)


class FakeTime:
    """Monotonic and wall time that move only when someone sleeps (to the end of the sleep)."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        # Sleepers at once (the dispatcher's concurrent senders) each wake at their own time.
        until = self.now + max(seconds, 0)
        await asyncio.sleep(0)
        self.now = max(self.now, until)


def person(user: str, platform: str = "slack", workspace: str = "T1") -> Person:
    return Person(Address(platform, workspace, user), created_at=T0, id=hash(user) % 10_000)


def pacer(storage: Storage | None, fake: FakeTime, **rules: list[PaceRule]) -> PlatformPacer:
    return PlatformPacer(
        rules,
        storage=storage,
        monotonic=fake.time,
        wall=fake.time,
        sleep=fake.sleep,
    )


async def test_slack_dms_to_one_person_are_a_second_apart() -> None:
    fake = FakeTime()
    slow = pacer(
        None, fake, slack=[PaceRule("slack:dm:{workspace}:{user}", 1, timedelta(seconds=1))]
    )
    start = fake.now
    times = []
    for _ in range(3):
        await slow.wait_turn(person("alice"))
        times.append(fake.now - start)
    await slow.wait_turn(person("bob"))
    assert times == [0, 1, 2]
    assert fake.now - start == 2  # bob did not wait for alice


async def test_a_shared_limit_holds_across_replicas(storage: Storage) -> None:
    fake = FakeTime()
    replicas = [pacer(storage, fake, discord=[SHARED]) for _ in range(3)]
    sent_at: list[float] = []
    # Replicas take turns (their interleaving is the database's business, not the test's):
    # what each is granted must stay under the one shared limit.
    for n in range(200):
        await replicas[n % 3].wait_turn(person(f"u{n}", "discord", "G1"))
        sent_at.append(fake.now)
    assert len(sent_at) == 200
    assert most_in_any_second(sent_at) <= PER_SECOND + 1
    assert 199 / PER_SECOND - 0.01 <= sent_at[-1] - sent_at[0] <= 199 / PER_SECOND + 0.01


async def test_a_flood_after_a_quiet_spell_starts_at_the_rate_not_in_a_burst(
    storage: Storage,
) -> None:
    fake = FakeTime(1_000_000.7)  # in the middle of a second
    one = pacer(storage, fake, discord=[SHARED])
    await one.wait_turn(person("early", "discord", "G1"))
    fake.now += 30  # quiet, then a flood
    sent_at = []
    for n in range(100):
        await one.wait_turn(person(f"u{n}", "discord", "G1"), requests=1 + n % 2)
        sent_at.append(fake.now)
    # Each DM that opens a channel first counts two requests: 150 in all, at 45 a second.
    assert sent_at[-1] - sent_at[0] >= 148 / PER_SECOND - 0.01
    assert most_in_any_second(sent_at) <= PER_SECOND


def most_in_any_second(times: list[float]) -> int:
    """The most of `times` within any stretch of one second."""
    ordered = sorted(times)
    return max(bisect.bisect_left(ordered, t + 1 - 1e-9) - i for i, t in enumerate(ordered))


class RecordingMessenger:
    def __init__(self, fake: FakeTime) -> None:
        self.fake = fake
        self.sent: list[tuple[float, str]] = []

    async def send_dm(
        self, to: Person, message: Reply, *, key: str, maybe_sent: bool = False
    ) -> Delivery:
        self.sent.append((self.fake.now, key))
        return Delivered()


async def test_a_flood_drains_at_the_limit_in_due_order(engine: object, rulebook: Rulebook) -> None:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from bot.storage.migrate import upgrade_to_head

    assert isinstance(engine, AsyncEngine)
    await upgrade_to_head(engine)
    ids = await seed_outbox(
        engine,
        pending=300,
        due_at=T0,
        spread=timedelta(seconds=59),
        platform="discord",
        students=300,  # a DM each: the pacing, not the grouping, is measured
    )
    fake = FakeTime()
    storage = SqlStorage(engine)
    messenger = RecordingMessenger(fake)
    dispatcher = Dispatcher(
        storage,
        messenger,
        FakeClock(T0 + timedelta(minutes=1)),
        rulebook,
        default_zone=NEW_YORK,
        pacer=pacer(storage, fake, discord=[SHARED]),
    )
    report = await dispatcher.dispatch_due()
    assert report.sent == 300
    keys = [key for _, key in messenger.sent]
    assert keys == [f"nudge-{i}" for i in ids]  # due order, nothing dropped
    times = [t for t, _ in messenger.sent]
    assert most_in_any_second(times) <= PER_SECOND + 1
    assert times[-1] - times[0] >= 299 / PER_SECOND - 0.01
