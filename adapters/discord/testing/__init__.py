"""Discord without a network, for tests: a fake of the HTTP session under discord.py
(`FakeDiscordHTTP`: both its REST client and its interaction responses send through it), and
interactions built from wire-format payloads (`InteractionFactory`, `deliver`), and readers of
what the bot posted (`last_message`, `text_of`, `buttons_of`, `menus_of`).
"""

from __future__ import annotations

from .fake_http import DiscordLimits, FakeDiscordHTTP, RecordedRequest, logged_in
from .interactions import InteractionFactory, deliver
from .messages import EPHEMERAL, buttons_of, labels_of, last_message, menus_of, text_of
from .wire import APPLICATION_ID, ATTACHMENT_PATH, BOT_USER_ID, CHANNEL_ID, GUILD_ID, TOKEN

__all__ = [
    "APPLICATION_ID",
    "ATTACHMENT_PATH",
    "BOT_USER_ID",
    "CHANNEL_ID",
    "EPHEMERAL",
    "GUILD_ID",
    "TOKEN",
    "DiscordLimits",
    "FakeDiscordHTTP",
    "InteractionFactory",
    "RecordedRequest",
    "buttons_of",
    "deliver",
    "labels_of",
    "last_message",
    "logged_in",
    "menus_of",
    "text_of",
]
