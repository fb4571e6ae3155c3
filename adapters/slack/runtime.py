"""What `followup-bot run` starts for Slack: settings from the environment, the messenger the
dispatcher sends DMs through, the app wired to the bot, and the connection to Slack.

    runtime = SlackRuntime.from_env(os.environ)        # ConfigError with a clear message
    bot = await build_bot(settings, clock=..., messengers={"slack": runtime.messenger},
                          pace_rules={"slack": runtime.pace_rules})
    runtime.attach(bot)
    await runtime.serve()                              # until cancelled

Socket Mode when SLACK_APP_TOKEN is set (no public URL: a laptop, a small server); HTTP mode on
PORT otherwise (behind a load balancer, any number of replicas).

A token Slack refuses stops the start at once with a ConfigError naming it: SLACK_BOT_TOKEN
(auth.test) and SLACK_APP_TOKEN (apps.connections.open) are each asked once before serving,
so a refused app token never reaches slack_sdk's connect loop, which retries forever. `ready` is
set only once Slack is connected (Socket Mode) or the server listens (HTTP).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager

import aiohttp
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack import PLATFORM
from adapters.slack.app import RemovalEvents, SlackHandlers, build_app
from adapters.slack.authorize import BotIdentity, KnownInstalls
from adapters.slack.config import SlackConfig
from adapters.slack.dedupe import SeenRequests
from adapters.slack.http import SlackHttpServer
from adapters.slack.messenger import SlackMessenger, pace_rules
from adapters.slack.oauth import oauth_log
from adapters.slack.profiles import Profiles
from adapters.slack.verification import SignatureCheck
from adapters.slack.workspaces import InstallationStore, Workspaces, workspace_of
from bot.bootstrap import Bot
from bot.calendar_feed import CalendarFeed
from bot.config import ConfigError
from bot.pacing import PaceRule

__all__ = ["SlackRuntime"]

log = logging.getLogger(__name__)

# An install link is good for this long (the student clicks through Slack's consent page).
OAUTH_STATE_SECONDS = 600
# What Slack answers for a token it will never accept (auth.test, apps.connections.open).
REFUSED = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "account_inactive",
        "not_allowed_token_type",
    }
)


class SlackRuntime:
    """The Slack adapter, ready to run: `messenger` exists from the start (the dispatcher needs
    it before the bot does), `attach` wires the app to the bot, `serve` connects to Slack."""

    platform = PLATFORM

    def __init__(self, config: SlackConfig, *, now: Callable[[], float] | None = None) -> None:
        self.config = config
        self.workspaces = Workspaces(bot_token=config.bot_token)
        self.messenger = SlackMessenger(
            self.workspaces, base_url=config.api_base_url, timeout=config.api_timeout
        )
        self.pace_rules: Sequence[PaceRule] = pace_rules(config.messages_per_minute)
        self.app: AsyncApp | None = None
        self.authorize = KnownInstalls(self.workspaces)
        # The HTTP server once serving; its `port` is the one bound (PORT=0 picks a free one).
        self.http: SlackHttpServer | None = None
        # Set once `serve` is connected to Slack (Socket Mode) or listening (HTTP).
        self.ready = asyncio.Event()
        # How often Socket Mode's connection is looked at to keep `ready` true to it (seconds).
        self.connection_check = 1.0
        self._now = now
        # The students' calendar subscriptions, served by the HTTP server (set by `attach`).
        self._calendars: CalendarFeed | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SlackRuntime:
        """Read SLACK_* and PORT; raises ConfigError naming what is missing or wrong."""
        return cls(SlackConfig.from_env(env))

    def attach(self, bot: Bot) -> None:
        """Wire Slack's commands, buttons, forms and events to `bot.service`; OAuth installs
        and their states live in the bot's database."""
        installations = None
        state_store = None
        if self.config.oauth:
            if self.config.client_id is None or bot.engine is None:
                raise RuntimeError("OAuth installs need a client id and a SQL database")
            installations = InstallationStore(self.config.client_id, bot.engine, self.workspaces)
            state_store = AsyncSQLAlchemyOAuthStateStore(
                expiration_seconds=OAUTH_STATE_SECONDS, engine=bot.engine, logger=oauth_log
            )
        self.workspaces.bind(bot.installs, installations)
        self._calendars = bot.calendars
        signature_check = None
        if self.config.signing_secret is not None:
            signature_check = SignatureCheck(self.config.signing_secret, now=self._now or time.time)
        handlers = SlackHandlers(bot.service, profiles=Profiles(), clients=self._client_for)
        # Every change a student makes, here or on a linked platform, refreshes their Home tab.
        bot.service.change_listeners.append(handlers.changed)
        self.app = build_app(
            self.config,
            handlers,
            RemovalEvents(self.workspaces, installations),
            seen=SeenRequests(bot.state),
            authorize=self.authorize,
            installations=installations,
            state_store=state_store,
            signature_check=signature_check,
        )

    @asynccontextmanager
    async def _client_for(self, workspace: str) -> AsyncIterator[AsyncWebClient | None]:
        """A Web API client with `workspace`'s token (None where the app isn't installed), on
        a session of its own, closed after use: a change is told at any time, shutdown too."""
        token = await self.workspaces.token_for(workspace)
        if token is None:
            yield None
            return
        timeout = aiohttp.ClientTimeout(total=self.messenger.timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            yield AsyncWebClient(
                token=token,
                base_url=self.messenger.base_url,
                timeout=self.messenger.timeout,
                session=session,
            )

    async def serve(self) -> None:
        """Connect to Slack and serve until cancelled; shut down cleanly on cancellation."""
        if self.app is None:
            raise RuntimeError("attach(bot) before serve()")
        try:
            await self._check_token()
            if self.config.socket_mode:
                await self._serve_socket_mode(self.app)
            else:
                await self._serve_http(self.app)
        finally:
            # The scheduler has stopped by now (`followup-bot run` stops it first).
            await self.messenger.close()

    def _client(self, token: str | None = None) -> AsyncWebClient:
        """A Web API client for the start-up checks: no retry, so a refusal is seen at once."""
        return AsyncWebClient(
            token=token,
            base_url=self.config.api_base_url or AsyncWebClient.BASE_URL,
            timeout=self.config.api_timeout,
            retry_handlers=[],
        )

    async def _check_token(self) -> None:
        """One workspace: a token Slack refuses stops the start with a clear message; a token
        that works gives the bot's ids (requests are then authorized without asking Slack) and
        lifts an earlier uninstall's stop on DMs (the app was installed again)."""
        if self.config.bot_token is None:
            return
        answer = await _ask_at_start(
            self._client(self.config.bot_token).auth_test(),
            "SLACK_BOT_TOKEN",
            fix="copy the Bot User OAuth Token again from OAuth & Permissions (reinstall the "
            "app if it was removed).",
            doing="check the bot token",
        )
        if answer is None:
            return
        user_id, bot_id = answer.get("user_id"), answer.get("bot_id")
        self.authorize.identity = BotIdentity(
            bot_user_id=user_id if isinstance(user_id, str) else None,
            bot_id=bot_id if isinstance(bot_id, str) else None,
        )
        workspace = workspace_of(
            enterprise_id=answer.get("enterprise_id"),
            team_id=answer.get("team_id"),
            is_enterprise_install=bool(answer.get("is_enterprise_install")),
        )
        if workspace:
            await self.workspaces.restore(workspace)
            log.info("Slack: signed in to workspace %s", workspace)

    async def _socket_url(self, client: AsyncWebClient) -> str | None:
        """Ask for a Socket Mode URL once, before slack_sdk's connect loop (which retries a
        refused token every 10 seconds, forever): a refusal stops the start, naming
        SLACK_APP_TOKEN. None when Slack can't say now (the loop then asks again)."""
        assert self.config.app_token is not None
        answer = await _ask_at_start(
            client.apps_connections_open(app_token=self.config.app_token),
            "SLACK_APP_TOKEN",
            fix="generate an app-level token with the connections:write scope under Basic "
            "Information → App-Level Tokens, and check that Socket Mode is on.",
            doing="open a Socket Mode connection",
        )
        url = answer.get("url") if answer is not None else None
        return url if isinstance(url, str) else None

    async def _serve_http(self, app: AsyncApp) -> None:
        self.http = SlackHttpServer(
            app, host=self.config.host, port=self.config.port, calendars=self._calendars
        )
        await self.http.start()
        self.ready.set()
        try:
            await asyncio.Event().wait()
        finally:
            self.ready.clear()
            await self.http.stop()
            log.info("Slack: HTTP server stopped")

    async def _serve_socket_mode(self, app: AsyncApp) -> None:
        assert self.config.app_token is not None
        client = self._client()
        url = await self._socket_url(client)
        handler = AsyncSocketModeHandler(
            app, self.config.app_token, logger=socket_mode_log, web_client=client
        )
        # The URL just issued is used: no second apps.connections.open for the first connection.
        handler.client.wss_uri = url
        try:
            if self.config.oauth:
                # Socket Mode carries commands and events; the install pages still need HTTP.
                self.http = SlackHttpServer(
                    app,
                    host=self.config.host,
                    port=self.config.port,
                    events=False,
                    calendars=self._calendars,
                )
                await self.http.start()
            await handler.connect_async()  # type: ignore[no-untyped-call]  # bolt leaves it unannotated
            log.info("Slack: connected in Socket Mode")
            await self._watch_connection(handler)
        finally:
            self.ready.clear()
            await handler.close_async()  # type: ignore[no-untyped-call]  # bolt leaves it unannotated
            if self.http is not None:
                await self.http.stop()
            log.info("Slack: disconnected")

    async def _watch_connection(self, handler: AsyncSocketModeHandler) -> None:
        """Keep `ready` true to the connection: slack_sdk reconnects by itself when Slack drops
        the WebSocket (a refresh, a network blip), and while it does, commands can't arrive, so
        /readyz must say so."""
        client = handler.client
        was_connected = True
        while True:
            connected = await client.is_connected()
            if connected:
                self.ready.set()
            else:
                self.ready.clear()
            if connected != was_connected:
                log.info(
                    "Slack: %s", "reconnected" if connected else "connection lost; reconnecting"
                )
                was_connected = connected
            await asyncio.sleep(self.connection_check)


async def _ask_at_start(
    call: Awaitable[AsyncSlackResponse], variable: str, *, fix: str, doing: str
) -> AsyncSlackResponse | None:
    """A start-up call with `variable`'s token. A token Slack refuses (or one without a scope it
    needs) stops the start: ConfigError naming `variable` and how to `fix` it. Slack unsure or
    unreachable (429, 5xx, the network) is not a refusal: None, after a warning."""
    try:
        return await call
    except SlackApiError as err:
        code = err.response.get("error")
        if code in REFUSED:
            raise ConfigError(f"{variable} was refused by Slack ({code}): {fix}") from None
        if code == "missing_scope":
            raise ConfigError(f"{variable} lacks a scope it needs: {fix}") from None
        log.warning("Slack: couldn't %s (%s); going on", doing, code)
    except (OSError, TimeoutError, aiohttp.ClientError) as err:
        log.warning("Slack: couldn't reach Slack to %s (%s); going on", doing, type(err).__name__)
    return None


def _one_line(record: logging.LogRecord) -> bool:
    # slack_sdk logs each failed connection attempt with its traceback, every 10 seconds while
    # Slack can't be reached: the message already names the error.
    record.exc_info = None
    record.exc_text = None
    return True


socket_mode_log = logging.getLogger("adapters.slack.socket_mode")
socket_mode_log.addFilter(_one_line)
