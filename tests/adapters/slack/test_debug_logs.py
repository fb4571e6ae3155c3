"""At LOG_LEVEL=DEBUG slack_bolt and slack_sdk log request and response bodies and headers:
what reaches the log, through the bot's redaction filter, holds no token, no signing secret,
no request signature and nothing a student typed, in text or in JSON."""

from __future__ import annotations

import asyncio
import json
import os
from datetime import timedelta
from urllib.parse import parse_qsl

import pytest

from adapters.slack.runtime import SlackRuntime
from adapters.slack.testing import APP_TOKEN, BOT_TOKEN, FakeSlack, command_body, signed_headers
from bot.bootstrap import build_bot
from bot.commands import Command
from bot.config import Settings
from bot.replies import Reply
from bot.services import Requester
from bot.testing import FakeClock
from tests.adapters.conftest import ConfigureLog
from tests.adapters.slack.conftest import SECRET, STUDENT, SlackHarness, settle

CONTACT = ("Jane Doe", "Acme Rockets", "Kafka", "Quantum Fair", "unused-verification-token")


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_a_debug_session_logs_no_secret_and_no_contact(
    harness: SlackHarness,
    log_output: ConfigureLog,
    monkeypatch: pytest.MonkeyPatch,
    log_format: str,
) -> None:
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET}
    output = log_output("DEBUG", log_format, env=env)
    body = command_body(
        "/met",
        'Jane Doe, Acme Rockets, interview, Kafka event:"Quantum Fair"',
        user_id=STUDENT,
        response_url=harness.slack.response_url("met"),
    )
    response = await harness.post(body)
    assert response.status == 200
    await harness.answer("met")
    # A nudge DMed through slack_sdk (chat.postMessage, its body quoting the contact).
    harness.clock.advance(timedelta(hours=24))
    await harness.dispatch_nudges()
    await harness.slack.wait_for("chat.postMessage", 1)

    # A failure whose message quotes a contact.
    async def broken(requester: Requester, command: Command) -> Reply:
        raise ValueError("could not save Jane Doe at Acme Rockets")

    monkeypatch.setattr(harness.bot.service, "handle", broken)
    await harness.command("/followups", "", reply_to="broken")
    await harness.answer("broken")

    logged = output.getvalue()
    lines = [line for line in logged.splitlines() if line.strip()]
    # bolt's and slack_sdk's DEBUG lines were there, by what they were about.
    assert any("chat.postMessage" in line for line in lines)
    assert "/followups failed with ValueError" in logged
    signature = signed_headers(SECRET, body)["X-Slack-Signature"]
    for private in (BOT_TOKEN, SECRET, signature, *CONTACT):
        assert private not in logged, f"{private!r} logged"
    if log_format == "json":
        entries = [json.loads(line) for line in lines if not line.startswith((" ", "\t"))]
        assert len(entries) == len(lines), "one JSON object a line"
        assert all({"time", "level", "logger", "message"} <= set(e) for e in entries)
        assert any(e["platform"] == "slack" and e["level"] == "ERROR" for e in entries)


async def test_socket_mode_at_debug_logs_no_token_and_no_contact(
    slack: FakeSlack, tmp_path: os.PathLike[str], clock: FakeClock, log_output: ConfigureLog
) -> None:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_BASE_URL": slack.api_url,
    }
    output = log_output("DEBUG", "json", env=env)
    runtime = SlackRuntime.from_env(env)
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/socket.db")
    bot = await build_bot(
        settings, clock=clock, messengers={"slack": runtime.messenger}, scheduled=False
    )
    runtime.attach(bot)
    serving = asyncio.create_task(runtime.serve())
    try:
        async with asyncio.timeout(5):
            await runtime.ready.wait()
        body = command_body(
            "/met",
            "Jane Doe, Acme Rockets, interview, Kafka",
            user_id=STUDENT,
            response_url=slack.response_url(),
        )
        await slack.socket_mode.send_envelope("slash_commands", dict(parse_qsl(body)))
        answer = await slack.wait_for("response_url:command", 1)
        assert "Jane Doe" in str(answer[0].args)
    finally:
        await settle()
        serving.cancel()
        await asyncio.gather(serving, return_exceptions=True)
        await bot.close()

    logged = output.getvalue()
    entries = [json.loads(line) for line in logged.splitlines()]
    # The envelope was logged as it came in, by what it was.
    assert any("Received message (type: TEXT, data: '…'" in e["message"] for e in entries)
    for private in (BOT_TOKEN, APP_TOKEN, *CONTACT):
        assert private not in logged, f"{private!r} logged"
