"""What members log from a club's event is the club's, on every storage: the Log who I met
button's form, sent from the DM after the event (or `event:#N` typed there), is logged in the
club's channel, so its follow-ups are planned, nudged and drafted by the club's own rulebook and
templates, and the club's digest counts it. Naming the event by its title in a DM, or the
number of an event the student wasn't going to, takes no club's rules."""

from __future__ import annotations

from datetime import timedelta

from bot.club_commands import LogAtEvent
from bot.commands import Met, parse_command
from bot.domain import Address, Channel, Conversation, FollowUp
from bot.met import MetInput
from bot.ports import Storage
from bot.replies import Reply
from bot.services import Requester
from bot.testing import TestBot, make_test_bot
from tests.club_rulebooks import CLUB_TEMPLATES, QUICK_NETWORKING

CLUB = Channel("C42", "career-club")
NIGHT = '/club event "Deloitte Night" when:"fri 6pm-8pm" kind:networking'
MET = {
    "max": ("Priya Raman", "audit careers and her move to London"),
    "nia": ("Tom O'Brien", "the graduate scheme"),
    "oscar": ("Ana Ruiz", "consulting interviews"),
}


def member(who: str, channel: Channel | None, workspace: str = "T1") -> Requester:
    return Requester(
        Address("slack", workspace, who), display_name=who.title(), channel=channel,
        timezone="America/New_York",
    )  # fmt: skip


async def ask(bot: TestBot, requester: Requester, command: object) -> Reply:
    return await bot.service.handle(requester, command)  # type: ignore[arg-type]


async def say(bot: TestBot, who: str, text: str, channel: Channel | None = CLUB) -> Reply:
    where = channel.id if channel is not None else None
    reply = await ask(bot, member(who, channel), parse_command(text, where=where))
    assert not reply.is_error, reply.plain_text()
    return reply


async def club_with_its_own_rules(storage: Storage) -> tuple[TestBot, int]:
    bot = make_test_bot(storage)
    await say(bot, "olive", "/club setup Career Club tz:America/New_York")
    await say(bot, "olive", f"/club rules set {QUICK_NETWORKING}")
    await say(bot, "olive", f"/club templates set {CLUB_TEMPLATES}")
    await say(bot, "olive", NIGHT)
    event_id = bot.messenger.posts[0].card.event_id
    for who in MET:
        await say(bot, who, f"/club going {event_id}")
    return bot, event_id


async def open_of(storage: Storage, who: str) -> list[tuple[FollowUp, Conversation]]:
    async with storage.session() as uow:
        person = await uow.people.get(Address("slack", "T1", who))
        assert person is not None
        assert person.id is not None
        return await uow.follow_ups.open(person.id)


async def test_logged_from_the_dm_after_the_event_it_follows_the_clubs_rules_and_counts(
    storage: Storage,
) -> None:
    bot, event_id = await club_with_its_own_rules(storage)
    await bot.run_until(hours=6)  # Friday 21:00: the prompts have gone
    prompted = {dm.to.address.user for dm in bot.messenger.sent if dm.message.event_actions}
    assert prompted == set(MET)
    for who, (name, topics) in MET.items():
        # The prompt's button, clicked in the DM: the form, filled in with the event.
        form = await ask(bot, member(who, None), LogAtEvent(event_id))
        assert form.met_form == MetInput(kind="networking", event="Deloitte Night")
        # The student renames the event in the form: it is still the club's.
        fields = MetInput(
            name=name,
            company="Deloitte",
            kind="networking",
            topics=topics,
            when="today 7pm",
            event="Deloitte mixer" if who == "nia" else "",
        )
        reply = await ask(bot, member(who, None), Met(fields=fields, at_event=event_id))
        assert not reply.is_error, reply.plain_text()
        # The club's window, not the guide's 48 hours.
        assert "(10 h left)" in reply.plain_text()
    for who in MET:
        ((follow_up, conversation),) = await open_of(storage, who)
        assert conversation.logged_in == CLUB.id
        assert conversation.event == ("Deloitte mixer" if who == "nia" else "Deloitte Night")
        assert follow_up.ideal_by == conversation.met_at + timedelta(hours=12)
        assert follow_up.due_by == conversation.met_at + timedelta(days=2)
    draft = await say(bot, "max", "/followups draft 1", channel=None)
    assert "Career Club alumni night: thank you, Priya" in draft.plain_text()
    # Nudged at the club's times: all within its two days, none cancelled.
    bot.messenger.sent.clear()
    await bot.run_until(hours=47)
    nudges = [dm for dm in bot.messenger.sent if dm.to.address.user == "max"]
    assert len(nudges) >= 2
    assert all("Priya Raman" in dm.message.plain_text() for dm in nudges)
    # The digest after it counts the three, the renamed one too.
    (digest,) = [d for _, d in bot.messenger.digests]
    assert digest.lines[:2] == (
        "Members who logged conversations: 3",
        "Conversations logged: 3",
    )
    # Its advice is the club's rulebook's: two days, not the guide's three weeks.
    assert any("still fine for 2 days after an event" in line for line in digest.lines)


async def test_typed_event_number_in_the_dm_is_the_clubs_and_a_title_is_not(
    storage: Storage,
) -> None:
    bot, event_id = await club_with_its_own_rules(storage)
    await bot.run_until(hours=6)
    await say(bot, "max", f"/met Priya Raman, Deloitte, networking, audit event:#{event_id}", None)
    ((follow_up, conversation),) = await open_of(storage, "max")
    assert conversation.logged_in == CLUB.id
    assert conversation.event == "Deloitte Night"
    assert follow_up.ideal_by == conversation.met_at + timedelta(hours=12)
    # Naming it by its title in a DM takes the deployment's rules: anyone may type a title.
    await say(
        bot, "pia", '/met Sam Lee, Deloitte, networking, her team event:"Deloitte Night"', None
    )
    ((follow_up, conversation),) = await open_of(storage, "pia")
    assert conversation.logged_in is None
    assert follow_up.ideal_by == conversation.met_at + timedelta(hours=48)


async def test_an_event_the_student_wasnt_going_to_lends_no_clubs_rules(storage: Storage) -> None:
    bot, event_id = await club_with_its_own_rules(storage)
    await bot.run_until(hours=6)
    fields = MetInput(name="Sam Lee", company="Deloitte", kind="networking")
    # Not going, in a DM: as if the event didn't exist, and nothing is saved.
    for command in (
        Met(fields=fields, at_event=event_id),
        parse_command(f"/met Sam Lee, Deloitte, networking event:#{event_id}"),
    ):
        refused = await ask(bot, member("pia", None), command)
        assert refused.is_error
        assert f"You haven't said you're going to an event #{event_id}" in refused.plain_text()
    # Another club's channel: that club's events only.
    other = Channel("C77", "finance-club")
    await say(bot, "zed", "/club setup Finance Club", other)
    outsider = member("zed", other, workspace="T1")
    refused = await ask(bot, outsider, Met(fields=fields, where=other.id, at_event=event_id))
    assert refused.is_error
    assert "Deloitte Night" not in refused.plain_text()
    stranger = member("pia", None, workspace="T9")
    assert (await ask(bot, stranger, Met(fields=fields, at_event=event_id))).is_error
    for who in ("pia", "zed"):
        async with storage.session() as uow:
            person = await uow.people.get(Address("slack", "T1", who))
            assert person is None or person.id is None or not await uow.follow_ups.open(person.id)
