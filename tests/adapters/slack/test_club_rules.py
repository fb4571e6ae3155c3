"""/club rules and /club templates on Slack: signed slash commands into Bolt; the TOML pasted
after /club rules set arrives as typed (Slack's escaping of &, < and > undone); a bad one names
the paste, the key and the problem; every answer fits the limits the fake Slack enforces."""

from __future__ import annotations

from tests.adapters.slack.conftest import SlackHarness
from tests.adapters.slack.test_clubs import MEMBER, said
from tests.club_rulebooks import ALUMNI_DINNER, BUNDLED

# Slack escapes &, < and > in a command's text: the bot must read them back as typed.
DINNER = ALUMNI_DINNER.replace('label = "alumni dinner"', 'label = "alumni dinner & Q&A"').replace(
    "naming what they told you", "<in your own words>"
)


async def test_an_organizer_pastes_the_clubs_rulebook_and_members_see_it(
    harness: SlackHarness,
) -> None:
    await harness.command("/club", "setup Career Club", reply_to="setup")
    await harness.answer("setup")
    await harness.command("/club", f"rules set {BUNDLED}{DINNER}", reply_to="set")
    assert "Career Club now uses its own rulebook" in said(await harness.answer("set"))
    await harness.command("/club", "rules", user=MEMBER, reply_to="show")
    shown = said(await harness.answer("show"))
    assert "Career Club uses its own rulebook, set by " in shown
    # As typed: Slack's &amp; is an & again, and the reply escapes it for Slack once.
    assert "alumni dinner &amp; Q&amp;A (alumni-dinner): email ideally within 24 hours" in shown
    await harness.command("/club", "rules set version = 2", reply_to="bad")
    bad = said(await harness.answer("bad"))
    assert "That rulebook can't be used, so nothing changed." in bad
    assert "your pasted rulebook: version: must be 1" in bad
    await harness.command("/club", "rules set version = 1", user=MEMBER, reply_to="member")
    refused = said(await harness.answer("member"))
    assert "Sorry, only the organizers of Career Club can change its rules." in refused
    # Neither changed the club's rulebook.
    await harness.command("/club", "rules", user=MEMBER, reply_to="again")
    assert "alumni-dinner" in said(await harness.answer("again"))
    await harness.command("/club", "rules reset", reply_to="reset")
    assert said(await harness.answer("reset")) == "Career Club is back to the default rulebook."
