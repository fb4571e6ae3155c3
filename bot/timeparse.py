"""Parse the times students type: when they met someone (`when:`), and durations (snooze).

Pure and stdlib-only, so it can be tested without a bot, a database or a real clock: callers pass
`now` (aware) and the student's zone, and get aware UTC datetimes back.

Every function here either returns a value or raises its own friendly `ValueError` subclass whose
`str()` can be shown to the student as it is. Whatever the input (unicode, control characters,
megabytes of text), nothing else escapes.

Input is read case-insensitively; runs of spaces, commas, surrounding quotes, a trailing full stop
and filler words ("at", "on", "the", "around", "about") are ignored, and a time may come before the
day ("4pm yesterday").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

from bot.formatting import clip

__all__ = [
    "MAX_AGE",
    "DurationError",
    "WhenError",
    "parse_day",
    "parse_duration",
    "parse_when",
]

MAX_AGE = timedelta(days=60)
"""How far back `when:` may be, and the longest duration `parse_duration` accepts."""

# A `when:` a few seconds ahead of our clock is skew between the student's "now" and ours,
# not a claim that the meeting hasn't happened yet.
_FUTURE_SLACK = timedelta(minutes=1)

# No real time is this long; rejecting early bounds the regex work and keeps messages short.
_MAX_INPUT = 100
_QUOTE_LIMIT = 40

_NOON = time(12)

_WHEN_EXAMPLES = 'Try when:"yesterday 4pm", when:"2 hours ago" or when:2026-03-05T14:00.'
_DURATION_EXAMPLES = "Try 30m, 2h or 1d."

WhenReason = Literal["unrecognised", "future", "too_old"]


class WhenError(ValueError):
    """A `when:` the student typed that we can't use.

    str(err) is a friendly, user-facing sentence or two with an example. `reason` says why:
    "unrecognised" (not a time we can read, or not a real date/time), "future" (later than now)
    or "too_old" (more than MAX_AGE ago).
    """

    reason: WhenReason

    def __init__(self, message: str, reason: WhenReason) -> None:
        super().__init__(message)
        self.reason = reason


class DurationError(ValueError):
    """A duration the student typed that we can't use. str(err) is friendly, with an example."""


# --------------------------------------------------------------------------------------------
# Shared helpers


def _quote(text: str) -> str:
    """The student's text for a message: one printable line, ~40 characters, in curly quotes.

    Control and invisible characters are dropped so an error can't break the chat layout.
    Escaping chat markup (mentions, links) is the adapter's job, as for any other text.
    """
    printable = "".join(ch for ch in text[: _QUOTE_LIMIT * 4] if ch.isprintable() or ch.isspace())
    return f"“{clip(printable, _QUOTE_LIMIT)}”"


_QUOTE_CHARS = "\"'“”‘’„«»`"
_FILLER_WORDS = frozenset({"at", "on", "the", "around", "about"})


def _normalise(text: str) -> str:
    """Lower-case words separated by single spaces, without the noise listed in the module doc."""
    text = text.strip().strip(_QUOTE_CHARS).lower().replace(",", " ").rstrip(".!?")
    words = text.split()
    # Filler is dropped only before another word: "yesterday at" stays unreadable, so a caller
    # looking for the longest leading run of words that is a time doesn't swallow a dangling "at".
    words = [w for i, w in enumerate(words) if w not in _FILLER_WORDS or i == len(words) - 1]
    # "4pm yesterday" and "3:00 pm on friday" put the time first; the rules want it last.
    if _clock(" ".join(words)) is None:
        for take in (2, 1):
            if len(words) > take and _clock(" ".join(words[:take])) is not None:
                words = words[take:] + words[:take]
                break
    return " ".join(words)


