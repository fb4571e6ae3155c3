"""DM nudges through Discord's REST API: the core's `Messenger` port.

It needs no gateway connection, only the bot token: any process can send (the dispatcher in
every replica shares the database outbox), before the gateway is ready or without one at all.

The two requests a DM takes (opening the DM channel, once per student and process, then the
message) are made here with aiohttp, not through discord.py's HTTP client, whose rate limiting
sleeps inside a request (up to 30 s at least, and without limit on a global 429): that would
hold a whole sweep, and everyone's nudges, behind one student's DM channel. Here nothing
sleeps. Every rate limit goes back to the dispatcher as a `RetryAfter` as wide as Discord said:

- a 429 with `"global": true` (or `X-RateLimit-Scope: global`) holds every DM ("platform");
- any other 429 (scope `user` or `shared`), and a route whose bucket Discord says is used up
  (`X-RateLimit-Remaining: 0`), holds only that DM channel ("person"): everyone else's DMs go on;
- Cloudflare's 429 (no JSON, no `Via`) holds every DM for its Retry-After.

Discord bans bots that make too many failed requests (10,000 401/403/429 responses in 10
minutes get an IP blocked for an hour), so a refusal is never retried: DMs closed marks the
student, who hears about it at their next command. Each DM carries the nudge's key as its
nonce, with `enforce_nonce`, so Discord drops a repeat sent after a crash between send and
settle.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import aiohttp
import discord
from discord.http import Route, handle_message_parameters

from adapters.discord import PLATFORM
from bot.clock import Clock, SystemClock
from bot.domain import Club, Person
from bot.pacing import PaceRule
from bot.ports import (
    Delivered,
    Delivery,
    PermanentFailure,
    Posted,
    RetryAfter,
    ScheduledEventState,
)
from bot.replies import DigestPost, EventCard, Reply

from .clubs import digest_embed, event_card_embed, event_card_view, with_event_buttons
from .render import NO_MENTIONS, Page, pages, summary_line

__all__ = ["PACE_RULES", "DiscordMessenger"]

log = logging.getLogger(__name__)

# Discord's JSON error codes (https://discord.com/developers/docs/topics/opcodes-and-status-codes).
CANNOT_DM_USER = 50007  # DMs closed in the shared server, the bot blocked, or no shared server
UNKNOWN_USER = 10013
UNKNOWN_CHANNEL = 10003
# Why a club's card can't be posted or edited, as an organizer reads it.
CHANNEL_REFUSALS = {
    UNKNOWN_CHANNEL: "Discord couldn't find the channel",
    10008: "the card was deleted",
    50001: "I can't see the channel: give my role access to it",
    50013: "I lack a permission there (Send Messages, Embed Links)",
}
# Cloudflare's 429 carries no JSON body; its Retry-After header says how long, else this.
CLOUDFLARE_BAN = 3600.0
# A bad token fails every send alike: back off long, so the bot doesn't hammer Discord with 401s.
TOKEN_REJECTED_WAIT = 900.0
# DM channel ids by user id: opening one is a request of its own, and the id never changes.
DM_CHANNELS_KEPT = 10_000
# Discord accepts a nonce of at most 25 characters.
NONCE_LIMIT = 25
# A request Discord doesn't answer within this is a failure the dispatcher retries.
REQUEST_TIMEOUT = 10.0
# Discord's global limit is 50 requests/s per bot token, across all its processes (so the rule
# is shared through the database); 45 leaves room for the interactions and edits the same
# token makes meanwhile. It counts requests: a DM to someone new is two.
PACE_RULES = (
    PaceRule(f"{PLATFORM}:bot", 45, timedelta(seconds=1), shared=True, counts_requests=True),
)
# What this process sends in any second, at most: under Discord's 50, whatever the pacing let
# through at once after the event loop was held up (the pacing spaces turns; a loop busy for a
# moment can still release a few together).
CEILING_PER_SECOND = 48
# A Scheduled Event's status, by Discord's number for it.
EVENT_STATUS = {1: "scheduled", 2: "active", 3: "completed", 4: "cancelled"}
# Discord's answers that say a Scheduled Event is gone for the bot: deleted (Unknown Guild
# Scheduled Event), or the bot was removed from its server.
GONE = (403, 404)
# Interested users come a hundred a page, Discord's most.
USERS_PAGE = 100
# A read Discord refused for no stated reason is tried again this much later.
READ_RETRY = 300.0
# The hold on opening new DM channels (its bucket is the bot's, not a channel's).
OPENING = 0
USER_AGENT = f"DiscordBot (https://github.com/Rapptz/discord.py {discord.__version__}) followup-bot"


def nonce_for(key: str) -> str:
    """The nudge's key as a Discord nonce: itself when short enough, else a digest of it."""
    if len(key) <= NONCE_LIMIT:
        return key
    return hashlib.sha256(key.encode()).hexdigest()[:NONCE_LIMIT]


