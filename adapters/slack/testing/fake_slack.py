"""A fake Slack Web API on 127.0.0.1: it serves the methods the adapter calls (point
SLACK_API_BASE_URL at `fake.api_url`), records every call, and answers as told:
`rate_limited(30)` (429 with Retry-After), `slack_error("channel_not_found")`, `hang(5)`
(answers too late, a timeout). It also takes response_url posts (`fake.response_url("name")`),
runs an OAuth token exchange and speaks Socket Mode over a WebSocket
(`socket_mode.send_envelope`). It keeps each channel's messages, with their metadata, for
conversations.history, and takes file uploads as files_upload_v2 makes them
(files.getUploadURLExternal, the upload itself, files.completeUploadExternal;
`fake.shared_files()`). With `limits` it refuses with a 429 what Slack would: a
chat.postMessage over a channel's or a workspace's rate (`refused_over_limit` counts them).
Always, it refuses a message or a view over Block Kit's limits (adapters/slack/limits.py) as
Slack does, `{"ok": false, "error": "invalid_blocks"}` (or "msg_too_long" for the text), on
every path a message takes: chat.postMessage, chat.update, chat.postEphemeral, response_url
posts, views.publish (the Home tab, 100 blocks) and views.open; `refused_as_invalid` keeps
each refusal with what it broke. views.publish keeps each user's Home tab (`home_of`).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import time
from collections import defaultdict, deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from adapters.slack.limits import MAX_BLOCKS, MAX_HOME_BLOCKS, MAX_MESSAGE_TEXT, problems
from bot.testing.limits import SlidingWindow, TokenBucket

from .payloads import BOT_TOKEN, TEAM
from .socket_mode import FakeSocketMode

__all__ = [
    "Call",
    "FakeSlack",
    "Scripted",
    "SharedFile",
    "SlackLimits",
    "hang",
    "rate_limited",
    "slack_error",
]


class SlackLimits:
    """Slack's limits on chat.postMessage: about one message a second per channel (short bursts
    allowed), and a budget a minute per workspace (Slack says "several hundred")."""

    def __init__(self, *, per_workspace_per_minute: int = 600) -> None:
        self.channels = TokenBucket(rate=1.0, burst=2.0)
        self.workspaces = SlidingWindow(per_workspace_per_minute, 60.0)

    def refuse(self, team: str, channel: str) -> float | None:
        """Seconds to wait when a message to `channel` now is over a limit, else None."""
        return self.channels.take(f"{team}:{channel}") or self.workspaces.take(team)


@dataclass(frozen=True)
class Call:
    """One request the fake received: the Web API method (or "response_url:NAME"), its
    arguments (JSON or form fields and query), and the bearer token it carried."""

    method: str
    args: dict[str, Any]
    token: str | None
    at: float


@dataclass(frozen=True)
class Scripted:
    """How the fake answers one call: a status, a JSON body (None: the usual answer),
    headers, and a delay before answering."""

    status: int = 200
    body: dict[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass(frozen=True)
class SharedFile:
    """A file uploaded and shared in a channel (a DM): its name, its bytes, where, and the
    message that went with it."""

    filename: str
    content: bytes
    channel: str
    comment: str


def rate_limited(retry_after: int) -> Scripted:
    return Scripted(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})


def slack_error(code: str) -> Scripted:
    return Scripted(200, {"ok": False, "error": code})


def hang(seconds: float) -> Scripted:
    """Answer only after `seconds`: longer than the client's timeout, it is a timeout."""
    return Scripted(delay=seconds)