# 12- and 24-hour clocks. A bare number ("4") is not a time: it could be a day, or an hour in
# either half of the day, so we make the student say which.
_CLOCK_RE = re.compile(
    r"(?P<named>noon|midday|midnight)"
    r"|(?P<h>\d{1,2})(?::(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d{1,6}))?)?)?"
    r"(?: ?(?P<ap>[ap])\.?m\.?)?",
    re.ASCII,
)
_NAMED_TIMES = {"noon": time(12), "midday": time(12), "midnight": time(0)}


def _clock(text: str) -> time | None:
    """A normalised clock time ("4pm", "9:30 a.m.", "16:00", "noon"); None if it isn't one."""
    m = _CLOCK_RE.fullmatch(text)
    if m is None:
        return None
    if m["named"]:
        return _NAMED_TIMES[m["named"]]
    if m["m"] is None and m["ap"] is None:
        return None
    hour, minute, second = int(m["h"]), int(m["m"] or 0), int(m["s"] or 0)
    if m["ap"]:
        if not 1 <= hour <= 12:
            return None
        # 12am is midnight and 12pm is noon: the 12 counts as 0 before the am/pm shift.
        hour = hour % 12 + (12 if m["ap"] == "p" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second, int((m["f"] or "").ljust(6, "0")))


# Every duration unit we accept, in seconds. "m" is minutes (as in "30m"); months are too vague.
_DURATION_UNITS: dict[str, int] = {
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), 7 * 86_400),
    **dict.fromkeys(("d", "day", "days"), 86_400),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3_600),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1),
}
# One "<number> <unit>" piece; "a"/"an" count as 1 but need a space so "am" isn't "a minute".
_DURATION_PART = re.compile(r"(?P<n>\d+(?:\.\d+)?|\.\d+|an?(?= )) ?(?P<unit>[a-z]+)", re.ASCII)
_DURATION_GLUE = re.compile(r" ?(?:and |, ?)?", re.ASCII)


def _duration_seconds(text: str) -> float | None:
    """Seconds in a normalised duration ("1h30m", "2 hours", "an hour"); None if it isn't one.

    Pieces may repeat and come in any order ("30m 1h"); they are added up. The result may be
    zero or huge: callers decide what is acceptable. Plain floats are exact enough here: the
    input is at most 100 characters, so the value stays far below float overflow.
    """
    if text in ("half an hour", "half hour"):
        return 1_800.0
    total, pos = 0.0, 0
    while True:
        piece = _DURATION_PART.match(text, pos)
        if piece is None:
            return None
        unit = _DURATION_UNITS.get(piece["unit"])
        if unit is None:
            return None
        total += (1.0 if piece["n"] in ("a", "an") else float(piece["n"])) * unit
        pos = piece.end()
        if pos == len(text):
            return total
        glue = _DURATION_GLUE.match(text, pos)
        pos = glue.end() if glue else pos


# --------------------------------------------------------------------------------------------
# parse_when


class _DayPart(NamedTuple):
    """A part of the day: when we assume the meeting was, and when that part of the day began."""

    anchor: time
    start: time


_DAY_PARTS = {
    "morning": _DayPart(time(9), time(5)),
    "afternoon": _DayPart(time(14), time(12)),
    "evening": _DayPart(time(19), time(17)),
    "night": _DayPart(time(20), time(17)),
}

_WEEKDAYS = {
    **dict.fromkeys(("monday", "mon"), 0),
    **dict.fromkeys(("tuesday", "tue", "tues"), 1),
    **dict.fromkeys(("wednesday", "wed", "weds"), 2),
    **dict.fromkeys(("thursday", "thu", "thur", "thurs"), 3),
    **dict.fromkeys(("friday", "fri"), 4),
    **dict.fromkeys(("saturday", "sat"), 5),
    **dict.fromkeys(("sunday", "sun"), 6),
}

