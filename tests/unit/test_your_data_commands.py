"""Typing /followups edit, delete, undo, export and forget-me."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.commands import Delete, Edit, EditForm, Export, ForgetMe, Undo, parse_command
from bot.domain import Address, Conversation
from bot.edits import corrected_fields
from bot.errors import UserError
from bot.services import Requester
from bot.testing import TEST_START, make_test_bot


@pytest.mark.parametrize(
    ("typed", "changes"),
    [
        ("/followups edit 3 name:Jane Doe", {"name": "Jane Doe"}),
        (
            '/followups edit #3 name:"Jane Doe" company:Acme, Inc. about:"Kafka, and streams"',
            {"name": "Jane Doe", "company": "Acme, Inc.", "topics": "Kafka, and streams"},
        ),
        (
            "/followups edit 3 when:yesterday 4pm event:Spring Career Fair prio:1",
            {"when": "yesterday 4pm", "event": "Spring Career Fair", "priority": "1"},
        ),
        ("/followups EDIT 3 About: none", {"topics": "none"}),
        ("/followups edit 3 about:“she said: call me”", {"topics": "she said: call me"}),
        ("/followups fix 3 company:Globex", {"company": "Globex"}),
    ],
)
def test_edit_reads_each_field_as_typed(typed: str, changes: dict[str, str]) -> None:
    command = parse_command(typed)
    assert isinstance(command, Edit)
    assert command.number == 3
    assert dict(command.changes) == changes


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("/followups edit", "Which follow-up?"),
        ("/followups edit 3 kind:call", "“kind:” isn't something I can change"),
        ("/followups edit 3 Jane name:Jane", "“Jane” isn't a field"),
        ("/followups edit 3 company: ", "company: needs a value"),
        ("/followups edit 3 event:a event:b", "event: is given twice"),
        ("/followups delete", "Which follow-up?"),
        ("/followups delete 3 now", "Usage: /followups delete 3"),
        ("/followups undo 3", "Usage: /followups undo"),
        ("/followups export csv", "Usage: /followups export"),
        ("/followups forget-me please", "Usage: /followups forget-me"),
    ],
)
def test_a_mistake_is_explained(typed: str, said: str) -> None:
    with pytest.raises(UserError, match=said):
        parse_command(typed)


def test_the_other_commands() -> None:
    assert parse_command("/followups edit 3") == EditForm(3)
    assert parse_command("/followups edit #3  ") == EditForm(3)
    assert parse_command("/followups delete 3") == Delete(3)
    assert parse_command("/followups delete #3 confirm") == Delete(3, confirmed=True)
    assert parse_command("/followups remove 3 yes") == Delete(3, confirmed=True)
    assert parse_command("/followups undo") == Undo()
    assert parse_command("/followups export") == Export()
    assert parse_command("/followups forget-me") == ForgetMe()
    assert parse_command("/followups forget-me confirm") == ForgetMe(confirmed=True)


def test_fields_typed_with_commas_between_them_keep_their_values_whole() -> None:
    # notes: is about: by another name; the comma before the next field is no part of a value.
    command = parse_command("/followups edit 1 company: Acme Robotics, notes: Rust, and Go")
    assert command == Edit(1, (("company", "Acme Robotics"), ("topics", "Rust, and Go")))
    # A word like notes: inside the notes is a word.
    command = parse_command("/followups edit 1 about: we compared notes: she liked mine")
    assert command == Edit(1, (("topics", "we compared notes: she liked mine"),))


def test_done_takes_its_method_with_a_little_word_before_it() -> None:
    assert parse_command("/followups done 3 via email") == parse_command("/followups done 3 email")
    assert parse_command("/followups done 3 on LinkedIn") == parse_command(
        "/followups done 3 linkedin"
    )


def test_corrected_fields_keep_what_is_not_changed_and_clear_what_says_none() -> None:
    conversation = Conversation(
        person_id=1,
        contact_name="Jane Doe",
        company="Acme",
        kind="fair-good",
        met_at=TEST_START,
        created_at=TEST_START,
        topics="Kafka",
        event="Spring Fair",
        priority=2,
    )
    fields = corrected_fields(
        conversation, "fair-good", {"company": "Globex", "event": "none", "priority": "-"}
    )
    assert (fields.name, fields.company, fields.topics) == ("Jane Doe", "Globex", "Kafka")
    assert (fields.event, fields.priority, fields.when) == ("", "", "")


# Pieces of what students type after "edit 1": fields, quotes of several keyboards, commas,
# markup, line breaks.
PIECES = [
    *"abc :\"“”'«»,@#<>!-\n\t",
    *("name:", "when:", "about:", "notes:", "priority:", "event:", "9"),
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=20).map("".join))
def test_nothing_typed_after_edit_crashes_the_parser_or_the_handler(typed: str) -> None:
    async def run() -> None:
        bot = make_test_bot()
        who = Requester(Address("console", "ws", "alice"))
        await bot.service.handle(who, parse_command("/met Jane Doe, Acme, interview, Kafka"))
        try:
            command = parse_command(f"/followups edit 1 {typed}")
        except UserError:
            return
        reply = await bot.service.handle(who, command)  # an answer, never an exception
        assert reply.sections

    asyncio.run(run())


async def test_a_conversation_whose_kind_left_the_rules_is_not_changed_but_can_be_deleted() -> None:
    bot = make_test_bot()
    who = Requester(Address("console", "ws", "alice"))
    await bot.service.handle(who, parse_command("/met Jane Doe, Acme, interview"))
    tables = bot.storage.tables  # type: ignore[attr-defined]
    (conversation,) = tables.conversations.values()
    conversation.kind = "retired-kind"  # a club's rulebook dropped it since
    reply = await bot.service.handle(who, parse_command("/followups edit 1 name:Jane Roe"))
    assert reply.is_error
    assert "kind of conversation is no longer in the rules" in reply.plain_text()
    stored = bot.storage.tables.conversations[conversation.id]  # type: ignore[attr-defined]
    assert stored.contact_name == "Jane Doe"
    deleted = await bot.service.handle(who, parse_command("/followups delete 1 confirm"))
    assert not deleted.is_error
    assert bot.storage.tables.conversations == {}  # type: ignore[attr-defined]
