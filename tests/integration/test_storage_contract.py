"""One contract for every Storage: the in-memory fake, SQLite and PostgreSQL behave alike."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from bot.domain import (
    REASON_LENGTH,
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
    Workspace,
)
from bot.names import people_phrase
from bot.ports import Claim, Storage, UnitOfWork
from bot.storage.mapping import nudge_from
from bot.storage.schema import nudges
from bot.storage.sql import SqlStorage
from bot.testing import InMemoryStorage
from rules.engine import QuietHours

T0 = datetime(2026, 3, 6, 20, 0, tzinfo=UTC)


async def add_person(uow: UnitOfWork, user: str = "alice") -> Person:
    return await uow.people.add(Person(Address("slack", "T1", user), created_at=T0))


async def add_follow_up(
    uow: UnitOfWork, person: Person, number: int, company: str = "Acme"
) -> FollowUp:
    assert person.id is not None
    conversation = await uow.follow_ups.add_conversation(
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
    (follow_up,) = await uow.follow_ups.add(
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


async def follow_up_with_nudges(
    uow: UnitOfWork, *nudges: tuple[NudgeKind, timedelta], planned_at: datetime = T0
) -> FollowUp:
    """Alice's follow-up #1, with nudges of these kinds due this long after T0."""
    follow_up = await add_follow_up(uow, await add_person(uow), 1)
    assert follow_up.id is not None
    planned = [Nudge(follow_up.id, kind, T0 + after) for kind, after in nudges]
    await uow.outbox.replace_pending(follow_up.id, planned, planned_at)
    return follow_up


async def pending_nudges(storage: Storage, follow_up_id: int) -> list[tuple[NudgeKind, datetime]]:
    """A follow-up's pending nudges (kind, due), in due order, as stored: read beside the port,
    which has no such read (the dispatcher only claims)."""
    if isinstance(storage, InMemoryStorage):
        found = list(storage.tables.nudges.values())
    else:
        assert isinstance(storage, SqlStorage)
        async with storage.engine.connect() as db:
            found = [nudge_from(row) for row in (await db.execute(select(nudges))).tuples()]
    mine = [n for n in found if n.follow_up_id == follow_up_id and n.status is NudgeStatus.PENDING]
    return [(n.kind, n.due_at) for n in sorted(mine, key=lambda n: (n.due_at, n.id or 0))]


async def test_person_round_trip(storage: Storage) -> None:
    async with storage.session() as uow:
        person = await add_person(uow)
        person.name = "Alex Kim"
        person.timezone = "Europe/Berlin"
        person.quiet_hours = QuietHours(time(22, 0), time(8, 0))
        person.nudges_on = False
        person.job_status = JobStatus.ACCEPTED
        person.linkedin_plan = LinkedInPlan.PREMIUM
        person.zone_hint_shown = True
        await uow.people.update(person)
    async with storage.session() as uow:
        loaded = await uow.people.get(Address("slack", "T1", "alice"))
        assert loaded == person
        assert loaded.created_at.tzinfo is not None
        assert await uow.people.get(Address("slack", "T2", "alice")) is None


async def test_adding_someone_already_stored_gives_the_stored_person(storage: Storage) -> None:
    async with storage.session() as uow:
        first = await add_person(uow)
        first.display_name = "Alice"
        await uow.people.update(first)
    async with storage.session() as uow:
        again = await uow.people.add(
            Person(Address("slack", "T1", "alice"), created_at=T0 + timedelta(hours=1))
        )
        assert (again.id, again.display_name, again.created_at) == (first.id, "Alice", T0)
        # Their numbers go on from where they were: the second add changed nothing.
        assert await uow.follow_ups.allocate_numbers(again.id or 0, 1) == [1]


async def test_an_error_rolls_the_unit_of_work_back(storage: Storage) -> None:
    async def add_then_fail() -> None:
        async with storage.session() as uow:
            await add_person(uow)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await add_then_fail()
    async with storage.session() as uow:
        assert await uow.people.get(Address("slack", "T1", "alice")) is None