_MONTHS = {
    **dict.fromkeys(("january", "jan"), 1),
    **dict.fromkeys(("february", "feb"), 2),
    **dict.fromkeys(("march", "mar"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    **dict.fromkeys(("may",), 5),
    **dict.fromkeys(("june", "jun"), 6),
    **dict.fromkeys(("july", "jul"), 7),
    **dict.fromkeys(("august", "aug"), 8),
    **dict.fromkeys(("september", "sept", "sep"), 9),
    **dict.fromkeys(("october", "oct"), 10),
    **dict.fromkeys(("november", "nov"), 11),
    **dict.fromkeys(("december", "dec"), 12),
}

# Phrases that are another phrase in disguise, rewritten before the rules run.
_ALIASES = (
    (re.compile(r"^(?:this|today) (?=morning|afternoon|evening|night)"), "today "),
    (re.compile(r"^tonight\b"), "today evening"),
    (re.compile(r"^last night\b"), "yesterday night"),
)


@dataclass(frozen=True)
class _Context:
    """What every rule needs: the text as typed (for messages), now in UTC, and the zone."""

    text: str
    now: datetime
    zone: ZoneInfo

    @property
    def latest(self) -> datetime:
        return self.now + _FUTURE_SLACK

    @property
    def earliest(self) -> datetime:
        return self.now - MAX_AGE

    @property
    def today(self) -> date:
        """Today's date where the student is, which is not always today's date in UTC."""
        return self.now.astimezone(self.zone).date()

    def local(self, day: date, clock: time) -> datetime:
        """`clock` on `day` on the student's wall clock, as a UTC instant.

        zoneinfo gets daylight saving right: a time in the spring-forward gap (02:30 on a day
        that jumps from 02:00 to 03:00) is read with the offset from before the jump, which after
        the UTC round trip is the gap's length later (03:30); an ambiguous autumn time (01:30 that
        happens twice) is the first of the two, fold=0.
        """
        return datetime.combine(day, clock, tzinfo=self.zone).astimezone(UTC)

    def unrecognised(self) -> WhenError:
        return WhenError(
            f"I couldn't read {_quote(self.text)} as a time. {_WHEN_EXAMPLES}", "unrecognised"
        )

    def not_a_date(self) -> WhenError:
        return WhenError(
            f"{_quote(self.text)} isn't a date on the calendar. {_WHEN_EXAMPLES}", "unrecognised"
        )

    def future(self, hint: str = "") -> WhenError:
        return WhenError(
            f"{_quote(self.text)} is in the future; when: is when you met, "
            f"so it can't be later than now.{hint}",
            "future",
        )

    def too_old(self) -> WhenError:
        return WhenError(
            f"That's more than {MAX_AGE.days} days ago; the bot follows up on recent "
            "conversations.",
            "too_old",
        )

    def check_year(self, year: int) -> None:
        """Reject a year that can't be within MAX_AGE of now before building dates in it.

        This also keeps far-off years (0001, 9999) away from the zone arithmetic that would
        overflow on them.
        """
        if year < self.today.year - 1:
            raise self.too_old()
        if year > self.today.year + 1:
            raise self.future()


def _time_of(text: str | None) -> time | _DayPart | None:
    """The time part of a phrase: a clock time, a part of the day, noon when there is none.

    "morning 10:30" is the clock time; None means the text is neither.
    """
    if text is None:
        return _NOON
    first, _, rest = text.partition(" ")
    if first in _DAY_PARTS:
        return _clock(rest) if rest else _DAY_PARTS[first]
    return _clock(text)


def _anchor(when: time | _DayPart) -> time:
    return when.anchor if isinstance(when, _DayPart) else when


def _real_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:  # Feb 30, month 13, year 0
        return None


# Each rule is a regex that must match the whole normalised text, and a handler that returns the
# UTC instant, raises WhenError, or returns None for "not mine after all" so later rules can try.
_Handler = Callable[[re.Match[str], _Context], datetime | None]


def _now(m: re.Match[str], ctx: _Context) -> datetime:
    return ctx.now


def _ago(m: re.Match[str], ctx: _Context) -> datetime | None:
    """ "2 hours ago", "3 days ago": elapsed time, so "1 day ago" is 24 hours even across DST."""
    seconds = _duration_seconds(m["dur"])
    if seconds is None:
        return None
    if seconds > MAX_AGE.total_seconds():  # also keeps huge numbers out of timedelta
        raise ctx.too_old()
    return ctx.now - timedelta(seconds=seconds)


def _later(m: re.Match[str], ctx: _Context) -> datetime | None:
    """ "in 2 hours": recognised, so the student hears "future" rather than "can't read"."""
    if _duration_seconds(m["dur"]) is None:
        return None
    raise ctx.future()


def _next(m: re.Match[str], ctx: _Context) -> datetime | None:
    """ "tomorrow 3pm", "next monday": as for `_later`."""
    if _time_of(m["time"]) is None:
        return None
    raise ctx.future()


def _on_day(ctx: _Context, days_back: int, time_text: str | None) -> datetime | None:
    """A time on today (days_back=0) or yesterday (1)."""
    when = _time_of(time_text)
    if when is None:
        return None
    day = ctx.today - timedelta(days=days_back)
    if isinstance(when, _DayPart):
        result = ctx.local(day, when.anchor)
        # "this evening" typed at 18:30 means earlier this evening, not at 19:00.
        if result > ctx.latest and ctx.local(day, when.start) <= ctx.now:
            return ctx.now
        return result
    result = ctx.local(day, when)
    if days_back == 0 and result > ctx.latest:
        # Most likely they meant yesterday: say so, in a form they can paste.
        hint = f' If it was yesterday, try when:"yesterday {time_text}".' if time_text else ""
        raise ctx.future(hint)
    return result


def _day(m: re.Match[str], ctx: _Context) -> datetime | None:
    return _on_day(ctx, 1 if m["day"] == "yesterday" else 0, m["time"])


def _bare_time(m: re.Match[str], ctx: _Context) -> datetime | None:
    return _on_day(ctx, 0, m["time"])


def _weekday(m: re.Match[str], ctx: _Context) -> datetime | None:
    """The most recent such day whose time isn't in the future; "last <day>" is never today."""
    when = _time_of(m["time"])
    if when is None:
        return None
    clock = _anchor(when)
    back = (ctx.today.weekday() - _WEEKDAYS[m["wd"]]) % 7
    if back == 0 and m["rel"] in ("last", "past"):
        # Said on a Tuesday, "last tuesday" means a week ago, not earlier today.
        back = 7
    result = ctx.local(ctx.today - timedelta(days=back), clock)
    if result > ctx.latest:
        result = ctx.local(ctx.today - timedelta(days=back + 7), clock)
    return result


def _month_day(m: re.Match[str], ctx: _Context) -> datetime | None:
    """ "March 5", "5th of march 2026 2pm". Without a year, the most recent past occurrence."""
    when = _time_of(m["time"])
    if when is None:
        return None
    clock, month, dom = _anchor(when), _MONTHS[m["mon"]], int(m["d"])
    if m["y"]:
        year = int(m["y"])
        ctx.check_year(year)
        day = _real_date(year, month, dom)
        if day is None:
            raise ctx.not_a_date()
        return ctx.local(day, clock)
    upcoming: datetime | None = None
    # Nine years back always reaches a Feb 29 (leap years can be eight apart, around 2100).
    for year in range(ctx.today.year, ctx.today.year - 9, -1):
        day = _real_date(year, month, dom)
        if day is None:
            continue
        result = ctx.local(day, clock)
        if result > ctx.latest:
            upcoming = result
            continue
        if result < ctx.earliest and upcoming is not None and upcoming - ctx.now < ctx.now - result:
            # "March 7" typed on March 6 is a slip about this year's date, not a claim about
            # last year's: saying "in the future" helps more than "more than 60 days ago".
            raise ctx.future()
        return result
    raise ctx.not_a_date()


_OFFSET_RE = re.compile(r"(?P<sign>[+-])(?P<h>\d{2})(?::?(?P<m>\d{2}))?", re.ASCII)


def _offset(text: str) -> timezone | None:
    if text in ("z", "utc", "gmt"):
        return UTC
    m = _OFFSET_RE.fullmatch(text)
    if m is None:
        return None
    hours, minutes = int(m["h"]), int(m["m"] or 0)
    if hours > 23 or minutes > 59:  # timezone() accepts strictly less than a day
        return None
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if m["sign"] == "-" else offset)


def _iso(m: re.Match[str], ctx: _Context) -> datetime | None:
    """ISO 8601-ish: with an offset that exact instant, without one the student's wall clock."""
    year = int(m["y"])
    ctx.check_year(year)
    day = _real_date(year, int(m["mo"]), int(m["d"]))
    if day is None:
        raise ctx.not_a_date()
    when = _time_of(m["time"])
    if when is None:
        return None
    if m["tz"] is None:
        return ctx.local(day, _anchor(when))
    zone = _offset(m["tz"])
    if zone is None or m["time"] is None:  # an offset belongs to a time, not to a date
        return None
    return datetime.combine(day, _anchor(when), tzinfo=zone).astimezone(UTC)


def _rule(pattern: str) -> re.Pattern[str]:
    # ASCII: \d must not match other scripts' digits, which the rest of the code doesn't expect.
    return re.compile(pattern, re.ASCII)


_WD = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_MON = "|".join(sorted(_MONTHS, key=len, reverse=True))
_TIME = r"(?: (?P<time>.+))?"  # optional; the handler decides whether it is a time
_YEAR = r"(?: (?P<y>\d{4}))?"
_DOM = r"(?P<d>\d{1,2})(?:st|nd|rd|th)?"

# In order: the first rule whose regex matches and whose handler doesn't return None wins.
_RULES: tuple[tuple[re.Pattern[str], _Handler], ...] = (
    # "a few minutes ago" is as good as now for a follow-up that happens days later.
    (_rule(r"(?:just |right )?now|today|(?:a )?moments? ago|(?:a )?few min(?:ute)?s ago"), _now),
    (_rule(r"(?P<dur>.+) ago"), _ago),
    (_rule(r"in (?P<dur>.+)"), _later),
    (_rule(r"(?P<dur>.+) from now"), _later),
    (_rule(rf"(?:tomorrow|next (?:week|month|{_WD})){_TIME}"), _next),
    (_rule(rf"(?P<day>today|yesterday){_TIME}"), _day),
    (_rule(rf"(?:(?P<rel>last|past|this) )?(?P<wd>{_WD}){_TIME}"), _weekday),
    (_rule(rf"(?P<mon>{_MON}) {_DOM}{_YEAR}{_TIME}"), _month_day),
    (_rule(rf"{_DOM} (?:of )?(?P<mon>{_MON}){_YEAR}{_TIME}"), _month_day),
    (
        _rule(
            r"(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})"
            r"(?:[t ](?P<time>.+?))?(?: ?(?P<tz>z|utc|gmt|[+-]\d{2}(?::?\d{2})?))?"
        ),
        _iso,
    ),
    (_rule(r"(?P<time>.+)"), _bare_time),
)


def parse_when(text: str, *, now: datetime, zone: ZoneInfo) -> datetime:
    """When the student met someone, as an aware datetime in UTC.

    `now` must be aware (any zone; it is converted to UTC). `text` is read in `zone`, the
    student's zone. Accepted, case-insensitively:

    - "now", "just now", "today", "a few minutes ago" (= now)
    - "2 hours ago", "an hour ago", "half an hour ago", "30m ago", "3 days ago", "1h30m ago"
      (elapsed time: "1 day ago" is exactly 24 hours before now, even across DST)
    - "today 4pm", "yesterday at 9:15am", "yesterday" (12:00), "this morning" (09:00),
      "this afternoon" (14:00), "this evening"/"tonight" (19:00, or now if the evening has
      begun but it isn't 19:00 yet; likewise for the other parts of the day),
      "last night" (20:00 yesterday), "yesterday morning/afternoon/evening"
    - "4pm", "16:00": today at that time
    - "monday 3pm", "fri", "last tuesday": the most recent such day that isn't in the future
      (12:00 without a time); "last <day>" said on that day means a week ago
    - "March 5", "5 March 14:00", "Mar 5, 2026 2pm", "mar 5th": without a year the most recent
      past occurrence (12:00 without a time); if that is too old but this year's, which is in
      the future, is nearer, the error is "future" (a slip about this year's date)
    - "2026-03-05", "2026-03-05 14:00:30", "2026-03-05T14:00Z", "2026-03-05T14:00-05:00":
      with an offset that instant, otherwise the wall time in `zone` (12:00 without a time)

    Wall times use zoneinfo, so DST is handled: a time in a spring-forward gap moves forward by
    the gap, an ambiguous autumn time is the first of the two (fold=0).

    Raises WhenError, and only WhenError, whatever `text` is:
    - reason "future": more than a minute after now ("tomorrow 3pm", "in 2 hours" too);
    - reason "too_old": more than MAX_AGE before now;
    - reason "unrecognised": anything else, including impossible dates ("Feb 30") and times
      ("25:00"), and text longer than 100 characters.
    """
    if now.utcoffset() is None:
        raise TypeError("parse_when needs an aware `now`")  # a bug in the caller, not the student
    ctx = _Context(text=text, now=now.astimezone(UTC), zone=zone)
    stripped = text.strip()
    if not stripped:
        raise WhenError(
            'Say when you met, e.g. when:"yesterday 4pm" or when:"2 hours ago".', "unrecognised"
        )
    if len(stripped) > _MAX_INPUT:
        raise ctx.unrecognised()
    normalised = _normalise(stripped)
    for alias, replacement in _ALIASES:
        normalised = alias.sub(replacement, normalised)
    try:
        return _resolve(normalised, ctx)
    except OverflowError:
        # Only reachable with a `now` within days of datetime.min/max, where no date arithmetic
        # works; a real `now` never gets here.
        raise ctx.unrecognised() from None


def _resolve(normalised: str, ctx: _Context) -> datetime:
    """The first rule's answer, checked against the allowed window [now - MAX_AGE, now + 1min]."""
    for pattern, handler in _RULES:
        m = pattern.fullmatch(normalised)
        result = handler(m, ctx) if m is not None else None
        if result is not None:
            break
    else:
        raise ctx.unrecognised()
    if result > ctx.latest:
        raise ctx.future()
    if result < ctx.earliest:
        raise ctx.too_old()
    return result.astimezone(UTC)


# --------------------------------------------------------------------------------------------
# parse_day

# How far ahead a fair may be planned: the next academic year's fairs at most.
DAY_AHEAD = timedelta(days=366)
_DAY_EXAMPLES = 'Try when:friday, when:tomorrow, when:"March 12" or when:2026-03-12.'
_IN_DAYS = re.compile(r"in (?P<n>\d{1,3}) days?")
_NEXT_WEEKDAY = re.compile(r"(?:(?P<rel>next|this|coming) )?(?P<wd>[a-z]+)")
_MONTH_DAY = re.compile(
    r"(?:(?P<mon>[a-z]+) (?P<d>\d{1,2})(?:st|nd|rd|th)?|(?P<d2>\d{1,2})(?:st|nd|rd|th)?"
    r" (?:of )?(?P<mon2>[a-z]+))(?: (?P<y>\d{4}))?"
)
_ISO_DAY = re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})")


