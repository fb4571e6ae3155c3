"""Slash commands as Slack sends them, signed, dispatched into the app."""

from __future__ import annotations

import json
import time

from slack_bolt.response import BoltResponse

from adapters.slack.blocks import decode_action
from adapters.slack.testing import interaction_body, rate_limited, view_submission_payload
from bot.services import Requester
from tests.adapters.slack.conftest import STUDENT, SlackHarness


def texts(message: dict) -> str:
    return "\n".join(
        block["text"]["text"] for block in message["blocks"] if block["type"] == "section"
    )


def buttons(message: dict) -> list[dict]:
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


async def test_met_with_text_is_acked_at_once_and_answered_ephemerally(
    harness: SlackHarness,
) -> None:
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
    assert labels == ["Draft", "Done", "Snooze 2h", "Edit"]
    button = decode_action(buttons(answer)[0]["value"])
    assert button is not None
    assert button.number == 1
    assert harness.slack.calls_to("chat.postMessage") == []


async def test_met_alone_opens_the_form_with_the_rulebooks_kinds(harness: SlackHarness) -> None:
    response = await harness.command("/met", "")
    assert response.status == 200
    (call,) = await harness.slack.wait_for("views.open")
    view = call.args["view"]
    assert call.args["trigger_id"].startswith("trigger-")
    assert view["callback_id"] == "followup_met_form"
    blocks = {block["block_id"]: block for block in view["blocks"]}
    assert list(blocks) == [
        "name",
        "company",
        "kind",
        "topics",
        "when",
        "event",
        "priority",
        "greet",
    ]
    kinds = [option["value"] for option in blocks["kind"]["element"]["options"]]
    assert kinds == list(harness.bot.rulebook.kinds)
    assert blocks["name"]["element"]["max_length"] == 650  # a panel, one person per line
    assert blocks["name"]["element"]["multiline"]
    assert "One person per line" in blocks["name"]["hint"]["text"]
    assert blocks["topics"]["optional"]
    assert blocks["name"]["optional"]  # no name caught: the draft greets the company's team
    assert blocks["greet"]["optional"]
    metadata = json.loads(view["private_metadata"])
    assert metadata == {"channel": "C0CLUB", "response_url": harness.slack.response_url()}


async def submit_form(harness: SlackHarness, values: dict[str, str]) -> BoltResponse:
    await harness.command("/met", "")
    (call,) = await harness.slack.wait_for("views.open")
    payload = view_submission_payload(user_id=STUDENT, view=call.args["view"], values=values)
    return await harness.post(interaction_body(payload))


async def test_the_forms_submission_records_the_conversation_and_answers_where_met_was_typed(
    harness: SlackHarness,
) -> None:
    response = await submit_form(
        harness,
        {
            "name": "Ana Ruiz",
            "company": "Globex",
            "kind": "fair-good",
            "topics": "robotics internships",
            "when": "2 hours ago",
            "event": "Spring Career Fair",
            "priority": "1",
        },
    )
    assert response.status == 200
    assert response.body == ""
    answer = await harness.answer()
    assert answer["response_type"] == "ephemeral"
    assert "Saved: Ana Ruiz at Globex, career fair, good one-on-one at Spring Career Fair" in texts(
        answer
    )
    # A fair's double follow-up: buttons for both, told apart by number.
    labels = [b["text"]["text"] for b in buttons(answer)]
    assert labels == [
        "Draft #1",
        "Done #1",
        "Snooze 2h #1",
        "Edit #1",
        "Draft #2",
        "Done #2",
        "Snooze 2h #2",
    ]


async def test_the_form_takes_a_panel_one_per_line_with_a_greeting_each(
    harness: SlackHarness,
) -> None:
    response = await submit_form(
        harness,
        {
            "name": "Priya Raman\nTom O'Brien",
            "company": "Stripe",
            "kind": "interview",
            "topics": "the payments API migration",
            "greet": "Dr. Raman\nTom",
        },
    )
    assert response.status == 200
    text = texts(await harness.answer())
    assert "Saved: Priya Raman and Tom O'Brien at Stripe" in text
    assert "#1 Email to Priya Raman" in text
    assert "#2 Email to Tom O'Brien" in text
    assert "each interviewer gets their own" in text


async def test_the_forms_greeting_problem_shows_on_its_field(harness: SlackHarness) -> None:
    response = await submit_form(
        harness,
        {"name": "Priya Raman\nTom O'Brien", "company": "Stripe", "kind": "call", "greet": "Dr."},
    )
    assert response.status == 200
    errors = json.loads(response.body)["errors"]
    assert list(errors) == ["greet"]
    assert "greet: gives 1 greeting for 2 people" in errors["greet"]


