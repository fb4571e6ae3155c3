"""A moment's DM about more follow-ups than get buttons: the rest in a select menu (a message
of its own when the buttons take all five rows), and a pick answered ephemerally with that
follow-up's own buttons, through discord.py's real dispatch of persistent items."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("discord")

from adapters.discord.testing import (
    EPHEMERAL,
    GUILD_ID,
    RecordedRequest,
    buttons_of,
    labels_of,
    menus_of,
    text_of,
)
from bot.domain import FollowUpStatus
from bot.services import Requester
from tests.adapters.discord.conftest import ALICE_ADDRESS, BOB, DiscordBot


async def moment(bot: DiscordBot, count: int = 12) -> list[dict[str, Any]]:
    """`count` interviews recorded at once, a day later: the moment's DM, as its messages."""
    for n in range(1, count + 1):
        await bot.command("met", {"name": f"Person {n}", "company": "Acme", "kind": "interview"})
    report, made = await bot.nudges_after(24)
    assert report.sent == count
    return [r.created for r in made if r.created is not None]


async def status_of(bot: DiscordBot, number: int) -> FollowUpStatus:
    async with bot.storage.session() as uow:
        person = await uow.people.get(ALICE_ADDRESS)
        assert person is not None
        assert person.id is not None
        found = await uow.follow_ups.by_number(person.id, number)
    assert found is not None
    return found[0].status


def answer_of(made: list[RecordedRequest]) -> dict[str, Any]:
    """What a pick is answered with: the message picked from, as it was (its menu back at its
    placeholder, ready for the next pick), then a new ephemeral message."""
    reset, answer = made
    assert reset.callback_type == 7
    assert reset.json["data"]["allowed_mentions"] == {"parse": []}
    data: dict[str, Any] = answer.json
    assert data["flags"] & EPHEMERAL
    return data


async def test_a_moment_of_twelve_has_five_with_buttons_and_a_menu_of_seven(
    discord_bot: DiscordBot,
) -> None:
    first, second = await moment(discord_bot)
    assert len(first["components"]) == 5  # a row of buttons for each of #1 to #5
    assert {b["custom_id"].split(":")[4] for b in buttons_of(first)} == {"1", "2", "3", "4", "5"}
    assert menus_of(first) == []
    assert "pick any other from the menu" in text_of(first)
    # The menu takes a row of its own: on the next message, which says what it is for.
    assert "The other follow-ups: pick one for its buttons" in text_of(second)
    (menu,) = menus_of(second)
    assert menu["placeholder"] == "7 more follow-ups: pick one"
    assert [o["label"] for o in menu["options"]] == [f"#{n} Person {n}, Acme" for n in range(6, 13)]
    assert {o["description"] for o in menu["options"]} == {"email, 24 h left"}
    assert menu["options"][0]["value"].startswith(f"fu:show:{GUILD_ID}:")


async def test_a_pick_shows_its_buttons_and_one_of_them_changes_it(
    discord_bot: DiscordBot,
) -> None:
    _, second = await moment(discord_bot)
    (menu,) = menus_of(second)
    seventh = menu["options"][1]["value"]

    picked = await discord_bot.pick(second, seventh)
    shown = answer_of(picked)
    (reset,) = menus_of(picked[0].json["data"])  # the menu, as it was sent
    assert (reset["custom_id"], reset["placeholder"]) == (menu["custom_id"], menu["placeholder"])
    assert [o["value"] for o in reset["options"]] == [o["value"] for o in menu["options"]]
    assert "#7 Time to follow up: email to Person 7 at Acme" in text_of(shown)
    assert labels_of(shown) == ["Draft", "Done", "Snooze 2h", "Tomorrow morning", "Skip"]

    # Done, under the answer: the follow-up changes in storage.
    made = await discord_bot.click(picked[1].created or {}, "Done")
    assert "Done: #7, Person 7 at Acme by email." in text_of(made[0].json["data"])
    assert await status_of(discord_bot, 7) is FollowUpStatus.DONE
    assert await status_of(discord_bot, 6) is FollowUpStatus.PENDING

    # The same pick again: it says so, without buttons, and changes nothing.
    again = answer_of(await discord_bot.pick(second, seventh))
    assert "#7 (Person 7 at Acme) is already done: nothing to do." in text_of(again)
    assert labels_of(again) == []


async def test_a_click_on_a_button_keeps_the_menu(discord_bot: DiscordBot) -> None:
    first, second = await moment(discord_bot, count=9)
    # Nine: the five rows of buttons, then a menu of four, on the next message; a Done on
    # the first keeps its other buttons, and a DM of buttons and a menu keeps its menu.
    (menu,) = menus_of(second)
    assert len(menu["options"]) == 4
    made = await discord_bot.click(first, "Done #1")
    edited = made[0].json["data"]
    assert len(edited["components"]) == 4
    mixed = {**second, "components": [*first["components"][1:2], *second["components"]]}
    made = await discord_bot.click(mixed, "Done #2")
    edited = made[0].json["data"]
    assert [c["components"][0]["type"] for c in edited["components"]] == [3]
    assert edited["components"][0]["components"][0]["options"] == menu["options"]


async def test_someone_elses_pick_reads_as_missing(discord_bot: DiscordBot) -> None:
    _, second = await moment(discord_bot)
    (menu,) = menus_of(second)
    for guild in (None, GUILD_ID):
        made = await discord_bot.pick(second, menu["options"][0]["value"], user=BOB, guild_id=guild)
        answer = answer_of(made)
        assert "You have no follow-up #6" in text_of(answer)
        assert labels_of(answer) == []
    assert len(await discord_bot.service.open_follow_ups(Requester(ALICE_ADDRESS))) == 12


async def test_a_forged_pick_is_refused(discord_bot: DiscordBot) -> None:
    _, second = await moment(discord_bot)
    (menu,) = menus_of(second)
    forged = menu["options"][0]["value"].replace("fu:show:", "fu:done:")
    answer = answer_of(await discord_bot.pick(second, forged))
    assert "That menu is out of date" in text_of(answer)
    assert await status_of(discord_bot, 6) is FollowUpStatus.PENDING