def parse_day(text: str, *, now: datetime, zone: ZoneInfo) -> date:
    """The day of an event such as a career fair, in the student's `zone`: usually ahead.

    Read case-insensitively: "today", "tomorrow", "in 3 days", "friday" or "next friday" (the
    next such day, today included for "friday" alone), "March 12" or "12 March" (the next such
    date, unless it was within the last `MAX_AGE`), "2026-03-12", and anything `parse_when`
    reads ("yesterday", "last friday"). At most `MAX_AGE` ago and `DAY_AHEAD` ahead.

    Raises WhenError (reason "unrecognised", "too_old", or "future" for beyond `DAY_AHEAD`).
    """
    today = now.astimezone(zone).date()
    stripped = text.strip()
    if len(stripped) > _MAX_INPUT:
        raise WhenError(f"I couldn't read {_quote(text)} as a day. {_DAY_EXAMPLES}", "unrecognised")
    words = _normalise(stripped)
    day = _day_ahead(words, today)
    if day is None:
        try:
            day = parse_when(stripped, now=now, zone=zone).astimezone(zone).date()
        except WhenError as err:
            if err.reason != "unrecognised":
                raise
            raise WhenError(
                f"I couldn't read {_quote(text)} as a day. {_DAY_EXAMPLES}", "unrecognised"
            ) from None
    if day < today - MAX_AGE:
        raise WhenError(f"{_quote(text)} is more than {MAX_AGE.days} days ago.", "too_old")
    if day > today + DAY_AHEAD:
        raise WhenError(f"{_quote(text)} is more than a year ahead.", "future")
    return day


