"""The storage contract of students' fair lists, on memory, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.commands import parse_command
from bot.dispatch import LEASE
from bot.domain import Conversation, FairEntry, FairList, FairVisit, NudgeStatus, Person
from bot.ports import Claim, Storage, UnitOfWork
from bot.testing import FakeClock, make_test_bot
from rules.engine import Rulebook
from tests.integration.test_storage_contract import T0, add_person
from tests.unit.test_services import ALICE

FAIR_DAY = date(2026, 3, 6)


def a_list(person: Person, name: str = "Spring Career Fair", *companies: str) -> FairList:
    assert person.id is not None
    names = companies or ("Acme", "Globex", "Initech")
    return FairList(
        person_id=person.id,
        name=name,
        held_on=FAIR_DAY,
        created_at=T0,
        entries=[FairEntry(c, 1 if i < 2 else 2, i + 1) for i, c in enumerate(names)],
        evening_due_at=T0 + timedelta(hours=3),
    )


async def a_conversation(uow: UnitOfWork, person: Person, company: str) -> Conversation:
    assert person.id is not None
    return await uow.follow_ups.add_conversation(
        Conversation(person.id, "Jane Doe", company, "fair", T0, T0)
    )


async def test_a_list_is_kept_with_its_entries_in_order(storage: Storage) -> None:
    async with storage.session() as uow:
        alice = await add_person(uow)
        fair = await uow.fairs.add(a_list(alice))
        assert fair.id is not None
        assert all(e.id is not None for e in fair.entries)
    async with storage.session() as uow:
        assert alice.id is not None
        found = await uow.fairs.by_id(alice.id, fair.id)
        assert found is not None
        assert [(e.company, e.priority, e.position) for e in found.entries] == [
            ("Acme", 1, 1),
            ("Globex", 1, 2),
            ("Initech", 2, 3),
        ]
        assert found.held_on == FAIR_DAY
        assert found.evening_due_at == T0 + timedelta(hours=3)
        assert found.name == "Spring Career Fair"


async def test_another_students_list_reads_as_missing(storage: Storage) -> None:
    async with storage.session() as uow:
        alice, bob = await add_person(uow, "alice"), await add_person(uow, "bob")
        fair = await uow.fairs.add(a_list(alice))
        conversation = await a_conversation(uow, alice, "Acme")
        assert fair.id is not None
        assert conversation.id is not None
        await uow.fairs.add_visit(FairVisit(fair.id, conversation.id, fair.entries[0].id))
    async with storage.session() as uow:
        assert bob.id is not None
        assert fair.id is not None
        assert await uow.fairs.by_id(bob.id, fair.id) is None
        assert await uow.fairs.of_person(bob.id) == []
        assert await uow.fairs.visits(bob.id, fair.id) == []
        # Bob's update of Alice's list changes nothing.
        stolen = a_list(bob, "Mine now")
        stolen.id = fair.id
        await uow.fairs.update(stolen)
    async with storage.session() as uow:
        assert alice.id is not None
        kept = await uow.fairs.by_id(alice.id, fair.id)
        assert kept is not None
        assert kept.name == "Spring Career Fair"


async def test_editing_keeps_entry_ids_and_a_removed_entrys_visit_is_unplanned(
    storage: Storage,
) -> None:
    async with storage.session() as uow:
        alice = await add_person(uow)
        fair = await uow.fairs.add(a_list(alice))
        acme, globex, initech = fair.entries
        at_acme = await a_conversation(uow, alice, "Acme")
        at_globex = await a_conversation(uow, alice, "Globex")
        assert fair.id is not None
        assert at_acme.id is not None
        assert at_globex.id is not None
        await uow.fairs.add_visit(FairVisit(fair.id, at_acme.id, acme.id))
        await uow.fairs.add_visit(FairVisit(fair.id, at_globex.id, globex.id))
    async with storage.session() as uow:
        initech.position, acme.position = 1, 2
        fair.entries = [initech, acme, FairEntry("Hooli", 3, 3)]
        await uow.fairs.update(fair)
    async with storage.session() as uow:
        assert alice.id is not None
        found = await uow.fairs.by_id(alice.id, fair.id)
        assert found is not None
        assert [(e.company, e.id) for e in found.entries[:2]] == [
            ("Initech", initech.id),
            ("Acme", acme.id),
        ]
        assert found.entries[2].company == "Hooli"
        assert found.entries[2].id is not None
        visits = await uow.fairs.visits(alice.id, fair.id)
        assert [(c.company, v.entry_id) for v, c in visits] == [
            ("Acme", acme.id),
            ("Globex", None),
        ]


async def test_an_evening_is_claimed_once_and_settled_by_its_owner(storage: Storage) -> None:
    async with storage.session() as uow:
        alice = await add_person(uow)
        fair = await uow.fairs.add(a_list(alice))
    due = T0 + timedelta(hours=3)
    async with storage.session() as uow:
        assert await uow.fairs.next_evening_at() == due
        early = Claim(due - timedelta(minutes=1), "r1", due + timedelta(minutes=1), 10)
        assert await uow.fairs.claim_evenings(early) == []
    async with storage.session() as uow:
        claim = Claim(due, "r1", due + timedelta(minutes=2), 10)
        (claimed,) = await uow.fairs.claim_evenings(claim)
        assert claimed.evening_status is NudgeStatus.SENDING
        assert claimed.evening_attempts == 1
    async with storage.session() as uow:
        again = Claim(due + timedelta(minutes=1), "r2", due + timedelta(minutes=3), 10)
        assert await uow.fairs.claim_evenings(again) == []
        assert await uow.fairs.next_evening_at() == due + timedelta(minutes=2)
        # A replica that no longer holds it settles nothing.
        claimed.evening_status = NudgeStatus.SENT
        await uow.fairs.settle_evening(claimed, "r2")
    async with storage.session() as uow:
        claimed.evening_sent_at, claimed.lease_owner = due, None
        await uow.fairs.settle_evening(claimed, "r1")
    async with storage.session() as uow:
        assert alice.id is not None
        assert fair.id is not None
        settled = await uow.fairs.by_id(alice.id, fair.id)
        assert settled is not None
        assert settled.evening_status is NudgeStatus.SENT
        assert settled.evening_sent_at == due
        assert await uow.fairs.next_evening_at() is None


async def test_a_crashed_replicas_evening_is_claimed_again_after_its_lease(
    storage: Storage,
) -> None:
    async with storage.session() as uow:
        await uow.fairs.add(a_list(await add_person(uow)))
    due = T0 + timedelta(hours=3)
    async with storage.session() as uow:
        await uow.fairs.claim_evenings(Claim(due, "dead", due + timedelta(minutes=2), 10))
    async with storage.session() as uow:
        later = due + timedelta(minutes=3)
        (claimed,) = await uow.fairs.claim_evenings(Claim(later, "r2", later, 10))
        assert claimed.lease_owner == "r2"
        assert claimed.evening_attempts == 2


async def test_forgetting_a_student_deletes_their_lists_and_keeps_the_others(
    storage: Storage,
) -> None:
    async with storage.session() as uow:
        alice, bob = await add_person(uow, "alice"), await add_person(uow, "bob")
        mine = await uow.fairs.add(a_list(alice))
        theirs = await uow.fairs.add(a_list(bob))
        conversation = await a_conversation(uow, alice, "Acme")
        assert mine.id is not None
        assert conversation.id is not None
        await uow.fairs.add_visit(FairVisit(mine.id, conversation.id, mine.entries[0].id))
    async with storage.session() as uow:
        assert alice.id is not None
        await uow.people.forget([alice.id])
    async with storage.session() as uow:
        assert alice.id is not None
        assert bob.id is not None
        assert theirs.id is not None
        assert await uow.fairs.of_person(alice.id) == []
        assert await uow.fairs.visits(alice.id, mine.id or 0) == []
        assert [f.id for f in await uow.fairs.of_person(bob.id)] == [theirs.id]


async def test_deleting_a_conversation_takes_its_visit(storage: Storage) -> None:
    async with storage.session() as uow:
        alice = await add_person(uow)
        fair = await uow.fairs.add(a_list(alice))
        conversation = await a_conversation(uow, alice, "Acme")
        assert fair.id is not None
        assert conversation.id is not None
        await uow.fairs.add_visit(FairVisit(fair.id, conversation.id, fair.entries[0].id))
    async with storage.session() as uow:
        await uow.follow_ups.delete_conversation(conversation.id)
    async with storage.session() as uow:
        assert alice.id is not None
        assert await uow.fairs.visits(alice.id, fair.id) == []


async def test_lists_come_by_the_fairs_day(storage: Storage) -> None:
    async with storage.session() as uow:
        alice = await add_person(uow)
        later = a_list(alice, "Fall Fair")
        later.held_on = FAIR_DAY + timedelta(days=180)
        await uow.fairs.add(later)
        await uow.fairs.add(a_list(alice, "Spring Career Fair", "Acme"))
    async with storage.session() as uow:
        assert alice.id is not None
        names = [f.name for f in await uow.fairs.of_person(alice.id)]
        assert names == ["Spring Career Fair", "Fall Fair"]


async def test_joining_accounts_brings_their_lists_to_the_student(storage: Storage) -> None:
    async with storage.session() as uow:
        primary, joining = await add_person(uow, "alice"), await add_person(uow, "alice-2")
        fair = await uow.fairs.add(a_list(joining))
    async with storage.session() as uow:
        assert primary.id is not None
        assert joining.id is not None
        await uow.accounts.join(joining.id, primary.id, {})
    async with storage.session() as uow:
        assert [f.id for f in await uow.fairs.of_person(primary.id)] == [fair.id]
        assert await uow.fairs.of_person(joining.id) == []


async def test_an_evening_moves_unless_a_sweep_holds_it_and_an_update_leaves_it(
    storage: Storage,
) -> None:
    async with storage.session() as uow:
        alice = await add_person(uow)
        fair = await uow.fairs.add(a_list(alice))
        assert alice.id is not None
        assert fair.id is not None
    later = T0 + timedelta(hours=6)
    async with storage.session() as uow:
        fair.evening_due_at = later
        assert await uow.fairs.reschedule_evening(fair)
        # A stale copy of the list (its evening as first planned) writes its name, not that.
        stale = await uow.fairs.by_id(alice.id, fair.id)
        assert stale is not None
        stale.evening_due_at, stale.name = T0, "Spring Fair"
        await uow.fairs.update(stale)
    async with storage.session() as uow:
        assert await uow.fairs.next_evening_at() == later
        (_claimed,) = await uow.fairs.claim_evenings(Claim(later, "r1", later + LEASE, 10))
    async with storage.session() as uow:
        # Claimed meanwhile: a move planned on the old read changes nothing, so no second DM.
        fair.evening_due_at, fair.evening_status = later + timedelta(hours=1), NudgeStatus.PENDING
        assert not await uow.fairs.reschedule_evening(fair)
        await uow.fairs.update(fair)
    async with storage.session() as uow:
        found = await uow.fairs.by_id(alice.id, fair.id)
        assert found is not None
        assert found.name == "Spring Career Fair"
        assert (found.evening_status, found.evening_due_at) == (NudgeStatus.SENDING, later)
        assert found.lease_owner == "r1"
        # Another student's list is not theirs to move.
        bob = await add_person(uow, "bob")
        assert bob.id is not None
        found.person_id, found.evening_status = bob.id, NudgeStatus.PENDING
        assert not await uow.fairs.reschedule_evening(found)


async def test_a_conversation_is_matched_to_a_company_added_after_it(storage: Storage) -> None:
    async with storage.session() as uow:
        alice = await add_person(uow)
        fair = await uow.fairs.add(a_list(alice))
        at_hooli = await a_conversation(uow, alice, "Hooli")
        assert alice.id is not None
        assert fair.id is not None
        assert at_hooli.id is not None
        await uow.fairs.add_visit(FairVisit(fair.id, at_hooli.id, None))
        fair.entries.append(FairEntry("Hooli", 1, 4))
        await uow.fairs.update(fair)
        hooli = fair.entries[-1]
        await uow.fairs.link_visit(FairVisit(fair.id, at_hooli.id, hooli.id))
    async with storage.session() as uow:
        ((visit, _),) = await uow.fairs.visits(alice.id, fair.id)
        assert visit.entry_id == hooli.id


async def test_a_fair_changed_after_it_was_planned_on_every_backend(
    storage: Storage, clock: FakeClock, rulebook: Rulebook
) -> None:
    bot = make_test_bot(storage, clock=clock, rulebook=rulebook)

    async def say(text: str) -> str:
        reply = await bot.service.handle(ALICE, parse_command(text))
        assert not reply.is_error, reply.plain_text()
        return reply.plain_text()

    async def next_nudge() -> datetime | None:
        async with storage.session() as uow:
            return await uow.outbox.next_due_at()

    await say('/fair plan "Spring Career Fair" Acme:1, Globex:1, Initech:2')
    await say("/met Raj Patel, Initech, career fair")
    assert await next_nudge() is None
    text = await say("/fair move Initech 1")
    assert "Your follow-up #1 with Raj Patel at Initech is now nudged" in text
    assert await next_nudge() is not None
    text = await say("/fair add Initech:2")
    assert "is optional now: no more reminders" in text
    assert await next_nudge() is None
    await say("/followups settings zone America/Los_Angeles")
    await bot.run_until(hours=30)
    evenings = [dm for dm in bot.messenger.sent if dm.key.startswith("fair-evening")]
    assert [dm.at for dm in evenings] == [datetime(2026, 3, 7, 3, 0, tzinfo=UTC)]  # 19:00 PST
