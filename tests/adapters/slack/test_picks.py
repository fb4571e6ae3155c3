"""A moment's DM about more follow-ups than get buttons: the rest in a select menu, and a pick
answered ephemerally with that follow-up's own buttons, for the picker's follow-ups only."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from adapters.slack.blocks import decode_action
from adapters.slack.testing import Call
from bot.domain import FollowUpStatus
from bot.services import Requester
from tests.adapters.slack.conftest import OTHER, SlackHarness
from tests.adapters.slack.test_buttons import as_slack_returns, button_value, labels, section_texts

# Twelve people met at one event: their nudges fall due together, as one DM.
PEOPLE = [f"Person {n}" for n in range(1, 13)]


async def moment(harness: SlackHarness) -> Call:
    for name in PEOPLE:
        await harness.command("/met", f"{name}, Acme, interview, Kafka", reply_to="met")
    await harness.answer("met", len(PEOPLE))
    harness.clock.advance(timedelta(hours=24))
    await harness.dispatch_nudges()
    (dm,) = await harness.slack.wait_for("chat.postMessage")
    return dm


def selects(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        element
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element["type"] == "static_select"
    ]


async def status_of(harness: SlackHarness, number: int) -> FollowUpStatus:
    async with harness.bot.storage.session() as uow:
        person = await uow.people.get(harness.address())
        assert person is not None
        assert person.id is not None
        found = await uow.follow_ups.by_number(person.id, number)
    assert found is not None
    return found[0].status


async def test_a_moment_of_twelve_has_five_with_buttons_and_a_select_of_seven(
    harness: SlackHarness,
) -> None:
    dm = await moment(harness)
    blocks = dm.args["blocks"]
    assert {decode_action(v).number for v in _button_values(blocks)} == {1, 2, 3, 4, 5}  # type: ignore[union-attr]
    (menu,) = selects(blocks)
    assert menu["placeholder"]["text"] == "7 more follow-ups: pick one"
    texts = [o["text"]["text"] for o in menu["options"]]
    # (/met is answered after its ack: twelve typed at once are numbered as they are handled.)
    assert [t.split(" ", 1)[0] for t in texts] == [f"#{n}" for n in range(6, 13)]
    assert all(re.fullmatch(r"#\d+ Person \d+, Acme", t) for t in texts)
    assert [o["description"]["text"] for o in menu["options"]] == ["email, 24 h left"] * 7
    assert "pick any other from the menu" in section_texts(blocks)


async def test_a_pick_shows_its_buttons_and_one_of_them_changes_it(harness: SlackHarness) -> None:
    dm = await moment(harness)
    message = as_slack_returns(dm)
    (menu,) = selects(dm.args["blocks"])
    seventh = menu["options"][1]  # #7
    name = seventh["text"]["text"].removeprefix("#7 ").removesuffix(", Acme")

    await harness.pick(message, seventh)
    shown = await harness.answer("pick")
    assert shown["response_type"] == "ephemeral"  # beside the DM, which keeps its menu
    assert shown["replace_original"] is False
    assert f"#7 Time to follow up: email to {name} at Acme" in section_texts(shown["blocks"])
    assert labels(shown["blocks"]) == ["Draft", "Done", "Snooze 2h", "Tomorrow morning", "Skip"]
    assert harness.slack.calls_to("chat.update") == []

    # Done, on the ephemeral answer: the follow-up changes in storage.
    await harness.click(button_value(shown["blocks"], "Done"), reply_to="done")
    done = await harness.answer("done")
    assert f"Done: #7, {name} at Acme by email." in section_texts(done["blocks"])
    assert await status_of(harness, 7) is FollowUpStatus.DONE
    assert await status_of(harness, 6) is FollowUpStatus.PENDING

    # The same pick again (the DM still lists it): it says so, and nothing changes.
    await harness.pick(message, seventh, reply_to="again")
    again = await harness.answer("again")
    assert f"#7 ({name} at Acme) is already done: nothing to do." in section_texts(again["blocks"])
    assert labels(again["blocks"]) == []


async def test_someone_elses_pick_reads_as_missing(harness: SlackHarness) -> None:
    dm = await moment(harness)
    (menu,) = selects(dm.args["blocks"])
    await harness.pick(as_slack_returns(dm), menu["options"][0], user=OTHER)
    answer = await harness.answer("pick")
    assert answer["response_type"] == "ephemeral"
    assert "You have no follow-up #6" in section_texts(answer["blocks"])
    assert labels(answer["blocks"]) == []
    assert len(await harness.bot.service.open_follow_ups(Requester(harness.address()))) == 12


async def test_a_forged_pick_is_refused(harness: SlackHarness) -> None:
    dm = await moment(harness)
    forged = {"text": {"type": "plain_text", "text": "#6"}, "value": "show|x|6|"}
    await harness.pick(as_slack_returns(dm), forged)
    answer = await harness.answer("pick")
    assert "That button is out of date" in section_texts(answer["blocks"])
    assert len(await harness.bot.service.open_follow_ups(Requester(harness.address()))) == 12


def _button_values(blocks: list[dict[str, Any]]) -> list[str]:
    return [
        e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"] if "value" in e
    ]
