"""The dispatcher under faults, on every storage backend: retry-after storms, clock jumps,
follow-ups closed and people deleted while their nudges are claimed."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.commands import parse_command
from bot.dispatch import LEASE, Dispatcher
from bot.domain import Address, NudgeKind, NudgeStatus, Person
from bot.ports import Delivery, RetryAfter, Storage
from bot.services import FollowUpService, Requester
from bot.testing import FakeClock, FakeMessenger
from rules.engine import Rulebook
from tests.conftest import NEW_YORK

ALICE = Requester(Address("slack", "T1", "alice"))
BOB = Requester(Address("slack", "T1", "bob"))


def setup(
    storage: Storage, clock: FakeClock, rulebook: Rulebook, messenger: FakeMessenger
) -> tuple[FollowUpService, Dispatcher]:
    service = FollowUpService(storage, clock, rulebook, default_zone=NEW_YORK)
    dispatcher = Dispatcher(storage, messenger, clock, rulebook, default_zone=NEW_YORK)
    return service, dispatcher


async def met(service: FollowUpService, text: str, who: Requester = ALICE) -> None:
    reply = await service.handle(who, parse_command(text))
    assert not reply.is_error, reply.plain_text()


async def test_a_retry_after_storm_delivers_everything_in_order_never_early(
    storage: Storage, clock: FakeClock, rulebook: Rulebook, messenger: FakeMessenger
) -> None:
    service, dispatcher = setup(storage, clock, rulebook, messenger)
    await service.handle(ALICE, parse_command("/followups settings quiet off"))
    for n in range(5):
        await met(service, f'/met Person {n}, Acme {n}, interview when:"{50 - n * 10} minutes ago"')
    clock.advance(timedelta(hours=24))  # all five heads-ups are due, Person 0's first
    # The platform says "slow down" three times in a row, 20 s each time.
    messenger.answers.extend([RetryAfter(20), RetryAfter(20), RetryAfter(20)])
    allowed_from = clock.now()
    for _ in range(30):
        report = await dispatcher.dispatch_due()
        if report.retried:
            allowed_from = clock.now() + timedelta(seconds=20)
        if len(messenger.sent) == 5:
            break
        clock.advance(timedelta(seconds=5))
    names = [re.search(r"email to (.+?) at ", dm.message.plain_text())[1] for dm in messenger.sent]  # type: ignore[index]
    assert names == [f"Person {n}" for n in range(5)]  # all of them, in due order
    assert all(dm.at is not None and dm.at >= allowed_from for dm in messenger.sent)


async def test_nothing_is_sent_early_when_the_clock_jumps_back(
    storage: Storage, clock: FakeClock, rulebook: Rulebook, messenger: FakeMessenger
) -> None:
    service, dispatcher = setup(storage, clock, rulebook, messenger)
    await met(service, "/met Jane Doe, Acme, interview")
    clock.advance(timedelta(hours=24))
    batch = await dispatcher.claim()  # a replica claims the heads-up ...
    assert len(batch) == 1
    clock.set(clock.now() - timedelta(hours=3))  # ... and the clock is set back
    assert await dispatcher.claim() == []  # neither the lease nor later nudges are taken
    await dispatcher.deliver(batch)
    assert len(messenger.sent) == 1
    clock.advance(timedelta(hours=3, minutes=1))
    assert (await dispatcher.dispatch_due()).claimed == 0
    # Jumping far ahead: one late message per follow-up, not one per missed nudge.
    clock.advance(timedelta(days=3))
    report = await dispatcher.dispatch_due()
    assert report.sent == 1
    assert "late" in messenger.sent[-1].message.plain_text()


async def test_a_follow_up_done_while_its_nudge_is_claimed_gets_no_dm(
    storage: Storage, clock: FakeClock, rulebook: Rulebook, messenger: FakeMessenger
) -> None:
    service, dispatcher = setup(storage, clock, rulebook, messenger)
    await met(service, "/met Jane Doe, Acme, interview")
    clock.advance(timedelta(hours=24))
    batch = await dispatcher.claim()
    await service.handle(ALICE, parse_command("/followups done 1"))
    report = await dispatcher.deliver(batch)
    assert (report.sent, report.cancelled) == (0, 1)
    assert messenger.sent == []


async def test_a_person_deleted_while_claimed_gets_nothing_afterwards(
    storage: Storage, clock: FakeClock, rulebook: Rulebook, messenger: FakeMessenger
) -> None:
    service, dispatcher = setup(storage, clock, rulebook, messenger)
    await met(service, "/met Jane Doe, Acme, interview", ALICE)
    await met(service, "/met Raj Patel, Hooli, interview", BOB)
    clock.advance(timedelta(hours=24))
    batch = await dispatcher.claim()
    assert len(batch) == 2
    async with storage.session() as store:
        alice = await store.person(ALICE.address)
        assert alice is not None
        assert alice.id is not None
        await store.delete_person(alice.id)
    await dispatcher.deliver(batch)
    assert [dm.to.address for dm in messenger.sent] == [BOB.address]
    clock.advance(timedelta(days=30) + LEASE)
    await dispatcher.dispatch_due()
    assert all(dm.to.address == BOB.address for dm in messenger.sent)


class SlowToAnswer(FakeMessenger):
    """Counts sends; the first answer per nudge is a retry-after of 10 s."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__(clock)
        self.tried: set[str] = set()

    async def send_dm(self, to, message, *, key: str) -> Delivery:  # type: ignore[no-untyped-def]
        if key not in self.tried:
            self.tried.add(key)
            return RetryAfter(10)
        return await super().send_dm(to, message, key=key)


