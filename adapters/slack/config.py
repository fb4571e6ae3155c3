"""The Slack adapter's settings, read from the environment and checked at start."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from bot.config import ConfigError

__all__ = [
    "BOT_SCOPES",
    "EVENTS_PATH",
    "INSTALL_PATH",
    "REDIRECT_PATH",
    "SlackConfig",
]

# What the bot asks a workspace for, and no more (adapters/slack/manifest.yml lists the same):
# slash commands, posting its replies and DMs, opening a DM with a student, reading the bot's own
# latest DMs there (so that a nudge retried after a crash isn't sent twice), reading a student's
# time zone, and sharing a student's export with them in their DM.
BOT_SCOPES = ("commands", "chat:write", "im:write", "im:history", "users:read", "files:write")
EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
DEFAULT_PORT = 3000
# Long enough for a slow Slack answer, short enough that a hung call frees the dispatcher soon.
DEFAULT_API_TIMEOUT = 10
# Slack's workspace-wide budget for DMs, shared by all replicas: a few hundred a minute.
DEFAULT_MESSAGES_PER_MINUTE = 300


@dataclass(frozen=True)
class SlackConfig:
    """How to reach Slack: Socket Mode (`app_token`) or HTTP (`signing_secret`, `port`); one
    workspace (`bot_token`) or OAuth installs (`client_id`, `client_secret`)."""

    bot_token: str | None = None
    app_token: str | None = None
    signing_secret: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    redirect_uri: str | None = None
    host: str = "0.0.0.0"  # a server behind a load balancer listens on every interface
    port: int = DEFAULT_PORT
    api_base_url: str | None = None
    api_timeout: int = DEFAULT_API_TIMEOUT
    messages_per_minute: int = DEFAULT_MESSAGES_PER_MINUTE

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None

    @property
    def oauth(self) -> bool:
        return self.client_id is not None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SlackConfig:
        """Read SLACK_* (and PORT). Raises ConfigError naming the setting and what to do."""
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        bot_token, app_token = get("SLACK_BOT_TOKEN"), get("SLACK_APP_TOKEN")
        client_id, client_secret = get("SLACK_CLIENT_ID"), get("SLACK_CLIENT_SECRET")
        signing_secret = get("SLACK_SIGNING_SECRET")

        if (client_id is None) != (client_secret is None):
            missing = "SLACK_CLIENT_SECRET" if client_secret is None else "SLACK_CLIENT_ID"
            raise ConfigError(
                f"{missing} is missing: installing in several workspaces (OAuth) needs both "
                "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (Basic Information → App Credentials)."
            )
        if client_id is not None and bot_token is not None:
            raise ConfigError(
                "SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set: use SLACK_BOT_TOKEN for one "
                "workspace, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for OAuth installs, not both."
            )
        if client_id is None and bot_token is None:
            raise ConfigError(
                "SLACK_BOT_TOKEN is missing: set it to the Bot User OAuth Token (xoxb-…) from "
                "OAuth & Permissions, or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for OAuth "
                "installs."
            )
        if bot_token is not None and not bot_token.startswith("xoxb-"):
            raise ConfigError(
                "SLACK_BOT_TOKEN isn't a bot token: it starts with xoxb- (OAuth & Permissions → "
                "Bot User OAuth Token)."
            )
        if app_token is not None and not app_token.startswith("xapp-"):
            raise ConfigError(
                "SLACK_APP_TOKEN isn't an app-level token: it starts with xapp- (Basic "
                "Information → App-Level Tokens, with the connections:write scope)."
            )
        if app_token is None and signing_secret is None:
            raise ConfigError(
                "SLACK_SIGNING_SECRET is missing or blank: in HTTP mode (no SLACK_APP_TOKEN) "
                "every request must be checked to come from Slack. Copy it from Basic "
                "Information → App Credentials, or set SLACK_APP_TOKEN to use Socket Mode."
            )

        port_text = get("PORT")
        port = DEFAULT_PORT
        if port_text is not None:
            if not port_text.isdigit() or int(port_text) > 65535:
                raise ConfigError(f"PORT: “{port_text[:20]}” isn't a port number (0-65535).")
            port = int(port_text)

        base_url = get("SLACK_API_BASE_URL")
        if base_url is not None:
            if not base_url.startswith(("http://", "https://")):
                raise ConfigError(
                    "SLACK_API_BASE_URL isn't a URL: like https://slack.com/api/ (or a proxy)."
                )
            # slack_sdk joins the base and the method name ("chat.postMessage") directly.
            base_url = base_url if base_url.endswith("/") else base_url + "/"

        per_minute = get("SLACK_MESSAGES_PER_MINUTE")
        if per_minute is not None and (not per_minute.isdigit() or int(per_minute) == 0):
            raise ConfigError(
                f"SLACK_MESSAGES_PER_MINUTE: “{per_minute[:20]}” isn't a positive whole number."
            )

        return cls(
            bot_token=bot_token,
            app_token=app_token,
            signing_secret=signing_secret,
            client_id=client_id,
            client_secret=client_secret,
            redirect_uri=get("SLACK_REDIRECT_URI"),
            host=get("SLACK_HTTP_HOST") or "0.0.0.0",
            port=port,
            api_base_url=base_url,
            messages_per_minute=int(per_minute) if per_minute else DEFAULT_MESSAGES_PER_MINUTE,
        )

    def __repr__(self) -> str:
        # Tokens and secrets never reach a log or a traceback through repr().
        mode = "socket" if self.socket_mode else f"http:{self.port}"
        install = "oauth" if self.oauth else "single-workspace"
        return f"SlackConfig({mode}, {install}, api={self.api_base_url or 'slack.com'})"
