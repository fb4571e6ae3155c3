"""The fair evening DM and a student's nudges due at the same moment go out as one DM, on
memory, SQLite and PostgreSQL: one DM per moment, and after a crash, the same DM once more."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.dispatch import LEASE
from bot.domain import FairList, FollowUp, Nudge, NudgeKind, NudgeStatus, Person
from bot.ports import RetryAfter, Storage
from bot.prometheus import PrometheusMetrics
from bot.replies import ActionKind
from bot.storage.mapping import nudge_from
from bot.storage.schema import nudges
from bot.storage.sql import SqlStorage
from bot.testing import (
    FakeClock,
    FakeMessenger,
    InMemoryStorage,
    ReplicaKilled,
    TestBot,
    killed_after,
    make_test_bot,
)
from rules.engine import Rulebook
from tests.integration.test_fair_storage import a_list
from tests.integration.test_storage_contract import T0, add_follow_up, add_person

# The fair's evening DM is due at 19:00 (EST): T0 + 4 h.
EVENING = T0 + timedelta(hours=4)


class Student:
    """Alice, her fair list with its evening DM due at EVENING, her follow-ups by number and
    the id of each one's heads-up."""

    def __init__(
        self, person: Person, fair: FairList, follow_ups: list[FollowUp], nudges: list[int]
    ) -> None:
        self.person, self.fair, self.follow_ups, self.nudges = person, fair, follow_ups, nudges


async def student(storage: Storage, *due: timedelta) -> Student:
    """Alice with a fair evening due at EVENING, and a follow-up for each of `due`, whose
    heads-up falls due that long after EVENING."""
    async with storage.session() as uow:
        alice = await add_person(uow)
        fair = a_list(alice)
        fair.evening_due_at = EVENING
        fair = await uow.fairs.add(fair)
        follow_ups, nudges = [], []
        for number, after in enumerate(due, 1):
            follow_up = await add_follow_up(uow, alice, number, f"Company {number}")
            assert follow_up.id is not None
            heads_up = Nudge(follow_up.id, NudgeKind.HEADS_UP, EVENING + after)
            await uow.outbox.replace_pending(follow_up.id, [heads_up], T0)
            follow_ups.append(follow_up)
            nudges.append(heads_up.id or 0)
    return Student(alice, fair, follow_ups, nudges)


async def statuses(storage: Storage, who: Student) -> tuple[NudgeStatus, list[NudgeStatus]]:
    """The evening DM's status, and each follow-up's heads-up's, by number."""
    async with storage.session() as uow:
        assert who.person.id is not None
        assert who.fair.id is not None
        fair = await uow.fairs.by_id(who.person.id, who.fair.id)
        assert fair is not None
    if isinstance(storage, InMemoryStorage):
        rows = list(storage.tables.nudges.values())
    else:
        assert isinstance(storage, SqlStorage)
        async with storage.engine.connect() as db:
            rows = [nudge_from(row) for row in (await db.execute(select(nudges))).tuples()]
    by_follow_up = {n.follow_up_id: n.status for n in rows}
    return fair.evening_status, [by_follow_up[f.id or 0] for f in who.follow_ups]


@pytest.fixture
def metrics() -> PrometheusMetrics:
    return PrometheusMetrics(["slack"])


@pytest.fixture
def bot(
    storage: Storage,
    rulebook: Rulebook,
    messenger: FakeMessenger,
    metrics: PrometheusMetrics,
) -> TestBot:
    """The core on each storage backend, its clock at the fair's evening."""
    clock = FakeClock(EVENING)
    messenger.clock = clock
    return make_test_bot(
        storage, clock=clock, messenger=messenger, rulebook=rulebook, metrics=metrics
    )


async def test_the_evening_dm_holds_the_nudges_due_within_the_moment(
    bot: TestBot, metrics: PrometheusMetrics
) -> None:
    assert bot.rulebook.timing.together_within == timedelta(minutes=30)
    who = await student(
        bot.storage, timedelta(minutes=10), timedelta(minutes=10), timedelta(minutes=60)
    )
    first, second, later = who.nudges
    report = await bot.dispatcher.dispatch_due()
    (dm,) = bot.messenger.sent
    assert dm.key == f"fair-evening-{who.fair.id}+nudge-{first}+{second}"
    text = dm.message.plain_text()
    assert "Your checklist for Spring Career Fair today" in text
    assert "#1" in text
    assert "Company 1" in text
    assert "#2" in text
    assert "Company 2" in text
    assert "#3" not in text
    assert "Company 3" not in text
    # Each nudge with its buttons, as in any moment's DM.
    assert {(a.kind, a.number) for a in dm.message.actions} >= {
        (ActionKind.DONE, 1),
        (ActionKind.DONE, 2),
    }
    assert await statuses(bot.storage, who) == (
        NudgeStatus.SENT,
        [NudgeStatus.SENT, NudgeStatus.SENT, NudgeStatus.PENDING],
    )
    assert (report.claimed, report.sent) == (3, 3)  # the evening and two nudges
    # The nudges sent inside the evening's DM count as nudges sent.
    assert metrics.sent.labels("slack")._value.get() == 2
    assert metrics.claimed.labels("slack")._value.get() == 2
    # Later sweeps of the moment send nothing more; #3 goes out on its own at 20:00.
    await bot.dispatcher.dispatch_due()
    bot.clock.advance(timedelta(minutes=60))
    await bot.dispatcher.dispatch_due()
    assert [dm.key for dm in bot.messenger.sent[1:]] == [f"nudge-{later}"]
    assert metrics.sent.labels("slack")._value.get() == 3


