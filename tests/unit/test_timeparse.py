"""bot.timeparse: every accepted form with an exact UTC answer, the errors, DST, and properties."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.timeparse import (
    MAX_AGE,
    DurationError,
    WhenError,
    parse_duration,
    parse_when,
)

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
TOKYO = ZoneInfo("Asia/Tokyo")


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# Friday 2026-03-06, 15:00 in New York (EST, UTC-5): before the US switch to DST on March 8.
NOW = utc(2026, 3, 6, 20)


def when(text: str, *, now: datetime = NOW, zone: ZoneInfo = NEW_YORK) -> datetime:
    result = parse_when(text, now=now, zone=zone)
    assert result.tzinfo is UTC
    return result


def when_error(text: str, *, now: datetime = NOW, zone: ZoneInfo = NEW_YORK) -> WhenError:
    with pytest.raises(WhenError) as caught:
        parse_when(text, now=now, zone=zone)
    return caught.value


# --------------------------------------------------------------------------------------------
# parse_when: accepted forms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", NOW),
        ("just now", NOW),
        ("right now", NOW),
        ("today", NOW),
        ("a few minutes ago", NOW),
        ("2 hours ago", utc(2026, 3, 6, 18)),
        ("an hour ago", utc(2026, 3, 6, 19)),
        ("a minute ago", utc(2026, 3, 6, 19, 59)),
        ("half an hour ago", utc(2026, 3, 6, 19, 30)),
        ("30 minutes ago", utc(2026, 3, 6, 19, 30)),
        ("30 min ago", utc(2026, 3, 6, 19, 30)),
        ("2h ago", utc(2026, 3, 6, 18)),
        ("30m ago", utc(2026, 3, 6, 19, 30)),
        ("3 days ago", utc(2026, 3, 3, 20)),
        ("a day ago", utc(2026, 3, 5, 20)),
        ("1 week ago", utc(2026, 2, 27, 20)),
        ("2 weeks ago", utc(2026, 2, 20, 20)),
        ("1h30m ago", utc(2026, 3, 6, 18, 30)),
        ("1 hour and 30 minutes ago", utc(2026, 3, 6, 18, 30)),
        ("1.5h ago", utc(2026, 3, 6, 18, 30)),
        ("about 2 hours ago", utc(2026, 3, 6, 18)),
    ],
)
def test_now_and_relative(text: str, expected: datetime) -> None:
    assert when(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today 2pm", utc(2026, 3, 6, 19)),
        ("today at 14:30", utc(2026, 3, 6, 19, 30)),
        ("yesterday 4pm", utc(2026, 3, 5, 21)),
        ("yesterday at 9:15am", utc(2026, 3, 5, 14, 15)),
        ("yesterday", utc(2026, 3, 5, 17)),  # 12:00 EST
        ("this morning", utc(2026, 3, 6, 14)),  # 09:00
        ("this afternoon", utc(2026, 3, 6, 19)),  # 14:00
        ("last night", utc(2026, 3, 6, 1)),  # 20:00 yesterday
        ("yesterday morning", utc(2026, 3, 5, 14)),
        ("yesterday afternoon", utc(2026, 3, 5, 19)),
        ("yesterday evening", utc(2026, 3, 6, 0)),  # 19:00 yesterday
        ("this morning at 10:30", utc(2026, 3, 6, 15, 30)),
        ("4pm yesterday", utc(2026, 3, 5, 21)),
        ("9:30 pm yesterday", utc(2026, 3, 6, 2, 30)),
        ("yesterday noon", utc(2026, 3, 5, 17)),
        ("yesterday midnight", utc(2026, 3, 5, 5)),
    ],
)
def test_day_and_time(text: str, expected: datetime) -> None:
    assert when(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2pm", utc(2026, 3, 6, 19)),
        ("14:00", utc(2026, 3, 6, 19)),
        ("at 9am", utc(2026, 3, 6, 14)),
        ("3pm", utc(2026, 3, 6, 20)),  # exactly now
        ("3:01pm", utc(2026, 3, 6, 20, 1)),  # within the minute of clock skew we allow
        ("12am", utc(2026, 3, 6, 5)),
        ("12pm", utc(2026, 3, 6, 17)),
        ("9:30 A.M.", utc(2026, 3, 6, 14, 30)),
    ],
)
def test_bare_time_is_today(text: str, expected: datetime) -> None:
    assert when(text) == expected


def test_evening_parts_later_in_the_day() -> None:
    evening = utc(2026, 3, 7, 1)  # 20:00 EST on Friday 6th
    assert when("this evening", now=evening) == utc(2026, 3, 7, 0)  # 19:00
    assert when("tonight", now=evening) == utc(2026, 3, 7, 0)


def test_part_of_day_that_has_begun_but_not_reached_its_hour_is_now() -> None:
    half_past_six = utc(2026, 3, 6, 23, 30)  # 18:30 EST: the evening has begun, 19:00 hasn't come
    assert when("this evening", now=half_past_six) == half_past_six
    assert when("tonight", now=half_past_six) == half_past_six


def test_today_and_yesterday_are_the_students_days_not_utcs() -> None:
    late = utc(2026, 3, 7, 3)  # Saturday 03:00 UTC, but still Friday 22:00 in New York
    assert when("yesterday 4pm", now=late) == utc(2026, 3, 5, 21)  # Thursday in New York
    # Tokyo is already on Saturday 05:00 when it's Friday 20:00 UTC.
    assert when("yesterday 4pm", zone=TOKYO) == utc(2026, 3, 6, 7)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("monday 3pm", utc(2026, 3, 2, 20)),
        ("on friday at 10:30am", utc(2026, 3, 6, 15, 30)),  # today, already past
        ("friday 4pm", utc(2026, 2, 27, 21)),  # today's 4pm hasn't come: a week ago
        ("friday", utc(2026, 3, 6, 17)),  # today at 12:00
        ("last tuesday", utc(2026, 3, 3, 17)),
        ("fri 2pm", utc(2026, 3, 6, 19)),
        ("sat", utc(2026, 2, 28, 17)),
        ("Thursday evening", utc(2026, 3, 6, 0)),
        ("tues 9:00", utc(2026, 3, 3, 14)),
        ("2pm on wednesday", utc(2026, 3, 4, 19)),
        ("last friday", utc(2026, 2, 27, 17)),  # said on a Friday: a week ago
        ("this friday", utc(2026, 3, 6, 17)),
    ],
)
def test_weekdays(text: str, expected: datetime) -> None:
    assert when(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("March 5", utc(2026, 3, 5, 17)),
        ("March 5 2pm", utc(2026, 3, 5, 19)),
        ("5 March 14:00", utc(2026, 3, 5, 19)),
        ("Mar 5, 2026 2pm", utc(2026, 3, 5, 19)),
        ("mar 5th", utc(2026, 3, 5, 17)),
        ("the 5th of March", utc(2026, 3, 5, 17)),
        ("march 6 at 9am", utc(2026, 3, 6, 14)),
        ("Jan 10", utc(2026, 1, 10, 17)),
        ("feb 1 2026", utc(2026, 2, 1, 17)),
        ("Feb 1st, 2026 at 9:30am", utc(2026, 2, 1, 14, 30)),
    ],
)
def test_month_dates(text: str, expected: datetime) -> None:
    assert when(text) == expected


def test_month_date_without_year_is_the_most_recent_past_occurrence() -> None:
    january = utc(2026, 1, 5, 17)  # 12:00 EST
    assert when("Dec 30", now=january) == utc(2025, 12, 30, 17)
    assert when("dec 30 2025 3pm", now=january) == utc(2025, 12, 30, 20)
    leap = utc(2028, 3, 10, 17)
    assert when("feb 29", now=leap) == utc(2028, 2, 29, 17)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-05T14:00", utc(2026, 3, 5, 19)),
        ("2026-03-05 14:00", utc(2026, 3, 5, 19)),
        ("2026-03-05 14:00:30", utc(2026, 3, 5, 19, 0, 30)),
        ("2026-03-05", utc(2026, 3, 5, 17)),
        ("2026-03-05T14:00-05:00", utc(2026, 3, 5, 19)),
        ("2026-03-05T14:00+01:00", utc(2026, 3, 5, 13)),
        ("2026-03-05T14:00Z", utc(2026, 3, 5, 14)),
        ("2026-03-05t14:00z", utc(2026, 3, 5, 14)),
        ("2026-03-05T14:00:00.250+0100", utc(2026, 3, 5, 13) + timedelta(milliseconds=250)),
        ("2026-03-05 2pm", utc(2026, 3, 5, 19)),
    ],
)
def test_iso(text: str, expected: datetime) -> None:
    assert when(text) == expected


@pytest.mark.parametrize("text", ["  YESTERDAY   4PM ", '"yesterday 4pm"', "yesterday, 4pm."])
def test_case_spacing_and_punctuation_are_ignored(text: str) -> None:
    assert when(text) == utc(2026, 3, 5, 21)


def test_now_in_another_zone_is_fine() -> None:
    assert when("2 hours ago", now=NOW.astimezone(TOKYO)) == utc(2026, 3, 6, 18)


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        parse_when("now", now=NOW.replace(tzinfo=None), zone=NEW_YORK)


# --------------------------------------------------------------------------------------------
# parse_when: errors


@pytest.mark.parametrize(
    "text",
    [
        "tomorrow 3pm",
        "tomorrow",
        "tomorrow morning",
        "in 2 hours",
        "in 30m",
        "2 hours from now",
        "next monday",
        "2026-03-07",
        "2026-03-06T20:02Z",
        "march 7",  # this year's March 7 is tomorrow; last year's would be "too old"
        "2027-01-01",
        "9999-12-31T23:59+01:00",
        "this evening",  # it's 15:00: the evening hasn't begun
    ],
)
def test_future(text: str) -> None:
    err = when_error(text)
    assert err.reason == "future"
    assert "can't be later than now" in str(err)


def test_future_message_quotes_the_text() -> None:
    assert str(when_error("tomorrow 3pm")) == (
        "“tomorrow 3pm” is in the future; when: is when you met, so it can't be later than now."
    )


@pytest.mark.parametrize(
    ("text", "clock"), [("4pm", "4pm"), ("16:00", "16:00"), ("today 5pm", "5pm")]
)
def test_future_time_today_suggests_yesterday(text: str, clock: str) -> None:
    err = when_error(text)
    assert err.reason == "future"
    assert f'when:"yesterday {clock}"' in str(err)


@pytest.mark.parametrize(
    "text",
    [
        "61 days ago",
        "9 weeks ago",
        "99999999999999999999 weeks ago",
        "2025-12-31",
        "2024-03-05T14:00Z",
        "0001-01-01",
        "Dec 31",  # 2025-12-31: 65 days before now
        "feb 29",  # most recently 2024-02-29
        "jan 5 2025",
    ],
)
def test_too_old(text: str) -> None:
    err = when_error(text)
    assert err.reason == "too_old"
    assert str(err) == "That's more than 60 days ago; the bot follows up on recent conversations."


def test_exactly_max_age_is_allowed() -> None:
    assert when("60 days ago") == NOW - MAX_AGE


@pytest.mark.parametrize(
    "text",
    [
        "banana",
        "yesterday-ish",
        "4",
        "yesterday 4",
        "feb 30",
        "February 30 2026",
        "2026-13-01",
        "2026-02-29",
        "2026-03-05T25:00",
        "2026-03-05T14:00+25:00",
        "25:00",
        "yesterday 25:00",
        "13pm",
        "0am",
        "12:60",
        "tomorrow garbage",
        "in a while",
        "yesterday at",
        "2 days ago 3pm",
        "3/5",
        "ago",
        "a ago",
        "\x00\x01\x02",
        "‮yesterday",
        "４pm",  # full-width digits
        "💥",
    ],
)
def test_unrecognised(text: str) -> None:
    err = when_error(text)
    assert err.reason == "unrecognised"
    assert "Try when:" in str(err)
    assert "Traceback" not in str(err)
    assert "range" not in str(err)  # no leaked "day is out of range for month"


def test_unrecognised_message() -> None:
    assert str(when_error("banana")) == (
        "I couldn't read “banana” as a time. "
        'Try when:"yesterday 4pm", when:"2 hours ago" or when:2026-03-05T14:00.'
    )


def test_impossible_date_message_is_friendly() -> None:
    assert str(when_error("Feb 30")).startswith("“Feb 30” isn't a date on the calendar.")


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty(text: str) -> None:
    err = when_error(text)
    assert err.reason == "unrecognised"
    assert 'when:"yesterday 4pm"' in str(err)


def test_long_input_is_rejected_and_truncated_in_the_message() -> None:
    err = when_error("yesterday " * 10_000)
    assert err.reason == "unrecognised"
    quoted = str(err).split("“")[1].split("”")[0]
    assert len(quoted) <= 40
    assert quoted.endswith("…")


def test_just_over_the_length_cap_is_unrecognised() -> None:
    assert when_error("2 hours ago" + " " * 5 + "x" * 95).reason == "unrecognised"


def test_control_characters_do_not_reach_the_message() -> None:
    message = str(when_error("ban\x00ana\n\u202e"))
    assert "\x00" not in message
    assert "\n" not in message
    assert "\u202e" not in message


# --------------------------------------------------------------------------------------------
# parse_when: daylight saving


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Monday 2026-03-09 12:00 EDT; clocks went 02:00 EST -> 03:00 EDT on Sunday the 8th.
        ("yesterday 4pm", utc(2026, 3, 8, 20)),  # EDT
        ("yesterday 1am", utc(2026, 3, 8, 6)),  # still EST
        ("yesterday 3am", utc(2026, 3, 8, 7)),  # EDT
        ("yesterday 2:30am", utc(2026, 3, 8, 7, 30)),  # in the gap: moved on by an hour, 03:30
        ("2026-03-08T02:30", utc(2026, 3, 8, 7, 30)),
        ("sunday 4pm", utc(2026, 3, 8, 20)),
        ("saturday 4pm", utc(2026, 3, 7, 21)),  # EST
        ("March 7 4pm", utc(2026, 3, 7, 21)),
        ("1 day ago", utc(2026, 3, 8, 16)),  # elapsed: 24 hours, so 11:00 EDT, not 12:00
    ],
)
def test_new_york_spring_forward_day_after(text: str, expected: datetime) -> None:
    assert when(text, now=utc(2026, 3, 9, 16)) == expected


def test_new_york_spring_forward_same_day() -> None:
    noon_edt = utc(2026, 3, 8, 16)
    assert when("yesterday 4pm", now=noon_edt) == utc(2026, 3, 7, 21)  # EST
    assert when("this morning", now=noon_edt) == utc(2026, 3, 8, 13)  # 09:00 EDT
    assert when("1am", now=noon_edt) == utc(2026, 3, 8, 6)  # 01:00 EST


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Monday 2026-11-02 12:00 EST; clocks went 02:00 EDT -> 01:00 EST on Sunday the 1st.
        ("yesterday 4pm", utc(2026, 11, 1, 21)),  # EST
        ("yesterday 9am", utc(2026, 11, 1, 14)),  # EST
        ("yesterday 12:30am", utc(2026, 11, 1, 4, 30)),  # EDT
        ("yesterday 1:30am", utc(2026, 11, 1, 5, 30)),  # happened twice: the first, EDT
        ("sunday 4pm", utc(2026, 11, 1, 21)),
        ("saturday 4pm", utc(2026, 10, 31, 20)),  # EDT
    ],
)
def test_new_york_fall_back(text: str, expected: datetime) -> None:
    assert when(text, now=utc(2026, 11, 2, 17)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Monday 2026-03-30 12:00 CEST; clocks went 02:00 CET -> 03:00 CEST on the 29th.
        ("yesterday 4pm", utc(2026, 3, 29, 14)),  # CEST
        ("yesterday 1am", utc(2026, 3, 29, 0)),  # CET
        ("yesterday 2:30", utc(2026, 3, 29, 1, 30)),  # in the gap: 03:30 CEST
        ("saturday 4pm", utc(2026, 3, 28, 15)),  # CET
    ],
)
def test_berlin_spring_forward(text: str, expected: datetime) -> None:
    assert when(text, now=utc(2026, 3, 30, 10), zone=BERLIN) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Monday 2026-10-26 12:00 CET; clocks went 03:00 CEST -> 02:00 CET on the 25th.
        ("yesterday 4pm", utc(2026, 10, 25, 15)),  # CET
        ("yesterday 9am", utc(2026, 10, 25, 8)),  # CET
        ("yesterday 02:30", utc(2026, 10, 25, 0, 30)),  # happened twice: the first, CEST
        ("saturday 4pm", utc(2026, 10, 24, 14)),  # CEST
    ],
)
def test_berlin_fall_back(text: str, expected: datetime) -> None:
    assert when(text, now=utc(2026, 10, 26, 11), zone=BERLIN) == expected


# --------------------------------------------------------------------------------------------
# parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2h", timedelta(hours=2)),
        ("30m", timedelta(minutes=30)),
        ("2d", timedelta(days=2)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1h 30m", timedelta(hours=1, minutes=30)),
        ("90 min", timedelta(minutes=90)),
        ("2 hours", timedelta(hours=2)),
        ("1 day", timedelta(days=1)),
        ("45 minutes", timedelta(minutes=45)),
        ("1.5h", timedelta(hours=1, minutes=30)),
        ("an hour", timedelta(hours=1)),
        ("half an hour", timedelta(minutes=30)),
        ("1 week", timedelta(weeks=1)),
        ("1 hour and 15 minutes", timedelta(hours=1, minutes=15)),
        (" 2H ", timedelta(hours=2)),
        ("60d", timedelta(days=60)),
    ],
)
def test_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "0m",
        "0",
        "-2h",
        "2",
        "h",
        "banana",
        "61d",
        "9 weeks",
        "99999999999999999999999d",
        "am",
        "2 months",
        "1h and",
        "0.0000001s",
        "x" * 1000,
    ],
)
def test_bad_duration(text: str) -> None:
    with pytest.raises(DurationError) as caught:
        parse_duration(text)
    assert "Try 30m, 2h or 1d" in str(caught.value) or "60d" in str(caught.value)


def test_duration_message() -> None:
    with pytest.raises(DurationError) as caught:
        parse_duration("soon")
    assert str(caught.value) == "“soon” isn't a duration I understand. Try 30m, 2h or 1d."


# --------------------------------------------------------------------------------------------
# Properties

# Nows from 2000 to about 2060, built without naive datetimes.
NOWS = st.integers(min_value=0, max_value=60 * 365 * 86_400).map(
    lambda seconds: utc(2000, 1, 1) + timedelta(seconds=seconds)
)
ZONES = st.sampled_from(
    [
        NEW_YORK,
        BERLIN,
        TOKYO,
        ZoneInfo("UTC"),
        ZoneInfo("Australia/Lord_Howe"),
        ZoneInfo("Asia/Kolkata"),
    ]
)
# Pieces of real phrases, so random combinations reach deep into the rules, not just "unrecognised".
WORDS = [
    "now", "today", "yesterday", "tomorrow", "this", "last", "next", "morning", "evening", "night",
    "tonight", "at", "on", "the", "in", "ago", "from", "a", "an", "half", "hour", "hours", "2h",
    "30m", "1h30m", "3", "days", "week", "monday", "fri", "march", "feb", "dec", "29", "30", "31",
    "5th", "2026", "2025", "4pm", "12am", "9:30", "25:00", "noon", "midnight", "2026-03-05",
    "2026-03-08T02:30", "14:00Z", "+01:00", "-05:00", "T", ",", ".", "“", "\x00", "é",
]  # fmt: skip
WHEN_TEXTS = st.one_of(
    st.text(max_size=120),
    st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join),
)


@given(text=WHEN_TEXTS, now=NOWS, zone=ZONES)
def test_parse_when_is_in_the_window_or_raises_when_error(
    text: str, now: datetime, zone: ZoneInfo
) -> None:
    try:
        result = parse_when(text, now=now, zone=zone)
    except WhenError as err:
        error = err  # checked below, outside the except block
    else:
        assert result.tzinfo is UTC
        assert now - MAX_AGE <= result <= now + timedelta(minutes=1)
        return
    assert error.reason in ("unrecognised", "future", "too_old")
    assert str(error)


@given(now=NOWS, zone=ZONES)
def test_yesterday_4pm_is_4pm_on_the_students_yesterday(now: datetime, zone: ZoneInfo) -> None:
    # 16:00 is never inside a DST gap in these zones, so it must come back exactly.
    local = parse_when("yesterday 4pm", now=now, zone=zone).astimezone(zone)
    assert local.time() == time(16)
    assert local.date() == now.astimezone(zone).date() - timedelta(days=1)


@given(now=NOWS, back=st.integers(min_value=0, max_value=60 * 86_400), zone=ZONES)
def test_iso_with_offset_round_trips(now: datetime, back: int, zone: ZoneInfo) -> None:
    moment = now - timedelta(seconds=back)
    assert parse_when(moment.astimezone(zone).isoformat(), now=now, zone=zone) == moment


@given(hours=st.integers(0, 48), minutes=st.integers(0, 59), now=NOWS)
def test_hours_and_minutes_ago(hours: int, minutes: int, now: datetime) -> None:
    text = f"{hours}h{minutes}m ago"
    assert parse_when(text, now=now, zone=NEW_YORK) == now - timedelta(hours=hours, minutes=minutes)


@given(text=st.one_of(st.text(max_size=60), st.lists(st.sampled_from(WORDS)).map("".join)))
def test_parse_duration_is_positive_and_bounded_or_raises_duration_error(text: str) -> None:
    try:
        duration = parse_duration(text)
    except DurationError as err:
        error = err
    else:
        assert timedelta(0) < duration <= MAX_AGE
        return
    assert str(error)


# --------------------------------------------------------------------------------------------
# Times of day, as a `when:` reads them


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("22:00", time(22)),
        ("8:00", time(8)),
        ("08:00", time(8)),
        ("10pm", time(22)),
        ("9:30am", time(9, 30)),
        ("9:30 PM", time(21, 30)),
        ("12am", time(0)),
        ("12pm", time(12)),
        ("12:15am", time(0, 15)),
        ("noon", time(12)),
        ("midnight", time(0)),
        ("Noon", time(12)),
        ("10 p.m.", time(22)),
        ("at 7am", time(7)),
        ("0:00", time(0)),
        ("23:59", time(23, 59)),
    ],
)
def test_a_time_of_day_yesterday(text: str, expected: time) -> None:
    yesterday = NOW.astimezone(NEW_YORK).date() - timedelta(days=1)
    assert when(f"yesterday {text}") == datetime.combine(yesterday, expected, tzinfo=NEW_YORK)


@pytest.mark.parametrize("text", ["25:00", "24:00", "12:60", "13pm", "0am", "noonish"])
def test_a_time_of_day_that_is_no_time(text: str) -> None:
    with pytest.raises(WhenError):
        when(f"yesterday {text}")


@given(hour=st.integers(0, 23), minute=st.integers(0, 59))
def test_times_of_day_read_alike_in_both_formats(hour: int, minute: int) -> None:
    twelve = f"{hour % 12 or 12}:{minute:02d}{'am' if hour < 12 else 'pm'}"
    assert when(f"yesterday {hour}:{minute:02d}") == when(f"yesterday {twelve}")
