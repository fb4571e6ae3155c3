"""DM nudges and their buttons, clicked through discord.py's real view dispatch: by the owner,
by a stranger, and after a restart."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("discord")

import discord

from adapters.discord.app import DiscordApp
from adapters.discord.render import NO_MENTIONS
from adapters.discord.runtime import intents
from adapters.discord.testing import (
    EPHEMERAL,
    GUILD_ID,
    FakeDiscordHTTP,
    buttons_of,
    deliver,
    labels_of,
    last_message,
    logged_in,
    text_of,
)
from bot.domain import FollowUpStatus
from bot.services import Requester
from tests.adapters.discord.conftest import ALICE, ALICE_ADDRESS, BOB, JANE, DiscordBot


async def nudge_dm(bot: DiscordBot, options: dict[str, Any] = JANE) -> dict[str, Any]:
    """Record a conversation as Alice, then let a day pass: the DM Discord holds."""
    await bot.command("met", options)
    report, made = await bot.nudges_after(24)
    assert report.sent >= 1
    return last_message(made)


async def statuses(bot: DiscordBot) -> list[FollowUpStatus]:
    async with bot.storage.session() as uow:
        person = await uow.people.get(ALICE_ADDRESS)
        assert person is not None
        assert person.id is not None
        found = [await uow.follow_ups.by_number(person.id, n) for n in (1, 2)]
    return [f.status for f, _ in (x for x in found if x is not None)]


async def test_the_dm_nudge_has_persistent_buttons_for_its_follow_up(
    discord_bot: DiscordBot,
) -> None:
    dm = await nudge_dm(discord_bot)

    assert dm["content"].startswith("#1 Time to follow up: email to Jane Doe at Acme")
    assert "You talked about: Kafka." in text_of(dm)
    assert labels_of(dm) == ["Draft", "Done", "Snooze 2h", "Tomorrow morning", "Skip"]
    (summary,) = await discord_bot.service.open_follow_ups(Requester(ALICE_ADDRESS))
    assert buttons_of(dm)[1]["custom_id"] == f"fu:done:{GUILD_ID}:{summary.follow_up_id}:1"


async def test_the_owner_clicks_done_and_the_dm_shows_it(discord_bot: DiscordBot) -> None:
    dm = await nudge_dm(discord_bot)

    made = await discord_bot.click(dm, "Done")  # in the DM: Discord sends no server id

    (answer,) = made
    assert answer.callback_type == 7  # the DM itself is edited
    edited = answer.json["data"]
    assert edited["allowed_mentions"] == {"parse": []}
    assert edited["components"] == []  # its only follow-up is done: no buttons left
    text = text_of(edited)
    assert "You talked about: Kafka." in text  # the nudge is kept
    assert "Done: #1, Jane Doe at Acme by email." in text  # and the outcome added
    assert await statuses(discord_bot) == [FollowUpStatus.DONE]


async def test_a_click_after_closed_dms_explains_discords_settings(
    discord_bot: DiscordBot,
) -> None:
    dm = await nudge_dm(discord_bot)
    async with discord_bot.storage.session() as uow:
        person = await uow.people.get(ALICE_ADDRESS)
        assert person is not None
        person.undeliverable = "DMs closed"
        await uow.people.update(person)

    (answer,) = await discord_bot.click(dm, "Done")

    text = text_of(answer.json["data"])
    assert "Your DMs are closed" in text
    assert "Privacy Settings" in text  # Discord's own help, beside the core's notice
    assert "Done: #1, Jane Doe at Acme by email." in text


async def test_a_strangers_click_finds_nothing_and_changes_nothing(discord_bot: DiscordBot) -> None:
    dm = await nudge_dm(discord_bot)

    made = await discord_bot.click(dm, "Done", user=BOB)

    (answer,) = made
    assert answer.callback_type == 4  # a new, ephemeral message; the DM is untouched
    assert answer.json["data"]["flags"] & EPHEMERAL
    assert "You have no follow-up #1" in text_of(answer.json["data"])
    assert await statuses(discord_bot) == [FollowUpStatus.PENDING]
    # Nor can Bob reach it from his own server identity.
    made = await discord_bot.click(dm, "Skip", user=BOB, guild_id=GUILD_ID)
    assert "You have no follow-up #1" in text_of(made[0].json["data"])
    assert await statuses(discord_bot) == [FollowUpStatus.PENDING]


async def test_snooze_keeps_the_buttons_for_later(discord_bot: DiscordBot) -> None:
    dm = await nudge_dm(discord_bot)

    (answer,) = await discord_bot.click(dm, "Tomorrow morning")

    edited = answer.json["data"]
    assert "Snoozed #1 (Jane Doe at Acme) until Sun 8 Mar 09:00 EDT." in text_of(edited)
    assert labels_of(edited) == ["Draft", "Done", "Snooze 2h", "Tomorrow morning", "Skip"]


async def test_skipping_an_interview_asks_first(discord_bot: DiscordBot) -> None:
    dm = await nudge_dm(discord_bot)

    (question,) = await discord_bot.click(dm, "Skip")

    assert question.callback_type == 4
    assert question.json["data"]["flags"] & EPHEMERAL
    assert labels_of(question.json["data"]) == ["Skip anyway", "Snooze 2h"]
    assert await statuses(discord_bot) == [FollowUpStatus.PENDING]

    (answer,) = await discord_bot.click(question.created or {}, "Skip anyway")
    assert answer.callback_type == 7
    assert "Skipped #1 (Jane Doe at Acme)." in text_of(answer.json["data"])
    assert await statuses(discord_bot) == [FollowUpStatus.SKIPPED]


async def test_one_follow_ups_buttons_go_the_others_stay(discord_bot: DiscordBot) -> None:
    dm = await nudge_dm(discord_bot, {"name": "Ana Ruiz", "company": "Globex", "kind": "fair-good"})
    assert labels_of(dm)[:3] == ["Draft #1", "Done #1", "Snooze 2h #1"]

    (answer,) = await discord_bot.click(dm, "Done #1")

    assert labels_of(answer.json["data"]) == [
        "Draft #2",
        "Done #2",
        "Snooze 2h #2",
        "Tomorrow morning #2",
        "Skip #2",
    ]
    assert await statuses(discord_bot) == [FollowUpStatus.DONE, FollowUpStatus.PENDING]


async def test_buttons_under_the_met_reply_work_too(discord_bot: DiscordBot) -> None:
    reply = await discord_bot.command("met", JANE)

    (answer,) = await discord_bot.click(reply, "Done", guild_id=GUILD_ID)

    assert answer.callback_type == 7
    assert "Done: #1, Jane Doe at Acme" in text_of(answer.json["data"])


async def test_a_button_whose_argument_its_command_refuses_says_why(
    discord_bot: DiscordBot,
) -> None:
    dm = await nudge_dm(discord_bot)
    (done,) = [b for b in buttons_of(dm) if b["label"] == "Done"]
    # discord.py answers only a button the message holds: the message carries the odd id.
    done["custom_id"] += ":fax"
    (answer,) = await discord_bot.send(discord_bot.make.click(done["custom_id"], dm, user_id=ALICE))
    assert answer.callback_type == 4  # a new, ephemeral message; the DM is untouched
    assert "“fax” isn't a way to follow up" in text_of(answer.json["data"])
    assert await statuses(discord_bot) == [FollowUpStatus.PENDING]


async def test_buttons_keep_working_after_a_restart(discord_bot: DiscordBot) -> None:
    dm = await nudge_dm(discord_bot)
    await discord_bot.client.close()

    # A new process: a new client and adapter on the same database, nothing carried over.
    client = discord.Client(intents=intents(), allowed_mentions=NO_MENTIONS)
    DiscordApp(client, discord_bot.service)
    fake = FakeDiscordHTTP()
    await logged_in(client, fake)
    try:
        (button,) = [b for b in buttons_of(dm) if b["label"] == "Done"]
        await deliver(client, discord_bot.make.click(button["custom_id"], dm, user_id=ALICE))
    finally:
        await client.close()

    (answer,) = fake.callbacks()
    assert answer.callback_type == 7
    assert await statuses(discord_bot) == [FollowUpStatus.DONE]


async def test_done_under_a_full_message_is_measured_again_and_the_rest_follows(
    discord_bot: DiscordBot,
) -> None:
    # A message already near Discord's 6,000 characters across its embeds: the outcome added
    # to it would pass them (6,268 before), so it comes as a message of its own.
    dm = await nudge_dm(discord_bot)
    used = sum(len(e.get("title") or "") + len(e.get("description") or "") for e in dm["embeds"])
    filler = {"description": "x" * ((5990 - used) // 4), "color": 0}
    full = {**dm, "embeds": [*dm["embeds"], *[filler] * 4]}

    made = await discord_bot.click(full, "Done")

    assert discord_bot.http.refused_as_invalid == []
    edit, *more = made
    assert edit.callback_type == 7
    kept = [e.get("description") for e in edit.json["data"]["embeds"]]
    assert kept == [e.get("description") for e in full["embeds"]]  # all kept, none clipped
    assert edit.json["data"]["components"] == []
    assert more
    assert "Done: #1, Jane Doe at Acme by email." in text_of(more[-1].json)
    assert more[-1].json["flags"] & EPHEMERAL
    assert await statuses(discord_bot) == [FollowUpStatus.DONE]
