"""The Messenger port on Slack: a DM with Block Kit buttons to each student.

A DM goes to the student's DM channel with the app (conversations.open once, then cached), by
chat.postMessage. What Slack answers becomes the dispatcher's `Delivery`:

- 429: `RetryAfter(Retry-After)`, as narrow as Slack's limit: chat.postMessage's is per channel,
  so only that student's DM channel pauses; conversations.open's is per workspace, so the
  workspace's new DM channels pause. Until then this messenger doesn't call Slack for what is
  paused, so the rest of a batch is rescheduled instead of hitting the limit again, and
  everyone else's DMs go on. Nothing sleeps here.
- the student can't get a DM (channel_not_found, user_not_found, account_inactive, ...):
  `PermanentFailure` about the person, who is told the next time they use a command.
- the workspace removed the app or its token is dead: `PermanentFailure(concerns_person=False)`,
  without calling Slack once the workspace is known to be removed.
- anything else, a timeout included, raises: the dispatcher retries with backoff.

Every nudge DM carries its key in Slack's message metadata. A nudge that may have been sent
already (`maybe_sent`: a replica died between sending and settling it, or a send timed out)
first looks for its key among the DM channel's latest messages (conversations.history) and is
reported delivered without a second DM when it is there: effectively once, as Discord's nonce
gives on Discord.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import PLATFORM
from adapters.slack.blocks import Message, pages
from adapters.slack.clubs import digest_message, event_card_message
from adapters.slack.workspaces import Workspaces
from bot.domain import Club, Person
from bot.pacing import PaceRule
from bot.ports import Delivered, Delivery, PermanentFailure, Posted, RetryAfter
from bot.replies import DigestPost, EventCard, Reply

__all__ = [
    "CHANNEL_ERRORS",
    "PERSON_ERRORS",
    "WORKSPACE_ERRORS",
    "SlackMessenger",
    "pace_rules",
    "retry_after_seconds",
]

log = logging.getLogger(__name__)

# Slack's error codes that mean this person can't get a DM from the app, as the student reads
# them in "I couldn't send you a DM (...)".
PERSON_ERRORS = {
    "channel_not_found": "Slack couldn't find our DM conversation",
    "user_not_found": "Slack couldn't find your account",
    "account_inactive": "your Slack account is deactivated",
    "user_disabled": "your Slack account is deactivated",
    "cannot_dm_bot": "Slack doesn't let apps DM this account",
    "messages_tab_disabled": "direct messages to this app are turned off",
    "is_archived": "our DM conversation is archived",
    "restricted_action": "a workspace setting stops apps from DMing you",
}
# ... and those that mean the app can't speak to the workspace at all.
WORKSPACE_ERRORS = {
    "token_revoked": "the app's access to this workspace was revoked",
    "invalid_auth": "the app's token for this workspace is invalid",
    "not_authed": "the app has no token for this workspace",
    "team_access_not_granted": "the app has no access to this workspace",
    "missing_scope": "the app lacks a permission (see the manifest's scopes)",
    "not_allowed_token_type": "the app's token is of the wrong type",
    "ekm_access_denied": "the workspace's administrators suspended the app",
}
_DEAD_TOKEN = {"token_revoked", "invalid_auth"}
# The metadata event type of a nudge DM; its payload is {"key": the nudge's key}.
NUDGE_EVENT = "followup_nudge"
# How far back a retried nudge looks for itself: a student gets a few DMs a day at most.
HISTORY_LOOKED_AT = 20
# Slack's default when a 429 carries no Retry-After; its documented limits reset within a minute.
DEFAULT_RETRY_AFTER = 30.0
# Bounds on what this process remembers (DM channels, sent nudges): plenty for a club or a
# campus, small enough to never matter for memory.
CACHE_SIZE = 10_000


def pace_rules(messages_per_minute: int) -> list[PaceRule]:
    """Slack's published limits for DMs: chat.postMessage allows about one message per second
    per channel, and a workspace-wide budget of a few hundred a minute (shared by replicas)."""
    return [
        PaceRule(
            f"{PLATFORM}:workspace:{{workspace}}",
            messages_per_minute,
            timedelta(minutes=1),
            shared=True,
        ),
        PaceRule(f"{PLATFORM}:dm:{{workspace}}:{{user}}", 1, timedelta(seconds=1)),
    ]


class SlackMessenger:
    """Sends the dispatcher's DMs through the Web API (`base_url`: SLACK_API_BASE_URL)."""

    def __init__(
        self, workspaces: Workspaces, *, base_url: str | None = None, timeout: int = 10
    ) -> None:
        self.workspaces = workspaces
        self.base_url = base_url or AsyncWebClient.BASE_URL
        self.timeout = timeout
        self._dm_channels: OrderedDict[tuple[str, str], str] = OrderedDict()
        # A nudge's key → where it went: a repeat of a delivered nudge (its settling was lost)
        # is not sent twice by this process.
        self._delivered: OrderedDict[str, tuple[str, str]] = OrderedDict()
        # Per DM channel (workspace, user) or per workspace (workspace, ""): until when Slack
        # asked us to wait (the bot's clock, which the dispatcher's retry times also follow).
        self._paused_until: dict[tuple[str, str], datetime] = {}
        self._session: aiohttp.ClientSession | None = None

    def client(self, token: str) -> AsyncWebClient:
        # No retry handlers: a failed call is the dispatcher's to retry, never a sleep here.
        # One HTTP session for every workspace's client: its connections to Slack are kept
        # open between DMs instead of a new TLS connection a call.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        return AsyncWebClient(
            token=token,
            base_url=self.base_url,
            timeout=self.timeout,
            retry_handlers=[],
            session=self._session,
        )

    async def close(self) -> None:
        """Close the HTTP session; a later send opens a new one."""
        if self._session is not None:
            await self._session.close()
        self._session = None

    async def send_dm(
        self, to: Person, message: Reply, *, key: str, maybe_sent: bool = False
    ) -> Delivery:
        address = to.address
        if address.platform != PLATFORM:
            return PermanentFailure("not a Slack account", concerns_person=False)
        workspace, user = address.workspace, address.user
        if key in self._delivered:
            return Delivered()
        if not self.workspaces.ready:
            raise RuntimeError("the Slack adapter isn't attached to the bot yet")
        paused = self._paused(workspace, user)
        if paused is not None:
            return paused
        if await self.workspaces.is_removed(workspace):
            return PermanentFailure(
                "the app was removed from this Slack workspace",
                concerns_person=False,
                concerns_workspace=True,
            )
        token = await self.workspaces.token_for(workspace)
        if token is None:
            return PermanentFailure(
                "the app isn't installed in this Slack workspace", concerns_person=False
            )
        client = self.client(token)
        rendered = pages(message)
        try:
            channel = await self._dm_channel(client, workspace, user)
        except SlackApiError as err:
            return await self._failure(err, workspace, user, limit=(workspace, ""), token=token)
        try:
            if maybe_sent and await self._already_there(client, channel, key):
                _remember(self._delivered, key, (channel, ""))
                return Delivered()
            for index, page in enumerate(rendered):
                # The last page carries the nudge's key: found there after a crash, all of
                # the DM was sent (an earlier page may come twice, none is lost).
                last = index == len(rendered) - 1
                metadata = (
                    {"event_type": NUDGE_EVENT, "event_payload": {"key": key}} if last else None
                )
                response = await client.chat_postMessage(
                    channel=channel,
                    text=page.text,
                    blocks=page.blocks,
                    # Text is escaped already; no link or name is expanded on top of that.
                    parse="none",
                    link_names=False,
                    unfurl_links=False,
                    unfurl_media=False,
                    metadata=metadata,
                )
        except SlackApiError as err:
            return await self._failure(err, workspace, user, limit=(workspace, user), token=token)
        _remember(self._delivered, key, (channel, str(response.get("ts", ""))))
        return Delivered()

    async def post_to_channel(
        self, club: Club, card: EventCard
    ) -> Posted | RetryAfter | PermanentFailure:
        """An event's card in the club's channel (chat.postMessage), its ts to update it."""
        return await self._post(club, event_card_message(card))

    async def post_digest(
        self, club: Club, digest: DigestPost
    ) -> Posted | RetryAfter | PermanentFailure:
        """A club's digest in its channel (chat.postMessage)."""
        return await self._post(club, digest_message(digest))

    async def _post(self, club: Club, message: Message) -> Posted | RetryAfter | PermanentFailure:
        found = await self._club_client(club)
        if not isinstance(found, AsyncWebClient):
            return found
        try:
            response = await found.chat_postMessage(
                channel=club.channel,
                text=message.text,
                blocks=message.blocks,
                parse="none",
                link_names=False,
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as err:
            return self._channel_failure(err)
        return Posted(str(response.get("ts", "")))

    async def update_post(self, club: Club, ref: str, card: EventCard) -> Delivery:
        """The card `ref` (its ts) replaced in place (chat.update)."""
        found = await self._club_client(club)
        if not isinstance(found, AsyncWebClient):
            return found
        message = event_card_message(card)
        try:
            await found.chat_update(
                channel=club.channel,
                ts=ref,
                text=message.text,
                blocks=message.blocks,
                parse="none",
                link_names=False,
            )
        except SlackApiError as err:
            return self._channel_failure(err)
        return Delivered()

    async def _club_client(self, club: Club) -> AsyncWebClient | PermanentFailure:
        if club.platform != PLATFORM:
            return PermanentFailure("not a Slack channel", concerns_person=False)
        token = await self.workspaces.token_for(club.workspace)
        if token is None:
            return PermanentFailure(
                "the app isn't installed in this Slack workspace", concerns_person=False
            )
        return self.client(token)

    @staticmethod
    def _channel_failure(err: SlackApiError) -> RetryAfter | PermanentFailure:
        if err.response.status_code == 429:
            seconds = retry_after_seconds(err.response.headers)
            return RetryAfter(seconds, f"Slack asked to wait {seconds:.0f} s", scope="message")
        code = str(err.response.get("error") or "")
        reason = CHANNEL_ERRORS.get(code) or WORKSPACE_ERRORS.get(code) or "Slack refused"
        return PermanentFailure(reason, concerns_person=False)

    async def _already_there(self, client: AsyncWebClient, channel: str, key: str) -> bool:
        """Whether the DM channel's latest messages hold the nudge `key` (sent, not settled)."""
        response = await client.conversations_history(
            channel=channel, limit=HISTORY_LOOKED_AT, include_all_metadata=True
        )
        for message in response.get("messages") or []:
            metadata = message.get("metadata") if isinstance(message, Mapping) else None
            if not isinstance(metadata, Mapping) or metadata.get("event_type") != NUDGE_EVENT:
                continue
            payload = metadata.get("event_payload")
            if isinstance(payload, Mapping) and payload.get("key") == key:
                return True
        return False

    async def _dm_channel(self, client: AsyncWebClient, workspace: str, user: str) -> str:
        cached = self._dm_channels.get((workspace, user))
        if cached is not None:
            self._dm_channels.move_to_end((workspace, user))
            return cached
        response = await client.conversations_open(users=user)
        channel = response.get("channel")
        channel_id = channel.get("id") if isinstance(channel, Mapping) else None
        if not isinstance(channel_id, str):
            raise RuntimeError("conversations.open answered without a channel id")
        _remember(self._dm_channels, (workspace, user), channel_id)
        return channel_id

    def _paused(self, workspace: str, user: str) -> RetryAfter | None:
        """A RetryAfter when Slack asked to wait for this DM channel, or for the workspace's
        DM channels while this student's isn't open yet."""
        now = self.workspaces.now()
        for limit in ((workspace, user), (workspace, "")):
            until = self._paused_until.get(limit)
            if until is None:
                continue
            if until <= now:
                del self._paused_until[limit]
            elif limit[1] or (workspace, user) not in self._dm_channels:
                scope = _scope_of(limit)
                wait = (until - now).total_seconds()
                return RetryAfter(wait, "rate limited by Slack", scope=scope, tried=False)
        return None

    async def _failure(
        self, err: SlackApiError, workspace: str, user: str, *, limit: tuple[str, str], token: str
    ) -> Delivery:
        """What Slack's error means for the dispatcher. `limit` is what a 429 pauses: the DM
        channel (workspace, user) or the workspace's new DM channels (workspace, "")."""
        status = err.response.status_code
        if status == 429:
            seconds = retry_after_seconds(err.response.headers)
            self._paused_until[limit] = self.workspaces.now() + timedelta(seconds=seconds)
            scope = _scope_of(limit)
            log.warning("Slack: rate limited (%s) for %.0f s", scope, seconds)
            return RetryAfter(seconds, "rate limited by Slack", scope=scope)
        code = str(err.response.get("error") or "")
        if code in PERSON_ERRORS:
            self._dm_channels.pop((workspace, user), None)
            return PermanentFailure(PERSON_ERRORS[code])
        if code in WORKSPACE_ERRORS:
            log.warning("Slack: DMs to workspace %s fail: %s", workspace, code)
            if (
                code in _DEAD_TOKEN
                and await self.workspaces.token_for(workspace, fresh=True) != token
            ):
                # Installed again meanwhile, with a new token: send with that one.
                return RetryAfter(0, "the workspace's token changed", scope="message")
            if code in _DEAD_TOKEN:
                # The uninstall event may have been missed: stop the rest of the batch too.
                await self.workspaces.remove(workspace, reason=WORKSPACE_ERRORS[code])
            return PermanentFailure(
                WORKSPACE_ERRORS[code],
                concerns_person=False,
                concerns_workspace=code in _DEAD_TOKEN,
            )
        raise err


# Slack's errors that mean the bot can't post in a club's channel, as an organizer reads them.
CHANNEL_ERRORS = {
    "not_in_channel": "I'm not a member of the channel: /invite me there",
    "channel_not_found": "Slack couldn't find the channel, or I'm not in it",
    "is_archived": "the channel is archived",
    "message_not_found": "the card was deleted",
    "cant_update_message": "Slack won't let me update the card",
    "restricted_action": "a workspace setting stops apps from posting there",
}


def _scope_of(limit: tuple[str, str]) -> Literal["person", "workspace"]:
    """What a pause on `limit` holds: a DM channel (workspace, user), or the workspace's new DM
    channels (workspace, "")."""
    return "person" if limit[1] else "workspace"


def retry_after_seconds(headers: Mapping[str, Any] | None) -> float:
    """Slack's Retry-After (seconds), or a safe default when it is missing or unreadable."""
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            text = value[0] if isinstance(value, list | tuple) and value else value
            try:
                return max(float(str(text).strip()), 1.0)
            except ValueError:
                break
    return DEFAULT_RETRY_AFTER


def _remember(cache: OrderedDict[Any, Any], key: Any, value: Any) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > CACHE_SIZE:
        cache.popitem(last=False)
