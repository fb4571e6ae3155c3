"""The ops server (adapters/ops.py) on loopback, for a real bot on SQLite (and PostgreSQL
behind a proxy that can cut it off): /healthz, /readyz in Slack-only, Discord-only and both
modes, /readyz while the database is away and after it is back, and /metrics scraped and parsed
as Prometheus would, with no one's data in it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.exc import OperationalError

from adapters.ops import OpsServer, OpsSettings, connected, start_ops
from bot.bootstrap import STORAGE_OUTAGES, Bot, build_bot
from bot.commands import parse_command
from bot.config import ConfigError, Settings
from bot.domain import Address
from bot.metrics import MeasuredStorage
from bot.ports import Storage, UnitOfWork
from bot.prometheus import PrometheusMetrics
from bot.services import Requester
from bot.storage.sql import SqlStorage, create_engine
from bot.testing import FakeClock, FakeMessenger, make_test_bot
from tests.conftest import PG_URL, START, postgres_schema

# What a Prometheus server would find: every family, named as documented in bot/prometheus.py.
FAMILIES = {
    "followup_nudges_claimed",
    "followup_nudges_sent",
    "followup_nudges_cancelled",
    "followup_nudges_retried",
    "followup_nudges_failed",
    "followup_nudge_lateness_seconds",
    "followup_command_duration_seconds",
    "followup_outbox_nudges",
    "followup_database_errors",
    "followup_channel_posts",
}
STUDENT = Requester(Address("slack", "T0PRIVATETEAM", "U0PRIVATEUSER"), display_name="Mirabel")
PERSONAL = ["T0PRIVATETEAM", "U0PRIVATEUSER", "Mirabel", "Zelda", "Quintessa", "Xylophonics"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class FakeRuntime:
    """A platform's runtime as the ops server sees it: a `ready` event."""

    def __init__(self) -> None:
        self.ready = asyncio.Event()


async def sqlite_bot(tmp_path: Path, platforms: Sequence[str]) -> Bot:
    """A bot as `followup-bot run` builds it, on a SQLite file, not sweeping."""
    return await build_bot(
        Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/ops.db"),
        clock=FakeClock(START),
        messengers={p: FakeMessenger() for p in platforms},
    )


@contextlib.asynccontextmanager
async def serving(
    bot: Bot, runtimes: dict[str, Any], **options: float
) -> AsyncIterator[tuple[aiohttp.ClientSession, str]]:
    """The ops server for `bot` on a free loopback port; a client session and its base URL."""
    settings = OpsSettings(host="127.0.0.1", port=free_port())
    ops = OpsServer(bot, {p: connected(r) for p, r in runtimes.items()}, settings, **options)
    await ops.start()
    timeout = aiohttp.ClientTimeout(total=10)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            yield session, f"http://127.0.0.1:{settings.port}"
    finally:
        await ops.stop()


