"""Event cards on Discord: posted in the club's channel by REST, each reader's own time
(`<t:...>`), organizer text escaped and no mention allowed; Going private and the count edited
in place; Log who I met opens /met's form filled in; /club event alone opens a form."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("discord")

import discord  # after the skip: these tests need the [discord] extra

from adapters.discord.testing import CHANNEL_ID, GUILD_ID, buttons_of, last_message, text_of
from bot.domain import Address
from bot.services import Requester
from tests.adapters.discord.conftest import ALICE, BOB, DiscordBot

EVENTS = discord.Permissions.text() | discord.Permissions(manage_events=True)
CARD_PATH = rf"^/channels/{CHANNEL_ID}/messages"


async def set_up(bot: DiscordBot) -> None:
    await bot.command(
        "club setup", {"name": "Career Club", "tz": "America/Chicago"}, permissions=EVENTS
    )


async def post(bot: DiscordBot, **options: Any) -> dict[str, Any]:
    event = {"title": "Deloitte Night @everyone", "when": "thu 6pm-8pm", "kind": "networking"}
    with bot.http.installed():
        answer = await bot.command("club event", event | options, permissions=EVENTS)
    assert "Posted Deloitte Night" in text_of(answer)
    (card,) = [m for m in bot.http.created if m["channel_id"] == str(CHANNEL_ID)]
    return card


async def click(bot: DiscordBot, card: dict[str, Any], label: str) -> list[Any]:
    (button,) = [b for b in buttons_of(card) if b["label"] == label]
    with bot.http.installed():
        return await bot.send(
            bot.make.click(button["custom_id"], card, user_id=BOB, guild_id=GUILD_ID)
        )


async def test_a_card_shows_each_readers_time_and_pings_nobody(discord_bot: DiscordBot) -> None:
    await set_up(discord_bot)
    card = await post(discord_bot, companies="Acme, Globex")
    (embed,) = card["embeds"]
    assert embed["description"].startswith("<t:1773356400:F> – <t:1773363600:t>")
    # Escaped, and no message allows a mention besides.
    assert embed["title"] == "Deloitte Night \\@everyone"
    assert embed["fields"] == [{"name": "Companies", "value": "Acme, Globex", "inline": False}]
    assert embed["footer"]["text"] == "Nobody has said they're going yet."
    assert [b["label"] for b in buttons_of(card)] == ["Going", "Log who I met"]
    (posted,) = discord_bot.http.to("POST", CARD_PATH)
    assert posted.json["allowed_mentions"] == {"parse": []}


async def test_going_is_private_and_edits_the_count_in_place(discord_bot: DiscordBot) -> None:
    await set_up(discord_bot)
    card = await post(discord_bot)
    made = await click(discord_bot, card, "Going")
    answer = [r for r in made if r.callback_type == 4][-1].json["data"]
    assert answer["flags"] & 64
    assert "You're going to Deloitte Night" in text_of(answer)
    (edit,) = discord_bot.http.to("PATCH", CARD_PATH)
    assert edit.path.endswith(f"/{card['id']}")
    assert card["embeds"][0]["footer"]["text"] == "1 person is going."
    assert str(BOB) not in str(card)


async def test_log_who_i_met_opens_the_met_form_filled_in(discord_bot: DiscordBot) -> None:
    await set_up(discord_bot)
    card = await post(discord_bot)
    made = await click(discord_bot, card, "Log who I met")
    (modal,) = [r for r in made if r.callback_type == 9]
    shown = str(modal.json["data"])
    assert "Deloitte Night @everyone" in shown  # the form's own field: nothing renders there
    assert "networking" in shown


async def test_event_alone_opens_the_form_and_cancel_removes_the_buttons(
    discord_bot: DiscordBot,
) -> None:
    await set_up(discord_bot)
    made = await discord_bot.send(
        discord_bot.make.command("club event", {}, user_id=ALICE, permissions=EVENTS)
    )
    (modal,) = [r for r in made if r.callback_type == 9]
    assert modal.json["data"]["title"] == "Post an event"
    card = await post(discord_bot)
    event = int(buttons_of(card)[0]["custom_id"].rpartition(":")[2])
    with discord_bot.http.installed():
        answer = await discord_bot.command("club cancel", {"event": event}, permissions=EVENTS)
    assert "Cancelled Deloitte Night" in text_of(answer)
    assert card["components"] == []
    assert "(cancelled)" in card["embeds"][0]["title"]


async def test_a_channel_the_bot_cant_post_in_is_explained(discord_bot: DiscordBot) -> None:
    await set_up(discord_bot)
    discord_bot.http.error("POST", CARD_PATH, status=403, code=50013, message="Missing Permissions")
    event = {"title": "Mixer", "when": "fri 6pm", "kind": "networking"}
    with discord_bot.http.installed():
        answer = await discord_bot.command("club event", event, permissions=EVENTS)
    assert "I lack a permission there (Send Messages, Embed Links)" in text_of(answer)


async def test_after_the_event_a_dm_button_logs_as_the_members_server_identity(
    discord_bot: DiscordBot,
) -> None:
    await set_up(discord_bot)
    card = await post(discord_bot)
    await click(discord_bot, card, "Going")
    await discord_bot.nudges_after(hours=24 * 7)
    (dm,) = [m for m in discord_bot.http.created if m["channel_id"] == str(BOB + 1)]
    assert "How was Deloitte Night" in text_of(dm)
    (button,) = buttons_of(dm)
    assert button["custom_id"].endswith(f":{GUILD_ID}")  # a click in a DM comes without one
    made = await discord_bot.send(
        discord_bot.make.click(button["custom_id"], dm, user_id=BOB, guild_id=None)
    )
    (opened,) = [r for r in made if r.callback_type == 9]
    modal = opened.json["data"]
    assert "Deloitte Night" in str(modal)
    filled = {"Name": "Priya Raman", "Company": "Deloitte", "Kind of conversation": "networking"}
    filled["When, event, priority, greet"] = 'event:"Deloitte Night @everyone"'
    answer = last_message(
        await discord_bot.send(discord_bot.make.submit(modal, filled, user_id=BOB, guild_id=None))
    )
    assert "Saved: Priya Raman at Deloitte" in text_of(answer)
    member = Requester(Address("discord", str(GUILD_ID), str(BOB)))
    (follow_up, *_) = await discord_bot.service.open_follow_ups(member)
    assert follow_up.contact_name == "Priya Raman"
    # Sent from a DM, it is the club's: logged in its channel, so its rules and digest apply.
    async with discord_bot.storage.session() as uow:
        person = await uow.people.get(member.address)
        assert person is not None
        assert person.id is not None
        ((_, conversation),) = await uow.follow_ups.open(person.id)
    assert conversation.logged_in == str(CHANNEL_ID)


async def test_a_digest_is_posted_in_the_channel_and_pings_nobody(discord_bot: DiscordBot) -> None:
    await set_up(discord_bot)
    await post(discord_bot)
    await discord_bot.nudges_after(hours=24 * 9)
    (digest,) = [
        m
        for m in discord_bot.http.created
        if m["channel_id"] == str(CHANNEL_ID) and "followed up" in text_of(m)
    ]
    (embed,) = digest["embeds"]
    assert embed["title"] == "After Deloitte Night \\@everyone: how Career Club followed up"
    assert "Members who logged conversations: too few to report" in embed["description"]
    (request,) = [r for r in discord_bot.http.to("POST", CARD_PATH) if "followed up" in str(r.json)]
    assert request.json["allowed_mentions"] == {"parse": []}


async def test_my_priority_list_opens_the_fair_form_filled_in_then_answers_privately(
    discord_bot: DiscordBot,
) -> None:
    await set_up(discord_bot)
    fair = {"title": "Spring Fair @everyone", "when": "sat 10am-2pm", "kind": "fair"}
    with discord_bot.http.installed():
        await discord_bot.command(
            "club event", fair | {"companies": "Acme, Globex"}, permissions=EVENTS
        )
    (card,) = [m for m in discord_bot.http.created if m["channel_id"] == str(CHANNEL_ID)]
    assert [b["label"] for b in buttons_of(card)] == ["Going", "My priority list", "Log who I met"]
    made = await click(discord_bot, card, "My priority list")
    (opened,) = [r for r in made if r.callback_type == 9]
    modal = opened.json["data"]
    shown = {c["label"]: c["component"].get("value") or "" for c in modal["components"]}
    assert shown == {
        "Fair": "Spring Fair @everyone",
        "Companies, in order of interest": "Acme\nGlobex",
        "When is it?": "2026-03-07",
    }
    ordered = {**shown, "Companies, in order of interest": "Globex:1\nAcme:2"}
    with discord_bot.http.installed():
        saved = last_message(
            await discord_bot.send(
                discord_bot.make.submit(modal, ordered, user_id=BOB, guild_id=GUILD_ID)
            )
        )
    assert "Planned Spring Fair" in text_of(saved)
    again = await click(discord_bot, card, "My priority list")
    assert not [r for r in again if r.callback_type == 9]
    answer = last_message(again)
    assert answer["flags"] & 64
    assert "has all the fair's companies" in text_of(answer)
    assert "1\\. Globex (tier 1): not visited yet" in text_of(answer)  # escaped markdown
