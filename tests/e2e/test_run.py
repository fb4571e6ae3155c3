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
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from adapters.slack.testing import BOT_TOKEN, FakeSlack, command_body, signed_headers

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
            body = command_body(
                "/met",
                'Jane Doe, Acme, interview, talked about Kafka when:"47 hours ago"',
                user_id=STUDENT,
                response_url=slack.response_url(),
            )
            headers = signed_headers(SECRET, body) | {
                "Content-Type": "application/x-www-form-urlencoded"
            }
            started = time.monotonic()
            async with (
                aiohttp.ClientSession() as session,
                session.post(
                    f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers
                ) as response,
            ):
                assert response.status == 200
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
