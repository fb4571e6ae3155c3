"""No lost last call: a nudge that quiet hours would push into the past goes out at once, since
the student who just typed a command is awake; the answer says so."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.commands import parse_command
from bot.domain import Address, NudgeKind, NudgeStatus
from bot.ports import Storage
from bot.services import Requester
from bot.testing import InMemoryStorage, TestBot, make_test_bot

STUDENT = Requester(Address("console", "ws", "student"))
# In New York (EDT since 8 March), quiet hours 22:00-08:00.
DAWN = datetime(2026, 3, 10, 9, 35, tzinfo=UTC)  # Tue 05:35
LATE_EVENING = datetime(2026, 3, 10, 3, 15, tzinfo=UTC)  # Mon 23:15


async def say(bot: TestBot, text: str) -> str:
    reply = await bot.service.handle(STUDENT, parse_command(text))
    assert not reply.is_error, reply.plain_text()
    return reply.plain_text()


async def the_one_dm_sent_now(bot: TestBot) -> str:
    """Dispatch what is due now: exactly one DM goes out, at this moment; its text."""
    now = bot.clock.now()
    await bot.run_until(hours=0)
    (dm,) = bot.messenger.sent
    assert dm.at == now
    return dm.message.plain_text()


def pending(storage: InMemoryStorage) -> list[tuple[NudgeKind, datetime]]:
    rows = [n for n in storage.tables.nudges.values() if n.status is NudgeStatus.PENDING]
    return sorted((n.kind, n.due_at) for n in rows)


async def test_an_interview_recorded_at_dawn_gets_its_last_call_right_away() -> None:
    storage = InMemoryStorage()
    bot = make_test_bot(storage)
    bot.clock.set(DAWN)
    text = await say(bot, '/met Jane Doe, Acme, interview when:"47 hours ago"')
    assert "#1 Email to Jane Doe, by Tue 10 Mar 06:35 EDT (1 h left)" in text
    assert "I'll nudge you: right away (last call)." in text
    assert pending(storage) == [
        (NudgeKind.LAST_CALL, DAWN),
        (NudgeKind.WINDOW_CLOSED, datetime(2026, 3, 10, 12, 0, tzinfo=UTC)),  # 08:00
    ]
    assert bot.woken == [DAWN]  # the scheduler is asked to send it now

    dm = await the_one_dm_sent_now(bot)
    assert dm.startswith("#1 Last call: email to Jane Doe at Acme (1 h left)")


async def test_a_snooze_that_cannot_leave_quiet_hours_in_time_comes_right_away() -> None:
    storage = InMemoryStorage()
    bot = make_test_bot(storage)
    bot.clock.set(LATE_EVENING)
    # Deadline Tue 07:15; the latest snooze (06:15) is in quiet hours, the evening before is
    # past, and 08:00 is after the deadline.
    await say(bot, '/met Jane Doe, Acme, interview when:"40 hours ago"')
    text = await say(bot, "/followups snooze 1 10h")
    assert text == (
        "#1 (Jane Doe at Acme) can't be snoozed: its deadline is Tue 10 Mar 07:15 EDT, and "
        "until then you have quiet hours (22:00-08:00).\n\n"
        "So I'll remind you right away instead, while you're up."
    )
    assert (NudgeKind.SNOOZED, LATE_EVENING) in pending(storage)
    dm = await the_one_dm_sent_now(bot)
    assert dm.startswith("#1 Reminder, as you asked: email to Jane Doe")


async def test_a_snooze_the_student_asked_for_in_quiet_hours_stays_where_they_asked() -> None:
    bot = make_test_bot()
    bot.clock.set(LATE_EVENING)
    await say(bot, '/met Jane Doe, Acme, interview when:"40 hours ago"')
    text = await say(bot, "/followups snooze 1 2h")
    assert text.startswith("Snoozed #1 (Jane Doe at Acme) until Tue 10 Mar 01:15 EDT.")


async def test_new_settings_right_after_a_last_call_at_night_send_no_second_one(
    storage: Storage,
) -> None:
    bot = make_test_bot(storage)
    bot.clock.set(LATE_EVENING)
    text = await say(bot, '/met Jane Doe, Acme, interview when:"40 hours ago"')
    assert "I'll nudge you: right away (last call)." in text  # both last calls, as one
    await bot.run_until(hours=0.25)
    await say(bot, "/followups settings quiet 22:30-08:00")
    await bot.run_until(hours=1)
    assert [t.split(":")[0] for t in bot.messenger.texts()] == ["#1 Last call"]