async def test_a_nudge_due_now_takes_the_evening_due_within_the_moment(bot: TestBot) -> None:
    # The nudge is due at 18:50, the evening at 19:00: one DM at 18:50.
    who = await student(bot.storage, timedelta(minutes=-10))
    bot.clock.set(EVENING - timedelta(minutes=10))
    await bot.dispatcher.dispatch_due()
    (dm,) = bot.messenger.sent
    assert dm.key == f"fair-evening-{who.fair.id}+nudge-{who.nudges[0]}"
    assert await statuses(bot.storage, who) == (NudgeStatus.SENT, [NudgeStatus.SENT])


async def test_an_evening_further_off_waits_for_its_own_moment(bot: TestBot) -> None:
    who = await student(bot.storage, timedelta(minutes=-40))
    bot.clock.set(EVENING - timedelta(minutes=40))
    await bot.dispatcher.dispatch_due()
    assert [dm.key for dm in bot.messenger.sent] == [f"nudge-{who.nudges[0]}"]
    bot.clock.set(EVENING)
    await bot.dispatcher.dispatch_due()
    assert [dm.key for dm in bot.messenger.sent[1:]] == [f"fair-evening-{who.fair.id}"]


async def test_a_crash_after_the_claim_sends_the_same_dm_once_more(bot: TestBot) -> None:
    who = await student(bot.storage, timedelta(minutes=10), timedelta(minutes=20))
    doomed = bot.replica(owner="doomed", messenger=killed_after(bot.messenger, 1))
    with pytest.raises(ReplicaKilled):
        await doomed.dispatch_due()  # sent, never settled
    assert len(bot.messenger.sent) == 1
    # Nothing is claimed again while its lease holds, not even the nudges alone.
    bot.clock.advance(timedelta(minutes=1))
    await bot.dispatcher.dispatch_due()
    assert len(bot.messenger.sent) == 1
    bot.clock.advance(LEASE)
    await bot.replica(owner="survivor").dispatch_due()
    first, again = bot.messenger.sent
    assert again.key == first.key  # the platform recognises the repeat (nonce, metadata)
    assert first.key == f"fair-evening-{who.fair.id}+nudge-" + "+".join(map(str, who.nudges))
    assert await statuses(bot.storage, who) == (
        NudgeStatus.SENT,
        [NudgeStatus.SENT, NudgeStatus.SENT],
    )
    bot.clock.advance(LEASE * 2)
    await bot.replica(owner="survivor").dispatch_due()
    assert len(bot.messenger.sent) == 2


async def test_a_rate_limited_evening_dm_retries_its_nudges_with_it(bot: TestBot) -> None:
    who = await student(bot.storage, timedelta(minutes=10))
    bot.messenger.answers.append(RetryAfter(60))
    report = await bot.dispatcher.dispatch_due()
    assert (report.sent, report.retried) == (0, 1)
    assert await statuses(bot.storage, who) == (NudgeStatus.PENDING, [NudgeStatus.PENDING])
    bot.clock.advance(timedelta(seconds=61))
    await bot.dispatcher.dispatch_due()
    (dm,) = bot.messenger.sent
    assert dm.key == f"fair-evening-{who.fair.id}+nudge-{who.nudges[0]}"
    assert await statuses(bot.storage, who) == (NudgeStatus.SENT, [NudgeStatus.SENT])


async def test_replicas_side_by_side_send_each_evening_and_nudge_once(bot: TestBot) -> None:
    fairs, nudge_ids = [], []
    for n in range(12):
        async with bot.storage.session() as uow:
            someone = await add_person(uow, f"student{n}")
            fair = a_list(someone)
            fair.evening_due_at = EVENING
            fairs.append((await uow.fairs.add(fair)).id or 0)
            for number in (1, 2):
                follow_up = await add_follow_up(uow, someone, number, f"Company {number}")
                assert follow_up.id is not None
                heads_up = Nudge(follow_up.id, NudgeKind.HEADS_UP, EVENING + timedelta(minutes=5))
                await uow.outbox.replace_pending(follow_up.id, [heads_up], T0)
                nudge_ids.append(heads_up.id or 0)
    replicas = [bot.replica(owner=f"r{n}") for n in range(3)]
    await asyncio.gather(*(r.dispatch_due() for r in replicas))
    keys = [dm.key for dm in bot.messenger.sent]
    evenings = [int(key.split("+")[0].removeprefix("fair-evening-")) for key in keys]
    sent_nudges = [int(part) for key in keys for part in key.split("nudge-")[1].split("+")]
    # Each row once, and each student one DM holding all three.
    assert sorted(evenings) == sorted(fairs)
    assert sorted(sent_nudges) == sorted(nudge_ids)
