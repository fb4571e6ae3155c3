"""A workspace that uninstalls the app, or revokes its token, gets no more DMs: at once, from
every replica, without a call to Slack."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest

from adapters.slack.runtime import SlackRuntime
from adapters.slack.testing import BOT_TOKEN, event_body
from bot.config import ConfigError
from bot.domain import Person
from bot.ports import PermanentFailure
from bot.replies import Reply
from tests.adapters.slack.conftest import SlackHarness, env_for, settle
from tests.conftest import START


async def record_and_wait_a_day(harness: SlackHarness) -> None:
    await harness.command("/met", "Jane Doe, Acme, interview", reply_to="met")
    await harness.answer("met")
    harness.clock.advance(timedelta(hours=24))


async def deliver(harness: SlackHarness, event: str) -> None:
    """Post an event and let its listener (run after the ack) finish."""
    assert (await harness.post(event)).status == 200
    await settle()


def uninstalled() -> str:
    return event_body({"type": "app_uninstalled"})


def tokens_revoked(*, bot: list[str], oauth: list[str]) -> str:
    return event_body({"type": "tokens_revoked", "tokens": {"oauth": oauth, "bot": bot}})


async def test_after_uninstall_no_dm_is_sent(harness: SlackHarness) -> None:
    await record_and_wait_a_day(harness)
    await deliver(harness, uninstalled())
    calls = len(harness.slack.calls)
    report = await harness.bot.dispatcher.dispatch_due()
    # Cancelled at the dispatcher's re-check, before any send is tried.
    assert report.cancelled == 1
    assert report.sent == 0
    assert len(harness.slack.calls) == calls  # Slack was not called
    # The workspace's fault, not the student's: they are not marked as unreachable.
    async with harness.bot.storage.session() as uow:
        person = await uow.people.get(harness.address())
    assert person is not None
    assert person.undeliverable is None


async def test_the_messengers_answer_after_uninstall(harness: SlackHarness) -> None:
    await deliver(harness, uninstalled())
    someone = Person(harness.address(), created_at=START)
    delivery = await harness.runtime.messenger.send_dm(someone, Reply.text("hi"), key="k")
    assert harness.slack.calls == []
    assert delivery == PermanentFailure(
        "the app was removed from this Slack workspace",
        concerns_person=False,
        concerns_workspace=True,
    )


async def test_every_replica_stops_at_once(
    replicas: tuple[SlackHarness, SlackHarness],
) -> None:
    first, second = replicas
    await record_and_wait_a_day(first)
    await deliver(first, uninstalled())
    calls = len(second.slack.calls)
    report = await second.bot.dispatcher.dispatch_due()
    assert report.cancelled == 1
    assert len(second.slack.calls) == calls


async def test_revoked_bot_tokens_stop_dms(harness: SlackHarness) -> None:
    await record_and_wait_a_day(harness)
    await deliver(harness, tokens_revoked(bot=["UBOT"], oauth=[]))
    report = await harness.bot.dispatcher.dispatch_due()
    assert report.cancelled == 1
    assert harness.slack.calls_to("chat.postMessage") == []


async def test_revoked_user_tokens_alone_change_nothing(harness: SlackHarness) -> None:
    await record_and_wait_a_day(harness)
    await deliver(harness, tokens_revoked(bot=[], oauth=["U0SOMEONE"]))
    report = await harness.bot.dispatcher.dispatch_due()
    assert report.sent == 1


async def test_a_restart_with_a_working_token_resumes_dms(harness: SlackHarness) -> None:
    """Reinstalled, with a new token: the bot checks it at start, and DMs resume."""
    await record_and_wait_a_day(harness)
    await deliver(harness, uninstalled())
    restarted = SlackRuntime.from_env(env_for(harness.slack))
    restarted.attach(harness.bot)
    serving = asyncio.create_task(restarted.serve())
    async with asyncio.timeout(5):
        await restarted.ready.wait()
    serving.cancel()
    with pytest.raises(asyncio.CancelledError):
        await serving
    harness.bot.dispatcher.messenger = restarted.messenger
    try:
        report = await harness.bot.dispatcher.dispatch_due()
    finally:
        await restarted.messenger.close()
    assert report.sent == 1
    (dm,) = harness.slack.calls_to("chat.postMessage")
    assert "Jane Doe" in json.dumps(dm.args["blocks"])


async def test_a_restart_with_a_dead_token_refuses_to_start(harness: SlackHarness) -> None:
    harness.slack.revoked_tokens.add(BOT_TOKEN)
    restarted = SlackRuntime.from_env(env_for(harness.slack))
    restarted.attach(harness.bot)
    with pytest.raises(
        ConfigError, match=r"SLACK_BOT_TOKEN was refused by Slack \(token_revoked\)"
    ):
        await restarted.serve()
