"""Calendar subscriptions through the service, on every storage backend: a private URL that
serves the student's open deadlines, always current; a reset stops the old one; another
student's URL never shows this student's data; forget-me stops it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from icalendar import Calendar

from bot.calendar_feed import CalendarFeed, token_hash
from bot.commands import CommandError, parse_command
from bot.domain import Address
from bot.ports import Storage
from bot.replies import Reply
from bot.services import Requester
from bot.testing import FakeClock, TestBot, make_test_bot
from rules.engine import Rulebook

ALICE = Requester(Address("slack", "T1", "alice"))
BOB = Requester(Address("discord", "G1", "bob"))
PUBLIC = "https://followups.example.org"
URL = re.compile(r"https://followups\.example\.org/calendar/([A-Za-z0-9_-]{43})\.ics")


@pytest.fixture
async def feed_bot(storage: Storage, clock: FakeClock, rulebook: Rulebook) -> TestBot:
    return make_test_bot(storage, clock=clock, rulebook=rulebook, public_url=PUBLIC + "/")


async def say(bot: TestBot, text: str, who: Requester = ALICE) -> Reply:
    return await bot.service.handle(who, parse_command(text))


async def link_of(bot: TestBot, text: str = "/followups calendar", who: Requester = ALICE) -> str:
    """The secret of the URL the reply gives."""
    reply = await say(bot, text, who)
    assert not reply.is_error, reply.plain_text()
    found = URL.search(reply.plain_text())
    assert found is not None, reply.plain_text()
    return found.group(1)


async def served(bot: TestBot, token: str) -> Calendar | None:
    """What the URL of `token` serves, parsed back with icalendar; None for a 404."""
    feed = CalendarFeed(bot.storage, bot.clock, bot.default_zone)
    body = await feed.calendar(f"{token}.ics")
    return None if body is None else Calendar.from_ical(body)


def summaries(calendar: Calendar | None) -> list[str]:
    assert calendar is not None
    return sorted(str(event["summary"]) for event in calendar.walk("VEVENT"))


async def test_the_link_serves_the_open_deadlines_always_current(feed_bot: TestBot) -> None:
    await say(feed_bot, "/met Jane Doe, Acme, interview, talked about Kafka")
    token = await link_of(feed_bot)
    assert summaries(await served(feed_bot, token)) == ["Follow up #1: Jane Doe, Acme (email)"]
    # Recorded, done and corrected after the link was given: the calendar follows.
    await say(feed_bot, "/met Raj Patel, Globex, networking")
    await say(feed_bot, "/followups done 1 email")
    await say(feed_bot, "/followups edit 2 name:Raj Patil")
    (summary,) = summaries(await served(feed_bot, token))
    assert summary.startswith("Follow up #2: Raj Patil, Globex")
    # Served later, the same link reads the same rows as of then.
    feed_bot.clock.advance(timedelta(days=60))
    assert summaries(await served(feed_bot, token)) == []


async def test_asking_again_keeps_the_link_and_reset_replaces_it(feed_bot: TestBot) -> None:
    await say(feed_bot, "/met Jane Doe, Acme, interview")
    first = await link_of(feed_bot)
    again = (await say(feed_bot, "/followups calendar")).plain_text()
    assert "You have a calendar link already, and it still works" in again
    assert URL.search(again) is None
    assert await served(feed_bot, first) is not None

    second = await link_of(feed_bot, "/followups calendar reset")
    assert second != first
    assert await served(feed_bot, first) is None  # at once
    assert summaries(await served(feed_bot, second)) == ["Follow up #1: Jane Doe, Acme (email)"]
    third = await link_of(feed_bot, "/FollowUps Calendar RESET")
    assert await served(feed_bot, second) is None
    assert await served(feed_bot, third) is not None


async def test_the_secret_is_stored_only_as_its_hash(feed_bot: TestBot) -> None:
    token = await link_of(feed_bot)
    async with feed_bot.storage.session() as uow:
        assert await uow.calendar_feeds.owner(token) is None
        owner = await uow.calendar_feeds.owner(token_hash(token))
    assert owner is not None
    assert owner.address == ALICE.address


async def test_another_students_link_never_shows_this_students_data(feed_bot: TestBot) -> None:
    await say(feed_bot, "/met Jane Doe, Acme, interview, talked about Kafka")
    await say(feed_bot, "/met John Roe, Initech, interview", BOB)
    alices = await link_of(feed_bot)
    bobs = await link_of(feed_bot, who=BOB)
    assert summaries(await served(feed_bot, bobs)) == ["Follow up #1: John Roe, Initech (email)"]
    assert summaries(await served(feed_bot, alices)) == ["Follow up #1: Jane Doe, Acme (email)"]
    # Bob's reset leaves Alice's link alone.
    await link_of(feed_bot, "/followups calendar reset", BOB)
    assert summaries(await served(feed_bot, alices)) == ["Follow up #1: Jane Doe, Acme (email)"]


async def test_forget_me_stops_the_link(feed_bot: TestBot) -> None:
    await say(feed_bot, "/met Jane Doe, Acme, interview")
    token = await link_of(feed_bot)
    assert not (await say(feed_bot, "/followups forget-me confirm")).is_error
    assert await served(feed_bot, token) is None
    # Back again, she starts afresh: a new link, not the old one.
    assert "Your private calendar link" in (await say(feed_bot, "/followups calendar")).plain_text()


@pytest.mark.parametrize(
    "name",
    ["", ".ics", "x.ics", "../../etc/passwd", "A" * 43, "A" * 43 + ".ics", "A" * 44 + ".ics"],
)
async def test_a_made_up_link_serves_nothing(feed_bot: TestBot, name: str) -> None:
    token = await link_of(feed_bot)
    feed = CalendarFeed(feed_bot.storage, feed_bot.clock, feed_bot.default_zone)
    assert await feed.calendar(name) is None
    assert await feed.calendar(token.swapcase() + ".ics") is None
    assert await feed.calendar(token + "x.ics") is None
    assert await feed.calendar(token) is not None  # without .ics too


async def test_without_a_public_address_it_says_so_and_suggests_export(
    storage: Storage, clock: FakeClock, rulebook: Rulebook
) -> None:
    bot = make_test_bot(storage, clock=clock, rulebook=rulebook)
    reply = await bot.service.handle(ALICE, parse_command("/followups calendar"))
    text = reply.plain_text()
    assert "Calendar subscriptions aren't available here" in text
    assert "/followups export" in text
    assert "/calendar/" not in text
    async with bot.storage.session() as uow:
        person = await uow.people.get(ALICE.address)
        assert person is not None
        assert not await uow.calendar_feeds.exists(person.id or 0)


@pytest.mark.parametrize("typed", ["/followups calendar please", "/followups calendar reset now"])
def test_a_wrong_calendar_command_is_explained(typed: str) -> None:
    with pytest.raises(CommandError, match=r"^Usage: /followups calendar for your calendar"):
        parse_command(typed)
