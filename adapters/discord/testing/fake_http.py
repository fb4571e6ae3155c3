"""A fake of the HTTP session under discord.py: every request the bot makes is recorded
(method, path, JSON body) and answered with canned data, by default a plausible Discord answer,
or with `answer(...)` a status and body of the test's choosing (a 403 with code 50007, a 429
with retry_after, a 503). With `limits` it enforces Discord's rate limits as Discord does: 50
requests in any second per bot (interaction responses aside) and 5 messages in any 5 seconds per
channel, answering a 429 over them (`refused_over_limit` counts them by scope) and telling the
channel's bucket in X-RateLimit-* headers. Any message it is sent (a DM, a command's answer, an
interaction's response, an edit, a followup) over one of Discord's size limits
(adapters/discord/limits.py) gets Discord's 400 "Invalid Form Body" (code 50035), recorded in
`refused_as_invalid`.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import aiohttp
import discord
from multidict import CIMultiDict

from adapters.discord.limits import problems
from bot.testing.limits import SlidingWindow

from .wire import APPLICATION_ID, BOT_USER, CHANNEL_ID, EPHEMERAL, TIMESTAMP, TOKEN, user_payload

__all__ = ["DiscordLimits", "FakeDiscordHTTP", "RecordedRequest", "logged_in"]

# Interaction callback types (https://discord.com/developers/docs/interactions/receiving-and-responding).
MESSAGE_CALLBACKS = {4, 7}


@dataclass
class RecordedRequest:
    """A request the bot made; `created` is the message the fake made of it, if any (with the
    id and channel a later click on it carries)."""

    method: str
    path: str
    json: Any
    params: Mapping[str, str]
    created: dict[str, Any] | None = None
    at: float = field(default_factory=time.monotonic)
    status: int = 0
    # Files sent with the request (a multipart body), by file name.
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def callback_type(self) -> int | None:
        """For an interaction callback, its type (4 message, 5 deferred, 7 update, 8
        autocomplete, 9 modal)."""
        if self.path.endswith("/callback") and isinstance(self.json, dict):
            return int(self.json["type"])
        return None

    @property
    def message(self) -> dict[str, Any] | None:
        """The message this request creates or edits, if it does."""
        if not isinstance(self.json, dict):
            return None
        if self.path.endswith("/callback"):
            data = self.json.get("data")
            return data if self.callback_type in MESSAGE_CALLBACKS else None
        if "/messages" in self.path or self.path.startswith("/webhooks/"):
            return self.json
        return None


class DiscordLimits:
    """Discord's limits: `per_second` requests per bot token (its global limit), and
    `per_channel` messages in any `channel_period` seconds per channel."""

    def __init__(
        self, *, per_second: int = 50, per_channel: int = 5, channel_period: float = 5.0
    ) -> None:
        self.bot = SlidingWindow(per_second, 1.0)
        self.channels = SlidingWindow(per_channel, channel_period)

    def refuse(self, path: str) -> tuple[str, float, dict[str, str]] | None:
        """For a request to `path` now: None and counted if allowed, else the limit's scope,
        the seconds to wait and the headers of Discord's 429."""
        if path.startswith(("/interactions/", "/webhooks/")):
            return None  # interaction responses are outside the global limit
        channel = re.fullmatch(r"/channels/(\d+)/messages", path)
        if channel:
            wait = self.channels.take(channel.group(1))
            if wait is not None:
                return "user", wait, self.bucket_headers(path)
        wait = self.bot.take()
        if wait is not None:
            return "global", wait, {}
        return None

    def bucket_headers(self, path: str) -> dict[str, str]:
        channel = re.fullmatch(r"/channels/(\d+)/messages", path)
        if channel is None:
            return {}
        left, reset = self.channels.remaining(channel.group(1))
        return {
            "X-RateLimit-Limit": str(self.channels.limit),
            "X-RateLimit-Remaining": str(left),
            "X-RateLimit-Reset-After": f"{reset:.3f}",
            "X-RateLimit-Bucket": "channel-messages",
        }


@dataclass
class _Answer:
    method: str
    path: re.Pattern[str]
    status: int
    body: Any
    headers: dict[str, str]


class _Response:
    """What discord.py reads of an aiohttp response."""

    def __init__(self, status: int, body: Any, headers: Mapping[str, str]) -> None:
        self.status = status
        self.reason = {200: "OK", 204: "No Content", 403: "Forbidden", 404: "Not Found"}.get(
            status, "Error"
        )
        self.headers: CIMultiDict[str] = CIMultiDict(headers)
        if body is not None and not isinstance(body, str):
            self.headers.setdefault("Content-Type", "application/json")
            self._text = json.dumps(body)
        else:
            self._text = body or ""

    async def text(self, encoding: str = "utf-8") -> str:
        return self._text

    async def read(self) -> bytes:
        return self._text.encode("utf-8")

    async def __aenter__(self) -> _Response:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None


