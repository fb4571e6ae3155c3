"""OAuth installs in several workspaces: install pages, tokens kept by slack_sdk's store in our
database, commands and DMs per workspace, and an uninstall deleting the install."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import aiohttp
import pytest
from slack_bolt.response import BoltResponse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.slack.runtime import SlackRuntime
from adapters.slack.testing import (
    FakeSlack,
    command_body,
    event_body,
    signed_headers,
)
from bot.bootstrap import Bot
from bot.testing import FakeClock
from tests.adapters.slack.conftest import SECRET, SlackHarness, bot_on, settle

# slack_sdk's oauth.v2.access call builds an aiohttp.BasicAuth, deprecated since aiohttp 3.14
# (it still works; slack_sdk will have to change before aiohttp 4).
pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")

NEW_TEAM = "T0NEW"
STUDENT = "U0NEWSTUDENT"


@dataclass
class Installed:
    harness: SlackHarness
    url: str

    async def install(self, team: str) -> int:
        """Click "Add to Slack" and come back from Slack's consent page with a code."""
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{self.url}/slack/install") as page:
                assert page.status == 200
                html = await page.text()
                cookie = page.headers["Set-Cookie"]
            state = re.search(r"state=([\w-]+)", html)
            assert state is not None
            assert "scope=commands,chat:write,im:write,users:read" in html
            assert f"state={state.group(1)}" in cookie
            async with session.get(
                f"{self.url}/slack/oauth_redirect",
                params={"code": f"code-{team}", "state": state.group(1)},
                headers={"Cookie": cookie.split(";")[0]},
            ) as back:
                return back.status

    async def log_met(self, *, team: str) -> BoltResponse:
        """A student in `team` logs a conversation with /met, signed as Slack signs it."""
        body = command_body(
            "/met",
            "Jane Doe, Acme, interview",
            user_id=STUDENT,
            team_id=team,
            response_url=self.harness.slack.response_url(),
        )
        return await self.harness.post(body, headers=signed_headers(SECRET, body))


@pytest.fixture
async def oauth(
    slack: FakeSlack, engine: AsyncEngine, clock: FakeClock
) -> AsyncIterator[Installed]:
    env = {
        "SLACK_CLIENT_ID": "1111.2222",
        "SLACK_CLIENT_SECRET": "client-secret-value",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_BASE_URL": slack.api_url,
        "PORT": "0",
        "SLACK_HTTP_HOST": "127.0.0.1",
    }
    runtime = SlackRuntime.from_env(env)
    bot: Bot = await bot_on(engine, clock, runtime)
    serving = asyncio.create_task(runtime.serve())
    async with asyncio.timeout(5):
        await runtime.ready.wait()
    assert runtime.http is not None
    try:
        yield Installed(
            SlackHarness(runtime, bot, slack, clock), f"http://127.0.0.1:{runtime.http.port}"
        )
    finally:
        await settle()
        serving.cancel()
        with pytest.raises(asyncio.CancelledError):
            await serving


async def installs(engine: AsyncEngine) -> list[tuple[str, str]]:
    async with engine.connect() as connection:
        rows = await connection.execute(text("SELECT team_id, bot_token FROM slack_bots"))
        return [(row[0], row[1]) for row in rows]


async def test_install_then_commands_and_dms_use_that_workspaces_token(
    oauth: Installed, engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        assert await oauth.install(NEW_TEAM) == 200
    # The access log names paths, never the OAuth code in the query string.
    assert any("/slack/oauth_redirect" in r.getMessage() for r in caplog.records)
    assert not any(f"code-{NEW_TEAM}" in r.getMessage() for r in caplog.records)
    assert await installs(engine) == [(NEW_TEAM, f"xoxb-{NEW_TEAM}-installed")]
    harness, slack = oauth.harness, oauth.harness.slack
    await oauth.log_met(team=NEW_TEAM)
    answer = await harness.answer()
    assert "Saved: Jane Doe at Acme" in str(answer["blocks"])
    (profile,) = slack.calls_to("users.info")
    assert profile.token == f"xoxb-{NEW_TEAM}-installed"

    harness.clock.advance(timedelta(hours=24))
    report = await harness.bot.dispatcher.dispatch_due()
    assert report.sent == 1
    (dm,) = slack.calls_to("chat.postMessage")
    assert dm.token == f"xoxb-{NEW_TEAM}-installed"


async def test_a_workspace_that_never_installed_gets_nothing(oauth: Installed) -> None:
    harness, slack = oauth.harness, oauth.harness.slack
    response = await oauth.log_met(team="T0STRANGER")
    assert response.status == 200
    answer = await harness.answer()
    assert "followup-bot isn't installed in this workspace" in answer["text"]
    assert slack.calls_to("users.info") == []  # no token to ask with, nothing recorded


async def test_uninstall_deletes_the_install_and_stops_dms(
    oauth: Installed, engine: AsyncEngine
) -> None:
    assert await oauth.install(NEW_TEAM) == 200
    harness, slack = oauth.harness, oauth.harness.slack
    await oauth.log_met(team=NEW_TEAM)
    await harness.answer()
    event = event_body({"type": "app_uninstalled"}, team_id=NEW_TEAM)
    assert (await harness.post(event, headers=signed_headers(SECRET, event))).status == 200
    await settle()
    assert await installs(engine) == []
    harness.clock.advance(timedelta(hours=24))
    calls = len(slack.calls)
    report = await harness.bot.dispatcher.dispatch_due()
    assert report.cancelled == 1
    assert len(slack.calls) == calls

    # Installed again: DMs resume (the next nudge goes out).
    assert await oauth.install(NEW_TEAM) == 200
    harness.clock.advance(timedelta(hours=19))
    assert (await harness.bot.dispatcher.dispatch_due()).sent == 1