def _day_ahead(words: str, today: date) -> date | None:
    """A day `words` names looking ahead, or None when they don't (or name a past one)."""
    if words in ("today", "now"):
        return today
    if words == "tomorrow":
        return today + timedelta(days=1)
    if m := _IN_DAYS.fullmatch(words):
        return today + timedelta(days=int(m["n"]))
    if (m := _NEXT_WEEKDAY.fullmatch(words)) and m["wd"] in _WEEKDAYS:
        ahead = (_WEEKDAYS[m["wd"]] - today.weekday()) % 7
        if m["rel"] == "next" and ahead == 0:
            ahead = 7
        return today + timedelta(days=ahead)
    if m := _ISO_DAY.fullmatch(words):
        return _real_date(int(m["y"]), int(m["m"]), int(m["d"]))
    if m := _MONTH_DAY.fullmatch(words):
        month = _MONTHS.get(m["mon"] or m["mon2"])
        if month is None:
            return None
        dom = int(m["d"] or m["d2"])
        if m["y"]:
            return _real_date(int(m["y"]), month, dom)
        this_year = _real_date(today.year, month, dom)
        if this_year is not None and this_year >= today - MAX_AGE:
            return this_year
        return _real_date(today.year + 1, month, dom)
    return None


# --------------------------------------------------------------------------------------------
# parse_duration


