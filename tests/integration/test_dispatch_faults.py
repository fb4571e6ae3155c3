"""The dispatcher under faults, on every storage backend: retry-after storms, clock jumps,
follow-ups closed and people removed while their nudges are claimed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import text

from bot.commands import parse_command
from bot.dispatch import LEASE, SETTLE_EVERY
from bot.domain import Address, NudgeKind, NudgeStatus, Person
from bot.ports import Claim, Delivery, RetryAfter, Storage
from bot.services import Requester
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

ALICE = Requester(Address("slack", "T1", "alice"))
BOB = Requester(Address("slack", "T1", "bob"))


@pytest.fixture
def bot(
    storage: Storage, clock: FakeClock, rulebook: Rulebook, messenger: FakeMessenger
) -> TestBot:
    """The core on each storage backend."""
    return make_test_bot(storage, clock=clock, messenger=messenger, rulebook=rulebook)


async def met(bot: TestBot, text: str, who: Requester = ALICE) -> None:
    reply = await bot.service.handle(who, parse_command(text))
    assert not reply.is_error, reply.plain_text()


async def test_a_retry_after_storm_delivers_everything_in_order_never_early(bot: TestBot) -> None:
    # Five students, so five DMs (one student's heads-ups due together would be one).
    for n in range(5):
        student = Requester(Address("slack", "T1", f"student{n}"))
        await met(bot, "/followups settings quiet off", student)
        await met(
            bot,
            f'/met Person {n}, Acme {n}, interview when:"{50 - n * 10} minutes ago"',
            student,
        )
    bot.clock.advance(timedelta(hours=24))  # all five heads-ups are due, Person 0's first
    # The platform says "slow down" three times in a row, 20 s each time.
    bot.messenger.answers.extend([RetryAfter(20), RetryAfter(20), RetryAfter(20)])
    allowed_from = bot.clock.now()
    for _ in range(30):
        report = await bot.dispatcher.dispatch_due()
        if report.retried:
            allowed_from = bot.clock.now() + timedelta(seconds=20)
        if len(bot.messenger.sent) == 5:
            break
        bot.clock.advance(timedelta(seconds=5))
    names = [
        re.search(r"email to (.+?) at ", dm.message.plain_text())[1] for dm in bot.messenger.sent
    ]  # type: ignore[index]
    assert names == [f"Person {n}" for n in range(5)]  # all of them, in due order
    assert all(dm.at is not None and dm.at >= allowed_from for dm in bot.messenger.sent)


async def test_nothing_is_sent_early_when_the_clock_jumps_back(bot: TestBot) -> None:
    await met(bot, "/met Jane Doe, Acme, interview")
    bot.clock.advance(timedelta(hours=24))
    batch = await bot.dispatcher.claim()  # a replica claims the heads-up ...
    assert len(batch) == 1
    bot.clock.set(bot.clock.now() - timedelta(hours=3))  # ... and the clock is set back
    assert await bot.dispatcher.claim() == []  # neither the lease nor later nudges are taken
    await bot.dispatcher.deliver(batch)
    assert len(bot.messenger.sent) == 1
    bot.clock.advance(timedelta(hours=3, minutes=1))
    assert (await bot.dispatcher.dispatch_due()).claimed == 0
    # Jumping far ahead: one late message per follow-up, not one per missed nudge.
    bot.clock.advance(timedelta(days=3))
    report = await bot.dispatcher.dispatch_due()
    assert report.sent == 1
    assert "late" in bot.messenger.sent[-1].message.plain_text()


async def test_a_follow_up_done_while_its_nudge_is_claimed_gets_no_dm(bot: TestBot) -> None:
    await met(bot, "/met Jane Doe, Acme, interview")
    bot.clock.advance(timedelta(hours=24))
    batch = await bot.dispatcher.claim()
    await met(bot, "/followups done 1")
    report = await bot.dispatcher.deliver(batch)
    assert (report.sent, report.cancelled) == (0, 1)
    assert bot.messenger.sent == []


async def remove_person(storage: Storage, person_id: int) -> None:
    """A person's rows removed behind the bot's back, as an operator's clean-up would."""
    if isinstance(storage, InMemoryStorage):
        tables = storage.tables
        gone = {i for i, f in tables.follow_ups.items() if f.person_id == person_id}
        tables.nudges = {i: n for i, n in tables.nudges.items() if n.follow_up_id not in gone}
        tables.follow_ups = {i: f for i, f in tables.follow_ups.items() if i not in gone}
        tables.people.pop(person_id)
        return
    assert isinstance(storage, SqlStorage)
    theirs = "SELECT id FROM follow_ups WHERE person_id = :person"
    async with storage.engine.begin() as connection:
        for statement in (
            f"DELETE FROM nudges WHERE follow_up_id IN ({theirs})",
            "DELETE FROM follow_ups WHERE person_id = :person",
            "DELETE FROM conversations WHERE person_id = :person",
            "DELETE FROM people WHERE id = :person",
        ):
            await connection.execute(text(statement), {"person": person_id})


async def test_a_person_removed_while_claimed_gets_nothing_afterwards(bot: TestBot) -> None:
    await met(bot, "/met Jane Doe, Acme, interview", ALICE)
    await met(bot, "/met Raj Patel, Hooli, interview", BOB)
    bot.clock.advance(timedelta(hours=24))
    batch = await bot.dispatcher.claim()
    assert len(batch) == 2
    async with bot.storage.session() as uow:
        alice = await uow.people.get(ALICE.address)
    assert alice is not None
    assert alice.id is not None
    await remove_person(bot.storage, alice.id)
    await bot.dispatcher.deliver(batch)
    assert [dm.to.address for dm in bot.messenger.sent] == [BOB.address]
    bot.clock.advance(timedelta(days=30) + LEASE)
    await bot.dispatcher.dispatch_due()
    assert all(dm.to.address == BOB.address for dm in bot.messenger.sent)


