"""Replies as Discord messages: escaping, Discord's size limits, button layout and custom ids."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytest.importorskip("discord")

from adapters.discord.limits import problems
from adapters.discord.render import (
    ButtonRef,
    Page,
    escape,
    pages,
    render_embeds,
    render_view,
)
from bot.commands import Snooze, command_for
from bot.replies import Action, ActionKind, Reply, Section

# Markup that would render if it reached Discord unescaped.
LIVE_MARKUP = [
    re.compile(r"(?<!\\)@(everyone|here)"),
    re.compile(r"(?<!\\)<[@#]"),  # user, role, channel mentions
    re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\("),  # a masked link
    re.compile(r"(?<!\\)\*\*"),
    re.compile(r"(?<!\\)\|\|"),
    re.compile(r"(?<!\\)`"),
    re.compile(r"(?m)^(?<!\\)#{1,3} "),
    re.compile(r"(?m)^(?<!\\)> "),
    re.compile(r"(?<!\\)<t:"),
]


def assert_inert(text: str) -> None:
    for pattern in LIVE_MARKUP:
        assert not pattern.search(text), f"{pattern.pattern} renders in {text!r}"


@pytest.mark.parametrize(
    "text",
    [
        "@everyone and @here",
        "<@&123456789012345678> <@123456789012345678> <#123456789012345678>",
        "[click me](https://evil.example)",
        "x [a](https://a.example) y [b](https://evil.example)",
        "[a](<https://evil.example>)",
        "**bold** __under__ ~~strike~~ ||spoiler|| `code`",
        "# Heading\n## Sub\n> quote\n- item\n1. first\n-# subtext",
        "<t:1700000000:R>",
        "\\@everyone",  # a backslash of one's own can't unescape the next character
    ],
)
def test_escaped_text_renders_nothing(text: str) -> None:
    assert_inert(escape(text))


def test_escaping_keeps_words_and_visible_urls() -> None:
    assert escape("Jane Doe, Acme: email, 48 h left") == "Jane Doe, Acme: email, 48 h left"
    assert escape("#1 Email to Jane") == "#1 Email to Jane"  # no heading without a space
    assert escape("see https://acme.example/jobs_2026 now") == (
        "see https://acme.example/jobs_2026 now"
    )
    assert escape("a_b") == "a\\_b"


def test_preformatted_text_cannot_close_its_code_block() -> None:
    reply = Reply((Section("Dear Jane,\n``` @everyone", preformatted=True),))
    (embed,) = render_embeds(reply)
    description = embed.description or ""
    assert description.startswith("```\n")
    assert description.endswith("\n```")
    assert description.count("```") == 2


def wire(page: Page) -> dict[str, Any]:
    """A page as it goes to Discord: what the fake's limit check reads."""
    components = page.view.to_components() if page.view is not None else []
    return {"embeds": [embed.to_dict() for embed in page.embeds], "components": components}


def test_long_sections_are_paged_not_clipped_nor_dropped() -> None:
    # A plan with five long sections, and more: every section, all of its text, on some page.
    reply = Reply(tuple(Section("x" * 3000, title=f"Section {i}") for i in range(14)))
    shown = pages(reply, scope="42")
    assert len(shown) > 1
    for page in shown:
        assert problems(wire(page)) == []
    embeds = [embed for page in shown for embed in page.embeds]
    assert [e.title for e in embeds] == [f"Section {i}" for i in range(14)]
    assert sum((e.description or "").count("x") for e in embeds) == 14 * 3000


def test_a_long_line_is_split_between_escapes_not_inside_one() -> None:
    embeds = render_embeds(Reply((Section("*" * 5000),)))
    assert len(embeds) == 3  # 10,000 characters escaped
    for embed in embeds:
        description = embed.description or ""
        assert len(description) <= 4096
        trailing = len(description) - len(description.rstrip("\\"))
        assert trailing % 2 == 0  # no backslash left to escape what the next part begins with
    assert "".join(e.description or "" for e in embeds) == escape("*" * 5000)


