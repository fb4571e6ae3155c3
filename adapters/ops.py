"""What an operator watches: `/healthz`, `/readyz` and `/metrics`, served by `followup-bot run`
in every mode (Slack, Discord or both) on OPS_HOST:OPS_PORT.

- `/healthz`: 200 "ok" whenever the event loop answers (a liveness probe; restart if it doesn't).
- `/readyz`: 200 when the database answers a `SELECT 1` within a couple of seconds and every
  platform is connected, else 503; the body says which part is not (JSON).
- `/metrics`: the bot's Prometheus metrics (`bot.prometheus`), in the text format.
- `/calendar/<secret>.ics`: a student's calendar subscription (`adapters/calendar_http.py`), for
  a deployment that publishes this path (and only this one) behind its FOLLOWUP_PUBLIC_URL.

Settings:

- ``OPS_PORT``: the port, 9090 by default; ``0`` turns the server off.
- ``OPS_HOST``: the interface, ``127.0.0.1`` by default (a laptop doesn't show its metrics to its
  network); ``0.0.0.0`` in a container, so that its published port and Prometheus reach it.

The server starts before the platforms connect, so `/healthz` answers during the start and
`/readyz` says 503 until everything is up. It keeps no access log: probes and scrapes come every
few seconds, and a calendar's path carries its secret.
"""

from __future__ import annotations

import asyncio
import errno
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from aiohttp import web

from adapters.calendar_http import calendar_route
from bot.bootstrap import READY_TIMEOUT, Bot
from bot.config import ConfigError
from bot.prometheus import CONTENT_TYPE, PrometheusMetrics

__all__ = ["OpsServer", "OpsSettings", "connected", "start_ops"]

log = logging.getLogger(__name__)

DEFAULT_PORT = 9090
DEFAULT_HOST = "127.0.0.1"
# Probes from a load balancer and a container runtime, and scrapes, may come together: one
# database check answers all of them for this long.
CHECK_REUSE_SECONDS = 1.0


@dataclass(frozen=True)
class OpsSettings:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT  # 0: no ops server

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> OpsSettings:
        """Read OPS_PORT and OPS_HOST; ConfigError names a bad one."""
        port_text = env.get("OPS_PORT", "").strip()
        port = DEFAULT_PORT
        if port_text:
            if not port_text.isdigit() or int(port_text) > 65535:
                raise ConfigError(
                    f"OPS_PORT: “{port_text[:20]}” isn't a port number (1 to 65535, or 0 to "
                    "turn the health and metrics server off)"
                )
            port = int(port_text)
        return cls(host=env.get("OPS_HOST", "").strip() or DEFAULT_HOST, port=port)

    @property
    def enabled(self) -> bool:
        return self.port != 0


def connected(runtime: object) -> Callable[[], bool]:
    """How to ask a platform's runtime (adapters/<platform>/runtime.py) whether it is connected:
    its `ready` event, set once it is connected or listening and cleared when it stops. A runtime
    without one is never reported ready: better a 503 than a false 200."""
    ready = getattr(runtime, "ready", None)
    if isinstance(ready, asyncio.Event):
        return ready.is_set
    return lambda: False


class OpsServer:
    """The health and metrics server for `bot`. `platforms`: each platform served, by name, with
    how to ask it whether it is connected (`connected(runtime)`). `database_timeout`: how long
    a check waits for the database; `reuse_check_for`: how long its answer is reused."""

    def __init__(
        self,
        bot: Bot,
        platforms: Mapping[str, Callable[[], bool]],
        settings: OpsSettings,
        *,
        database_timeout: float = READY_TIMEOUT,
        reuse_check_for: float = CHECK_REUSE_SECONDS,
    ) -> None:
        self.bot = bot
        self.platforms = dict(platforms)
        self.settings = settings
        self.database_timeout = database_timeout
        self.reuse_check_for = reuse_check_for
        self._runner: web.AppRunner | None = None
        self._check: asyncio.Task[bool] | None = None
        self._checked_at = 0.0
        self._database_was_ready: bool | None = None

    def web_app(self) -> web.Application:
        app = web.Application()
        app.add_routes(
            [
                web.get("/healthz", self._health),
                web.get("/readyz", self._ready),
                web.get("/metrics", self._metrics),
                calendar_route(self.bot.calendars),
            ]
        )
        return app

    async def start(self) -> None:
        """Listen; ConfigError if the port can't be had (in use, not allowed)."""
        self._runner = web.AppRunner(self.web_app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.host, self.settings.port)
        try:
            await site.start()
        except OSError as err:
            await self._runner.cleanup()
            self._runner = None
            why = "it is in use" if err.errno == errno.EADDRINUSE else type(err).__name__
            raise ConfigError(
                f"OPS_PORT: can't serve /healthz and /metrics on "
                f"{self.settings.host}:{self.settings.port} ({why}); set OPS_PORT to a free "
                "port, or to 0 to turn the server off"
            ) from None
        log.info(
            "ops: /healthz, /readyz and /metrics on %s:%s", self.settings.host, self.settings.port
        )

    async def stop(self) -> None:
        if self._check is not None:
            self._check.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def readiness(self) -> tuple[bool, dict[str, object]]:
        """Whether the bot is ready, and what each part says."""
        database = await self._database_ready()
        platforms = {name: is_ready() for name, is_ready in self.platforms.items()}
        report: dict[str, object] = {
            "database": "ok" if database else "unreachable",
            "platforms": {
                name: "connected" if up else "not connected" for name, up in platforms.items()
            },
        }
        ready = database and all(platforms.values())
        return ready, {"ready": ready, **report}

    async def _health(self, request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def _ready(self, request: web.Request) -> web.Response:
        ready, report = await self.readiness()
        return web.json_response(report, status=200 if ready else 503)

    async def _metrics(self, request: web.Request) -> web.Response:
        metrics = self.bot.metrics
        if not isinstance(metrics, PrometheusMetrics):
            return web.Response(status=404, text="no metrics in this process\n")
        response = web.Response(body=metrics.exposition())
        response.headers["Content-Type"] = CONTENT_TYPE
        return response

    async def _database_ready(self) -> bool:
        """One check at a time, its answer shared for a moment by the probes that follow."""
        loop = asyncio.get_running_loop()
        fresh = loop.time() - self._checked_at < self.reuse_check_for
        if self._check is None or (self._check.done() and not fresh):
            self._check = asyncio.create_task(self.bot.database_ready(self.database_timeout))
            self._check.add_done_callback(lambda _: setattr(self, "_checked_at", loop.time()))
        ready = await asyncio.shield(self._check)
        if ready != self._database_was_ready:
            if not ready:
                log.warning("ops: the database doesn't answer; /readyz says 503")
            elif self._database_was_ready is not None:
                log.info("ops: the database answers again")
            self._database_was_ready = ready
        return ready


async def start_ops(
    bot: Bot, runtimes: Mapping[str, object], settings: OpsSettings
) -> OpsServer | None:
    """Start the ops server for `bot` and its platforms' `runtimes` (by platform name), unless
    OPS_PORT is 0; ConfigError if it can't listen."""
    if not settings.enabled:
        return None
    ops = OpsServer(bot, {name: connected(r) for name, r in runtimes.items()}, settings)
    await ops.start()
    return ops
