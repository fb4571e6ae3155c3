"""dispatch_due on the fakes: what goes out, when, and what a failure does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.commands import parse_command
from bot.dispatch import Dispatcher
from bot.domain import Address, FollowUpStatus, NudgeStatus
from bot.ports import PermanentFailure, RetryAfter
from bot.replies import ActionKind
from bot.services import FollowUpService, Requester
from bot.testing import FakeClock, FakeMessenger, InMemoryStorage
from rules.engine import Rulebook
from tests.conftest import NEW_YORK

ALICE = Requester(Address("console", "ws", "alice"))


def dispatcher_for(
    storage: InMemoryStorage, messenger: FakeMessenger, clock: FakeClock, rulebook: Rulebook
) -> Dispatcher:
    return Dispatcher(storage, messenger, clock, rulebook, default_zone=NEW_YORK)


async def met(service: FollowUpService, text: str) -> None:
    reply = await service.handle(ALICE, parse_command(text))
    assert not reply.is_error, reply.plain_text()


async def run_until(dispatcher: Dispatcher, clock: FakeClock, hours: float) -> None:
    """Step the clock to each due nudge, as the console and the scheduler do."""
    target = clock.now() + timedelta(hours=hours)
    while (due := await dispatcher.next_due_at()) is not None and due <= target:
        clock.move_to(due)
        await dispatcher.dispatch_due()
    clock.move_to(target)


async def test_nudges_go_out_on_time_and_in_order(
    service: FollowUpService,
    memory_storage: InMemoryStorage,
    messenger: FakeMessenger,
    clock: FakeClock,
    rulebook: Rulebook,
) -> None:
    dispatcher = dispatcher_for(memory_storage, messenger, clock, rulebook)
    await met(service, "/met Jane Doe, Acme, interview, Kafka")
    await run_until(dispatcher, clock, 49)
    titles = [dm.message.sections[0].title or "" for dm in messenger.sent]
    assert [t.split(":")[0] for t in titles] == [
        "#1 Time to follow up",
        "#1 Last call",
        "#1 Last call",
        "#1 The window to follow up with Jane Doe at Acme has closed",
    ]
    sent_at = [dm.at for dm in messenger.sent]
    assert sent_at == sorted(sent_at)
    heads_up = messenger.sent[0]
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
    (follow_up,) = memory_storage.tables.follow_ups.values()
    assert follow_up.status is FollowUpStatus.MISSED


async def test_nothing_is_sent_before_it_is_due(
    service: FollowUpService,
    memory_storage: InMemoryStorage,
    messenger: FakeMessenger,
    clock: FakeClock,
    rulebook: Rulebook,
) -> None:
    dispatcher = dispatcher_for(memory_storage, messenger, clock, rulebook)
    await met(service, "/met Jane Doe, Acme, interview")
    clock.advance(timedelta(hours=23, minutes=59))
    report = await dispatcher.dispatch_due()
    assert report.claimed == 0
    assert messenger.sent == []


async def test_done_follow_up_gets_no_more_nudges(
    service: FollowUpService,
    memory_storage: InMemoryStorage,
    messenger: FakeMessenger,
    clock: FakeClock,
    rulebook: Rulebook,
) -> None:
    dispatcher = dispatcher_for(memory_storage, messenger, clock, rulebook)
    await met(service, "/met Jane Doe, Acme, interview")
    await run_until(dispatcher, clock, 25)
    assert len(messenger.sent) == 1
    await service.handle(ALICE, parse_command("/followups done 1"))
    await run_until(dispatcher, clock, 72)
    assert len(messenger.sent) == 1
    (follow_up,) = memory_storage.tables.follow_ups.values()
    assert follow_up.status is FollowUpStatus.DONE


async def test_claimed_nudge_of_a_closed_follow_up_is_cancelled_not_sent(
    service: FollowUpService,
    memory_storage: InMemoryStorage,
    messenger: FakeMessenger,
    clock: FakeClock,
    rulebook: Rulebook,
) -> None:
    """A follow-up closed behind the outbox's back (another replica, a race) is re-checked."""
    dispatcher = dispatcher_for(memory_storage, messenger, clock, rulebook)
    await met(service, "/met Jane Doe, Acme, interview")
    (follow_up,) = memory_storage.tables.follow_ups.values()
    follow_up.status = FollowUpStatus.SKIPPED  # without cancelling its nudges
    clock.advance(timedelta(hours=25))
    report = await dispatcher.dispatch_due()
    assert (report.sent, report.cancelled) == (0, 1)
    assert messenger.sent == []


async def test_overdue_nudges_collapse_into_one_late_message(
    service: FollowUpService,
    memory_storage: InMemoryStorage,
    messenger: FakeMessenger,
    clock: FakeClock,
    rulebook: Rulebook,
) -> None:
    """After downtime, one message per follow-up, saying it is late."""
    dispatcher = dispatcher_for(memory_storage, messenger, clock, rulebook)
    await met(service, "/met Jane Doe, Acme, interview")
    clock.advance(timedelta(hours=47, minutes=30))  # the heads-up and both last calls are due
    report = await dispatcher.dispatch_due()
    assert (report.sent, report.cancelled) == (1, 2)
    (dm,) = messenger.sent
    text = dm.message.plain_text()
    assert "Sorry, this reminder is late (it was due Sun 8 Mar 15:00 EDT)." in text
    assert "Last call" in (dm.message.sections[0].title or "")


