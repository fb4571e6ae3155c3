"""/followups draft N and /followups check through the service, and the nudges' writing help."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from bot.commands import Check, CommandError, Draft, parse_command
from bot.dispatch import Dispatcher
from bot.domain import Address
from bot.proofread import CHECK_LIMIT
from bot.replies import ActionKind, Reply
from bot.services import FollowUpService, Requester
from bot.testing import FakeClock, FakeMessenger, InMemoryStorage
from rules.engine import Rulebook

ALICE = Requester(Address("console", "ws", "alice"), display_name="Alice Wong")
BOB = Requester(Address("console", "ws", "bob"))


async def say(service: FollowUpService, text: str, who: Requester = ALICE) -> Reply:
    return await service.handle(who, parse_command(text))


def drafts_in(reply: Reply) -> list[str]:
    return [s.text for s in reply.sections if s.preformatted]


# -- /followups draft N ---------------------------------------------------------------------


async def test_draft_is_a_section_to_copy_with_its_check(service: FollowUpService) -> None:
    await say(service, "/met Jane Doe, Acme, interview, talked about Kafka and her move to lead")
    reply = await say(service, "/followups draft 1")
    assert not reply.is_error
    (email,) = drafts_in(reply)
    assert email.startswith("Subject: ")
    assert "Kafka" in email
    assert "your move to lead" in email
    assert email.endswith("\nAlice Wong")  # the platform's name, until they set their own
    titles = [s.title for s in reply.sections]
    assert titles == ["#1 Email to Jane Doe", "Before you send"]
    advice = reply.sections[-1].text
    assert "Tip: personalized, one or two short paragraphs" in advice
    assert "Spelling and grammar: No issues found." in advice
    assert "linkedin" not in reply.plain_text().casefold()
    assert [a.command for a in reply.actions] == ["/followups done 1"]


async def test_the_students_own_name_signs_it(service: FollowUpService) -> None:
    await say(service, "/followups settings name Alex Kim")
    await say(service, "/met Jane Doe, Acme, call, her path into product")
    (email,) = drafts_in(await say(service, "/followups draft 1"))
    assert email.endswith("\nAlex Kim")


async def test_gaps_are_marked_and_explained(service: FollowUpService) -> None:
    await say(service, "/met Sam Lee, Initech, networking", BOB)
    reply = await say(service, "/followups draft 1", BOB)
    note, email = drafts_in(reply)
    assert "[what you talked about]" in note
    assert note.endswith("\n[your name]")
    assert "[what you talked about]" in email
    text = reply.plain_text()
    assert "The draft is stronger with a specific detail" in text
    assert "/followups settings name" in text
    assert reply.sections[0].title == (
        "#1 LinkedIn note to Sam Lee (" + str(len(note)) + " of 200 characters, your free plan)"
    )
    assert reply.sections[1].title == "#1 Or instead: email to Sam Lee"


async def test_a_premium_plan_gets_longer_notes(service: FollowUpService) -> None:
    await say(service, "/followups settings linkedin premium")
    await say(service, "/met Sam Lee, Initech, networking, robotics")
    reply = await say(service, "/followups draft 1")
    assert "of 300 characters, your premium plan" in (reply.sections[0].title or "")


async def test_a_fair_good_draft_points_to_its_sibling(service: FollowUpService) -> None:
    await say(service, '/met Ana Ruiz, Globex, fair-good, robotics event:"Spring Career Fair"')
    email = await say(service, "/followups draft 1")
    assert "the Globex booth at the Spring Career Fair" in drafts_in(email)[0]
    assert "The LinkedIn request is #2: /followups draft 2." in email.plain_text()
    note = await say(service, "/followups draft 2")
    assert "the Spring Career Fair" in drafts_in(note)[0]
    assert "The email is #1: /followups draft 1." in note.plain_text()


async def test_the_drafts_check_reports_the_students_own_slips(service: FollowUpService) -> None:
    await say(service, "/met Jane Doe, Acme, interview, her recieve pipeline")
    text = (await say(service, "/followups draft 1")).plain_text()
    assert "Spelling and grammar: 1 thing to check:" in text
    assert "- Spelling: “recieve” → receive" in text


async def test_a_done_follow_up_still_has_its_draft(service: FollowUpService) -> None:
    await say(service, "/met Jane Doe, Acme, interview")
    await say(service, "/followups done 1")
    reply = await say(service, "/followups draft 1")
    assert reply.sections[0].text == "#1 is already done; here is its draft."
    assert drafts_in(reply)
    assert reply.actions == ()


@pytest.mark.parametrize("by_id", [False, True])
async def test_another_students_draft_reads_like_a_missing_one(
    service: FollowUpService, memory_storage: InMemoryStorage, by_id: bool
) -> None:
    plan = await say(service, "/met Jane Doe, Acme, interview, Kafka")
    button = next(a for a in plan.actions if a.kind is ActionKind.DRAFT)
    assert button.command == "/followups draft 1"
    before = copy.deepcopy(memory_storage.tables)
    command = Draft(1, follow_up_id=button.follow_up_id) if by_id else Draft(1)
    theirs = await service.handle(BOB, command)
    missing = await say(service, "/followups draft 9", BOB)
    assert theirs.is_error
    assert theirs.plain_text() == missing.plain_text().replace("#9", "#1")
    assert "Jane" not in theirs.plain_text()
    assert memory_storage.tables.follow_ups == before.follow_ups
    mine = await service.handle(ALICE, Draft(1, follow_up_id=button.follow_up_id))
    assert "Kafka" in drafts_in(mine)[0]


# -- /followups check -----------------------------------------------------------------------


async def test_check_reports_issues(service: FollowUpService) -> None:
    reply = await say(service, "/followups check thank you for the the chat  yesterday")
    assert reply.sections[0].title == "Spelling and grammar"
    text = reply.sections[0].text
    assert text.startswith("4 things to check:")
    assert "“the the”" in text
    assert "Doubled space: “chat  yesterday”" in text  # the spacing as typed


async def test_check_ignores_the_names_the_student_recorded(service: FollowUpService) -> None:
    message = "Dear Zyxwell, thank you for showing me Quorvex. Alice"
    before = await say(service, f"/followups check {message}")
    assert "“Zyxwell”" in before.plain_text()
    assert "“Quorvex”" in before.plain_text()
    await say(service, "/met Zyxwell Abernathy, Quorvex Labs, call")
    after = await say(service, f"/followups check {message}")
    assert after.sections[0].text == "No issues found."
    # Another student's contacts are theirs: still flagged for Bob.
    assert "“Zyxwell”" in (await say(service, f"/followups check {message}", BOB)).plain_text()


async def test_check_ignores_the_students_own_name(service: FollowUpService) -> None:
    await say(service, "/followups settings name Xandrine Qolbek")
    reply = await say(service, "/followups check Best regards, Xandrine Qolbek.")
    assert reply.sections[0].text == "No issues found."


async def test_check_needs_text_and_not_too_much(service: FollowUpService) -> None:
    with pytest.raises(CommandError, match=r"Check what\?"):
        parse_command("/followups check   ")
    long = await service.handle(ALICE, Check("word " * (CHECK_LIMIT // 4)))
    assert long.is_error
    assert "Check it in parts" in long.plain_text()


# -- nudges ---------------------------------------------------------------------------------


async def test_a_fair_double_nudge_has_a_draft_button_and_advice_for_each(
    service: FollowUpService,
    memory_storage: InMemoryStorage,
    messenger: FakeMessenger,
    clock: FakeClock,
    rulebook: Rulebook,
) -> None:
    await say(service, "/met Ana Ruiz, Globex, fair-good, robotics")
    dispatcher = Dispatcher(
        memory_storage, messenger, clock, rulebook, default_zone=service.default_zone
    )
    clock.advance(timedelta(hours=24))
    await dispatcher.dispatch_due()
    (dm,) = messenger.sent
    text = dm.message.plain_text()
    assert "Tip: thank them for the booth conversation" in text
    assert "Tip: a short personal note that mentions the fair" in text
    drafts = [a.command for a in dm.message.actions if a.kind is ActionKind.DRAFT]
    assert drafts == ["/followups draft 1", "/followups draft 2"]


async def test_the_window_closed_notice_offers_a_draft(
    service: FollowUpService,
    memory_storage: InMemoryStorage,
    messenger: FakeMessenger,
    clock: FakeClock,
    rulebook: Rulebook,
) -> None:
    await say(service, "/met Jane Doe, Acme, interview")
    await say(service, "/followups settings nudges off")
    await say(service, "/followups settings nudges on")
    dispatcher = Dispatcher(
        memory_storage, messenger, clock, rulebook, default_zone=service.default_zone
    )
    clock.advance(timedelta(hours=49))
    await dispatcher.dispatch_due()
    closed = messenger.sent[-1].message
    assert "has closed" in (closed.sections[0].title or "")
    assert [a.kind for a in closed.actions] == [ActionKind.DRAFT, ActionKind.DONE]


# -- parsing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("/followups draft 3", Draft(3)),
        ("/followups Draft #12", Draft(12)),
        ("/followups check Thank  you.", Check("Thank  you.")),
        ("/followups proofread i am  here ", Check("i am  here")),
    ],
)
def test_parse_draft_and_check(text: str, command: Draft | Check) -> None:
    assert parse_command(text) == command


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("/followups draft", "Which follow-up?"),
        ("/followups draft soon", "isn't a follow-up number"),
        ("/followups draft 3 email", "Usage: /followups draft N"),
        ("/followups drat 3", "Did you mean /followups draft?"),
    ],
)
def test_bad_draft_commands_say_how(text: str, message: str) -> None:
    with pytest.raises(CommandError) as caught:
        parse_command(text)
    assert message in str(caught.value)
