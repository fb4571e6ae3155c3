"""Clubs in the core: /club setup makes a channel a club; its organizers are its founder, those
they add and the workspace's admins; anyone else is refused and nothing changes."""

from __future__ import annotations

import pytest

from bot.club_commands import ClubOrganizers, ClubSetup, ShowClub, parse_club, user_reference
from bot.commands import parse_command
from bot.domain import Address, Channel
from bot.errors import UserError
from bot.replies import Reply
from bot.services import FollowUpService, Requester
from bot.testing import InMemoryStorage

CLUB = Channel("C42", "career-club")
OTHER = Channel("C43", "finance-society")


def member(user: str, *, channel: Channel | None = CLUB, admin: bool = False) -> Requester:
    return Requester(
        Address("slack", "T1", user), display_name=user.title(), channel=channel,
        manages_workspace=admin,
    )  # fmt: skip


async def say(service: FollowUpService, who: Requester, text: str) -> Reply:
    return await service.handle(who, parse_command(text))


def text(reply: Reply) -> str:
    return "\n".join(section.text for section in reply.sections)


async def test_setup_makes_the_channel_a_club_in_the_founders_zone(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    reply = await say(service, member("alice"), "/club setup")
    assert not reply.is_error
    assert text(reply).startswith(
        "This channel is now the club career-club, in America/New_York time."
    )
    (club,) = memory_storage.tables.clubs.values()
    assert (club.platform, club.workspace, club.channel) == ("slack", "T1", "C42")
    assert club.created_by == "alice"
    named = await say(
        service, member("bob", channel=OTHER), '/club setup "Finance Society" tz:europe/london'
    )
    assert "the club Finance Society, in Europe/London time" in text(named)


async def test_only_organizers_change_a_club_and_a_refusal_changes_nothing(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    await say(service, member("alice"), "/club setup Career Club")
    before = memory_storage.tables.clubs.copy()
    refused = await say(service, member("bob"), "/club setup Bob's Club tz:UTC")
    assert refused.is_error
    assert text(refused) == (
        "Sorry, only the organizers of Career Club can change its set-up. Ask one of them "
        "(/club organizers shows who they are)."
    )
    refused = await say(service, member("bob"), "/club organizers add @bob")
    assert refused.is_error
    assert "only the organizers of Career Club" in text(refused)
    assert memory_storage.tables.clubs == before
    assert memory_storage.tables.club_organizers == {}
    # A workspace admin organizes every club without being added.
    assert not (await say(service, member("root", admin=True), "/club setup tz:UTC")).is_error
    (club,) = memory_storage.tables.clubs.values()
    assert (club.name, club.timezone) == ("Career Club", "UTC")


async def test_the_founder_adds_and_removes_organizers_who_then_organize(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    await say(service, member("alice"), "/club setup Career Club")
    await say(service, member("bob"), "/club")  # Bob has used the bot: his name is known
    assert text(await say(service, member("alice"), "/club organizers add <@bob|bob>")) == (
        "Bob is now an organizer of this club."
    )
    assert text(await say(service, member("alice"), "/club organizers add @bob")) == (
        "Bob is an organizer already."
    )
    assert not (await say(service, member("bob"), "/club setup tz:Europe/Paris")).is_error
    shown = text(await say(service, member("carol"), "/club organizers"))
    assert shown == "Alice (set the club up)\nBob\nand the workspace's admins"
    assert text(await say(service, member("alice"), "/club organizers remove @bob")) == (
        "Bob is no longer an organizer of this club."
    )
    assert (await say(service, member("bob"), "/club setup tz:UTC")).is_error
    kept = await say(service, member("alice"), "/club organizers remove @alice")
    assert kept.is_error
    assert text(kept) == "Alice set the club up and stays one of its organizers."
    assert next(iter(memory_storage.tables.clubs.values())).timezone == "Europe/Paris"


async def test_club_commands_need_a_channel_and_a_club(service: FollowUpService) -> None:
    in_dm = await say(service, member("alice", channel=None), "/club setup")
    assert in_dm.is_error
    assert "use /club in the channel your club meets in" in text(in_dm)
    not_yet = await say(service, member("alice"), "/club")
    assert not_yet.is_error
    assert text(not_yet) == (
        "This channel isn't a club yet. An organizer can make it one with /club setup."
    )
    # The same channel id in another workspace is another channel.
    await say(service, member("alice"), "/club setup")
    elsewhere = Requester(Address("slack", "T2", "alice"), channel=CLUB)
    assert (await service.handle(elsewhere, ShowClub())).is_error


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("/club setup tz:Mars/Olympus", "isn't a time zone"),
        ("/club setup " + "Very Long Club Name " * 6, "up to 100 characters"),
        ("/club setup Club when:now", "“when:” isn't an option here"),
        ("/club organizers add", "Usage: /club organizers"),
        ("/club organizers add bob and carol", "Who? Mention them"),
        ("/club organizers promote @bob", "Usage: /club organizers"),
        ("/club setpu", "Did you mean /club setup?"),
    ],
)
async def test_bad_club_input_is_explained_and_changes_nothing(
    service: FollowUpService, memory_storage: InMemoryStorage, typed: str, problem: str
) -> None:
    try:
        reply = await say(service, member("alice"), typed)
    except UserError as err:  # refused by the parser, before the service
        message = str(err)
    else:
        assert reply.is_error
        message = text(reply)
    assert problem in message
    assert memory_storage.tables.clubs == {}


def test_mentions_are_read_on_every_platform() -> None:
    assert user_reference("<@U12AB|alice>") == "U12AB"
    assert user_reference("<@!123456789012>") == "123456789012"
    assert user_reference(" @alice ") == "alice"
    assert user_reference("@alice @bob") is None
    assert user_reference("<!channel>") is None
    assert parse_club('setup "Career Club" tz:UTC') == ClubSetup("Career Club", "UTC")
    assert parse_club("organisers") == ClubOrganizers()
