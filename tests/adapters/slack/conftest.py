"""The Slack adapter against a fake Slack: a runtime attached to a bot on SQLite, requests
signed as Slack signs them and dispatched into the app, Web API calls going to `FakeSlack`."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.slack.blocks import MET_FORM_CALLBACK
from adapters.slack.runtime import SlackRuntime
from adapters.slack.testing import (
    BOT_TOKEN,
    TEAM,
    FakeSlack,
    Scripted,
    block_actions_payload,
    command_body,
    hang,
    interaction_body,
    rate_limited,
    select_actions_payload,
    signed_headers,
)
from bot.bootstrap import DATABASE_ERRORS, Bot, build_bot
from bot.config import Settings
from bot.dispatch import Dispatcher
from bot.domain import Address
from bot.storage.migrate import upgrade_to_head
from bot.storage.sql import SqlStorage
from bot.testing import FakeClock, make_test_bot
from tests.conftest import NEW_YORK

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
STUDENT = "U0STUDENT"
OTHER = "U0OTHER"

# auth.test in trouble: rate limited, failing, or slower than Slack's 3 s. A test marked with this
# gets each as its `trouble` argument.
WHATEVER_AUTH_TEST_SAYS = pytest.mark.parametrize(
    "trouble",
    [rate_limited(30), Scripted(500, {"ok": False, "error": "fatal_error"}), hang(12)],
    ids=["429", "500", "12s"],
)


def env_for(slack: FakeSlack, **extra: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_BASE_URL": slack.api_url,
        "PORT": "0",
        "SLACK_HTTP_HOST": "127.0.0.1",
    } | extra


@dataclass
class SlackHarness:
    """A runtime attached to a bot, and the fake Slack it talks to."""

    runtime: SlackRuntime
    bot: Bot
    slack: FakeSlack
    clock: FakeClock

    async def post(
        self, body: str, *, headers: Mapping[str, str] | None = None, retry: int | None = None
    ) -> BoltResponse:
        """Dispatch `body` into the app as Slack would send it (signed now unless `headers`)."""
        assert self.runtime.app is not None
        sent = dict(headers) if headers is not None else signed_headers(SECRET, body, retry=retry)
        sent.setdefault("Content-Type", _content_type(body))
        return await self.runtime.app.async_dispatch(AsyncBoltRequest(body=body, headers=sent))

    async def command(
        self,
        command: str,
        text: str,
        *,
        user: str = STUDENT,
        reply_to: str = "command",
        channel: str = "C0CLUB",
    ) -> BoltResponse:
        body = command_body(
            command,
            text,
            user_id=user,
            response_url=self.slack.response_url(reply_to),
            channel_id=channel,
        )
        return await self.post(body)

    async def answer(self, reply_to: str = "command", count: int = 1) -> dict[str, Any]:
        """The `count`th message posted to a response_url (what the student sees)."""
        calls = await self.slack.wait_for(f"response_url:{reply_to}", count)
        return calls[count - 1].args

    async def click(
        self,
        value: str,
        *,
        user: str = STUDENT,
        reply_to: str = "click",
        message: Mapping[str, Any] | None = None,
        channel: str | None = None,
    ) -> BoltResponse:
        payload = block_actions_payload(
            user_id=user,
            value=value,
            response_url=self.slack.response_url(reply_to),
            message=message,
            channel_id=channel,
        )
        return await self.post(interaction_body(payload))

    async def pick(
        self,
        message: Mapping[str, Any],
        option: Mapping[str, Any],
        *,
        block_id: str = "pick:0",
        user: str = STUDENT,
        reply_to: str = "pick",
        channel: str | None = None,
    ) -> BoltResponse:
        """Pick `option` from the select menu in block `block_id` of the DM `message`."""
        payload = select_actions_payload(
            user_id=user,
            option=option,
            response_url=self.slack.response_url(reply_to),
            message=message,
            channel_id=channel or f"D{user}",
            block_id=block_id,
        )
        return await self.post(interaction_body(payload))

    async def dispatch_nudges(self) -> None:
        await self.bot.dispatcher.dispatch_due()

    def address(self, user: str = STUDENT) -> Address:
        return Address("slack", TEAM, user)


def _content_type(body: str) -> str:
    return "application/json" if body.startswith("{") else "application/x-www-form-urlencoded"


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(users={STUDENT: {"tz": "America/Los_Angeles"}}) as fake:
        yield fake


async def make_harness(
    slack: FakeSlack, database_url: str, clock: FakeClock, **env: str
) -> AsyncIterator[SlackHarness]:
    runtime = SlackRuntime.from_env(env_for(slack, **env))
    settings = Settings(database_url=database_url, default_timezone="America/New_York")
    bot = await build_bot(
        settings, clock=clock, messengers={"slack": runtime.messenger}, scheduled=False
    )
    runtime.attach(bot)
    try:
        yield SlackHarness(runtime, bot, slack, clock)
    finally:
        await settle()
        await runtime.messenger.close()
        await bot.close()


async def settle() -> None:
    """Let listeners still running after their ack (bolt runs them as tasks) finish."""
    pending = [
        task
        for task in asyncio.all_tasks()
        if not task.done() and "run_ack_function" in task.get_coro().__qualname__
    ]
    if pending:
        await asyncio.wait(pending, timeout=2)


async def bot_on(engine: AsyncEngine, clock: FakeClock, runtime: SlackRuntime) -> Bot:
    """A bot on an existing database (a PostgreSQL schema of the test's own), as build_bot
    wires one: several of them on one database are replicas."""
    await upgrade_to_head(engine)
    storage = SqlStorage(engine)
    core = make_test_bot(storage, clock=clock, outages=DATABASE_ERRORS)
    dispatcher = Dispatcher(
        storage,
        runtime.messenger,
        clock,
        core.rulebook,
        default_zone=NEW_YORK,
        owner=str(id(runtime)),
    )
    bot = Bot(
        storage=storage,
        clock=clock,
        service=core.service,
        dispatcher=dispatcher,
        rulebook=core.rulebook,
        engine=engine,
    )
    runtime.attach(bot)
    return bot


@pytest.fixture
async def replicas(
    slack: FakeSlack, engine: AsyncEngine, clock: FakeClock
) -> AsyncIterator[tuple[SlackHarness, SlackHarness]]:
    """Two replicas of the bot on one database (SQLite, and PostgreSQL when configured)."""
    made = []
    for _ in range(2):
        runtime = SlackRuntime.from_env(env_for(slack))
        made.append(SlackHarness(runtime, await bot_on(engine, clock, runtime), slack, clock))
    try:
        yield made[0], made[1]
    finally:
        await settle()


@pytest.fixture
async def harness(
    slack: FakeSlack, tmp_path: os.PathLike[str], clock: FakeClock
) -> AsyncIterator[SlackHarness]:
    async for made in make_harness(slack, f"sqlite+aiosqlite:///{tmp_path}/slack.db", clock):
        yield made


__all__ = ["MET_FORM_CALLBACK", "OTHER", "SECRET", "STUDENT", "SlackHarness", "env_for"]
