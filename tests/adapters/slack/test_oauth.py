"""OAuth installs in several workspaces: install pages, tokens kept by slack_sdk's store in our
database, commands and DMs per workspace, and an uninstall deleting the install."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import aiohttp
import pytest
from slack_bolt.response import BoltResponse
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.slack.authorize import NOT_INSTALLED, SORRY
from adapters.slack.blocks import FormContext, met_modal
from adapters.slack.runtime import SlackRuntime
from adapters.slack.testing import (
    FakeSlack,
    Scripted,
    command_body,
    event_body,
    interaction_body,
    signed_headers,
    slack_error,
    view_submission_payload,
)
from bot.bootstrap import Bot
from bot.testing import FakeClock
from tests.adapters.conftest import ConfigureLog
from tests.adapters.slack.conftest import (
    SECRET,
    WHATEVER_AUTH_TEST_SAYS,
    SlackHarness,
    bot_on,
    settle,
)

# slack_sdk's oauth.v2.access call builds an aiohttp.BasicAuth, deprecated since aiohttp 3.14
# (it still works; slack_sdk will have to change before aiohttp 4).
pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")

NEW_TEAM = "T0NEW"
CLIENT_SECRET = "client-secret-value"
STUDENT = "U0NEWSTUDENT"


@dataclass
class Installed:
    harness: SlackHarness
    url: str
    # The state of the last install started, to look for in the logs.
    state: str = ""

    async def install(self, team: str) -> int:
        """Click "Add to Slack" and come back from Slack's consent page with a code."""
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{self.url}/slack/install") as page:
                assert page.status == 200
                html = await page.text()
                cookie = page.headers["Set-Cookie"]
            state = re.search(r"state=([\w-]+)", html)
            assert state is not None
            assert "scope=commands,chat:write,im:write,im:history,users:read,files:write" in html
            assert f"state={state.group(1)}" in cookie
            self.state = state.group(1)
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


def oauth_env(slack: FakeSlack) -> dict[str, str]:
    """The settings of an app installed by OAuth, in HTTP mode, against `slack`."""
    return {
        "SLACK_CLIENT_ID": "1111.2222",
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_BASE_URL": slack.api_url,
        "PORT": "0",
        "SLACK_HTTP_HOST": "127.0.0.1",
    }


@pytest.fixture
async def oauth(
    slack: FakeSlack, engine: AsyncEngine, clock: FakeClock
) -> AsyncIterator[Installed]:
    runtime = SlackRuntime.from_env(oauth_env(slack))
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


async def test_a_workspace_that_never_installed_gets_nothing(
    oauth: Installed, caplog: pytest.LogCaptureFixture
) -> None:
    harness, slack = oauth.harness, oauth.harness.slack
    caplog.set_level(logging.INFO)
    for count in (1, 2):
        response = await oauth.log_met(team="T0STRANGER")
        assert response.status == 200
        assert response.body == ""  # acked at once; told afterwards
        answer = await harness.answer(count=count)
        assert "followup-bot isn't installed in this workspace" in answer["text"]
        assert answer["response_type"] == "ephemeral"
    assert slack.calls_to("users.info") == []  # no token to ask with, nothing recorded
    assert slack.calls_to("auth.test") == []
    # Logged once, at INFO: a stranger is not an error of ours.
    about = [r for r in caplog.records if "T0STRANGER" in r.getMessage()]
    assert [r.levelno for r in about] == [logging.INFO]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_form_from_a_workspace_that_never_installed_shows_why(oauth: Installed) -> None:
    harness = oauth.harness
    view = met_modal(harness.bot.rulebook, FormContext())
    payload = view_submission_payload(
        user_id=STUDENT, view=view, values={"name": "Jane Doe"}, team_id="T0STRANGER"
    )
    body = interaction_body(payload)
    response = await harness.post(body, headers=signed_headers(SECRET, body))
    assert response.status == 200
    assert json.loads(response.body) == {
        "response_action": "errors",
        "errors": {"name": NOT_INSTALLED},
    }


