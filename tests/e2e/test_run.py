"""`followup-bot run` as a process: Slack in HTTP mode against a fake Slack on loopback, the
scheduler delivering a nudge within seconds of its time, and a clean stop on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from adapters import cli
from adapters.slack.testing import (
    APP_TOKEN,
    BOT_TOKEN,
    FakeSlack,
    command_body,
    signed_headers,
    slack_error,
)
from bot.config import ConfigError

SECRET = "e2e-signing-secret-0123456789abcdef"
STUDENT = "U0RUNNER"
ROOT = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def a_zone_where_it_is_midday() -> str:
    """A zone where it is about noon now, so quiet hours never move the nudge."""
    offset = 12 - datetime.now(UTC).hour
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"  # Etc/GMT signs are inverted


async def start_followup_bot(env: dict[str, str]) -> asyncio.subprocess.Process:
    """`followup-bot run` from the checkout, with `env`, its output piped."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "adapters.cli",
        "run",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def wait_until_listening(url: str, process: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(150):
            if process.returncode is not None:
                raise AssertionError("followup-bot run stopped before listening")
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("followup-bot run did not start listening")


async def post_command(
    session: aiohttp.ClientSession, port: int, slack: FakeSlack, met: str
) -> int:
    """POST a signed `/met` from STUDENT to the bot's Slack HTTP port; the response's status."""
    body = command_body("/met", met, user_id=STUDENT, response_url=slack.response_url())
    headers = signed_headers(SECRET, body) | {"Content-Type": "application/x-www-form-urlencoded"}
    events = f"http://127.0.0.1:{port}/slack/events"
    async with session.post(events, data=body, headers=headers) as response:
        return response.status


async def test_run_serves_slack_and_the_scheduler_sends_on_time(tmp_path: Path) -> None:
    async with FakeSlack(users={STUDENT: {"tz": a_zone_where_it_is_midday()}}) as slack:
        port = free_port()
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/run.db",
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_BASE_URL": slack.api_url,
            "SLACK_HTTP_HOST": "127.0.0.1",
            "PORT": str(port),
            "LOG_LEVEL": "INFO",
        }
        for name in ("SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "DISCORD_TOKEN"):
            env.pop(name, None)
        process = await start_followup_bot(env)
        try:
            await wait_until_listening(f"http://127.0.0.1:{port}/healthz", process)
            started = time.monotonic()
            async with aiohttp.ClientSession() as session:
                status = await post_command(
                    session,
                    port,
                    slack,
                    'Jane Doe, Acme, interview, talked about Kafka when:"47 hours ago"',
                )
                assert status == 200
            (answer,) = await slack.wait_for("response_url:command", within=10)
            assert "1 h left" in str(answer.args["blocks"])
            # The last call is due the moment /met is typed: the scheduler's wake-up sends it
            # within seconds, long before its 30-second sweep would.
            (dm,) = await slack.wait_for("chat.postMessage", within=10)
            assert time.monotonic() - started < 10
            assert re.search(r"Last call: email to Jane Doe at Acme", str(dm.args["blocks"]))
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(process.communicate(), timeout=20)
    log = err.decode()
    assert process.returncode == 0, log[-2000:]
    assert "Traceback" not in log, log[-3000:]
    assert BOT_TOKEN not in log
    assert SECRET not in log
    assert "followup-bot running: slack" in log
    assert "Jane" not in log  # no contact data in the logs


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": "  "}, "SLACK_SIGNING_SECRET"),
    ],
)
async def test_run_refuses_http_mode_without_a_signing_secret(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    process = await start_followup_bot(
        {
            **clean,
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db",
            **env,
        }
    )
    _, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 2
    assert message in err.decode()
    assert "Traceback" not in err.decode()


# -- start-up that fails clearly: a refused token stops the start, naming it --------------------

# A refused token stops `followup-bot run` within this (issue 17): no retry loop.
REFUSAL_BOUND = 20.0


@pytest.mark.parametrize(
    ("method", "mode", "variable"),
    [
        ("apps.connections.open", {"SLACK_APP_TOKEN": APP_TOKEN}, "SLACK_APP_TOKEN"),
        ("auth.test", {"SLACK_APP_TOKEN": APP_TOKEN}, "SLACK_BOT_TOKEN"),
        ("auth.test", {"SLACK_SIGNING_SECRET": SECRET}, "SLACK_BOT_TOKEN"),
    ],
    ids=["app-token", "bot-token-socket-mode", "bot-token-http"],
)
async def test_a_token_slack_refuses_stops_the_start_naming_it(
    tmp_path: Path, method: str, mode: dict[str, str], variable: str
) -> None:
    async with FakeSlack() as slack:
        # Refused every time: a retry would be refused again (and counted below).
        slack.script(method, *[slack_error("invalid_auth")] * 20)
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
        env = {
            **clean,
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/refused.db",
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_API_BASE_URL": slack.api_url,
            "SLACK_HTTP_HOST": "127.0.0.1",
            "PORT": str(free_port()),
            "OPS_PORT": "0",
            "LOG_LEVEL": "INFO",
            **mode,
        }
        started = time.monotonic()
        process = await start_followup_bot(env)
        try:
            _, err = await asyncio.wait_for(process.communicate(), timeout=REFUSAL_BOUND)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        took = time.monotonic() - started
        calls = len(slack.calls_to(method))
    log = err.decode()
    assert process.returncode == 2, log[-2000:]
    assert took < REFUSAL_BOUND
    last = log.strip().splitlines()[-1]
    assert last.startswith("followup-bot: "), log[-2000:]
    assert variable in last
    assert "refused by Slack (invalid_auth)" in last
    assert "Traceback" not in log, log[-3000:]
    assert "followup-bot running" not in log
    assert calls == 1  # asked once, not retried
    assert BOT_TOKEN not in log
    assert APP_TOKEN not in log


# -- _ready: every platform connected, or the start given up naming the one that isn't ---------


class _Starting:
    """A platform runtime as `followup-bot run` sees it, whose serve() the test scripts."""

    def __init__(self, platform: str, serve: Callable[[asyncio.Event], Awaitable[None]]) -> None:
        self.platform = platform
        self.ready = asyncio.Event()
        self._serve = serve

    async def serve(self) -> None:
        await self._serve(self.ready)


async def _connects(ready: asyncio.Event) -> None:
    await asyncio.sleep(0.05)
    ready.set()
    await asyncio.Event().wait()


async def _hangs(ready: asyncio.Event) -> None:
    await asyncio.Event().wait()


async def _refused(ready: asyncio.Event) -> None:
    await asyncio.sleep(0.05)
    raise ConfigError("DISCORD_TOKEN was rejected by Discord")


async def _breaks(ready: asyncio.Event) -> None:
    raise OSError("connection refused")


async def _wait_ready(*runtimes: _Starting, stop: asyncio.Task[bool] | None = None) -> bool:
    serving = [asyncio.create_task(r.serve()) for r in runtimes]
    try:
        return await cli._ready(list(runtimes), serving, stop)  # type: ignore[arg-type]
    finally:
        for task in serving:
            task.cancel()
        await asyncio.gather(*serving, return_exceptions=True)


async def test_ready_waits_for_every_platform() -> None:
    assert await _wait_ready(_Starting("slack", _connects), _Starting("discord", _connects))


async def test_a_stop_while_connecting_ends_the_start_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # SIGTERM while Discord is still connecting: no wait for the start-up timeout, no error.
    monkeypatch.setattr(cli, "STARTUP_TIMEOUT", 5.0)
    stopping = asyncio.Event()
    stop = asyncio.create_task(stopping.wait())
    asyncio.get_running_loop().call_later(0.05, stopping.set)
    started = time.monotonic()
    ready = await _wait_ready(
        _Starting("slack", _connects), _Starting("discord", _hangs), stop=stop
    )
    assert ready is False
    assert time.monotonic() - started < 1


async def test_ready_gives_up_naming_the_platform_that_never_connected(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cli, "STARTUP_TIMEOUT", 0.3)
    started = time.monotonic()
    with pytest.raises(ConfigError, match=r"^discord: not connected after 0 s"):
        await _wait_ready(_Starting("slack", _connects), _Starting("discord", _hangs))
    assert time.monotonic() - started < 1


async def test_ready_stops_at_the_first_refusal_whichever_platform(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Slack still connecting does not hide Discord's refusal until Slack's timeout.
    started = time.monotonic()
    with pytest.raises(ConfigError, match="DISCORD_TOKEN"):
        await _wait_ready(_Starting("slack", _hangs), _Starting("discord", _refused))
    assert time.monotonic() - started < 1


async def test_ready_names_a_platform_that_broke_while_starting() -> None:
    with pytest.raises(ConfigError, match=r"^slack stopped before it was connected \(OSError\)"):
        await _wait_ready(_Starting("slack", _breaks), _Starting("discord", _connects))
