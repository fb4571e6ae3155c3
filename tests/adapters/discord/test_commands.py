"""Slash commands through the real CommandTree, from wire-format interactions to the HTTP
requests that answer them."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("discord")

from adapters.discord.context import SORRY
from adapters.discord.testing import (
    EPHEMERAL,
    GUILD_ID,
    RecordedRequest,
    buttons_of,
    labels_of,
    last_message,
    text_of,
)
from bot.commands import parse_command
from bot.domain import Address
from bot.services import Requester
from tests.adapters.discord.conftest import ALICE, ALICE_ADDRESS, BOB, JANE, DiscordBot


def modal_of(bot: DiscordBot) -> dict[str, Any]:
    callback = bot.http.callbacks()[-1]
    assert callback.callback_type == 9, "no form was opened"
    data: dict[str, Any] = callback.json["data"]
    return data


def inputs_of(modal: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["label"]: c["component"] for c in modal["components"]}


async def fill_in_met_form(bot: DiscordBot, fields: dict[str, str]) -> list[RecordedRequest]:
    """Alice runs a bare /met and submits its form with `fields`; the requests that answer."""
    await bot.send(bot.make.command("met", user_id=ALICE))
    return await bot.send(bot.make.submit(modal_of(bot), fields, user_id=ALICE))


async def test_met_with_options_saves_and_answers_with_the_plan_and_buttons(
    discord_bot: DiscordBot,
) -> None:
    message = await discord_bot.command("met", JANE)

    assert message["flags"] & EPHEMERAL
    text = text_of(message)
    assert "Saved: Jane Doe at Acme, interview" in text
    assert "#1 Email to Jane Doe" in text
    assert "naming the topics you discussed: Kafka" in text
    assert labels_of(message) == ["Draft", "Done", "Snooze 2h", "Edit"]
    summaries = await discord_bot.service.open_follow_ups(Requester(ALICE_ADDRESS))
    (summary,) = summaries
    assert [b["custom_id"] for b in buttons_of(message)] == [
        f"fu:draft:{GUILD_ID}:{summary.follow_up_id}:1",
        f"fu:done:{GUILD_ID}:{summary.follow_up_id}:1",
        f"fu:snooze:{GUILD_ID}:{summary.follow_up_id}:1:2h",
        f"fu:edit:{GUILD_ID}:{summary.follow_up_id}:1",
    ]


async def test_met_problems_are_listed_by_option_with_the_cores_words(
    discord_bot: DiscordBot,
) -> None:
    message = await discord_bot.command(
        "met", {"name": "Jane Doe", "kind": "interview", "when": "someday maybe"}
    )

    assert message["flags"] & EPHEMERAL
    (embed,) = message["embeds"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert set(fields) == {"company", "when"}
    # The same words Slack's text gets for the same mistakes.
    expected = await discord_bot.service.handle(
        Requester(Address("discord", "other", "1")),
        parse_command('/met Jane Doe, , interview when:"someday maybe"'),
    )
    assert fields["company"] == expected.field_errors["company"]
    assert labels_of(message) == ["Fix it in the form"]
    assert await discord_bot.service.open_follow_ups(Requester(ALICE_ADDRESS)) == []


async def test_fix_it_in_the_form_reopens_the_form_with_what_was_given(
    discord_bot: DiscordBot,
) -> None:
    message = await discord_bot.command("met", {"name": "Jane Doe", "kind": "interview"})
    (button,) = buttons_of(message)
    await discord_bot.send(
        discord_bot.make.click(button["custom_id"], message, user_id=ALICE, guild_id=GUILD_ID)
    )

    inputs = inputs_of(modal_of(discord_bot))
    assert inputs["Name"]["value"] == "Jane Doe"
    assert [o["value"] for o in inputs["Kind of conversation"]["options"] if o.get("default")] == [
        "interview"
    ]


async def test_bare_met_opens_the_form_with_every_field(discord_bot: DiscordBot) -> None:
    await discord_bot.send(discord_bot.make.command("met", user_id=ALICE))

    modal = modal_of(discord_bot)
    inputs = inputs_of(modal)
    assert list(inputs) == [
        "Name",
        "Company",
        "Kind of conversation",
        "What you talked about",
        "When, event, priority, greet",
    ]
    kinds = [o["value"] for o in inputs["Kind of conversation"]["options"]]
    assert kinds == list(discord_bot.service.rulebook.kinds)


async def test_the_form_records_a_conversation_with_when_event_and_priority(
    discord_bot: DiscordBot,
) -> None:
    made = await fill_in_met_form(
        discord_bot,
        {
            "Name": "Raj Patel",
            "Company": "Hooli",
            "Kind of conversation": "fair",
            "What you talked about": "robotics internships",
            "When, event, priority, greet": 'yesterday 4pm event:"Spring Career Fair" priority:1',
        },
    )

    message = last_message(made)
    assert message["flags"] & EPHEMERAL
    assert (
        "Saved: Raj Patel at Hooli, career fair chat at Spring Career Fair, priority 1, "
        "Thu 5 Mar 16:00 EST" in text_of(message)
    )
    assert "Done" in labels_of(message)


async def test_the_form_takes_a_panel_one_per_line_and_a_greeting_each(
    discord_bot: DiscordBot,
) -> None:
    made = await fill_in_met_form(
        discord_bot,
        {
            "Name": "Priya Raman\nTom O'Brien\n",
            "Company": "Stripe",
            "Kind of conversation": "interview",
            "What you talked about": "the payments API migration",
            "When, event, priority, greet": 'yesterday 4pm greet:"Dr. Raman; Tom"',
        },
    )
    text = text_of(last_message(made))
    assert "Saved: Priya Raman and Tom O'Brien at Stripe" in text
    assert "#1 Email to Priya Raman" in text
    assert "#2 Email to Tom O'Brien" in text
    draft = text_of(await discord_bot.command("followups draft", {"follow_up": "1"}))
    assert "Dr. Raman," in draft
    assert "Tom O'Brien" not in draft.split("Before you send")[0]


async def test_form_problems_point_at_the_forms_fields(discord_bot: DiscordBot) -> None:
    made = await fill_in_met_form(
        discord_bot,
        {
            "Name": "Raj",
            "Company": "",
            "Kind of conversation": "fair",
            "When, event, priority, greet": "priority:7",
        },
    )

    (embed,) = last_message(made)["embeds"]
    names = [f["name"] for f in embed["fields"]]
    assert names == ["Company", "When, event, priority, greet"]


async def test_an_unreadable_last_form_line_is_that_fields_problem(
    discord_bot: DiscordBot,
) -> None:
    made = await fill_in_met_form(
        discord_bot,
        {
            "Name": "Raj",
            "Company": "Hooli",
            "Kind of conversation": "fair",
            "When, event, priority, greet": 'event:"Spring',
        },
    )

    (embed,) = last_message(made)["embeds"]
    (field,) = embed["fields"]
    assert field["name"] == "When, event, priority, greet"
    assert "never closed" in field["value"]


async def test_notes_typed_in_the_last_form_line_are_sent_to_their_box(
    discord_bot: DiscordBot,
) -> None:
    made = await fill_in_met_form(
        discord_bot,
        {
            "Name": "Raj",
            "Company": "Hooli",
            "Kind of conversation": "fair",
            "When, event, priority, greet": 'event:"Spring Fair" notes: liked her',
        },
    )
    (embed,) = last_message(made)["embeds"]
    (field,) = embed["fields"]
    assert field["name"] == "When, event, priority, greet"
    assert "notes: has a box of its own in this form" in field["value"]


async def test_followups_list_done_snooze_and_skip(discord_bot: DiscordBot) -> None:
    await discord_bot.command("met", JANE)
    await discord_bot.command(
        "met", {"name": "Sam Lee", "company": "Initech", "kind": "networking"}
    )

    listing = text_of(await discord_bot.command("followups list"))
    assert "#1 Jane Doe, Acme: email" in listing
    assert "#2 Sam Lee, Initech" in listing

    snoozed = text_of(
        await discord_bot.command("followups snooze", {"follow_up": "1", "duration": "2h"})
    )
    assert snoozed.startswith("Snoozed #1 (Jane Doe at Acme)")

    question = await discord_bot.command("followups skip", {"follow_up": "#1"})
    assert "without exception" in text_of(question)
    assert labels_of(question) == ["Skip anyway", "Snooze 2h"]

    # A name typed instead of picked works when it matches one of the student's follow-ups.
    done = text_of(await discord_bot.command("followups done", {"follow_up": "sam lee"}))
    assert done.startswith("Done: #2, Sam Lee at Initech")

    bad = await discord_bot.command("followups done", {"follow_up": "Nobody"})
    assert "isn't a follow-up number" in text_of(bad)


async def test_autocomplete_offers_only_the_invokers_follow_ups(discord_bot: DiscordBot) -> None:
    await discord_bot.command("met", JANE)
    await discord_bot.command("met", {"name": "Ana Ruiz", "company": "Globex", "kind": "fair-good"})
    await discord_bot.command(
        "met", {"name": "Bob's Contact", "company": "Initech", "kind": "call"}, user=BOB
    )

    alice = await discord_bot.complete("followups done", {"follow_up": ""}, "follow_up")
    assert [c["value"] for c in alice] == ["1", "2", "3"]
    assert all("Bob's Contact" not in c["name"] for c in alice)
    assert alice[0]["name"].startswith("#1 Jane Doe, Acme: email, ")

    narrowed = await discord_bot.complete(
        "followups snooze", {"follow_up": "linked"}, "follow_up", user=ALICE
    )
    assert [c["value"] for c in narrowed] == ["3"]

    bob = await discord_bot.complete("followups skip", {"follow_up": ""}, "follow_up", user=BOB)
    assert [c["name"].split(",")[0] for c in bob] == ["#1 Bob's Contact"]

    # In a DM with the bot, the student is a separate identity ("dm"): nothing of the server's.
    made = await discord_bot.send(
        discord_bot.make.command(
            "followups done", {"follow_up": ""}, user_id=ALICE, guild_id=None, focused="follow_up"
        )
    )
    (answer,) = made
    assert answer.json["data"]["choices"] == []


async def test_time_zone_autocomplete_finds_cities(discord_bot: DiscordBot) -> None:
    berlin = await discord_bot.complete("followups settings tz", {"zone": "berlin"}, "zone")
    assert berlin[0]["value"] == "Europe/Berlin"
    new_york = await discord_bot.complete("followups settings tz", {"zone": "new york"}, "zone")
    assert new_york[0]["value"] == "America/New_York"
    empty = await discord_bot.complete("followups settings tz", {"zone": ""}, "zone")
    assert 0 < len(empty) <= 25


async def test_the_first_reply_says_how_to_set_a_time_zone_once(discord_bot: DiscordBot) -> None:
    first = text_of(await discord_bot.command("followups list"))
    assert "Discord doesn't tell bots your time zone" in first
    assert "/followups settings tz" in first
    second = text_of(await discord_bot.command("followups list"))
    assert "time zone" not in second

    saved = text_of(
        await discord_bot.command("followups settings tz", {"zone": "Europe/Berlin"}, user=BOB)
    )
    assert "Time zone set to Europe/Berlin." in saved
    assert "Discord doesn't tell bots" not in saved  # Bob has one now: no hint


async def test_a_server_default_time_zone_for_its_members(discord_bot: DiscordBot) -> None:
    shown = text_of(await discord_bot.command("server-tz"))
    assert "This server has no default time zone" in shown

    bad = text_of(await discord_bot.command("server-tz", {"zone": "Mars/Olympus"}))
    assert "isn't a time zone I know" in bad

    text_of(await discord_bot.command("server-tz", {"zone": "europe/berlin"}))
    assert await server_zone(discord_bot) == "Europe/Berlin"

    first = text_of(await discord_bot.command("followups settings show", user=BOB))
    assert "Time zone: Europe/Berlin" in first
    assert "this server's time zone" in first

    await discord_bot.command("server-tz", {"zone": "off"})
    assert await server_zone(discord_bot) is None


async def server_zone(bot: DiscordBot) -> str | None:
    """The default zone the core keeps on the server's record."""
    async with bot.storage.session() as uow:
        server = await uow.workspaces.get("discord", str(GUILD_ID))
    return server.default_timezone if server is not None else None


