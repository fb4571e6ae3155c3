"""Event cards on Slack: posted in the club's channel by chat.postMessage, each reader's own time
(Slack's date token), organizer text escaped; Going private, the count updated in place; Log
who I met opens /met's form filled in; /club event alone opens a form."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from adapters.slack.testing import (
    block_actions_payload,
    interaction_body,
    slack_error,
    view_submission_payload,
)
from adapters.slack.testing.payloads import TEAM
from bot.domain import Address
from tests.adapters.slack.conftest import STUDENT, SlackHarness

MEMBER = "U0MEMBER"
CHANNEL = "C0CLUB"
EVENT = (
    '"Deloitte Night <!channel> @here" when:"thu 6pm-8pm" kind:networking companies:"Acme, Globex"'
)


def said(message: dict[str, Any]) -> str:
    return "\n".join(
        block["text"]["text"] for block in message["blocks"] if block["type"] == "section"
    )


def card_text(message: dict[str, Any]) -> str:
    parts = []
    for block in message["blocks"]:
        if block["type"] == "section":
            parts.append(block["text"]["text"])
        elif block["type"] == "context":
            parts.extend(e["text"] for e in block["elements"])
    return "\n".join(parts)


async def setup_club(harness: SlackHarness) -> None:
    await harness.command("/club", "setup Career Club tz:America/Chicago", reply_to="setup")
    await harness.answer("setup")


async def post_event(harness: SlackHarness) -> dict[str, Any]:
    await harness.command("/club", f"event {EVENT}", reply_to="event")
    await harness.answer("event")
    (call,) = harness.slack.calls_to("chat.postMessage")
    assert call.args["channel"] == CHANNEL
    (posted,) = harness.slack.messages[CHANNEL]
    return posted


async def click(harness: SlackHarness, posted: dict[str, Any], label: str, reply_to: str) -> None:
    (button,) = [
        e
        for b in posted["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["text"]["text"] == label
    ]
    payload = block_actions_payload(
        user_id=MEMBER,
        value=button["value"],
        response_url=harness.slack.response_url(reply_to),
        message=posted,
        channel_id=CHANNEL,
        action_id=button["action_id"],
    )
    await harness.post(interaction_body(payload))


async def test_an_event_card_shows_each_readers_time_and_escapes_the_title(
    harness: SlackHarness,
) -> None:
    await setup_club(harness)
    posted = await post_event(harness)
    shown = card_text(posted)
    # Thu 12 Mar 18:00 CDT is 23:00 UTC: the token shows it in each reader's zone.
    assert "<!date^1773356400^{date_short_pretty} {time}|Thu 12 Mar 18:00 CDT>" in shown
    assert "<!date^1773363600^{time}|20:00>" in shown
    assert "*Deloitte Night &lt;!channel&gt; @here*" in shown
    assert "<!channel>" not in str(posted)
    assert "Companies: Acme, Globex" in shown
    assert "Nobody has said they're going yet." in shown
    (call,) = harness.slack.calls_to("chat.postMessage")
    assert call.args["link_names"] in (False, "false", "0", 0)


async def test_going_is_private_and_updates_the_count_in_place(harness: SlackHarness) -> None:
    await setup_club(harness)
    posted = await post_event(harness)
    await click(harness, posted, "Going", "going")
    answer = await harness.answer("going")
    assert answer["response_type"] == "ephemeral"
    assert "You're going to Deloitte Night" in said(answer)
    (update,) = await harness.slack.wait_for("chat.update")
    assert (update.args["channel"], update.args["ts"]) == (CHANNEL, posted["ts"])
    (card,) = harness.slack.messages[CHANNEL]
    assert "1 person is going." in card_text(card)
    assert MEMBER not in str(card)  # never who


async def test_log_who_i_met_opens_the_met_form_filled_in(harness: SlackHarness) -> None:
    await setup_club(harness)
    posted = await post_event(harness)
    await click(harness, posted, "Log who I met", "log")
    (opened,) = await harness.slack.wait_for("views.open")
    blocks = {b["block_id"]: b["element"] for b in opened.args["view"]["blocks"]}
    assert blocks["event"]["initial_value"] == "Deloitte Night <!channel> @here"
    assert blocks["kind"]["initial_option"]["value"] == "networking"


async def test_event_alone_opens_a_form_whose_submission_posts_the_card(
    harness: SlackHarness,
) -> None:
    await setup_club(harness)
    await harness.command("/club", "event", reply_to="form")
    (opened,) = await harness.slack.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "followup_event_form"
    bad = view_submission_payload(
        user_id=STUDENT,
        view=view,
        values={"title": "Mixer", "when": "yesterday", "kind": "networking"},
    )
    refused = await harness.post(interaction_body(bad))
    assert "when" in refused.body
    assert "isn't a time I can read" in refused.body
    assert harness.slack.calls_to("chat.postMessage") == []
    good = view_submission_payload(
        user_id=STUDENT,
        view=view,
        values={"title": "Mixer", "when": "fri 6pm", "kind": "networking"},
    )
    await harness.post(interaction_body(good))
    (call,) = await harness.slack.wait_for("chat.postMessage")
    assert call.args["channel"] == CHANNEL


async def test_a_channel_the_bot_isnt_in_is_explained_and_retried_on_the_next_change(
    harness: SlackHarness,
) -> None:
    await setup_club(harness)
    harness.slack.script("chat.postMessage", slack_error("not_in_channel"))
    await harness.command("/club", f"event {EVENT}", reply_to="event")
    answer = await harness.answer("event")
    assert "I'm not a member of the channel: /invite me there" in said(answer)
    await harness.command("/club", 'edit 1 title:"Deloitte Night"', reply_to="edit")
    await harness.answer("edit")
    (posted,) = harness.slack.messages[CHANNEL]
    assert "*Deloitte Night*" in card_text(posted)


async def test_after_the_event_a_dm_carries_log_who_i_met_which_opens_the_form(
    harness: SlackHarness,
) -> None:
    await setup_club(harness)
    posted = await post_event(harness)
    await click(harness, posted, "Going", "going")
    await harness.answer("going")
    harness.clock.advance(timedelta(days=7))
    await harness.dispatch_nudges()
    (dm,) = harness.slack.messages[f"D{MEMBER}"]
    assert "How was Deloitte Night &lt;!channel&gt; @here? Log who you met" in dm["text"] + str(
        dm["blocks"]
    )
    (button,) = [e for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"] == "club-log"
    payload = block_actions_payload(
        user_id=MEMBER,
        value=button["value"],
        response_url=harness.slack.response_url("dm"),
        message=dm,
        channel_id=f"D{MEMBER}",
        action_id=button["action_id"],
    )
    await harness.post(interaction_body(payload))
    (opened,) = await harness.slack.wait_for("views.open")
    view = opened.args["view"]
    blocks = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert blocks["event"]["initial_value"] == "Deloitte Night <!channel> @here"
    # What the form records is the club's: logged in its channel, though sent from a DM.
    submitted = view_submission_payload(
        user_id=MEMBER,
        view=view,
        values={
            "name": "Priya Raman",
            "company": "Deloitte",
            "kind": "networking",
            "topics": "audit careers and her move to London",
            "event": "Deloitte Night <!channel> @here",
        },
    )
    await harness.post(interaction_body(submitted))
    async with harness.bot.storage.session() as uow:
        person = await uow.people.get(Address("slack", TEAM, MEMBER))
        assert person is not None
        assert person.id is not None
        ((_, conversation),) = await uow.follow_ups.open(person.id)
    assert conversation.logged_in == CHANNEL
    assert conversation.event == "Deloitte Night <!channel> @here"


async def test_a_digest_is_posted_in_the_channel_escaped(harness: SlackHarness) -> None:
    await setup_club(harness)
    await harness.command("/club", 'setup "Career <!here> Club"', reply_to="rename")
    await harness.answer("rename")
    await post_event(harness)
    harness.clock.advance(timedelta(days=9))
    await harness.dispatch_nudges()
    (digest,) = [m for m in harness.slack.messages[CHANNEL] if "followed up" in m["text"]]
    shown = card_text(digest)
    assert shown.startswith(
        "*After Deloitte Night &lt;!channel&gt; @here: how Career &lt;!here&gt; Club followed up*"
    )
    assert "Members who logged conversations: too few to report" in shown
    assert "<!here>" not in str(digest)
    assert "<!channel>" not in str(digest)


async def test_my_priority_list_opens_the_fair_form_filled_in_then_answers_privately(
    harness: SlackHarness,
) -> None:
    await setup_club(harness)
    fair = '"Spring Fair <!here>" when:"sat 10am-2pm" kind:"career fair" companies:"Acme, Globex"'
    await harness.command("/club", f"event {fair}", reply_to="event")
    await harness.answer("event")
    (posted,) = harness.slack.messages[CHANNEL]
    (row,) = [b for b in posted["blocks"] if b["type"] == "actions"]
    assert [e["text"]["text"] for e in row["elements"]] == [
        "Going",
        "My priority list",
        "Log who I met",
    ]
    await click(harness, posted, "My priority list", "fair")
    (opened,) = await harness.slack.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "followup_fair_form"
    blocks = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert blocks["name"]["initial_value"] == "Spring Fair <!here>"
    assert blocks["companies"]["initial_value"] == "Acme\nGlobex"
    assert blocks["when"]["initial_value"] == "2026-03-07"
    assert harness.slack.messages[CHANNEL] == [posted]  # nothing in the channel
    submitted = view_submission_payload(
        user_id=MEMBER,
        view=view,
        values={
            "name": "Spring Fair <!here>",
            "companies": "Globex:1\nAcme:2",
            "when": "2026-03-07",
        },
    )
    await harness.post(interaction_body(submitted))
    await click(harness, posted, "My priority list", "shown")
    answer = await harness.answer("shown")
    assert answer["response_type"] == "ephemeral"
    shown = said(answer)
    assert "has all the fair's companies" in shown
    assert "1. Globex (tier 1)" in shown
    assert "<!here>" not in str(answer)
    assert len(harness.slack.calls_to("views.open")) == 1
