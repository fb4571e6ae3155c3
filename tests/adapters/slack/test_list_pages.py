"""/followups on Slack: pages with Previous and Next that replace the list in place, for the
student who clicks, within Block Kit's limits however long the names."""

from __future__ import annotations

import re
from typing import Any

from bot.commands import parse_command
from tests.adapters.slack.conftest import STUDENT, SlackHarness
from tests.adapters.slack.test_commands import buttons, requester, texts

LONG_NAME = "Maximiliana Alexandrovna Konstantinopoulou-Vanderberg Fitzgerald-Montgomery de la Cruz y Ortega"


def numbers(message: dict[str, Any]) -> list[int]:
    return [int(n) for n in re.findall(r"^#(\d+) ", texts(message), flags=re.MULTILINE)]


async def record(harness: SlackHarness, count: int, user: str = STUDENT) -> None:
    for index in range(count):
        command = parse_command(f"/met {LONG_NAME} {index}, Company {index}, interview")
        await harness.bot.service.handle(requester(harness, user), command)


async def test_next_and_previous_replace_the_list_in_place(harness: SlackHarness) -> None:
    await record(harness, 25)
    await harness.command("/followups", "", reply_to="list")
    first = await harness.answer("list")
    assert numbers(first) == list(range(1, 11))
    (next_page,) = [b for b in buttons(first) if b["text"]["text"] == "Next"]

    await harness.click(next_page["value"], reply_to="next")
    second = await harness.answer("next")

    assert second["replace_original"] is True
    assert numbers(second) == list(range(11, 21))
    assert "Page 2 of 3 (25 follow-ups)" in texts(second)
    labels = [b["text"]["text"] for b in buttons(second)]
    assert labels[-2:] == ["Previous", "Next"]
    assert "Done #11" in labels
    assert "Done #20" in labels
    assert harness.slack.refused_as_invalid == []


async def test_a_click_on_someone_elses_next_shows_the_clickers_own_list(
    harness: SlackHarness,
) -> None:
    await record(harness, 12)
    await record(harness, 1, user="U0OTHER")
    await harness.command("/followups", "", reply_to="list")
    (next_page,) = [b for b in buttons(await harness.answer("list")) if b["text"]["text"] == "Next"]

    await harness.click(next_page["value"], user="U0OTHER", reply_to="theirs")
    theirs = await harness.answer("theirs")

    assert numbers(theirs) == [1]
    assert "Company 11" not in texts(theirs)


async def test_list_all_of_two_hundred_comes_in_messages_slack_takes(
    harness: SlackHarness,
) -> None:
    await record(harness, 200)
    await harness.command("/followups", "list all", reply_to="all")
    shown: list[int] = []
    done: list[str] = []
    messages = 0
    while len(done) < 200:  # the messages arrive one after another; a missing one times out
        messages += 1
        call = (await harness.slack.wait_for("response_url:all", messages))[messages - 1]
        shown += numbers(call.args)
        done += [b["value"] for b in buttons(call.args) if b["value"].startswith("done|")]
    assert messages > 1
    assert sorted(shown) == list(range(1, 201))
    assert sorted(int(value.split("|")[2]) for value in done) == list(range(1, 201))
    assert harness.slack.refused_as_invalid == []
