"""The wire-format data both fakes share: the fake bot's ids, and users as Discord sends them."""

from __future__ import annotations

from typing import Any

__all__ = [
    "APPLICATION_ID",
    "ATTACHMENT_PATH",
    "ATTACHMENT_URL",
    "BOT_USER",
    "BOT_USER_ID",
    "CHANNEL_ID",
    "EPHEMERAL",
    "GUILD_ID",
    "TIMESTAMP",
    "TOKEN",
    "user_payload",
]

TOKEN = "fake-bot-token"
APPLICATION_ID = 910000000000000001
BOT_USER_ID = 910000000000000002
GUILD_ID = 920000000000000001
CHANNEL_ID = 930000000000000001
TIMESTAMP = "2026-03-06T20:00:00+00:00"
# Where files attached to commands are served (Discord's CDN), followed by their names.
ATTACHMENT_PATH = f"/attachments/{CHANNEL_ID}/970000000000000001/"
ATTACHMENT_URL = f"https://cdn.discordapp.com{ATTACHMENT_PATH}"
EPHEMERAL = 64


def user_payload(user_id: int, name: str) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name.casefold().replace(" ", "_")[:32] or "user",
        "global_name": name,
        "discriminator": "0",
        "avatar": None,
    }


BOT_USER = user_payload(BOT_USER_ID, "followup-bot") | {"bot": True}