async def test_numbers_are_allocated_per_person_and_never_reused(storage: Storage) -> None:
    async with storage.session() as uow:
        alice, bob = await add_person(uow, "alice"), await add_person(uow, "bob")
        assert alice.id is not None
        assert bob.id is not None
        assert await uow.follow_ups.allocate_numbers(alice.id, 2) == [1, 2]
        assert await uow.follow_ups.allocate_numbers(bob.id, 1) == [1]
        assert await uow.follow_ups.allocate_numbers(alice.id, 1) == [3]


async def test_follow_ups_are_scoped_to_their_person(storage: Storage) -> None:
    async with storage.session() as uow:
        alice, bob = await add_person(uow, "alice"), await add_person(uow, "bob")
        follow_up = await add_follow_up(uow, alice, 1)
        assert alice.id is not None
        assert bob.id is not None
        assert follow_up.id is not None
        found = await uow.follow_ups.by_number(alice.id, 1)
        assert found is not None
        assert found[0] == follow_up
        assert found[1].contact_name == "Jane Doe"
        assert await uow.follow_ups.by_number(bob.id, 1) is None
        assert await uow.follow_ups.by_id(bob.id, follow_up.id) is None
        assert await uow.follow_ups.by_id(alice.id, follow_up.id) is not None
        assert [f for f, _ in await uow.follow_ups.open(alice.id)] == [follow_up]
        assert await uow.follow_ups.open(bob.id) == []
        follow_up.status = FollowUpStatus.DONE
        follow_up.done_via = "email"
        await uow.follow_ups.update(follow_up)
        assert await uow.follow_ups.open(alice.id) == []


async def test_conversations_at_a_company(storage: Storage) -> None:
    async with storage.session() as uow:
        alice = await add_person(uow)
        assert alice.id is not None
        await add_follow_up(uow, alice, 1, company="Acme, Inc.")
        await add_follow_up(uow, alice, 2, company="Globex")
        found = await uow.follow_ups.conversations_at(alice.id, "acme")
        assert [c.company for c in found] == ["Acme, Inc."]


async def test_replace_and_cancel_pending_nudges(storage: Storage) -> None:
    async with storage.session() as uow:
        follow_up = await follow_up_with_nudges(uow, (NudgeKind.HEADS_UP, timedelta(hours=24)))
        assert follow_up.id is not None
        second = [
            Nudge(follow_up.id, NudgeKind.LAST_CALL, T0 + timedelta(hours=47)),
            Nudge(follow_up.id, NudgeKind.HEADS_UP, T0 + timedelta(hours=25)),
        ]
        await uow.outbox.replace_pending(follow_up.id, second, T0)
        assert all(n.id is not None for n in second)
        assert await uow.outbox.next_due_at() == T0 + timedelta(hours=25)
    assert await pending_nudges(storage, follow_up.id) == [
        (NudgeKind.HEADS_UP, T0 + timedelta(hours=25)),
        (NudgeKind.LAST_CALL, T0 + timedelta(hours=47)),
    ]
    async with storage.session() as uow:
        assert await uow.outbox.cancel_pending(follow_up.id, "done") == 2
        assert await uow.outbox.next_due_at() is None
    assert await pending_nudges(storage, follow_up.id) == []


async def test_nudges_added_to_the_outbox_fall_due(storage: Storage) -> None:
    async with storage.session() as uow:
        follow_up = await follow_up_with_nudges(uow)
        assert follow_up.id is not None
        await uow.outbox.add(
            [
                Nudge(follow_up.id, NudgeKind.REMINDER, T0 + timedelta(days=7)),
                Nudge(follow_up.id, NudgeKind.HEADS_UP, T0 + timedelta(hours=24)),
            ]
        )
        assert await uow.outbox.next_due_at() == T0 + timedelta(hours=24)
    assert await pending_nudges(storage, follow_up.id) == [
        (NudgeKind.HEADS_UP, T0 + timedelta(hours=24)),
        (NudgeKind.REMINDER, T0 + timedelta(days=7)),
    ]


