"""dispatch_due on the fakes: what goes out, when, and what a failure does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.commands import parse_command
from bot.dispatch import DispatchReport
from bot.domain import Address, FollowUpStatus, NudgeStatus, Workspace
from bot.ports import Delivery, PermanentFailure, RetryAfter
from bot.replies import ActionKind, NoticeKind, Reply
from bot.services import Requester
from bot.testing import FakeClock, InMemoryStorage, TestBot, make_test_bot
from bot.testing.storage import Tables
from rules.engine import Rulebook

ALICE = Requester(Address("console", "ws", "alice"))


async def command(bot: TestBot, text: str) -> Reply:
    return await bot.service.handle(ALICE, parse_command(text))


async def met(bot: TestBot, text: str) -> None:
    reply = await command(bot, text)
    assert not reply.is_error, reply.plain_text()


async def heads_up_answered(
    bot: TestBot, answer: Delivery | Exception, text: str
) -> DispatchReport:
    """/met `text`, then its heads-up falls due and the platform answers `answer`."""
    await met(bot, text)
    bot.clock.advance(timedelta(hours=24))
    bot.messenger.answers.append(answer)
    return await bot.dispatcher.dispatch_due()


def tables(bot: TestBot) -> Tables:
    """The rows of the bot's in-memory storage."""
    assert isinstance(bot.storage, InMemoryStorage)
    return bot.storage.tables


async def test_nudges_go_out_on_time_and_in_order(bot: TestBot) -> None:
    await met(bot, "/met Jane Doe, Acme, interview, Kafka")
    await bot.run_until(49)
    titles = [dm.message.sections[0].title or "" for dm in bot.messenger.sent]
    assert [t.split(":")[0] for t in titles] == [
        "#1 Time to follow up",
        "#1 Last call",
        "#1 Last call",
        "#1 The window to follow up with Jane Doe at Acme has closed",
    ]
    sent_at = [dm.at for dm in bot.messenger.sent]
    assert sent_at == sorted(sent_at)
    heads_up = bot.messenger.sent[0]
    assert heads_up.to.address == ALICE.address
    assert heads_up.key.startswith("nudge-")
    assert "You talked about: Kafka." in heads_up.message.plain_text()
    assert "Tip: personalized, one or two short paragraphs" in heads_up.message.plain_text()
    assert {a.kind for a in heads_up.message.actions} == {
        ActionKind.DRAFT,
        ActionKind.DONE,
        ActionKind.SNOOZE,
        ActionKind.SKIP,
    }
    (follow_up,) = tables(bot).follow_ups.values()
    assert follow_up.status is FollowUpStatus.MISSED


async def test_nothing_is_sent_before_it_is_due(bot: TestBot) -> None:
    await met(bot, "/met Jane Doe, Acme, interview")
    bot.clock.advance(timedelta(hours=23, minutes=59))
    report = await bot.dispatcher.dispatch_due()
    assert report.claimed == 0
    assert bot.messenger.sent == []


async def test_done_follow_up_gets_no_more_nudges(bot: TestBot) -> None:
    await met(bot, "/met Jane Doe, Acme, interview")
    await bot.run_until(25)
    assert len(bot.messenger.sent) == 1
    await command(bot, "/followups done 1")
    await bot.run_until(72)
    assert len(bot.messenger.sent) == 1
    (follow_up,) = tables(bot).follow_ups.values()
    assert follow_up.status is FollowUpStatus.DONE


async def test_claimed_nudge_of_a_closed_follow_up_is_cancelled_not_sent(bot: TestBot) -> None:
    """A follow-up closed behind the outbox's back (another replica, a race) is re-checked."""
    await met(bot, "/met Jane Doe, Acme, interview")
    (follow_up,) = tables(bot).follow_ups.values()
    follow_up.status = FollowUpStatus.SKIPPED  # without cancelling its nudges
    bot.clock.advance(timedelta(hours=25))
    report = await bot.dispatcher.dispatch_due()
    assert (report.sent, report.cancelled) == (0, 1)
    assert bot.messenger.sent == []


