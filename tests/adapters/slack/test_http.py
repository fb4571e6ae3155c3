"""HTTP mode through the real server: only requests Slack signed, fresh, get through."""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import AsyncIterator

import aiohttp
import pytest

from adapters.logs import Redactor
from adapters.slack.config import SlackConfig
from adapters.slack.runtime import SlackRuntime
from adapters.slack.testing import FakeSlack, command_body, signed_headers
from bot.bootstrap import build_bot
from bot.config import Settings
from bot.testing import FakeClock
from tests.adapters.slack.conftest import SECRET, STUDENT, env_for

NOW = 1_772_827_200  # the server's clock, fixed: ages below are exact
PUBLIC = "https://followups.example.org"


@pytest.fixture
async def server(
    slack: FakeSlack, tmp_path: os.PathLike[str], clock: FakeClock
) -> AsyncIterator[str]:
    """The runtime serving HTTP on a free port of 127.0.0.1; its events URL."""
    runtime = SlackRuntime(SlackConfig.from_env(env_for(slack)), now=lambda: float(NOW))
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/http.db", public_url=PUBLIC)
    bot = await build_bot(
        settings, clock=clock, messengers={"slack": runtime.messenger}, scheduled=False
    )
    runtime.attach(bot)
    serving = asyncio.create_task(runtime.serve())
    async with asyncio.timeout(5):
        await runtime.ready.wait()
    assert runtime.http is not None
    try:
        yield f"http://127.0.0.1:{runtime.http.port}"
    finally:
        serving.cancel()
        with pytest.raises(asyncio.CancelledError):
            await serving
        await bot.close()


def body(slack: FakeSlack, text: str) -> str:
    return command_body("/followups", text, user_id=STUDENT, response_url=slack.response_url())


async def post(url: str, data: str | bytes, headers: dict[str, str]) -> int:
    headers = {"Content-Type": "application/x-www-form-urlencoded"} | headers
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{url}/slack/events", data=data, headers=headers) as response,
    ):
        return response.status


def signed(payload: str, *, age: int = 0) -> dict[str, str]:
    return signed_headers(SECRET, payload, timestamp=NOW - age)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("valid", 200),
        ("body changed by one byte", 401),
        ("no timestamp", 401),
        ("no signature", 401),
        ("no headers", 401),
        ("301 s old", 401),
        ("301 s ahead", 401),
        ("299 s old", 200),
        ("299 s ahead", 200),
        ("timestamp not a number", 401),
        ("timestamp with a sign", 401),
        ("signed with another secret", 401),
    ],
)
async def test_the_signature_matrix(
    server: str, slack: FakeSlack, case: str, expected: int, caplog: pytest.LogCaptureFixture
) -> None:
    payload = body(slack, "help")
    headers = signed(payload)
    data: str = payload
    match case:
        case "body changed by one byte":
            data = payload.replace("help", "helq")
        case "no timestamp":
            del headers["X-Slack-Request-Timestamp"]
        case "no signature":
            del headers["X-Slack-Signature"]
        case "no headers":
            headers = {}
        case "301 s old":
            headers = signed(payload, age=301)
        case "301 s ahead":
            headers = signed(payload, age=-301)
        case "299 s old":
            headers = signed(payload, age=299)
        case "299 s ahead":
            headers = signed(payload, age=-299)
        case "timestamp not a number":
            headers["X-Slack-Request-Timestamp"] = "soon"
        case "timestamp with a sign":
            stamp = f"+{NOW}"
            headers = {
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": signed_headers(SECRET, payload, timestamp=NOW)[
                    "X-Slack-Signature"
                ],
            }
        case "signed with another secret":
            headers = signed_headers("another-secret", payload, timestamp=NOW)
    with caplog.at_level(logging.DEBUG):
        assert await post(server, data, headers) == expected
    if expected == 200:
        (answer,) = await slack.wait_for("response_url:command")
        assert "Your follow-ups" in str(answer.args["blocks"])
    if expected == 401:
        await asyncio.sleep(0.1)
        # Nothing was done: no profile looked up, no answer sent.
        assert [c.method for c in slack.calls] == ["auth.test"]
        # Rejected requests are logged by reason, never with their body.
        assert all("help" not in r.getMessage() for r in caplog.records)
        assert any("rejected a request" in r.getMessage() for r in caplog.records)


async def test_a_body_that_isnt_utf8_is_refused(server: str) -> None:
    raw = b"command=%2Ffollowups&text=\xff\xfe"
    headers = signed_headers(SECRET, raw.decode("latin-1"), timestamp=NOW)
    assert await post(server, raw, headers) == 400


async def test_slacks_url_verification(server: str) -> None:
    payload = '{"token":"x","challenge":"c-123","type":"url_verification"}'
    headers = signed(payload) | {"Content-Type": "application/json"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{server}/slack/events", data=payload, headers=headers) as r,
    ):
        assert r.status == 200
        assert (await r.json()) == {"challenge": "c-123"}


async def test_health_check(server: str) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{server}/healthz") as response,
    ):
        assert response.status == 200
        assert await response.text() == "ok"


async def test_the_calendar_link_is_served_here_and_never_logged(
    server: str, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    payload = body(slack, "calendar")
    with caplog.at_level(logging.DEBUG):
        assert await post(server, payload, signed(payload)) == 200
        (answer,) = await slack.wait_for("response_url:command")
        found = re.search(r"/calendar/([A-Za-z0-9_-]{43})\.ics", str(answer.args["blocks"]))
        assert found is not None
        assert f"{PUBLIC}/calendar/" in str(answer.args["blocks"])
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{server}{found.group(0)}") as response:
                assert response.status == 200
                assert response.content_type == "text/calendar"
                assert (await response.read()).startswith(b"BEGIN:VCALENDAR")
            async with session.get(f"{server}/calendar/{'A' * 43}.ics") as response:
                assert response.status == 404
    access = " ".join(r.getMessage() for r in caplog.records if r.name == "aiohttp.access")
    assert "GET /calendar/… 200" in access
    assert found.group(1) not in access
    # What the libraries log at DEBUG (the answer's body) goes through the log's redaction.
    redactor = Redactor()
    for record in caplog.records:
        redactor.filter(record)
        assert found.group(1) not in record.getMessage()
