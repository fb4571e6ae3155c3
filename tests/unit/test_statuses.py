"""Honest statuses: a follow-up is pending, done, skipped, missed or not needed; an open one the
bot doesn't nudge about is optional (a brief fair chat below the priority cut) or paused (an
event's, while the student has accepted a job), and neither is ever called missed."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from bot.commands import parse_command
from bot.domain import Address, FollowUpStatus, NudgeStatus, Standing, standing
from bot.replies import Reply
from bot.services import FollowUpService, Requester
from bot.testing import FakeClock, InMemoryStorage
from rules.engine import Rulebook

ALICE = Requester(Address("console", "ws", "alice"))


async def say(service: FollowUpService, text: str) -> Reply:
    return await service.handle(ALICE, parse_command(text))


async def listed(service: FollowUpService) -> str:
    return (await say(service, "/followups")).plain_text()


def status_of(storage: InMemoryStorage, number: int) -> FollowUpStatus:
    return next(f for f in storage.tables.follow_ups.values() if f.number == number).status


def pending_nudges_of(storage: InMemoryStorage, number: int) -> int:
    follow_up = next(f for f in storage.tables.follow_ups.values() if f.number == number)
    return sum(
        1
        for n in storage.tables.nudges.values()
        if n.follow_up_id == follow_up.id and n.status is NudgeStatus.PENDING
    )


async def exported_statuses(service: FollowUpService) -> dict[str, str]:
    reply = await say(service, "/followups export")
    data = next(f for f in reply.files if f.name.endswith(".csv")).content.decode("utf-8-sig")
    return {row["contact"]: row["status"] for row in csv.DictReader(io.StringIO(data))}


async def test_a_brief_fair_chat_below_the_cut_is_optional_and_never_missed(
    service: FollowUpService, memory_storage: InMemoryStorage, clock: FakeClock
) -> None:
    await say(service, "/met Raj Patel, Hooli, career fair, asked about their data team")
    await say(service, "/met Mia Chen, Initech, interview, talked about the team's roadmap")
    shown = await listed(service)
    # Under its own heading, not among those due: "(optional)" would say it twice.
    assert "Optional (1)\n#1 Raj Patel, Hooli: email, ideally within 48 h" in shown
    assert "(optional)" not in shown
    assert await exported_statuses(service) == {"Raj Patel": "optional", "Mia Chen": "pending"}
    clock.advance(timedelta(days=22))  # both windows closed: three days, three weeks
    text = await listed(service)
    assert "Missed lately" in text
    assert "#2 Mia Chen" in text
    assert "Raj Patel" not in text
    assert status_of(memory_storage, 1) is FollowUpStatus.NOT_NEEDED
    assert status_of(memory_storage, 2) is FollowUpStatus.MISSED
    assert await exported_statuses(service) == {"Raj Patel": "not_needed", "Mia Chen": "missed"}


async def test_a_brief_fair_chat_at_priority_one_is_nudged_and_can_be_missed(
    service: FollowUpService, memory_storage: InMemoryStorage, clock: FakeClock
) -> None:
    await say(service, "/met Raj Patel, Hooli, career fair, their data team priority:1")
    shown = await listed(service)
    assert "Due soon (1)\n#1 Raj Patel" in shown
    assert "Optional" not in shown
    clock.advance(timedelta(days=22))
    assert "#1 Raj Patel" in await listed(service)
    assert status_of(memory_storage, 1) is FollowUpStatus.MISSED


async def test_event_follow_ups_pause_with_an_accepted_job_and_come_back(
    service: FollowUpService, memory_storage: InMemoryStorage, clock: FakeClock
) -> None:
    await say(service, "/met Sam Lee, Initech, networking, her path into product")
    await say(service, "/met Jane Doe, Acme, interview, Kafka and her team")
    await say(service, "/followups settings job accepted")
    text = await listed(service)
    assert "#1 Sam Lee, Initech: LinkedIn request or email (paused: you accepted a job)" in text
    assert "#2 Jane Doe, Acme: email, " in text  # interviews go on
    assert pending_nudges_of(memory_storage, 1) == 0
    assert pending_nudges_of(memory_storage, 2) > 0
    assert (await exported_statuses(service))["Sam Lee"] == "paused"
    clock.advance(timedelta(days=3))
    await say(service, "/followups settings job searching")
    assert "paused" not in await listed(service)
    assert pending_nudges_of(memory_storage, 1) > 0  # its reminders are planned again


async def test_an_event_follow_up_whose_window_closes_while_paused_is_not_needed(
    service: FollowUpService, memory_storage: InMemoryStorage, clock: FakeClock
) -> None:
    await say(service, "/met Sam Lee, Initech, networking, her path into product")
    await say(service, "/followups settings job accepted")
    clock.advance(timedelta(days=22))
    text = await listed(service)
    assert "Missed" not in text
    assert status_of(memory_storage, 1) is FollowUpStatus.NOT_NEEDED
    # Back to searching: a closed window stays closed, and nothing is nudged about it.
    await say(service, "/followups settings job searching")
    assert pending_nudges_of(memory_storage, 1) == 0
    assert "Missed" not in await listed(service)


async def test_a_not_needed_follow_up_can_still_be_skipped_or_done(
    service: FollowUpService, memory_storage: InMemoryStorage, clock: FakeClock
) -> None:
    await say(service, "/met Raj Patel, Hooli, career fair, their data team")
    await say(service, "/met Ana Ruiz, Globex, career fair, robotics")
    clock.advance(timedelta(days=22))
    await listed(service)
    assert not (await say(service, "/followups skip 1")).is_error
    assert status_of(memory_storage, 1) is FollowUpStatus.SKIPPED
    assert not (await say(service, "/followups done 2")).is_error
    assert status_of(memory_storage, 2) is FollowUpStatus.DONE


async def test_standing_of_each_stored_status_is_itself(
    service: FollowUpService, memory_storage: InMemoryStorage, clock: FakeClock, rulebook: Rulebook
) -> None:
    await say(service, "/met Jane Doe, Acme, interview, Kafka")
    (follow_up,) = memory_storage.tables.follow_ups.values()
    conversation = memory_storage.tables.conversations[follow_up.conversation_id]
    (person,) = memory_storage.tables.people.values()
    now = clock.now()
    for status in FollowUpStatus:
        follow_up.status = status
        assert standing(follow_up, conversation, person, rulebook, now).value == status.value
    follow_up.status = FollowUpStatus.PENDING
    # Past its window, an open one stands as it will be closed.
    later = follow_up.due_by + timedelta(minutes=1)
    assert standing(follow_up, conversation, person, rulebook, later) is Standing.MISSED
