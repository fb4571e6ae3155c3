"""Calendar subscriptions over HTTP, with a real aiohttp client on 127.0.0.1: the ops server
serves a student's link as an iCalendar file (parsed back with icalendar), a reset link or a
made-up one is a bare 404, and another student's link shows only their own deadlines."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest
from icalendar import Calendar

from adapters.ops import OpsServer, OpsSettings
from bot.bootstrap import Bot, build_bot
from bot.calendar_feed import CalendarFeed
from bot.commands import parse_command
from bot.config import Settings
from bot.domain import Address
from bot.services import Requester
from bot.testing import FakeClock, FakeMessenger
from tests.adapters.test_ops import FlakyStorage, free_port
from tests.conftest import START

ALICE = Requester(Address("slack", "T1", "alice"))
BOB = Requester(Address("discord", "G1", "bob"))
PUBLIC = "https://followups.example.org"
LINK = re.compile(r"https://followups\.example\.org(/calendar/[A-Za-z0-9_-]{43}\.ics)")


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    built = await build_bot(
        Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/feeds.db", public_url=PUBLIC),
        clock=FakeClock(START),
        messengers={"slack": FakeMessenger(), "discord": FakeMessenger()},
        scheduled=False,
    )
    yield built
    await built.close()


@contextlib.asynccontextmanager
async def ops_for(bot: Bot) -> AsyncIterator[str]:
    """The ops server for `bot` on a free loopback port: its base URL."""
    settings = OpsSettings(host="127.0.0.1", port=free_port())
    ops = OpsServer(bot, {}, settings)
    await ops.start()
    try:
        yield f"http://127.0.0.1:{settings.port}"
    finally:
        await ops.stop()


@pytest.fixture
async def base(bot: Bot) -> AsyncIterator[str]:
    async with ops_for(bot) as url:
        yield url


async def say(bot: Bot, text: str, who: Requester = ALICE) -> str:
    return (await bot.service.handle(who, parse_command(text))).plain_text()


async def path_of(bot: Bot, text: str = "/followups calendar", who: Requester = ALICE) -> str:
    """The path of the link a reply gives."""
    found = LINK.search(await say(bot, text, who))
    assert found is not None
    return found.group(1)


async def fetch(url: str) -> tuple[int, str, bytes]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, response.headers.get("Content-Type", ""), await response.read()


async def test_the_link_serves_an_icalendar_file(bot: Bot, base: str) -> None:
    await say(bot, "/met Jane Doe, Acme, interview, Kafka streams")
    path = await path_of(bot)
    status, media_type, body = await fetch(base + path)
    assert status == 200
    assert media_type == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(body)
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Follow up #1: Jane Doe, Acme (email)"
    assert str(event["description"]) == "You talked about: Kafka streams"
    assert calendar.walk("VALARM")


async def test_a_reset_link_and_a_made_up_one_are_a_bare_404(bot: Bot, base: str) -> None:
    await say(bot, "/met Jane Doe, Acme, interview")
    old = await path_of(bot)
    new = await path_of(bot, "/followups calendar reset")
    assert (await fetch(base + new))[0] == 200
    made_up = "/calendar/" + "A" * 43 + ".ics"
    answers = [await fetch(base + path) for path in (old, made_up, "/calendar/x.ics")]
    assert [(status, body) for status, _, body in answers] == [(404, b"not found\n")] * 3


async def test_each_link_shows_only_its_own_students_deadlines(bot: Bot, base: str) -> None:
    await say(bot, "/met Jane Doe, Acme, interview")
    await say(bot, "/met John Roe, Initech, interview", BOB)
    alices, bobs = await path_of(bot), await path_of(bot, who=BOB)
    _, _, alice_body = await fetch(base + alices)
    _, _, bob_body = await fetch(base + bobs)
    assert b"Jane Doe" in alice_body
    assert b"John Roe" not in alice_body
    assert b"John Roe" in bob_body
    assert b"Jane Doe" not in bob_body
    assert b"Acme" not in bob_body


async def test_the_public_url_names_the_served_path(bot: Bot) -> None:
    text = await say(bot, "/followups calendar")
    found = LINK.search(text)
    assert found is not None
    assert urlsplit(found.group(0)).netloc == "followups.example.org"
    assert "keep it to yourself" in text


async def test_a_database_that_doesnt_answer_is_a_503_to_come_back_later(bot: Bot) -> None:
    path = await path_of(bot)
    flaky = FlakyStorage(bot.storage)
    bot.calendars = CalendarFeed(flaky, bot.clock, bot.service.default_zone)
    async with ops_for(bot) as base:
        flaky.down = True
        async with aiohttp.ClientSession() as session, session.get(base + path) as response:
            assert response.status == 503
            assert response.headers["Retry-After"] == "60"
        flaky.down = False
        assert (await fetch(base + path))[0] == 200
