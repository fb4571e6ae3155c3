"""DM nudges through Discord's REST API: the core's `Messenger` port.

It needs no gateway connection, only the bot token: any process can send (the dispatcher in
every replica shares the database outbox), before the gateway is ready or without one at all.

Discord bans bots that make too many failed requests (10,000 401/403/429 responses in 10
minutes get an IP blocked for an hour), so a refusal is never retried: DMs closed marks the
student, who hears about it at their next command. Rate limits are handed back to the
dispatcher with Discord's retry-after. Each DM carries the nudge's key as its nonce, with
`enforce_nonce`, so Discord drops a repeat sent after a crash between send and settle.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import OrderedDict
from datetime import timedelta

import discord
from discord.http import HTTPClient, handle_message_parameters

from adapters.discord import PLATFORM
from bot.domain import Person
from bot.pacing import PaceRule
from bot.ports import Delivered, Delivery, PermanentFailure, RetryAfter
from bot.replies import Reply

from .render import NO_MENTIONS, render_embeds, render_view, summary_line

__all__ = ["PACE_RULES", "DiscordMessenger"]

log = logging.getLogger(__name__)

# Discord's JSON error codes (https://discord.com/developers/docs/topics/opcodes-and-status-codes).
CANNOT_DM_USER = 50007  # DMs closed in the shared server, the bot blocked, or no shared server
UNKNOWN_USER = 10013
UNKNOWN_CHANNEL = 10003
# discord.py waits out a rate limit shorter than this itself (its minimum, 30 s); a longer one
# comes back here as RateLimited and goes to the dispatcher, which has other nudges to send.
LONGEST_WAIT = 30.0
# Cloudflare's 429 carries no JSON body; its Retry-After header says how long, else this.
CLOUDFLARE_BAN = 3600.0
# A bad token fails every send alike: back off long, so the bot doesn't hammer Discord with 401s.
TOKEN_REJECTED_WAIT = 900.0
# DM channel ids by user id: opening one is a request of its own, and the id never changes.
DM_CHANNELS_KEPT = 10_000
# Discord accepts a nonce of at most 25 characters.
NONCE_LIMIT = 25
# Discord's global limit is 50 requests/s per bot token, across all its processes (so the rule
# is shared through the database); 45 leaves room for the interactions and edits the same
# token makes meanwhile.
PACE_RULES = (PaceRule(f"{PLATFORM}:bot", 45, timedelta(seconds=1), shared=True),)


def nonce_for(key: str) -> str:
    """The nudge's key as a Discord nonce: itself when short enough, else a digest of it."""
    if len(key) <= NONCE_LIMIT:
        return key
    return hashlib.sha256(key.encode()).hexdigest()[:NONCE_LIMIT]


class DiscordMessenger:
    """Sends DMs with the bot `token`. Connects on the first send; `http` is for tests (an
    `HTTPClient` already logged in, or one whose session is faked)."""

    def __init__(self, token: str, *, http: HTTPClient | None = None) -> None:
        self._token = token
        self._http = http
        self._logged_in = False
        self._connecting = asyncio.Lock()
        self._channels: OrderedDict[int, int] = OrderedDict()
        # After Discord rejects the token, sends wait this out without a request (time.monotonic).
        self._rejected_until = 0.0

    async def _client(self) -> HTTPClient:
        async with self._connecting:
            if self._http is None:
                self._http = HTTPClient(
                    asyncio.get_running_loop(), max_ratelimit_timeout=LONGEST_WAIT
                )
            if not self._logged_in:
                await self._http.static_login(self._token)
                self._logged_in = True
            return self._http

    async def close(self) -> None:
        """Close the HTTP session; a later send opens a new one."""
        if self._http is not None:
            await self._http.close()
        self._http = None
        self._logged_in = False

    async def _dm_channel(self, http: HTTPClient, user_id: int) -> int:
        channel = self._channels.get(user_id)
        if channel is None:
            data = await http.start_private_message(user_id)
            channel = int(data["id"])
            self._channels[user_id] = channel
            if len(self._channels) > DM_CHANNELS_KEPT:
                self._channels.popitem(last=False)
        else:
            self._channels.move_to_end(user_id)
        return channel

    async def send_dm(self, to: Person, message: Reply, *, key: str) -> Delivery:
        """DM `to` the nudge `message`, with its buttons. Raises for what may pass (Discord's
        5xx, the network): the dispatcher retries with backoff."""
        if to.address.platform != PLATFORM or not to.address.user.isdigit():
            return PermanentFailure("not a Discord user", concerns_person=False)
        waiting = self._rejected_until - time.monotonic()
        if waiting > 0:
            return RetryAfter(waiting, "Discord token rejected")
        user_id = int(to.address.user)
        view = render_view(message.actions, scope=to.address.workspace)
        params = handle_message_parameters(
            content=summary_line(message) or discord.utils.MISSING,
            embeds=render_embeds(message, skip_first_title=True),
            view=view if view is not None else discord.utils.MISSING,
            allowed_mentions=NO_MENTIONS,
            nonce=nonce_for(key),
        )
        try:
            http = await self._client()
            channel = await self._dm_channel(http, user_id)
            await http.send_message(channel, params=params)
        except discord.RateLimited as err:
            return RetryAfter(err.retry_after, "Discord rate limit")
        except discord.Forbidden as err:
            if err.code == CANNOT_DM_USER:
                return PermanentFailure("DMs closed", concerns_person=True)
            log.warning("%s: Discord refused the DM (code %s)", key, err.code)
            return PermanentFailure(f"Discord refused the DM (code {err.code})", False)
        except discord.NotFound as err:
            if err.code == UNKNOWN_USER:
                return PermanentFailure("Discord account not found", concerns_person=True)
            if err.code == UNKNOWN_CHANNEL:
                self._channels.pop(user_id, None)  # a new one is opened on the retry
            raise
        except discord.LoginFailure:
            await self.close()
            return self._token_rejected()
        except discord.DiscordServerError:
            raise
        except discord.HTTPException as err:
            if err.status == 429:  # Cloudflare, not Discord: no JSON, a Retry-After header
                retry = err.response.headers.get("Retry-After", "")
                seconds = float(retry) if retry.replace(".", "", 1).isdigit() else CLOUDFLARE_BAN
                return RetryAfter(seconds, "Cloudflare rate limit")
            if err.status == 401:
                return self._token_rejected()
            if err.status >= 500:
                raise
            # A 4xx the same request will always get (a message Discord finds invalid).
            log.warning("%s: Discord rejected the DM (HTTP %s, code %s)", key, err.status, err.code)
            return PermanentFailure(f"Discord rejected the DM (code {err.code})", False)
        return Delivered()

    def _token_rejected(self) -> RetryAfter:
        """Every send would fail alike: wait, without a request, then log in afresh."""
        log.error("Discord rejected DISCORD_TOKEN; DMs wait until it is fixed")
        self._rejected_until = time.monotonic() + TOKEN_REJECTED_WAIT
        return RetryAfter(TOKEN_REJECTED_WAIT, "Discord token rejected")
