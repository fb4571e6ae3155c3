"""Which token answers a Slack request, from what the bot already knows: no Slack call before
the ack.

bolt's own authorization asks Slack (`auth.test`) before a request is acked: on every request
with OAuth installs, on the first one with a single workspace. A 429 or a 500 from `auth.test`
then read as "not installed", and a slow one held the ack past Slack's 3 seconds. Here:

- one workspace: the configured token, with the bot's ids from the start-up check;
- OAuth installs: the workspace's latest bot install in our database (slack_sdk's installation
  store, `InstallationStore.bot_for`), the same one DMs use. A database slower than
  `INSTALL_WAIT` doesn't hold the ack up for a workspace seen before: the install read last
  time answers, while the read goes on and keeps that up to date.

A workspace without an install, or an install that can't be read, still gets an
`AuthorizeResult` (without a token) and the reason in the context: `answer_refusals` acks the
request at once and tells the student afterwards, instead of bolt's ERROR log per request and
its answer sent before the ack. A workspace that never installed is logged once per process.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackClientError
from slack_sdk.oauth.installation_store.models.bot import Bot

from adapters.slack.workspaces import InstallationStore, Workspaces, workspace_of

__all__ = [
    "NOT_INSTALLED",
    "SORRY",
    "TROUBLE",
    "BotIdentity",
    "KnownInstalls",
    "answer_refusals",
]

log = logging.getLogger(__name__)

SORRY = "Something went wrong on my side. Please try again in a moment."
NOT_INSTALLED = (
    "followup-bot isn't installed in this workspace (or was removed): ask a workspace admin to "
    "add it again."
)
TROUBLE = "Slack is having trouble, try again in a moment."
# The context key that carries why a request is refused (one of the messages above).
REFUSAL = "followup_refusal"
# Workspaces remembered as "never installed" (for logging them once), and installs remembered
# for when the database is slow: a bound, not a leak.
STRANGERS_KEPT = 10_000
INSTALLS_KEPT = 10_000
# How long a request waits for its workspace's install before the one read last time answers:
# well inside Slack's 3 seconds for the ack, far longer than a healthy database takes.
INSTALL_WAIT = 1.0


@dataclass(frozen=True)
class BotIdentity:
    """The bot's own ids in its one workspace, as the start-up `auth.test` reported them."""

    bot_user_id: str | None
    bot_id: str | None


class KnownInstalls(AsyncAuthorize):
    """bolt's `authorize`, answered from the configured token or the installation store."""

    def __init__(self, workspaces: Workspaces) -> None:
        # (AsyncAuthorize.__init__ does nothing.)
        self.workspaces = workspaces
        # One workspace: set by the runtime once the start-up check has asked Slack.
        self.identity: BotIdentity | None = None
        self._strangers: set[str] = set()
        # The install last read for each workspace (None: none there), and the reads under way.
        self._known: dict[str, Bot | None] = {}
        self._reading: set[asyncio.Future[Bot | None]] = set()

    async def __call__(
        self,
        *,
        context: AsyncBoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        actor_enterprise_id: str | None = None,
        actor_team_id: str | None = None,
        actor_user_id: str | None = None,
    ) -> AuthorizeResult:
        unauthorized = AuthorizeResult(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
        )
        if self.workspaces.bot_token is not None:
            identity = self.identity or BotIdentity(None, None)
            return AuthorizeResult(
                enterprise_id=enterprise_id,
                team_id=team_id,
                bot_token=self.workspaces.bot_token,
                bot_user_id=identity.bot_user_id,
                bot_id=identity.bot_id,
                user_id=user_id,
            )
        workspace = workspace_of(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=context.is_enterprise_install,
        )
        installations = self.workspaces.installations
        if workspace is None or installations is None:
            context[REFUSAL] = NOT_INSTALLED
            return unauthorized
        try:
            bot = await self._install_of(workspace, installations)
        except Exception as err:
            # The text may carry the database URL: the type only. Only a Slack error (none
            # today: the store is our database) is Slack's trouble; never "not installed".
            log.warning("Slack: couldn't read the installs (%s)", type(err).__name__)
            context[REFUSAL] = TROUBLE if isinstance(err, SlackClientError) else SORRY
            return unauthorized
        if bot is None or not bot.bot_token:
            self._first_time_not_installed(workspace)
            context[REFUSAL] = NOT_INSTALLED
            return unauthorized
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            bot_token=bot.bot_token,
            bot_user_id=bot.bot_user_id,
            bot_id=bot.bot_id,
            bot_scopes=bot.bot_scopes,
            user_id=user_id,
        )

    async def _install_of(self, workspace: str, installations: InstallationStore) -> Bot | None:
        """The workspace's install as the database has it; the one read last time if the
        database doesn't answer within `INSTALL_WAIT` (then the read goes on without us)."""
        read = asyncio.ensure_future(installations.bot_for(workspace))
        self._reading.add(read)
        read.add_done_callback(lambda done: self._read(workspace, done))
        if workspace in self._known:
            await asyncio.wait([read], timeout=INSTALL_WAIT)
            if not read.done():
                log.warning("Slack: the installs are slow to read; the last one read answers")
                return self._known.get(workspace)
        return await asyncio.shield(read)

    def _read(self, workspace: str, read: asyncio.Future[Bot | None]) -> None:
        self._reading.discard(read)
        if read.cancelled() or read.exception() is not None:
            return  # the error is the awaiting request's to report, if one still waits
        if workspace not in self._known and len(self._known) >= INSTALLS_KEPT:
            self._known.clear()
        self._known[workspace] = read.result()

    def _first_time_not_installed(self, workspace: str) -> None:
        if workspace in self._strangers:
            return
        if len(self._strangers) >= STRANGERS_KEPT:
            self._strangers.clear()
        self._strangers.add(workspace)
        log.info(
            "Slack: a request from workspace %s, where the app isn't installed (told so; "
            "logged once)",
            workspace,
        )


def answer_refusals() -> Callable[..., Awaitable[BoltResponse | None]]:
    """bolt middleware: a request `KnownInstalls` refused is acked at once (an empty 200, or
    the form's error) and the student told why afterwards, on the request's response_url."""
    answering: set[asyncio.Task[None]] = set()

    async def refuse(
        req: AsyncBoltRequest, next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        message = req.context.get(REFUSAL)
        if not isinstance(message, str):
            await next()
            return None
        if req.body.get("type") == "view_submission":
            # A form has no response_url: the reason shows on its first field.
            errors = {"response_action": "errors", "errors": {"name": message}}
            return BoltResponse(
                status=200,
                body=json.dumps(errors),
                headers={"Content-Type": "application/json"},
            )
        respond = req.context.respond
        if respond is not None:
            task = asyncio.create_task(_tell(respond, message))
            answering.add(task)
            task.add_done_callback(answering.discard)
        return BoltResponse(status=200, body="")

    return refuse


async def _tell(respond: Callable[..., Awaitable[object]], message: str) -> None:
    try:
        await respond(text=message, response_type="ephemeral", replace_original=False)
    except Exception as err:
        log.info("Slack: couldn't tell a student why (%s)", type(err).__name__)