async def test_retry_after_is_honoured(
    service: FollowUpService,
    memory_storage: InMemoryStorage,
    messenger: FakeMessenger,
    clock: FakeClock,
    rulebook: Rulebook,
) -> None:
    dispatcher = dispatcher_for(memory_storage, messenger, clock, rulebook)
    await met(service, "/met Jane Doe, Acme, interview")
    clock.advance(timedelta(hours=24))
    messenger.answers.append(RetryAfter(30))
    report = await dispatcher.dispatch_due()
    assert report.retried == 1
    assert messenger.sent == []
    clock.advance(timedelta(seconds=29))
    assert (await dispatcher.dispatch_due()).claimed == 0
    clock.advance(timedelta(seconds=1))
    assert (await dispatcher.dispatch_due()).sent == 1
    nudge = next(n for n in memory_storage.tables.nudges.values() if n.status is NudgeStatus.SENT)
    assert nudge.attempts == 2


async def test_a_crashing_messenger_is_retried_with_backoff(
    service: FollowUpService,
    memory_storage: InMemoryStorage,
    messenger: FakeMessenger,
    clock: FakeClock,
    rulebook: Rulebook,
) -> None:
    dispatcher = dispatcher_for(memory_storage, messenger, clock, rulebook)
    await met(service, "/met Jane Doe, Acme, interview")
    clock.advance(timedelta(hours=24))
    messenger.answers.append(ConnectionResetError("peer said: Jane Doe at Acme"))
    report = await dispatcher.dispatch_due()
    assert report.retried == 1
    nudge = next(n for n in memory_storage.tables.nudges.values() if n.attempts == 1)
    assert nudge.status is NudgeStatus.PENDING
    assert nudge.last_error == "ConnectionResetError"  # no contact data kept from the error
    assert nudge.next_attempt_at is not None
    assert timedelta(seconds=15) <= nudge.next_attempt_at - clock.now() <= timedelta(seconds=30)


async def test_closed_dms_mark_the_person_and_they_hear_about_it(
    service: FollowUpService,
    memory_storage: InMemoryStorage,
    messenger: FakeMessenger,
    clock: FakeClock,
    rulebook: Rulebook,
) -> None:
    dispatcher = dispatcher_for(memory_storage, messenger, clock, rulebook)
    await met(service, "/met Sam Lee, Initech, networking")
    clock.advance(timedelta(hours=24))
    messenger.answers.append(PermanentFailure("DMs closed"))
    report = await dispatcher.dispatch_due()
    assert report.failed == 1
    (person,) = memory_storage.tables.people.values()
    assert person.undeliverable == "DMs closed"
    # The remaining nudges are not attempted while the person can't be reached.
    await run_until(dispatcher, clock, 30)
    assert messenger.sent == []
    # The next command says so, once, and nudging resumes.
    reply = await service.handle(ALICE, parse_command("/followups"))
    assert reply.sections[0].title == "Your DMs are closed"
    assert "DMs closed" in reply.sections[0].text
    again = await service.handle(ALICE, parse_command("/followups"))
    assert again.sections[0].title != "Your DMs are closed"
    await run_until(dispatcher, clock, 24 * 7)
    assert "Still worth a follow-up" in (messenger.sent[-1].message.sections[0].title or "")


async def test_a_double_follow_up_is_nudged_in_one_dm(
    service: FollowUpService,
    memory_storage: InMemoryStorage,
    messenger: FakeMessenger,
    clock: FakeClock,
    rulebook: Rulebook,
) -> None:
    dispatcher = dispatcher_for(memory_storage, messenger, clock, rulebook)
    await met(service, "/met Ana Ruiz, Globex, fair-good, robotics")
    await run_until(dispatcher, clock, 25)
    (dm,) = messenger.sent
    assert dm.message.sections[0].title == (
        "#1 and #2 Time to follow up: email and LinkedIn request to Ana Ruiz at Globex (24 h left)"
    )
    assert {a.command for a in dm.message.actions} >= {"/followups done 1", "/followups done 2"}
    sent = [n for n in memory_storage.tables.nudges.values() if n.status is NudgeStatus.SENT]
    assert len(sent) == 2  # both rows settled by the one DM
    # Once the email is sent, only the LinkedIn request is nudged.
    await service.handle(ALICE, parse_command("/followups done 1"))
    await run_until(dispatcher, clock, 20)
    assert (messenger.sent[-1].message.sections[0].title or "").startswith("#2 Last call")


async def test_a_replan_never_sends_a_nudge_again(
    memory_storage: InMemoryStorage, messenger: FakeMessenger, rulebook: Rulebook
) -> None:
    """A heads-up moved earlier out of quiet hours went out before its planned moment; a
    settings change afterwards must not plan it again."""
    clock = FakeClock(datetime(2026, 3, 7, 2, 0, tzinfo=UTC))  # Fri 21:00 in New York
    service = FollowUpService(memory_storage, clock, rulebook, default_zone=NEW_YORK)
    messenger.clock = clock
    dispatcher = dispatcher_for(memory_storage, messenger, clock, rulebook)
    await met(service, '/met Jane Doe, Acme, interview, Kafka when:"yesterday 11pm"')
    await run_until(dispatcher, clock, 0.6)  # the heads-up, due 23:00, moved to 21:30
    assert len(messenger.sent) == 1
    await service.handle(ALICE, parse_command("/followups settings tz America/New_York"))
    await service.handle(ALICE, parse_command("/followups settings quiet 23:00-07:00"))
    await run_until(dispatcher, clock, 3)
    titles = [dm.message.sections[0].title or "" for dm in messenger.sent]
    assert sum("Time to follow up" in t for t in titles) == 1, titles
