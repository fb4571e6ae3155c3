"""Pacing: a flood drains at the platform's limit, in due order, nothing dropped; the shared
limit holds across replicas (on every storage backend)."""

from __future__ import annotations

import asyncio
from collections import Counter
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
SHARED = PaceRule("discord:bot", PER_SECOND, timedelta(seconds=1), shared=True)


class FakeTime:
    """Monotonic and wall time that move only when someone sleeps."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0)
        await asyncio.sleep(0)


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
    per_second = Counter(int(t) for t in sent_at)
    assert len(sent_at) == 200
    assert max(per_second.values()) <= PER_SECOND
    assert len(per_second) == 5  # 200 sends at 45 a second: five windows


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
        engine, pending=300, due_at=T0, spread=timedelta(seconds=59), platform="discord"
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
    per_second = Counter(int(t) for t, _ in messenger.sent)
    assert max(per_second.values()) <= PER_SECOND
    assert len(per_second) >= 300 // PER_SECOND
