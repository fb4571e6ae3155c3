"""/club rules and /club templates on Slack: signed slash commands into Bolt; the TOML pasted
after /club rules set arrives as typed (Slack's escaping of &, < and > undone); a bad one names
the paste, the key and the problem; every answer fits the limits the fake Slack enforces."""

from __future__ import annotations

import json

from adapters.slack.testing import interaction_body, view_submission_payload
from tests.adapters.slack.conftest import STUDENT, SlackHarness
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


def in_parts(text: str, size: int = 2900) -> list[str]:
    """`text` cut at line breaks into parts of at most `size` characters, as an organizer
    pastes a long file into the form's boxes."""
    parts: list[str] = [""]
    for line in text.splitlines(keepends=True):
        if len(parts[-1]) + len(line) > size:
            parts.append("")
        parts[-1] += line
    return parts


async def test_rules_paste_opens_a_form_whose_errors_show_on_the_field(
    harness: SlackHarness,
) -> None:
    await harness.command("/club", "setup Career Club", reply_to="setup")
    await harness.answer("setup")
    # Not an organizer: told so, and no form.
    await harness.command("/club", "rules paste", user=MEMBER, reply_to="member")
    refused = said(await harness.answer("member"))
    assert "Sorry, only the organizers of Career Club can change its rules." in refused
    assert harness.slack.calls_to("views.open") == []
    await harness.command("/club", "rules paste", reply_to="paste")
    (opened,) = await harness.slack.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "followup_rules_form"
    boxes = [b for b in view["blocks"] if b["type"] == "input"]
    assert all(b["element"]["multiline"] for b in boxes)
    assert all(b["element"]["max_length"] == 3000 for b in boxes)
    assert len(boxes) * 3000 > len(BUNDLED) + len(DINNER)
    # A bad key: refused on the field, naming the paste, the key and the problem.
    bad = view_submission_payload(
        user_id=STUDENT,
        view=view,
        values={"part1": "version = 2"},
    )
    refused_form = await harness.post(interaction_body(bad))
    errors = json.loads(refused_form.body)
    assert errors["response_action"] == "errors"
    assert "That rulebook can't be used, so nothing changed." in errors["errors"]["part1"]
    assert "your pasted rulebook: version: must be 1" in errors["errors"]["part1"]
    await harness.command("/club", "rules", user=MEMBER, reply_to="unchanged")
    assert "uses the deployment's default rulebook" in said(await harness.answer("unchanged"))
    # The whole file, in parts that end at line breaks: as typed, & and < included.
    parts = in_parts(BUNDLED + DINNER)
    assert len(parts) > 1
    good = view_submission_payload(
        user_id=STUDENT,
        view=view,
        values={f"part{n}": part for n, part in enumerate(parts, start=1)},
    )
    saved = await harness.post(interaction_body(good))
    assert "errors" not in (saved.body or "")
    assert "Career Club now uses its own rulebook" in said(await harness.answer("paste"))
    await harness.command("/club", "rules", user=MEMBER, reply_to="show")
    shown = said(await harness.answer("show"))
    assert "alumni dinner &amp; Q&amp;A (alumni-dinner): email ideally within 24 hours" in shown
