"""The prompts after an event are outbox rows on every storage: two replicas sweeping together
send each once, a replica that dies after claiming loses none, and a member who leaves takes
their rows along."""

from __future__ import annotations

import asyncio

import pytest

from bot.commands import parse_command
from bot.dispatch import LEASE
from bot.domain import Address, Channel
from bot.ports import Claim, Storage
from bot.services import Requester
from bot.testing import FakeMessenger, TestBot, make_test_bot

CLUB = Channel("C42", "career-club")
MEMBERS = [f"U{n:03d}" for n in range(12)]


@pytest.fixture
async def club(storage: Storage) -> tuple[TestBot, int]:
    """A club, its Thursday event, and twelve members going; the event's id."""
    bot = make_test_bot(storage)

    async def say(who: str, text: str) -> None:
        requester = Requester(Address("slack", "T1", who), channel=CLUB)
        reply = await bot.service.handle(requester, parse_command(text))
        assert not reply.is_error, reply.plain_text()

    await say("olive", "/club setup Career Club tz:America/Chicago")
    await say("olive", '/club event "Deloitte Night" when:"thu 6pm-8pm" kind:networking')
    event_id = bot.messenger.posts[0].card.event_id
    for member in MEMBERS:
        await say(member, f"/club going {event_id}")
    return bot, event_id


async def prompted(bot: TestBot, messenger: FakeMessenger | None = None) -> list[str]:
    sent = (messenger or bot.messenger).sent
    return sorted(dm.to.address.user for dm in sent if dm.message.event_actions)


async def test_two_replicas_sweeping_together_send_each_prompt_once(
    club: tuple[TestBot, int],
) -> None:
    bot, _ = club
    due = await bot.dispatcher.next_due_at()
    assert due is not None
    bot.clock.move_to(due)
    other = bot.replica(owner="other", batch_size=5)
    mine = bot.replica(owner="mine", batch_size=5)
    await asyncio.gather(mine.dispatch_due(), other.dispatch_due())
    assert await prompted(bot) == MEMBERS


async def test_a_replica_that_dies_after_its_claim_loses_no_prompt(
    club: tuple[TestBot, int], storage: Storage
) -> None:
    bot, _ = club
    due = await bot.dispatcher.next_due_at()
    assert due is not None
    bot.clock.move_to(due)
    async with storage.session() as uow:  # claimed, and the replica dies before sending
        claimed = await uow.prompts.claim_due(Claim(due, "dead", due + LEASE, 100))
    assert len(claimed) == len(MEMBERS)
    await bot.dispatcher.dispatch_due()
    assert await prompted(bot) == []  # held by the dead replica's lease
    bot.clock.move_to(due + LEASE + LEASE)
    report = await bot.dispatcher.dispatch_due()
    assert report.sent == len(MEMBERS)
    assert await prompted(bot) == MEMBERS
    # Each with its row's key, so a platform that can drops a repeat.
    assert {dm.key for dm in bot.messenger.sent} == {f"prompt-{p.id}" for p in claimed}


async def test_a_member_who_leaves_takes_their_prompts_along(
    club: tuple[TestBot, int], storage: Storage
) -> None:
    bot, event_id = club
    async with storage.session() as uow:
        gone = await uow.people.get(Address("slack", "T1", MEMBERS[0]))
        assert gone is not None
        assert gone.id is not None
        await uow.people.forget([gone.id])
    await bot.run_until(hours=24 * 10)
    assert await prompted(bot) == sorted(MEMBERS[1:] * 2)
    async with storage.session() as uow:
        assert await uow.clubs.going_counts([event_id]) == {event_id: len(MEMBERS) - 1}
        assert await uow.prompts.next_due_at() is None
    # Every row was settled: a sweep finds nothing more to send.
    assert (await bot.dispatcher.dispatch_due()).claimed == 0


async def test_digests_go_out_once_on_every_storage(club: tuple[TestBot, int]) -> None:
    bot, _ = club

    async def say(who: str, text: str, channel: Channel | None = CLUB) -> None:
        requester = Requester(Address("slack", "T1", who), channel=channel)
        reply = await bot.service.handle(requester, parse_command(text))
        assert not reply.is_error, reply.plain_text()

    await say("olive", "/club digest weekly fri 9am")
    await bot.run_until(hours=24 * 6 + 2)  # Thursday evening, at the event
    for member in MEMBERS[:4]:
        await say(member, '/met Priya Raman, Deloitte, networking event:"Deloitte Night"', None)
    await say(MEMBERS[0], "/followups settings shoutouts on", None)
    await bot.run_until(hours=24 * 8)
    titles = [digest.title for _, digest in bot.messenger.digests]
    assert titles == [
        "Career Club this week: how members followed up",  # Friday 13 March, 9:00
        "After Deloitte Night: how Career Club followed up",  # Saturday 14 March, 20:00
        "Career Club this week: how members followed up",  # Friday 20 March
    ]
    week, event, _ = (digest for _, digest in bot.messenger.digests)
    assert week.lines[0] == "Members who logged conversations: 4"
    assert event.lines[:2] == ("Members who logged conversations: 4", "Conversations logged: 4")
    assert "Priya" not in event.plain_text() + week.plain_text()