async def test_overdue_nudges_collapse_into_one_late_message(bot: TestBot) -> None:
    """After downtime, one message per follow-up, saying it is late."""
    await met(bot, "/met Jane Doe, Acme, interview")
    bot.clock.advance(timedelta(hours=47, minutes=30))  # the heads-up and both last calls are due
    report = await bot.dispatcher.dispatch_due()
    assert (report.sent, report.cancelled) == (1, 2)
    (dm,) = bot.messenger.sent
    text = dm.message.plain_text()
    assert "Sorry, this reminder is late (it was due Sun 8 Mar 15:00 EDT)." in text
    assert "Last call" in (dm.message.sections[0].title or "")


async def test_retry_after_is_honoured(bot: TestBot) -> None:
    report = await heads_up_answered(bot, RetryAfter(30), "/met Jane Doe, Acme, interview")
    assert report.retried == 1
    assert bot.messenger.sent == []
    bot.clock.advance(timedelta(seconds=29))
    assert (await bot.dispatcher.dispatch_due()).claimed == 0
    bot.clock.advance(timedelta(seconds=1))
    assert (await bot.dispatcher.dispatch_due()).sent == 1
    nudge = next(n for n in tables(bot).nudges.values() if n.status is NudgeStatus.SENT)
    assert nudge.attempts == 2


async def test_a_rate_limited_dm_channel_holds_only_that_student(bot: TestBot) -> None:
    # Discord answered 429 with X-RateLimit-Scope: user on Alice's DM channel for 10 minutes:
    # her DM (both heads-ups, due at one moment) waits; Bob's and Carol's go out at once.
    for name in ("alice", "bob", "carol"):
        someone = Requester(Address("console", "ws", name))
        for contact in ("Jane Doe, Acme", "Sam Lee, Initech"):
            await bot.service.handle(someone, parse_command(f"/met {contact}, interview"))
    bot.messenger.answers_by_user["alice"] = RetryAfter(600, "limited", scope="person")
    bot.clock.advance(timedelta(hours=24))
    report = await bot.dispatcher.dispatch_due()
    assert bot.messenger.tried_users.count("alice") == 1
    assert sorted(dm.to.address.user for dm in bot.messenger.sent) == ["bob", "carol"]
    assert (report.sent, report.retried) == (4, 2)
    bot.clock.advance(timedelta(minutes=9))
    assert (await bot.dispatcher.dispatch_due()).claimed == 0  # hers wait the ten minutes
    # A platform-wide limit, by contrast, holds everyone.
    del bot.messenger.answers_by_user["alice"]
    bot.messenger.answers.append(RetryAfter(600, "global", scope="platform"))
    await met(bot, "/met Kim Park, Globex, interview")
    bot.clock.advance(timedelta(hours=24))
    tried = len(bot.messenger.tried_users)
    report = await bot.dispatcher.dispatch_due()
    assert len(bot.messenger.tried_users) == tried + 1
    assert report.sent == 0


async def test_a_crashing_messenger_is_retried_with_backoff(bot: TestBot) -> None:
    crash = ConnectionResetError("peer said: Jane Doe at Acme")
    report = await heads_up_answered(bot, crash, "/met Jane Doe, Acme, interview")
    assert report.retried == 1
    nudge = next(n for n in tables(bot).nudges.values() if n.attempts == 1)
    assert nudge.status is NudgeStatus.PENDING
    assert nudge.last_error == "ConnectionResetError"  # no contact data kept from the error
    assert nudge.next_attempt_at is not None
    assert timedelta(seconds=15) <= nudge.next_attempt_at - bot.clock.now() <= timedelta(seconds=30)


async def test_closed_dms_mark_the_person_and_they_hear_about_it(bot: TestBot) -> None:
    closed = PermanentFailure("DMs closed")
    report = await heads_up_answered(bot, closed, "/met Sam Lee, Initech, networking")
    assert report.failed == 1
    (person,) = tables(bot).people.values()
    assert person.undeliverable == "DMs closed"
    # The remaining nudges are not attempted while the person can't be reached.
    await bot.run_until(30)
    assert bot.messenger.sent == []
    # The next command says so, once, and nudging resumes.
    reply = await command(bot, "/followups")
    (closed,) = [n.section for n in reply.notices if n.kind is NoticeKind.DMS_CLOSED]
    assert reply.shown_sections()[0] == closed
    assert closed.title == "Your DMs are closed"
    assert "DMs closed" in closed.text
    again = await command(bot, "/followups")
    assert again.shown_sections()[0].title != "Your DMs are closed"
    assert all(n.kind is not NoticeKind.DMS_CLOSED for n in again.notices)
    await bot.run_until(24 * 7)
    assert "Still worth a follow-up" in (bot.messenger.sent[-1].message.sections[0].title or "")


