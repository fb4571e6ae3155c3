"""Discord without a network, for tests: a fake of the HTTP session under discord.py
(`FakeDiscordHTTP`: both its REST client and its interaction responses send through it), and
interactions built from wire-format payloads (`InteractionFactory`, `deliver`).
"""

from __future__ import annotations

from .fake_http import FakeDiscordHTTP, RecordedRequest, logged_in
from .interactions import InteractionFactory, deliver
from .wire import APPLICATION_ID, BOT_USER_ID, CHANNEL_ID, GUILD_ID, TOKEN

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
