"""Whatever a student records, Slack and Discord take every message the bot makes of it, and
nothing is lost on the way: 1 to 500 follow-ups, 100-character names, 1,000-character notes
and drafts, through the core's list and each adapter's pager, checked against the same limits
the fakes enforce."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

pytest.importorskip("discord")

from adapters.discord import limits as discord_limits
from adapters.discord.context import LIST_PAGE
from adapters.discord.render import ButtonRef, Page
from adapters.discord.render import pages as discord_pages
from adapters.slack import limits as slack_limits
from adapters.slack.blocks import decode_action, encode_action, home_view
from adapters.slack.blocks import pages as slack_pages
from bot.domain import Address, Conversation, FollowUp, FollowUpStatus, Person
from bot.messages import follow_ups as say
from bot.messages.nudges import BUTTONS_FOR, Later, NudgeGroup, moment_message
from bot.messages.settings import settings_reply
from bot.messages.words import follow_up_actions
from bot.replies import Action, ActionKind, Reply, Section
from rules.engine import NudgeKind, load_rulebook

RULEBOOK = load_rulebook()
NOW = datetime(2026, 3, 6, 20, 0, tzinfo=UTC)
SCOPE = "123456789012345678"

# What people type: any printable character, marks and emoji included, but no line breaks
# (the /met parser keeps a name on one line).
TYPED = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029")
NAMES = st.text(TYPED, min_size=100, max_size=100)
KINDS = st.sampled_from(sorted(RULEBOOK.kinds))
ROW_NUMBER = re.compile(r"^#(\d+) ", re.MULTILINE)
PROPERTY = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def follow_up_rows(draw: st.DrawFn) -> list[tuple[FollowUp, Conversation, say.ListSection]]:
    count = draw(st.just(500) | st.integers(min_value=1, max_value=500))
    name, company = draw(NAMES), draw(NAMES)
    event = draw(st.one_of(st.none(), NAMES))
    rows = []
    for number in range(1, count + 1):
        hours = draw(st.integers(min_value=-300, max_value=500))
        conversation = Conversation(
            person_id=1,
            contact_name=f"{name[: 100 - len(str(number))]}{number}",
            company=company,
            kind=draw(KINDS),
            met_at=NOW - timedelta(days=1),
            created_at=NOW - timedelta(days=1),
            event=event,
            priority=draw(st.one_of(st.none(), st.integers(1, 3))),
            id=number,
        )
        follow_up = FollowUp(
            person_id=1,
            conversation_id=number,
            number=number,
            methods=("email",),
            ideal_by=NOW + timedelta(hours=hours - 24),
            due_by=NOW + timedelta(hours=hours),
            status=FollowUpStatus.MISSED if hours <= 0 else FollowUpStatus.PENDING,
            id=10_000 + number,
        )
        rows.append(
            (follow_up, conversation, say.list_section(follow_up, conversation, RULEBOOK, NOW))
        )
    order = list(say.ListSection)
    rows.sort(key=lambda row: order.index(row[2]))
    return rows


def every_page(
    rows: list[tuple[FollowUp, Conversation, say.ListSection]], per_page: int | None
) -> list[Reply]:
    """Each page of the list, as a student clicking Next through it would see them."""
    first = say.list_reply(rows, rulebook=RULEBOOK, now=NOW, per_page=per_page)
    replies = [first]
    while nexts := [a for a in replies[-1].actions if a.label == "Next"]:
        replies.append(
            say.list_reply(
                rows, rulebook=RULEBOOK, now=NOW, page=nexts[0].number, per_page=per_page
            )
        )
    return replies


def slack_seen(
    replies: list[Reply], *, max_blocks: int = slack_limits.MAX_BLOCKS
) -> tuple[str, list[str]]:
    """All the text and button values of `replies` as Slack messages, each checked as the
    fake Slack checks it."""
    text, values = [], []
    for reply in replies:
        for message in slack_pages(reply, max_blocks=max_blocks):
            assert slack_limits.problems(message.blocks, message.text, max_blocks=max_blocks) == []
            for block in message.blocks:
                if block["type"] == "section":
                    text.append(block["text"]["text"])
                values += [e["value"] for e in block.get("elements", [])]
    return "\n".join(text), values


def discord_wire(page: Page) -> dict[str, Any]:
    components = page.view.to_components() if page.view is not None else []
    return {"embeds": [e.to_dict() for e in page.embeds], "components": components}


def discord_seen(replies: list[Reply]) -> tuple[str, list[str]]:
    """All the text and custom ids of `replies` as Discord messages, each checked as the fake
    Discord checks it."""
    text, ids = [], []
    for reply in replies:
        for page in discord_pages(reply, scope=SCOPE):
            wire = discord_wire(page)
            assert discord_limits.problems(wire) == []
            text += [e.get("description") or "" for e in wire["embeds"]]
            ids += [c["custom_id"] for row in wire["components"] for c in row["components"]]
    return "\n".join(text), ids


def expected_buttons(rows: list[tuple[FollowUp, Conversation, say.ListSection]]) -> list[Action]:
    return [
        action
        for follow_up, _, _ in rows
        for action in follow_up_actions(follow_up, snooze=False)
        if action.kind is ActionKind.DONE
    ]


@PROPERTY
@given(rows=follow_up_rows(), everything=st.booleans())
def test_slack_takes_every_page_of_any_list_and_loses_nothing(
    rows: list[tuple[FollowUp, Conversation, say.ListSection]], everything: bool
) -> None:
    replies = every_page(rows, None if everything else say.PER_PAGE)
    text, values = slack_seen(replies)
    assert sorted(int(n) for n in ROW_NUMBER.findall(text)) == list(range(1, len(rows) + 1))
    assert {encode_action(a) for a in expected_buttons(rows)} <= set(values)


@PROPERTY
@given(rows=follow_up_rows(), everything=st.booleans())
def test_discord_takes_every_page_of_any_list_and_loses_nothing(
    rows: list[tuple[FollowUp, Conversation, say.ListSection]], everything: bool
) -> None:
    replies = every_page(rows, None if everything else LIST_PAGE)
    text, ids = discord_seen(replies)
    assert sorted(int(n) for n in ROW_NUMBER.findall(text)) == list(range(1, len(rows) + 1))
    expected = {ButtonRef(a, SCOPE).custom_id for a in expected_buttons(rows)}
    assert expected <= set(ids)
    if not everything:  # a page's buttons fit its one message: Previous and Next included
        for reply in replies:
            assert len(discord_pages(reply, scope=SCOPE)) == 1


# 1,000 characters: some typed text, markup and line breaks among it, said again to length.
NOTES = st.text(TYPED | st.sampled_from("\n`*_~|<>&@#"), min_size=1, max_size=120).map(
    lambda typed: (typed * (1000 // len(typed) + 1))[:1000]
)


@PROPERTY
@given(
    notes=st.lists(NOTES, min_size=1, max_size=8),
    drafts=st.lists(NOTES, min_size=1, max_size=8),
    buttons=st.integers(min_value=0, max_value=40),
)
# A note of nothing but backticks: on Slack, where a note is mrkdwn, a split must not leave a
# code block open.
@example(notes=["`" * 1000], drafts=["0" * 1000], buttons=0)
def test_long_notes_and_drafts_are_split_never_cut(
    notes: list[str], drafts: list[str], buttons: int
) -> None:
    # A plan or a DM: notes as text, drafts to copy, buttons for several follow-ups.
    sections = [Section(note, title=f"Note {i}") for i, note in enumerate(notes)]
    sections += [
        Section(draft, title=f"Draft {i}", preformatted=True) for i, draft in enumerate(drafts)
    ]
    actions = [
        Action(kind, kind.value.title(), n, 500 + n)
        for n in range(1, buttons + 1)
        for kind in (ActionKind.DRAFT, ActionKind.DONE, ActionKind.SKIP)
    ]
    reply = Reply(tuple(sections), tuple(actions))
    slack_text, values = slack_seen([reply])
    discord_text, ids = discord_seen([reply])
    assert values == [encode_action(a) for a in actions]
    assert ids == [ButtonRef(a, SCOPE).custom_id for a in actions]
    # Every word typed shows, on one platform as on the other (escaping adds, never removes).
    words = {w for s in sections for w in re.findall(r"[A-Za-z0-9]+", s.text)}
    for seen in (slack_text, discord_text):
        assert words <= set(re.findall(r"[A-Za-z0-9]+", seen))
    # Every code block that opens closes, in every part.
    for page in discord_pages(reply, scope=SCOPE):
        for embed in page.embeds:
            assert (embed.description or "").count("```") % 2 == 0
    for message in slack_pages(reply):
        for block in message.blocks:
            assert block.get("text", {}).get("text", "").count("```") % 2 == 0


@PROPERTY
@given(rows=follow_up_rows(), name=NAMES)
def test_the_home_tab_takes_every_page_within_its_100_blocks(
    rows: list[tuple[FollowUp, Conversation, say.ListSection]], name: str
) -> None:
    person = Person(address=Address("slack", "T1", "U1"), created_at=NOW, name=name)
    settings = settings_reply(person, zone=ZoneInfo("America/New_York"), rulebook=RULEBOOK)
    shown = []
    for page in every_page(rows, say.PER_PAGE):
        view = home_view(say.home_reply(page, settings))
        assert slack_limits.problems(view["blocks"], max_blocks=slack_limits.MAX_HOME_BLOCKS) == []
        text = "\n".join(b["text"]["text"] for b in view["blocks"] if b["type"] == "section")
        shown += [int(n) for n in ROW_NUMBER.findall(text)]
        values = [e["value"] for b in view["blocks"] for e in b.get("elements", [])]
        assert {encode_action(a) for a in page.actions} == set(values)
    assert sorted(shown) == list(range(1, len(rows) + 1))


def moment_of(rows: list[tuple[FollowUp, Conversation, say.ListSection]]) -> Reply:
    """All of `rows` due at one moment: the one DM the dispatcher sends for them."""
    groups = [
        NudgeGroup(
            NudgeKind.WINDOW_CLOSED
            if follow_up.status is FollowUpStatus.MISSED
            else NudgeKind.HEADS_UP,
            [follow_up],
            conversation,
            RULEBOOK.kinds.get(conversation.kind),
        )
        for follow_up, conversation, _ in rows
    ]
    later = Later(0, None) if len(groups) > 1 else None
    return moment_message(
        groups,
        rulebook=RULEBOOK,
        now=NOW,
        zone=ZoneInfo("America/New_York"),
        late_since=None,
        later=later,
    )


@PROPERTY
@given(rows=follow_up_rows())
def test_every_follow_up_of_a_moment_has_a_button_or_a_pick_on_both_platforms(
    rows: list[tuple[FollowUp, Conversation, say.ListSection]],
) -> None:
    dm = moment_of(rows)
    every = {follow_up.id for follow_up, _, _ in rows}
    assert len(dm.choices) == max(0, len(rows) - BUTTONS_FOR)
    # Slack: every message taken, each follow-up a button's value or an option's.
    reached: set[int | None] = set()
    for message in slack_pages(dm):
        assert slack_limits.problems(message.blocks, message.text) == []
        for block in message.blocks:
            for element in block.get("elements", []):
                options = element.get("options", [element])
                for value in (o["value"] for o in options):
                    action = decode_action(value)
                    assert action is not None
                    reached.add(action.follow_up_id)
                for option in element.get("options", []):  # numbered, whatever was clipped
                    number = decode_action(option["value"]).number  # type: ignore[union-attr]
                    assert option["text"]["text"].startswith(f"#{number} ")
    assert reached == every
    # Discord: the same, a select of 25 a row of its own, five rows a message.
    reached = set()
    for page in discord_pages(dm, scope=SCOPE):
        wire = discord_wire(page)
        assert discord_limits.problems(wire) == []
        for row in wire["components"]:
            for component in row["components"]:
                for option in component.get("options", []):
                    ref = ButtonRef.parse(option["value"])
                    assert ref is not None
                    assert ref.action.kind is ActionKind.SHOW
                    assert option["label"].startswith(f"#{ref.action.number} ")
                    reached.add(ref.action.follow_up_id)
                if component["type"] == 2:
                    ref = ButtonRef.parse(component["custom_id"])
                    assert ref is not None
                    reached.add(ref.action.follow_up_id)
    assert reached == every
