"""Club events in the core: organizers post, edit and cancel them, and their cards follow in
the channel; Going is private (the card counts, never names); Log who I met fills /met's form."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.commands import parse_command, plan_from_form
from bot.domain import Address, Channel
from bot.errors import UserError
from bot.met import MetInput
from bot.ports import PermanentFailure
from bot.replies import FairPrefill, Reply
from bot.services import Requester
from bot.testing import InMemoryStorage, TestBot

CLUB = Channel("C42", "career-club")
OTHER = Channel("C43", "finance-society")
NIGHT = '/club event "Deloitte Night" when:"thu 6pm-8pm" kind:networking'
FAIR = '/club event "Spring Fair" when:"sat 10am-2pm" kind:"career fair" companies:"Acme, Globex"'


def member(user: str, channel: Channel | None = CLUB) -> Requester:
    return Requester(Address("slack", "T1", user), display_name=user.title(), channel=channel)


async def say(bot: TestBot, who: str, text: str, channel: Channel | None = CLUB) -> Reply:
    return await bot.service.handle(member(who, channel), parse_command(text))


def text(reply: Reply) -> str:
    return "\n".join(section.text for section in reply.sections)


@pytest.fixture
async def club(bot: TestBot) -> TestBot:
    await say(bot, "olive", "/club setup Career Club tz:America/Chicago")
    return bot


def event_ids(storage: InMemoryStorage) -> list[int]:
    return sorted(storage.tables.club_events)


async def test_an_organizer_posts_an_event_and_its_card_goes_to_the_channel(
    club: TestBot, memory_storage: InMemoryStorage
) -> None:
    reply = await say(club, "olive", NIGHT)
    (event_id,) = event_ids(memory_storage)
    assert text(reply).startswith(
        f"Posted Deloitte Night (#{event_id}) in the channel: Thu 12 Mar 18:00–20:00 CDT."
    )
    (post,) = club.messenger.posts
    assert post.channel == "C42"
    assert post.card.plain_text() == (
        "Deloitte Night\nThu 12 Mar 18:00–20:00 CDT · networking event\n"
        "Nobody has said they're going yet."
    )
    assert [label for _, label, _ in post.card.buttons] == ["Going", "Log who I met"]
    assert memory_storage.tables.club_events[event_id].post_ref == post.ref
    await say(club, "olive", FAIR)
    assert club.messenger.posts[1].card.companies == ("Acme", "Globex")


async def test_members_cant_post_or_change_events(
    club: TestBot, memory_storage: InMemoryStorage
) -> None:
    refused = await say(club, "max", NIGHT)
    assert refused.is_error
    assert "only the organizers of Career Club can post its events" in text(refused)
    await say(club, "olive", NIGHT)
    (event_id,) = event_ids(memory_storage)
    for typed in (f'/club edit {event_id} title:"Max Night"', f"/club cancel {event_id}"):
        assert (await say(club, "max", typed)).is_error
    assert memory_storage.tables.club_events[event_id].title == "Deloitte Night"
    assert not memory_storage.tables.club_events[event_id].cancelled
    assert club.messenger.updates == 0


async def test_going_is_counted_on_the_card_and_never_named(
    club: TestBot, memory_storage: InMemoryStorage
) -> None:
    await say(club, "olive", NIGHT)
    (event_id,) = event_ids(memory_storage)
    for who in ("max", "nia", "oscar"):
        reply = await say(club, who, f"/club going {event_id}")
        assert text(reply).startswith("You're going to Deloitte Night. Only you see this")
    assert club.messenger.posts[0].card.going_text == "3 people are going."
    again = await say(club, "nia", f"/club going {event_id}")
    assert text(again) == "You're no longer going to Deloitte Night."
    card = club.messenger.posts[0].card
    assert card.going == 2
    for name in ("max", "Max", "nia", "Nia", "oscar", "Oscar"):
        assert name not in card.plain_text()
    # From another club's channel, the event reads like none.
    await say(club, "olive", "/club setup", channel=OTHER)
    elsewhere = await say(club, "max", f"/club going {event_id}", channel=OTHER)
    assert elsewhere.is_error
    assert "This club has no event" in text(elsewhere)


async def test_going_ends_with_the_event_and_its_cancellation(
    club: TestBot, memory_storage: InMemoryStorage
) -> None:
    await say(club, "olive", NIGHT)
    await say(club, "olive", FAIR)
    night, fair = event_ids(memory_storage)
    await say(club, "olive", f"/club cancel {fair}")
    assert club.messenger.posts[1].card.plain_text().startswith("Spring Fair (cancelled)")
    assert club.messenger.posts[1].card.buttons == ()
    cancelled = await say(club, "max", f"/club going {fair}")
    assert cancelled.is_error
    assert text(cancelled) == "Spring Fair is cancelled."
    club.clock.advance(timedelta(days=7))
    over = await say(club, "max", f"/club going {night}")
    assert over.is_error
    assert "is over already" in text(over)


async def test_an_edit_updates_the_card_in_place(
    club: TestBot, memory_storage: InMemoryStorage
) -> None:
    await say(club, "olive", NIGHT)
    (event_id,) = event_ids(memory_storage)
    reply = await say(
        club, "olive", f'/club edit {event_id} when:"fri 5pm" title:"Deloitte Night: Round 2"'
    )
    assert text(reply) == (
        f"Saved: Deloitte Night: Round 2 (#{event_id}), Fri 6 Mar 17:00–19:00 CST. "
        "Its card is updated."
    )
    (post,) = club.messenger.posts
    assert post.card.title == "Deloitte Night: Round 2"
    assert club.messenger.updates == 1


async def test_events_are_listed_upcoming_then_recent(
    club: TestBot, memory_storage: InMemoryStorage
) -> None:
    empty = await say(club, "max", "/club events")
    assert text(empty) == "Career Club has no upcoming or recent events."
    await say(club, "olive", FAIR)
    await say(club, "olive", NIGHT)
    fair, night = event_ids(memory_storage)
    club.clock.advance(timedelta(days=2))  # the fair (Saturday) is over
    listed = await say(club, "max", "/club events")
    assert [s.title for s in listed.sections] == ["Upcoming", "Recent"]
    assert listed.sections[0].text == (
        f"#{night} Deloitte Night · Thu 12 Mar 18:00–20:00 CDT · networking event · 0 going"
    )
    assert listed.sections[1].text.startswith(f"#{fair} Spring Fair · Sat 7 Mar")
    assert "2 companies" in listed.sections[1].text


async def test_log_who_i_met_fills_in_the_event_and_its_kind(
    club: TestBot, memory_storage: InMemoryStorage
) -> None:
    await say(club, "olive", FAIR)
    (event_id,) = event_ids(memory_storage)
    reply = await say(club, "max", f"/club log {event_id}")
    assert reply.met_form == MetInput(kind="fair", event="Spring Fair")
    assert f"event:#{event_id}" in text(reply)


async def test_a_card_that_couldnt_be_posted_is_explained_and_posted_on_the_next_change(
    club: TestBot, memory_storage: InMemoryStorage
) -> None:
    club.messenger.post_answers.append(
        PermanentFailure("I'm not a member of the channel", concerns_person=False)
    )
    reply = await say(club, "olive", NIGHT)
    assert not reply.is_error  # the event is saved
    assert [s.title for s in reply.sections][-1] == "The card isn't up to date"
    assert "I'm not a member of the channel" in reply.sections[-1].text
    assert club.messenger.posts == []
    (event_id,) = event_ids(memory_storage)
    await say(club, "olive", f"/club edit {event_id} kind:networking")
    (post,) = club.messenger.posts
    assert memory_storage.tables.club_events[event_id].post_ref == post.ref


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ('/club event "Night" when:"thu 6pm" kind:banquet', "isn't a kind of event I know"),
        ('/club event "Night" when:"thu 6pm" kind:netwroking', "Did you mean networking?"),
        ('/club event "Night" when:"yesterday" kind:networking', "isn't a time I can read"),
        ('/club event "Night" kind:networking', "needs a title, when: and kind:"),
        ('/club event "' + "A" * 101 + '" when:"thu 6pm" kind:networking', "up to 100"),
        (
            '/club event "Fair" when:"thu 6pm" kind:networking companies:"'
            + ", ".join(f"Company {n}" for n in range(41))
            + '"',
            "up to 40 companies",
        ),
        ("/club edit 999 title:Y", "This club has no event #999"),
        ("/club edit 1", "Say what to change"),
        ("/club cancel x", "isn't an event number"),
    ],
)
async def test_bad_event_input_is_explained_and_changes_nothing(
    club: TestBot, memory_storage: InMemoryStorage, typed: str, problem: str
) -> None:
    try:
        reply = await say(club, "olive", typed)
    except UserError as err:  # refused by the parser, before the service
        message = str(err)
    else:
        assert reply.is_error
        message = text(reply)
    assert problem in message
    assert memory_storage.tables.club_events == {}
    assert club.messenger.posts == []


async def test_a_fairs_card_offers_my_priority_list_and_other_cards_dont(club: TestBot) -> None:
    await say(club, "olive", NIGHT)
    await say(club, "olive", FAIR)
    night, fair = club.messenger.posts
    assert [label for _, label, _ in night.card.buttons] == ["Going", "Log who I met"]
    assert [(label, typed) for _, label, typed in fair.card.buttons] == [
        ("Going", f"/club going {fair.card.event_id}"),
        ("My priority list", f"/club fair {fair.card.event_id}"),
        ("Log who I met", f"/club log {fair.card.event_id}"),
    ]
    refused = await say(club, "max", f"/club fair {night.card.event_id}")
    assert refused.is_error
    assert refused.plain_text() == (
        "Deloitte Night isn't a career fair: a priority list is for a fair's companies."
    )


async def test_my_priority_list_fills_in_the_fair_form_then_shows_the_list_and_whats_missing(
    club: TestBot, memory_storage: InMemoryStorage
) -> None:
    await say(club, "olive", FAIR)
    fair_id = club.messenger.posts[0].card.event_id
    first = await say(club, "amy", f"/club fair {fair_id}")
    assert first.fair_prefill == FairPrefill("Spring Fair", "2026-03-07", "Acme\nGlobex")
    assert first.plain_text().endswith(
        'To type it: /fair plan "Spring Fair" Acme, Globex when:2026-03-07'
    )
    assert not memory_storage.tables.fair_lists  # a form filled in, nothing saved yet
    # Amy orders and tiers them in the form, and saves it.
    prefill = first.fair_prefill
    assert prefill is not None
    saved = await club.service.handle(
        member("amy"), plan_from_form(prefill.name, "Globex:1\nAcme:2", prefill.when)
    )
    assert "Planned Spring Fair: 2 companies in order of interest." in saved.plain_text()
    again = await say(club, "amy", f"/club fair {fair_id}")
    assert again.fair_prefill is None
    shown = again.plain_text()
    assert shown.startswith("Your priority list for Spring Fair has all the fair's companies.")
    assert "1. Globex (tier 1): not visited yet" in shown
    assert "2. Acme (tier 2): not visited yet" in shown
    # The organizers add a company: Amy's list says it is missing and how to add it.
    await say(club, "olive", f'/club edit {fair_id} companies:"Acme, Globex, Initech Labs"')
    missing = (await say(club, "amy", f"/club fair {fair_id}")).plain_text()
    added = '/fair add "Spring Fair" Initech Labs'
    assert missing.startswith(
        "Not on your list for Spring Fair yet, of the fair's companies: Initech Labs. "
        f"To add them: {added} (a tier after a colon, like Initech Labs:2)."
    )
    assert "3. Initech Labs (tier 2)" in (await say(club, "amy", added, channel=None)).plain_text()
    # Ben's click is his own: no list of his yet, nothing of Amy's.
    bens = await say(club, "ben", f"/club fair {fair_id}")
    assert bens.fair_prefill == FairPrefill(
        "Spring Fair", "2026-03-07", "Acme\nGlobex\nInitech Labs"
    )
    assert "Globex (tier 1)" not in bens.plain_text()


async def test_a_met_logged_at_the_fair_matches_the_list_made_from_its_card(
    club: TestBot,
) -> None:
    await say(club, "olive", FAIR)
    fair_id = club.messenger.posts[0].card.event_id
    await say(club, "amy", f"/club going {fair_id}")
    await club.service.handle(
        member("amy"), plan_from_form("Spring Fair", "Globex:1\nAcme:2", "2026-03-07")
    )
    club.clock.advance(timedelta(days=1))  # at the fair, Saturday
    log = await say(club, "amy", f"/club log {fair_id}")
    assert log.met_form == MetInput(kind="fair", event="Spring Fair")
    met = await say(
        club, "amy", '/met Jane Doe, Globex Inc., fair, asked about their graduate scheme '
        'event:"Spring Fair"', channel=None,
    )  # fmt: skip
    assert "On your Spring Fair list: Globex (“Globex Inc.” matched), tier 1" in met.plain_text()
    shown = (await say(club, "amy", f"/club fair {fair_id}")).plain_text()
    assert "1. Globex (tier 1): Jane Doe, career fair chat" in shown


async def test_the_dm_after_a_fair_offers_the_priority_list_to_the_members_who_went(
    club: TestBot,
) -> None:
    await say(club, "olive", FAIR)
    await say(club, "olive", NIGHT)
    fair_id, night_id = (post.card.event_id for post in club.messenger.posts)
    await say(club, "amy", f"/club going {fair_id}")
    await say(club, "amy", f"/club going {night_id}")
    club.clock.advance(timedelta(days=7))
    await club.dispatcher.dispatch_due()
    prompts = {dm.message.event_actions[0].event_id: dm.message for dm in club.messenger.sent}
    assert [a.label for a in prompts[fair_id].event_actions] == [
        "Log who I met",
        "My priority list",
    ]
    assert f"your priority list for it: /club fair {fair_id}" in prompts[fair_id].plain_text()
    assert [a.label for a in prompts[night_id].event_actions] == ["Log who I met"]
    # Clicked in the DM, where there's no club's channel: the fair she was going to.
    from_dm = await say(club, "amy", f"/club fair {fair_id}", channel=None)
    assert from_dm.fair_prefill is not None
    assert from_dm.fair_prefill.companies == "Acme\nGlobex"
    others = await say(club, "ben", f"/club fair {fair_id}", channel=None)
    assert others.is_error
    assert others.fair_prefill is None