class SlowToAnswer(FakeMessenger):
    """Counts sends; the first answer per nudge is a retry-after of 10 s."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__(clock)
        self.tried: set[str] = set()

    async def send_dm(self, to, message, *, key: str, maybe_sent: bool = False) -> Delivery:  # type: ignore[no-untyped-def]
        if key not in self.tried:
            self.tried.add(key)
            return RetryAfter(10)
        return await super().send_dm(to, message, key=key)


async def test_retry_after_is_honoured_exactly(
    storage: Storage, clock: FakeClock, rulebook: Rulebook
) -> None:
    bot = make_test_bot(storage, clock=clock, messenger=SlowToAnswer(clock), rulebook=rulebook)
    await met(bot, "/met Jane Doe, Acme, interview")
    bot.clock.advance(timedelta(hours=24))
    asked_at = bot.clock.now()
    await bot.dispatcher.dispatch_due()
    bot.clock.advance(timedelta(seconds=9, microseconds=999_000))
    await bot.dispatcher.dispatch_due()
    assert bot.messenger.sent == []
    bot.clock.advance(timedelta(milliseconds=1))
    await bot.dispatcher.dispatch_due()
    assert [dm.at for dm in bot.messenger.sent] == [asked_at + timedelta(seconds=10)]


async def test_a_process_claims_only_the_platforms_it_serves(bot: TestBot) -> None:
    """The console (or a Slack-only replica) must not send, or mark sent, others' nudges."""
    discord_student = Requester(Address("discord", "G1", "42"))
    await met(bot, "/met Jane Doe, Acme, interview", ALICE)  # on Slack
    await met(bot, "/met Raj Patel, Hooli, interview", discord_student)
    bot.clock.advance(timedelta(hours=24))
    report = await bot.replica(platforms=["slack"]).dispatch_due()
    assert report.sent == 1
    assert [dm.to.address.platform for dm in bot.messenger.sent] == ["slack"]
    assert (await bot.replica(platforms=["discord"]).dispatch_due()).sent == 1
    assert bot.messenger.sent[-1].to.address == discord_student.address


async def test_a_batch_slower_than_its_lease_hands_the_rest_back_unsent(bot: TestBot) -> None:
    """Pacing that outlasts the lease must not let another replica send the same nudges."""

    class SlowPacer:
        async def wait_turn(self, to: Person, requests: int = 1) -> None:
            bot.clock.advance(timedelta(seconds=50))  # each DM waits its turn for 50 s

    for n in range(4):  # four students: four DMs
        student = Requester(Address("slack", "T1", f"student{n}"))
        await met(bot, "/followups settings quiet off", student)
        await met(bot, f"/met Person {n}, Acme {n}, interview", student)
    bot.clock.advance(timedelta(hours=24))
    first = bot.replica(owner="a", pacer=SlowPacer(), concurrency=1)
    report = await first.deliver(await first.claim())
    # Two-minute lease, 50 s a turn: two go out, the other two come back unsent and untried.
    assert (report.sent, report.retried) == (2, 2)
    assert (await bot.replica(owner="b").dispatch_due()).sent == 2
    keys = [dm.key for dm in bot.messenger.sent]
    assert len(keys) == len(set(keys)) == 4
    now = bot.clock.now()
    async with bot.storage.session() as uow:
        assert await uow.outbox.claim_due(Claim(now, "c", now + LEASE, 10)) == []


async def test_a_replica_whose_lease_ran_out_cannot_overwrite_the_new_owner(bot: TestBot) -> None:
    await met(bot, "/met Jane Doe, Acme, interview")
    bot.clock.advance(timedelta(hours=24))
    late = bot.replica(owner="late")
    batch = await late.claim()
    bot.clock.advance(LEASE + timedelta(seconds=1))
    fresh = bot.replica(owner="fresh")
    taken = await fresh.claim()
    assert [n.id for n in taken] == [n.id for n in batch]
    for nudge in batch:  # the late replica tries to settle what is no longer its own
        nudge.status = NudgeStatus.FAILED
    async with bot.storage.session() as uow:
        await uow.outbox.settle(batch, "late")
    await fresh.deliver(taken)
    now = bot.clock.now()
    async with bot.storage.session() as uow:
        assert await uow.outbox.claim_due(Claim(now, "x", now + LEASE, 10)) == []
        assert await uow.outbox.sent_counts(taken[0].follow_up_id) == {NudgeKind.HEADS_UP: 1}


async def test_a_replica_killed_mid_drain_repeats_at_most_a_few_dms(bot: TestBot) -> None:
    # 60 students' heads-ups due together; the replica sending them dies after the 40th DM.
    for n in range(60):
        student = Requester(Address("slack", "T1", f"student-{n}"))
        await met(bot, "/followups settings quiet off", student)
        await met(bot, f"/met Person {n}, Acme {n}, interview", student)
    bot.clock.advance(timedelta(hours=24))
    doomed = bot.replica(owner="doomed", messenger=killed_after(bot.messenger, 40), concurrency=4)
    with pytest.raises(ReplicaKilled):
        await doomed.dispatch_due()
    assert len(bot.messenger.sent) == 40
    # Its lease runs out; another replica sends what wasn't settled as sent.
    bot.clock.advance(LEASE + timedelta(seconds=1))
    await bot.replica(owner="survivor").dispatch_due()
    keys = [dm.key for dm in bot.messenger.sent]
    repeats = len(keys) - len(set(keys))
    assert len(set(keys)) == 60  # none lost
    # At most two groups of settling and the four sends in flight, not the batch.
    assert repeats <= 2 * SETTLE_EVERY + 4
