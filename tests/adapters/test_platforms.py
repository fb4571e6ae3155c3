"""The platform names the adapters put in addresses are the ones the rest of the bot keys on."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters import cli
from adapters.discord import PLATFORM as DISCORD
from adapters.slack import PLATFORM as SLACK
from bot.domain import Address, Person
from bot.messengers import RoutingMessenger
from bot.ports import Delivered, RetryAfter, requests_for
from bot.replies import Reply
from bot.testing import FakeMessenger


def test_pacing_and_the_runner_know_each_adapters_platform() -> None:
    pytest.importorskip("discord")
    from adapters.discord.runtime import DiscordRuntime, DiscordSettings
    from adapters.slack.config import SlackConfig
    from adapters.slack.runtime import SlackRuntime

    assert set(cli.RUNTIMES) == {SLACK, DISCORD}
    # Each platform's pace rules count sends of its own people: keys name the platform.
    slack = SlackRuntime(SlackConfig(bot_token="xoxb-1", app_token="xapp-1", messages_per_minute=7))
    discord = DiscordRuntime(DiscordSettings(token="t"))
    for platform, rules in ((SLACK, slack.pace_rules), (DISCORD, discord.pace_rules)):
        assert rules
        assert all(rule.key.startswith(f"{platform}:") for rule in rules)
    assert [rule.count for rule in slack.pace_rules] == [7, 1]
    # The console has no runtime: it runs without a token.
    assert cli.wanted_platforms({"SLACK_APP_TOKEN": " x ", "DISCORD_TOKEN": ""}) == [SLACK]
    assert cli.wanted_platforms({}) == []


async def test_dms_go_to_their_platforms_messenger() -> None:
    slack, discord = FakeMessenger(), FakeMessenger()
    routing = RoutingMessenger({SLACK: slack, DISCORD: discord})
    when = datetime(2026, 3, 6, tzinfo=UTC)
    to_slack = Person(Address(SLACK, "T1", "U1"), when)
    to_discord = Person(Address(DISCORD, "G1", "1"), when)
    assert await routing.send_dm(to_slack, Reply.text("hi"), key="nudge-1") == Delivered()
    assert await routing.send_dm(to_discord, Reply.text("hi"), key="nudge-2") == Delivered()
    assert [dm.key for dm in slack.sent] == ["nudge-1"]
    assert [dm.key for dm in discord.sent] == ["nudge-2"]
    # A platform this process doesn't serve is left for one that does, not failed.
    elsewhere = await routing.send_dm(
        Person(Address("teams", "X", "1"), when), Reply.text("hi"), key="nudge-3"
    )
    assert isinstance(elsewhere, RetryAfter)
    assert not elsewhere.tried


async def test_a_dm_counts_the_requests_of_its_platforms_messenger() -> None:
    pytest.importorskip("discord")
    from adapters.discord.messenger import DiscordMessenger

    discord = DiscordMessenger("t")
    routing = RoutingMessenger({SLACK: FakeMessenger(), DISCORD: discord})
    when = datetime(2026, 3, 6, tzinfo=UTC)
    to_discord = Person(Address(DISCORD, "G1", "1"), when)
    to_slack = Person(Address(SLACK, "T1", "U1"), when)
    # Discord opens a DM channel with someone new first: two requests, asked through the
    # router as of Discord's messenger; a messenger that doesn't count them makes one.
    for _ in range(2):
        assert requests_for(routing, to_discord) == 2
        assert requests_for(discord, to_discord) == 2
        assert requests_for(routing, to_slack) == 1
        assert requests_for(FakeMessenger(), to_discord) == 1
        assert requests_for(routing, Person(Address("teams", "X", "1"), when)) == 1
