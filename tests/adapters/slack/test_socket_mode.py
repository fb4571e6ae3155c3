"""Socket Mode (SLACK_APP_TOKEN): the same app over Slack's WebSocket, no public URL needed."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from urllib.parse import parse_qsl

import pytest

from adapters.slack.runtime import SlackRuntime
from adapters.slack.testing import APP_TOKEN, BOT_TOKEN, FakeSlack, Scripted, command_body
from bot.bootstrap import Bot, build_bot
from bot.config import Settings
from bot.services import Requester
from bot.testing import FakeClock
from tests.adapters.slack.conftest import STUDENT, SlackHarness, settle


@pytest.fixture
async def socket_mode(
    slack: FakeSlack, tmp_path: os.PathLike[str], clock: FakeClock
) -> AsyncIterator[SlackHarness]:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,  # and no signing secret: Socket Mode needs none
        "SLACK_API_BASE_URL": slack.api_url,
    }
    runtime = SlackRuntime.from_env(env)
    runtime.connection_check = 0.05
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/socket.db")
    bot: Bot = await build_bot(
        settings, clock=clock, messengers={"slack": runtime.messenger}, scheduled=False
    )
    runtime.attach(bot)
    serving = asyncio.create_task(runtime.serve())
    async with asyncio.timeout(5):
        await runtime.ready.wait()
    try:
        yield SlackHarness(runtime, bot, slack, clock)
    finally:
        await settle()
        serving.cancel()
        with pytest.raises(asyncio.CancelledError):
            await serving
        await bot.close()


def met_payload(slack: FakeSlack) -> dict[str, str]:
    body = command_body(
        "/met", "Jane Doe, Acme, interview", user_id=STUDENT, response_url=slack.response_url()
    )
    return dict(parse_qsl(body))


async def test_a_command_over_the_socket(socket_mode: SlackHarness) -> None:
    slack = socket_mode.slack
    (connect,) = slack.calls_to("apps.connections.open")
    assert connect.token == APP_TOKEN
    ack = await slack.socket_mode.send_envelope("slash_commands", met_payload(slack))
    assert "envelope_id" in ack
    answer = await socket_mode.answer()
    assert answer["response_type"] == "ephemeral"
    assert "Saved: Jane Doe at Acme" in str(answer["blocks"])


async def test_a_redelivered_envelope_is_handled_once(socket_mode: SlackHarness) -> None:
    slack = socket_mode.slack
    payload = met_payload(slack)
    await slack.socket_mode.send_envelope("slash_commands", payload)
    await slack.socket_mode.send_envelope("slash_commands", payload, retry_attempt=1)
    await socket_mode.answer()
    await asyncio.sleep(0.2)
    assert len(slack.calls_to("response_url:command")) == 1
    summaries = await socket_mode.bot.service.open_follow_ups(Requester(socket_mode.address()))
    assert len(summaries) == 1


async def test_ready_follows_the_connection_through_a_reconnect(socket_mode: SlackHarness) -> None:
    """Slack drops the WebSocket now and then; slack_sdk reconnects by itself. While it does,
    /readyz must not say ready, and once it has, commands arrive again."""
    slack, runtime = socket_mode.slack, socket_mode.runtime
    assert runtime.ready.is_set()
    # The new connection's URL takes a while to come: the app is disconnected meanwhile.
    slack.script("apps.connections.open", Scripted(delay=1.5))
    await slack.socket_mode.close()
    async with asyncio.timeout(3):
        while runtime.ready.is_set():  # noqa: ASYNC110 (no event says "cleared")
            await asyncio.sleep(0.02)
    async with asyncio.timeout(10):
        await runtime.ready.wait()
    assert len(slack.calls_to("apps.connections.open")) == 2
    await slack.socket_mode.send_envelope("slash_commands", met_payload(slack))
    answer = await socket_mode.answer()
    assert "Saved: Jane Doe at Acme" in str(answer["blocks"])
