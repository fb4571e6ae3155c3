"""The OAuth install flow (several workspaces), with nothing of it in the logs: no code, no
state, no client secret, no token it was given.

bolt and slack_sdk log these through the logger they are handed: bolt's "Failed to fetch
oauth.v2.access result with code: ..." (WARNING), the state store's "Failed to find any
persistent data for state: ..." (WARNING), the callback's query string and the Web API request
and response (DEBUG). `InstallFlow` hands all of them `oauth_log`, whose filter blanks the code
and state of the callback in progress, the client secret and any Slack token.
"""

from __future__ import annotations

import contextvars
import logging
import re
from collections.abc import Iterable

from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

__all__ = ["InstallFlow", "OAuthRedaction", "oauth_log"]

# Everything the install flow logs, and its state store and Web API client.
oauth_log = logging.getLogger("adapters.slack.oauth")

REDACTED = "[redacted]"
# Slack tokens: bot, user, app-level, refresh (xoxb-, xoxp-, xapp-, xoxe-...).
TOKEN = re.compile(r"\b(xox[a-z]|xapp)-[A-Za-z0-9-]+")
# The code and state of the callback being handled, in the task handling it.
_in_flight: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar(
    "oauth_in_flight", default=()
)


class OAuthRedaction(logging.Filter):
    """Blanks secrets in a record of `oauth_log`: those `keep_out` was given (the client
    secret), the code and state of the callback in progress, and anything shaped like a Slack
    token."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def keep_out(self, secrets: Iterable[str | None]) -> None:
        self.secrets.update(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        hidden = (*self.secrets, *_in_flight.get())
        record.msg = self._redact(record.getMessage(), hidden)
        record.args = None
        if record.exc_info:
            text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            record.exc_text = self._redact(text, hidden)
        return True

    @staticmethod
    def _redact(text: str, hidden: tuple[str, ...]) -> str:
        # The longest first: a secret that contains another is blanked whole.
        for secret in sorted(hidden, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return TOKEN.sub(lambda m: f"{m.group(1)}-{REDACTED}", text)


redaction = OAuthRedaction()
oauth_log.addFilter(redaction)


class InstallFlow(AsyncOAuthFlow):
    """bolt's install flow, its code and state kept out of `oauth_log` while it runs."""

    def __init__(self, *, client: AsyncWebClient, settings: AsyncOAuthSettings) -> None:
        redaction.keep_out([settings.client_secret])
        super().__init__(client=client, logger=oauth_log, settings=settings)

    async def handle_callback(self, request: AsyncBoltRequest) -> BoltResponse:
        values = [
            value
            for name in ("code", "state")
            for value in request.query.get(name, [])
            if isinstance(value, str) and value
        ]
        token = _in_flight.set(tuple(values))
        try:
            return await super().handle_callback(request)
        finally:
            _in_flight.reset(token)
