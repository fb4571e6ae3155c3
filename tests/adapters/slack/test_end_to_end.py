"""End to end on the real clock, as `followup-bot run` runs Slack in HTTP mode: the server on a
port, the dispatcher sweeping, a signed /met over HTTP, and the DM arriving at Slack."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest

from adapters.slack.runtime import SlackRuntime
from adapters.slack.testing import FakeSlack, command_body, signed_headers
from bot.bootstrap import build_bot
from bot.clock import SystemClock
from bot.config import Settings
from tests.adapters.slack.conftest import SECRET, STUDENT, env_for

# How often the stand-in for the scheduler sweeps the outbox.
SWEEP_SECONDS = 0.2


def a_zone_where_it_is_midday() -> str:
    """An IANA zone where it is about noon now, so quiet hours never move the nudge."""
    offset = 12 - datetime.now(UTC).hour  # hours east of UTC, -11 ... +12
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"  # Etc/GMT signs are inverted


@pytest.fixture
async def running(slack: FakeSlack, tmp_path: os.PathLike[str]) -> AsyncIterator[str]:
    """The Slack runtime serving HTTP and a dispatcher sweeping, on the system clock."""
    slack.users[STUDENT] = {"tz": a_zone_where_it_is_midday()}
    runtime = SlackRuntime.from_env(env_for(slack))
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/run.db")
    bot = await build_bot(
        settings, clock=SystemClock(), messengers={"slack": runtime.messenger}, scheduled=False
    )
    runtime.attach(bot)

    async def sweep() -> None:
        while True:
            await bot.dispatcher.dispatch_due()
            await asyncio.sleep(SWEEP_SECONDS)

    tasks = [asyncio.create_task(runtime.serve()), asyncio.create_task(sweep())]
    try:
        async with asyncio.timeout(5):
            await runtime.ready.wait()
        assert runtime.http is not None
        yield f"http://127.0.0.1:{runtime.http.port}/slack/events"
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await bot.close()


async def test_met_47_hours_ago_brings_the_last_call_within_seconds(
    running: str, slack: FakeSlack
) -> None:
    body = command_body(
        "/met",
        'Jane Doe, Acme, interview, talked about Kafka when:"47 hours ago"',
        user_id=STUDENT,
        response_url=slack.response_url(),
    )
    headers = signed_headers(SECRET, body) | {"Content-Type": "application/x-www-form-urlencoded"}
    started = time.monotonic()
    async with (
        aiohttp.ClientSession() as session,
        session.post(running, data=body, headers=headers) as response,
    ):
        assert response.status == 200
    (answer,) = await slack.wait_for("response_url:command")
    assert "1 h left" in str(answer.args["blocks"])
    (dm,) = await slack.wait_for("chat.postMessage", within=10)
    assert time.monotonic() - started < 10
    text = str(dm.args["blocks"])
    # On the real clock, a moment after the command: an hour left, or a minute less.
    assert re.search(r"#1 Last call: email to Jane Doe at Acme \((1 h|59 min) left\)", text)
    assert dm.args["channel"] == f"D{STUDENT}"
