"""HTTP mode: one aiohttp server for commands, buttons, forms and events (/slack/events), the
OAuth install pages (/slack/install, /slack/oauth_redirect), a health check (/healthz) and the
students' calendar subscriptions (/calendar/..., `adapters/calendar_http.py`).

Any number of replicas can run behind a load balancer: state lives in the database. The access
log names the method, the path and the status, never a query string (an OAuth code) or a body.
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.calendar_http import calendar_route, loggable_path
from adapters.slack.config import EVENTS_PATH
from bot.calendar_feed import CALENDAR_PATH, CalendarFeed

__all__ = ["SlackHttpServer"]

log = logging.getLogger(__name__)


class _AccessLogger(AbstractAccessLogger):
    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %.0f ms",
            request.method,
            loggable_path(request.path),
            response.status,
            time * 1000,
        )


class SlackHttpServer:
    """Serves `app` on `host`:`port` (port 0: any free port, then `port` says which). With
    `events` False it serves only the OAuth pages (Socket Mode with OAuth installs). With
    `calendars`, it serves the students' calendar subscriptions too."""

    def __init__(
        self,
        app: AsyncApp,
        *,
        host: str,
        port: int,
        events: bool = True,
        calendars: CalendarFeed | None = None,
    ) -> None:
        self.app = app
        self.calendars = calendars
        self.host = host
        self.port = port
        self.events = events
        self._runner: web.AppRunner | None = None

    def web_app(self) -> web.Application:
        web_app = web.Application()
        routes = [web.get("/healthz", self._health)]
        if self.events:
            routes.append(web.post(EVENTS_PATH, self._events))
        flow = self.app.oauth_flow
        if flow is not None:
            routes += [
                web.get(flow.install_path, self._install),
                web.get(flow.redirect_uri_path, self._oauth_redirect),
            ]
        if self.calendars is not None:
            routes.append(calendar_route(self.calendars))
        web_app.add_routes(routes)
        return web_app

    async def start(self) -> None:
        self._runner = web.AppRunner(
            self.web_app(), access_log_class=_AccessLogger, handle_signals=False
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        addresses = self._runner.addresses
        if addresses:
            self.port = int(addresses[0][1])
        # What this server answers: in Socket Mode with OAuth, the install pages and no events.
        paths = [EVENTS_PATH] if self.events else []
        flow = self.app.oauth_flow
        if flow is not None:
            paths += [flow.install_path, flow.redirect_uri_path]
        if self.calendars is not None:
            paths.append(CALENDAR_PATH)
        log.info("Slack: HTTP on %s:%s (%s)", self.host, self.port, ", ".join([*paths, "/healthz"]))

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _health(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def _events(self, request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            log.warning("Slack: rejected a request (body isn't UTF-8)")
            return web.Response(status=400)
        bolt_request = AsyncBoltRequest(
            body=body,
            query=request.query_string,
            headers={name: request.headers.getall(name) for name in request.headers},
        )
        response = await self.app.async_dispatch(bolt_request)
        return await to_aiohttp_response(response)

    async def _install(self, request: web.Request) -> web.Response:
        flow = self.app.oauth_flow
        assert flow is not None
        response = await flow.handle_installation(await _oauth_request(request))
        return await to_aiohttp_response(response)

    async def _oauth_redirect(self, request: web.Request) -> web.Response:
        flow = self.app.oauth_flow
        assert flow is not None
        response = await flow.handle_callback(await _oauth_request(request))
        return await to_aiohttp_response(response)


async def _oauth_request(request: web.Request) -> AsyncBoltRequest:
    return AsyncBoltRequest(
        body=await request.text(),
        query=request.query_string,
        headers={name: request.headers.getall(name) for name in request.headers},
    )
