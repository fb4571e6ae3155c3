"""/followups edit, delete, undo, export and forget-me as Slack sends them: answered
ephemerally, an export's files shared in the student's own DM through the files upload API."""

from __future__ import annotations

import csv
import io
import json

import icalendar

from adapters.slack.blocks import decode_action
from adapters.slack.files import NOT_SHARED, SHARED
from adapters.slack.testing import interaction_body, slack_error, view_submission_payload
from bot.services import Requester
from tests.adapters.slack.conftest import STUDENT, SlackHarness
from tests.adapters.slack.test_commands import buttons, texts


async def test_edit_and_undo_are_answered_ephemerally(harness: SlackHarness) -> None:
    await harness.command("/met", "Jane Do, Acme, interview, Kafka")
    await harness.command("/followups", "edit 1 name:Jane Doe <!channel>")
    answer = await harness.answer(count=2)
    assert answer["response_type"] == "ephemeral"
    assert "Saved: Jane Doe &lt;!channel&gt; at Acme" in texts(answer)
    await harness.command("/followups", "undo")
    undone = await harness.answer(count=3)
    assert "Undone: your /met about Jane Doe &lt;!channel&gt; at Acme is deleted" in texts(undone)
    assert await harness.bot.service.open_follow_ups(Requester(harness.address())) == []


async def test_the_delete_button_deletes_the_clickers_own_only(harness: SlackHarness) -> None:
    await harness.command("/met", "Jane Doe, Acme, interview")
    await harness.command("/followups", "delete 1")
    question = await harness.answer(count=2)
    assert "Delete your conversation with Jane Doe at Acme" in texts(question)
    (button,) = buttons(question)
    action = decode_action(button["value"])
    assert action is not None
    assert (action.kind, action.argument) == ("delete", "confirm")
    await harness.click(button["value"], user="U0MALLORY", reply_to="mallory")
    refused = (await harness.slack.wait_for("response_url:mallory"))[0].args
    assert "You have no follow-up #1" in texts(refused)
    assert len(await harness.bot.service.open_follow_ups(Requester(harness.address()))) == 1
    await harness.click(button["value"])
    (done,) = await harness.slack.wait_for("response_url:click")
    assert "Deleted your conversation with Jane Doe at Acme" in texts(done.args)
    assert await harness.bot.service.open_follow_ups(Requester(harness.address())) == []


async def test_export_shares_the_files_in_the_students_dm(harness: SlackHarness) -> None:
    await harness.command("/met", '=HYPERLINK("x"), Acme, interview, Kafka')
    await harness.command("/followups", "export")
    answer = await harness.answer(count=2)
    assert answer["response_type"] == "ephemeral"
    assert SHARED in texts(answer)
    (opened,) = harness.slack.calls_to("conversations.open")
    assert opened.args["users"] == STUDENT
    shared = harness.slack.shared_files()
    assert [f.filename for f in shared] == ["followups-2026-03-06.csv", "followups-2026-03-06.ics"]
    assert {f.channel for f in shared} == {f"D{STUDENT}"}
    (row,) = csv.DictReader(io.StringIO(shared[0].content.decode("utf-8-sig"), newline=""))
    assert row["contact"] == '\'=HYPERLINK("x")'
    calendar = icalendar.Calendar.from_ical(shared[1].content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["DTEND"].params["TZID"]) == "America/Los_Angeles"  # Slack's zone for them


async def test_an_export_slack_refuses_says_so(harness: SlackHarness) -> None:
    await harness.command("/met", "Jane Doe, Acme, interview")
    harness.slack.script("files.getUploadURLExternal", slack_error("missing_scope"))
    await harness.command("/followups", "export")
    answer = await harness.answer(count=2)
    assert NOT_SHARED in texts(answer)
    assert harness.slack.shared_files() == []


async def test_forget_me_asks_then_deletes(harness: SlackHarness) -> None:
    await harness.command("/met", "Jane Doe, Acme, interview")
    await harness.command("/followups", "forget-me")
    assert "/followups forget-me confirm" in texts(await harness.answer(count=2))
    await harness.command("/followups", "forget-me confirm")
    assert "I deleted everything I kept about you" in texts(await harness.answer(count=3))
    async with harness.bot.storage.session() as uow:
        assert await uow.people.get(harness.address()) is None


