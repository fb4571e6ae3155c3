"""How times read to a person: in their zone, short, unambiguous."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "clip",
    "format_ago",
    "format_day",
    "format_left",
    "format_moment",
    "format_stamp",
    "pack_lines",
]


# English names, whatever the process's locale (strftime's %a and %b would follow it); and
# indexing is several times faster than strftime, which every DM calls a few times.
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_moment(moment: datetime, zone: ZoneInfo) -> str:
    """ "Sun 8 Mar 15:00 EST": the weekday helps more than the year in a 48-hour window."""
    local = moment.astimezone(zone)
    return (
        f"{_WEEKDAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} "
        f"{local.hour:02d}:{local.minute:02d} {local.tzname()}"
    )


def format_day(moment: datetime, zone: ZoneInfo) -> str:
    """ "Fri 6 Mar 2026", for things further back."""
    local = moment.astimezone(zone)
    return f"{_WEEKDAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year}"


def format_stamp(moment: datetime, zone: ZoneInfo) -> str:
    """ "2026-03-07 15:00 EST": the console's DM header, fixed so scripts can read it."""
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M %Z}"


def format_left(left: timedelta) -> str:
    """Time left, in the unit a person thinks in: "45 min", "5 h 30 min", "47 h", "12 days"."""
    minutes = int(left.total_seconds() // 60)
    if minutes < 1:
        return "less than a minute"
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 10 and rest:
        return f"{hours} h {rest} min"
    if hours <= 72:
        return f"{hours} h"
    return f"{round(hours / 24)} days"


def format_ago(elapsed: timedelta) -> str:
    """ "3 h ago", "2 days ago"."""
    return f"{format_left(elapsed)} ago"


def clip(text: str, limit: int) -> str:
    """What a student typed, quoted in a message: on one line, cut to `limit` characters with
    an ellipsis when longer (a pasted essay must not swamp the error about it)."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def pack_lines(lines: Iterable[str], budget: int) -> list[str]:
    """`lines` joined with line breaks into as few parts of at most `budget` characters as
    they go into, in order; each line must fit a part (adapters cut longer ones first, each
    where its platform's markup allows)."""
    parts: list[str] = []
    for line in lines:
        if parts and len(parts[-1]) + 1 + len(line) <= budget:
            parts[-1] += "\n" + line
        else:
            parts.append(line)
    return parts