@dataclass
class FakeDiscordHTTP:
    """The session discord.py sends every request through, faked: records them, answers them."""

    requests: list[RecordedRequest] = field(default_factory=list)
    closed: bool = False
    # Messages created in channels by REST, a repeat with an enforced nonce not counted again.
    created: list[dict[str, Any]] = field(default_factory=list)
    limits: DiscordLimits | None = None
    refused_over_limit: Counter[str] = field(default_factory=Counter)
    # The messages refused as over Discord's size limits, with what each broke.
    refused_as_invalid: list[tuple[RecordedRequest, list[str]]] = field(default_factory=list)
    _nonces: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    # Files members attached to commands, served from Discord's CDN: by path, their text.
    attachments: dict[str, str] = field(default_factory=dict)
    _answers: list[_Answer] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(940000000000000001))

    # -- what the test sets up -----------------------------------------------------------

    def answer(
        self,
        method: str,
        path: str,
        *,
        status: int,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer the next `method` request whose path matches the regular expression `path`
        with `status` and `body` (JSON), once; then back to the defaults."""
        self._answers.append(
            _Answer(method.upper(), re.compile(path), status, body, dict(headers or {}))
        )

    def error(self, method: str, path: str, *, status: int, code: int, message: str) -> None:
        """Answer like Discord refusing: `status` with its JSON error `code`."""
        self.answer(method, path, status=status, body={"code": code, "message": message})

    def rate_limit(
        self, method: str, path: str, *, retry_after: float, scope: str = "user"
    ) -> None:
        """Answer like Discord's rate limiter: a 429 through its proxy, with retry_after, and
        the limit's scope ("user" or "shared": that route; "global": the whole bot)."""
        self.answer(
            method,
            path,
            status=429,
            body={
                "message": "You are being rate limited.",
                "retry_after": retry_after,
                "global": scope == "global",
            },
            headers={
                "Via": "1.1 google",
                "Retry-After": str(max(int(retry_after), 1)),
                "X-RateLimit-Scope": scope,
            },
        )

    # -- what the test reads -------------------------------------------------------------

    def to(self, method: str, path: str) -> list[RecordedRequest]:
        """The requests made with `method` to paths matching the regular expression `path`."""
        pattern = re.compile(path)
        return [r for r in self.requests if r.method == method.upper() and pattern.search(r.path)]

    def callbacks(self) -> list[RecordedRequest]:
        """Interaction responses, in order."""
        return [r for r in self.requests if r.callback_type is not None]

    def messages(self) -> list[dict[str, Any]]:
        """Every message payload the bot sent or edited: DMs, replies, follow-ups, edits."""
        return [m for r in self.requests if (m := r.message) is not None]

    # -- the aiohttp.ClientSession surface discord.py uses -------------------------------

    def request(self, method: str, url: str, **kwargs: Any) -> _Response:
        path = urlsplit(url).path
        path = re.sub(r"^/api/v\d+", "", path)
        data = kwargs.get("data")
        body = json.loads(data) if isinstance(data, str) and data else None
        files: dict[str, bytes] = {}
        if isinstance(data, aiohttp.FormData):
            body, files = _multipart(data)
        params = {str(k): str(v) for k, v in (kwargs.get("params") or {}).items()}
        recorded = RecordedRequest(method.upper(), path, body, params, files=files)
        self.requests.append(recorded)
        for answer in self._answers:
            if answer.method == recorded.method and answer.path.search(path):
                self._answers.remove(answer)
                return _Response(answer.status, answer.body, answer.headers)
        refused = self.limits.refuse(path) if self.limits is not None else None
        if refused is not None:
            scope, wait, headers = refused
            self.refused_over_limit[scope] += 1
            body = {
                "message": "You are being rate limited.",
                "retry_after": round(wait, 3),
                "global": scope == "global",
            }
            limited = {"Via": "1.1 google", "X-RateLimit-Scope": scope} | headers
            recorded.status = 429
            return _Response(429, body, limited | {"Retry-After": str(math.ceil(wait))})
        message = recorded.message
        broken = problems(message) if message is not None else []
        if broken:
            self.refused_as_invalid.append((recorded, broken))
            recorded.status = 400
            return _Response(400, _invalid_form_body(broken), {})
        status, reply = self._default(recorded)
        recorded.status = status
        if isinstance(reply, dict):
            if "resource" in reply:
                recorded.created = reply["resource"].get("message")
            elif "channel_id" in reply and "author" in reply:
                recorded.created = reply
        headers = self.limits.bucket_headers(path) if self.limits is not None else {}
        return _Response(status, reply, headers)

    def get(self, url: str, **kwargs: Any) -> _Response:
        """A file fetched from Discord's CDN (an attachment's URL)."""
        return self.request("GET", url, **kwargs)

    async def close(self) -> None:
        self.closed = True

    # -- Discord's usual answers ---------------------------------------------------------

    def _default(self, request: RecordedRequest) -> tuple[int, Any]:
        method, path, body = request.method, request.path, request.json
        if (method, path) == ("GET", "/users/@me"):
            return 200, BOT_USER
        if (method, path) == ("GET", "/oauth2/applications/@me"):
            return 200, {
                "id": str(APPLICATION_ID),
                "name": "followup-bot",
                "icon": None,
                "description": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": user_payload(910000000000000003, "owner"),
                "verify_key": "0" * 64,
                "flags": 0,
            }
        if method == "GET" and path in self.attachments:
            return 200, self.attachments[path]
        if (method, path) == ("POST", "/users/@me/channels"):
            recipient = int(body["recipient_id"])
            return 200, {
                "id": str(recipient + 1),  # a DM channel id per user, stable
                "type": 1,
                "last_message_id": None,
                "recipients": [user_payload(recipient, "student")],
            }
        if match := re.fullmatch(r"/channels/(\d+)/messages", path):
            return 200, self._create(body, int(match.group(1)))
        if (match := re.fullmatch(r"/channels/(\d+)/messages/(\d+)", path)) and method == "PATCH":
            return self._edit(body, match.group(1), match.group(2))
        if match := re.fullmatch(r"/interactions/(\d+)/[^/]+/callback", path):
            return 200, self._callback(int(match.group(1)), body)
        if path.startswith("/webhooks/") and method in ("POST", "PATCH"):
            return 200, self._message(body, CHANNEL_ID)
        if re.fullmatch(r"/applications/\d+(/guilds/\d+)?/commands", path) and method == "PUT":
            guild = re.search(r"/guilds/(\d+)/", path)
            return 200, [
                command
                | {
                    "id": str(next(self._ids)),
                    "application_id": str(APPLICATION_ID),
                    "version": "1",
                    **({"guild_id": guild.group(1)} if guild else {}),
                }
                for command in body
            ]
        return 404, {"code": 0, "message": f"404: no fake for {method} {path}"}

    def _create(self, body: Mapping[str, Any] | None, channel_id: int) -> dict[str, Any]:
        """A new message in a channel; with `enforce_nonce`, a nonce the channel had lately
        gets that message back instead of a second one (as Discord does)."""
        nonce = (body or {}).get("nonce")
        if nonce and (body or {}).get("enforce_nonce"):
            earlier = self._nonces.get((channel_id, str(nonce)))
            if earlier is not None:
                return earlier
        message = self._message(body, channel_id)
        self.created.append(message)
        if nonce:
            self._nonces[(channel_id, str(nonce))] = message
        return message

    def _edit(
        self, body: Mapping[str, Any] | None, channel_id: str, message_id: str
    ) -> tuple[int, Any]:
        """A message the bot created, edited in place (as channel members see it)."""
        for message in self.created:
            if (message["channel_id"], message["id"]) == (channel_id, message_id):
                for key in ("content", "embeds", "components"):
                    if body and key in body:
                        message[key] = body[key]
                return 200, message
        return 404, {"code": 10008, "message": "Unknown Message"}

    def _message(self, body: Mapping[str, Any] | None, channel_id: int) -> dict[str, Any]:
        body = body or {}
        return {
            "id": str(next(self._ids)),
            "channel_id": str(channel_id),
            "author": BOT_USER,
            "content": body.get("content") or "",
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "type": 0,
            "flags": body.get("flags") or 0,
            **({"nonce": body["nonce"]} if "nonce" in body else {}),
        }

    def _callback(self, interaction_id: int, body: Mapping[str, Any]) -> dict[str, Any]:
        kind = int(body["type"])
        data = body.get("data") or {}
        result: dict[str, Any] = {
            "interaction": {
                "id": str(interaction_id),
                "type": 2,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(int(data.get("flags") or 0) & EPHEMERAL),
            }
        }
        if kind in (4, 5, 6, 7):
            message = self._message(data, CHANNEL_ID)
            result["interaction"]["response_message_id"] = message["id"]
            result["resource"] = {"type": kind, "message": message}
        return result

    # -- installing it -------------------------------------------------------------------

    def _session(self, *args: Any, **kwargs: Any) -> FakeDiscordHTTP:
        return self

    @contextmanager
    def installed(self) -> Iterator[FakeDiscordHTTP]:
        """While active, a discord.py HTTP client that logs in gets this fake as its session
        (and keeps it afterwards)."""
        # discord.http creates its session as aiohttp.ClientSession(...) in static_login.
        with mock.patch.object(aiohttp, "ClientSession", self._session):
            yield self


def _invalid_form_body(broken: list[str]) -> dict[str, Any]:
    """Discord's answer to a message over its limits (its errors name each field)."""
    errors = {
        f"problem_{index}": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": text}]}
        for index, text in enumerate(broken)
    }
    return {"code": 50035, "message": "Invalid Form Body", "errors": errors}


def _multipart(form: aiohttp.FormData) -> tuple[Any, dict[str, bytes]]:
    """A multipart body as discord.py builds it: its JSON part, and its files by name."""
    body: Any = None
    files: dict[str, bytes] = {}
    for options, _headers, value in form._fields:
        if options.get("name") == "payload_json":
            body = json.loads(value)
        elif "filename" in options:
            value.seek(0)
            files[str(options["filename"])] = value.read()
    return body, files


async def logged_in(client: discord.Client, fake: FakeDiscordHTTP) -> None:
    """Log `client` in against `fake`: the real `Client.login`, which fetches the bot user
    and the application id, as in production."""
    with fake.installed():
        await client.login(TOKEN)
