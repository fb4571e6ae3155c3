"""A request Slack retries, or someone replays, is handled once: one conversation, not two."""

from __future__ import annotations

import asyncio
import time

from adapters.slack.testing import command_body, signed_headers
from bot.services import Requester
from tests.adapters.slack.conftest import SECRET, STUDENT, SlackHarness


def met(harness: SlackHarness, text: str = "Jane Doe, Acme, interview") -> str:
    return command_body("/met", text, user_id=STUDENT, response_url=harness.slack.response_url())


async def conversations(harness: SlackHarness) -> int:
    return len(await harness.bot.service.open_follow_ups(Requester(harness.address())))


async def test_a_retried_command_creates_one_conversation(harness: SlackHarness) -> None:
    body = met(harness)
    first = await harness.post(body)
    # Slack's retry: the same body, signed again a second later, with its retry headers.
    retry = signed_headers(SECRET, body, timestamp=int(time.time()) + 1, retry=1)
    second = await harness.post(body, headers=retry)
    assert first.status == second.status == 200
    await harness.answer()
    await asyncio.sleep(0.2)
    assert len(harness.slack.calls_to("response_url:command")) == 1
    assert await conversations(harness) == 1


async def test_a_replayed_request_creates_one_conversation(harness: SlackHarness) -> None:
    body = met(harness)
    headers = signed_headers(SECRET, body)
    for _ in range(3):
        assert (await harness.post(body, headers=headers)).status == 200
    await harness.answer()
    await asyncio.sleep(0.2)
    assert await conversations(harness) == 1


async def test_the_same_words_typed_twice_are_two_commands(harness: SlackHarness) -> None:
    """Every command Slack sends has a trigger id of its own: no false repeats."""
    await harness.post(met(harness))
    await harness.post(met(harness))
    await harness.answer(count=2)
    assert await conversations(harness) == 2


async def test_a_retry_reaching_another_replica_is_recognised(
    replicas: tuple[SlackHarness, SlackHarness],
) -> None:
    first, second = replicas
    body = met(first)
    await first.post(body)
    await second.post(body, headers=signed_headers(SECRET, body, retry=1))
    await first.answer()
    await asyncio.sleep(0.2)
    assert len(first.slack.calls_to("response_url:command")) == 1
    assert await conversations(first) == 1


async def test_replicas_given_one_request_at_the_same_moment_handle_it_once(
    replicas: tuple[SlackHarness, SlackHarness],
) -> None:
    first, second = replicas
    # The student exists already: only the repeat itself could make a second conversation.
    await first.command("/followups", "", reply_to="list")
    await first.answer("list")
    body = met(first)
    headers = signed_headers(SECRET, body)
    await asyncio.gather(first.post(body, headers=headers), second.post(body, headers=headers))
    await first.answer()
    await asyncio.sleep(0.2)
    assert await conversations(first) == 1
