"""DM nudges with buttons, and what a click does: on the clicker's own follow-up only, with the
DM updated in place."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from adapters.slack.blocks import decode_action
from adapters.slack.testing import Call
from bot.services import Requester
from tests.adapters.slack.conftest import OTHER, STUDENT, SlackHarness


def section_texts(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")


def labels(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["text"]["text"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def button_value(blocks: list[dict[str, Any]], label: str) -> str:
    for block in blocks:
        for element in block.get("elements", []):
            if element["text"]["text"] == label:
                return str(element["value"])
    raise AssertionError(f"no button {label!r} in {labels(blocks)}")


async def nudge(harness: SlackHarness, text: str = "Jane Doe, Acme, interview, Kafka") -> Call:
    """Record a conversation, then move a day on: the heads-up DM."""
    await harness.command("/met", text, reply_to="met")
    await harness.answer("met")
    harness.clock.advance(timedelta(hours=24))
    await harness.dispatch_nudges()
    (dm,) = await harness.slack.wait_for("chat.postMessage")
    return dm


def as_slack_returns(dm: Call) -> dict[str, Any]:
    """The message as Slack sends it back with a click: what was posted, with its ts."""
    return {"ts": "1700000000.000042", "text": dm.args["text"], "blocks": dm.args["blocks"]}


async def test_a_nudge_is_a_dm_with_buttons(harness: SlackHarness) -> None:
    dm = await nudge(harness)
    assert dm.args["channel"] == f"D{STUDENT}"  # the DM conversations.open gave
    assert dm.token is not None
    assert dm.token.startswith("xoxb-")
    blocks = dm.args["blocks"]
    text = section_texts(blocks)
    assert "#1 Time to follow up: email to Jane Doe at Acme (24 h left)" in text
    assert "You talked about: Kafka." in text
    assert "PST" in text  # in the student's zone, from Slack
    assert labels(blocks) == ["Draft", "Done", "Snooze 2h", "Tomorrow morning", "Skip"]
    assert dm.args["text"].startswith("#1 Time to follow up")  # the notification's text
    assert dm.args["unfurl_links"] is False


async def test_done_from_the_dm_updates_it_in_place(harness: SlackHarness) -> None:
    dm = await nudge(harness)
    message = as_slack_returns(dm)
    await harness.click(
        button_value(dm.args["blocks"], "Done"), message=message, channel=f"D{STUDENT}"
    )
    (update,) = await harness.slack.wait_for("chat.update")
    assert update.args["channel"] == f"D{STUDENT}"
    assert update.args["ts"] == message["ts"]
    text = section_texts(update.args["blocks"])
    assert "#1 Time to follow up: email to Jane Doe at Acme" in text  # what it was about
    assert "Done: #1, Jane Doe at Acme by email." in text  # and what happened
    assert labels(update.args["blocks"]) == []  # nothing left to click
    assert await harness.bot.service.open_follow_ups(Requester(harness.address())) == []


async def test_snooze_until_tomorrow_morning_from_the_dm(harness: SlackHarness) -> None:
    dm = await nudge(harness)
    await harness.click(
        button_value(dm.args["blocks"], "Tomorrow morning"),
        message=as_slack_returns(dm),
        channel=f"D{STUDENT}",
    )
    (update,) = await harness.slack.wait_for("chat.update")
    # The nudge came on Sat 7 Mar at 12:00 in Los Angeles: tomorrow morning is Sunday 09:00.
    assert "Snoozed #1 (Jane Doe at Acme) until Sun 8 Mar 09:00 PDT." in section_texts(
        update.args["blocks"]
    )


async def test_skipping_an_interview_asks_first_then_skips(harness: SlackHarness) -> None:
    dm = await nudge(harness)
    await harness.click(
        button_value(dm.args["blocks"], "Skip"), message=as_slack_returns(dm), channel="DX"
    )
    (asked,) = await harness.slack.wait_for("chat.update")
    assert "Skip it anyway?" in section_texts(asked.args["blocks"])
    assert labels(asked.args["blocks"]) == ["Skip anyway", "Snooze 2h"]
    # Slack sends the updated message back with the next click.
    again = {"ts": "1700000000.000042", "text": asked.args["text"], "blocks": asked.args["blocks"]}
    await harness.click(
        button_value(asked.args["blocks"], "Skip anyway"), message=again, channel="DX"
    )
    updates = await harness.slack.wait_for("chat.update", 2)
    final = updates[1].args["blocks"]
    assert "Skipped #1 (Jane Doe at Acme)." in section_texts(final)
    assert "Skip it anyway?" not in section_texts(final)  # the question is replaced
    assert labels(final) == []


async def test_a_click_on_someone_elses_follow_up_changes_nothing(harness: SlackHarness) -> None:
    dm = await nudge(harness)
    value = button_value(dm.args["blocks"], "Done")
    button = decode_action(value)
    assert button is not None
    await harness.click(value, user=OTHER, message=as_slack_returns(dm), channel=f"D{OTHER}")
    (answer,) = await harness.slack.wait_for("response_url:click")
    assert answer.args["response_type"] == "ephemeral"
    assert "You have no follow-up #1" in section_texts(answer.args["blocks"])
    assert harness.slack.calls_to("chat.update") == []
    still = await harness.bot.service.open_follow_ups(Requester(harness.address()))
    assert [s.follow_up_id for s in still] == [button.follow_up_id]


async def test_a_command_for_someone_elses_number_reads_as_not_found(
    harness: SlackHarness,
) -> None:
    await harness.command("/met", "Jane Doe, Acme, interview", reply_to="met")
    await harness.answer("met")
    await harness.command("/followups", "done 1", user=OTHER, reply_to="other")
    answer = await harness.answer("other")
    assert "You have no follow-up #1" in section_texts(answer["blocks"])
    assert len(await harness.bot.service.open_follow_ups(Requester(harness.address()))) == 1


async def test_a_button_on_an_ephemeral_list_answers_ephemerally(harness: SlackHarness) -> None:
    await harness.command("/met", "Jane Doe, Acme, interview", reply_to="met")
    answer = await harness.answer("met")
    await harness.click(button_value(answer["blocks"], "Snooze 2h"))  # no message: ephemeral
    (result,) = await harness.slack.wait_for("response_url:click")
    assert result.args["response_type"] == "ephemeral"
    assert "Snoozed #1" in section_texts(result.args["blocks"])


async def test_a_forged_button_is_refused(harness: SlackHarness) -> None:
    await harness.click("done|1|1|<!channel>")
    (answer,) = await harness.slack.wait_for("response_url:click")
    assert "That button is out of date" in section_texts(answer.args["blocks"])


async def test_a_button_whose_argument_its_command_refuses_says_why(harness: SlackHarness) -> None:
    dm = await nudge(harness)
    value = button_value(dm.args["blocks"], "Done")
    await harness.click(value + "fax", message=as_slack_returns(dm), channel="DX")
    (answer,) = await harness.slack.wait_for("response_url:click")
    assert "“fax” isn't a way to follow up" in section_texts(answer.args["blocks"])
    assert harness.slack.calls_to("chat.update") == []
    still = await harness.bot.service.open_follow_ups(Requester(harness.address()))
    assert [s.number for s in still] == [1]


async def test_the_dm_channel_is_opened_once(harness: SlackHarness) -> None:
    await nudge(harness)
    await harness.command("/met", "Sam Lee, Initech, interview", reply_to="second")
    await harness.answer("second")
    harness.clock.advance(timedelta(hours=24))
    await harness.dispatch_nudges()
    await harness.slack.wait_for("chat.postMessage", 2)
    assert len(harness.slack.calls_to("conversations.open")) == 1