async def get(session: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with session.get(url) as response:
        return response.status, await response.text()


async def readiness(session: aiohttp.ClientSession, base: str) -> tuple[int, dict[str, Any]]:
    status, body = await get(session, f"{base}/readyz")
    report: dict[str, Any] = json.loads(body)
    return status, report


# -- settings ---------------------------------------------------------------------------------


def test_settings_default_to_9090_on_loopback_and_0_turns_the_server_off() -> None:
    assert OpsSettings.from_env({}) == OpsSettings(host="127.0.0.1", port=9090)
    assert OpsSettings.from_env({}).enabled
    assert not OpsSettings.from_env({"OPS_PORT": "0"}).enabled
    in_a_container = OpsSettings.from_env({"OPS_PORT": "9100", "OPS_HOST": "0.0.0.0"})
    assert in_a_container == OpsSettings(host="0.0.0.0", port=9100)


@pytest.mark.parametrize("port", ["nine", "-1", "70000", "9090.5"])
def test_a_bad_port_is_refused_naming_the_setting(port: str) -> None:
    with pytest.raises(ConfigError, match="OPS_PORT"):
        OpsSettings.from_env({"OPS_PORT": port})


async def test_off_means_no_server(tmp_path: Path) -> None:
    bot = await sqlite_bot(tmp_path, ["slack"])
    try:
        assert await start_ops(bot, {"slack": FakeRuntime()}, OpsSettings(port=0)) is None
    finally:
        await bot.close()


async def test_a_port_in_use_stops_the_start_naming_the_setting(tmp_path: Path) -> None:
    bot = await sqlite_bot(tmp_path, ["slack"])
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        settings = OpsSettings(host="127.0.0.1", port=taken.getsockname()[1])
        try:
            with pytest.raises(ConfigError, match=r"OPS_PORT: .*in use.* or to 0"):
                await start_ops(bot, {"slack": FakeRuntime()}, settings)
        finally:
            await bot.close()


# -- health and readiness in every mode ------------------------------------------------------


@pytest.mark.parametrize(
    "platforms", [["slack"], ["discord"], ["slack", "discord"]], ids=lambda p: "+".join(p)
)
async def test_healthz_answers_at_once_and_readyz_once_every_platform_is_connected(
    tmp_path: Path, platforms: list[str]
) -> None:
    bot = await sqlite_bot(tmp_path, platforms)
    runtimes = {p: FakeRuntime() for p in platforms}
    try:
        async with serving(bot, runtimes) as (session, base):
            # Starting: alive, not ready.
            assert await get(session, f"{base}/healthz") == (200, "ok\n")
            status, report = await readiness(session, base)
            assert status == 503
            assert report == {
                "ready": False,
                "database": "ok",
                "platforms": {p: "not connected" for p in platforms},
            }
            for platform in platforms[:-1]:
                runtimes[platform].ready.set()
                status, report = await readiness(session, base)
                assert status == 503
                assert report["platforms"][platform] == "connected"
            runtimes[platforms[-1]].ready.set()
            status, report = await readiness(session, base)
            assert status == 200
            assert report == {
                "ready": True,
                "database": "ok",
                "platforms": {p: "connected" for p in platforms},
            }
            # A platform that drops its connection makes the bot unready again.
            runtimes[platforms[0]].ready.clear()
            assert (await readiness(session, base))[0] == 503
            assert (await get(session, f"{base}/healthz"))[0] == 200
    finally:
        await bot.close()


async def test_the_runtimes_say_when_they_are_connected() -> None:
    from adapters.discord.runtime import DiscordRuntime, DiscordSettings
    from adapters.slack.config import SlackConfig
    from adapters.slack.runtime import SlackRuntime

    slack = SlackRuntime(SlackConfig(bot_token="xoxb-1", app_token="xapp-1"))
    discord = DiscordRuntime(DiscordSettings(token="t"))
    for runtime in (slack, discord):
        is_connected = connected(runtime)
        assert not is_connected()
        runtime.ready.set()
        assert is_connected()
        runtime.ready.clear()  # disconnected
        assert not is_connected()
    await discord.messenger.close()
    # A runtime that can't tell is never reported ready.
    assert not connected(object())()


# -- the database away -----------------------------------------------------------------------


class FlakyStorage:
    """The real SQL storage, until `down`: then it raises what SQLAlchemy raises for a database
    that is gone, as the storage's own errors."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.down = False
        self.pings = 0

    def _check(self) -> None:
        if self.down:
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[UnitOfWork]:
        self._check()
        async with self.storage.session() as uow:
            yield uow

    async def ping(self) -> None:
        self.pings += 1
        self._check()
        await self.storage.ping()


def bot_on(storage: Storage, metrics: PrometheusMetrics) -> Bot:
    """A bot whose storage is `storage` as bootstrap wires it (its errors counted in
    `metrics`); only its storage and metrics matter to the ops server."""
    test = make_test_bot(metrics=metrics)
    return Bot(
        storage=MeasuredStorage(storage, metrics, (*STORAGE_OUTAGES, OSError)),
        clock=test.clock,
        service=test.service,
        dispatcher=test.dispatcher,
        rulebook=test.rulebook,
        metrics=metrics,
    )


def database_errors(text: str) -> float:
    (family,) = [
        f for f in text_string_to_metric_families(text) if f.name == "followup_database_errors"
    ]
    return sum(s.value for s in family.samples if s.name.endswith("_total"))


async def test_readyz_fails_while_the_database_is_away_and_recovers_after(
    tmp_path: Path,
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/flaky.db")
    flaky = FlakyStorage(SqlStorage(engine))
    metrics = PrometheusMetrics(["slack"])
    slack = FakeRuntime()
    slack.ready.set()
    try:
        ops = serving(bot_on(flaky, metrics), {"slack": slack}, reuse_check_for=0)
        async with ops as (session, base):
            assert (await readiness(session, base))[0] == 200
            flaky.down = True
            status, report = await readiness(session, base)
            assert status == 503
            assert report["database"] == "unreachable"
            assert report["platforms"] == {"slack": "connected"}
            assert (await get(session, f"{base}/healthz"))[0] == 200  # alive all the same
            _, text = await get(session, f"{base}/metrics")
            assert database_errors(text) == 1
            flaky.down = False
            assert (await readiness(session, base)) == (
                200,
                {"ready": True, "database": "ok", "platforms": {"slack": "connected"}},
            )
    finally:
        await engine.dispose()


async def test_probes_arriving_together_share_one_database_check(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/shared.db")
    counted = FlakyStorage(SqlStorage(engine))
    try:
        async with serving(bot_on(counted, PrometheusMetrics()), {}) as (session, base):
            answers = await asyncio.gather(*(readiness(session, base) for _ in range(5)))
        assert {status for status, _ in answers} == {200}
        assert counted.pings == 1
    finally:
        await engine.dispose()


class CuttableProxy:
    """A TCP proxy on loopback in front of PostgreSQL that can be cut like a network: `refuse`
    closes every connection and refuses new ones (the server is down); `blackhole` accepts and
    forwards nothing (packets lost); `restore` forwards again."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = free_port()
        self.mode = "forward"
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def refuse(self) -> None:
        self.mode = "refuse"
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        self._cut()

    async def blackhole(self) -> None:
        await self.restore()
        self.mode = "blackhole"

    async def restore(self) -> None:
        self.mode = "forward"
        if self._server is None:
            await self.start()

    async def close(self) -> None:
        await self.refuse()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _cut(self) -> None:
        for writer in list(self._writers):
            writer.close()
        self._writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}
        pipes = [
            asyncio.create_task(self._pipe(reader, up_writer)),
            asyncio.create_task(self._pipe(up_reader, writer)),
        ]
        self._tasks.update(pipes)
        for pipe in pipes:
            pipe.add_done_callback(self._tasks.discard)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                if self.mode == "forward":
                    writer.write(data)
                    await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


