"""A Discord bot on the in-memory core, logged in against the fake HTTP layer
(`adapters.discord.testing`), with the dispatcher sending its DMs through the real messenger."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

pytest.importorskip("discord")

import discord  # after the skip: these tests need the [discord] extra

from adapters.discord.app import DiscordApp
from adapters.discord.messenger import DiscordMessenger
from adapters.discord.render import NO_MENTIONS
from adapters.discord.runtime import intents
from adapters.discord.testing import (
    GUILD_ID,
    TOKEN,
    FakeDiscordHTTP,
    InteractionFactory,
    RecordedRequest,
    buttons_of,
    deliver,
    last_message,
    logged_in,
)
from bot.bootstrap import scheduled_event_sweep
from bot.dispatch import Dispatcher, DispatchReport
from bot.domain import Address, Person
from bot.ports import Storage
from bot.services import FollowUpService
from bot.testing import TEST_START, FakeClock, make_test_bot
from tests.conftest import NEW_YORK

ALICE = 960000000000000001
BOB = 960000000000000002
ALICE_ADDRESS = Address("discord", str(GUILD_ID), str(ALICE))


# A conversation logged with /met in many tests.
JANE = {"name": "Jane Doe", "company": "Acme", "kind": "interview", "about": "Kafka"}


@dataclass
class DiscordBot:
    """The adapter under test, its fake Discord, the dispatcher, and ways to act as a user."""

    app: DiscordApp
    client: discord.Client
    http: FakeDiscordHTTP
    make: InteractionFactory
    service: FollowUpService
    storage: Storage
    clock: FakeClock
    messenger: DiscordMessenger
    dispatcher: Dispatcher

    async def send(self, payload: dict[str, Any]) -> list[RecordedRequest]:
        """Deliver an interaction; the requests the bot made while handling it."""
        before = len(self.http.requests)
        await deliver(self.client, payload)
        return self.http.requests[before:]

    async def command(
        self, path: str, options: dict[str, Any] | None = None, *, user: int = ALICE, **kwargs: Any
    ) -> dict[str, Any]:
        """Run a slash command as `user`; the message the bot answered with."""
        made = await self.send(self.make.command(path, options, user_id=user, **kwargs))
        return last_message(made)

    async def complete(
        self, path: str, options: dict[str, Any], focused: str, *, user: int = ALICE
    ) -> list[dict[str, Any]]:
        """Autocomplete `focused` as `user`; the choices offered."""
        made = await self.send(self.make.command(path, options, user_id=user, focused=focused))
        (answer,) = [r for r in made if r.callback_type == 8]
        choices: list[dict[str, Any]] = answer.json["data"]["choices"]
        return choices

    async def click(
        self, message: dict[str, Any], label: str, *, user: int = ALICE, guild_id: int | None = None
    ) -> list[RecordedRequest]:
        """Click the button labelled `label` on `message` as `user`."""
        (button,) = [b for b in buttons_of(message) if b["label"] == label]
        return await self.send(
            self.make.click(button["custom_id"], message, user_id=user, guild_id=guild_id)
        )

    async def pick(
        self,
        message: dict[str, Any],
        value: str,
        *,
        custom_id: str = "fu:pick:0",
        user: int = ALICE,
        guild_id: int | None = None,
    ) -> list[RecordedRequest]:
        """Pick the option `value` from the menu `custom_id` on `message` as `user`."""
        return await self.send(
            self.make.pick(custom_id, [value], message, user_id=user, guild_id=guild_id)
        )

    async def nudges_after(self, hours: float) -> tuple[DispatchReport, list[RecordedRequest]]:
        """Move the clock and send what falls due, through the Discord messenger."""
        self.clock.advance(timedelta(hours=hours))
        before = len(self.http.requests)
        with self.http.installed():
            report = await self.dispatcher.dispatch_due()
        return report, self.http.requests[before:]

    async def person(self, address: Address = ALICE_ADDRESS) -> Person:
        async with self.storage.session() as uow:
            person = await uow.people.get(address)
        assert person is not None
        return person


@pytest.fixture
async def discord_bot() -> AsyncIterator[DiscordBot]:
    # The real Discord messenger (to the fake HTTP, while it is installed) posts club cards and,
    # through the core's dispatcher, sends DMs.
    clock = FakeClock(TEST_START)
    messenger = DiscordMessenger(TOKEN, clock=clock)
    core = make_test_bot(clock=clock, public_url="https://followups.example.org", poster=messenger)
    client = discord.Client(intents=intents(), allowed_mentions=NO_MENTIONS)
    app = DiscordApp(client, core.service)
    fake = FakeDiscordHTTP()
    await logged_in(client, fake)
    dispatcher = Dispatcher(
        core.storage,
        messenger,
        core.clock,
        core.rulebook,
        default_zone=NEW_YORK,
        poster=messenger,
        event_ends=scheduled_event_sweep(
            core.storage, core.service, {"discord": messenger}, clock, "local"
        ),
    )
    try:
        yield DiscordBot(
            app,
            client,
            fake,
            InteractionFactory(),
            core.service,
            core.storage,
            core.clock,
            messenger,
            dispatcher,
        )
    finally:
        await client.close()
        await messenger.close()
    # Whatever a test did, nothing the bot sent or edited could ping anyone.
    for message in fake.messages():
        assert message.get("allowed_mentions") == {"parse": []}, message
