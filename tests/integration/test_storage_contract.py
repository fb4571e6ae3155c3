"""One contract for every Storage: the in-memory fake, SQLite and PostgreSQL behave alike."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.domain import (
    Address,
    Conversation,
    FollowUp,
    FollowUpStatus,
    JobStatus,
    LinkedInPlan,
    Nudge,
    NudgeKind,
    NudgeStatus,
    Person,
)
from bot.ports import Storage, Store
from bot.storage.sql import SqlStorage
from bot.testing import InMemoryStorage
from rules.engine import QuietHours

T0 = datetime(2026, 3, 6, 20, 0, tzinfo=UTC)


async def add_person(store: Store, user: str = "alice") -> Person:
    return await store.add_person(Person(Address("slack", "T1", user), created_at=T0))


async def add_follow_up(
    store: Store, person: Person, number: int, company: str = "Acme"
) -> FollowUp:
    assert person.id is not None
    conversation = await store.add_conversation(
        Conversation(
            person_id=person.id,
            contact_name="Jane Doe",
            company=company,
            kind="interview",
            met_at=T0,
            created_at=T0,
            topics="Kafka",
        )
    )
    assert conversation.id is not None
    (follow_up,) = await store.add_follow_ups(
        [
            FollowUp(
                person_id=person.id,
                conversation_id=conversation.id,
                number=number,
                methods=("linkedin", "email"),
                ideal_by=T0 + timedelta(hours=48),
                due_by=T0 + timedelta(days=21),
            )
        ]
    )
    return follow_up


async def test_person_round_trip(storage: Storage) -> None:
    async with storage.session() as store:
        person = await add_person(store)
        person.name = "Alex Kim"
        person.timezone = "Europe/Berlin"
        person.quiet_hours = QuietHours(time(22, 0), time(8, 0))
        person.nudges_on = False
        person.job_status = JobStatus.ACCEPTED
        person.linkedin_plan = LinkedInPlan.PREMIUM
        await store.update_person(person)
    async with storage.session() as store:
        loaded = await store.person(Address("slack", "T1", "alice"))
        assert loaded == person
        assert loaded.created_at.tzinfo is not None
        assert await store.person(Address("slack", "T2", "alice")) is None


async def test_an_error_rolls_the_unit_of_work_back(storage: Storage) -> None:
    async def add_then_fail() -> None:
        async with storage.session() as store:
            await add_person(store)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await add_then_fail()
    async with storage.session() as store:
        assert await store.person(Address("slack", "T1", "alice")) is None


async def test_numbers_are_allocated_per_person_and_never_reused(storage: Storage) -> None:
    async with storage.session() as store:
        alice, bob = await add_person(store, "alice"), await add_person(store, "bob")
        assert alice.id is not None
        assert bob.id is not None
        assert await store.allocate_numbers(alice.id, 2) == [1, 2]
        assert await store.allocate_numbers(bob.id, 1) == [1]
        assert await store.allocate_numbers(alice.id, 1) == [3]


async def test_follow_ups_are_scoped_to_their_person(storage: Storage) -> None:
    async with storage.session() as store:
        alice, bob = await add_person(store, "alice"), await add_person(store, "bob")
        follow_up = await add_follow_up(store, alice, 1)
        assert alice.id is not None
        assert bob.id is not None
        assert follow_up.id is not None
        found = await store.follow_up(alice.id, 1)
        assert found is not None
        assert found[0] == follow_up
        assert found[1].contact_name == "Jane Doe"
        assert await store.follow_up(bob.id, 1) is None
        assert await store.follow_up_by_id(bob.id, follow_up.id) is None
        assert await store.follow_up_by_id(alice.id, follow_up.id) is not None
        assert [f for f, _ in await store.open_follow_ups(alice.id)] == [follow_up]
        assert await store.open_follow_ups(bob.id) == []
        follow_up.status = FollowUpStatus.DONE
        follow_up.done_via = "email"
        await store.update_follow_up(follow_up)
        assert await store.open_follow_ups(alice.id) == []


async def test_conversations_at_a_company(storage: Storage) -> None:
    async with storage.session() as store:
        alice = await add_person(store)
        assert alice.id is not None
        await add_follow_up(store, alice, 1, company="Acme, Inc.")
        await add_follow_up(store, alice, 2, company="Globex")
        found = await store.conversations_at(alice.id, "acme")
        assert [c.company for c in found] == ["Acme, Inc."]


async def test_replace_and_cancel_pending_nudges(storage: Storage) -> None:
    async with storage.session() as store:
        alice = await add_person(store)
        follow_up = await add_follow_up(store, alice, 1)
        assert follow_up.id is not None
        first = [Nudge(follow_up.id, NudgeKind.HEADS_UP, T0 + timedelta(hours=24))]
        await store.replace_pending_nudges(follow_up.id, first, T0)
        second = [
            Nudge(follow_up.id, NudgeKind.LAST_CALL, T0 + timedelta(hours=47)),
            Nudge(follow_up.id, NudgeKind.HEADS_UP, T0 + timedelta(hours=25)),
        ]
        await store.replace_pending_nudges(follow_up.id, second, T0)
        pending = await store.pending_nudges(follow_up.id)
        assert [n.due_at for n in pending] == [T0 + timedelta(hours=25), T0 + timedelta(hours=47)]
        assert all(n.id is not None for n in second)
        assert await store.next_due_at() == T0 + timedelta(hours=25)
        assert await store.cancel_pending_nudges(follow_up.id, "done") == 2
        assert await store.pending_nudges(follow_up.id) == []
        assert await store.next_due_at() is None


async def test_claim_takes_due_rows_in_order_with_a_lease(storage: Storage) -> None:
    async with storage.session() as store:
        alice = await add_person(store)
        follow_up = await add_follow_up(store, alice, 1)
        assert follow_up.id is not None
        await store.replace_pending_nudges(
            follow_up.id,
            [
                Nudge(follow_up.id, NudgeKind.LAST_CALL, T0 + timedelta(hours=3)),
                Nudge(follow_up.id, NudgeKind.HEADS_UP, T0 + timedelta(hours=1)),
                Nudge(follow_up.id, NudgeKind.REMINDER, T0 + timedelta(hours=2)),
                Nudge(follow_up.id, NudgeKind.WINDOW_CLOSED, T0 + timedelta(days=30)),
            ],
            T0,
        )
    now = T0 + timedelta(hours=5)
    lease = now + timedelta(minutes=2)
    async with storage.session() as store:
        claimed = await store.claim_due_nudges(now, "replica-a", lease, limit=2)
    assert [n.kind for n in claimed] == [NudgeKind.HEADS_UP, NudgeKind.REMINDER]
    assert all(n.status is NudgeStatus.SENDING and n.lease_owner == "replica-a" for n in claimed)
    assert all(n.attempts == 1 and n.lease_expires_at == lease for n in claimed)
    async with storage.session() as store:
        rest = await store.claim_due_nudges(now, "replica-b", lease, limit=10)
        assert [n.kind for n in rest] == [NudgeKind.LAST_CALL]
        assert await store.claim_due_nudges(now, "replica-b", lease, limit=10) == []
    # A lease that expired (its replica crashed) is claimed again.
    later = lease + timedelta(seconds=1)
    async with storage.session() as store:
        again = await store.claim_due_nudges(later, "replica-c", later + timedelta(minutes=2), 10)
    assert sorted(n.kind for n in again) == sorted(
        [NudgeKind.HEADS_UP, NudgeKind.REMINDER, NudgeKind.LAST_CALL]
    )
    assert all(n.attempts == 2 or n.kind is NudgeKind.LAST_CALL for n in again)


async def test_settled_nudge_round_trip_and_context(storage: Storage) -> None:
    async with storage.session() as store:
        alice = await add_person(store)
        follow_up = await add_follow_up(store, alice, 1)
        assert follow_up.id is not None
        await store.replace_pending_nudges(
            follow_up.id, [Nudge(follow_up.id, NudgeKind.HEADS_UP, T0)], T0
        )
        (nudge,) = await store.claim_due_nudges(T0, "me", T0 + timedelta(minutes=2), 10)
        assert nudge.id is not None
        nudge.status = NudgeStatus.SENT
        nudge.sent_at = T0 + timedelta(seconds=1)
        nudge.lease_owner = nudge.lease_expires_at = None
        await store.settle_nudges([nudge])
        gone = Nudge(follow_up.id, NudgeKind.LAST_CALL, T0, id=nudge.id + 1000)
        contexts = await store.nudge_contexts([nudge, gone])
        assert list(contexts) == [nudge.id]  # a nudge that isn't there is left out
        context = contexts[nudge.id]
        assert context.nudge is nudge
        assert context.follow_up == follow_up
        assert context.person.address == alice.address
    async with storage.session() as store:
        assert await store.nudges_sent(follow_up.id) == {NudgeKind.HEADS_UP: 1}
        later = T0 + timedelta(hours=1)
        assert await store.claim_due_nudges(later, "me", later + timedelta(minutes=2), 10) == []


async def test_marking_sent_settles_only_the_rows_the_owner_holds(storage: Storage) -> None:
    async with storage.session() as store:
        alice = await add_person(store)
        follow_up = await add_follow_up(store, alice, 1)
        assert follow_up.id is not None
        await store.replace_pending_nudges(
            follow_up.id,
            [
                Nudge(follow_up.id, NudgeKind.HEADS_UP, T0),
                Nudge(follow_up.id, NudgeKind.LAST_CALL, T0 + timedelta(seconds=1)),
            ],
            T0 - timedelta(hours=1),
        )
        lease = T0 + timedelta(minutes=2)
        mine, other = await store.claim_due_nudges(T0 + timedelta(seconds=1), "me", lease, 10)
        assert mine.id is not None
        assert other.id is not None
        sent_at = T0 + timedelta(seconds=5)
        await store.mark_sent([mine.id], sent_at, "me")
        await store.mark_sent([other.id], sent_at, "someone else")  # not theirs: unchanged
    async with storage.session() as store:
        assert await store.nudges_sent(follow_up.id) == {
            NudgeKind.HEADS_UP: 1,
            NudgeKind.LAST_CALL: 1,  # still sending, under its lease
        }
        after_lease = lease + timedelta(seconds=1)
        (again,) = await store.claim_due_nudges(
            after_lease, "me", after_lease + timedelta(minutes=2), 10
        )
        assert again.id == other.id
        assert again.attempts == 2


async def test_values_the_bot_keeps(storage: Storage) -> None:
    async with storage.session() as store:
        assert await store.get_value("discord:commands") is None
        await store.set_value("discord:commands", "abc", T0)
        await store.set_value("discord:commands", "def", T0)
    async with storage.session() as store:
        assert await store.get_value("discord:commands") == "def"


async def test_a_replan_keeps_what_is_due_or_retrying_and_counts_what_went_out(
    storage: Storage,
) -> None:
    async with storage.session() as store:
        alice = await add_person(store)
        follow_up = await add_follow_up(store, alice, 1)
        assert follow_up.id is not None
        await store.replace_pending_nudges(
            follow_up.id,
            [
                Nudge(follow_up.id, NudgeKind.HEADS_UP, T0),
                Nudge(follow_up.id, NudgeKind.LAST_CALL, T0 + timedelta(hours=1)),
                Nudge(follow_up.id, NudgeKind.LAST_CALL, T0 + timedelta(hours=5)),
                Nudge(follow_up.id, NudgeKind.REMINDER, T0 + timedelta(days=7)),
            ],
            T0,
        )
        # The heads-up went out; the first last call was told to retry in an hour.
        now = T0 + timedelta(hours=1)
        claimed = await store.claim_due_nudges(now, "me", now + timedelta(minutes=2), 10)
        heads_up, last_call = sorted(claimed, key=lambda n: n.due_at)
        heads_up.status = NudgeStatus.SENT
        last_call.status = NudgeStatus.PENDING
        last_call.next_attempt_at = now + timedelta(hours=1)
        await store.settle_nudges([heads_up, last_call])
        assert await store.nudges_sent(follow_up.id) == {NudgeKind.HEADS_UP: 1}
        await store.replace_pending_nudges(
            follow_up.id, [Nudge(follow_up.id, NudgeKind.REMINDER, T0 + timedelta(days=8))], now
        )
        kept = [(n.kind, n.due_at) for n in await store.pending_nudges(follow_up.id)]
        assert kept == [
            (NudgeKind.LAST_CALL, T0 + timedelta(hours=1)),  # retrying: kept
            (NudgeKind.REMINDER, T0 + timedelta(days=8)),  # the re-plan
        ]


async def test_short_lived_values_are_forgotten_by_prefix_and_age(storage: Storage) -> None:
    async with storage.session() as store:
        await store.set_value("slack:seen:a", "1", T0)
        await store.set_value("slack:seen:b", "1", T0 + timedelta(minutes=10))
        await store.set_value("slack:seenXc", "1", T0)  # "_" and "%" in a prefix are literal
        await store.set_value("slack_seen:d", "1", T0)
        await store.set_value("discord:commands", "abc", T0)
    async with storage.session() as store:
        assert await store.delete_values("slack:seen:", T0 + timedelta(minutes=5)) == 1
        assert await store.delete_values("slack_", T0 + timedelta(minutes=5)) == 1
    async with storage.session() as store:
        assert await store.get_value("slack:seen:a") is None
        assert await store.get_value("slack:seen:b") == "1"
        assert await store.get_value("slack:seenXc") == "1"
        assert await store.get_value("slack_seen:d") is None
        assert await store.get_value("discord:commands") == "abc"


async def test_adding_a_value_claims_its_key_once(storage: Storage) -> None:
    async with storage.session() as store:
        assert await store.add_value("slack:seen:x", "first", T0)
        assert not await store.add_value("slack:seen:x", "second", T0)
    async with storage.session() as store:
        assert await store.get_value("slack:seen:x") == "first"


async def test_of_concurrent_claims_of_one_key_exactly_one_wins(storage: Storage) -> None:
    """Replicas handling the same request at the same moment."""
    if isinstance(storage, InMemoryStorage) or (
        isinstance(storage, SqlStorage) and storage.engine.dialect.name == "sqlite"
    ):
        pytest.skip("one writer at a time here: two transactions can't both be open")
    ready = asyncio.Barrier(2)

    async def claim(value: str) -> bool:
        async with storage.session() as store:
            await store.get_value("other")  # both transactions are open before either adds
            await ready.wait()
            return await store.add_value("slack:seen:y", value, T0)

    results = await asyncio.gather(claim("a"), claim("b"))
    assert sorted(results) == [False, True]


async def test_recorded_names_are_the_persons_own(storage: Storage) -> None:
    async with storage.session() as store:
        alice, bob = await add_person(store, "alice"), await add_person(store, "bob")
        assert alice.id is not None
        assert bob.id is not None
        await add_follow_up(store, alice, 1, company="Acme")
        await store.add_conversation(
            Conversation(
                person_id=alice.id,
                contact_name="Sam Lee",
                company="Initech",
                kind="networking",
                met_at=T0,
                created_at=T0,
                event="Tech Mixer",
            )
        )
        assert await store.recorded_names(alice.id) == {
            "Jane Doe",
            "Acme",
            "Sam Lee",
            "Initech",
            "Tech Mixer",
        }
        assert await store.recorded_names(bob.id) == set()
