"""What `followup-bot run` starts for Slack: settings from the environment, the messenger the
dispatcher sends DMs through, the app wired to the bot, and the connection to Slack.

    runtime = SlackRuntime.from_env(os.environ)        # ConfigError with a clear message
    bot = await build_bot(settings, clock=..., messengers={"slack": runtime.messenger},
                          pace_rules={"slack": runtime.pace_rules})
    runtime.attach(bot)
    await runtime.serve()                              # until cancelled

Socket Mode when SLACK_APP_TOKEN is set (no public URL: a laptop, a small server); HTTP mode on
PORT otherwise (behind a load balancer, any number of replicas).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import RemovalEvents, SlackHandlers, build_app
from adapters.slack.config import SlackConfig
from adapters.slack.dedupe import SeenRequests
from adapters.slack.http import SlackHttpServer
from adapters.slack.messenger import SlackMessenger, pace_rules
from adapters.slack.profiles import Profiles
from adapters.slack.verification import SignatureCheck
from adapters.slack.workspaces import InstallationStore, Workspaces, workspace_of
from bot.bootstrap import Bot
from bot.config import ConfigError
from bot.pacing import PaceRule

__all__ = ["SlackRuntime"]

log = logging.getLogger(__name__)

# An install link is good for this long (the student clicks through Slack's consent page).
OAUTH_STATE_SECONDS = 600


class SlackRuntime:
    """The Slack adapter, ready to run: `messenger` exists from the start (the dispatcher needs
    it before the bot does), `attach` wires the app to the bot, `serve` connects to Slack."""

    def __init__(self, config: SlackConfig, *, now: Callable[[], float] | None = None) -> None:
        self.config = config
        self.workspaces = Workspaces(bot_token=config.bot_token)
        self.messenger = SlackMessenger(
            self.workspaces, base_url=config.api_base_url, timeout=config.api_timeout
        )
        self.pace_rules: Sequence[PaceRule] = pace_rules(config.messages_per_minute)
        self.app: AsyncApp | None = None
        # The HTTP server once serving; its `port` is the one bound (PORT=0 picks a free one).
        self.http: SlackHttpServer | None = None
        # Set once `serve` is connected to Slack (Socket Mode) or listening (HTTP).
        self.ready = asyncio.Event()
        self._now = now

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
                expiration_seconds=OAUTH_STATE_SECONDS, engine=bot.engine, logger=log
            )
        self.workspaces.bind(bot.installs, installations)
        signature_check = None
        if self.config.signing_secret is not None:
            signature_check = SignatureCheck(self.config.signing_secret, now=self._now or time.time)
        self.app = build_app(
            self.config,
            SlackHandlers(bot.service, profiles=Profiles()),
            RemovalEvents(self.workspaces, installations),
            seen=SeenRequests(bot.state),
            installations=installations,
            state_store=state_store,
            signature_check=signature_check,
        )

    async def serve(self) -> None:
        """Connect to Slack and serve until cancelled; shut down cleanly on cancellation."""
        if self.app is None:
            raise RuntimeError("attach(bot) before serve()")
        await self._check_token()
        if self.config.socket_mode:
            await self._serve_socket_mode(self.app)
        else:
            await self._serve_http(self.app)

    async def _check_token(self) -> None:
        """One workspace: a token Slack refuses stops the start with a clear message; a token
        that works lifts an earlier uninstall's stop on DMs (the app was installed again)."""
        if self.config.bot_token is None:
            return
        client = AsyncWebClient(
            token=self.config.bot_token,
            base_url=self.config.api_base_url or AsyncWebClient.BASE_URL,
            timeout=self.config.api_timeout,
            retry_handlers=[],
        )
        try:
            answer = await client.auth_test()
        except SlackApiError as err:
            code = err.response.get("error")
            if code in ("invalid_auth", "token_revoked", "account_inactive", "not_authed"):
                raise ConfigError(
                    f"SLACK_BOT_TOKEN was refused by Slack ({code}): copy the Bot User OAuth "
                    "Token again from OAuth & Permissions (reinstall the app if it was removed)."
                ) from None
            log.warning("Slack: couldn't check the bot token (%s); going on", code)
            return
        except (OSError, TimeoutError) as err:
            log.warning("Slack: couldn't reach Slack to check the token (%s)", type(err).__name__)
            return
        workspace = workspace_of(
            enterprise_id=answer.get("enterprise_id"),
            team_id=answer.get("team_id"),
            is_enterprise_install=bool(answer.get("is_enterprise_install")),
        )
        if workspace:
            await self.workspaces.restore(workspace)
            log.info("Slack: signed in to workspace %s", workspace)

    async def _serve_http(self, app: AsyncApp) -> None:
        self.http = SlackHttpServer(app, host=self.config.host, port=self.config.port)
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
        handler = AsyncSocketModeHandler(
            app,
            self.config.app_token,
            logger=logging.getLogger("adapters.slack.socket_mode"),
            web_client=AsyncWebClient(
                base_url=self.config.api_base_url or AsyncWebClient.BASE_URL,
                timeout=self.config.api_timeout,
            ),
        )
        if self.config.oauth:
            # Socket Mode carries commands and events; the install pages still need HTTP.
            self.http = SlackHttpServer(
                app, host=self.config.host, port=self.config.port, events=False
            )
            await self.http.start()
        try:
            await handler.connect_async()  # type: ignore[no-untyped-call]  # bolt leaves it unannotated
            log.info("Slack: connected in Socket Mode")
            self.ready.set()
            await asyncio.Event().wait()
        finally:
            self.ready.clear()
            await handler.close_async()  # type: ignore[no-untyped-call]  # bolt leaves it unannotated
            if self.http is not None:
                await self.http.stop()
            log.info("Slack: disconnected")
