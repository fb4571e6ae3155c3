"""A replica killed between a nudge's DM and its settling: on Slack the retry finds the DM by
its metadata and doesn't send it again."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from adapters.slack.messenger import NUDGE_EVENT, SlackMessenger
from bot.dispatch import LEASE
from bot.testing import ReplicaKilled, killed_after
from tests.adapters.slack.conftest import STUDENT, SlackHarness


async def heads_up_due_then_killed(harness: SlackHarness, met: str, sends: int) -> None:
    """`/met met`, a day on, and a replica that claims its heads-up and is killed right after
    its `sends`-th DM reached Slack (0: before any), nothing settled."""
    dispatcher = harness.bot.dispatcher
    await harness.command("/followups", "settings quiet off")
    await harness.command("/met", met)
    await harness.answer(count=2)
    harness.clock.advance(timedelta(hours=24))
    doomed = replace(
        dispatcher, owner="doomed", messenger=killed_after(dispatcher.messenger, sends)
    )
    with pytest.raises(ReplicaKilled):
        await doomed.dispatch_due()


async def test_a_nudge_sent_just_before_a_crash_is_not_sent_again(harness: SlackHarness) -> None:
    slack, dispatcher = harness.slack, harness.bot.dispatcher
    await heads_up_due_then_killed(harness, "Jane Doe, Acme, interview, talked about Kafka", 1)
    (post,) = slack.calls_to("chat.postMessage")
    assert post.args["metadata"]["event_type"] == NUDGE_EVENT
    key = post.args["metadata"]["event_payload"]["key"]
    assert key.startswith("nudge-")

    # Another replica (a messenger of its own, remembering nothing) takes it over.
    harness.clock.advance(LEASE + timedelta(seconds=1))
    fresh = SlackMessenger(harness.runtime.messenger.workspaces, base_url=slack.api_url)
    try:
        report = await replace(dispatcher, owner="survivor", messenger=fresh).dispatch_due()
    finally:
        await fresh.close()
    assert report.sent == 1  # settled as sent ...
    assert len(slack.calls_to("chat.postMessage")) == 1  # ... without a second DM
    (looked,) = slack.calls_to("conversations.history")
    assert looked.args["channel"] == f"D{STUDENT}"


async def test_a_nudge_that_never_arrived_is_sent_on_its_retry(harness: SlackHarness) -> None:
    # Killed before the DM left: the retry looks, doesn't find it, and sends it.
    slack, dispatcher = harness.slack, harness.bot.dispatcher
    await heads_up_due_then_killed(harness, "Jane Doe, Acme, interview", 0)
    assert slack.calls_to("chat.postMessage") == []
    harness.clock.advance(LEASE + timedelta(seconds=1))
    assert (await dispatcher.dispatch_due()).sent == 1
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert len(slack.calls_to("conversations.history")) == 1
