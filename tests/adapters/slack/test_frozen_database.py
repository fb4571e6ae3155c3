"""A database that stops answering: Slack still gets its ack at once (the repeat check waits
until after it), and the student is told to try again within a few seconds, with nothing of
their command saved."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, make_url, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.slack.authorize import INSTALL_WAIT
from adapters.slack.dedupe import CLAIM_WAIT
from adapters.slack.runtime import SlackRuntime
from adapters.slack.testing import FakeSlack
from bot.messages import DATABASE_AWAY
from bot.services import Requester
from bot.storage.schema import conversations, people
from bot.storage.sql import create_engine
from bot.testing import FakeClock
from tests.adapters.slack.conftest import SlackHarness, bot_on, env_for, settle
from tests.adapters.slack.test_oauth import NEW_TEAM, Installed, oauth_env
from tests.conftest import PG_URL, postgres_schema

# The database timeout these bots run with (DATABASE_TIMEOUT): longer than Slack waits for an
# ack, so that an ack that waited for the database would come too late.
TIMEOUT = 3.5
# Slack shows the student an error when a command isn't acked within 3 seconds.
SLACK_ACK_LIMIT = 3.0
# The repeat check gives up waiting after CLAIM_WAIT, the command after the timeout; then the
# answer is posted (with a margin for a busy machine).
ANSWERED_WITHIN = CLAIM_WAIT + TIMEOUT + 2


@contextlib.contextmanager
def sqlite_write_lock(path: Path) -> Iterator[None]:
    """Another process's write lock on the file: every transaction of the bot waits."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@contextlib.asynccontextmanager
async def postgres_tables_locked(engine: AsyncEngine) -> AsyncIterator[None]:
    """Another connection holding every table a command touches, the repeat check's included:
    PostgreSQL answers nothing about them until it lets go."""
    async with engine.connect() as holder:
        await holder.execute(
            text(
                "LOCK TABLE people, conversations, follow_ups, nudges, workspaces, bot_state, "
                "slack_bots "
                "IN ACCESS EXCLUSIVE MODE"
            )
        )
        yield
        await holder.rollback()


@contextlib.asynccontextmanager
async def timed_engine(
    backend: str, tmp_path: os.PathLike[str]
) -> AsyncIterator[tuple[AsyncEngine, contextlib.AbstractAsyncContextManager[None]]]:
    """An engine with the timeout on a fresh database, and a way to freeze that database."""
    if backend == "sqlite":
        path = Path(tmp_path) / "frozen.db"
        engine = create_engine(f"sqlite+aiosqlite:///{path}", timeout=TIMEOUT)

        @contextlib.asynccontextmanager
        async def freeze() -> AsyncIterator[None]:
            with sqlite_write_lock(path):
                yield

        yield engine, freeze()
        await engine.dispose()
        return
    async with postgres_schema("frozen") as schema:
        search_path = {"server_settings": {"search_path": schema}}
        engine = create_engine(PG_URL, timeout=TIMEOUT, connect_args=search_path)
        holder = create_engine(PG_URL, connect_args=search_path)
        yield engine, postgres_tables_locked(holder)
        await engine.dispose()
        await holder.dispose()


