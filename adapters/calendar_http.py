"""Calendar subscriptions on the web: `GET /calendar/<secret>.ics` answers the student's open
deadlines as an iCalendar file (`bot.calendar_feed`), for the servers the bot runs (the ops
server in every mode, and Slack's HTTP server).

A secret that isn't a current subscription's (mistyped, reset, forgotten) gets a bare 404, the
same whatever the reason. The secret is never logged: the ops server keeps no access log, and
Slack's names a calendar path without it (`loggable_path`).
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.bootstrap import DATABASE_ERRORS
from bot.calendar_feed import CALENDAR_PATH, CalendarFeed

__all__ = ["calendar_route", "loggable_path"]

log = logging.getLogger(__name__)

# Calendar apps poll every few hours at most; a proxy or browser keeps no copy of a private
# calendar, and the page is no one's to index.
_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex",
    "Referrer-Policy": "no-referrer",
}
# While the database is away the calendar app is asked to come back later, not told the
# calendar is gone.
_RETRY_AFTER_SECONDS = "60"


def calendar_route(calendars: CalendarFeed) -> web.RouteDef:
    """The route that serves `calendars`."""

    async def serve(request: web.Request) -> web.Response:
        try:
            body = await calendars.calendar(request.match_info["name"])
        except DATABASE_ERRORS as error:
            log.warning("calendar: the database didn't answer (%s)", type(error).__name__)
            return web.Response(status=503, headers={"Retry-After": _RETRY_AFTER_SECONDS})
        if body is None:
            return web.Response(status=404, text="not found\n", headers=_HEADERS)
        return web.Response(
            body=body, content_type="text/calendar", charset="utf-8", headers=_HEADERS
        )

    return web.get(CALENDAR_PATH + "{name}", serve)


def loggable_path(path: str) -> str:
    """`path` as an access log may show it: a calendar's secret left out."""
    return CALENDAR_PATH + "…" if path.startswith(CALENDAR_PATH) else path
