"""/followups edit, delete, undo, export and forget-me through the real CommandTree, from
wire-format interactions to the HTTP requests (and files) that answer them."""

from __future__ import annotations

import csv
import io
import re

import icalendar
import pytest

pytest.importorskip("discord")

from adapters.discord.testing import EPHEMERAL, buttons_of, last_message, text_of
from bot.domain import Address
from bot.services import Requester
from tests.adapters.discord.conftest import ALICE, ALICE_ADDRESS, BOB, JANE, DiscordBot


async def test_edit_corrects_with_typed_options(discord_bot: DiscordBot) -> None:
    await discord_bot.command("met", JANE)
    message = await discord_bot.command(
        "followups edit", {"follow_up": "1", "name": "Jane Doe-Smith", "event": "Spring Fair"}
    )
    assert message["flags"] & EPHEMERAL
    assert "Saved: Jane Doe-Smith at Acme (Spring Fair)" in text_of(message)
    (summary,) = await discord_bot.service.open_follow_ups(Requester(ALICE_ADDRESS))
    assert summary.contact_name == "Jane Doe-Smith"


async def test_edit_with_nothing_to_change_or_a_bad_value_says_so(discord_bot: DiscordBot) -> None:
    await discord_bot.command("met", JANE)
    nothing = text_of(await discord_bot.command("followups edit", {"follow_up": "1"}))
    assert "Say what to change" in nothing
    bad = text_of(await discord_bot.command("followups edit", {"follow_up": "1", "priority": "9"}))
    assert "priority: is 1, 2 or 3" in bad
    (summary,) = await discord_bot.service.open_follow_ups(Requester(ALICE_ADDRESS))
    assert summary.contact_name == "Jane Doe"


async def test_delete_asks_and_its_button_deletes_only_for_the_owner(
    discord_bot: DiscordBot,
) -> None:
    await discord_bot.command("met", JANE)
    question = await discord_bot.command("followups delete", {"follow_up": "1"})
    assert "Delete your conversation with Jane Doe at Acme" in text_of(question)
    (button,) = buttons_of(question)
    assert button["label"] == "Delete it"
    assert button["custom_id"].startswith("fu:delete:")
    assert button["style"] == 4  # danger
    # Bob clicks Alice's button: it isn't his, and nothing goes.
    stranger = last_message(await discord_bot.click(question, "Delete it", user=BOB))
    assert "You have no follow-up #1" in text_of(stranger)
    assert len(await discord_bot.service.open_follow_ups(Requester(ALICE_ADDRESS))) == 1
    await discord_bot.click(question, "Delete it", user=ALICE)
    assert await discord_bot.service.open_follow_ups(Requester(ALICE_ADDRESS)) == []


async def test_undo_and_forget_me(discord_bot: DiscordBot) -> None:
    await discord_bot.command("met", JANE)
    undone = text_of(await discord_bot.command("followups undo"))
    assert "Undone: your /met about Jane Doe at Acme is deleted" in undone
    await discord_bot.command("met", JANE)
    asked = text_of(await discord_bot.command("followups forget-me"))
    assert "/followups forget-me confirm" in asked
    gone = text_of(await discord_bot.command("followups forget-me", {"confirm": True}))
    assert "I deleted everything I kept about you" in gone
    async with discord_bot.storage.session() as uow:
        assert await uow.people.get(ALICE_ADDRESS) is None


async def test_export_attaches_the_csv_and_the_calendar_to_the_private_answer(
    discord_bot: DiscordBot,
) -> None:
    await discord_bot.command("met", JANE)
    made = await discord_bot.send(discord_bot.make.command("followups export", user_id=ALICE))
    (answer,) = [r for r in made if r.files]
    assert answer.json["data"]["flags"] & EPHEMERAL
    names = sorted(answer.files)
    assert names == ["followups-2026-03-06.csv", "followups-2026-03-06.ics"]
    table = answer.files[names[0]].decode("utf-8-sig")
    (row,) = csv.DictReader(io.StringIO(table, newline=""))
    assert (row["contact"], row["company"], row["talked about"]) == ("Jane Doe", "Acme", "Kafka")
    calendar = icalendar.Calendar.from_ical(answer.files[names[1]])
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Follow up #1: Jane Doe, Acme (email)"
    attachments = answer.json["data"]["attachments"]
    assert sorted(a["filename"] for a in attachments) == names


def _form_of(made: list) -> dict:
    (opened,) = [r for r in made if r.callback_type == 9]
    data: dict = opened.json["data"]
    return data


def _defaults(modal: dict) -> dict[str, str]:
    """What each input of a form shows, by label (a select: its chosen option)."""
    shown = {}
    for component in modal["components"]:
        inner = component["component"]
        if inner["type"] == 3:
            chosen = [o["value"] for o in inner["options"] if o.get("default")]
            shown[component["label"]] = chosen[0] if chosen else ""
        else:
            shown[component["label"]] = inner.get("value") or ""
    return shown