class StalledNetwork:
    """A loopback TCP proxy to PostgreSQL that, while stalled (until `flowing` is set again),
    passes nothing on either way: a database that stops answering without closing anything,
    which only the client's own timeout notices."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.flowing = asyncio.Event()
        self.flowing.set()
        self._pipes: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._connected, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def _connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            pipe = asyncio.create_task(self._pipe(source, sink))
            self._pipes.add(pipe)
            pipe.add_done_callback(self._pipes.discard)

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(65536):
                await self.flowing.wait()
                sink.write(data)
                await sink.drain()
        except OSError:
            pass  # the other side hung up
        finally:
            sink.close()

    async def close(self) -> None:
        assert self._server is not None
        self._server.close()
        for pipe in list(self._pipes):
            pipe.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)
        await self._server.wait_closed()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def frozen(
    request: pytest.FixtureRequest, tmp_path: os.PathLike[str], slack: FakeSlack, clock: FakeClock
) -> AsyncIterator[tuple[SlackHarness, contextlib.AbstractAsyncContextManager[None]]]:
    """A bot on a database with the timeout, and a way to freeze that database."""
    runtime = SlackRuntime.from_env(env_for(slack))
    async with timed_engine(request.param, tmp_path) as (engine, freeze):
        harness = SlackHarness(runtime, await bot_on(engine, clock, runtime), slack, clock)
        yield harness, freeze
        await settle()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def frozen_oauth(
    request: pytest.FixtureRequest, tmp_path: os.PathLike[str], slack: FakeSlack, clock: FakeClock
) -> AsyncIterator[tuple[Installed, contextlib.AbstractAsyncContextManager[None]]]:
    """The same with OAuth installs, whose tokens are in that database too."""
    runtime = SlackRuntime.from_env(oauth_env(slack))
    async with timed_engine(request.param, tmp_path) as (engine, freeze):
        bot = await bot_on(engine, clock, runtime)
        serving = asyncio.create_task(runtime.serve())
        async with asyncio.timeout(5):
            await runtime.ready.wait()
        assert runtime.http is not None
        url = f"http://127.0.0.1:{runtime.http.port}"
        yield Installed(SlackHarness(runtime, bot, slack, clock), url), freeze
        await settle()
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await serving


async def count(engine: AsyncEngine) -> tuple[int, int]:
    async with engine.connect() as db:
        found = await db.execute(
            select(
                select(func.count()).select_from(people).scalar_subquery(),
                select(func.count()).select_from(conversations).scalar_subquery(),
            )
        )
        row = found.one()
        return int(row[0]), int(row[1])


async def test_a_frozen_database_is_acked_at_once_and_answered_try_again(
    frozen: tuple[SlackHarness, contextlib.AbstractAsyncContextManager[None]],
) -> None:
    harness, freeze = frozen
    async with freeze:
        started = time.monotonic()
        acked = await harness.command("/met", "Jane Doe, Acme, interview, talked about Kafka")
        assert acked.status == 200
        assert time.monotonic() - started < SLACK_ACK_LIMIT
        (answer,) = await harness.slack.wait_for("response_url:command", within=ANSWERED_WITHIN)
        assert time.monotonic() - started < ANSWERED_WITHIN
        assert answer.args["text"] == DATABASE_AWAY
        assert answer.args["response_type"] == "ephemeral"
    assert harness.bot.engine is not None
    assert await count(harness.bot.engine) == (0, 0)  # nothing of the command was saved

    # Once the database answers again, so does the bot: the same words, typed again.
    await harness.command("/met", "Jane Doe, Acme, interview, talked about Kafka", reply_to="again")
    assert (await harness.answer("again"))["text"].startswith("Saved: Jane Doe at Acme")
    assert await count(harness.bot.engine) == (1, 1)


async def test_a_click_on_a_frozen_database_is_acked_at_once_and_answered_try_again(
    frozen: tuple[SlackHarness, contextlib.AbstractAsyncContextManager[None]],
) -> None:
    harness, freeze = frozen
    await harness.command("/met", "Jane Doe, Acme, interview")
    (done,) = [
        element["value"]
        for block in (await harness.answer())["blocks"]
        for element in block.get("elements", [])
        if element.get("text", {}).get("text") == "Done"
    ]
    async with freeze:
        started = time.monotonic()
        acked = await harness.click(done)
        assert acked.status == 200
        assert time.monotonic() - started < SLACK_ACK_LIMIT
        (answer,) = await harness.slack.wait_for("response_url:click", within=ANSWERED_WITHIN)
        assert answer.args["text"] == DATABASE_AWAY
    follow_ups = await harness.bot.service.open_follow_ups(Requester(harness.address()))
    assert len(follow_ups) == 1  # still open: the click changed nothing


# As in test_oauth: slack_sdk's oauth.v2.access builds an aiohttp.BasicAuth, deprecated.
@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")
async def test_with_oauth_a_frozen_database_is_acked_at_once_for_a_known_workspace(
    frozen_oauth: tuple[Installed, contextlib.AbstractAsyncContextManager[None]],
) -> None:
    oauth, freeze = frozen_oauth
    harness = oauth.harness
    assert await oauth.install(NEW_TEAM) == 200
    await oauth.log_met(team=NEW_TEAM)
    assert (await harness.answer())["text"].startswith("Saved: Jane Doe at Acme")
    async with freeze:  # the installs' table too, on PostgreSQL
        started = time.monotonic()
        acked = await oauth.log_met(team=NEW_TEAM)
        assert acked.status == 200
        assert time.monotonic() - started < SLACK_ACK_LIMIT
        answered = await harness.slack.wait_for(
            "response_url:command", 2, within=ANSWERED_WITHIN + INSTALL_WAIT
        )
        assert answered[1].args["text"] == DATABASE_AWAY


@pytest.mark.postgres
async def test_a_database_behind_a_stalled_network_is_answered_try_again(
    slack: FakeSlack, clock: FakeClock
) -> None:
    """No lock to wait on: the server never hears the question, and asyncpg's own timeouts
    (`command_timeout`, and `timeout` for a connection it opens) are what give up."""
    async with postgres_schema("stalled") as schema:
        target = make_url(PG_URL)
        network = StalledNetwork(target.host or "127.0.0.1", target.port or 5432)
        url = target.set(host="127.0.0.1", port=await network.start())
        engine = create_engine(
            url.render_as_string(hide_password=False),
            timeout=TIMEOUT,
            connect_args={"server_settings": {"search_path": schema}},
        )
        runtime = SlackRuntime.from_env(env_for(slack))
        harness = SlackHarness(runtime, await bot_on(engine, clock, runtime), slack, clock)
        try:
            network.flowing.clear()
            started = time.monotonic()
            acked = await harness.command("/met", "Jane Doe, Acme, interview")
            assert acked.status == 200
            assert time.monotonic() - started < SLACK_ACK_LIMIT
            # A stalled connection may cost a timeout on its check out and one on its rollback.
            within = CLAIM_WAIT + 3 * TIMEOUT + 2
            (answer,) = await harness.slack.wait_for("response_url:command", within=within)
            assert answer.args["text"] == DATABASE_AWAY
            network.flowing.set()
            await settle()
            assert await count(engine) == (0, 0)
        finally:
            network.flowing.set()
            await settle()
            await engine.dispose()
            await network.close()
