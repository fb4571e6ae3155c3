"""When a club's event is: "thu 6pm-8pm", "tomorrow 18:00", "2026-04-02 6:30pm-9pm",
"march 12 6-8pm", read in the club's zone, always ahead (an event is posted before it happens).

Pure: callers pass `now` and the zone, and get aware UTC datetimes back, or an `EventTimeError`
whose text can be shown as it is.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.errors import UserError
from bot.formatting import clip

__all__ = ["DEFAULT_LENGTH", "EXAMPLE", "EventTimeError", "parse_event_time"]

# An event typed without an end ("thu 6pm") lasts this long: an employer night's usual length.
DEFAULT_LENGTH = timedelta(hours=2)
# How far ahead an event can be posted: a term.
FURTHEST = timedelta(days=180)
# No real event time is longer; a longer text is refused before any matching.
_MAX_INPUT = 60
EXAMPLE = 'when:"thu 6pm-8pm", when:"tomorrow 18:00" or when:"2026-04-02 6:30pm-9pm"'

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_CLOCK = re.compile(r"(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?")
_RANGE = re.compile(
    r"(?P<start>\d{1,2}(?:[:.h]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?)"
    r"(?:\s*(?:-|–|—|to|until)\s*(?P<end>\d{1,2}(?:[:.h]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?))?"
)


class EventTimeError(UserError):
    """What is wrong with an event's time, as the organizer reads it."""


def parse_event_time(text: str, *, now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The start and end of an event typed as `text`, in `zone`, in UTC. A weekday is the next
    one (today if its time is still ahead); an end before the start is the next morning's."""
    typed = " ".join(text.strip().casefold().replace(",", " ").split())
    if not typed:
        raise EventTimeError(f"When is it? Like {EXAMPLE}.")
    if len(typed) > _MAX_INPUT:
        raise EventTimeError(f"That's too long for a time. Try {EXAMPLE}.")
    local_now = now.astimezone(zone)
    typed = typed.removeprefix("at ")
    found = re.fullmatch(r"(?:(?P<day>.*?)\s+(?:at\s+)?)?" + _RANGE.pattern, typed)
    if found is None:
        raise EventTimeError(_unreadable(text))
    day_text = (found.group("day") or "").strip()
    day = _day(day_text, local_now.date())
    if day is None:
        raise EventTimeError(_unreadable(text))
    start_clock, end_clock = _clocks(found.group("start"), found.group("end"))
    if start_clock is None or (found.group("end") and end_clock is None):
        raise EventTimeError(_unreadable(text))
    starts = datetime.combine(day, start_clock, tzinfo=zone)
    if not day_text and starts <= local_now:
        starts += timedelta(days=1)  # a bare time: the next one
    if _weekday(day_text) is not None and starts <= local_now:
        starts += timedelta(days=7)  # this weekday's time has passed: next week's
    if end_clock is None:
        ends = starts + DEFAULT_LENGTH
    else:
        ends = datetime.combine(starts.date(), end_clock, tzinfo=zone)
        if ends <= starts:
            ends += timedelta(days=1)
    starts_utc, ends_utc = starts.astimezone(UTC), ends.astimezone(UTC)
    if starts_utc <= now:
        raise EventTimeError(
            f"{_quoted(text)} has passed already. Events are posted before they happen."
        )
    if starts_utc - now > FURTHEST:
        raise EventTimeError(
            f"{_quoted(text)} is more than 180 days ahead; post it nearer the time."
        )
    return starts_utc, ends_utc


def _quoted(text: str) -> str:
    return f"“{clip(text.strip(), 40)}”"


def _unreadable(text: str) -> str:
    return f"{_quoted(text)} isn't a time I can read for an event. Try {EXAMPLE}."


def _day(text: str, today: date) -> date | None:
    """The day `text` names, on or after `today`; `today` for none."""
    text = text.removeprefix("next ").removeprefix("this ").removeprefix("on ").strip()
    if text in ("", "today", "tonight"):
        return today
    if text in ("tomorrow", "tmrw", "tmr"):
        return today + timedelta(days=1)
    weekday = _weekday(text)
    if weekday is not None:
        return today + timedelta(days=(weekday - today.weekday()) % 7)
    if iso := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        return _date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    named = re.fullmatch(r"([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?", text) or re.fullmatch(
        r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]{3,9})\.?", text
    )
    if named is None:
        return None
    month_word, day_text = (
        (named.group(1), named.group(2))
        if named.group(1).isalpha()
        else (named.group(2), named.group(1))
    )
    if month_word[:3] not in _MONTHS:
        return None
    month, day = _MONTHS.index(month_word[:3]) + 1, int(day_text)
    found = _date(today.year, month, day)
    if found is not None and found < today:
        found = _date(today.year + 1, month, day)
    return found


def _weekday(text: str) -> int | None:
    """Monday 0 ... for "thu", "thurs", "thursday" (after "next", "this", "on")."""
    text = text.removeprefix("next ").removeprefix("this ").removeprefix("on ").rstrip(".")
    for number, name in enumerate(_WEEKDAYS):
        if len(text) >= 3 and name.startswith(text):
            return number
    return 3 if text == "thur" else None


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _clocks(start: str, end: str | None) -> tuple[time | None, time | None]:
    """The start and end times; a start without am/pm takes the end's ("6-8pm")."""
    end_meridiem = _meridiem(end) if end else None
    start_time = _clock(start, None if _meridiem(start) else end_meridiem)
    if start_time is not None and end_meridiem and not _meridiem(start):
        end_time = _clock(end or "", None)
        if end_time is not None and start_time > end_time:
            start_time = _clock(start, "am")  # "11-1pm": from 11 in the morning
    return start_time, _clock(end, None) if end else None


def _meridiem(text: str | None) -> str | None:
    found = _CLOCK.fullmatch(text.strip()) if text else None
    return found.group(3).replace(".", "") if found and found.group(3) else None


def _clock(text: str, meridiem: str | None) -> time | None:
    found = _CLOCK.fullmatch(text.strip())
    if found is None:
        return None
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    meridiem = (found.group(3) or "").replace(".", "") or meridiem
    if minute > 59:
        return None
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    elif hour > 23:
        return None
    return time(hour, minute)
