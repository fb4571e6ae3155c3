"""The bot's wording: replies and DMs built from domain objects. No decisions, only words.

Every string here is plain text (see `bot.replies`); user text is inserted as is and escaped by
the adapter that renders it. One module a family: the /met plan, /followups, the nudges,
settings and zones, help; and the small words they share.
"""

from __future__ import annotations

from bot.messages import follow_ups, settings
from bot.messages.help import follow_ups_help, met_help
from bot.messages.nudges import nudge_message
from bot.messages.plans import plan_reply
from bot.messages.settings import settings_reply
from bot.messages.words import (
    DATABASE_AWAY,
    follow_up_actions,
    method_label,
    method_label_of,
    note_limit,
    snoozable,
    snooze_limit,
    status_word,
    time_left,
    topics_phrase,
)

__all__ = [
    "DATABASE_AWAY",
    "follow_up_actions",
    "follow_ups",
    "follow_ups_help",
    "met_help",
    "method_label",
    "method_label_of",
    "note_limit",
    "nudge_message",
    "plan_reply",
    "settings",
    "settings_reply",
    "snoozable",
    "snooze_limit",
    "status_word",
    "time_left",
    "topics_phrase",
]