@dataclass(frozen=True)
class _Answer:
    """Discord's answer to one request."""

    status: int
    body: Any
    headers: Mapping[str, str]


class DiscordMessenger:
    """Sends DMs with the bot `token` to `base_url` (Discord's API; a fake's in tests)."""

    def __init__(
        self, token: str, *, base_url: str = Route.BASE, clock: Clock | None = None
    ) -> None:
        self._token = token
        # The bot's clock, which the dispatcher's retry times also follow (the runtime sets it
        # when it is attached to the bot).
        self.clock: Clock = clock or SystemClock()
        self._base_url = base_url.rstrip("/")
        self._session: aiohttp.ClientSession | None = None
        self._channels: OrderedDict[int, int] = OrderedDict()
        # Until when Discord asked to wait, and why: for everything (the key None), a DM
        # channel (its user id), or the opening of new ones (OPENING).
        self._held: dict[int | None, tuple[datetime, str]] = {}
        # When this process's requests of the last second were made (time.monotonic).
        self._recent: deque[float] = deque()

    def requests_for(self, to: Person) -> int:
        """Two requests for someone whose DM channel this process hasn't opened yet, else one."""
        user = to.address.user
        return 1 if user.isdigit() and int(user) in self._channels else 2

    async def close(self) -> None:
        """Close the HTTP session; a later send opens a new one."""
        if self._session is not None:
            await self._session.close()
        self._session = None

    async def send_dm(
        self, to: Person, message: Reply, *, key: str, maybe_sent: bool = False
    ) -> Delivery:
        """DM `to` the nudge `message`, with its buttons. Raises for what may pass (Discord's
        5xx, the network): the dispatcher retries with backoff."""
        if to.address.platform != PLATFORM or not to.address.user.isdigit():
            return PermanentFailure("not a Discord user", concerns_person=False)
        user_id = int(to.address.user)
        channel = self._channels.get(user_id)
        held = self._hold_on(user_id, OPENING) if channel is None else self._hold_on(user_id)
        if held is not None:
            return held
        scope = to.address.workspace
        shown = pages(message, scope=scope, skip_first_title=True)
        if message.event_actions:
            # A prompt's event buttons go under the last message, after what they are about.
            last = shown[-1]
            view = with_event_buttons(last.view, message.event_actions, scope=scope)
            shown[-1] = Page(last.embeds, view)
        payloads = [
            handle_message_parameters(
                # The first message's content is what a notification shows.
                content=(summary_line(message) if index == 0 else "") or discord.utils.MISSING,
                embeds=page.embeds,
                view=page.view if page.view is not None else discord.utils.MISSING,
                allowed_mentions=NO_MENTIONS,
                # Each message of a long DM its own nonce: a retry repeats none of them.
                nonce=nonce_for(key if index == 0 else f"{key}:{index}"),
            ).payload
            for index, page in enumerate(shown)
        ]
        # A DM too long for one message takes one request more for each further message.
        over = self._over_ceiling(self.requests_for(to) + len(payloads) - 1)
        if over is not None:
            return over
        if channel is None:
            opened = await self._request("/users/@me/channels", {"recipient_id": user_id})
            if opened.status != 200:
                return self._refused(opened, key, held_key=OPENING, user_id=user_id)
            channel = int(opened.body["id"])
            self._remember(user_id, channel)
            self._note_bucket(opened, OPENING)
        else:
            self._channels.move_to_end(user_id)
        for payload in payloads:
            sent = await self._request(f"/channels/{channel}/messages", payload)
            if sent.status != 200:
                return self._refused(sent, key, held_key=user_id, user_id=user_id)
            self._note_bucket(sent, user_id)
        return Delivered()

    # -- the requests ----------------------------------------------------------------------

    def _over_ceiling(self, requests: int) -> RetryAfter | None:
        """A short RetryAfter, untried, when `requests` more now would pass CEILING_PER_SECOND."""
        now = time.monotonic()
        while self._recent and self._recent[0] <= now - 1:
            self._recent.popleft()
        if len(self._recent) + requests <= CEILING_PER_SECOND:
            return None
        wait = self._recent[len(self._recent) + requests - CEILING_PER_SECOND - 1] + 1 - now
        return RetryAfter(max(wait, 0.001), "Discord global rate limit", tried=False)

    # -- club channels ---------------------------------------------------------------------

    async def post_to_channel(
        self, club: Club, card: EventCard
    ) -> Posted | RetryAfter | PermanentFailure:
        """An event's card in the club's channel, its message id to edit it later."""
        if club.platform != PLATFORM or not club.channel.isdigit():
            return PermanentFailure("not a Discord channel", concerns_person=False)
        return await self._post(club, _card_payload(card))

    async def post_digest(
        self, club: Club, digest: DigestPost
    ) -> Posted | RetryAfter | PermanentFailure:
        """A club's digest in its channel."""
        if club.platform != PLATFORM or not club.channel.isdigit():
            return PermanentFailure("not a Discord channel", concerns_person=False)
        payload = handle_message_parameters(
            embeds=[digest_embed(digest)], allowed_mentions=NO_MENTIONS
        ).payload
        return await self._post(club, payload)

    async def _post(self, club: Club, payload: Any) -> Posted | RetryAfter | PermanentFailure:
        held = self._hold_on()
        if held is not None:
            return held
        answer = await self._request(f"/channels/{club.channel}/messages", payload)
        if answer.status != 200 or not isinstance(answer.body, dict):
            return self._channel_refused(answer)
        return Posted(str(answer.body["id"]))

    async def update_post(self, club: Club, ref: str, card: EventCard) -> Delivery:
        """The card `ref` edited in place."""
        if club.platform != PLATFORM or not (club.channel.isdigit() and ref.isdigit()):
            return PermanentFailure("not a Discord message", concerns_person=False)
        held = self._hold_on()
        if held is not None:
            return held
        answer = await self._request(
            f"/channels/{club.channel}/messages/{ref}", _card_payload(card), method="PATCH"
        )
        if answer.status != 200:
            return self._channel_refused(answer)
        return Delivered()

    def _channel_refused(self, answer: _Answer) -> RetryAfter | PermanentFailure:
        body = answer.body if isinstance(answer.body, dict) else {}
        code = body.get("code")
        if answer.status == 429:
            seconds = _seconds(body.get("retry_after")) or 1.0
            return RetryAfter(seconds, f"Discord asked to wait {seconds:.0f} s", scope="message")
        if answer.status == 401:
            return self._token_rejected()
        known = CHANNEL_REFUSALS.get(code) if isinstance(code, int) else None
        reason = known or f"Discord refused (code {code})"
        return PermanentFailure(reason, concerns_person=False)

    async def read_scheduled_event(
        self, workspace: str, ref: str
    ) -> ScheduledEventState | RetryAfter | None:
        """Server `workspace`'s Scheduled Event `ref` as it stands, with who is interested
        (GET the event, then its users a hundred a page, users only, bots left out); None when
        it is gone or the bot can no longer see the server."""
        if not (workspace.isdigit() and ref.isdigit()):
            return None
        held = self._hold_on()
        if held is not None:
            return held
        path = f"/guilds/{workspace}/scheduled-events/{ref}"
        answer = await self._request(path, None, method="GET")
        if answer.status in GONE:
            return None
        if answer.status != 200 or not isinstance(answer.body, dict):
            return self._read_refused(answer)
        event: dict[str, Any] = answer.body
        interested: list[str] = []
        after: str | None = None
        while True:
            params = {"limit": str(USERS_PAGE), "with_member": "false"}
            if after is not None:
                params["after"] = after
            page = await self._request(path + "/users", None, method="GET", params=params)
            if page.status in GONE:
                return None
            if page.status != 200 or not isinstance(page.body, list):
                return self._read_refused(page)
            users = [e["user"] for e in page.body if isinstance(e, dict) and "user" in e]
            interested += [str(u["id"]) for u in users if not u.get("bot")]
            if len(page.body) < USERS_PAGE or not users:
                break
            after = str(users[-1]["id"])
        starts = discord.utils.parse_time(event.get("scheduled_start_time"))
        if starts is None:
            return None
        return ScheduledEventState(
            name=str(event.get("name") or ""),
            starts_at=starts,
            ends_at=discord.utils.parse_time(event.get("scheduled_end_time")),
            status=EVENT_STATUS.get(int(event.get("status") or 1), "scheduled"),
            interested=tuple(dict.fromkeys(interested)),
            created_by=str(event.get("creator_id") or ""),
        )

    def _read_refused(self, answer: _Answer) -> RetryAfter:
        """Discord couldn't say now: a rate limit's wait, or a while."""
        body = answer.body if isinstance(answer.body, dict) else {}
        if answer.status == 429:
            seconds = _seconds(body.get("retry_after")) or 1.0
            return RetryAfter(seconds, f"Discord asked to wait {seconds:.0f} s")
        if answer.status == 401:
            return self._token_rejected()
        return RetryAfter(READ_RETRY, f"Discord answered {answer.status}")

    async def _request(
        self,
        path: str,
        payload: Any,
        *,
        method: str = "POST",
        params: Mapping[str, str] | None = None,
    ) -> _Answer:
        self._recent.append(time.monotonic())
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
            )
        headers = {
            "Authorization": f"Bot {self._token}",
            "User-Agent": USER_AGENT,
            "Content-Type": "application/json",
        }
        data = json.dumps(payload) if payload is not None else None
        async with self._session.request(
            method, self._base_url + path, data=data, headers=headers, params=params
        ) as response:
            text = await response.text()
            # The path without ids, and no body: what a student typed stays out of the log.
            log.debug("Discord %s %s answered %s", method, _route_of(path), response.status)
            try:
                body = json.loads(text) if text else None
            except ValueError:
                body = text
            if response.status >= 500:
                raise discord.DiscordServerError(response, body)
            return _Answer(response.status, body, response.headers)

    # -- what Discord's answers mean -------------------------------------------------------

    def _hold_on(self, *keys: int | None) -> RetryAfter | None:
        """A RetryAfter, untried, while Discord asked to wait for any of `keys` (or for all)."""
        now = self.clock.now()
        for held in (None, *keys):
            until, reason = self._held.get(held, (now, ""))
            if until > now:
                scope: Literal["platform", "person"] = "platform" if held is None else "person"
                wait = (until - now).total_seconds()
                return RetryAfter(wait, reason, scope=scope, tried=False)
        return None

    def _hold(self, key: int | None, seconds: float, reason: str) -> None:
        now = self.clock.now()
        until = max(now + timedelta(seconds=seconds), self._held.get(key, (now, ""))[0])
        self._held[key] = (until, reason)
        if len(self._held) > DM_CHANNELS_KEPT:  # only what is still held matters
            self._held = {k: held for k, held in self._held.items() if held[0] > now}

    def _note_bucket(self, answer: _Answer, key: int) -> None:
        """A route whose bucket is used up waits for it to refill, rather than earn a 429."""
        if answer.headers.get("X-RateLimit-Remaining") == "0":
            reset = _seconds(answer.headers.get("X-RateLimit-Reset-After"))
            if reset:
                self._hold(key, reset, "Discord rate limit")

    def _refused(self, answer: _Answer, key: str, *, held_key: int, user_id: int) -> Delivery:
        body = answer.body if isinstance(answer.body, dict) else {}
        code = body.get("code")
        if answer.status == 429:
            return self._rate_limited(answer, body, held_key)
        if answer.status == 401:
            return self._token_rejected()
        if answer.status == 403:
            if code == CANNOT_DM_USER:
                return PermanentFailure("DMs closed", concerns_person=True)
            log.warning("%s: Discord refused the DM (code %s)", key, code)
            return PermanentFailure(f"Discord refused the DM (code {code})", False)
        if answer.status == 404 and code == UNKNOWN_USER:
            return PermanentFailure("Discord account not found", concerns_person=True)
        if answer.status == 404 and code == UNKNOWN_CHANNEL:
            self._channels.pop(user_id, None)  # a new one is opened on the retry
            return RetryAfter(0, "Discord lost the DM channel", scope="message")
        # A 4xx the same request will always get (a message Discord finds invalid).
        log.warning("%s: Discord rejected the DM (HTTP %s, code %s)", key, answer.status, code)
        return PermanentFailure(f"Discord rejected the DM (code {code})", False)

    def _rate_limited(self, answer: _Answer, body: Mapping[str, Any], held_key: int) -> RetryAfter:
        headers = answer.headers
        if not body or not headers.get("Via"):
            # Cloudflare, not Discord: no JSON, a Retry-After header; the whole bot waits.
            seconds = _seconds(headers.get("Retry-After")) or CLOUDFLARE_BAN
            self._hold(None, seconds, "Cloudflare rate limit")
            return RetryAfter(seconds, "Cloudflare rate limit")
        seconds = _seconds(body.get("retry_after")) or _seconds(headers.get("Retry-After")) or 1.0
        scope: Literal["platform", "person"] = (
            "platform"
            if body.get("global") or headers.get("X-RateLimit-Scope") == "global"
            else "person"
        )
        reason = "Discord global rate limit" if scope == "platform" else "Discord rate limit"
        self._hold(None if scope == "platform" else held_key, seconds, reason)
        log.warning("Discord: rate limited (%s) for %.1f s", scope, seconds)
        return RetryAfter(seconds, reason, scope=scope)

    def _token_rejected(self) -> RetryAfter:
        """Every send would fail alike: wait, without a request, then try afresh."""
        log.error("Discord rejected DISCORD_TOKEN; DMs wait until it is fixed")
        self._hold(None, TOKEN_REJECTED_WAIT, "Discord token rejected")
        return RetryAfter(TOKEN_REJECTED_WAIT, "Discord token rejected")

    def _remember(self, user_id: int, channel: int) -> None:
        self._channels[user_id] = channel
        if len(self._channels) > DM_CHANNELS_KEPT:
            self._channels.popitem(last=False)


def _card_payload(card: EventCard) -> Any:
    view = event_card_view(card)
    return handle_message_parameters(
        embeds=[event_card_embed(card)],
        view=view,
        allowed_mentions=NO_MENTIONS,
    ).payload


def _route_of(path: str) -> str:
    if path.startswith("/guilds/"):
        return "/guilds/{id}/scheduled-events/{id}" + ("/users" if path.endswith("/users") else "")
    return "/channels/{id}/messages" if path.startswith("/channels/") else path


def _seconds(value: object) -> float | None:
    """A positive number of seconds from a header or a JSON field, else None."""
    try:
        seconds = float(str(value))
    except ValueError:
        return None
    return seconds if seconds > 0 else None
