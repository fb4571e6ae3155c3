"""A fake Slack on 127.0.0.1, for tests and for trying the adapter without a workspace.

- `FakeSlack` serves the Web API methods the adapter calls (point SLACK_API_BASE_URL at
  `fake.api_url`), records every call, and answers as told: `rate_limited(30)` (429 with
  Retry-After), `slack_error("channel_not_found")`, `hang(5)` (answers too late, a timeout). It
  also takes response_url posts (`fake.response_url("name")`), runs an OAuth token exchange and
  speaks Socket Mode over a WebSocket (`send_envelope`).
- `signed_headers`, `command_body`, `interaction_body`, `event_body`: requests as Slack signs
  and sends them, to dispatch into the app or post to /slack/events.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aiohttp import WSMsgType, web

from adapters.slack.verification import sign

__all__ = [
    "Call",
    "FakeSlack",
    "Scripted",
    "block_actions_payload",
    "command_body",
    "event_body",
    "hang",
    "interaction_body",
    "rate_limited",
    "signed_headers",
    "slack_error",
    "view_submission_payload",
]

TEAM = "T0TEAM"
BOT_TOKEN = "xoxb-fake-bot-token"
APP_TOKEN = "xapp-fake-app-token"


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
    ) -> None:
        self.team_id = team_id
        self.bot_token = bot_token
        # users.info answers: user id → fields (tz, real_name, ...); others get defaults.
        self.users: dict[str, dict[str, Any]] = {k: dict(v) for k, v in (users or {}).items()}
        self.revoked_tokens: set[str] = set()
        self.calls: list[Call] = []
        self._scripts: dict[str, deque[Scripted]] = defaultdict(deque)
        self._ts = itertools.count(1)
        self._arrived = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._sockets: list[web.WebSocketResponse] = []
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._socket_connected = asyncio.Event()
        self.port = 0

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.add_routes(
            [
                web.route("*", "/api/{method}", self._api),
                web.post("/response/{name}", self._response_url),
                web.get("/socket", self._socket),
            ]
        )
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def close(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlack:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
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
            case "chat.postMessage" | "chat.update":
                channel = str(args.get("channel", ""))
                return {"ok": True, "channel": channel, "ts": str(args.get("ts") or ts)}
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
        return {"ok": False, "error": "unknown_method"}

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
        return web.Response(text="ok")

    # -- Socket Mode -------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1})
        self._socket_connected.set()
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                data = json.loads(message.data)
                waiting = self._acks.pop(str(data.get("envelope_id")), None)
                if waiting is not None and not waiting.done():
                    waiting.set_result(data)
        finally:
            self._sockets.remove(ws)
        return ws

    async def send_envelope(
        self,
        type_: str,
        payload: Mapping[str, Any],
        *,
        envelope_id: str | None = None,
        retry_attempt: int = 0,
        within: float = 5.0,
    ) -> dict[str, Any]:
        """Deliver a Socket Mode envelope to the connected app; its acknowledgement."""
        async with asyncio.timeout(within):
            await self._socket_connected.wait()
        envelope_id = envelope_id or str(uuid.uuid4())
        acked: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._acks[envelope_id] = acked
        await self._sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": type_,
                "payload": dict(payload),
                "accepts_response_payload": type_ != "events_api",
                "retry_attempt": retry_attempt,
                "retry_reason": "timeout" if retry_attempt else "",
            }
        )
        async with asyncio.timeout(within):
            return await acked


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


# -- requests as Slack sends them ------------------------------------------------------------


def signed_headers(
    signing_secret: str, body: str, *, timestamp: int | None = None, retry: int | None = None
) -> dict[str, str]:
    """The headers Slack sends with `body`: a timestamp (now by default) and its signature;
    `retry` adds Slack's retry headers."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    headers = {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": sign(signing_secret, stamp, body),
    }
    if retry is not None:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    return headers


def command_body(
    command: str,
    text: str,
    *,
    user_id: str,
    response_url: str,
    team_id: str = TEAM,
    channel_id: str = "C0CLUB",
    trigger_id: str | None = None,
) -> str:
    """A slash command as Slack posts it: form-encoded, its text with &, < and > escaped."""
    return urlencode(
        {
            "token": "unused-verification-token",
            "team_id": team_id,
            "team_domain": "club",
            "channel_id": channel_id,
            "channel_name": "career-club",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
            "api_app_id": "A0FAKE",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id or f"trigger-{uuid.uuid4().hex}",
        }
    )


def interaction_body(payload: Mapping[str, Any]) -> str:
    """A button click or a form submission as Slack posts it: payload=JSON, form-encoded."""
    return urlencode({"payload": json.dumps(payload)})


def block_actions_payload(
    *,
    user_id: str,
    value: str,
    response_url: str,
    team_id: str = TEAM,
    message: Mapping[str, Any] | None = None,
    channel_id: str | None = None,
    action_id: str = "followup-0",
) -> dict[str, Any]:
    """A button click: on a DM (`message` and `channel_id`, as Slack sends the message back)
    or on an ephemeral reply (no message)."""
    container: dict[str, Any] = {"type": "message", "is_ephemeral": message is None}
    if message is not None:
        container |= {
            "message_ts": message.get("ts", "1700000000.000001"),
            "channel_id": channel_id,
        }
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_id.lower(), "team_id": team_id},
        "api_app_id": "A0FAKE",
        "team": {"id": team_id, "domain": "club"},
        "enterprise": None,
        "is_enterprise_install": False,
        "container": container,
        "trigger_id": f"trigger-{uuid.uuid4().hex}",
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "fu:0",
                "value": value,
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    if message is not None:
        payload["message"] = dict(message)
        payload["channel"] = {"id": channel_id, "name": "directmessage"}
    return payload


def view_submission_payload(
    *,
    user_id: str,
    view: Mapping[str, Any],
    values: Mapping[str, str],
    team_id: str = TEAM,
) -> dict[str, Any]:
    """The /met form submitted with `values` (block id → typed text or selected value)."""
    state: dict[str, Any] = {}
    for block in view["blocks"]:
        block_id = block["block_id"]
        element = block["element"]
        typed = values.get(block_id)
        if element["type"] == "static_select":
            selected = {"value": typed} if typed else None
            state[block_id] = {"value": {"type": "static_select", "selected_option": selected}}
        else:
            state[block_id] = {"value": {"type": "plain_text_input", "value": typed or None}}
    return {
        "type": "view_submission",
        "team": {"id": team_id, "domain": "club"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": team_id},
        "api_app_id": "A0FAKE",
        "trigger_id": f"trigger-{uuid.uuid4().hex}",
        "is_enterprise_install": False,
        "enterprise": None,
        "view": {
            "id": "V0FORM",
            "team_id": team_id,
            "type": "modal",
            "callback_id": view["callback_id"],
            "private_metadata": view.get("private_metadata", ""),
            "blocks": view["blocks"],
            "state": {"values": state},
            "hash": "1700000000.abc",
        },
    }


def event_body(event: Mapping[str, Any], *, team_id: str = TEAM) -> str:
    """An Events API callback (JSON), with an event id of its own."""
    return json.dumps(
        {
            "token": "unused-verification-token",
            "team_id": team_id,
            "api_app_id": "A0FAKE",
            "event": dict(event),
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
            "authorizations": [
                {"team_id": team_id, "user_id": "UBOT", "is_bot": True, "enterprise_id": None}
            ],
            "is_ext_shared_channel": False,
        }
    )
