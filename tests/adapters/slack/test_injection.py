"""Nothing a student types reaches Slack as markup: canary mentions and links, through every
path (replies, errors, the form's errors, the list, DMs, DMs updated in place), arrive escaped."""

from __future__ import annotations

from datetime import timedelta

from adapters.slack.testing import interaction_body, view_submission_payload
from tests.adapters.slack.conftest import STUDENT, SlackHarness

CANARIES = (
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U0VICTIM>",
    "<#C0GENERAL>",
    "<https://evil.example/login|Slack login>",
    "<!subteam^S0ADMINS>",
)
NAME = "Jane <!channel> Doe"
COMPANY = "Acme <https://evil.example/login|Slack login> & Sons"
TOPICS = "<@U0VICTIM> and <#C0GENERAL> <!here> <!everyone> <!subteam^S0ADMINS>"


async def test_every_message_that_reached_slack_is_escaped(harness: SlackHarness) -> None:
    slack = harness.slack
    slack.users[STUDENT] = {"tz": "America/Los_Angeles", "real_name": "<!channel> Student"}

    async def command(name: str, text: str, reply_to: str) -> None:
        await harness.command(name, text, reply_to=reply_to)
        await harness.answer(reply_to)

    # Replies, and errors quoting what was typed.
    await command("/met", f'{NAME}, {COMPANY}, interview, {TOPICS} event:"<!here> Fair"', "met")
    await command("/met", f"{NAME}, {COMPANY}, <!here>", "bad-kind")
    await command("/met", f'{NAME}, {COMPANY}, interview when:"<!channel> oclock"', "bad-when")
    await command("/followups", "", "list")
    await command("/followups", "<!channel>", "bad-sub")
    await command("/followups", "done <@U0VICTIM>", "bad-number")
    await command("/followups", "settings name <!here> <@U0VICTIM>", "name")
    await command("/followups", "settings tz <#C0GENERAL>", "bad-tz")

    # The form: its field errors, then a saved conversation.
    await harness.command("/met", "", reply_to="form")
    (opened,) = await slack.wait_for("views.open")
    view = opened.args["view"]
    failed = view_submission_payload(
        user_id=STUDENT,
        view=view,
        values={"name": NAME, "company": "", "kind": "", "when": "<!channel> o'clock"},
    )
    response = await harness.post(interaction_body(failed))
    assert "<!channel>" not in response.body
    assert "&lt;!channel&gt;" in response.body
    saved = view_submission_payload(
        user_id=STUDENT,
        view=view,
        values={"name": NAME, "company": COMPANY, "kind": "fair-good", "topics": TOPICS},
    )
    await harness.post(interaction_body(saved))
    await harness.answer("form")

    # A DM, and the DM updated in place by a click.
    harness.clock.advance(timedelta(hours=24))
    await harness.dispatch_nudges()
    dms = await slack.wait_for("chat.postMessage")
    dm = dms[0]
    done = next(
        e["value"]
        for b in dm.args["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["text"]["text"].startswith("Done")
    )
    message = {"ts": "1700000000.000099", "text": dm.args["text"], "blocks": dm.args["blocks"]}
    await harness.click(done, message=message, channel=f"D{STUDENT}")
    await slack.wait_for("chat.update")

    received = list(slack.strings())
    for canary in CANARIES:
        leaked = [s for s in received if canary in s]
        assert not leaked, f"{canary} reached Slack unescaped: {leaked[:1]}"
    # Not one "<" from anyone's text: every one that reached Slack was an entity.
    assert not [s for s in received if "<" in s]
    everything = "\n".join(received)
    for escaped in ("&lt;!channel&gt;", "&lt;@U0VICTIM&gt;", "&lt;#C0GENERAL&gt;", "&amp; Sons"):
        assert escaped in everything
    # Every kind of message was checked.
    methods = {call.method for call in slack.calls}
    assert {"chat.postMessage", "chat.update", "views.open"} <= methods
    assert len([m for m in methods if m.startswith("response_url:")]) == 9