async def test_claim_takes_due_rows_in_order_with_a_lease(storage: Storage) -> None:
    async with storage.session() as uow:
        await follow_up_with_nudges(
            uow,
            (NudgeKind.LAST_CALL, timedelta(hours=3)),
            (NudgeKind.HEADS_UP, timedelta(hours=1)),
            (NudgeKind.REMINDER, timedelta(hours=2)),
            (NudgeKind.WINDOW_CLOSED, timedelta(days=30)),
        )
    now = T0 + timedelta(hours=5)
    lease = now + timedelta(minutes=2)
    async with storage.session() as uow:
        claimed = await uow.outbox.claim_due(Claim(now, "replica-a", lease, limit=2))
    assert [n.kind for n in claimed] == [NudgeKind.HEADS_UP, NudgeKind.REMINDER]
    assert all(n.status is NudgeStatus.SENDING and n.lease_owner == "replica-a" for n in claimed)
    assert all(n.attempts == 1 and n.lease_expires_at == lease for n in claimed)
    async with storage.session() as uow:
        rest = await uow.outbox.claim_due(Claim(now, "replica-b", lease, limit=10))
        assert [n.kind for n in rest] == [NudgeKind.LAST_CALL]
        assert await uow.outbox.claim_due(Claim(now, "replica-b", lease, limit=10)) == []
    # A lease that expired (its replica crashed) is claimed again.
    later = lease + timedelta(seconds=1)
    async with storage.session() as uow:
        again = await uow.outbox.claim_due(
            Claim(later, "replica-c", later + timedelta(minutes=2), 10)
        )
    assert sorted(n.kind for n in again) == sorted(
        [NudgeKind.HEADS_UP, NudgeKind.REMINDER, NudgeKind.LAST_CALL]
    )
    assert all(n.attempts == 2 or n.kind is NudgeKind.LAST_CALL for n in again)


async def test_settled_nudge_round_trip_and_context(storage: Storage) -> None:
    async with storage.session() as uow:
        follow_up = await follow_up_with_nudges(uow, (NudgeKind.HEADS_UP, timedelta(0)))
        assert follow_up.id is not None
        (nudge,) = await uow.outbox.claim_due(Claim(T0, "me", T0 + timedelta(minutes=2), 10))
        assert nudge.id is not None
        nudge.status = NudgeStatus.SENT
        nudge.sent_at = T0 + timedelta(seconds=1)
        nudge.lease_owner = nudge.lease_expires_at = None
        await uow.outbox.settle([nudge])
        gone = Nudge(follow_up.id, NudgeKind.LAST_CALL, T0, id=nudge.id + 1000)
        contexts = await uow.outbox.contexts([nudge, gone])
        assert list(contexts) == [nudge.id]  # a nudge that isn't there is left out
        context = contexts[nudge.id]
        assert context.nudge is nudge
        assert context.follow_up == follow_up
        assert context.person.address == Address("slack", "T1", "alice")
    async with storage.session() as uow:
        assert await uow.outbox.sent_counts(follow_up.id) == {NudgeKind.HEADS_UP: 1}
        later = T0 + timedelta(hours=1)
        assert (
            await uow.outbox.claim_due(Claim(later, "me", later + timedelta(minutes=2), 10)) == []
        )


async def test_marking_sent_settles_only_the_rows_the_owner_holds(storage: Storage) -> None:
    async with storage.session() as uow:
        follow_up = await follow_up_with_nudges(
            uow,
            (NudgeKind.HEADS_UP, timedelta(0)),
            (NudgeKind.LAST_CALL, timedelta(seconds=1)),
            planned_at=T0 - timedelta(hours=1),
        )
        lease = T0 + timedelta(minutes=2)
        mine, other = await uow.outbox.claim_due(Claim(T0 + timedelta(seconds=1), "me", lease, 10))
        assert mine.id is not None
        assert other.id is not None
        sent_at = T0 + timedelta(seconds=5)
        await uow.outbox.mark_sent([mine.id], sent_at, "me")
        await uow.outbox.mark_sent([other.id], sent_at, "someone else")  # not theirs: unchanged
    async with storage.session() as uow:
        assert await uow.outbox.sent_counts(follow_up.id) == {
            NudgeKind.HEADS_UP: 1,
            NudgeKind.LAST_CALL: 1,  # still sending, under its lease
        }
        after_lease = lease + timedelta(seconds=1)
        (again,) = await uow.outbox.claim_due(
            Claim(after_lease, "me", after_lease + timedelta(minutes=2), 10)
        )
        assert again.id == other.id
        assert again.attempts == 2


