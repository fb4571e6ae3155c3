"""Canaries: what a student types may hold @everyone, @here, role mentions and masked links;
none of it pings anyone or renders, on any path out."""

from __future__ import annotations

import pytest

pytest.importorskip("discord")

from adapters.discord.testing import GUILD_ID, last_message, text_of
from tests.adapters.discord.conftest import DiscordBot
from tests.adapters.discord.test_render import assert_inert

ROLE = "<@&123456789012345678>"
USER = "<@123456789012345678>"
LINK = "[free offer](https://evil.example/login)"
CANARY_MET = {
    "name": f"Jane @everyone {ROLE}",
    "company": f"Acme @here {LINK}",
    "kind": "interview",
    "about": f"**urgent** {USER} ||secret|| `code` <t:1700000000:R>\n# Heading\n> quoted",
    "event": "Fair @everyone",
}


def assert_no_pings(bot: DiscordBot) -> None:
    messages = bot.http.messages()
    assert messages
    for message in messages:
        assert message["allowed_mentions"] == {"parse": []}
        assert_inert(text_of(message))


async def test_a_met_reply_and_the_list_render_nothing_typed(discord_bot: DiscordBot) -> None:
    reply = text_of(await discord_bot.command("met", CANARY_MET))
    assert "Jane \\@everyone \\<\\@&123456789012345678>" in reply  # shown, as text
    listing = text_of(await discord_bot.command("followups list"))
    assert "Acme \\@here \\[free offer\\](https://evil.example/login)" in listing
    assert_no_pings(discord_bot)


async def test_dm_nudges_and_their_edits_render_nothing_typed(discord_bot: DiscordBot) -> None:
    await discord_bot.command("met", CANARY_MET)
    _, made = await discord_bot.nudges_after(24)
    dm = last_message(made)
    assert "@everyone" in dm["content"]
    await discord_bot.click(dm, "Done")
    assert_no_pings(discord_bot)


async def test_errors_quoting_what_was_typed_render_nothing(discord_bot: DiscordBot) -> None:
    await discord_bot.command(
        "met", {"name": "Jane", "company": "Acme", "kind": f"@everyone {LINK}"}
    )
    await discord_bot.command("followups done", {"follow_up": f"@here {ROLE}"})
    await discord_bot.command("followups settings name", {"name": f"@everyone {LINK}"})
    await discord_bot.command("followups settings tz", {"zone": f"@here {ROLE}"})
    await discord_bot.command("server-tz", {"zone": f"{LINK} @everyone"})
    await discord_bot.command("followups settings quiet", {"hours": "@everyone"}, guild_id=GUILD_ID)
    assert_no_pings(discord_bot)


async def test_the_form_renders_nothing_typed(discord_bot: DiscordBot) -> None:
    await discord_bot.send(discord_bot.make.command("met", user_id=1))
    modal = discord_bot.http.callbacks()[-1].json["data"]
    await discord_bot.send(
        discord_bot.make.submit(
            modal,
            {
                "Name": f"@everyone {ROLE}",
                "Company": LINK,
                "Kind of conversation": "call",
                "What you talked about": f"@here {USER}",
                "When, event, priority, greet": "not a time @everyone",
            },
            user_id=1,
        )
    )
    assert_no_pings(discord_bot)
