"""A student's calendar subscription: a private URL that serves their open deadlines as an
iCalendar file, always current (`/followups calendar`), for Google Calendar, Outlook or Apple
Calendar to poll.

The URL carries a secret of 32 random bytes (`new_token`): whoever has it can read the
deadlines, as with any calendar subscription, and nobody can guess one. Only its sha256 is
stored (`token_hash`), so a copy of the database opens no calendar; a reset stores a new hash and
the old URL stops working at once. The calendar is `bot.export.calendar_file`, the one an export
gives. Adapters serve `CalendarFeed.calendar` at `CALENDAR_PATH` on a public HTTP server
(`adapters/calendar_http.py`), and FOLLOWUP_PUBLIC_URL says where that server is reached.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.export import calendar_file
from bot.ports import Storage

__all__ = ["CALENDAR_PATH", "CalendarFeed", "feed_url", "new_token", "token_hash"]

# Where the calendars are served, below the public base URL: /calendar/<secret>.ics (calendar
# apps like a path that ends in .ics).
CALENDAR_PATH = "/calendar/"
# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def new_token() -> str:
    """A new secret for a calendar URL: 256 random bits."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is stored of a secret: its sha256, in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def feed_url(public_url: str, token: str) -> str:
    """The subscription URL of `token` on the bot's public server."""
    return f"{public_url.rstrip('/')}{CALENDAR_PATH}{token}.ics"


class CalendarFeed:
    """The calendars behind the subscription URLs, read from `storage` as of `clock`'s now, in
    each student's zone (`default_zone` for one who set none)."""

    def __init__(self, storage: Storage, clock: Clock, default_zone: ZoneInfo) -> None:
        self._storage = storage
        self._clock = clock
        self._default_zone = default_zone

    async def calendar(self, name: str) -> bytes | None:
        """The iCalendar file served at `name` ("<secret>.ics", the last part of the URL), or
        None when no current subscription has that secret (mistyped, reset, forgotten)."""
        token = name.removesuffix(".ics")
        if not _TOKEN.fullmatch(token):
            return None
        async with self._storage.session() as uow:
            person = await uow.calendar_feeds.owner(token_hash(token))
            if person is None or person.id is None:
                return None
            rows = await uow.follow_ups.everything_of(person.id)
        zone = person.zone(self._default_zone)
        return calendar_file(rows, now=self._clock.now(), zone=zone).content
