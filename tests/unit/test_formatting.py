"""Times as a person reads them (in their zone, in English, whatever the process's locale), and
the topics of a conversation as a DM quotes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.formatting import format_day, format_moment
from bot.messages import topics_phrase

ZONES = [ZoneInfo(k) for k in ("America/New_York", "Europe/Berlin", "Asia/Kolkata", "UTC")]
# Hypothesis bounds naive datetimes and attaches the zone itself.
moments = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


def test_a_moment_reads_with_weekday_day_month_time_and_zone() -> None:
    moment = datetime(2026, 3, 8, 20, 0, tzinfo=UTC)
    assert format_moment(moment, ZoneInfo("America/New_York")) == "Sun 8 Mar 16:00 EDT"
    assert format_moment(moment - timedelta(hours=14), ZoneInfo("America/New_York")) == (
        "Sun 8 Mar 01:00 EST"
    )
    assert format_day(moment, ZoneInfo("Asia/Kolkata")) == "Mon 9 Mar 2026"


@given(moments, st.sampled_from(ZONES))
def test_formatting_matches_the_c_locales_strftime(moment: datetime, zone: ZoneInfo) -> None:
    local = moment.astimezone(zone)
    assert format_moment(moment, zone) == f"{local:%a} {local.day} {local:%b %H:%M %Z}"
    assert format_day(moment, zone) == f"{local:%a} {local.day} {local:%b %Y}"


@pytest.mark.parametrize(
    ("typed", "phrase"),
    [
        ("talked about Kafka and her path", "Kafka and her path"),
        ("We talked about  Kafka", "Kafka"),
        ("DISCUSSED the role", "the role"),
        ("we discussed pricing", "pricing"),
        ("about the team", "the team"),
        ("Kafka, about streams", "Kafka, about streams"),
        ("aboutness", "aboutness"),
        ("", ""),
    ],
)
def test_what_they_talked_about_loses_a_leading_talked_about(typed: str, phrase: str) -> None:
    assert topics_phrase(typed) == phrase