def parse_duration(text: str) -> timedelta:
    """A positive duration of at most MAX_AGE (60 days).

    Accepts "2h", "30m", "2d", "1w", "1h30m", "90 min", "2 hours", "1 day", "45 minutes",
    "1.5h", "an hour", "half an hour", "1 hour and 30 minutes"; case-insensitive. "m" is
    minutes. Raises DurationError (friendly, with an example) for anything else, zero,
    negative durations and durations over 60 days.
    """
    stripped = text.strip()
    normalised = " ".join(stripped.lower().split())
    if len(normalised) > _MAX_INPUT:
        raise DurationError(f"{_quote(text)} isn't a duration I understand. {_DURATION_EXAMPLES}")
    if normalised.startswith(("-", "minus ")):
        raise DurationError(f"A duration has to be more than zero. {_DURATION_EXAMPLES}")
    seconds = _duration_seconds(normalised)
    if seconds is None:
        raise DurationError(f"{_quote(text)} isn't a duration I understand. {_DURATION_EXAMPLES}")
    if seconds > MAX_AGE.total_seconds():
        raise DurationError(
            f"{_quote(text)} is more than {MAX_AGE.days} days; pick something shorter, "
            f"like {MAX_AGE.days}d or less."
        )
    duration = timedelta(seconds=seconds)
    if duration <= timedelta(0):  # "0m", or so small it rounds to nothing
        raise DurationError(f"A duration has to be more than zero. {_DURATION_EXAMPLES}")
    return duration
