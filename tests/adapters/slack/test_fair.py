"""/fair on Slack: signed requests dispatched into the app, the fake Web API answering."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.response import BoltResponse

from adapters.slack.testing import interaction_body, view_submission_payload
from tests.adapters.slack.conftest import STUDENT, SlackHarness

PLAN = '"Spring Career Fair" Acme:1, Globex:1, Initech:2, Hooli when:tomorrow'


def texts(message: dict[str, Any]) -> str:
    return "\n".join(
        block["text"]["text"] for block in message["blocks"] if block["type"] == "section"
    )


async def test_fair_plan_answers_with_the_list_as_block_kit(harness: SlackHarness) -> None:
    response = await harness.command("/fair", f"plan {PLAN}")
    assert response.status == 200
    assert response.body == ""  # acked at once
    answer = await harness.answer()
    assert answer["response_type"] == "ephemeral"
    text = texts(answer)
    assert "Planned Spring Career Fair: 4 companies in order of interest." in text
    assert "*Spring Career Fair, " in text  # the list's title, bold
    assert "1. Acme (tier 1): not visited yet" in text
    assert "4. Hooli (tier 2): not visited yet" in text
    assert "when in doubt, follow up" in text


async def test_a_met_at_the_fair_says_which_entry_it_matched(harness: SlackHarness) -> None:
    await harness.command("/fair", 'plan "Spring Career Fair" Acme:1, Globex when:today')
    await harness.answer()
    await harness.command("/met", "Jane Doe, acme inc., career fair, their data team")
    text = texts(await harness.answer(count=2))
    assert "On your Spring Career Fair list: Acme (“acme inc.” matched), tier 1" in text
    await harness.command("/fair", "")
    shown = texts(await harness.answer(count=3))
    assert "1. Acme (tier 1): Jane Doe, career fair chat: #1 email by" in shown
    assert "1 of 2 priority companies visited, 0 followed up." in shown


async def test_what_slack_users_type_is_escaped(harness: SlackHarness) -> None:
    await harness.command("/fair", 'plan "<!channel> Fair" <@U999>, Acme & Co')
    text = texts(await harness.answer())
    assert "<!channel>" not in text
    assert "<@U999>" not in text
    assert "&lt;!channel&gt; Fair" in text
    assert "Acme &amp; Co" in text


async def test_a_bad_list_is_answered_and_nothing_is_saved(harness: SlackHarness) -> None:
    await harness.command("/fair", "plan Acme:9")
    answer = await harness.answer()
    assert "a tier is 1 to 3" in texts(answer)
    await harness.command("/fair", "list")
    assert "You have no fair list yet" in texts(await harness.answer(count=2))


async def fair_form(harness: SlackHarness, typed: str = "") -> dict[str, Any]:
    await harness.command("/fair", typed)
    (call,) = await harness.slack.wait_for("views.open")
    return call.args["view"]


async def submit(
    harness: SlackHarness, view: dict[str, Any], values: dict[str, str]
) -> BoltResponse:
    payload = view_submission_payload(user_id=STUDENT, view=view, values=values)
    return await harness.post(interaction_body(payload))


async def test_fair_alone_with_no_list_opens_the_form_with_a_multiline_companies_field(
    harness: SlackHarness,
) -> None:
    view = await fair_form(harness)
    assert view["callback_id"] == "followup_fair_form"
    blocks = {block["block_id"]: block for block in view["blocks"]}
    assert list(blocks) == ["name", "companies", "when"]
    assert blocks["companies"]["element"]["multiline"] is True
    assert not blocks["companies"]["optional"]
    assert "when in doubt, follow up" in blocks["companies"]["hint"]["text"]
    metadata = json.loads(view["private_metadata"])
    assert metadata == {"channel": "C0CLUB", "response_url": harness.slack.response_url()}


async def test_the_forms_submission_plans_the_list_and_answers_where_fair_was_typed(
    harness: SlackHarness,
) -> None:
    view = await fair_form(harness, "plan")
    response = await submit(
        harness,
        view,
        {
            "name": "Spring Career Fair",
            "companies": "1. Acme:1\n2. Globex\n3. Initech:2",
            "when": "friday",
        },
    )
    assert response.status == 200
    assert response.body == ""
    answer = await harness.answer()
    assert answer["response_type"] == "ephemeral"
    text = texts(answer)
    assert "Planned Spring Career Fair: 3 companies" in text
    assert "2. Globex (tier 1)" in text
    assert "3. Initech (tier 2)" in text


async def test_the_forms_problems_show_on_their_fields(harness: SlackHarness) -> None:
    view = await fair_form(harness, "plan")
    response = await submit(harness, view, {"companies": "Acme:7", "when": "friday"})
    errors = json.loads(response.body)["errors"]
    assert list(errors) == ["companies"]
    assert "a tier is 1 to 3" in errors["companies"]
    response = await submit(harness, view, {"companies": "Acme", "when": "someday"})
    errors = json.loads(response.body)["errors"]
    assert list(errors) == ["when"]
    assert "couldn't read “someday” as a day" in errors["when"]
    await harness.command("/fair", "list")
    assert "You have no fair list yet" in texts(await harness.answer())


async def test_a_list_of_fifty_long_names_is_shown_whole(harness: SlackHarness) -> None:
    names = [f"Company {n:02d} " + "x" * 88 for n in range(50)]
    await harness.command("/fair", 'plan "Big Fair" ' + ", ".join(names))
    pages = [await harness.answer()]
    for n in (2, 3):
        await harness.command("/fair", f'show "Big Fair" page:{n}')
        pages.append(await harness.answer(count=n))
    assert "Page 1 of 3" in texts(pages[0])
    assert all(len(page["blocks"]) <= 50 for page in pages)
    shown = "\n".join(texts(page) for page in pages)
    assert all(name in shown for name in names)