def _shown(view: dict) -> dict[str, str]:
    """What each input of a modal shows, by block id."""
    shown = {}
    for block in view["blocks"]:
        element = block["element"]
        initial = element.get("initial_option")
        shown[block["block_id"]] = initial["value"] if initial else element.get("initial_value", "")
    return shown


async def test_the_edit_button_opens_the_met_form_filled_in_and_saves_the_correction(
    harness: SlackHarness,
) -> None:
    await harness.command("/met", 'Jane Do, Acme, fair-good, Kafka event:"Spring Fair" priority:2')
    answer = await harness.answer()
    (edit,) = [b for b in buttons(answer) if b["text"]["text"].startswith("Edit")]
    await harness.click(edit["value"])
    (opened,) = await harness.slack.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "followup_edit_form"
    assert view["title"]["text"] == "Correct a conversation"
    assert _shown(view) == {
        "name": "Jane Do",
        "company": "Acme",
        "kind": "fair-good",
        "topics": "Kafka",
        "when": "2026-03-06 12:00",  # in the student's zone, as Slack gave it
        "event": "Spring Fair",
        "priority": "2",
        "greet": "",
    }
    values = {**_shown(view), "name": "Jane Doe", "event": ""}
    payload = view_submission_payload(user_id=STUDENT, view=view, values=values)
    response = await harness.post(interaction_body(payload))
    assert response.status == 200
    (saved,) = await harness.slack.wait_for("response_url:click")
    assert "Saved: Jane Doe at Acme, met" in texts(saved.args)
    assert "(Spring Fair)" not in texts(saved.args)  # emptied: cleared
    summaries = await harness.bot.service.open_follow_ups(Requester(harness.address()))
    assert {s.contact_name for s in summaries} == {"Jane Doe"}


async def test_the_edit_form_shows_its_problems_on_its_fields(harness: SlackHarness) -> None:
    await harness.command("/met", "Jane Doe, Acme, interview")
    answer = await harness.answer()
    (edit,) = [b for b in buttons(answer) if b["text"]["text"] == "Edit"]
    await harness.click(edit["value"])
    (opened,) = await harness.slack.wait_for("views.open")
    view = opened.args["view"]
    for values, field in (
        ({**_shown(view), "kind": "call"}, "kind"),
        ({**_shown(view), "name": "x" * 101}, "name"),
    ):
        payload = view_submission_payload(user_id=STUDENT, view=view, values=values)
        response = await harness.post(interaction_body(payload))
        assert json.loads(response.body)["response_action"] == "errors"
        assert field in json.loads(response.body)["errors"]
    # A stranger's submission of the same form finds nothing of theirs.
    stranger = view_submission_payload(user_id="U0MALLORY", view=view, values=_shown(view))
    refused = json.loads((await harness.post(interaction_body(stranger))).body)
    assert "You have no follow-up #1" in refused["errors"]["name"]
    (summary,) = await harness.bot.service.open_follow_ups(Requester(harness.address()))
    assert summary.contact_name == "Jane Doe"


async def test_a_code_from_discord_typed_in_slack_links_the_lists(harness: SlackHarness) -> None:
    from bot.commands import parse_command
    from bot.domain import Address

    on_discord = Requester(Address("discord", "G1", "5550001"), shares_zone=False)
    service = harness.bot.service
    await service.handle(on_discord, parse_command("/met Raj Patel, Globex, networking"))
    given = (await service.handle(on_discord, parse_command("/followups link"))).plain_text()
    code = given.removeprefix("Your link code: ")[:9]
    await harness.command("/met", "Jane Doe, Acme, interview")
    await harness.command("/followups", f"link {code}")
    answer = await harness.answer(count=2)
    assert answer["response_type"] == "ephemeral"
    assert "Linked: Discord and Slack now share one list" in texts(answer)
    assert "#1 is now #2" in texts(answer)
    # One list, seen from Slack and from Discord alike.
    from_slack = await service.open_follow_ups(Requester(harness.address()))
    assert from_slack == await service.open_follow_ups(on_discord)
    assert sorted((s.number, s.contact_name) for s in from_slack) == [
        (1, "Raj Patel"),
        (2, "Jane Doe"),
    ]
    await harness.command("/followups", "unlink")
    unlinked = await harness.answer(count=3)
    assert "stay with Discord" in texts(unlinked)
    assert await service.open_follow_ups(Requester(harness.address())) == []