async def test_help_adds_how_it_works_on_discord(discord_bot: DiscordBot) -> None:
    met_help = text_of(await discord_bot.command("followups help", {"topic": "met"}))
    assert "Record a conversation" in met_help
    assert "/met with no options opens a form" in met_help


async def test_closed_dms_are_explained_with_discords_settings(discord_bot: DiscordBot) -> None:
    await discord_bot.command("met", JANE)
    async with discord_bot.storage.session() as uow:
        person = await uow.people.get(ALICE_ADDRESS)
        assert person is not None
        person.undeliverable = "DMs closed"
        await uow.people.update(person)

    text = text_of(await discord_bot.command("followups list"))
    assert "Your DMs are closed" in text
    assert "Privacy Settings" in text
    assert "How to open your DMs" not in text_of(await discord_bot.command("followups list"))


async def test_a_slow_command_is_deferred_then_answered(discord_bot: DiscordBot) -> None:
    discord_bot.app.responder.defer_after = 0.0
    made = await discord_bot.send(discord_bot.make.command("met", JANE, user_id=ALICE))

    assert made[0].callback_type == 5  # "thinking…", ephemeral
    assert made[0].json["data"]["flags"] & EPHEMERAL
    assert made[-1].method == "PATCH"
    assert made[-1].path.endswith("/messages/@original")
    assert "Saved: Jane Doe at Acme" in text_of(made[-1].json)


