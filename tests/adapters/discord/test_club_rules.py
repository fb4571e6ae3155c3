"""/club rules and /club templates on Discord: anyone sees what the club uses; an organizer
attaches a TOML file, fetched from Discord's CDN and checked like FOLLOWUP_RULEBOOK (an error
names the file, the key and the problem, and nothing changes); the answer fits a message."""

from __future__ import annotations

import pytest

pytest.importorskip("discord")

import discord  # after the skip: these tests need the [discord] extra

from adapters.discord.testing import ATTACHMENT_PATH, CHANNEL_ID, GUILD_ID, last_message, text_of
from bot.club_rules import PASTE_LIMIT
from tests.adapters.discord.conftest import ALICE, BOB, DiscordBot
from tests.club_rulebooks import ALUMNI_DINNER as DINNER
from tests.club_rulebooks import BUNDLED

EVENTS = discord.Permissions.text() | discord.Permissions(manage_events=True)


async def stored(discord_bot: DiscordBot) -> dict[str, str]:
    async with discord_bot.storage.session() as uow:
        club = await uow.clubs.get("discord", str(GUILD_ID), str(CHANNEL_ID))
        assert club is not None
        assert club.id is not None
        return {what: r.toml for what, r in (await uow.clubs.rules(club.id)).items()}


async def test_an_organizer_attaches_the_clubs_rulebook_and_anyone_sees_it(
    discord_bot: DiscordBot,
) -> None:
    await discord_bot.command("club setup", {"name": "Career Club"}, permissions=EVENTS)
    discord_bot.http.attachments[f"{ATTACHMENT_PATH}club-rules.toml"] = BUNDLED + DINNER
    answer = await discord_bot.command(
        "club rules",
        {"change": "set"},
        attachments={"file": ("club-rules.toml", len(BUNDLED + DINNER))},
        permissions=EVENTS,
    )
    assert answer["flags"] & 64
    assert "Career Club now uses its own rulebook" in text_of(answer)
    assert "alumni-dinner" in (await stored(discord_bot))["rulebook"]
    shown = text_of(await discord_bot.command("club rules", user=BOB))
    assert "Career Club uses its own rulebook, set by " in shown
    assert "alumni dinner (alumni-dinner): email ideally within 24 hours" in shown
    # Every answer went out within Discord's limits (the fake refuses what Discord refuses).
    assert discord_bot.http.refused_as_invalid == []


async def test_a_bad_file_names_itself_the_key_and_the_problem_and_changes_nothing(
    discord_bot: DiscordBot,
) -> None:
    await discord_bot.command("club setup", {"name": "Career Club"}, permissions=EVENTS)
    bad = BUNDLED.replace("version = 1", "version = 3", 1)
    discord_bot.http.attachments[f"{ATTACHMENT_PATH}our-rules.toml"] = bad
    answer = text_of(
        await discord_bot.command(
            "club rules",
            {"change": "set"},
            attachments={"file": ("our-rules.toml", len(bad))},
            permissions=EVENTS,
        )
    )
    assert "That rulebook can't be used, so nothing changed." in answer
    assert "our-rules.toml: version: must be 1" in answer
    huge = text_of(
        await discord_bot.command(
            "club templates",
            {"change": "set"},
            attachments={"file": ("huge.toml", PASTE_LIMIT + 1)},
            permissions=EVENTS,
        )
    )
    assert "a club's draft templates can be up to 64 KB. Nothing changed." in huge
    assert await stored(discord_bot) == {}


async def test_members_who_dont_organize_are_refused(discord_bot: DiscordBot) -> None:
    await discord_bot.command("club setup", {"name": "Career Club"}, permissions=EVENTS)
    discord_bot.http.attachments[f"{ATTACHMENT_PATH}mine.toml"] = BUNDLED
    refused = text_of(
        await discord_bot.command(
            "club rules",
            {"change": "set"},
            attachments={"file": ("mine.toml", len(BUNDLED))},
            user=BOB,
        )
    )
    assert "Sorry, only the organizers of Career Club can change its rules." in refused
    reset = text_of(await discord_bot.command("club templates", {"change": "reset"}, user=BOB))
    assert "only the organizers of Career Club can change its draft templates" in reset
    assert await stored(discord_bot) == {}


async def test_paste_opens_a_form_for_organizers_and_a_bad_paste_changes_nothing(
    discord_bot: DiscordBot,
) -> None:
    await discord_bot.command("club setup", {"name": "Career Club"}, permissions=EVENTS)
    refused = await discord_bot.command("club rules", {"change": "paste"}, user=BOB)
    assert "Sorry, only the organizers of Career Club can change its rules." in text_of(refused)
    made = await discord_bot.send(
        discord_bot.make.command(
            "club rules", {"change": "paste"}, user_id=ALICE, permissions=EVENTS
        )
    )
    (opened,) = [r for r in made if r.callback_type == 9]
    modal = opened.json["data"]
    (label,) = modal["components"]
    box = label["component"]
    assert box["style"] == 2  # a paragraph
    assert box["max_length"] == 4000
    assert "Longer: /club rules change:set with the file." in label["description"]
    answer = last_message(
        await discord_bot.send(
            discord_bot.make.submit(modal, {label["label"]: "version = 2"}, user_id=ALICE)
        )
    )
    assert "That rulebook can't be used, so nothing changed." in text_of(answer)
    assert "your pasted rulebook: version: must be 1" in text_of(answer)
    assert await stored(discord_bot) == {}
    assert discord_bot.http.refused_as_invalid == []
