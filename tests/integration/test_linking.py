"""One student across Slack and Discord, through the service on every storage backend: a code
from one platform typed on the other joins the accounts into one list, one set of settings and
one numbering; codes are single-use, expire, are rate-limited; unlink splits them; reminders go
where the student chooses; forget-me takes both accounts."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.commands import Command, parse_command
from bot.domain import Address
from bot.linking import normal_code
from bot.ports import Storage
from bot.replies import Reply
from bot.services import Requester
from bot.storage.migrate import upgrade_to_head
from bot.storage.sql import SqlStorage
from bot.testing import FakeClock, TestBot, make_test_bot
from rules.engine import Rulebook

SLACK = Requester(Address("slack", "T1", "U0ALICE"), display_name="Alice Kim")
DISCORD = Requester(Address("discord", "G1", "5550001"), shares_zone=False)
DISCORD_BOB = Requester(Address("discord", "G1", "5550002"), shares_zone=False)
SLACK_BOB = Requester(Address("slack", "T1", "U0BOB"))
AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
CODE = re.compile(r"Your link code: ([A-Z0-9]{4}-[A-Z0-9]{4})")


@pytest.fixture
async def bot(storage: Storage, clock: FakeClock, rulebook: Rulebook) -> TestBot:
    return make_test_bot(storage, clock=clock, rulebook=rulebook)


async def say(bot: TestBot, who: Requester, text: str) -> Reply:
    return await bot.service.handle(who, parse_command(text))


async def code_for(bot: TestBot, who: Requester = SLACK) -> str:
    reply = await say(bot, who, "/followups link")
    found = CODE.search(reply.plain_text())
    assert found is not None, reply.plain_text()
    return found.group(1)


async def listed(bot: TestBot, who: Requester) -> list[str]:
    return [str(s) for s in await bot.service.open_follow_ups(who)]


async def test_a_code_typed_on_discord_joins_the_two_lists(bot: TestBot) -> None:
    await say(bot, SLACK, "/met Jane Doe, Acme, interview")
    await say(bot, DISCORD, "/met Raj Patel, Globex, networking")
    await say(bot, DISCORD, "/met Ana Ruiz, Initech, interview")
    code = await code_for(bot)
    reply = await say(bot, DISCORD, f"/followups link {code.lower()}")
    text = reply.plain_text()
    assert not reply.is_error, text
    assert "Linked: Slack and Discord now share one list" in text
    # Discord's own #1 and #2 follow Slack's #1: numbers stay the student's own.
    assert "#1 is now #2, #2 is now #3" in text
    for who in (SLACK, DISCORD):
        names = await listed(bot, who)
        assert sorted(n.split(" ", 1)[0] for n in names) == ["#1", "#2", "#3"]
        assert any("Raj Patel" in n for n in names)
        assert any("Jane Doe" in n for n in names)
    # One numbering: the next /met on either platform is #4, and #1 is Jane on both.
    await say(bot, DISCORD, "/met Li Wei, Hooli, call")
    assert "Jane Doe" in (await say(bot, DISCORD, "/followups draft 1")).plain_text()
    assert any(n.startswith("#4 Li Wei") for n in await listed(bot, SLACK))
    # One set of settings: changed on Discord, shown on Slack.
    await say(bot, DISCORD, "/followups settings quiet 23:00-06:00")
    assert "23:00" in (await say(bot, SLACK, "/followups settings")).plain_text()
    # Bob sees none of it.
    assert await listed(bot, DISCORD_BOB) == []


async def test_a_code_works_once_and_for_ten_minutes(bot: TestBot, clock: FakeClock) -> None:
    code = await code_for(bot)
    clock.advance(timedelta(minutes=10, seconds=1))
    expired = await say(bot, DISCORD, f"/followups link {code}")
    assert expired.is_error
    assert "That code has expired" in expired.plain_text()
    assert await listed(bot, DISCORD) == []

    code = await code_for(bot)
    clock.advance(timedelta(minutes=9))
    assert not (await say(bot, DISCORD, f"/followups link {code}")).is_error
    reused = await say(bot, DISCORD_BOB, f"/followups link {code}")
    assert reused.is_error
    assert "That code isn't right, or it was used already" in reused.plain_text()
    await say(bot, SLACK, "/met Jane Doe, Acme, interview")
    assert await listed(bot, DISCORD_BOB) == []


async def test_five_wrong_codes_then_a_pause(bot: TestBot, clock: FakeClock) -> None:
    code = await code_for(bot)
    wrong = "ABCD-EFGH" if normal_code(code) != "ABCDEFGH" else "HGFE-DCBA"
    for _ in range(4):
        answer = await say(bot, DISCORD, f"/followups link {wrong}")
        assert "That code isn't right" in answer.plain_text()
    fifth = await say(bot, DISCORD, f"/followups link {wrong}")
    assert "Too many wrong codes: wait 15 minutes" in fifth.plain_text()
    # Even the right code waits out the pause, and is still good after it.
    paused = await say(bot, DISCORD, f"/followups link {code}")
    assert "Too many wrong codes: try again in 15 minutes" in paused.plain_text()
    clock.advance(timedelta(minutes=9))
    code = await code_for(bot)
    assert (
        "try again in 6 minutes"
        in (await say(bot, DISCORD, f"/followups link {code}")).plain_text()
    )
    clock.advance(timedelta(minutes=6))
    assert not (await say(bot, DISCORD, f"/followups link {code}")).is_error
    # Another account's tries are its own.
    assert "isn't right" in (await say(bot, DISCORD_BOB, f"/followups link {wrong}")).plain_text()


async def test_wrong_codes_typed_at_once_each_count(bot: TestBot) -> None:
    code = await code_for(bot)
    wrong = "ABCD-EFGH" if normal_code(code) != "ABCDEFGH" else "HGFE-DCBA"
    answers = await asyncio.gather(
        *(say(bot, DISCORD, f"/followups link {wrong}") for _ in range(7))
    )
    texts = [a.plain_text() for a in answers]
    assert sum("isn't right" in t for t in texts) == 5, texts
    assert sum("Too many wrong codes: wait 15 minutes" in t for t in texts) == 1, texts
    assert sum("try again in 15 minutes" in t for t in texts) == 2, texts


async def test_a_held_value_waits_for_the_unit_of_work_holding_it(engine: AsyncEngine) -> None:
    """Two replicas counting one account's wrong link codes at once: the second reads the
    count only once the first has written it back, whether the row existed or not."""
    await upgrade_to_head(engine)
    storage = SqlStorage(engine)
    first_holds = asyncio.Event()
    release = asyncio.Event()

    async def first() -> None:
        async with storage.session() as uow:
            assert await uow.state.hold("link-tries:discord:G1:1", AT) is None
            first_holds.set()
            await release.wait()
            await uow.state.set("link-tries:discord:G1:1", "1|", AT)

    async def second() -> str | None:
        await first_holds.wait()
        async with storage.session() as uow:
            return await uow.state.hold("link-tries:discord:G1:1", AT)

    holding = asyncio.create_task(first())
    waiting = asyncio.create_task(second())
    await first_holds.wait()
    await asyncio.sleep(0.3)
    assert not waiting.done()
    release.set()
    await holding
    assert await waiting == "1|"


@pytest.mark.parametrize("typed", ["12", "ABCD-EFG", "ABCD-EF0O", "code please", "A" * 200])
async def test_what_isnt_a_code_is_explained_and_not_counted(bot: TestBot, typed: str) -> None:
    await code_for(bot)
    for _ in range(6):
        reply = await say(bot, DISCORD, f"/followups link {typed}")
        assert reply.is_error
        assert "isn't a link code" in reply.plain_text()


async def test_a_code_on_the_same_platform_or_your_own_is_refused(bot: TestBot) -> None:
    code = await code_for(bot)
    own = await say(bot, SLACK, f"/followups link {code}")
    assert "That code is your own" in own.plain_text()
    same = await say(bot, SLACK_BOB, f"/followups link {code}")
    assert "who has a Slack account already" in same.plain_text()
    # Refusals leave the code good for the right account.
    assert not (await say(bot, DISCORD, f"/followups link {code}")).is_error


async def test_unlink_splits_them_and_the_list_stays_where_reminders_go(bot: TestBot) -> None:
    assert "aren't linked" in (await say(bot, SLACK, "/followups unlink")).plain_text()
    await say(bot, SLACK, "/met Jane Doe, Acme, interview")
    await say(bot, DISCORD, f"/followups link {await code_for(bot)}")
    reply = await say(bot, DISCORD, "/followups unlink")
    assert "stay with Slack" in reply.plain_text()
    assert len(await listed(bot, SLACK)) == 1
    assert await listed(bot, DISCORD) == []
    await say(bot, DISCORD, "/met Raj Patel, Globex, networking")
    assert [n.split(" ", 1)[0] for n in await listed(bot, DISCORD)] == ["#1"]


async def test_nudges_go_to_the_platform_the_student_chooses(bot: TestBot) -> None:
    await say(bot, SLACK, "/followups settings tz America/Los_Angeles")
    await say(bot, DISCORD, f"/followups link {await code_for(bot)}")
    await say(bot, DISCORD, "/met Jane Doe, Acme, interview")
    assert (
        "come on Slack already"
        in (await say(bot, DISCORD, "/followups settings dm slack")).plain_text()
    )
    await bot.run_until(30)
    assert {dm.to.address for dm in bot.messenger.sent} == {SLACK.address}
    moved = await say(bot, SLACK, "/followups settings dm Discord")
    assert "come on Discord from now on" in moved.plain_text()
    # Still one list, one numbering, one set of settings, on both.
    assert [s.split(" ", 1)[0] for s in await listed(bot, SLACK)] == ["#1"]
    await say(bot, SLACK, "/met Raj Patel, Globex, networking")
    assert [s.split(" ", 1)[0] for s in await listed(bot, DISCORD)] == ["#1", "#2"]
    assert "America/Los_Angeles" in (await say(bot, DISCORD, "/followups settings")).plain_text()
    bot.messenger.sent.clear()
    await bot.run_until(30)
    assert bot.messenger.sent
    assert {dm.to.address for dm in bot.messenger.sent} == {DISCORD.address}
    bad = await say(bot, SLACK, "/followups settings dm email")
    assert "Usage: /followups settings dm slack" in bad.plain_text()


async def test_dm_without_a_linked_account_says_how_to_link(bot: TestBot) -> None:
    reply = await say(bot, SLACK, "/followups settings dm discord")
    assert reply.is_error
    assert "no Discord account linked" in reply.plain_text()


async def test_forget_me_takes_both_accounts(bot: TestBot) -> None:
    await say(bot, SLACK, "/met Jane Doe, Acme, interview")
    await say(bot, DISCORD, f"/followups link {await code_for(bot)}")
    await say(bot, DISCORD_BOB, "/met John Roe, Initech, interview")
    assert not (await say(bot, DISCORD, "/followups forget-me confirm")).is_error
    async with bot.storage.session() as uow:
        assert await uow.people.get(SLACK.address) is None
        assert await uow.people.get(DISCORD.address) is None
        assert await uow.people.get(DISCORD_BOB.address) is not None
    assert len(await listed(bot, DISCORD_BOB)) == 1


async def test_forget_me_takes_a_waiting_code(bot: TestBot) -> None:
    code = await code_for(bot)
    assert not (await say(bot, SLACK, "/followups forget-me confirm")).is_error
    reply = await say(bot, DISCORD, f"/followups link {code}")
    assert "That code isn't right, or it was used already" in reply.plain_text()


@pytest.mark.parametrize("kept", [False, True])
async def test_joining_says_when_a_calendar_link_stops_working(
    storage: Storage, clock: FakeClock, rulebook: Rulebook, kept: bool
) -> None:
    bot = make_test_bot(storage, clock=clock, rulebook=rulebook, public_url="https://f.example/")
    assert "/calendar/" in (await say(bot, DISCORD, "/followups calendar")).plain_text()
    if kept:
        await say(bot, SLACK, "/followups calendar")
    text = (await say(bot, DISCORD, f"/followups link {await code_for(bot)}")).plain_text()
    assert "This account's calendar link has stopped working" in text
    assert ("subscribe to the one you already have" in text) is kept
    assert ("/followups calendar gives a new one" in text) is not kept
    # Without a link of its own, the join says nothing of calendars.
    text = (
        await say(bot, DISCORD_BOB, f"/followups link {await code_for(bot, SLACK_BOB)}")
    ).plain_text()
    assert "Linked:" in text
    assert "calendar" not in text


async def test_settings_show_the_accounts_and_where_reminders_go(bot: TestBot) -> None:
    before = (await say(bot, SLACK, "/followups settings")).plain_text()
    assert "Accounts: Slack only (/followups link joins Discord)" in before
    await say(bot, DISCORD, f"/followups link {await code_for(bot)}")
    for who in (SLACK, DISCORD):
        shown = (await say(bot, who, "/followups settings")).plain_text()
        assert "Accounts: Slack and Discord share this list; reminders come on Slack" in shown
    moved = (await say(bot, SLACK, "/followups settings dm discord")).plain_text()
    assert moved
    shown = (await say(bot, SLACK, "/followups settings")).plain_text()
    assert "Accounts: Discord and Slack share this list; reminders come on Discord" in shown
    console = Requester(Address("console", "local", "me"))
    assert "Accounts" not in (await say(bot, console, "/followups settings")).plain_text()


async def test_a_change_on_one_platform_is_told_for_every_linked_account(bot: TestBot) -> None:
    """Slack's Home tab listens: a change typed on Discord refreshes the Slack one too."""
    told: list[tuple[list[Address], str]] = []

    async def listener(accounts: Sequence[Address], command: Command) -> None:
        told.append((list(accounts), type(command).__name__))

    async def broken(accounts: Sequence[Address], command: Command) -> None:
        raise RuntimeError("a platform that is down")

    bot.service.change_listeners += [broken, listener]
    await say(bot, SLACK, "/met Jane Doe, Acme, interview")
    assert told == [([SLACK.address], "Met")]
    await say(bot, DISCORD, f"/followups link {await code_for(bot)}")
    told.clear()

    done = await say(bot, DISCORD, "/followups done 1")

    assert not done.is_error  # a listener that fails fails no command
    assert told == [([SLACK.address, DISCORD.address], "MarkDone")]
    # Looking, and what fails, change nothing: nobody is told.
    await say(bot, DISCORD, "/followups list")
    await say(bot, SLACK, "/followups done 99")
    assert len(told) == 1