class FakeSlack:
    """The fake Web API. Use as `async with FakeSlack() as slack:`."""

    def __init__(
        self,
        *,
        team_id: str = TEAM,
        bot_token: str = BOT_TOKEN,
        users: Mapping[str, Mapping[str, Any]] | None = None,
        limits: SlackLimits | None = None,
    ) -> None:
        self.team_id = team_id
        self.limits = limits
        self.refused_over_limit = 0
        # Each channel's messages, oldest first: {"ts", "text", "metadata"}.
        self.messages: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        self.bot_token = bot_token
        # users.info answers: user id → fields (tz, real_name, ...); others get defaults.
        self.users: dict[str, dict[str, Any]] = {k: dict(v) for k, v in (users or {}).items()}
        self.revoked_tokens: set[str] = set()
        self.calls: list[Call] = []
        # Messages and views refused as over Block Kit's limits: the call, and what it broke.
        self.refused_as_invalid: list[tuple[Call, list[str]]] = []
        # Each user's Home tab as views.publish last set it.
        self.homes: dict[str, dict[str, Any]] = {}
        self._scripts: dict[str, deque[Scripted]] = defaultdict(deque)
        self._ts = itertools.count(1)
        # Uploads by file id: (file name, declared length, bytes once uploaded).
        self._uploads: dict[str, tuple[str, int, bytes | None]] = {}
        self._shared: list[SharedFile] = []
        self._arrived = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        # Socket Mode: `slack.socket_mode.send_envelope(...)` once the app has connected.
        self.socket_mode = FakeSocketMode()

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.add_routes(
            [
                web.route("*", "/api/{method}", self._api),
                web.post("/response/{name}", self._response_url),
                web.post("/upload/{file_id}", self._upload),
                web.get("/socket", self.socket_mode.connect),
            ]
        )
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def close(self) -> None:
        await self.socket_mode.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlack:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, name: str = "command") -> str:
        return f"{self.url}/response/{name}"

    # -- what it answers and what it received ------------------------------------------------

    def script(self, method: str, *answers: Scripted) -> None:
        """The next calls to `method` get `answers`, in order; then the usual answer."""
        self._scripts[method].extend(answers)

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    async def wait_for(self, method: str, count: int = 1, *, within: float = 5.0) -> list[Call]:
        """The calls to `method` once there are at least `count`; AssertionError if they
        haven't come `within` seconds."""
        try:
            async with asyncio.timeout(within):
                async with self._arrived:
                    await self._arrived.wait_for(lambda: len(self.calls_to(method)) >= count)
        except TimeoutError:
            raise AssertionError(
                f"{count} call(s) to {method} expected; got {len(self.calls_to(method))}: "
                f"{[c.method for c in self.calls]}"
            ) from None
        return self.calls_to(method)

    def home_of(self, user: str) -> dict[str, Any] | None:
        """The Home tab view last published for `user`, if any."""
        return self.homes.get(user)

    def shared_files(self) -> list[SharedFile]:
        """The files shared so far, in order (only completed uploads)."""
        return list(self._shared)

    def strings(self) -> Iterator[str]:
        """Every string the fake received in any call: for checking what reached Slack."""
        for call in self.calls:
            yield from _strings(call.args)

    # -- the Web API -------------------------------------------------------------------------

    async def _record(self, method: str, args: dict[str, Any], token: str | None) -> None:
        async with self._arrived:
            self.calls.append(Call(method, args, token, time.monotonic()))
            self._arrived.notify_all()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(parse_qsl(request.query_string))
        raw = await request.read()
        if raw:
            if request.content_type == "application/json":
                args.update(json.loads(raw))
            else:
                args.update(parse_qsl(raw.decode()))
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
        token = token or args.get("token")
        await self._record(method, args, token)
        scripted = self._scripts[method].popleft() if self._scripts[method] else Scripted()
        refusal = self._refuse_invalid(self.calls[-1])
        if refusal is not None:
            scripted = refusal
        if method == "chat.postMessage" and self.limits is not None and token:
            wait = self.limits.refuse(self._team_of(token), str(args.get("channel", "")))
            if wait is not None:
                self.refused_over_limit += 1
                scripted = rate_limited(max(1, math.ceil(wait)))
        if scripted.delay:
            await asyncio.sleep(scripted.delay)
        body = scripted.body if scripted.body is not None else self._usual(method, args, token)
        return web.json_response(body, status=scripted.status, headers=dict(scripted.headers))

    def _usual(self, method: str, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        if method == "oauth.v2.access":
            return self._oauth_access(args)
        if method == "apps.connections.open":
            if not (token or "").startswith("xapp-"):
                return {"ok": False, "error": "invalid_auth"}
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        if token is None or not token.startswith("xoxb-"):
            return {"ok": False, "error": "not_authed"}
        if token in self.revoked_tokens:
            return {"ok": False, "error": "token_revoked"}
        ts = f"1700000000.{next(self._ts):06d}"
        match method:
            case "auth.test":
                return {
                    "ok": True,
                    "url": "https://fake.slack.test/",
                    "team": "Fake Team",
                    "team_id": self._team_of(token),
                    "user": "followup-bot",
                    "user_id": "UBOT",
                    "bot_id": "BBOT",
                    "is_enterprise_install": False,
                }
            case "conversations.open":
                return {"ok": True, "channel": {"id": "D" + str(args.get("users", ""))}}
            case "chat.postMessage":
                channel = str(args.get("channel", ""))
                metadata = args.get("metadata")
                if isinstance(metadata, str):
                    metadata = json.loads(metadata)
                message = {"ts": ts, "text": args.get("text", ""), "metadata": metadata}
                message["blocks"] = _blocks(args.get("blocks"))
                self.messages[channel].append(message)
                return {"ok": True, "channel": channel, "ts": ts}
            case "chat.update":
                channel = str(args.get("channel", ""))
                # A message the bot posted is changed in place, as Slack shows it.
                for message in self.messages.get(channel, []):
                    if message["ts"] == args.get("ts"):
                        message["text"] = args.get("text", "")
                        message["blocks"] = _blocks(args.get("blocks"))
                return {"ok": True, "channel": channel, "ts": str(args.get("ts") or ts)}
            case "conversations.history":
                return self._history(args)
            case "chat.postEphemeral":
                return {"ok": True, "message_ts": ts}
            case "users.info":
                user = str(args.get("user", ""))
                fields = {"tz": "America/New_York", "real_name": "A Student"} | self.users.get(
                    user, {}
                )
                return {"ok": True, "user": {"id": user, **fields}}
            case "views.open":
                return {"ok": True, "view": {"id": "V" + ts.replace(".", "")}}
            case "views.publish":
                view = _json_arg(args.get("view")) or {}
                self.homes[str(args.get("user_id", ""))] = view
                return {"ok": True, "view": {"id": "V" + ts.replace(".", ""), **view}}
            case "files.getUploadURLExternal":
                return self._upload_url(args)
            case "files.completeUploadExternal":
                return self._complete_upload(args)
        return {"ok": False, "error": "unknown_method"}

    def _refuse_invalid(self, call: Call) -> Scripted | None:
        """Slack's answer to a message or view over Block Kit's limits; None if within them."""
        args = call.args
        if call.method in ("views.publish", "views.open", "views.update"):
            view = _json_arg(args.get("view")) or {}
            broken = problems(view.get("blocks"), max_blocks=MAX_HOME_BLOCKS)
        elif call.method in _MESSAGE_METHODS or call.method.startswith("response_url:"):
            blocks = _json_arg(args.get("blocks"))
            broken = problems(blocks, str(args.get("text") or ""), max_blocks=MAX_BLOCKS)
        else:
            return None
        if not broken:
            return None
        self.refused_as_invalid.append((call, broken))
        too_long = len(str(args.get("text") or "")) > MAX_MESSAGE_TEXT
        return slack_error("msg_too_long" if too_long else "invalid_blocks")

    def _history(self, args: Mapping[str, Any]) -> dict[str, Any]:
        """The channel's latest messages first; their metadata only when asked for."""
        channel = str(args.get("channel", ""))
        limit = int(args.get("limit") or 100)
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("true", "1")
        latest = list(reversed(self.messages.get(channel, [])))[:limit]
        return {
            "ok": True,
            "messages": [
                {"type": "message", "ts": m["ts"], "text": m["text"]}
                | ({"metadata": m["metadata"]} if with_metadata and m["metadata"] else {})
                for m in latest
            ],
            "has_more": len(self.messages.get(channel, [])) > limit,
        }

    def _upload_url(self, args: Mapping[str, Any]) -> dict[str, Any]:
        filename, length = str(args.get("filename") or ""), str(args.get("length") or "")
        if not filename or not length.isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{len(self._uploads) + 1:06d}"
        self._uploads[file_id] = (filename, int(length), None)
        return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        if file_id not in self._uploads:
            return web.Response(status=404, text="no such upload")
        filename, length, _ = self._uploads[file_id]
        content = await request.read()
        if len(content) != length:  # Slack refuses a file of another size than declared
            return web.Response(status=400, text="length mismatch")
        self._uploads[file_id] = (filename, length, content)
        return web.Response(text=f"OK - {len(content)}")

    def _complete_upload(self, args: Mapping[str, Any]) -> dict[str, Any]:
        try:
            files = json.loads(str(args.get("files") or "[]"))
        except ValueError:
            return {"ok": False, "error": "invalid_json"}
        channel = str(args.get("channel_id") or "")
        done = []
        for entry in files:
            upload = self._uploads.get(str(entry.get("id")))
            if upload is None or upload[2] is None:
                return {"ok": False, "error": "file_not_found"}
            done.append(
                SharedFile(upload[0], upload[2], channel, str(args.get("initial_comment") or ""))
            )
        self._shared.extend(done)
        return {"ok": True, "files": [{"id": e.get("id"), "title": e.get("title")} for e in files]}

    def _team_of(self, token: str) -> str:
        # Tokens the fake issued through OAuth name their team: xoxb-T123-installed.
        parts = token.split("-")
        if len(parts) == 3 and parts[2] == "installed":
            return parts[1]
        return self.team_id

    def _oauth_access(self, args: Mapping[str, Any]) -> dict[str, Any]:
        code = str(args.get("code", ""))
        team = code.removeprefix("code-") if code.startswith("code-") else self.team_id
        return {
            "ok": True,
            "app_id": "A0FAKE",
            "access_token": f"xoxb-{team}-installed",
            "token_type": "bot",
            "scope": "commands,chat:write,im:write,users:read",
            "bot_user_id": "UBOT",
            "team": {"id": team, "name": f"Team {team}"},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": "UINSTALLER"},
        }

    async def _response_url(self, request: web.Request) -> web.Response:
        await self._record(f"response_url:{request.match_info['name']}", await request.json(), None)
        refusal = self._refuse_invalid(self.calls[-1])
        if refusal is not None:
            # A response_url refuses with a 400 and Slack's error in its body.
            return web.json_response(refusal.body, status=400)
        return web.Response(text="ok")


# The methods that post or change a message.
_MESSAGE_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral")


def _json_arg(value: Any) -> Any:
    """An argument sent as JSON inside a form field, or as JSON itself."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _blocks(value: Any) -> list[Any]:
    """A message's blocks, as the Web API client sent them (a JSON string in a form body)."""
    if isinstance(value, str):
        value = json.loads(value)
    return list(value) if isinstance(value, list) else []


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
