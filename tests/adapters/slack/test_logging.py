"""What reaches the logs at INFO and above: no token, no signing secret, no contact data, and no
body of a rejected request."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from adapters.slack.testing import BOT_TOKEN, command_body, rate_limited, signed_headers
from bot.commands import Command
from bot.replies import Reply
from bot.services import Requester
from tests.adapters.slack.conftest import SECRET, STUDENT, SlackHarness

SECRETS = (BOT_TOKEN, SECRET)
CONTACT = ("Jane Doe", "Acme", "Kafka", "Quantum Fair")


async def test_a_busy_session_logs_nothing_private(
    harness: SlackHarness, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    slack = harness.slack
    await harness.command(
        "/met", 'Jane Doe, Acme, interview, Kafka event:"Quantum Fair"', reply_to="met"
    )
    await harness.answer("met")
    await harness.command("/met", "Jane Doe, Acme, intervju", reply_to="typo")
    await harness.answer("typo")

    # A forged request: rejected, logged by its reason only.
    forged = command_body(
        "/met", "Jane Doe, Acme, interview", user_id=STUDENT, response_url=slack.response_url()
    )
    response = await harness.post(forged, headers=signed_headers("not-the-secret", forged))
    assert response.status == 401

    # DMs: rate limited once, then delivered.
    harness.clock.advance(timedelta(hours=24))
    slack.script("chat.postMessage", rate_limited(5))
    await harness.dispatch_nudges()
    harness.clock.advance(timedelta(seconds=6))
    await harness.dispatch_nudges()
    await slack.wait_for("chat.postMessage", 2)

    # A failure inside the core whose message quotes a contact.
    async def broken(requester: Requester, command: Command) -> Reply:
        raise ValueError("could not save Jane Doe at Acme")

    monkeypatch.setattr(harness.bot.service, "handle", broken)
    await harness.command("/followups", "", reply_to="broken")
    answer = await harness.answer("broken")
    assert "Something went wrong on my side" in str(answer["blocks"])

    logged = [
        record.getMessage() + (record.exc_text or "")
        for record in caplog.records
        if record.levelno >= logging.INFO
    ]
    assert any("rejected a request" in line for line in logged)
    assert any("failed with ValueError" in line for line in logged)
    for line in logged:
        for private in SECRETS + CONTACT:
            assert private not in line, f"{private!r} logged: {line}"