async def test_the_edit_button_opens_the_met_form_filled_in_and_saves_the_correction(
    discord_bot: DiscordBot,
) -> None:
    message = await discord_bot.command(
        "met", {**JANE, "kind": "fair-good", "event": "Spring Fair", "priority": "2"}
    )
    made = await discord_bot.click(message, "Edit #1", guild_id=None)
    modal = _form_of(made)
    assert modal["title"] == "Correct a conversation"
    shown = _defaults(modal)
    assert shown == {
        "Name": "Jane Doe",
        "Company": "Acme",
        "Kind of conversation": "fair-good",
        "What you talked about": "Kafka",
        "When, event, priority, greet": '2026-03-06 15:00 event:"Spring Fair" priority:2',
    }
    # Clicked in a DM (no server): the button's server says whose follow-up it is.
    corrected = {**shown, "Name": "Jane Doe-Smith", "What you talked about": ""}
    answer = last_message(
        await discord_bot.send(
            discord_bot.make.submit(modal, corrected, user_id=ALICE, guild_id=None)
        )
    )
    assert "Saved: Jane Doe-Smith at Acme (Spring Fair)" in text_of(answer)
    (first, _) = await discord_bot.service.open_follow_ups(Requester(ALICE_ADDRESS))
    assert first.contact_name == "Jane Doe-Smith"


async def test_the_edit_form_refuses_a_new_kind_and_a_strangers_submission(
    discord_bot: DiscordBot,
) -> None:
    message = await discord_bot.command("met", JANE)
    modal = _form_of(await discord_bot.click(message, "Edit", guild_id=None))
    shown = _defaults(modal)
    kind = last_message(
        await discord_bot.send(
            discord_bot.make.submit(
                modal, {**shown, "Kind of conversation": "call"}, user_id=ALICE, guild_id=None
            )
        )
    )
    assert "The kind can't be changed here" in text_of(kind)
    # Bob's click on Alice's Edit button finds nothing of his.
    refused = last_message(await discord_bot.click(message, "Edit", user=BOB, guild_id=None))
    assert "You have no follow-up #1" in text_of(refused)
    (summary,) = await discord_bot.service.open_follow_ups(Requester(ALICE_ADDRESS))
    assert (summary.contact_name, summary.company) == ("Jane Doe", "Acme")


async def test_installed_on_a_students_own_account_met_works_anywhere_in_their_own_scope(
    discord_bot: DiscordBot,
) -> None:
    """Through the student's own install, in a server the bot isn't in: the conversation is
    theirs, in their own scope (with their DMs with the bot), not that server's."""
    elsewhere = 970000000000000009
    made = await discord_bot.send(
        discord_bot.make.command("met", JANE, user_id=ALICE, guild_id=elsewhere, user_install=True)
    )
    assert "Saved: Jane Doe at Acme" in text_of(last_message(made))
    own = Address("discord", "dm", str(ALICE))
    (summary,) = await discord_bot.service.open_follow_ups(Requester(own))
    assert summary.contact_name == "Jane Doe"
    assert await discord_bot.service.open_follow_ups(Requester(ALICE_ADDRESS)) == []
    # The same list from a DM with the bot.
    listing = await discord_bot.command("followups list", guild_id=None)
    assert "Jane Doe" in text_of(listing)


async def test_calendar_gives_a_private_link_and_reset_a_new_one(discord_bot: DiscordBot) -> None:
    from bot.calendar_feed import CalendarFeed
    from bot.testing import NEW_YORK

    link = re.compile(r"https://followups\.example\.org/calendar/([A-Za-z0-9_-]{43}\.ics)")
    await discord_bot.command("met", JANE)
    first = await discord_bot.command("followups calendar", {})
    assert first["flags"] & EPHEMERAL
    old = link.search(text_of(first))
    renewed = await discord_bot.command("followups calendar", {"reset": True})
    new = link.search(text_of(renewed))
    assert old is not None
    assert new is not None
    assert "the old one no longer works" in text_of(renewed)
    feed = CalendarFeed(discord_bot.storage, discord_bot.clock, NEW_YORK)
    assert await feed.calendar(old.group(1)) is None
    served = await feed.calendar(new.group(1))
    assert served is not None
    (event,) = icalendar.Calendar.from_ical(served).walk("VEVENT")
    assert "Jane Doe" in str(event["summary"])


async def test_a_code_from_slack_typed_in_discord_links_the_lists(
    discord_bot: DiscordBot,
) -> None:
    from bot.commands import parse_command

    on_slack = Requester(Address("slack", "T1", "U0ALICE"))
    service = discord_bot.service
    await service.handle(on_slack, parse_command("/met Jane Doe, Acme, interview"))
    given = (await service.handle(on_slack, parse_command("/followups link"))).plain_text()
    code = given.removeprefix("Your link code: ")[:9]
    wrong = await discord_bot.command("followups link", {"code": "ABCD-2345"})
    assert wrong["flags"] & EPHEMERAL
    assert "That code isn't right" in text_of(wrong)
    linked = await discord_bot.command("followups link", {"code": code})
    assert "Linked: Slack and Discord now share one list" in text_of(linked)
    (summary,) = await service.open_follow_ups(Requester(ALICE_ADDRESS))
    assert (summary.number, summary.contact_name) == (1, "Jane Doe")
    moved = await discord_bot.command("followups settings dm", {"platform": "discord"})
    assert "come on Discord from now on" in text_of(moved)
    person = await discord_bot.person()
    assert person.linked_to is None  # the Discord account holds the list now
    again = await discord_bot.command("followups link", {})
    assert "linked already" in text_of(again)
