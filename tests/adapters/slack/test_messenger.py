"""The Messenger port on Slack: what each of Slack's answers becomes for the dispatcher."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from adapters.slack.messenger import SlackMessenger
from adapters.slack.testing import (
    BOT_TOKEN,
    TEAM,
    FakeSlack,
    hang,
    rate_limited,
    slack_error,
)
from adapters.slack.workspaces import Workspaces
from bot.domain import Address, Person
from bot.ports import Delivered, PermanentFailure, RetryAfter
from bot.replies import Action, ActionKind, Reply
from bot.testing import FakeClock, InMemoryStorage
from bot.workspaces import Installs
from tests.adapters.slack.conftest import STUDENT, SlackHarness
from tests.conftest import START

MESSAGE = Reply.text("#1 Time to follow up: email to Jane Doe at Acme (24 h left)")


def person(user: str = STUDENT, workspace: str = TEAM) -> Person:
    return Person(Address("slack", workspace, user), created_at=START)


@pytest.fixture
async def messenger(slack: FakeSlack, clock: FakeClock) -> AsyncIterator[SlackMessenger]:
    workspaces = Workspaces(bot_token=BOT_TOKEN)
    workspaces.bind(Installs(InMemoryStorage(), clock), None)
    # One second: the timeout test waits for it.
    messenger = SlackMessenger(workspaces, base_url=slack.api_url, timeout=1)
    yield messenger
    await messenger.close()


async def test_delivered(messenger: SlackMessenger, slack: FakeSlack) -> None:
    assert await messenger.send_dm(person(), MESSAGE, key="nudge-1") == Delivered()
    (post,) = slack.calls_to("chat.postMessage")
    assert post.token == BOT_TOKEN
    assert post.args["channel"] == f"D{STUDENT}"
    assert post.args["parse"] == "none"


async def test_a_rate_limited_dm_pauses_only_that_dm_channel(
    messenger: SlackMessenger, slack: FakeSlack, clock: FakeClock
) -> None:
    # chat.postMessage's limit is per channel: one student's DM channel is held, nobody else's.
    slack.script("chat.postMessage", rate_limited(17))
    started = time.monotonic()
    assert await messenger.send_dm(person(), MESSAGE, key="nudge-1") == RetryAfter(
        17, "rate limited by Slack", scope="person"
    )
    again = await messenger.send_dm(person(), MESSAGE, key="nudge-2")
    assert isinstance(again, RetryAfter)
    assert (again.scope, again.tried) == ("person", False)
    assert 15 < again.seconds <= 17
    assert len(slack.calls_to("chat.postMessage")) == 1  # held without calling Slack
    assert time.monotonic() - started < 1  # no sleeping
    # Another student in the same workspace, and another workspace, are not held up.
    assert await messenger.send_dm(person("U0OTHER"), MESSAGE, key="nudge-3") == Delivered()
    other = Person(Address("slack", "T0ELSE", "U1"), created_at=START)
    assert await messenger.send_dm(other, MESSAGE, key="nudge-4") == Delivered()
    # Once the wait is over (by the bot's clock, as the dispatcher's retries), sends resume.
    clock.advance(timedelta(seconds=17))
    assert await messenger.send_dm(person(), MESSAGE, key="nudge-2") == Delivered()


async def test_a_rate_limited_dm_channel_opening_pauses_the_workspaces_new_channels(
    messenger: SlackMessenger, slack: FakeSlack, clock: FakeClock
) -> None:
    # conversations.open's limit is per workspace: new DM channels there wait; a student whose
    # channel is open already, and other workspaces, don't.
    assert await messenger.send_dm(person("U0OPEN"), MESSAGE, key="nudge-0") == Delivered()
    slack.script("conversations.open", rate_limited(20))
    assert await messenger.send_dm(person(), MESSAGE, key="nudge-1") == RetryAfter(
        20, "rate limited by Slack", scope="workspace"
    )
    held = await messenger.send_dm(person("U0NEW"), MESSAGE, key="nudge-2")
    assert isinstance(held, RetryAfter)
    assert (held.scope, held.tried) == ("workspace", False)
    assert await messenger.send_dm(person("U0OPEN"), MESSAGE, key="nudge-3") == Delivered()
    other = Person(Address("slack", "T0ELSE", "U1"), created_at=START)
    assert await messenger.send_dm(other, MESSAGE, key="nudge-4") == Delivered()
    clock.advance(timedelta(seconds=20))
    assert await messenger.send_dm(person("U0NEW"), MESSAGE, key="nudge-2") == Delivered()


@pytest.mark.parametrize(
    ("method", "code", "reason"),
    [
        ("chat.postMessage", "channel_not_found", "Slack couldn't find our DM conversation"),
        ("conversations.open", "user_not_found", "Slack couldn't find your account"),
        ("chat.postMessage", "account_inactive", "your Slack account is deactivated"),
        ("conversations.open", "cannot_dm_bot", "Slack doesn't let apps DM this account"),
    ],
)
async def test_a_person_who_cant_get_a_dm_is_a_permanent_failure_about_them(
    messenger: SlackMessenger, slack: FakeSlack, method: str, code: str, reason: str
) -> None:
    slack.script(method, slack_error(code))
    assert await messenger.send_dm(person(), MESSAGE, key="nudge-1") == PermanentFailure(reason)


async def test_a_lost_dm_channel_is_opened_again_next_time(
    messenger: SlackMessenger, slack: FakeSlack
) -> None:
    assert await messenger.send_dm(person(), MESSAGE, key="nudge-1") == Delivered()
    slack.script("chat.postMessage", slack_error("channel_not_found"))
    assert isinstance(await messenger.send_dm(person(), MESSAGE, key="nudge-2"), PermanentFailure)
    assert await messenger.send_dm(person(), MESSAGE, key="nudge-3") == Delivered()
    assert len(slack.calls_to("conversations.open")) == 2


async def test_a_timeout_raises_so_the_dispatcher_retries(
    messenger: SlackMessenger, slack: FakeSlack
) -> None:
    slack.script("chat.postMessage", hang(3))
    with pytest.raises(TimeoutError):
        await messenger.send_dm(person(), MESSAGE, key="nudge-1")


async def test_a_server_error_raises_so_the_dispatcher_retries(
    messenger: SlackMessenger, slack: FakeSlack
) -> None:
    slack.script("chat.postMessage", slack_error("internal_error"))
    with pytest.raises(Exception, match="internal_error"):
        await messenger.send_dm(person(), MESSAGE, key="nudge-1")


async def test_a_revoked_token_stops_the_workspace(
    messenger: SlackMessenger, slack: FakeSlack
) -> None:
    slack.revoked_tokens.add(BOT_TOKEN)
    failure = await messenger.send_dm(person(), MESSAGE, key="nudge-1")
    assert failure == PermanentFailure(
        "the app's access to this workspace was revoked",
        concerns_person=False,
        concerns_workspace=True,
    )
    calls = len(slack.calls)
    again = await messenger.send_dm(person("U0OTHER"), MESSAGE, key="nudge-2")
    assert again == PermanentFailure(
        "the app was removed from this Slack workspace",
        concerns_person=False,
        concerns_workspace=True,
    )
    assert len(slack.calls) == calls  # without calling Slack


async def test_a_nudge_delivered_once_is_not_sent_again(
    messenger: SlackMessenger, slack: FakeSlack
) -> None:
    assert await messenger.send_dm(person(), MESSAGE, key="nudge-7") == Delivered()
    assert await messenger.send_dm(person(), MESSAGE, key="nudge-7") == Delivered()
    assert len(slack.calls_to("chat.postMessage")) == 1


async def test_through_the_dispatcher_retry_after_reschedules_the_nudge(
    harness: SlackHarness,
) -> None:
    await harness.command("/met", "Jane Doe, Acme, interview", reply_to="met")
    await harness.answer("met")
    harness.clock.advance(timedelta(hours=24))
    harness.slack.script("chat.postMessage", rate_limited(42))
    report = await harness.bot.dispatcher.dispatch_due()
    assert report.retried == 1
    assert report.sent == 0
    async with harness.bot.storage.session() as uow:
        due = await uow.outbox.next_due_at()
    assert due == harness.clock.now() + timedelta(seconds=42)


async def test_through_the_dispatcher_a_closed_dm_is_told_at_the_next_command(
    harness: SlackHarness,
) -> None:
    await harness.command("/met", "Jane Doe, Acme, interview", reply_to="met")
    await harness.answer("met")
    harness.clock.advance(timedelta(hours=24))
    harness.slack.script("conversations.open", slack_error("user_not_found"))
    report = await harness.bot.dispatcher.dispatch_due()
    assert report.failed == 1
    await harness.command("/followups", "", reply_to="next")
    answer = await harness.answer("next")
    assert (
        "I couldn't send you a DM (Slack couldn't find your account)"
        in answer["blocks"][0]["text"]["text"]
    )


async def test_a_dm_too_long_for_one_message_comes_in_several_and_is_found_after_a_crash(
    messenger: SlackMessenger, slack: FakeSlack, clock: FakeClock
) -> None:
    # Sixty follow-ups' buttons: more blocks than one message takes.
    actions = tuple(Action(ActionKind.DONE, "Done", n, 100 + n) for n in range(1, 61))
    long_dm = Reply(MESSAGE.sections, actions)
    assert await messenger.send_dm(person(), long_dm, key="nudge-2") == Delivered()
    posts = slack.calls_to("chat.postMessage")
    assert len(posts) == 2
    assert slack.refused_as_invalid == []
    values = [e["value"] for p in posts for b in p.args["blocks"] for e in b.get("elements", [])]
    assert values == [f"done|{100 + n}|{n}|" for n in range(1, 61)]
    # The last message carries the nudge's key: a retry after a crash finds all of it sent.
    assert "metadata" not in posts[0].args
    assert posts[1].args["metadata"]["event_payload"] == {"key": "nudge-2"}
    workspaces = Workspaces(bot_token=BOT_TOKEN)
    workspaces.bind(Installs(InMemoryStorage(), clock), None)
    restarted = SlackMessenger(workspaces, base_url=slack.api_url, timeout=1)
    try:
        again = await restarted.send_dm(person(), long_dm, key="nudge-2", maybe_sent=True)
    finally:
        await restarted.close()
    assert again == Delivered()
    assert len(slack.calls_to("chat.postMessage")) == 2
