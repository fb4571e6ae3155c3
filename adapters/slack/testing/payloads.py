"""Requests as Slack signs and sends them, to dispatch into the app or post to /slack/events:
`signed_headers`, `command_body`, `interaction_body` (with `block_actions_payload` or
`view_submission_payload`), `event_body`.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from adapters.slack.verification import sign

__all__ = [
    "APP_TOKEN",
    "BOT_TOKEN",
    "TEAM",
    "block_actions_payload",
    "command_body",
    "event_body",
    "home_actions_payload",
    "home_opened_event",
    "interaction_body",
    "select_actions_payload",
    "signed_headers",
    "view_submission_payload",
]

TEAM = "T0TEAM"
BOT_TOKEN = "xoxb-fake-bot-token"
APP_TOKEN = "xapp-fake-app-token"


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
    payload = _clicked(user_id, team_id, container, value, action_id)
    payload["response_url"] = response_url
    if message is not None:
        payload["message"] = dict(message)
        payload["channel"] = {"id": channel_id, "name": "directmessage"}
    return payload


def select_actions_payload(
    *,
    user_id: str,
    option: Mapping[str, Any],
    response_url: str,
    message: Mapping[str, Any],
    channel_id: str,
    action_id: str = "followup-pick-0",
    block_id: str = "pick:0",
    team_id: str = TEAM,
) -> dict[str, Any]:
    """An option picked from a select menu on a DM (`option`, as the bot sent it)."""
    payload = block_actions_payload(
        user_id=user_id,
        value="",
        response_url=response_url,
        team_id=team_id,
        message=message,
        channel_id=channel_id,
        action_id=action_id,
    )
    payload["actions"] = [
        {
            "type": "static_select",
            "action_id": action_id,
            "block_id": block_id,
            "selected_option": dict(option),
            "action_ts": f"{time.time():.6f}",
        }
    ]
    return payload


def _clicked(
    user_id: str, team_id: str, container: dict[str, Any], value: str, action_id: str
) -> dict[str, Any]:
    """A block_actions payload: who clicked which button, in what (`container`)."""
    return {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_id.lower(), "team_id": team_id},
        "api_app_id": "A0FAKE",
        "team": {"id": team_id, "domain": "club"},
        "enterprise": None,
        "is_enterprise_install": False,
        "container": container,
        "trigger_id": f"trigger-{uuid.uuid4().hex}",
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


def home_opened_event(user_id: str, *, tab: str = "home") -> dict[str, Any]:
    """app_home_opened: the student opened the app's Home tab (or its Messages tab)."""
    return {
        "type": "app_home_opened",
        "user": user_id,
        "channel": f"D{user_id}",
        "tab": tab,
        "event_ts": f"{time.time():.6f}",
    }


def home_actions_payload(
    *,
    user_id: str,
    value: str,
    view: Mapping[str, Any],
    team_id: str = TEAM,
    action_id: str = "followup-0",
) -> dict[str, Any]:
    """A button click on the Home tab: Slack sends the view back, and no response_url."""
    container = {"type": "view", "view_id": "VHOME"}
    payload = _clicked(user_id, team_id, container, value, action_id)
    payload["view"] = {"id": "VHOME", "team_id": team_id, **dict(view)}
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