def test_a_long_draft_closes_and_reopens_its_code_block_on_every_part() -> None:
    draft = "\n".join(
        f"Line {n} of the draft, about Kafka and the team's on-call." for n in range(300)
    )
    embeds = render_embeds(Reply((Section(draft, preformatted=True, title="Draft"),)))
    assert len(embeds) > 1
    lines: list[str] = []
    for embed in embeds:
        description = embed.description or ""
        assert description.startswith("```\n")
        assert description.endswith("\n```")
        assert description.count("```") == 2
        lines += description.removeprefix("```\n").removesuffix("\n```").split("\n")
    assert lines == draft.split("\n")  # split between lines, none lost


def test_every_button_is_on_some_page_five_rows_a_message() -> None:
    actions = [
        Action(kind, kind.value.title(), number, 100 + number)
        for number in range(1, 31)
        for kind in (ActionKind.DONE, ActionKind.SKIP, ActionKind.DRAFT)
    ]
    shown = pages(Reply((Section("Your follow-ups"),), tuple(actions)), scope="42")
    ids = []
    for page in shown:
        assert problems(wire(page)) == []
        assert page.embeds  # never a message of buttons alone: it says whose they are
        ids += [c["custom_id"] for row in wire(page)["components"] for c in row["components"]]
    expected = [ButtonRef(action, "42").custom_id for action in actions]
    assert ids == expected
    assert len(shown) == 6


def test_buttons_one_row_per_follow_up_named_when_several() -> None:
    actions = [Action(ActionKind.DONE, "Done", number, 100 + number) for number in range(1, 8)] + [
        Action(ActionKind.SNOOZE, "Snooze 2h", 1, 101, "2h")
    ]
    view = render_view(actions, scope="42")
    assert view is not None
    rows: dict[int | None, list[str]] = {}
    for item in view.children:
        rows.setdefault(item.row, []).append(getattr(item, "label", ""))
    assert len(rows) == 5  # Discord's maximum; the text still names the commands
    assert rows[0] == ["Done #1", "Snooze 2h #1"]
    assert rows[1] == ["Done #2"]


def test_custom_ids_round_trip_and_reject_anything_else() -> None:
    action = Action(ActionKind.SNOOZE, "Tomorrow morning", 3, 57, "tomorrow")
    ref = ButtonRef.for_action(action, "920000000000000001")
    assert ref is not None
    assert ref.custom_id == "fu:snooze:920000000000000001:57:3:tomorrow"
    assert len(ref.custom_id) <= 100
    # The click carries the button's label; the id carries the rest of the action.
    assert ButtonRef.parse(ref.custom_id, "Tomorrow morning") == ref
    assert command_for(ref.action) == Snooze(3, "tomorrow", follow_up_id=57)
    for bad in ("fu:erase:1:2:3", "fu:done:guild:2:3", "fu:done:1:2:3:two words", "x"):
        assert ButtonRef.parse(bad) is None
    assert ButtonRef.for_action(Action(ActionKind.SNOOZE, "x", 1, 2, "in 2 h"), "dm") is None


@pytest.mark.parametrize("ticks", ["```", "````", "`````", "``"])
def test_nothing_in_a_draft_can_close_its_code_block(ticks: str) -> None:
    reply = Reply(
        (Section(f"Hello {ticks} [x](https://evil.example) @everyone", preformatted=True),)
    )
    (embed,) = render_embeds(reply)
    assert (embed.description or "").count("```") == 2  # the block's own fences only


def test_zone_suggestions_are_only_zones_the_setting_accepts() -> None:
    from adapters.discord.commands import zone_choices

    assert [c.value for c in zone_choices("berlin")][:1] == ["Europe/Berlin"]
    offered = {c.value for c in zone_choices("es")}
    assert "EST" not in offered  # a fixed offset: the setting asks for a city instead