@WHATEVER_AUTH_TEST_SAYS
async def test_commands_are_authorized_from_the_installs_whatever_auth_test_says(
    oauth: Installed, trouble: Scripted
) -> None:
    assert await oauth.install(NEW_TEAM) == 200
    harness, slack = oauth.harness, oauth.harness.slack
    installing = len(slack.calls_to("auth.test"))  # the install asks it for the bot's id
    slack.script("auth.test", trouble, trouble, trouble)
    started = time.monotonic()
    response = await oauth.log_met(team=NEW_TEAM)
    acked = time.monotonic() - started
    assert response.status == 200
    assert acked < 1.0  # far inside Slack's 3 seconds
    answer = await harness.answer()
    assert "Saved: Jane Doe at Acme" in str(answer["blocks"])
    assert len(slack.calls_to("auth.test")) == installing  # not asked per command
    (profile,) = slack.calls_to("users.info")
    assert profile.token == f"xoxb-{NEW_TEAM}-installed"


async def test_an_install_that_cant_be_read_is_not_called_not_installed(
    oauth: Installed, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert await oauth.install(NEW_TEAM) == 200
    harness = oauth.harness
    installations = harness.runtime.workspaces.installations
    assert installations is not None

    async def database_away(workspace: str) -> None:
        raise OperationalError("SELECT ...", {}, ConnectionRefusedError())

    monkeypatch.setattr(installations, "bot_for", database_away)
    response = await oauth.log_met(team=NEW_TEAM)
    assert response.status == 200
    answer = await harness.answer()
    assert answer["text"] == SORRY
    assert "isn't installed" not in answer["text"]


# The loggers of the Slack stack: the adapter's own and those of the libraries it drives. (The
# database driver's DEBUG lines quote SQL parameters, a state among them: the bot's log
# redaction elides those, checked through it below.)
SLACK_STACK = ("adapters.", "slack_bolt", "slack_sdk", "aiohttp")


def logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        r.getMessage() + "\n" + (r.exc_text or "")
        for r in caplog.records
        if r.name.startswith(SLACK_STACK)
    )


async def test_an_install_logs_no_code_state_or_secret(
    oauth: Installed, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert await oauth.install(NEW_TEAM) == 200
    text = logged(caplog)
    assert "/slack/oauth_redirect" in text
    assert "oauth.v2.access" in text  # the Web API's DEBUG lines are there, blanked
    for secret in (f"code-{NEW_TEAM}", oauth.state, CLIENT_SECRET, f"xoxb-{NEW_TEAM}-installed"):
        assert secret not in text, secret


async def test_an_install_logs_no_code_or_state_as_the_operator_sees_it(
    oauth: Installed, log_output: ConfigureLog
) -> None:
    stream = log_output("DEBUG", "text", {"SLACK_CLIENT_SECRET": CLIENT_SECRET})
    assert await oauth.install(NEW_TEAM) == 200
    states = [oauth.state]
    oauth.harness.slack.script("oauth.v2.access", slack_error("invalid_code"))
    assert await oauth.install(NEW_TEAM) != 200
    states.append(oauth.state)
    text = stream.getvalue()
    assert "oauth.v2.access" in text
    for secret in (f"code-{NEW_TEAM}", *states, CLIENT_SECRET, f"xoxb-{NEW_TEAM}-installed"):
        assert secret not in text, secret


async def test_a_failed_install_logs_no_code_or_state(
    oauth: Installed, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    oauth.harness.slack.script("oauth.v2.access", slack_error("invalid_code"))
    assert await oauth.install(NEW_TEAM) != 200
    text = logged(caplog)
    assert "Failed to fetch oauth.v2.access result" in text
    assert "invalid_code" in text
    assert f"code-{NEW_TEAM}" not in text
    assert oauth.state not in text
    assert CLIENT_SECRET not in text


async def test_a_replayed_callback_logs_no_state(
    oauth: Installed, caplog: pytest.LogCaptureFixture
) -> None:
    assert await oauth.install(NEW_TEAM) == 200
    caplog.set_level(logging.DEBUG)
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"{oauth.url}/slack/oauth_redirect",
            params={"code": f"code-{NEW_TEAM}", "state": oauth.state},
            headers={"Cookie": f"slack-app-oauth-state={oauth.state}"},
        ) as back,
    ):
        assert back.status == 401  # the state was used up by the install
    text = logged(caplog)
    assert oauth.state not in text
    assert f"code-{NEW_TEAM}" not in text


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
