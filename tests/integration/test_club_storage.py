"""The Clubs repository's contract: the in-memory fake, SQLite and PostgreSQL behave alike."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.domain import (
    Address,
    Club,
    ClubDigest,
    ClubEvent,
    Conversation,
    DigestKind,
    EventPrompt,
    NudgeStatus,
    Person,
    PromptKind,
)
from bot.ports import Claim, Storage, UnitOfWork

T0 = datetime(2026, 3, 6, 20, 0, tzinfo=UTC)


def a_club(channel: str = "C1", name: str = "Career Club") -> Club:
    return Club("slack", "T1", channel, name, "America/New_York", "U1", T0)


def an_event(club_id: int, title: str = "Deloitte Night", *, days: int = 1) -> ClubEvent:
    starts = T0 + timedelta(days=days)
    return ClubEvent(club_id, title, "networking", starts, starts + timedelta(hours=2), "U1", T0)


async def add_student(uow: UnitOfWork, user: str) -> int:
    person = await uow.people.add(Person(Address("slack", "T1", user), created_at=T0))
    assert person.id is not None
    return person.id


async def test_a_channel_is_one_club_and_setting_it_up_twice_keeps_the_first(
    storage: Storage,
) -> None:
    async with storage.session() as uow:
        first = await uow.clubs.add(a_club())
        again = await uow.clubs.add(a_club(name="Another Name"))
        other = await uow.clubs.add(a_club(channel="C2", name="Finance Society"))
    assert first.id is not None
    assert again.id == first.id
    assert other.id != first.id
    async with storage.session() as uow:
        found = await uow.clubs.get("slack", "T1", "C1")
        assert found == first
        assert found is not None
        assert found.name == "Career Club"
        assert await uow.clubs.get("slack", "T2", "C1") is None
        assert await uow.clubs.get("discord", "T1", "C1") is None
        found.name, found.timezone = "Career Club (Spring)", "Europe/Berlin"
        await uow.clubs.update(found)
    async with storage.session() as uow:
        assert await uow.clubs.get("slack", "T1", "C1") == found


async def test_organizers_are_added_once_and_removed(storage: Storage) -> None:
    async with storage.session() as uow:
        club = await uow.clubs.add(a_club())
        other = await uow.clubs.add(a_club(channel="C2"))
        assert club.id is not None
        assert other.id is not None
        assert await uow.clubs.add_organizer(club.id, "U7")
        assert not await uow.clubs.add_organizer(club.id, "U7")
        assert await uow.clubs.add_organizer(club.id, "U3")
        assert await uow.clubs.add_organizer(other.id, "U9")
    async with storage.session() as uow:
        assert await uow.clubs.organizers(club.id) == ["U3", "U7"]
        assert await uow.clubs.remove_organizer(club.id, "U7")
        assert not await uow.clubs.remove_organizer(club.id, "U7")
        assert not await uow.clubs.remove_organizer(club.id, "U9")
    async with storage.session() as uow:
        assert await uow.clubs.organizers(club.id) == ["U3"]
        assert await uow.clubs.organizers(other.id) == ["U9"]


async def test_events_are_found_by_their_club_and_their_time(storage: Storage) -> None:
    async with storage.session() as uow:
        club = await uow.clubs.add(a_club())
        other = await uow.clubs.add(a_club(channel="C2"))
        assert club.id is not None
        assert other.id is not None
        fair = an_event(club.id, "Spring Career Fair", days=3)
        fair.companies = ("Acme", "Globex", "Initech")
        fair = await uow.clubs.add_event(fair)
        night = await uow.clubs.add_event(an_event(club.id, days=1))
        past = await uow.clubs.add_event(an_event(club.id, "Resume Clinic", days=-10))
        elsewhere = await uow.clubs.add_event(an_event(other.id, "Finance Mixer"))
    assert fair.id is not None
    assert night.id is not None
    assert elsewhere.id is not None
    async with storage.session() as uow:
        found = await uow.clubs.event(club.id, fair.id)
        assert found == fair
        assert found.companies == ("Acme", "Globex", "Initech")
        # Another club's event reads like none.
        assert await uow.clubs.event(club.id, elsewhere.id) is None
        soon = await uow.clubs.events_between(club.id, T0, T0 + timedelta(days=7))
        assert [e.title for e in soon] == ["Deloitte Night", "Spring Career Fair"]
        assert past.id not in {e.id for e in soon}
        night.title, night.cancelled, night.post_ref = "Deloitte Night (moved)", True, "1712.5"
        night.starts_at += timedelta(hours=1)
        await uow.clubs.update_event(night)
    async with storage.session() as uow:
        assert await uow.clubs.event(club.id, night.id) == night
        # Where the card went is kept alone: a change made meanwhile stays.
        await uow.clubs.set_post_ref(fair.id, "940000000000000123")
    async with storage.session() as uow:
        kept = await uow.clubs.event(club.id, fair.id)
        assert kept is not None
        assert kept.post_ref == "940000000000000123"
        assert kept.title == "Spring Career Fair"


async def test_going_is_counted_per_event_and_goes_with_the_student(storage: Storage) -> None:
    async with storage.session() as uow:
        club = await uow.clubs.add(a_club())
        assert club.id is not None
        night = await uow.clubs.add_event(an_event(club.id))
        fair = await uow.clubs.add_event(an_event(club.id, "Fair", days=2))
        assert night.id is not None
        assert fair.id is not None
        students = [await add_student(uow, f"U{n}") for n in range(5)]
        for student in students:
            assert await uow.clubs.set_going(night.id, student, True, T0)
        assert not await uow.clubs.set_going(night.id, students[0], True, T0)
        assert await uow.clubs.set_going(fair.id, students[0], True, T0)
        assert await uow.clubs.set_going(night.id, students[4], False, T0)
        assert not await uow.clubs.set_going(night.id, students[4], False, T0)
    async with storage.session() as uow:
        assert await uow.clubs.going_counts([night.id, fair.id, 999]) == {night.id: 4, fair.id: 1}
        assert await uow.clubs.going_counts([]) == {}
        assert await uow.clubs.is_going(night.id, students[1])
        assert not await uow.clubs.is_going(night.id, students[4])
        await uow.people.forget([students[0]])
    async with storage.session() as uow:
        assert await uow.clubs.going_counts([night.id, fair.id]) == {night.id: 3}
        going = await uow.clubs.going_people(night.id)
        assert [p.address.user for p in going] == ["U1", "U2", "U3"]
        assert await uow.clubs.going_event(night.id, students[1]) == night
        assert await uow.clubs.going_event(night.id, students[4]) is None  # took it back
        assert await uow.clubs.going_event(fair.id, students[1]) is None


async def test_deleting_a_club_leaves_its_members_follow_ups(storage: Storage) -> None:
    async with storage.session() as uow:
        club = await uow.clubs.add(a_club())
        assert club.id is not None
        await uow.clubs.add_organizer(club.id, "U7")
        night = await uow.clubs.add_event(an_event(club.id))
        assert night.id is not None
        student = await add_student(uow, "U2")
        await uow.clubs.set_going(night.id, student, True, T0)
        await uow.follow_ups.add_conversation(
            Conversation(
                person_id=student,
                contact_name="Priya Raman",
                company="Deloitte",
                kind="networking",
                met_at=T0,
                created_at=T0,
                event="Deloitte Night",
                logged_in="C1",
            )
        )
    async with storage.session() as uow:
        await uow.clubs.delete(club.id)
    async with storage.session() as uow:
        assert await uow.clubs.get("slack", "T1", "C1") is None
        assert await uow.clubs.organizers(club.id) == []
        assert await uow.clubs.event(club.id, night.id) is None
        assert await uow.clubs.going_counts([night.id]) == {}
        kept = await uow.follow_ups.latest_conversation(student)
        assert kept is not None
        assert kept.contact_name == "Priya Raman"


async def test_digests_are_planned_once_claimed_once_and_count_the_clubs_conversations(
    storage: Storage,
) -> None:
    async with storage.session() as uow:
        club = await uow.clubs.add(a_club())
        other = await uow.clubs.add(a_club(channel="C2"))
        assert club.id is not None
        assert other.id is not None
        night = await uow.clubs.add_event(an_event(club.id))
        assert night.id is not None
        due = night.ends_at + timedelta(hours=48)
        digest = ClubDigest(club.id, DigestKind.EVENT, night.starts_at, due, due, night.id)
        # Planned twice (two replicas, or an edit and the hourly job): one row.
        await uow.digests.plan([digest, ClubDigest(**{**digest.__dict__, "id": None})])
        weekly = ClubDigest(club.id, DigestKind.WEEKLY, due - timedelta(days=7), due, due)
        await uow.digests.plan([weekly])
        club.digest_day, club.digest_at = 0, time(9)
        await uow.clubs.update(club)
        student = await add_student(uow, "U2")
        for contact, event, channel in (
            ("Priya Raman", "deloitte NIGHT", None),  # names the event, in any case
            ("Tom O'Brien", None, "C1"),  # logged in the channel while it ran
            ("Ana Ruiz", None, "C2"),  # another club's channel
        ):
            await uow.follow_ups.add_conversation(
                Conversation(
                    person_id=student, contact_name=contact, company="Deloitte",
                    kind="networking", met_at=night.starts_at, created_at=night.starts_at,
                    event=event, logged_in=channel,
                )
            )  # fmt: skip
    async with storage.session() as uow:
        assert [c.id for c in await uow.digests.weekly_clubs()] == [club.id]
        assert await uow.digests.next_due_at() == due
        first = await uow.digests.claim_due(Claim(due, "a", due + timedelta(minutes=2), 10))
        again = await uow.digests.claim_due(Claim(due, "b", due + timedelta(minutes=2), 10))
        assert sorted(d.kind for d in first) == [DigestKind.EVENT, DigestKind.WEEKLY]
        assert again == []
        contexts = await uow.digests.contexts(first)
        by_kind = {c.digest.kind: c for c in contexts.values()}
        assert by_kind[DigestKind.EVENT].event == night
        assert by_kind[DigestKind.WEEKLY].event is None
        counted = await uow.digests.activity(club, night, night.starts_at, due)
        assert len({a.conversation_id for a in counted}) == 2
        assert {a.shoutout_name for a in counted} == {None}  # nobody opted in
        for claimed in first:
            claimed.status, claimed.lease_owner = NudgeStatus.SENT, None
        await uow.digests.settle(first, "a")
    async with storage.session() as uow:
        assert await uow.digests.next_due_at() is None
        await uow.digests.plan([ClubDigest(club.id, DigestKind.EVENT, T0, due + timedelta(days=1),
                                           due + timedelta(days=1), night.id)])  # fmt: skip
        await uow.digests.drop_pending(club.id, DigestKind.EVENT, night.id)
        assert await uow.digests.next_due_at() is None


async def test_a_replica_claims_only_the_prompts_and_digests_of_its_platforms(
    storage: Storage,
) -> None:
    due = T0 + timedelta(days=3)
    async with storage.session() as uow:
        club = await uow.clubs.add(a_club())
        assert club.id is not None
        night = await uow.clubs.add_event(an_event(club.id))
        assert night.id is not None
        member = await add_student(uow, "U2")
        await uow.prompts.plan([EventPrompt(night.id, member, PromptKind.PROMPT, due)])
        await uow.digests.plan([ClubDigest(club.id, DigestKind.EVENT, T0, due, due, night.id)])
    lease = due + timedelta(minutes=2)
    async with storage.session() as uow:
        # A Discord-only process: the Slack club's digest and its member's prompt aren't its.
        assert await uow.prompts.claim_due(Claim(due, "d", lease, 10, ("discord",))) == []
        assert await uow.digests.claim_due(Claim(due, "d", lease, 10, ("discord",))) == []
    async with storage.session() as uow:
        prompts = await uow.prompts.claim_due(Claim(due, "s", lease, 10, ("slack", "discord")))
        digests = await uow.digests.claim_due(Claim(due, "s", lease, 10, ("slack",)))
    assert [p.person_id for p in prompts] == [member]
    assert [d.club_id for d in digests] == [club.id]
