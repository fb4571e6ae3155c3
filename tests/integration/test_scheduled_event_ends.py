"""A followed Discord Scheduled Event is taken at its scheduled end, on every storage, though
Discord never says it completed (a voice event left active, a bot that was down): its
interested members are prompted once; with no end, two hours after its start; a completed
update as well prompts nobody twice; a cancelled or deleted event prompts nobody; an event moved
later is taken at its new end; and the row outlives a restart."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.club_commands import ScheduledEventDropped, ScheduledEventEnded, ScheduledEventWatched
from bot.commands import parse_command
from bot.domain import Address, Channel
from bot.ports import ScheduledEventState, Storage
from bot.replies import Reply
from bot.scheduled_event_ends import DEFAULT_LENGTH
from bot.services import Requester
from bot.testing import FakeScheduledEvents, TestBot, make_test_bot

CLUB = Channel("930001", "career-club")
GUILD = "920001"
REF = "940001"
INTERESTED = ("U1", "U2", "U3")


def server() -> Requester:
    return Requester(Address("discord", GUILD, "U0"))


async def following_club(storage: Storage, events: FakeScheduledEvents) -> TestBot:
    bot = make_test_bot(storage, scheduled_events=events)
    requester = Requester(Address("discord", GUILD, "U0"), channel=CLUB, manages_workspace=True)
    reply = await bot.service.handle(
        requester, parse_command("/club setup Career Club tz:America/Chicago follow:on")
    )
    assert not reply.is_error, reply.plain_text()
    return bot


def voice_event(
    starts_at: datetime, ends_at: datetime | None, status: str = "active"
) -> ScheduledEventState:
    return ScheduledEventState(
        name="Deloitte Info Session", starts_at=starts_at, ends_at=ends_at, status=status,
        interested=INTERESTED, created_by="U0",
    )  # fmt: skip


async def watched(bot: TestBot, starts_at: datetime, ends_at: datetime | None) -> Reply:
    command = ScheduledEventWatched(REF, starts_at, ends_at)
    return await bot.service.handle(server(), command)


def prompted(bot: TestBot) -> list[str]:
    """Who got the first prompt after the event (the reminder the next day aside)."""
    return sorted(
        dm.to.address.user
        for dm in bot.messenger.sent
        if dm.message.event_actions and dm.message.plain_text().startswith("How was")
    )


async def test_an_event_left_active_past_its_end_is_taken_then_and_prompts_once(
    storage: Storage,
) -> None:
    events = FakeScheduledEvents()
    bot = await following_club(storage, events)
    starts = bot.clock.now() + timedelta(hours=1)
    ends = starts + timedelta(hours=1)
    events.events[GUILD, REF] = voice_event(starts, ends)
    await watched(bot, starts, ends)
    await bot.run_until(hours=1.9)
    assert events.reads == []  # not before its end
    await bot.run_until(hours=0.2)
    assert events.reads == [(GUILD, REF)]
    await bot.run_until(hours=2)  # the prompts go an hour after its end
    assert prompted(bot) == list(INTERESTED)
    # Discord says it completed after all: nobody hears twice, and it is read no more.
    late = ScheduledEventEnded(REF, "Deloitte Info Session", starts, ends, INTERESTED, "U0")
    again = await bot.service.handle(server(), late)
    assert "already" in again.plain_text()
    await watched(bot, starts, ends)  # nor does a later change revive it
    await bot.run_until(hours=24 * 3)
    assert prompted(bot) == list(INTERESTED)
    assert events.reads == [(GUILD, REF)]


async def test_with_no_end_it_is_over_two_hours_after_its_start(storage: Storage) -> None:
    events = FakeScheduledEvents()
    bot = await following_club(storage, events)
    starts = bot.clock.now() + timedelta(minutes=30)
    events.events[GUILD, REF] = voice_event(starts, None)
    await watched(bot, starts, None)
    await bot.run_until(hours=0.5 + DEFAULT_LENGTH.total_seconds() / 3600 - 0.1)
    assert events.reads == []
    await bot.run_until(hours=0.2)
    assert events.reads == [(GUILD, REF)]
    async with storage.session() as uow:
        club = await uow.clubs.following("discord", GUILD)
        assert club is not None
        assert club.id is not None
        (event,) = await uow.clubs.events_between(club.id, starts, starts + timedelta(days=1))
    assert event.ends_at == starts + DEFAULT_LENGTH
    assert event.kind == "group"  # an info session


async def test_a_completed_update_first_leaves_nothing_for_the_sweep(storage: Storage) -> None:
    events = FakeScheduledEvents()
    bot = await following_club(storage, events)
    starts = bot.clock.now() - timedelta(hours=1)
    ends = bot.clock.now() + timedelta(hours=1)
    await watched(bot, starts, ends)
    bot.clock.advance(timedelta(minutes=30))  # ended early, and Discord said so
    done = ScheduledEventEnded(REF, "Deloitte Info Session", starts, ends, INTERESTED, "U0")
    assert "3 going" in (await bot.service.handle(server(), done)).plain_text()
    await bot.run_until(hours=24)
    assert events.reads == []
    assert prompted(bot) == list(INTERESTED)


async def test_cancelled_or_deleted_events_prompt_nobody(storage: Storage) -> None:
    events = FakeScheduledEvents()
    bot = await following_club(storage, events)
    now = bot.clock.now()
    # Cancelled, and Discord said so: never read.
    await watched(bot, now, now + timedelta(hours=1))
    await bot.service.handle(server(), ScheduledEventDropped(REF))
    # Cancelled, or deleted, while the bot wasn't listening: read at its end, then dropped.
    for ref, state in (
        ("940002", voice_event(now, now + timedelta(hours=1), status="cancelled")),
        ("940003", None),
    ):
        if state is not None:
            events.events[GUILD, ref] = state
        await bot.service.handle(
            server(), ScheduledEventWatched(ref, now, now + timedelta(hours=1))
        )
    await bot.run_until(hours=24)
    assert sorted(events.reads) == [(GUILD, "940002"), (GUILD, "940003")]
    assert prompted(bot) == []
    async with storage.session() as uow:
        club = await uow.clubs.following("discord", GUILD)
        assert club is not None
        assert club.id is not None
        assert await uow.clubs.events_between(club.id, now, now + timedelta(days=2)) == []


async def test_moved_later_unheard_it_is_taken_at_its_new_end(storage: Storage) -> None:
    events = FakeScheduledEvents()
    bot = await following_club(storage, events)
    now = bot.clock.now()
    await watched(bot, now, now + timedelta(hours=1))
    later = now + timedelta(hours=5)
    events.events[GUILD, REF] = voice_event(later - timedelta(hours=1), later, status="scheduled")
    await bot.run_until(hours=2)
    assert len(events.reads) == 1
    assert prompted(bot) == []
    events.events[GUILD, REF] = voice_event(later - timedelta(hours=1), later)  # it ran
    await bot.run_until(hours=4)
    assert len(events.reads) == 2
    assert prompted(bot) == list(INTERESTED)


async def test_one_that_never_started_or_is_read_days_late_prompts_nobody(
    storage: Storage,
) -> None:
    events = FakeScheduledEvents()
    bot = await following_club(storage, events)
    now = bot.clock.now()
    # A voice event nobody opened: still "scheduled" when its end has passed.
    events.events[GUILD, REF] = voice_event(now, now + timedelta(hours=1), status="scheduled")
    await watched(bot, now, now + timedelta(hours=1))
    await bot.run_until(hours=3)
    assert events.reads == [(GUILD, REF)]
    assert prompted(bot) == []
    # Another, whose end the bot reads only two days later (it was down over the weekend).
    other = "940009"
    events.events[GUILD, other] = voice_event(now, now + timedelta(hours=4))
    await bot.service.handle(server(), ScheduledEventWatched(other, now, now + timedelta(hours=4)))
    restarted = make_test_bot(storage, clock=bot.clock, scheduled_events=events)
    bot.clock.advance(timedelta(days=2))
    await restarted.run_until(hours=2)
    assert (GUILD, other) in events.reads
    assert prompted(restarted) == []


async def test_the_end_outlives_a_restart_and_waits_out_an_unreachable_discord(
    storage: Storage,
) -> None:
    events = FakeScheduledEvents()
    bot = await following_club(storage, events)
    now = bot.clock.now()
    events.events[GUILD, REF] = voice_event(now, now + timedelta(hours=1))
    await watched(bot, now, now + timedelta(hours=1))
    # The bot goes down; another process starts on the same database, past the event's end.
    restarted = make_test_bot(storage, clock=bot.clock, scheduled_events=events)
    bot.clock.advance(timedelta(hours=3))
    events.unreachable = True
    report = await restarted.dispatcher.dispatch_due()
    assert report.retried == 1
    assert prompted(restarted) == []
    events.unreachable = False
    await restarted.run_until(hours=2)
    assert prompted(restarted) == list(INTERESTED)
    assert len(events.reads) == 2


async def test_one_told_long_after_its_end_prompts_nobody(storage: Storage) -> None:
    events = FakeScheduledEvents()
    bot = await following_club(storage, events)
    now = bot.clock.now()
    events.events[GUILD, REF] = voice_event(now - timedelta(days=3), now - timedelta(days=2))
    told = await watched(bot, now - timedelta(days=3), now - timedelta(days=2))
    assert "too long ago" in told.plain_text()
    await bot.run_until(hours=24)
    assert events.reads == []
    assert prompted(bot) == []
