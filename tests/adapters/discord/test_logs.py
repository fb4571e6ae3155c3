"""At LOG_LEVEL=DEBUG discord.py logs every gateway event whole and every HTTP request with its
body: what reaches the log, through the bot's redaction filter, holds no token, no interaction
token and nothing a student typed."""

from __future__ import annotations

import json

import pytest

from adapters.discord.testing import TOKEN, deliver
from tests.adapters.conftest import ConfigureLog
from tests.adapters.discord.conftest import ALICE, DiscordBot

CONTACT = {"name": "Jane Doe", "company": "Acme Rockets", "kind": "interview", "about": "Kafka"}
PRIVATE = ("Jane Doe", "Jane", "Acme Rockets", "Kafka", "Alice Student")


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_a_debug_run_logs_no_token_and_no_contact(
    discord_bot: DiscordBot, log_output: ConfigureLog, log_format: str
) -> None:
    output = log_output("DEBUG", log_format, env={"DISCORD_TOKEN": TOKEN})
    payload = discord_bot.make.command("met", CONTACT, user_id=ALICE, name="Alice Student")
    before = len(discord_bot.http.requests)
    await deliver(discord_bot.client, payload, gateway=True)
    answered = discord_bot.http.requests[before:]
    assert answered, "the command was answered"
    _, sent = await discord_bot.nudges_after(24)
    assert sent, "a nudge was sent"

    logged = output.getvalue()
    lines = logged.splitlines()
    # The gateway event and the HTTP requests were logged, by what they were.
    assert any("WebSocket Event: {op=0, t=INTERACTION_CREATE, …}" in line for line in lines)
    assert any("discord.webhook" in line and "has returned" in line for line in lines)
    assert any("Discord POST /channels/{id}/messages answered 200" in line for line in lines)
    for private in (TOKEN, payload["token"], *PRIVATE):
        assert private not in logged, f"{private!r} logged"
    if log_format == "json":
        entries = [json.loads(line) for line in lines if line.startswith("{")]
        assert len(entries) == len([line for line in lines if line.strip()])
        assert {"time", "level", "logger", "message"} <= set(entries[0])
        gateway = [e for e in entries if e["logger"] == "discord.gateway"]
        assert gateway
        assert all(e["platform"] == "discord" for e in gateway)
