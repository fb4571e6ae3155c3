"""A student's own data through the service, on every storage backend: correct a conversation,
delete it, undo a /met, forget everything; each only ever on the asker's own rows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.commands import Delete, parse_command
from bot.domain import Address, Conversation, FollowUp, FollowUpStatus, NudgeKind
from bot.ports import Storage
from bot.replies import ActionKind, Reply
from bot.services import Requester
from bot.testing import FakeClock, TestBot, make_test_bot
from rules.engine import Rulebook

ALICE = Requester(Address("slack", "T1", "alice"))
BOB = Requester(Address("slack", "T1", "bob"))
LONG_NAME = "Maximiliane Alexandra Konstantinopoulou-Vanderbilt de la Cruz y Montenegro Ferreira"
assert len(LONG_NAME + " Jr. Esquire III.") == 100


@pytest.fixture
async def data_bot(storage: Storage, clock: FakeClock, rulebook: Rulebook) -> TestBot:
    return make_test_bot(storage, clock=clock, rulebook=rulebook)


async def say(bot: TestBot, text: str, who: Requester = ALICE) -> Reply:
    return await bot.service.handle(who, parse_command(text))


async def everything(bot: TestBot, who: Requester = ALICE) -> list[tuple[FollowUp, Conversation]]:
    async with bot.storage.session() as uow:
        person = await uow.people.get(who.address)
        return [] if person is None else await uow.follow_ups.everything_of(person.id or 0)


# -- edit --------------------------------------------------------------------------------------


async def test_edit_corrects_the_conversation_and_its_drafts(data_bot: TestBot) -> None:
    await say(data_bot, "/met Jane Do, Acm, interview, talked about Kafka")
    reply = await say(
        data_bot,
        '/followups edit 1 name:Jane Doe company:"Acme, Inc." '
        'about:"Kafka, and her move from intern to team lead" event:Spring Fair',
    )
    assert not reply.is_error, reply.plain_text()
    text = reply.plain_text()
    assert "Saved: Jane Doe at Acme, Inc. (Spring Fair)" in text
    assert "You talked about: Kafka, and her move from intern to team lead" in text
    ((follow_up, conversation),) = await everything(data_bot)
    assert (conversation.contact_name, conversation.company) == ("Jane Doe", "Acme, Inc.")
    assert conversation.event == "Spring Fair"
    assert follow_up.status is FollowUpStatus.PENDING
    draft = (await say(data_bot, "/followups draft 1")).plain_text()
    assert "Jane Doe" in draft
    assert "Jane Do," not in draft
    assert "Jane Do " not in draft


async def test_edit_alone_shows_what_was_recorded_and_the_form_to_correct_it(
    data_bot: TestBot,
) -> None:
    await say(data_bot, '/met Jane Doe, Acme, fair-good, Kafka event:"Spring Fair" priority:2')
    reply = await say(data_bot, "/followups edit 2")
    assert not reply.is_error
    text = reply.plain_text()
    assert "What you recorded for #2:" in text
    assert "name: Jane Doe\ncompany: Acme\nabout: Kafka\nwhen: 2026-03-06 15:00" in text
    assert "event: Spring Fair\npriority: 2" in text
    assert "/followups edit 2 name:" in text
    assert reply.form is not None
    assert (reply.form.number, reply.form.fields.kind, reply.form.fields.when) == (
        2,
        "fair-good",
        "2026-03-06 15:00",
    )


async def test_edit_takes_a_hundred_character_name_and_refuses_a_longer_one(
    data_bot: TestBot,
) -> None:
    await say(data_bot, "/met Jane Doe, Acme, networking")
    name = LONG_NAME + " Jr. Esquire III."
    assert not (await say(data_bot, f'/followups edit 1 name:"{name}"')).is_error
    too_long = await say(data_bot, f'/followups edit 1 name:"{name}x" company:Globex')
    assert too_long.is_error
    assert "A name is too long (at most 100 characters each)." in too_long.plain_text()
    ((_, conversation),) = await everything(data_bot)
    assert (conversation.contact_name, conversation.company) == (name, "Acme")  # unchanged


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("/followups edit 1 Jane Doe", "Say what to change"),
        ("/followups edit 1 salary:lots", "“salary:” isn't something I can change"),
        ("/followups edit 1 oops name:Jane", "“oops” isn't a field"),
        ("/followups edit 1 priority:7", "priority: is 1, 2 or 3"),
        ("/followups edit 1 name:", "name: needs a value"),
        ("/followups edit 1 name:A name:B", "name: is given twice"),
        ("/followups edit 1 when:someday soon", "when"),
        ("/followups edit 1 when:tomorrow 9am", "future"),
        ("/followups edit 9 name:Jane", "You have no follow-up #9"),
        ("/followups edit one name:Jane", "isn't a follow-up number"),
    ],
)
async def test_edit_with_a_mistake_says_what_and_changes_nothing(
    data_bot: TestBot, typed: str, said: str
) -> None:
    await say(data_bot, "/met Jane Doe, Acme, interview, Kafka")
    before = await everything(data_bot)
    try:
        reply = await say(data_bot, typed)
    except ValueError as err:  # a typing mistake the parser refuses (CommandError)
        message = str(err)
    else:
        assert reply.is_error
        message = reply.plain_text()
    assert said.casefold() in message.casefold()
    assert await everything(data_bot) == before


async def test_edit_when_moves_the_deadlines_and_sends_no_nudge_twice(data_bot: TestBot) -> None:
    await say(data_bot, "/met Jane Doe, Acme, interview")
    await data_bot.run_until(25)  # the heads-up went out, 24 hours after
    assert len(data_bot.messenger.sent) == 1
    ((before, _),) = await everything(data_bot)
    # They met 2 hours ago, not 25: the deadlines move 23 hours later, and the heads-up's
    # moment is ahead again. It went out already, so it isn't placed again.
    reply = await say(data_bot, '/followups edit 1 when:"2 hours ago"')
    assert not reply.is_error, reply.plain_text()
    assert "none already sent comes twice" in reply.plain_text()
    ((after, conversation),) = await everything(data_bot)
    assert conversation.met_at == data_bot.clock.now() - timedelta(hours=2)
    assert after.ideal_by - before.ideal_by == timedelta(hours=23)
    assert after.due_by - before.due_by == timedelta(hours=23)
    await data_bot.run_until(24 * 30)
    async with data_bot.storage.session() as uow:
        sent = await uow.outbox.sent_counts(after.id or 0)
    assert sent[NudgeKind.HEADS_UP] == 1
    assert sent[NudgeKind.LAST_CALL] >= 1  # the new plan's last call did come
    keys = [dm.key for dm in data_bot.messenger.sent]
    assert len(keys) == len(set(keys))


async def test_edit_is_only_for_ones_own_follow_ups(data_bot: TestBot) -> None:
    await say(data_bot, "/met Jane Doe, Acme, interview", who=BOB)
    reply = await say(data_bot, "/followups edit 1 name:Mallory")
    assert reply.is_error
    assert "You have no follow-up #1" in reply.plain_text()
    ((_, conversation),) = await everything(data_bot, BOB)
    assert conversation.contact_name == "Jane Doe"


# -- delete and undo ---------------------------------------------------------------------------


async def test_delete_asks_first_then_removes_the_conversation_and_its_nudges(
    data_bot: TestBot,
) -> None:
    await say(data_bot, "/met Jane Doe, Acme, fair-good, priority:1")
    await say(data_bot, "/met John Roe, Globex, interview")
    question = await say(data_bot, "/followups delete 2")
    assert "Delete your conversation with Jane Doe at Acme and its follow-ups #1, #2?" in (
        question.plain_text()
    )
    (button,) = question.actions
    assert (button.kind, button.argument) == (ActionKind.DELETE, "confirm")
    assert len(await everything(data_bot)) == 3  # asking deleted nothing
    done = await say(data_bot, "/followups delete 2 confirm")
    assert "Deleted your conversation with Jane Doe at Acme" in done.plain_text()
    remaining = await everything(data_bot)
    assert [(f.number, c.contact_name) for f, c in remaining] == [(3, "John Roe")]
    await data_bot.run_until(24 * 30)
    assert data_bot.messenger.sent  # John's nudges still come
    assert all("Jane" not in text for text in data_bot.messenger.texts())


async def test_the_delete_button_deletes_only_the_clickers_own(data_bot: TestBot) -> None:
    await say(data_bot, "/met Jane Doe, Acme, interview", who=BOB)
    ((bobs, _),) = await everything(data_bot, BOB)
    reply = await data_bot.service.handle(ALICE, Delete(1, confirmed=True, follow_up_id=bobs.id))
    assert reply.is_error
    assert len(await everything(data_bot, BOB)) == 1


async def test_a_nudge_a_replica_claimed_is_not_sent_once_its_conversation_is_deleted(
    data_bot: TestBot,
) -> None:
    await say(data_bot, "/met Jane Doe, Acme, interview")
    data_bot.clock.advance(timedelta(hours=25))
    replica = data_bot.replica(owner="other")
    claimed = await replica.claim()
    assert claimed  # the heads-up, held by the other replica
    await say(data_bot, "/followups delete 1 confirm")
    report = await replica.deliver(claimed)
    assert report.sent == 0
    assert data_bot.messenger.sent == []


async def test_undo_takes_back_the_last_met_within_ten_minutes(data_bot: TestBot) -> None:
    await say(data_bot, "/met Jane Doe, Acme, interview")
    data_bot.clock.advance(timedelta(minutes=30))
    await say(data_bot, "/met John Roe, Globex, networking")
    data_bot.clock.advance(timedelta(minutes=9))
    reply = await say(data_bot, "/followups undo")
    assert "Undone: your /met about John Roe at Globex is deleted" in reply.plain_text()
    assert [c.contact_name for _, c in await everything(data_bot)] == ["Jane Doe"]
    again = await say(data_bot, "/followups undo")  # Jane's is 39 minutes old
    assert again.is_error
    assert "no /met of the last 10 minutes" in again.plain_text()
    assert len(await everything(data_bot)) == 1


async def test_undo_after_marking_done_leaves_the_met_alone(data_bot: TestBot) -> None:
    await say(data_bot, "/met Jane Doe, Acme, interview")
    await say(data_bot, "/followups done 1")
    # "done" then "undo" most likely means the done: the /met is not deleted by it.
    reply = await say(data_bot, "/followups undo")
    assert reply.is_error
    assert reply.plain_text() == (
        "Your last /met, about Jane Doe at Acme, has #1 done already, so undo leaves it alone. "
        "To delete it all the same, with what you marked: /followups delete 1 confirm."
    )
    assert len(await everything(data_bot)) == 1


async def test_undo_of_a_met_whose_window_closed_is_no_question(data_bot: TestBot) -> None:
    # Logged late: its follow-up is not needed (or missed) at once, which the student did not mark.
    await say(data_bot, '/met Jane Doe, Acme, career fair when:"3 weeks ago"')
    reply = await say(data_bot, "/followups undo")
    assert "Undone: your /met about Jane Doe at Acme is deleted" in reply.plain_text()
    assert await everything(data_bot) == []


async def test_undo_never_takes_back_someone_elses_met(data_bot: TestBot) -> None:
    await say(data_bot, "/met Jane Doe, Acme, interview", who=BOB)
    reply = await say(data_bot, "/followups undo")
    assert reply.is_error
    assert len(await everything(data_bot, BOB)) == 1


# -- forget me ---------------------------------------------------------------------------------


async def test_forget_me_asks_first_then_leaves_nothing_and_sends_nothing(
    data_bot: TestBot,
) -> None:
    for n in range(5):
        await say(data_bot, f"/met Person {n}, Company {n}, interview, talked about topic {n}")
    await say(data_bot, "/met Jane Doe, Acme, interview", who=BOB)
    question = await say(data_bot, "/followups forget-me")
    assert "/followups forget-me confirm" in question.plain_text()
    assert len(await everything(data_bot)) == 5
    reply = await say(data_bot, "/followups forget-me confirm")
    assert "I deleted everything I kept about you" in reply.plain_text()
    async with data_bot.storage.session() as uow:
        assert await uow.people.get(ALICE.address) is None
    await data_bot.run_until(24 * 30)
    assert {dm.to.address for dm in data_bot.messenger.sent} == {BOB.address}
    assert len(await everything(data_bot, BOB)) == 1
    # Coming back starts afresh, at #1.
    again = await say(data_bot, "/met Jane Doe, Acme, interview")
    assert "#1 " in again.plain_text()
