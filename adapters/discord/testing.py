"""Discord without a network, for tests: a fake of the HTTP session under discord.py, and
interactions built from wire-format payloads.

`FakeDiscordHTTP` stands where discord.py's `aiohttp.ClientSession` would: both its REST client
(`HTTPClient`) and its interaction responses (webhook adapter) send through it, so every request
the bot makes is recorded (method, path, JSON body) and answered with canned data, by default a
plausible Discord answer, or with `answer(...)` a status and body of the test's choosing
(a 403 with code 50007, a 429 with retry_after, a 503).

`InteractionFactory` builds the gateway's INTERACTION_CREATE payloads (slash commands,
autocomplete, button clicks, form submissions) for a user in a server or in a DM, and
`deliver(client, payload)` hands one to discord.py exactly as the gateway would and waits until
the bot has answered it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import aiohttp
import discord
from multidict import CIMultiDict

__all__ = [
    "APPLICATION_ID",
    "BOT_USER_ID",
    "CHANNEL_ID",
    "GUILD_ID",
    "TOKEN",
    "FakeDiscordHTTP",
    "InteractionFactory",
    "RecordedRequest",
    "deliver",
    "logged_in",
]

TOKEN = "fake-bot-token"
APPLICATION_ID = 910000000000000001
BOT_USER_ID = 910000000000000002
GUILD_ID = 920000000000000001
CHANNEL_ID = 930000000000000001
TIMESTAMP = "2026-03-06T20:00:00+00:00"
EPHEMERAL = 64
# Interaction callback types (https://discord.com/developers/docs/interactions/receiving-and-responding).
MESSAGE_CALLBACKS = {4, 7}


def user_payload(user_id: int, name: str) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name.casefold().replace(" ", "_")[:32] or "user",
        "global_name": name,
        "discriminator": "0",
        "avatar": None,
    }


BOT_USER = user_payload(BOT_USER_ID, "followup-bot") | {"bot": True}


@dataclass
class RecordedRequest:
    """A request the bot made; `created` is the message the fake made of it, if any (with the
    id and channel a later click on it carries)."""

    method: str
    path: str
    json: Any
    params: Mapping[str, str]
    created: dict[str, Any] | None = None

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

    async def __aenter__(self) -> _Response:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None


@dataclass
class FakeDiscordHTTP:
    """The session discord.py sends every request through, faked: records them, answers them."""

    requests: list[RecordedRequest] = field(default_factory=list)
    closed: bool = False
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

    def rate_limit(self, method: str, path: str, *, retry_after: float) -> None:
        """Answer like Discord's rate limiter (a 429 through its proxy, with retry_after)."""
        self.answer(
            method,
            path,
            status=429,
            body={
                "message": "You are being rate limited.",
                "retry_after": retry_after,
                "global": False,
            },
            headers={"Via": "1.1 google", "Retry-After": str(int(retry_after))},
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
        params = {str(k): str(v) for k, v in (kwargs.get("params") or {}).items()}
        recorded = RecordedRequest(method.upper(), path, body, params)
        self.requests.append(recorded)
        for answer in self._answers:
            if answer.method == recorded.method and answer.path.search(path):
                self._answers.remove(answer)
                return _Response(answer.status, answer.body, answer.headers)
        status, reply = self._default(recorded)
        if isinstance(reply, dict):
            if "resource" in reply:
                recorded.created = reply["resource"].get("message")
            elif "channel_id" in reply and "author" in reply:
                recorded.created = reply
        return _Response(status, reply, {})

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
        if (method, path) == ("POST", "/users/@me/channels"):
            recipient = int(body["recipient_id"])
            return 200, {
                "id": str(recipient + 1),  # a DM channel id per user, stable
                "type": 1,
                "last_message_id": None,
                "recipients": [user_payload(recipient, "student")],
            }
        if match := re.fullmatch(r"/channels/(\d+)/messages", path):
            return 200, self._message(body, int(match.group(1)))
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


async def logged_in(client: discord.Client, fake: FakeDiscordHTTP) -> None:
    """Log `client` in against `fake`: the real `Client.login`, which fetches the bot user
    and the application id, as in production."""
    with fake.installed():
        await client.login(TOKEN)


class InteractionFactory:
    """INTERACTION_CREATE payloads, as Discord sends them, for `tree`'s commands."""

    def __init__(self) -> None:
        self._ids = itertools.count(950000000000000001)

    def _base(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        user_id: int,
        name: str,
        guild_id: int | None,
        channel_id: int = CHANNEL_ID,
    ) -> dict[str, Any]:
        interaction_id = next(self._ids)
        user = user_payload(user_id, name)
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(APPLICATION_ID),
            "type": kind,
            "token": f"interaction-token-{interaction_id}",
            "version": 1,
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": 8 * 1024 * 1024,
            "app_permissions": str(discord.Permissions.text().value),
            "data": data,
        }
        if guild_id is not None:
            payload |= {
                "guild_id": str(guild_id),
                "guild": {"id": str(guild_id), "locale": "en-US", "features": []},
                "guild_locale": "en-US",
                "channel_id": str(channel_id),
                "channel": {
                    "id": str(channel_id),
                    "type": 0,
                    "guild_id": str(guild_id),
                    "name": "career-club",
                    "position": 0,
                    "permission_overwrites": [],
                    "nsfw": False,
                    "parent_id": None,
                },
                "member": {
                    "user": user,
                    "nick": None,
                    "roles": [],
                    "joined_at": TIMESTAMP,
                    "deaf": False,
                    "mute": False,
                    "flags": 0,
                    "permissions": str(discord.Permissions.text().value),
                },
                "authorizing_integration_owners": {"0": str(guild_id)},
                "context": 0,
            }
        else:
            payload |= {
                "channel_id": str(channel_id),
                "channel": {"id": str(channel_id), "type": 1, "recipients": [user]},
                "user": user,
                "authorizing_integration_owners": {"0": str(guild_id or 0)},
                "context": 1,
            }
        return payload

    def command(
        self,
        path: str,
        options: Mapping[str, str | int | bool] | None = None,
        *,
        user_id: int,
        name: str = "Student",
        guild_id: int | None = GUILD_ID,
        focused: str | None = None,
    ) -> dict[str, Any]:
        """A slash command ("followups done") with its options; with `focused`, the
        autocomplete request for that option instead."""
        words = path.split()
        leaf: list[dict[str, Any]] = []
        for key, value in (options or {}).items():
            kind = 5 if isinstance(value, bool) else 4 if isinstance(value, int) else 3
            option: dict[str, Any] = {"type": kind, "name": key, "value": value}
            if key == focused:
                option["focused"] = True
            leaf.append(option)
        nested = leaf
        for depth in range(len(words) - 1, 0, -1):
            nested = [
                {
                    "type": 1 if depth == len(words) - 1 else 2,
                    "name": words[depth],
                    "options": nested,
                }
            ]
        data = {"id": str(next(self._ids)), "name": words[0], "type": 1, "options": nested}
        return self._base(4 if focused else 2, data, user_id=user_id, name=name, guild_id=guild_id)

    def click(
        self,
        custom_id: str,
        message: dict[str, Any],
        *,
        user_id: int,
        name: str = "Student",
        guild_id: int | None = None,
    ) -> dict[str, Any]:
        """A click on the button `custom_id` of `message` (in a DM unless `guild_id`)."""
        data = {"custom_id": custom_id, "component_type": 2}
        channel_id = int(message["channel_id"])
        payload = self._base(
            3, data, user_id=user_id, name=name, guild_id=guild_id, channel_id=channel_id
        )
        payload["message"] = message
        return payload

    def submit(
        self,
        modal: Mapping[str, Any],
        values: Mapping[str, str],
        *,
        user_id: int,
        name: str = "Student",
        guild_id: int | None = GUILD_ID,
    ) -> dict[str, Any]:
        """Submitting the form `modal` (the modal payload the bot sent), with `values` by each
        input's label; a select gets the value as its one choice."""
        components = []
        for component in modal["components"]:
            label = component.get("label", "")
            inner = component.get("component") or component["components"][0]
            value = values.get(label, "")
            if inner["type"] == 3:
                submitted = {
                    "type": 3,
                    "custom_id": inner["custom_id"],
                    "values": [value] if value else [],
                }
            else:
                submitted = {"type": 4, "custom_id": inner["custom_id"], "value": value}
            components.append({"type": 18, "component": submitted})
        data = {"custom_id": modal["custom_id"], "components": components}
        return self._base(5, data, user_id=user_id, name=name, guild_id=guild_id)


# A handler that hasn't answered by then is stuck: fail the test rather than hang it.
DELIVERY_TIMEOUT = 10.0
# The tasks discord.py starts to handle an interaction (its view timers are left alone).
_HANDLER_TASKS = (
    "CommandTree-invoker",
    "discord-ui-view-dispatch",
    "discord-ui-dynamic-item",
    "discord-ui-modal-dispatch",
)


async def deliver(client: discord.Client, payload: dict[str, Any]) -> None:
    """Hand `payload` to `client` as the gateway's INTERACTION_CREATE, and wait until every
    task discord.py started for it has finished."""
    before = asyncio.all_tasks()
    client._connection.parse_interaction_create(payload)  # type: ignore[arg-type]  # a wire payload: a dict, as from the gateway
    async with asyncio.timeout(DELIVERY_TIMEOUT):
        while True:
            handling = [
                t
                for t in asyncio.all_tasks() - before
                if t.get_name().startswith(_HANDLER_TASKS) and not t.done()
            ]
            if not handling:
                return
            await asyncio.wait(handling)