async def test_retry_after_is_honoured_exactly(
    storage: Storage, clock: FakeClock, rulebook: Rulebook
) -> None:
    messenger = SlowToAnswer(clock)
    service, dispatcher = setup(storage, clock, rulebook, messenger)
    await met(service, "/met Jane Doe, Acme, interview")
    clock.advance(timedelta(hours=24))
    asked_at = clock.now()
    await dispatcher.dispatch_due()
    clock.advance(timedelta(seconds=9, microseconds=999_000))
    await dispatcher.dispatch_due()
    assert messenger.sent == []
    clock.advance(timedelta(milliseconds=1))
    await dispatcher.dispatch_due()
    assert [dm.at for dm in messenger.sent] == [asked_at + timedelta(seconds=10)]


async def test_a_process_claims_only_the_platforms_it_serves(
    storage: Storage, clock: FakeClock, rulebook: Rulebook, messenger: FakeMessenger
) -> None:
    """The console (or a Slack-only replica) must not send, or mark sent, others' nudges."""
    service = FollowUpService(storage, clock, rulebook, default_zone=NEW_YORK)
    discord_student = Requester(Address("discord", "G1", "42"))
    await met(service, "/met Jane Doe, Acme, interview", ALICE)  # on Slack
    await met(service, "/met Raj Patel, Hooli, interview", discord_student)
    clock.advance(timedelta(hours=24))
    slack_only = Dispatcher(
        storage, messenger, clock, rulebook, default_zone=NEW_YORK, platforms=["slack"]
    )
    report = await slack_only.dispatch_due()
    assert report.sent == 1
    assert [dm.to.address.platform for dm in messenger.sent] == ["slack"]
    discord_side = Dispatcher(
        storage, messenger, clock, rulebook, default_zone=NEW_YORK, platforms=["discord"]
    )
    assert (await discord_side.dispatch_due()).sent == 1
    assert messenger.sent[-1].to.address == discord_student.address


async def test_a_batch_slower_than_its_lease_hands_the_rest_back_unsent(
    storage: Storage, clock: FakeClock, rulebook: Rulebook
) -> None:
    """Pacing that outlasts the lease must not let another replica send the same nudges."""

    class SlowPacer:
        async def wait_turn(self, to: Person) -> None:
            clock.advance(timedelta(seconds=50))  # each DM waits its turn for 50 s

    messenger = FakeMessenger(clock)
    service = FollowUpService(storage, clock, rulebook, default_zone=NEW_YORK)
    await service.handle(ALICE, parse_command("/followups settings quiet off"))
    for n in range(4):
        await met(service, f"/met Person {n}, Acme {n}, interview")
    clock.advance(timedelta(hours=24))
    first = Dispatcher(
        storage,
        messenger,
        clock,
        rulebook,
        default_zone=NEW_YORK,
        owner="a",
        pacer=SlowPacer(),
        concurrency=1,
    )
    report = await first.deliver(await first.claim())
    # Two-minute lease, 50 s a turn: two go out, the other two come back unsent and untried.
    assert (report.sent, report.retried) == (2, 2)
    second = Dispatcher(storage, messenger, clock, rulebook, default_zone=NEW_YORK, owner="b")
    assert (await second.dispatch_due()).sent == 2
    keys = [dm.key for dm in messenger.sent]
    assert len(keys) == len(set(keys)) == 4
    async with storage.session() as store:
        again = await store.claim_due_nudges(clock.now(), "c", clock.now() + LEASE, 10)
    assert again == []


async def test_a_replica_whose_lease_ran_out_cannot_overwrite_the_new_owner(
    storage: Storage, clock: FakeClock, rulebook: Rulebook, messenger: FakeMessenger
) -> None:
    service, _ = setup(storage, clock, rulebook, messenger)
    await met(service, "/met Jane Doe, Acme, interview")
    clock.advance(timedelta(hours=24))
    late = Dispatcher(storage, messenger, clock, rulebook, default_zone=NEW_YORK, owner="late")
    batch = await late.claim()
    clock.advance(LEASE + timedelta(seconds=1))
    fresh = Dispatcher(storage, messenger, clock, rulebook, default_zone=NEW_YORK, owner="fresh")
    taken = await fresh.claim()
    assert [n.id for n in taken] == [n.id for n in batch]
    for nudge in batch:  # the late replica tries to settle what is no longer its own
        nudge.status = NudgeStatus.FAILED
    async with storage.session() as store:
        await store.settle_nudges(batch, "late")
    await fresh.deliver(taken)
    async with storage.session() as store:
        assert await store.claim_due_nudges(clock.now(), "x", clock.now() + LEASE, 10) == []
        assert await store.nudges_sent(taken[0].follow_up_id) == {NudgeKind.HEADS_UP: 1}
