"""The storage contract of the student's own data, on memory, SQLite and PostgreSQL: correcting
and deleting conversations, forgetting people and workspaces, and what retention deletes."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.domain import FollowUpStatus, Nudge, NudgeKind, NudgeStatus
from bot.ports import Claim, Storage
from bot.retention import Retention
from bot.testing import FakeClock
from tests.integration.test_storage_contract import T0, add_follow_up, add_person


async def test_a_conversation_is_corrected_and_the_latest_found(storage: Storage) -> None:
    async with storage.session() as uow:
        alice = await add_person(uow)
        first = await add_follow_up(uow, alice, 1)
        second = await add_follow_up(uow, alice, 2, company="Globex")
        bob = await add_person(uow, "bob")
        await add_follow_up(uow, bob, 1, company="Initech")
        latest = await uow.follow_ups.latest_conversation(alice.id or 0)
        assert latest is not None
        assert latest.id == second.conversation_id
        corrected = replace(latest, contact_name="John Roe", company="Acme, Inc.", event="Fair")
        # Neither its person nor its creation can be changed by a correction.
        await uow.follow_ups.update_conversation(replace(corrected, person_id=bob.id or 0))
    async with storage.session() as uow:
        rows = await uow.follow_ups.everything_of(alice.id or 0)
        assert [(f.number, c.contact_name, c.company) for f, c in rows] == [
            (1, "Jane Doe", "Acme"),
            (2, "John Roe", "Acme, Inc."),
        ]
        assert rows[1][1].company_key == "acme"
        assert rows[1][1].person_id == alice.id
        assert rows[0][0].id == first.id
        assert await uow.follow_ups.latest_conversation(12345) is None


async def test_deleting_a_conversation_takes_its_follow_ups_and_nudges(storage: Storage) -> None:
    async with storage.session() as uow:
        alice = await add_person(uow)
        gone = await add_follow_up(uow, alice, 1)
        kept = await add_follow_up(uow, alice, 2, company="Globex")
        for follow_up in (gone, kept):
            await uow.outbox.add([Nudge(follow_up.id or 0, NudgeKind.HEADS_UP, T0)])
        await uow.follow_ups.delete_conversation(gone.conversation_id)
    async with storage.session() as uow:
        assert [f.number for f, _ in await uow.follow_ups.everything_of(alice.id or 0)] == [2]
        claimed = await uow.outbox.claim_due(Claim(T0, "me", T0 + timedelta(minutes=1), 10))
        assert [n.follow_up_id for n in claimed] == [kept.id]


async def test_a_replan_counts_what_it_keeps_to_send(storage: Storage) -> None:
    async with storage.session() as uow:
        follow_up = await add_follow_up(uow, await add_person(uow), 1)
        fid = follow_up.id or 0
        await uow.outbox.add(
            [
                Nudge(fid, NudgeKind.HEADS_UP, T0),  # due: kept
                Nudge(fid, NudgeKind.LAST_CALL, T0 + timedelta(hours=1)),  # ahead: replaced
                Nudge(fid, NudgeKind.REMINDER, T0, status=NudgeStatus.CANCELLED),
            ]
        )
        assert await uow.outbox.sent_counts(fid) == {}
        assert await uow.outbox.sent_counts(fid, kept_at=T0) == {NudgeKind.HEADS_UP: 1}
        later = T0 + timedelta(hours=2)
        assert await uow.outbox.sent_counts(fid, kept_at=later) == {
            NudgeKind.HEADS_UP: 1,
            NudgeKind.LAST_CALL: 1,
        }


async def test_forgetting_people_leaves_the_others(storage: Storage) -> None:
    async with storage.session() as uow:
        alice, bob = await add_person(uow), await add_person(uow, "bob")
        for person in (alice, bob):
            follow_up = await add_follow_up(uow, person, 1)
            await uow.outbox.add([Nudge(follow_up.id or 0, NudgeKind.HEADS_UP, T0)])
        assert sorted(await uow.people.in_workspace("slack", "T1")) == sorted([alice.id, bob.id])
        assert await uow.people.in_workspace("slack", "T2") == []
        assert await uow.state.take_turn("slack:dm:T1:alice", 7.0, 1.0) == 7.0
        assert await uow.state.take_turn("slack:dm:T1:malice", 7.0, 1.0) == 7.0
        await uow.state.set("slack:seen:T1:alice", "x", T0)
        await uow.people.forget([alice.id or 0])
        await uow.people.forget([])
        assert await uow.state.forget_keys_ending(":T1:alice") == 2
    async with storage.session() as uow:
        assert await uow.people.get(alice.address) is None
        assert await uow.people.get(bob.address) is not None
        assert await uow.follow_ups.everything_of(alice.id or 0) == []
        assert len(await uow.follow_ups.everything_of(bob.id or 0)) == 1
        claimed = await uow.outbox.claim_due(Claim(T0, "me", T0 + timedelta(minutes=1), 10))
        assert len(claimed) == 1  # Bob's only
        # Still on its schedule: its next turn comes after the one taken.
        assert await uow.state.take_turn("slack:dm:T1:malice", 7.0, 1.0) == 8.0
        assert await uow.state.get("slack:seen:T1:alice") is None


async def test_retention_deletes_closed_conversations_a_year_on(storage: Storage) -> None:
    clock = FakeClock(T0 + timedelta(days=400))
    async with storage.session() as uow:
        alice = await add_person(uow)
        old_done = await add_follow_up(uow, alice, 1, company="Old Done")
        old_open = await add_follow_up(uow, alice, 2, company="Old Open")
        recent_done = await add_follow_up(uow, alice, 3, company="Recent Done")
        for follow_up, closed in ((old_done, 20), (recent_done, 60)):
            follow_up.status = FollowUpStatus.DONE
            follow_up.closed_at = T0 + timedelta(days=closed)
            await uow.follow_ups.update(follow_up)
    report = await Retention(storage, clock, keep_closed=timedelta(days=365)).run()
    assert report.conversations == 1
    async with storage.session() as uow:
        left = await uow.follow_ups.everything_of(alice.id or 0)
        assert [c.company for _, c in left] == ["Old Open", "Recent Done"]
    assert old_open.status is FollowUpStatus.PENDING


async def test_retention_deletes_a_removed_workspace_after_its_grace(storage: Storage) -> None:
    clock = FakeClock(T0)
    async with storage.session() as uow:
        alice = await add_person(uow)  # in slack T1
        await add_follow_up(uow, alice, 1)
        await uow.workspaces.set_default_zone("slack", "T1", "Europe/Paris")
        await uow.workspaces.mark_undeliverable([("slack", "T1"), ("slack", "T2")], "gone", at=T0)
        await uow.workspaces.clear_undeliverable("slack", "T2")  # came back
    retention = Retention(storage, clock, uninstall_grace=timedelta(days=30))
    clock.advance(timedelta(days=29))
    assert (await retention.run()).workspaces == 0
    clock.advance(timedelta(days=2))
    report = await retention.run()
    assert (report.workspaces, report.people) == (1, 1)
    async with storage.session() as uow:
        assert await uow.people.get(alice.address) is None
        assert await uow.workspaces.get("slack", "T1") is None
        assert await uow.workspaces.get("slack", "T2") is not None
