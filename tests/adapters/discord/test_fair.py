"""/fair on Discord through the real CommandTree, from wire-format interactions to the HTTP
requests that answer them."""

from __future__ import annotations

import pytest

pytest.importorskip("discord")

from adapters.discord.testing import EPHEMERAL, text_of
from tests.adapters.discord.conftest import ALICE, BOB, DiscordBot
from tests.adapters.discord.test_commands import inputs_of, modal_of

PLAN = {
    "fair": "Spring Career Fair",
    "companies": "Acme:1, Globex:1, Initech:2, Hooli",
    "when": "tomorrow",
}


async def test_fair_plan_with_options_answers_with_the_list(discord_bot: DiscordBot) -> None:
    message = await discord_bot.command("fair plan", PLAN)
    assert message["flags"] & EPHEMERAL
    text = text_of(message)
    assert "Planned Spring Career Fair: 4 companies in order of interest." in text
    assert "1\\. Acme (tier 1): not visited yet" in text
    assert "4\\. Hooli (tier 2): not visited yet" in text
    assert "when in doubt, follow up" in text


async def test_fair_show_with_no_list_opens_the_form_and_the_form_plans_it(
    discord_bot: DiscordBot,
) -> None:
    await discord_bot.send(discord_bot.make.command("fair show", user_id=ALICE))
    modal = modal_of(discord_bot)
    inputs = inputs_of(modal)
    assert list(inputs) == ["Fair", "Companies, in order of interest", "When is it?"]
    assert inputs["Companies, in order of interest"]["style"] == 2  # paragraph: many lines
    made = await discord_bot.send(
        discord_bot.make.submit(
            modal,
            {
                "Fair": "Spring Career Fair",
                "Companies, in order of interest": "Acme:1\nGlobex\nInitech:2",
                "When is it?": "friday",
            },
            user_id=ALICE,
        )
    )
    text = text_of(made[-1].json["data"])
    assert "Planned Spring Career Fair: 3 companies" in text
    assert "3\\. Initech (tier 2)" in text
    # Now there is a list: show answers with it.
    shown = await discord_bot.command("fair show")
    assert "2\\. Globex (tier 1): not visited yet" in text_of(shown)


async def test_fair_plan_without_companies_opens_the_form(discord_bot: DiscordBot) -> None:
    await discord_bot.send(discord_bot.make.command("fair plan", user_id=ALICE))
    assert modal_of(discord_bot)["title"] == "Plan a career fair"


async def test_a_bad_form_says_what_is_wrong_and_saves_nothing(discord_bot: DiscordBot) -> None:
    await discord_bot.send(discord_bot.make.command("fair plan", user_id=ALICE))
    made = await discord_bot.send(
        discord_bot.make.submit(
            modal_of(discord_bot),
            {"Companies, in order of interest": "Acme:9", "When is it?": "friday"},
            user_id=ALICE,
        )
    )
    assert "a tier is 1 to 3" in text_of(made[-1].json["data"])
    assert "You have no fair list yet" in text_of(await discord_bot.command("fair list"))


async def test_autocomplete_offers_only_the_invokers_fairs_and_companies(
    discord_bot: DiscordBot,
) -> None:
    await discord_bot.command("fair plan", PLAN)
    await discord_bot.command(
        "fair plan", {"fair": "Bob's Fair", "companies": "Umbrella"}, user=BOB
    )
    fairs = await discord_bot.complete("fair show", {"fair": ""}, "fair")
    assert [c["value"] for c in fairs] == ["Spring Career Fair"]
    assert fairs[0]["name"].startswith("Spring Career Fair (")
    assert [
        c["value"] for c in await discord_bot.complete("fair show", {"fair": ""}, "fair", user=BOB)
    ] == ["Bob's Fair"]
    companies = await discord_bot.complete("fair remove", {"company": "gl"}, "company")
    assert [c["value"] for c in companies] == ["Globex"]
    assert companies[0]["name"] == "Globex (tier 1)"


async def test_add_remove_and_move_change_the_list(discord_bot: DiscordBot) -> None:
    await discord_bot.command("fair plan", PLAN)
    text = text_of(await discord_bot.command("fair add", {"companies": "Stark:3"}))
    assert "5\\. Stark (tier 3)" in text
    text = text_of(await discord_bot.command("fair move", {"company": "Stark", "place": 1}))
    # First, above the tier-1 companies: it joins their tier.
    assert "Moved Stark to number 1, tier 1 now (was 3)." in text
    assert "1\\. Stark (tier 1)" in text
    text = text_of(
        await discord_bot.command("fair remove", {"company": "Hooli", "fair": "Spring Career Fair"})
    )
    assert "Removed Hooli from Spring Career Fair." in text
    bad = await discord_bot.command("fair remove", {"company": "Wayne"})
    assert "isn't on your Spring Career Fair list" in text_of(bad)


async def test_mentions_typed_into_a_list_show_as_typed_and_ping_nobody(
    discord_bot: DiscordBot,
) -> None:
    made = await discord_bot.send(
        discord_bot.make.command(
            "fair plan",
            {"fair": "@everyone Fair", "companies": "<@123>, Acme"},
            user_id=ALICE,
        )
    )
    answer = made[-1].json["data"]
    assert answer["allowed_mentions"] == {"parse": []}
    text = text_of(answer)
    # Escaped: shown as typed, never a mention or a ping.
    assert "\\@everyone Fair" in text
    assert "\\<\\@123>" in text
    assert "@everyone" not in text.replace("\\@everyone", "")


async def test_a_list_of_fifty_long_names_is_shown_whole(discord_bot: DiscordBot) -> None:
    names = [f"Company {n:02d} " + "x" * 88 for n in range(50)]
    made = await discord_bot.send(
        discord_bot.make.command(
            "fair plan", {"fair": "Big Fair", "companies": ", ".join(names)}, user_id=ALICE
        )
    )
    first = made[-1].json["data"]
    assert 'Page 1 of 3. Next: /fair show "Big Fair" page:2' in text_of(first)
    pages = [first] + [
        await discord_bot.command("fair show", {"fair": "Big Fair", "page": n}) for n in (2, 3)
    ]
    for page in pages:
        # Within Discord's 6000 characters a message: nothing cut.
        assert (
            sum(len(e.get("description") or "") + len(e.get("title") or "") for e in page["embeds"])
            <= 6000
        )
        assert "…" not in text_of(page)
    text = "\n".join(text_of(page) for page in pages)
    assert all(name in text for name in names)
    assert "50\\. Company 49" in text
