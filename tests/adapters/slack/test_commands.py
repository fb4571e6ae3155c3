"""Slash commands as Slack sends them, signed, dispatched into the app."""

from __future__ import annotations

from adapters.slack.blocks import parse_button
from tests.adapters.slack.conftest import STUDENT, SlackHarness


def texts(message: dict) -> str:
    return "\n".join(
        block["text"]["text"] for block in message["blocks"] if block["type"] == "section"
    )


def buttons(message: dict) -> list[dict]:
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


async def test_met_with_text_is_acked_at_once_and_answered_ephemerally(harness: SlackHarness) -> None:
    response = await harness.command(
        "/met", 'Jane Doe, Acme, interview, talked about Kafka when:"yesterday 4pm"'
    )
    assert response.status == 200
    assert response.body == ""  # acked at once, the answer comes by response_url
    answer = await harness.answer()
    assert answer["response_type"] == "ephemeral"
    assert "Saved: Jane Doe at Acme, interview" in texts(answer)
    # The student's zone came from Slack's users.info: Los Angeles, not the bot's New York.
    assert "PST" in texts(answer)
    labels = [b["text"]["text"] for b in buttons(answer)]
    assert labels == ["Done", "Snooze 2h"]
    button = parse_button(buttons(answer)[0]["value"])
    assert button is not None and button.number == 1
    assert harness.slack.calls_to("chat.postMessage") == []
