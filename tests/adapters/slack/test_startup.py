"""Starting on Slack: a refused token stops the start naming it, `ready` means connected, the
log says what is served, and requests are authorized without asking Slack before the ack."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.slack.runtime import SlackRuntime
from adapters.slack.testing import (
    APP_TOKEN,
    BOT_TOKEN,
    FakeSlack,
    Scripted,
    rate_limited,
    slack_error,
)
from bot.config import ConfigError
from bot.testing import FakeClock
from tests.adapters.slack.conftest import (
    WHATEVER_AUTH_TEST_SAYS,
    SlackHarness,
    bot_on,
    env_for,
    make_harness,
    settle,
)


def socket_mode_env(slack: FakeSlack, **extra: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_BASE_URL": slack.api_url,
    } | extra


async def serving(runtime: SlackRuntime) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(runtime.serve())
    try:
        yield task
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@pytest.mark.parametrize(
    ("code", "named"),
    [
        ("invalid_auth", "SLACK_APP_TOKEN was refused by Slack (invalid_auth)"),
        ("token_revoked", "SLACK_APP_TOKEN was refused by Slack (token_revoked)"),
        ("missing_scope", "SLACK_APP_TOKEN lacks a scope it needs"),
    ],
)
async def test_a_refused_app_token_stops_the_start_at_once(
    slack: FakeSlack, engine: AsyncEngine, clock: FakeClock, code: str, named: str
) -> None:
    slack.script("apps.connections.open", *[slack_error(code)] * 5)
    runtime = SlackRuntime.from_env(socket_mode_env(slack))
    await bot_on(engine, clock, runtime)
    started = time.monotonic()
    with pytest.raises(ConfigError) as refused:
        await runtime.serve()
    assert str(refused.value).startswith(named)
    assert APP_TOKEN not in str(refused.value)
    assert time.monotonic() - started < 2
    assert len(slack.calls_to("apps.connections.open")) == 1  # not slack_sdk's retry loop
    assert not runtime.ready.is_set()


@pytest.mark.parametrize(
    "answer",
    [rate_limited(1), Scripted(500, {"ok": False, "error": "fatal_error"})],
    ids=["429", "500"],
)
async def test_slack_unsure_about_the_app_token_is_asked_again(
    slack: FakeSlack, engine: AsyncEngine, clock: FakeClock, answer: Scripted
) -> None:
    """Not a refusal: the start goes on, and slack_sdk's loop asks again and connects."""
    slack.script("apps.connections.open", answer)
    runtime = SlackRuntime.from_env(socket_mode_env(slack))
    await bot_on(engine, clock, runtime)
    async for _ in serving(runtime):
        async with asyncio.timeout(5):
            await runtime.ready.wait()
    assert len(slack.calls_to("apps.connections.open")) == 2


async def test_socket_mode_with_oauth_announces_the_install_pages_not_events(
    slack: FakeSlack, engine: AsyncEngine, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    env = {
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_CLIENT_ID": "1111.2222",
        "SLACK_CLIENT_SECRET": "client-secret-value",
        "SLACK_API_BASE_URL": slack.api_url,
        "PORT": "0",
        "SLACK_HTTP_HOST": "127.0.0.1",
    }
    runtime = SlackRuntime.from_env(env)
    await bot_on(engine, clock, runtime)
    async for _ in serving(runtime):
        async with asyncio.timeout(5):
            await runtime.ready.wait()
    (announced,) = [r.getMessage() for r in caplog.records if "Slack: HTTP on" in r.getMessage()]
    assert "/slack/events" not in announced
    assert "/slack/install" in announced
    assert "/slack/oauth_redirect" in announced


async def test_http_mode_announces_events(
    slack: FakeSlack, engine: AsyncEngine, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    runtime = SlackRuntime.from_env(env_for(slack))
    await bot_on(engine, clock, runtime)
    async for _ in serving(runtime):
        async with asyncio.timeout(5):
            await runtime.ready.wait()
    (announced,) = [r.getMessage() for r in caplog.records if "Slack: HTTP on" in r.getMessage()]
    assert "/slack/events" in announced
    assert "/slack/install" not in announced


async def test_no_warning_about_the_bot_token_on_start(
    slack: FakeSlack,
    tmp_path: os.PathLike[str],
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # bolt reads SLACK_BOT_TOKEN itself, as `followup-bot run` has it in its environment.
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    caplog.set_level(logging.INFO)
    async for made in make_harness(slack, f"sqlite+aiosqlite:///{tmp_path}/warn.db", clock):
        await made.command("/followups", "")
        await made.answer()
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == []


@WHATEVER_AUTH_TEST_SAYS
async def test_one_workspace_answers_without_asking_slack_first(
    harness: SlackHarness, trouble: Scripted
) -> None:
    slack = harness.slack
    slack.script("auth.test", trouble)
    started = time.monotonic()
    response = await harness.command("/met", "Jane Doe, Acme, interview")
    assert response.status == 200
    assert time.monotonic() - started < 1.0
    answer = await harness.answer()
    assert "Saved: Jane Doe at Acme" in str(answer["blocks"])
    assert slack.calls_to("auth.test") == []
    await settle()


async def test_the_start_up_check_gives_the_bot_its_ids(harness: SlackHarness) -> None:
    restarted = SlackRuntime.from_env(env_for(harness.slack))
    restarted.attach(harness.bot)
    async for _ in serving(restarted):
        async with asyncio.timeout(5):
            await restarted.ready.wait()
    identity = restarted.authorize.identity
    assert identity is not None
    assert (identity.bot_user_id, identity.bot_id) == ("UBOT", "BBOT")