async def test_values_the_bot_keeps(storage: Storage) -> None:
    async with storage.session() as uow:
        assert await uow.state.get("discord:commands") is None
        await uow.state.set("discord:commands", "abc", T0)
        await uow.state.set("discord:commands", "def", T0)
    async with storage.session() as uow:
        assert await uow.state.get("discord:commands") == "def"
        assert await uow.state.hold("discord:commands", T0) == "def"
        # Holding a key never kept reads as none, and keeps nothing.
        assert await uow.state.hold("link-tries:slack:T1:U1", T0) is None
        await uow.state.set("link-tries:slack:T1:U1", "1|", T0)
    async with storage.session() as uow:
        assert await uow.state.hold("link-tries:slack:T1:U1", T0) == "1|"


async def test_a_replan_keeps_what_is_due_or_retrying_and_counts_what_went_out(
    storage: Storage,
) -> None:
    async with storage.session() as uow:
        follow_up = await follow_up_with_nudges(
            uow,
            (NudgeKind.HEADS_UP, timedelta(0)),
            (NudgeKind.LAST_CALL, timedelta(hours=1)),
            (NudgeKind.LAST_CALL, timedelta(hours=5)),
            (NudgeKind.REMINDER, timedelta(days=7)),
        )
        assert follow_up.id is not None
        # The heads-up went out; the first last call was told to retry in an hour.
        now = T0 + timedelta(hours=1)
        claimed = await uow.outbox.claim_due(Claim(now, "me", now + timedelta(minutes=2), 10))
        heads_up, last_call = sorted(claimed, key=lambda n: n.due_at)
        heads_up.status = NudgeStatus.SENT
        last_call.status = NudgeStatus.PENDING
        last_call.next_attempt_at = now + timedelta(hours=1)
        await uow.outbox.settle([heads_up, last_call])
        assert await uow.outbox.sent_counts(follow_up.id) == {NudgeKind.HEADS_UP: 1}
        await uow.outbox.replace_pending(
            follow_up.id, [Nudge(follow_up.id, NudgeKind.REMINDER, T0 + timedelta(days=8))], now
        )
    assert await pending_nudges(storage, follow_up.id) == [
        (NudgeKind.LAST_CALL, T0 + timedelta(hours=1)),  # retrying: kept
        (NudgeKind.REMINDER, T0 + timedelta(days=8)),  # the re-plan
    ]


async def test_short_lived_values_are_forgotten_by_prefix_and_age(storage: Storage) -> None:
    async with storage.session() as uow:
        await uow.state.set("slack:seen:a", "1", T0)
        await uow.state.set("slack:seen:b", "1", T0 + timedelta(minutes=10))
        await uow.state.set("slack:seenXc", "1", T0)  # "_" and "%" in a prefix are literal
        await uow.state.set("slack_seen:d", "1", T0)
        await uow.state.set("discord:commands", "abc", T0)
    async with storage.session() as uow:
        assert await uow.state.forget_older("slack:seen:", T0 + timedelta(minutes=5)) == 1
        assert await uow.state.forget_older("slack_", T0 + timedelta(minutes=5)) == 1
    async with storage.session() as uow:
        assert await uow.state.get("slack:seen:a") is None
        assert await uow.state.get("slack:seen:b") == "1"
        assert await uow.state.get("slack:seenXc") == "1"
        assert await uow.state.get("slack_seen:d") is None
        assert await uow.state.get("discord:commands") == "abc"


async def test_adding_a_value_claims_its_key_once(storage: Storage) -> None:
    async with storage.session() as uow:
        assert await uow.state.add("slack:seen:x", "first", T0)
        assert not await uow.state.add("slack:seen:x", "second", T0)
    async with storage.session() as uow:
        assert await uow.state.get("slack:seen:x") == "first"


async def test_of_concurrent_claims_of_one_key_exactly_one_wins(storage: Storage) -> None:
    """Replicas handling the same request at the same moment."""
    if isinstance(storage, InMemoryStorage) or (
        isinstance(storage, SqlStorage) and storage.engine.dialect.name == "sqlite"
    ):
        pytest.skip("one writer at a time here: two transactions can't both be open")
    ready = asyncio.Barrier(2)

    async def claim(value: str) -> bool:
        async with storage.session() as uow:
            await uow.state.get("other")  # both transactions are open before either adds
            await ready.wait()
            return await uow.state.add("slack:seen:y", value, T0)

    results = await asyncio.gather(claim("a"), claim("b"))
    assert sorted(results) == [False, True]


