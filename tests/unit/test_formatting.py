"""Times as a person reads them: in their zone, in English, whatever the process's locale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.formatting import format_day, format_moment

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
