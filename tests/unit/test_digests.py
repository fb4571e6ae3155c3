"""Club digests count without naming anyone: after each event (its end + 48 h) and weekly when
organizers want it; a figure from fewer than 3 members reads "too few to report"; a student is
named only when they opted in to shout-outs, and a contact never."""

from __future__ import annotations

from bot.commands import parse_command
from bot.domain import Address, Channel
from bot.replies import DigestPost, Reply
from bot.services import Requester
from bot.testing import InMemoryStorage, TestBot

CLUB = Channel("C42", "career-club")
NIGHT = '/club event "Deloitte Night" when:"fri 6pm-8pm" kind:networking'
# Who each member met there: names, companies and topics that must never reach the channel.
MET = {
    "max": "Priya Raman, Deloitte, networking, audit careers and her move to London",
    "nia": "Tom O'Brien, Deloitte, networking, the graduate scheme",
    "oscar": "Ana Ruiz, Deloitte, networking, consulting interviews",
    "pia": "Sam Lee, Deloitte, networking, her team",
}


def member(user: str, channel: Channel | None = CLUB) -> Requester:
    return Requester(
        Address("slack", "T1", user), display_name=user.title(), channel=channel,
        timezone="America/New_York",
    )  # fmt: skip


async def say(bot: TestBot, who: str, text: str, channel: Channel | None = CLUB) -> Reply:
    reply = await bot.service.handle(member(who, channel), parse_command(text))
    assert not reply.is_error, reply.plain_text()
    return reply


async def meet(bot: TestBot, who: str, *, done: bool) -> None:
    """`who` logs their conversation at the event from a DM; `done` sends its follow-up."""
    await say(bot, who, f'/met {MET[who]} event:"Deloitte Night" when:"today 7pm"', channel=None)
    if done:
        await say(bot, who, "/followups done 1", channel=None)


def digests(bot: TestBot) -> list[DigestPost]:
    return [digest for _, digest in bot.messenger.digests]


async def set_up(bot: TestBot) -> None:
    await say(bot, "olive", "/club setup Career Club tz:America/New_York")
    await say(bot, "olive", NIGHT)


async def test_an_events_digest_counts_48_hours_after_it_and_names_nobody(bot: TestBot) -> None:
    await set_up(bot)
    await bot.run_until(hours=4)  # Friday 19:00: at the event
    for who in ("max", "nia", "oscar"):
        await meet(bot, who, done=True)
    await meet(bot, "pia", done=False)
    await bot.run_until(hours=47)
    assert digests(bot) == []  # not before the ideal window closes (Sunday 20:00)
    await bot.run_until(hours=2)
    (digest,) = digests(bot)
    assert digest.title == "After Deloitte Night: how Career Club followed up"
    assert digest.lines[:4] == (
        "Members who logged conversations: 4",
        "Conversations logged: 4",
        "Follow-ups sent on time: 3",
        "Still open: too few to report",  # one member's: it would point at her
    )
    assert digest.lines[4].startswith(
        "Still open? The guide says a late follow-up is still fine for 21 days after an event."
    )
    text = digest.plain_text()
    for secret in ("Priya", "Raman", "Tom", "Ana", "Sam", "audit", "graduate", "Max", "Nia"):
        assert secret not in text
    assert len(digest.lines) == 5  # no shout-outs: nobody opted in
    await bot.run_until(hours=24 * 30)
    assert len(digests(bot)) == 1  # once


async def test_fewer_than_three_members_are_too_few_to_report(bot: TestBot) -> None:
    await set_up(bot)
    await bot.run_until(hours=4)
    await meet(bot, "max", done=True)
    await meet(bot, "nia", done=True)
    await bot.run_until(hours=24 * 3)
    (digest,) = digests(bot)
    assert digest.lines[:4] == (
        "Members who logged conversations: too few to report",
        "Conversations logged: too few to report",
        "Follow-ups sent on time: too few to report",
        "Still open: too few to report",
    )


async def test_members_who_opted_in_get_a_shout_out_and_nothing_more(bot: TestBot) -> None:
    await set_up(bot)
    await say(bot, "max", "/followups settings name Max Mustermann", channel=None)
    await say(bot, "max", "/followups settings shoutouts on", channel=None)
    await say(bot, "nia", "/followups settings shoutouts on", channel=None)
    await bot.run_until(hours=4)
    await meet(bot, "max", done=True)
    await meet(bot, "nia", done=False)  # opted in, but hasn't followed up: not thanked
    await meet(bot, "oscar", done=True)  # followed up, but didn't opt in
    await bot.run_until(hours=24 * 3)
    (digest,) = digests(bot)
    assert digest.lines[-1] == "Shout-out for following up on time: Max Mustermann!"
    assert "Nia" not in digest.plain_text()
    assert "Oscar" not in digest.plain_text()
    assert "Priya" not in digest.plain_text()


async def test_a_cancelled_event_gets_no_digest_and_a_moved_one_follows(
    bot: TestBot, memory_storage: InMemoryStorage
) -> None:
    await set_up(bot)
    (night,) = memory_storage.tables.club_events
    await say(bot, "olive", '/club event "Mixer" when:"sat 5pm-6pm" kind:networking')
    mixer = max(memory_storage.tables.club_events)
    await say(bot, "olive", f"/club cancel {mixer}")
    await say(bot, "olive", f'/club edit {night} when:"tue 6pm-8pm"')
    await bot.run_until(hours=24 * 5)
    assert digests(bot) == []  # Tuesday 20:00 + 48 h is Thursday
    await bot.run_until(hours=24 * 2)
    assert [d.title for d in digests(bot)] == ["After Deloitte Night: how Career Club followed up"]


async def test_a_weekly_digest_comes_when_organizers_want_it_until_they_turn_it_off(
    bot: TestBot,
) -> None:
    await say(bot, "olive", "/club setup Career Club tz:America/New_York")
    refused = await bot.service.handle(member("max"), parse_command("/club digest weekly mon 9:00"))
    assert refused.is_error
    assert "only the organizers of Career Club" in refused.plain_text()
    reply = await say(bot, "olive", "/club digest weekly mon 9:00")
    assert reply.plain_text() == (
        "This club now gets a weekly digest on Mondays at 09:00 (America/New_York time); "
        "the first on Mon 9 Mar 09:00 EDT."
    )
    await bot.run_until(hours=24 * 3)  # to Monday 15:00
    (weekly,) = digests(bot)
    assert weekly.title == "Career Club this week: how members followed up"
    assert weekly.lines[0] == "Members who logged conversations: too few to report"
    await bot.run_until(hours=24 * 7)
    assert len(digests(bot)) == 2  # the next Monday's
    await say(bot, "olive", "/club digest off")
    await bot.run_until(hours=24 * 14)
    assert len(digests(bot)) == 2
    shown = await say(bot, "max", "/club digest")
    assert "and no weekly digest" in shown.plain_text()