async def test_a_failure_is_answered_with_an_apology(
    discord_bot: DiscordBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("database went away")

    monkeypatch.setattr(discord_bot.service, "handle", broken)
    message = await discord_bot.command("followups list")
    assert text_of(message) == SORRY
    assert message["flags"] & EPHEMERAL


async def test_draft_and_check_are_subcommands(discord_bot: DiscordBot) -> None:
    await discord_bot.command("met", JANE)
    draft = text_of(await discord_bot.command("followups draft", {"follow_up": "1"}))
    assert "Subject:" in draft
    assert "Jane" in draft
    stranger = text_of(await discord_bot.command("followups draft", {"follow_up": "1"}, user=BOB))
    assert "You have no follow-up #1" in stranger
    check = text_of(await discord_bot.command("followups check", {"text": "i loved the the talk"}))
    assert "Repeated word" in check


async def test_edit_sets_the_greeting_of_a_draft(discord_bot: DiscordBot) -> None:
    await discord_bot.command("met", JANE)
    changed = text_of(
        await discord_bot.command("followups edit", {"follow_up": "1", "greet": "Dr. Doe"})
    )
    assert "now greet them with “Dr. Doe”" in changed
    assert "Dr. Doe," in text_of(await discord_bot.command("followups draft", {"follow_up": "1"}))
    await discord_bot.command("followups edit", {"follow_up": "1", "greet": "off"})
    assert "Dr. Doe" not in text_of(
        await discord_bot.command("followups draft", {"follow_up": "1"})
    )