async def test_a_double_follow_up_is_nudged_in_one_dm(bot: TestBot) -> None:
    await met(bot, "/met Ana Ruiz, Globex, fair-good, robotics")
    await bot.run_until(25)
    (dm,) = bot.messenger.sent
    assert dm.message.sections[0].title == (
        "#1 and #2 Time to follow up: email and LinkedIn request to Ana Ruiz at Globex "
        "(ideally within 24 h, adequate for 20 days)"
    )
    assert {a.command for a in dm.message.actions} >= {"/followups done 1", "/followups done 2"}
    sent = [n for n in tables(bot).nudges.values() if n.status is NudgeStatus.SENT]
    assert len(sent) == 2  # both rows settled by the one DM
    # Once the email is sent, only the LinkedIn request is nudged.
    await command(bot, "/followups done 1")
    await bot.run_until(20)
    # A fair is an event: as its ideal window ends, the DM says so, and that weeks remain.
    ending = bot.messenger.sent[-1].message
    assert ending.sections[0].title == (
        "#2 Ideal window ending: LinkedIn request to Ana Ruiz at Globex "
        "(ideally within 6 h, adequate for 19 days)"
    )
    assert ending.sections[0].text.startswith(
        "Ideally by Sun 8 Mar 16:00 EDT; a note within the next 19 days is still adequate."
    )
    assert "Last call" not in ending.sections[0].text
    # Its one last call comes a day before the three weeks are out.
    await bot.run_until(19 * 24)
    titles = [dm.message.sections[0].title or "" for dm in bot.messenger.sent[2:]]
    assert [t.split(":")[0] for t in titles] == [
        "#2 Still worth a follow-up",
        "#2 Still worth a follow-up",
        "#2 Last call",
    ]
    assert titles[-1].endswith("(ideal window passed, adequate for 24 h)")


async def test_a_replan_never_sends_a_nudge_again(rulebook: Rulebook) -> None:
    """A heads-up moved earlier out of quiet hours went out before its planned moment; a
    settings change afterwards must not plan it again."""
    clock = FakeClock(datetime(2026, 3, 7, 2, 0, tzinfo=UTC))  # Fri 21:00 in New York
    bot = make_test_bot(clock=clock, rulebook=rulebook)
    await met(bot, '/met Jane Doe, Acme, interview, Kafka when:"yesterday 11pm"')
    await bot.run_until(0.6)  # the heads-up, due 23:00, moved to 21:30
    assert len(bot.messenger.sent) == 1
    await command(bot, "/followups settings tz America/New_York")
    await command(bot, "/followups settings quiet 23:00-07:00")
    await bot.run_until(3)
    titles = [dm.message.sections[0].title or "" for dm in bot.messenger.sent]
    assert sum("Time to follow up" in t for t in titles) == 1, titles


async def test_an_uninstalled_workspace_gets_no_dms_until_it_is_back(bot: TestBot) -> None:
    async with bot.storage.session() as uow:
        await uow.workspaces.set_default_zone("console", "ws", "Europe/Berlin")
    removed = PermanentFailure("app uninstalled", concerns_person=False, concerns_workspace=True)
    report = await heads_up_answered(bot, removed, "/met Sam Lee, Initech, networking")
    assert report.failed == 1
    (person,) = tables(bot).people.values()
    assert person.undeliverable is None  # the workspace is what failed, not the person
    # Its zone stays for when the app is back; the uninstall grace counts from now.
    assert tables(bot).workspaces[("console", "ws")] == Workspace(
        "console",
        "ws",
        default_timezone="Europe/Berlin",
        undeliverable="app uninstalled",
        undeliverable_since=bot.clock.now(),
    )
    await bot.run_until(30)
    assert bot.messenger.sent == []
    cancelled = [n for n in tables(bot).nudges.values() if n.status is NudgeStatus.CANCELLED]
    assert {n.last_error for n in cancelled} == {"workspace can't receive DMs"}
    async with bot.storage.session() as uow:
        assert await uow.workspaces.clear_undeliverable("console", "ws")
    await bot.run_until(24 * 7)
    assert bot.messenger.sent  # nudging resumes
