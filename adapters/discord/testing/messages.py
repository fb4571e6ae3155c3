"""Reading what the bot posted, as the fake Discord recorded it: the last message among some
requests, the words a user reads in it, and its buttons."""

from __future__ import annotations

from typing import Any

from .fake_http import RecordedRequest

__all__ = ["EPHEMERAL", "buttons_of", "labels_of", "last_message", "menus_of", "text_of"]

# Discord's message flag for a message only the user who asked sees.
EPHEMERAL = 64


def last_message(requests: list[RecordedRequest]) -> dict[str, Any]:
    """The last message the bot sent or edited among `requests`, as Discord holds it (with its
    id and channel, for a click) when the request made a new one."""
    found = [r for r in requests if r.message is not None]
    assert found, f"no message among {[(r.method, r.path) for r in requests]}"
    request = found[-1]
    return request.created or request.message or {}


def text_of(message: dict[str, Any]) -> str:
    """Everything a user reads in a message: content, embed titles, descriptions and fields."""
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        for field in embed.get("fields") or []:
            parts += [field["name"], field["value"]]
    return "\n".join(p for p in parts if p)


def buttons_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        button
        for row in message.get("components") or []
        for button in row.get("components") or []
        if button.get("type") == 2
    ]


def labels_of(message: dict[str, Any]) -> list[str]:
    return [b["label"] for b in buttons_of(message)]


def menus_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The message's select menus (string selects), in order."""
    return [
        menu
        for row in message.get("components") or []
        for menu in row.get("components") or []
        if menu.get("type") == 3
    ]
