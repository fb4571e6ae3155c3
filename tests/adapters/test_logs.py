"""The log an operator reads (adapters/logs.py): text as always or one JSON object a line, and
nothing secret or typed by a student in it, whoever wrote the record."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from adapters import cli
from bot.config import ConfigError, Settings
from tests.adapters.conftest import ConfigureLog

OWN_FILE = str(Path(cli.__file__))  # a record written by the bot's own code
LIBRARY_FILE = "/usr/lib/python3/site-packages/somelib/client.py"  # and by a library's

BOT_TOKEN = "xoxb-1234-5678-abcdefghijkl"
SIGNING_SECRET = "0123456789abcdef0123456789abcdef"
DISCORD_TOKEN = "plain-looking-discord-secret"
DB_PASSWORD = "correct-horse-battery"
ENV = {
    "SLACK_BOT_TOKEN": BOT_TOKEN,
    "SLACK_SIGNING_SECRET": SIGNING_SECRET,
    "DISCORD_TOKEN": DISCORD_TOKEN,
    "DATABASE_URL": f"postgresql+asyncpg://bot:{DB_PASSWORD}@db:5432/followup",
    "SOME_NEW_API_KEY": "a-key-nobody-told-us-about",
}
SECRETS = (BOT_TOKEN, SIGNING_SECRET, DISCORD_TOKEN, DB_PASSWORD, "a-key-nobody-told-us-about")


def emit(
    logger: str,
    message: str,
    *args: object,
    pathname: str = OWN_FILE,
    level: int = logging.INFO,
    **extra: object,
) -> None:
    """Log as if from `pathname` (the filter tells the bot's records from libraries')."""
    record = logging.getLogger(logger).makeRecord(
        logger, level, pathname, 1, message, args, None, extra=extra or None
    )
    logging.getLogger(logger).handle(record)


def test_the_text_format_is_unchanged_by_default(log_output: ConfigureLog) -> None:
    output = log_output("INFO", Settings.from_env({}).log_format)
    emit("bot.scheduler", "sent %d nudges (%s)", 3, "on time")
    line = output.getvalue()
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO bot.scheduler: sent 3 nudges \(on time\)\n",
        line,
    ), line


def test_json_lines_carry_time_level_logger_message_and_context(log_output: ConfigureLog) -> None:
    output = log_output("DEBUG", "json")
    emit("adapters.discord.context", "/%s failed", "met", level=logging.ERROR, command="met")
    emit(
        "bot.dispatch", "nudge-%d: retry", 12, level=logging.WARNING, nudge_id=12, platform="slack"
    )
    emit("bot.scheduler", "a quiet sweep", level=logging.DEBUG)
    first, second, third = (json.loads(line) for line in output.getvalue().splitlines())
    assert datetime.fromisoformat(first["time"]).utcoffset() is not None
    assert first["time"].endswith("Z")
    assert first | {"time": None} == {
        "time": None,
        "level": "ERROR",
        "logger": "adapters.discord.context",
        "message": "/met failed",
        "platform": "discord",  # from the logger's name
        "command": "met",
    }
    assert (second["nudge_id"], second["platform"], second["level"]) == (12, "slack", "WARNING")
    assert set(third) == {"time", "level", "logger", "message"}


def test_an_exception_is_logged_by_its_type_and_frames_never_its_message(
    log_output: ConfigureLog,
) -> None:
    output = log_output("DEBUG", "json")
    contact = {"name": "Jane Doe", "company": "Acme"}  # the source lines show the key, not it
    try:
        try:
            raise RuntimeError(f"no row for {contact['name']}")
        except RuntimeError as err:
            raise ValueError(f"could not save {contact['name']} at {contact['company']}") from err
    except ValueError as err:
        # As bolt logs a listener's failure: its text in the message, its traceback after.
        logging.getLogger("adapters.slack.app").exception("listener failed (error: %s)", err)
    (entry,) = [json.loads(line) for line in output.getvalue().splitlines()]
    assert entry["error"] == "ValueError"
    assert entry["message"] == "listener failed (error: (message not logged))"
    trace = entry["exception"]
    assert contact["name"] not in trace
    assert contact["company"] not in trace
    assert "RuntimeError: (message not logged)" in trace
    assert "direct cause" in trace
    assert trace.endswith("ValueError: (message not logged)")
    assert "test_an_exception_is_logged_by_its_type_and_frames_never_its_message" in trace


def test_a_network_or_platform_error_keeps_its_message(log_output: ConfigureLog) -> None:
    output = log_output("DEBUG", "text")
    try:
        raise ConnectionRefusedError(111, "Connect call failed ('10.0.0.5', 5432)")
    except OSError:
        logging.getLogger("bot.storage").warning("database down", exc_info=True)
    assert (
        "ConnectionRefusedError (errno 111): [Errno 111] Connect call failed" in output.getvalue()
    )


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_configured_secrets_are_scrubbed_from_every_record(
    log_output: ConfigureLog, log_format: str
) -> None:
    output = log_output("DEBUG", log_format, env=ENV)
    # A library nobody has read yet, logging a secret in plain words: scrubbed by its value.
    emit(
        "newlib", "connecting with %s and %s", DISCORD_TOKEN, SIGNING_SECRET, pathname=LIBRARY_FILE
    )
    emit("sqlalchemy.engine", "url %s", ENV["DATABASE_URL"], pathname=LIBRARY_FILE)
    # The bot's own records too, whatever a careless log call hands them.
    emit("bot.x", "token %s key %s", BOT_TOKEN, ENV["SOME_NEW_API_KEY"], level=logging.ERROR)
    logged = output.getvalue()
    for secret in SECRETS:
        assert secret not in logged, f"{secret!r} logged"
    assert "postgresql+asyncpg://bot:[redacted]@db:5432/followup" in logged


@pytest.mark.parametrize(
    ("message", "secret"),
    [
        ("auth with xoxb-99-88-zzzzzzzzzz", "xoxb-99-88-zzzzzzzzzz"),
        ("socket with xapp-1-A0-123-ffff", "xapp-1-A0-123-ffff"),
        ("refresh xoxe.xoxp-1-Mi0yLTE0", "xoxe.xoxp-1-Mi0yLTE0"),
        (
            "login MTA5ODc2NTQzMjEwOTg3NjU0Mw.GAbCdE.abcdefghijklmnopqrstuvwxyz0123",
            "MTA5ODc2NTQzMjEwOTg3NjU0Mw.GAbCdE.abcdefghijklmnopqrstuvwxyz0123",
        ),
        ("headers {'Authorization': 'Bot some-token-value'}", "some-token-value"),
        ("Authorization: Bearer abcdefgh12345678", "abcdefgh12345678"),
        ('payload {"id": "1", "token": "aW50ZXJhY3Rpb24"}', "aW50ZXJhY3Rpb24"),
        ("POST /api/v10/interactions/123/aW50ZXJhY3Rpb24/callback", "aW50ZXJhY3Rpb24"),
        ("PATCH /api/v10/webhooks/456/aW50ZXJhY3Rpb24/messages/@original", "aW50ZXJhY3Rpb24"),
        ("GET /slack/oauth_redirect?code=4242.abcd&state=s7a7e", "4242.abcd"),
        ("GET /slack/oauth_redirect?code=4242.abcd&state=s7a7e", "s7a7e"),
        ("Failed to fetch oauth.v2.access result with code: 4242.abcd", "4242.abcd"),
        ("respond to https://hooks.slack.com/commands/T1/22/sEcReT", "sEcReT"),
        ("X-Slack-Signature: v0=" + "ab" * 32, "ab" * 32),
        ("token=verif&team_id=T1&text=hello", "verif"),
    ],
)
def test_credential_shaped_strings_are_scrubbed_even_when_not_configured(
    log_output: ConfigureLog, message: str, secret: str
) -> None:
    output = log_output("DEBUG", "text")
    emit("adapters.slack.runtime", "%s", message, level=logging.DEBUG)
    assert secret not in output.getvalue()
    assert "[redacted]" in output.getvalue()


def test_library_payloads_are_elided_keeping_what_they_were(log_output: ConfigureLog) -> None:
    output = log_output("DEBUG", "json")
    event = {
        "op": 0,
        "t": "INTERACTION_CREATE",
        "s": 4,
        "d": {"data": {"options": [{"type": 3, "name": "name", "value": "Jane Doe"}]}},
    }
    emit("discord.gateway", "WebSocket Event: %s", event, pathname=LIBRARY_FILE)
    emit(
        "slack_sdk.web.async_base_client",
        "Sending a request - url: POST https://slack.com/api/chat.postMessage, "
        "json: {'channel': 'D1', 'text': 'email to Jane Doe at Acme'}, headers: {}",
        pathname=LIBRARY_FILE,
    )
    emit(
        "adapters.slack.socket_mode",
        'Received message (type: TEXT, data: \'{"payload": {"text": "Jane Doe"}}\', session: s1)',
        pathname=LIBRARY_FILE,
    )
    emit(
        "sqlalchemy.engine.Engine",
        "[generated in %s] %r",
        "0.01s",
        ("Jane Doe", "Acme", 3),
        pathname=LIBRARY_FILE,
    )
    emit(
        "slack_sdk.socket_mode",
        "Failed (error: {'ok': False, 'error': 'invalid_auth'})",
        pathname=LIBRARY_FILE,
    )
    emit(
        "aiohttp.access",
        '10.0.0.1 "GET /slack/oauth_redirect?code=x1y2&state=z HTTP/1.1" 200',
        pathname=LIBRARY_FILE,
    )
    messages = [json.loads(line)["message"] for line in output.getvalue().splitlines()]
    assert messages == [
        "WebSocket Event: {op=0, t=INTERACTION_CREATE, …}",
        "Sending a request - url: POST https://slack.com/api/chat.postMessage, json: {…}, headers: {…}",
        "Received message (type: TEXT, data: '…', session: s1)",
        "[generated in 0.01s] ('…', '…', 3)",
        "Failed (error: {ok=False, error=invalid_auth, …})",
        '10.0.0.1 "GET /slack/oauth_redirect?… HTTP/1.1" 200',
    ]


def test_the_bots_own_records_are_not_elided(log_output: ConfigureLog) -> None:
    output = log_output("INFO", "text")
    emit("adapters.slack.http", "Slack: rejected a request (%s)", "timestamp 'too old'")
    assert output.getvalue().endswith("Slack: rejected a request (timestamp 'too old')\n")


def test_configuring_again_replaces_the_handler(log_output: ConfigureLog) -> None:
    first = log_output("INFO", "text")
    second = log_output("INFO", "json")
    emit("bot.x", "once")
    assert first.getvalue() == ""
    assert json.loads(second.getvalue())["message"] == "once"


@pytest.mark.parametrize(("name", "value"), [("LOG_FORMAT", "xml"), ("LOG_LEVEL", "verbose")])
def test_a_log_setting_that_cant_be_used_is_named(name: str, value: str) -> None:
    with pytest.raises(
        ConfigError, match=f"^{name}: “{value.upper() if name == 'LOG_LEVEL' else value}”"
    ):
        Settings.from_env({name: value})


def test_log_format_json_is_read_from_the_environment() -> None:
    assert Settings.from_env({"LOG_FORMAT": " JSON "}).log_format == "json"
    assert Settings.from_env({}).log_format == "text"


def test_the_command_line_stops_on_a_bad_log_format(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOG_FORMAT", "xml")
    assert cli.main(["check-rules"]) == 2
    assert "LOG_FORMAT" in capsys.readouterr().err


async def test_sql_parameters_stay_out_of_a_debug_log(log_output: ConfigureLog) -> None:
    output = log_output("DEBUG", "text")
    engine = create_async_engine("sqlite+aiosqlite://")
    try:
        async with engine.connect() as connection:
            await connection.execute(
                text("SELECT :name, :company"), {"name": "Jane Doe", "company": "Acme"}
            )
    finally:
        await engine.dispose()
    logged = output.getvalue()
    # aiosqlite logs each call with its statement and parameters at DEBUG: by its method only.
    assert "DEBUG aiosqlite: executing functools.partial(<built-in method execute" in logged
    assert "Jane Doe" not in logged
    assert "Acme" not in logged


def test_followup_bot_writes_json_lines_to_stderr(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        "DISCORD_TOKEN": "a-discord-token-never-logged",  # a platform is set: INFO is shown
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
    }
    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    entries = [json.loads(line) for line in done.stderr.splitlines()]
    assert any(e["logger"] == "bot.storage.migrate" for e in entries), done.stderr
    assert all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    assert "a-discord-token-never-logged" not in done.stderr


def test_a_calendar_links_secret_is_redacted_wherever_it_is_logged() -> None:
    from adapters.logs import Redactor
    from bot.calendar_feed import feed_url, new_token

    token = new_token()
    url = feed_url("https://followups.example.org", token)
    scrubbed = Redactor().scrub(f"fetched {url} for a student; GET /calendar/{token}.ics 200")
    assert token not in scrubbed
    assert scrubbed.count("/calendar/[redacted]") == 2
