"""Slack's Home tab: published when the student opens it (app_home_opened), their follow-ups in
the list's sections with buttons and pages, and their settings; published again after every
change they make in Slack, and after a click on the tab itself."""

from __future__ import annotations

from typing import Any

from adapters.slack.limits import MAX_HOME_BLOCKS
from adapters.slack.testing import (
    event_body,
    home_actions_payload,
    home_opened_event,
    interaction_body,
)
from bot.commands import parse_command
from tests.adapters.slack.conftest import STUDENT, SlackHarness, settle
from tests.adapters.slack.test_commands import requester

LONG_NAME = "Maximiliana Alexandrovna Konstantinopoulou-Vanderberg Fitzgerald-Montgomery de la Cruz y Ortega"


def home_text(view: dict[str, Any]) -> str:
    return "\n".join(
        block["text"]["text"] for block in view["blocks"] if block["type"] == "section"
    )


def home_buttons(view: dict[str, Any]) -> dict[str, str]:
    """The Home tab's buttons: label → value."""
    return {
        e["text"]["text"]: e["value"]
        for block in view["blocks"]
        if block["type"] == "actions"
        for e in block["elements"]
    }


async def record(harness: SlackHarness, count: int, *, name: str = "Person") -> None:
    for index in range(1, count + 1):
        command = parse_command(f"/met {name} {index}, Company {index}, interview")
        await harness.bot.service.handle(requester(harness), command)


async def last_home(harness: SlackHarness) -> dict[str, Any]:
    """The Home tab as the last views.publish left it, once every listener has finished."""
    await settle()
    return dict(harness.slack.calls_to("views.publish")[-1].args["view"])


async def open_home(harness: SlackHarness, user: str = STUDENT) -> dict[str, Any]:
    await harness.post(event_body(home_opened_event(user)))
    return await last_home(harness)


async def click_home(harness: SlackHarness, view: dict[str, Any], label: str) -> dict[str, Any]:
    payload = home_actions_payload(user_id=STUDENT, value=home_buttons(view)[label], view=view)
    await harness.post(interaction_body(payload))
    return await last_home(harness)


async def test_opening_the_home_tab_shows_the_list_and_the_settings(
    harness: SlackHarness,
) -> None:
    await record(harness, 2)
    view = await open_home(harness)

    assert view["type"] == "home"
    assert harness.slack.calls_to("views.publish")[-1].args["user_id"] == STUDENT
    text = home_text(view)
    assert "*Due soon (2)*\n#1 Person 1, Company 1: email" in text
    assert "*Your settings*\nTime zone: America/Los_Angeles" in text
    assert {"Done #1", "Snooze 2h #1", "Done #2", "Snooze 2h #2"} <= set(home_buttons(view))
    assert harness.slack.home_of(STUDENT) == view


async def test_the_messages_tab_publishes_nothing(harness: SlackHarness) -> None:
    await harness.post(event_body(home_opened_event(STUDENT, tab="messages")))
    await settle()
    assert harness.slack.calls_to("views.publish") == []


async def test_done_on_the_home_tab_shows_on_the_tab(harness: SlackHarness) -> None:
    await record(harness, 2)
    view = await open_home(harness)

    after = await click_home(harness, view, "Done #1")

    text = home_text(after)
    assert text.startswith("Done: #1, Person 1 at Company 1 by email.")
    assert "#1 Person 1" not in text
    assert "Done #1" not in home_buttons(after)
    (left,) = await harness.bot.service.open_follow_ups(requester(harness))
    assert left.number == 2


async def test_next_on_the_home_tab_shows_the_next_page_there(harness: SlackHarness) -> None:
    await record(harness, 25, name=LONG_NAME)
    view = await open_home(harness)
    assert "Page 1 of 3" in home_text(view)

    second = await click_home(harness, view, "Next")

    assert "Page 2 of 3" in home_text(second)
    assert f"#11 {LONG_NAME} 11" in home_text(second)
    assert second["private_metadata"] == "2"
    # Done on page 2 keeps the student on page 2.
    third = await click_home(harness, second, "Done #12")
    assert "Page 2 of 3" in home_text(third)
    assert harness.slack.refused_as_invalid == []


async def test_a_change_made_by_command_refreshes_the_home_tab(harness: SlackHarness) -> None:
    await record(harness, 1)
    await open_home(harness)

    await harness.command("/followups", "settings quiet off", reply_to="quiet")
    await harness.answer("quiet")
    assert "Quiet hours: off" in home_text(await last_home(harness))
    await harness.command("/followups", "done 1", reply_to="done")
    await harness.answer("done")
    assert "Nothing pending" in home_text(await last_home(harness))
    # Looking changes nothing: no publish after a list.
    published = len(harness.slack.calls_to("views.publish"))
    await harness.command("/followups", "list", reply_to="list")
    await harness.answer("list")
    await settle()
    assert len(harness.slack.calls_to("views.publish")) == published


async def test_a_change_made_elsewhere_refreshes_the_home_tab_too(harness: SlackHarness) -> None:
    # Through the core, not through Slack: as a linked Discord account or the console would.
    await record(harness, 2)
    await harness.bot.service.handle(requester(harness), parse_command("/followups done 2"))
    view = harness.slack.home_of(STUDENT)
    assert view is not None
    assert "#1 Person 1" in home_text(view)
    assert "#2 Person 2" not in home_text(view)


async def test_forget_me_leaves_nothing_on_the_home_tab(harness: SlackHarness) -> None:
    await record(harness, 1)
    await open_home(harness)
    await harness.command("/followups", "forget-me confirm", reply_to="forget")
    await harness.answer("forget")
    view = await last_home(harness)
    assert "Person 1" not in home_text(view)
    assert "I keep nothing about you" in home_text(view)


async def test_two_hundred_follow_ups_fit_the_home_tab_a_page_at_a_time(
    harness: SlackHarness,
) -> None:
    await record(harness, 200, name=LONG_NAME)
    view = await open_home(harness)
    assert len(view["blocks"]) <= MAX_HOME_BLOCKS
    assert harness.slack.refused_as_invalid == []
    assert "Page 1 of 20 (200 follow-ups)" in home_text(view)
