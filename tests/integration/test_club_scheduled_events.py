"""A Discord club that follows its server's Scheduled Events, on every storage: one club a
server follows them; an event that ends becomes the club's (its kind read from its name), its
interested members get the same prompts as those who clicked Going, once however often Discord
says so, and the digest counts it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.club_commands import ScheduledEventEnded
from bot.commands import parse_command
from bot.digests import AFTER_EVENT
from bot.domain import Address, Channel
from bot.errors import UserError
from bot.handlers.clubs import guess_kind
from bot.ports import Storage
from bot.replies import Reply
from bot.services import Requester
from bot.testing import TestBot, make_test_bot
from rules.engine import Rulebook

CLUB = Channel("930001", "career-club")
OTHER = Channel("930002", "finance-society")
GUILD = "920001"
INTERESTED = ("U1", "U2", "U3", "U2")  # U2 twice: Discord's pages may overlap


async def say(bot: TestBot, text: str, channel: Channel = CLUB, platform: str = "discord") -> Reply:
    requester = Requester(Address(platform, GUILD, "U0"), channel=channel, manages_workspace=True)
    return await bot.service.handle(requester, parse_command(text))


async def ended(bot: TestBot, name: str, *, at: datetime) -> Reply:
    command = ScheduledEventEnded(
        ref="940001", name=name, starts_at=at - timedelta(hours=2), ends_at=at,
        interested=INTERESTED, created_by="U0",
    )  # fmt: skip
    return await bot.service.handle(Requester(Address("discord", GUILD, "U0")), command)


async def test_one_club_a_server_follows_and_slack_has_no_scheduled_events(
    storage: Storage,
) -> None:
    bot = make_test_bot(storage)
    first = await say(bot, "/club setup Career Club follow:on")
    assert "It follows this server's Scheduled Events" in first.plain_text()
    await say(bot, "/club setup Finance Society", channel=OTHER)
    async with storage.session() as uow:
        following = await uow.clubs.following("discord", GUILD)
    assert following is not None
    assert following.name == "Career Club"
    moved = await say(bot, "/club setup follow:on", channel=OTHER)
    assert "this one now" in moved.plain_text()
    async with storage.session() as uow:
        following = await uow.clubs.following("discord", GUILD)
        career = await uow.clubs.get("discord", GUILD, CLUB.id)
    assert following is not None
    assert following.name == "Finance Society"
    assert career is not None
    assert not career.follows_scheduled_events
    off = await say(bot, "/club setup follow:off", channel=OTHER)
    assert "It doesn't follow this server's Scheduled Events." in off.plain_text()
    async with storage.session() as uow:
        assert await uow.clubs.following("discord", GUILD) is None
    slack = await say(bot, "/club setup Slack Club follow:on", platform="slack")
    assert slack.is_error
    assert "follow: is for Discord" in slack.plain_text()
    async with storage.session() as uow:
        assert await uow.clubs.get("slack", GUILD, CLUB.id) is None
    with pytest.raises(UserError, match="follow: takes on or off"):
        parse_command("/club setup follow:maybe")


async def test_an_ended_scheduled_event_prompts_its_interested_members_once(
    storage: Storage,
) -> None:
    bot = make_test_bot(storage)
    await say(bot, "/club setup Career Club tz:America/Chicago follow:on")
    now = bot.clock.now()
    taken = await ended(bot, "Spring Career Fair <@&123>", at=now)
    assert "3 going" in taken.plain_text()
    again = await ended(bot, "Spring Career Fair <@&123>", at=now)
    assert "already" in again.plain_text()
    async with storage.session() as uow:
        club = await uow.clubs.get("discord", GUILD, CLUB.id)
        assert club is not None
        assert club.id is not None
        (event,) = await uow.clubs.events_between(club.id, now - timedelta(days=1), now)
        assert (event.title, event.kind, event.scheduled_event) == (
            "Spring Career Fair <@&123>",
            "fair",
            "940001",
        )
        assert event.post_ref is None  # no card: the server shows its own event
        assert len(await uow.clubs.going_people(event.id or 0)) == 3
        assert await uow.digests.next_due_at() == now + AFTER_EVENT
    assert bot.messenger.posts == []
    bot.clock.advance(timedelta(hours=2))
    await bot.dispatcher.dispatch_due()
    prompted = sorted(dm.to.address.user for dm in bot.messenger.sent if dm.message.event_actions)
    assert prompted == ["U1", "U2", "U3"]
    labels = [a.label for a in bot.messenger.sent[0].message.event_actions]
    assert labels == ["Log who I met", "My priority list"]
    assert "How was Spring Career Fair <@&123>?" in bot.messenger.sent[0].message.plain_text()


async def test_without_a_following_club_an_ended_event_is_nobodys(storage: Storage) -> None:
    bot = make_test_bot(storage)
    await say(bot, "/club setup Career Club")
    reply = await ended(bot, "Mixer", at=bot.clock.now())
    assert reply.plain_text() == "No club of this server follows its Scheduled Events."
    async with storage.session() as uow:
        assert await uow.prompts.next_due_at() is None
        assert await uow.people.get(Address("discord", GUILD, "U1")) is None


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Spring Career Fair", "fair"),
        ("Deloitte Info Session", "group"),
        ("Tech-Talk: Kafka at scale", "group"),
        ("Alumni Mixer", "networking"),
        ("Game night", "networking"),
        ("Mock interview practice", "networking"),  # an interview is no club event
    ],
)
def test_a_scheduled_events_kind_is_read_from_its_name(
    name: str, kind: str, rulebook: Rulebook
) -> None:
    assert guess_kind(name, rulebook) == kind