async def test_recorded_names_are_the_persons_own(storage: Storage) -> None:
    async with storage.session() as uow:
        alice, bob = await add_person(uow, "alice"), await add_person(uow, "bob")
        assert alice.id is not None
        assert bob.id is not None
        await add_follow_up(uow, alice, 1, company="Acme")
        await uow.follow_ups.add_conversation(
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
        assert await uow.follow_ups.recorded_names(alice.id) == {
            "Jane Doe",
            "Acme",
            "Sam Lee",
            "Initech",
            "Tech Mixer",
        }
        assert await uow.follow_ups.recorded_names(bob.id) == set()


async def test_a_new_person_has_not_seen_the_zone_hint(storage: Storage) -> None:
    async with storage.session() as uow:
        await add_person(uow)
    async with storage.session() as uow:
        alice = await uow.people.get(Address("slack", "T1", "alice"))
        assert alice is not None
        assert alice.zone_hint_shown is False


async def test_people_whose_dms_fail_are_marked(storage: Storage) -> None:
    async with storage.session() as uow:
        alice, bob = await add_person(uow, "alice"), await add_person(uow, "bob")
        assert alice.id is not None
        await uow.people.mark_undeliverable([alice.id], "DMs closed " + "x" * 300)
        await uow.people.mark_undeliverable([], "nobody")
    async with storage.session() as uow:
        marked = await uow.people.get(alice.address)
        assert marked is not None
        assert marked.undeliverable == ("DMs closed " + "x" * 300)[:REASON_LENGTH]
        assert await uow.people.get(bob.address) == bob


async def test_a_conversations_follow_ups_come_by_number(storage: Storage) -> None:
    async with storage.session() as uow:
        first = await add_follow_up(uow, await add_person(uow), 1)
        assert first.id is not None
        second = FollowUp(
            person_id=first.person_id,
            conversation_id=first.conversation_id,
            number=2,
            methods=("email",),
            ideal_by=T0,
            due_by=T0 + timedelta(days=1),
            optional=True,
        )
        await uow.follow_ups.add([second])
        assert await uow.follow_ups.add([]) == []
        assert await uow.follow_ups.of_conversation(first.conversation_id) == [first, second]
        assert await uow.follow_ups.of_conversation(first.conversation_id + 1000) == []


async def test_closing_missed_follow_ups_leaves_the_others(storage: Storage) -> None:
    async with storage.session() as uow:
        alice = await add_person(uow)
        assert alice.id is not None
        missed = await add_follow_up(uow, alice, 1)
        done = await add_follow_up(uow, alice, 2, company="Globex")
        assert missed.id is not None
        assert done.id is not None
        done.status = FollowUpStatus.DONE
        await uow.follow_ups.update(done)
        closed_at = T0 + timedelta(days=2)
        await uow.follow_ups.close_missed([missed.id, done.id], closed_at)
    async with storage.session() as uow:
        found = await uow.follow_ups.missed_since(alice.id, closed_at)
        assert [(f.number, f.status, f.closed_at) for f, _ in found] == [
            (1, FollowUpStatus.MISSED, closed_at)
        ]
        assert found[0][1].company == "Acme"
        assert await uow.follow_ups.missed_since(alice.id, closed_at + timedelta(seconds=1)) == []
        by_number = await uow.follow_ups.by_number(alice.id, 2)
        assert by_number is not None
        assert by_number[0].status is FollowUpStatus.DONE


async def test_a_workspace_zone_is_set_and_cleared(storage: Storage) -> None:
    async with storage.session() as uow:
        assert await uow.workspaces.get("discord", "111") is None
        await uow.workspaces.set_default_zone("discord", "111", "Europe/Berlin")
        await uow.workspaces.set_default_zone("slack", "222", None)  # a new one, empty
    async with storage.session() as uow:
        assert await uow.workspaces.get("discord", "111") == Workspace(
            "discord", "111", default_timezone="Europe/Berlin"
        )
        assert await uow.workspaces.get("slack", "222") == Workspace("slack", "222")
        assert await uow.workspaces.get("slack", "111") is None  # same id, other platform
        await uow.workspaces.set_default_zone("discord", "111", "Asia/Tokyo")
    async with storage.session() as uow:
        server = await uow.workspaces.get("discord", "111")
        assert server is not None
        assert server.default_timezone == "Asia/Tokyo"
        await uow.workspaces.set_default_zone("discord", "111", None)
    async with storage.session() as uow:
        assert await uow.workspaces.get("discord", "111") == Workspace("discord", "111")


async def test_a_workspace_mark_and_its_zone_leave_each_other_alone(storage: Storage) -> None:
    async with storage.session() as uow:
        await uow.workspaces.set_default_zone("discord", "111", "Europe/Berlin")
        await uow.workspaces.mark_undeliverable([("discord", "111")], "bot removed", at=T0)
    async with storage.session() as uow:
        both = Workspace(
            "discord", "111", "Europe/Berlin", undeliverable="bot removed", undeliverable_since=T0
        )
        assert await uow.workspaces.get("discord", "111") == both
        # Marked first, then given a zone: the mark stays.
        await uow.workspaces.mark_undeliverable([("slack", "T1")], "app uninstalled", at=T0)
        await uow.workspaces.set_default_zone("slack", "T1", "Europe/Paris")
        await uow.workspaces.set_default_zone("discord", "111", None)
    async with storage.session() as uow:
        assert await uow.workspaces.get("discord", "111") == Workspace(
            "discord", "111", undeliverable="bot removed", undeliverable_since=T0
        )
        assert await uow.workspaces.get("slack", "T1") == Workspace(
            "slack", "T1", "Europe/Paris", undeliverable="app uninstalled", undeliverable_since=T0
        )
        assert await uow.workspaces.clear_undeliverable("slack", "T1")
    async with storage.session() as uow:
        assert await uow.workspaces.get("slack", "T1") == Workspace("slack", "T1", "Europe/Paris")


async def test_workspaces_are_marked_undeliverable_and_cleared(storage: Storage) -> None:
    async with storage.session() as uow:
        await uow.workspaces.mark_undeliverable([], "nobody", at=T0)
        # Several at once, one of them twice, one known already: each marked once.
        await uow.workspaces.set_default_zone("slack", "T2", "Europe/Paris")
        marked = [("slack", "T2"), ("slack", "T1"), ("discord", "G1"), ("slack", "T2")]
        await uow.workspaces.mark_undeliverable(marked, "token revoked " + "x" * 300, at=T0)
    async with storage.session() as uow:
        reason = ("token revoked " + "x" * 300)[:REASON_LENGTH]
        assert await uow.workspaces.get("slack", "T2") == Workspace(
            "slack", "T2", "Europe/Paris", undeliverable=reason, undeliverable_since=T0
        )
        assert await uow.workspaces.get("discord", "G1") == Workspace(
            "discord", "G1", undeliverable=reason, undeliverable_since=T0
        )
        # Again, later: the grace still counts from the first mark.
        later = T0 + timedelta(days=3)
        await uow.workspaces.mark_undeliverable([("slack", "T1")], "app uninstalled", at=later)
        assert await uow.workspaces.clear_undeliverable("discord", "G1")
        assert not await uow.workspaces.clear_undeliverable("discord", "G1")  # lifted already
        assert not await uow.workspaces.clear_undeliverable("discord", "G2")  # never known
    async with storage.session() as uow:
        assert await uow.workspaces.get("slack", "T1") == Workspace(
            "slack", "T1", undeliverable="app uninstalled", undeliverable_since=T0
        )
        assert await uow.workspaces.get("discord", "G1") == Workspace("discord", "G1")
        gone = await uow.workspaces.gone_since(T0 + timedelta(seconds=1))
        assert sorted(gone) == [("slack", "T1"), ("slack", "T2")]
        assert await uow.workspaces.gone_since(T0) == []
        assert await uow.workspaces.get("discord", "G2") is None


async def test_undeliverable_workspaces_among_those_asked(storage: Storage) -> None:
    async with storage.session() as uow:
        await uow.workspaces.mark_undeliverable([("slack", "T1")], "app uninstalled", at=T0)
        await uow.workspaces.set_default_zone("slack", "T2", "Europe/Paris")
        await uow.workspaces.mark_undeliverable([("discord", "T1")], "bot removed", at=T0)
    async with storage.session() as uow:
        # ("discord", "T1") is marked but not asked (the platform and the id are, apart).
        asked = [("slack", "T1"), ("slack", "T2"), ("console", "T1"), ("discord", "T3")]
        assert await uow.workspaces.undeliverable(asked) == {("slack", "T1"): "app uninstalled"}
        assert await uow.workspaces.undeliverable([]) == {}
        # Installed again: its DMs go out.
        await uow.workspaces.clear_undeliverable("slack", "T1")
        assert await uow.workspaces.undeliverable(asked) == {}


async def test_pace_turns_follow_one_schedule_per_key(storage: Storage) -> None:
    async with storage.session() as uow:
        turns = [await uow.state.take_turn("discord:bot", 1000.0, 0.5) for _ in range(3)]
        assert turns == [1000.0, 1000.5, 1001.0]
        # Another key has a schedule of its own; a DM that costs two takes two spacings.
        assert await uow.state.take_turn("slack:workspace:T1", 1000.0, 0.2) == 1000.0
        assert await uow.state.take_turn("discord:bot", 1000.0, 1.0) == 1001.5
    async with storage.session() as uow:
        assert await uow.state.take_turn("discord:bot", 1000.2, 0.5) == 1002.5
        # After a quiet spell the schedule starts again from now, with no burst of old turns.
        assert await uow.state.take_turn("discord:bot", 5000.0, 0.5) == 5000.0
        assert await uow.state.take_turn("discord:bot", 5000.0, 0.5) == 5000.5


async def test_last_sent_at_is_when_the_latest_nudge_went_out(storage: Storage) -> None:
    async with storage.session() as uow:
        follow_up = await follow_up_with_nudges(
            uow,
            (NudgeKind.HEADS_UP, timedelta(0)),
            (NudgeKind.LAST_CALL, timedelta(seconds=1)),
            (NudgeKind.WINDOW_CLOSED, timedelta(hours=1)),
            planned_at=T0 - timedelta(hours=1),
        )
        assert follow_up.id is not None
        assert await uow.outbox.last_sent_at(follow_up.id) is None
        lease = T0 + timedelta(minutes=2)
        first, second = await uow.outbox.claim_due(
            Claim(T0 + timedelta(seconds=1), "me", lease, 10)
        )
        assert first.id is not None
        await uow.outbox.mark_sent([first.id], T0 + timedelta(seconds=5), "me")
    async with storage.session() as uow:
        # The second, still going out, fell due (T0 + 1 s) before the first went out.
        assert await uow.outbox.last_sent_at(follow_up.id) == T0 + timedelta(seconds=5)
        assert second.id is not None
        await uow.outbox.mark_sent([second.id], T0 + timedelta(seconds=9), "me")
    async with storage.session() as uow:
        assert await uow.outbox.last_sent_at(follow_up.id) == T0 + timedelta(seconds=9)


async def test_a_panel_keeps_each_persons_follow_up_and_greeting(storage: Storage) -> None:
    """Six 100-character names in one conversation; each follow-up its own person and the
    greeting the student chose; the greetings are recorded names for the spell check."""
    names = [f"{chr(65 + n)}{'x' * 98}z" for n in range(6)]
    everyone = people_phrase(names, 100)
    assert everyone.endswith("…")
    async with storage.session() as uow:
        alice = await add_person(uow)
        assert alice.id is not None
        conversation = await uow.follow_ups.add_conversation(
            Conversation(alice.id, everyone, "Stripe", "interview", T0, T0, topics="on-call")
        )
        assert conversation.id is not None
        await uow.follow_ups.add(
            [
                FollowUp(
                    alice.id,
                    conversation.id,
                    n + 1,
                    ("email",),
                    T0,
                    T0,
                    contact=name,
                    greeting="Dr. Raman" if n == 0 else None,
                )
                for n, name in enumerate(names)
            ]
        )
    async with storage.session() as uow:
        found = await uow.follow_ups.by_number(alice.id, 6)
        assert found is not None
        follow_up, stored = found
        assert stored.contact_name == everyone
        assert (follow_up.contact, follow_up.greeting) == (names[5], None)
        siblings = await uow.follow_ups.of_conversation(conversation.id)
        assert [(f.contact, f.greeting) for f in siblings][:2] == [
            (names[0], "Dr. Raman"),
            (names[1], None),
        ]
        assert {"Dr. Raman", *names} <= await uow.follow_ups.recorded_names(alice.id)