@pytest.mark.postgres
async def test_readyz_follows_postgresql_going_away_and_coming_back() -> None:
    if not PG_URL:
        pytest.skip("PostgreSQL not configured (FOLLOWUP_TEST_DATABASE_URL)")
    parts = urlsplit(PG_URL)
    assert parts.hostname is not None
    proxy = CuttableProxy(parts.hostname, parts.port or 5432)
    await proxy.start()
    netloc = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    proxied = urlunsplit(parts._replace(netloc=f"{netloc}127.0.0.1:{proxy.port}"))
    async with postgres_schema("ops") as schema:
        engine = create_engine(
            proxied, connect_args={"server_settings": {"search_path": schema}, "timeout": 5}
        )
        metrics = PrometheusMetrics(["discord"])
        discord = FakeRuntime()
        discord.ready.set()
        bot = bot_on(SqlStorage(engine), metrics)
        try:
            ops = serving(bot, {"discord": discord}, database_timeout=0.5, reuse_check_for=0)
            async with ops as (session, base):
                assert (await readiness(session, base))[0] == 200
                # The server goes down: connections are cut, new ones refused.
                await proxy.refuse()
                status, report = await readiness(session, base)
                assert (status, report["database"]) == (503, "unreachable")
                await proxy.restore()
                assert (await readiness(session, base))[0] == 200
                # The network loses every packet: the check gives up after its timeout.
                await proxy.blackhole()
                started = asyncio.get_running_loop().time()
                status, report = await readiness(session, base)
                assert (status, report["database"]) == (503, "unreachable")
                assert asyncio.get_running_loop().time() - started < 2
                await proxy.refuse()  # the lost connections are gone for good
                await proxy.restore()
                assert (await readiness(session, base))[0] == 200
                _, text = await get(session, f"{base}/metrics")
                assert database_errors(text) >= 2
        finally:
            await engine.dispose()
            await proxy.close()


# -- /metrics --------------------------------------------------------------------------------


async def test_metrics_are_scraped_and_parsed_with_no_one_in_them(tmp_path: Path) -> None:
    bot = await sqlite_bot(tmp_path, ["slack", "discord"])
    try:
        met = "/met Zelda Quintessa, Xylophonics, interview, talked about quaternions"
        reply = await bot.service.handle(STUDENT, parse_command(met))
        assert not reply.is_error
        clock = bot.clock
        assert isinstance(clock, FakeClock)
        clock.advance(timedelta(hours=25))
        assert (await bot.dispatcher.dispatch_due()).sent == 1
        await bot.dispatcher.measure_outbox()
        async with serving(bot, {"slack": FakeRuntime()}) as (session, base):
            status, text = await get(session, f"{base}/metrics")
            async with session.get(f"{base}/metrics") as response:
                content_type = response.headers["Content-Type"]
        assert status == 200
        assert content_type == "text/plain; version=0.0.4; charset=utf-8"
        for personal in PERSONAL:
            assert personal not in text
        families = {f.name: f for f in text_string_to_metric_families(text)}
        assert set(families) >= FAMILIES
        samples = {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for family in families.values()
            for s in family.samples
        }
        assert samples["followup_nudges_sent_total", (("platform", "slack"),)] == 1
        assert samples["followup_nudges_sent_total", (("platform", "discord"),)] == 0
        assert samples["followup_channel_posts_total", (("platform", "slack"),)] == 0
        assert samples["followup_nudge_lateness_seconds_count", (("platform", "slack"),)] == 1
        key = (("command", "Met"), ("platform", "slack"))
        assert samples["followup_command_duration_seconds_count", key] == 1
        assert samples["followup_outbox_nudges", (("state", "scheduled"),)] >= 1
        assert samples["followup_outbox_nudges", (("state", "due"),)] == 0
        assert samples["followup_database_errors_total", ()] == 0
    finally:
        await bot.close()