async def test_the_forms_errors_show_on_its_fields_and_nothing_is_saved(
    harness: SlackHarness,
) -> None:
    response = await submit_form(
        harness, {"name": "Jane Doe", "company": "", "kind": "", "when": "next blursday"}
    )
    assert response.status == 200
    answer = json.loads(response.body)
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"company", "kind", "when"}
    assert "Which company" in answer["errors"]["company"]
    assert await harness.bot.service.open_follow_ups(requester(harness)) == []
    assert harness.slack.calls_to("response_url:command") == []


async def test_followups_lists_with_buttons_on_each_item(harness: SlackHarness) -> None:
    await harness.command("/met", "Jane Doe, Acme, interview", reply_to="one")
    await harness.answer("one")
    await harness.command("/met", "Sam Lee, Initech, coffee chat", reply_to="two")
    await harness.answer("two")
    await harness.command("/followups", "", reply_to="list")
    answer = await harness.answer("list")
    assert answer["response_type"] == "ephemeral"
    assert "Due soon (2)" in texts(answer)
    assert "#1 Jane Doe, Acme: email" in texts(answer)
    actions = [b for b in answer["blocks"] if b["type"] == "actions"]
    assert len(actions) == 2  # one row of buttons per follow-up
    labels = [[e["text"]["text"] for e in block["elements"]] for block in actions]
    assert labels == [["Done #1", "Snooze 2h #1"], ["Done #2", "Snooze 2h #2"]]


async def test_followups_subcommands(harness: SlackHarness) -> None:
    await harness.command("/met", "Jane Doe, Acme, interview", reply_to="met")
    await harness.answer("met")
    for n, (text, expected) in enumerate(
        [
            ("snooze 1 2h", "Snoozed #1 (Jane Doe at Acme)"),
            ("skip 1", "Skip it anyway? /followups skip 1 confirm"),
            ("done 1", "Done: #1, Jane Doe at Acme by email."),
            ("settings tz Europe/Berlin", "Time zone set to Europe/Berlin."),
            ("settings", "Time zone: Europe/Berlin"),
            ("help", "/followups done 3 [email|linkedin]"),
            ("list", "Nothing pending."),
            ("snoze 1", "Did you mean /followups snooze?"),
        ]
    ):
        await harness.command("/followups", text, reply_to=f"r{n}")
        answer = await harness.answer(f"r{n}")
        assert expected in texts(answer), text
        assert answer["response_type"] == "ephemeral"


async def test_met_help_and_a_typo(harness: SlackHarness) -> None:
    await harness.command("/met", "help", reply_to="help")
    assert "Record a conversation" in texts(await harness.answer("help"))
    await harness.command("/met", "Jane Doe, Acme, intervew", reply_to="typo")
    assert "Did you mean interview?" in texts(await harness.answer("typo"))


async def test_in_a_shared_channel_nothing_is_posted_to_the_channel(
    harness: SlackHarness,
) -> None:
    for n, (command, text) in enumerate(
        [("/met", "Jane Doe, Acme, interview"), ("/followups", ""), ("/followups", "done 1")]
    ):
        await harness.command(command, text, channel="C0SHARED", reply_to=f"r{n}")
        answer = await harness.answer(f"r{n}")
        assert answer["response_type"] == "ephemeral"
    posted = {call.method for call in harness.slack.calls}
    assert not posted & {"chat.postMessage", "chat.postEphemeral", "chat.update"}


async def test_the_students_zone_is_looked_up_once(harness: SlackHarness) -> None:
    for n in range(3):
        await harness.command("/followups", "", reply_to=f"r{n}")
        await harness.answer(f"r{n}")
    assert len(harness.slack.calls_to("users.info")) == 1


async def test_a_rate_limited_form_says_so_without_waiting(harness: SlackHarness) -> None:
    harness.slack.script("views.open", rate_limited(30))
    started = time.monotonic()
    await harness.command("/met", "")
    answer = await harness.answer()
    assert time.monotonic() - started < 2
    assert "about 30 seconds" in texts(answer)
    assert "/met Jane Doe, Acme, interview" in texts(answer)


def requester(harness: SlackHarness, user: str = STUDENT) -> Requester:
    return Requester(harness.address(user))


async def test_text_arrives_escaped_and_is_kept_as_typed(harness: SlackHarness) -> None:
    """Slack sends "AT&T" as "AT&amp;T": stored as typed, shown escaped once."""
    await harness.command("/met", "Jane Doe, AT&T <Labs>, interview", reply_to="met")
    answer = await harness.answer("met")
    assert "Saved: Jane Doe at AT&amp;T &lt;Labs&gt;, interview" in texts(answer)
    (summary,) = await harness.bot.service.open_follow_ups(requester(harness))
    assert summary.company == "AT&T <Labs>"
