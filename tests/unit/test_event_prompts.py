"""After an event: one DM to each member who said they were going, at a sensible moment of their
own day; one reminder the next day if they logged nothing about it; then silence."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.commands import parse_command
from bot.domain import Address, Channel
from bot.event_prompts import prompt_times
from bot.replies import EventButton, Reply
from bot.services import Requester
from bot.testing import InMemoryStorage, SentDM, TestBot
from rules.engine import QuietHours

CLUB = Channel("C42", "career-club")
CHICAGO = ZoneInfo("America/Chicago")
LONDON = ZoneInfo("Europe/London")
QUIET = QuietHours(time(22), time(8))
NIGHT = '/club event "Deloitte Night" when:"thu 6pm-8pm" kind:networking'


def member(user: str, channel: Channel | None = CLUB, zone: str = "America/Chicago") -> Requester:
    return Requester(Address("slack", "T1", user), display_name=user.title(), channel=channel,
                     timezone=zone)  # fmt: skip


async def say(
    bot: TestBot, who: str, text: str, channel: Channel | None = CLUB, zone: str = "America/Chicago"
) -> Reply:
    return await bot.service.handle(member(who, channel, zone), parse_command(text))


def prompts(bot: TestBot) -> list[SentDM]:
    """The DMs about events (those with an event's button), not the follow-ups' nudges."""
    return [dm for dm in bot.messenger.sent if dm.message.event_actions]


def local(dm: SentDM, zone: ZoneInfo = CHICAGO) -> str:
    assert dm.at is not None
    return f"{dm.at.astimezone(zone):%a %H:%M}"


@pytest.fixture
async def night(bot: TestBot, memory_storage: InMemoryStorage) -> int:
    """A club in Chicago and its Thursday night event (6 to 8 pm); its id."""
    await say(bot, "olive", "/club setup Career Club tz:America/Chicago")
    await say(bot, "olive", NIGHT)
    (event_id,) = memory_storage.tables.club_events
    return event_id


def test_a_prompt_comes_an_hour_after_the_end_and_never_in_quiet_hours() -> None:
    ends = datetime(2026, 3, 13, 1, 0, tzinfo=UTC)  # Thu 20:00 in Chicago
    prompt, reminder = prompt_times(ends, QUIET, CHICAGO)
    assert f"{prompt.astimezone(CHICAGO):%a %H:%M}" == "Thu 21:00"
    assert reminder - prompt == timedelta(days=1)
    # In London it is 02:00 on Friday: the prompt waits for the end of quiet hours.
    prompt, reminder = prompt_times(ends, QUIET, LONDON)
    assert f"{prompt.astimezone(LONDON):%a %H:%M}" == "Fri 08:00"
    assert f"{reminder.astimezone(LONDON):%a %H:%M}" == "Sat 08:00"
    # Without quiet hours, an hour after the end wherever that falls.
    assert prompt_times(ends, None, LONDON)[0] == ends + timedelta(hours=1)


async def test_members_who_went_get_one_prompt_and_one_reminder_unless_they_logged(
    bot: TestBot, night: int
) -> None:
    for who in ("max", "oscar"):
        await say(bot, who, f"/club going {night}")
    await say(bot, "nia", f"/club going {night}", zone="Europe/London")
    await say(bot, "pete", f"/club going {night}")
    await say(bot, "pete", f"/club going {night}")  # took it back: nothing comes
    await bot.run_until(hours=24 * 6 + 8)  # to Thursday 22:00 in Chicago
    first = prompts(bot)
    assert [(dm.to.address.user, local(dm)) for dm in first] == [
        ("max", "Thu 21:00"),
        ("oscar", "Thu 21:00"),
    ]
    assert first[0].message.plain_text().startswith("How was Deloitte Night? Log who you met")
    (button,) = first[0].message.event_actions
    assert (button.button, button.event_id, button.label) == (
        EventButton.LOG,
        night,
        "Log who I met",
    )
    # Max logs who he met from his DM (no channel), naming the event.
    logged = await say(
        bot, "max", '/met Priya Raman, Deloitte, networking event:"deloitte night"', channel=None
    )
    assert not logged.is_error
    await bot.run_until(hours=24 * 8)
    later = prompts(bot)[2:]
    assert [(dm.to.address.user, local(dm, LONDON)) for dm in later[:1]] == [("nia", "Fri 08:00")]
    reminders = later[1:]
    assert [(dm.to.address.user, local(dm)) for dm in reminders] == [
        ("oscar", "Fri 21:00"),
        ("nia", "Sat 03:00"),  # 08:00 in London
    ]
    assert "last I'll say about it" in reminders[0].message.plain_text()


async def test_a_cancelled_event_prompts_nobody_and_a_moved_one_follows(
    bot: TestBot, memory_storage: InMemoryStorage, night: int
) -> None:
    await say(bot, "max", f"/club going {night}")
    await say(bot, "olive", '/club event "Mixer" when:"wed 5pm-6pm" kind:networking')
    mixer = max(memory_storage.tables.club_events)
    await say(bot, "oscar", f"/club going {mixer}")
    await say(bot, "olive", f"/club cancel {mixer}")
    await say(bot, "olive", f'/club edit {night} when:"fri 6pm-7pm"')
    await bot.run_until(hours=24 * 10)
    assert [(dm.to.address.user, local(dm)) for dm in prompts(bot)] == [
        ("max", "Fri 20:00"),
        ("max", "Sat 20:00"),
    ]


async def test_log_who_i_met_from_a_dm_reaches_only_events_one_was_going_to(
    bot: TestBot, night: int
) -> None:
    await say(bot, "max", f"/club going {night}")
    reply = await say(bot, "max", f"/club log {night}", channel=None)
    assert reply.met_form is not None
    assert reply.met_form.event == "Deloitte Night"
    stranger = await say(bot, "nia", f"/club log {night}", channel=None)
    assert stranger.is_error
    assert stranger.met_form is None
    assert "You haven't said you're going to an event" in stranger.plain_text()
