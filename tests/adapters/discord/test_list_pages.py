"""/followups on Discord: pages of four follow-ups, a row of buttons each and a row for
Previous and Next, which edit the list in place for the student who clicks."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytest.importorskip("discord")

from adapters.discord.testing import buttons_of, labels_of, text_of
from bot.commands import parse_command
from bot.services import Requester
from tests.adapters.discord.conftest import ALICE_ADDRESS, BOB, DiscordBot

LONG_NAME = "Maximiliana Alexandrovna Konstantinopoulou-Vanderberg Fitzgerald-Montgomery de la Cruz y Ortega"


def numbers(message: dict[str, Any]) -> list[int]:
    return [int(n) for n in re.findall(r"^#(\d+) ", text_of(message), flags=re.MULTILINE)]


async def record(bot: DiscordBot, count: int) -> None:
    for index in range(count):
        command = parse_command(f"/met {LONG_NAME} {index}, Company {index}, interview")
        await bot.service.handle(Requester(ALICE_ADDRESS), command)


async def test_a_page_has_buttons_for_every_follow_up_on_it(discord_bot: DiscordBot) -> None:
    await record(discord_bot, 30)
    first = await discord_bot.command("followups list")
    assert numbers(first) == [1, 2, 3, 4]
    assert len(first["components"]) == 5
    assert labels_of(first)[-1] == "Next"
    done = [b["custom_id"] for b in buttons_of(first) if b["custom_id"].startswith("fu:done")]
    assert len(done) == 4
    assert discord_bot.http.refused_as_invalid == []


async def test_next_edits_the_list_in_place(discord_bot: DiscordBot) -> None:
    await record(discord_bot, 10)
    first = await discord_bot.command("followups list")

    made = await discord_bot.click(first, "Next")

    (answer,) = made
    assert answer.callback_type == 7  # the list itself is edited
    second = {**first, **answer.json["data"]}  # the same message, edited
    assert numbers(second) == [5, 6, 7, 8]
    assert labels_of(second)[-2:] == ["Previous", "Next"]
    last = (await discord_bot.click(second, "Next"))[0].json["data"]
    assert numbers(last) == [9, 10]
    assert labels_of(last)[-1] == "Previous"
    assert discord_bot.http.refused_as_invalid == []


async def test_a_strangers_click_on_next_shows_their_own_list(discord_bot: DiscordBot) -> None:
    await record(discord_bot, 10)
    first = await discord_bot.command("followups list")
    (answer,) = await discord_bot.click(first, "Next", user=BOB)
    assert "Company" not in text_of(answer.json["data"])
    assert "Nothing pending" in text_of(answer.json["data"])


@pytest.mark.parametrize(
    ("show", "expected"),
    [("2", [5, 6, 7, 8]), ("interviews", [1, 2, 3, 4]), ('event:"Spring Fair"', [])],
)
async def test_list_takes_a_page_a_kind_or_an_event(
    discord_bot: DiscordBot, show: str, expected: list[int]
) -> None:
    await record(discord_bot, 10)
    message = await discord_bot.command("followups list", {"show": show})
    assert numbers(message) == expected


async def test_list_all_comes_in_as_many_messages_as_it_takes(discord_bot: DiscordBot) -> None:
    await record(discord_bot, 30)
    before = len(discord_bot.http.requests)
    await discord_bot.command("followups list", {"show": "all"})
    sent = [r.message for r in discord_bot.http.requests[before:] if r.message is not None]
    shown = [n for message in sent for n in numbers(message)]
    assert sorted(shown) == list(range(1, 31))
    done = [b for message in sent for b in buttons_of(message) if "fu:done" in b["custom_id"]]
    assert len(done) == 30
    assert discord_bot.http.refused_as_invalid == []
