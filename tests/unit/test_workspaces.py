"""Workspaces in the core: a server's default zone (/server-tz), the once-only zone hint for
platforms that don't share zones, and the notices that come with a reply."""

from __future__ import annotations

import pytest

from bot.commands import ServerZone, parse_command
from bot.domain import Address
from bot.replies import NoticeKind, Reply, Section
from bot.services import FollowUpService, Requester
from bot.testing import InMemoryStorage

# Discord doesn't tell bots people's zones; the console and Slack do (or the default stands).
ALICE = Requester(Address("discord", "guild", "alice"), display_name="Alice", shares_zone=False)
BOB = Requester(Address("discord", "guild", "bob"), shares_zone=False)
ELSEWHERE = Requester(Address("discord", "other-guild", "carol"), shares_zone=False)
CONSOLE = Requester(Address("console", "ws", "dana"))


async def say(service: FollowUpService, who: Requester, text: str) -> Reply:
    return await service.handle(who, parse_command(text))


async def server_zone(service: FollowUpService, value: str = "") -> str:
    """The answer to /server-tz (without the notices that may come with it)."""
    reply = await service.handle(ALICE, ServerZone(value))
    return "\n\n".join(section.text for section in reply.sections)


def hints(reply: Reply) -> list[str]:
    return [n.section.text for n in reply.notices if n.kind is NoticeKind.ZONE_HINT]


# -- /server-tz --------------------------------------------------------------------------------


async def test_a_server_zone_is_shown_set_and_cleared(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    assert await server_zone(service) == (
        "This server has no default time zone: members who haven't set theirs see times in "
        "America/New_York. Set one with /server-tz zone:Europe/Berlin."
    )
    assert await server_zone(service, "europe/berlin") == (
        "This server's default time zone is now Europe/Berlin. Members who haven't set their "
        "own see times in it from their next command; anyone can still choose theirs with "
        "/followups settings tz."
    )
    workspace = memory_storage.tables.workspaces[("discord", "guild")]
    assert workspace.default_timezone == "Europe/Berlin"
    assert await server_zone(service) == (
        "This server's default time zone is Europe/Berlin. Members who haven't set their own "
        "see times in it. Change it with /server-tz zone:Europe/Berlin, or clear it with "
        "/server-tz zone:off."
    )
    assert await server_zone(service, "  OFF ") == (
        "This server's default time zone is cleared. Members who haven't set their own see "
        "times in America/New_York."
    )
    assert memory_storage.tables.workspaces[("discord", "guild")].default_timezone is None


@pytest.mark.parametrize("word", ["off", "none", "clear", "unset"])
async def test_every_clearing_word_clears(service: FollowUpService, word: str) -> None:
    await server_zone(service, "Asia/Tokyo")
    assert "is cleared" in await server_zone(service, word)


async def test_a_zone_that_isnt_one_changes_nothing(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    reply = await service.handle(ALICE, ServerZone("Mars/Olympus"))
    assert reply.is_error
    assert "isn't a time zone I know" in reply.plain_text()
    assert not reply.notices  # errors come alone
    assert ("discord", "guild") not in memory_storage.tables.workspaces


async def test_server_tz_is_about_the_server_not_the_manager(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    """A manager's /server-tz records nothing about them, and the notices meant for their own
    commands (the zone hint, DMs closed) neither come with it nor are used up by it."""
    reply = await service.handle(ALICE, ServerZone("Europe/Berlin"))
    assert not reply.notices
    assert memory_storage.tables.people == {}

    await say(service, ALICE, "/followups")
    async with memory_storage.session() as uow:
        alice = await uow.people.get(ALICE.address)
        assert alice is not None
        alice.undeliverable = "DMs closed"
        await uow.people.update(alice)
    assert not (await service.handle(ALICE, ServerZone("Asia/Tokyo"))).notices
    closed = await say(service, ALICE, "/followups")
    assert [n.kind for n in closed.notices] == [NoticeKind.DMS_CLOSED]


# -- the workspace's zone for its members --------------------------------------------------------


async def test_members_without_a_zone_see_times_in_the_servers(service: FollowUpService) -> None:
    await server_zone(service, "Europe/Berlin")
    shown = (await say(service, BOB, "/followups settings")).plain_text()
    assert "Time zone: Europe/Berlin (default; set yours)" in shown
    # Another server's default is not theirs to share.
    other = (await say(service, ELSEWHERE, "/followups settings")).plain_text()
    assert "Time zone: America/New_York" in other


async def test_their_own_zone_wins_over_the_servers(service: FollowUpService) -> None:
    await say(service, BOB, "/followups settings tz Asia/Kolkata")
    await server_zone(service, "Europe/Berlin")
    shown = (await say(service, BOB, "/followups settings")).plain_text()
    assert "Time zone: Asia/Kolkata\n" in shown


async def test_a_zone_the_platform_gives_wins_over_the_servers(service: FollowUpService) -> None:
    told = Requester(Address("discord", "guild", "erin"), timezone="Asia/Tokyo")
    await server_zone(service, "Europe/Berlin")
    shown = (await say(service, told, "/followups settings")).plain_text()
    assert "Time zone: Asia/Tokyo" in shown


# -- the zone hint -------------------------------------------------------------------------------


async def test_the_zone_hint_comes_once_after_the_first_command(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    first = await say(service, BOB, "/followups")
    assert hints(first) == [
        "Discord doesn't tell bots your time zone, so I'm using America/New_York for now. Set "
        "yours so nudges come at sensible hours: /followups settings tz (start typing your city)."
    ]
    assert first.shown_sections()[-1].title == "Your time zone"  # after the answer
    assert hints(await say(service, BOB, "/followups")) == []
    (person,) = memory_storage.tables.people.values()
    assert person.zone_hint_shown


async def test_the_zone_hint_names_the_servers_zone(service: FollowUpService) -> None:
    await server_zone(service, "Europe/Berlin")
    assert hints(await say(service, BOB, "/followups")) == [
        "I show times in Europe/Berlin, this server's time zone. If you live elsewhere, set "
        "yours with /followups settings tz (start typing your city)."
    ]


async def test_no_zone_hint_after_an_error_nor_for_who_set_a_zone(
    service: FollowUpService,
) -> None:
    error = await say(service, BOB, "/followups done 9")
    assert error.is_error
    assert not error.notices
    saved = await say(service, BOB, "/followups settings tz Europe/Berlin")
    assert hints(saved) == []
    assert hints(await say(service, BOB, "/followups")) == []  # told nothing, and never will be


async def test_no_zone_hint_where_the_platform_shares_zones(service: FollowUpService) -> None:
    assert hints(await say(service, CONSOLE, "/followups")) == []


# -- DMs closed ----------------------------------------------------------------------------------


async def test_closed_dms_come_first_then_the_answer_then_the_zone_hint(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    await say(service, BOB, "/met Jane Doe, Acme, interview")  # the hint was told here
    (person,) = memory_storage.tables.people.values()
    person.undeliverable = "DMs closed"
    person.zone_hint_shown = False
    reply = await say(service, BOB, "/followups")
    help = {NoticeKind.DMS_CLOSED: Section("open them", title="How")}
    titles = [s.title for s in reply.shown_sections(help=help)]
    assert titles == ["Your DMs are closed", "How", "Due soon (1)", None, "Your time zone"]
    assert "I couldn't send you a DM (DMs closed)" in reply.plain_text()
    assert not (await say(service, BOB, "/followups")).notices
