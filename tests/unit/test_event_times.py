"""Event times as organizers type them, read in the club's zone, always ahead."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.event_times import EventTimeError, parse_event_time
from tests.conftest import NEW_YORK

# Friday 6 March 2026, 15:00 in New York.
NOW = datetime(2026, 3, 6, 20, 0, tzinfo=UTC)


def local(text: str) -> tuple[str, str]:
    starts, ends = parse_event_time(text, now=NOW, zone=NEW_YORK)
    return f"{starts.astimezone(NEW_YORK):%a %d %b %H:%M}", f"{ends.astimezone(NEW_YORK):%a %H:%M}"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("thu 6pm-8pm", ("Thu 12 Mar 18:00", "Thu 20:00")),
        ("Thursday 18:00-20:00", ("Thu 12 Mar 18:00", "Thu 20:00")),
        ("next thurs at 6:30pm", ("Thu 12 Mar 18:30", "Thu 20:30")),  # two hours by default
        ("fri 4pm", ("Fri 06 Mar 16:00", "Fri 18:00")),  # today, still ahead
        ("fri 2pm", ("Fri 13 Mar 14:00", "Fri 16:00")),  # today's has passed: next week's
        ("6pm", ("Fri 06 Mar 18:00", "Fri 20:00")),
        ("tomorrow 11-1pm", ("Sat 07 Mar 11:00", "Sat 13:00")),
        ("sat 10pm-1am", ("Sat 07 Mar 22:00", "Sun 01:00")),
        ("march 12 6-8pm", ("Thu 12 Mar 18:00", "Thu 20:00")),
        ("2 April 9am - 5pm", ("Thu 02 Apr 09:00", "Thu 17:00")),
        ("2026-04-02 6:30pm-9pm", ("Thu 02 Apr 18:30", "Thu 21:00")),
        # Across the change to summer time (8 March): the wall time stands.
        ("sun 9am-10am", ("Sun 08 Mar 09:00", "Sun 10:00")),
    ],
)
def test_what_organizers_type(typed: str, expected: tuple[str, str]) -> None:
    assert local(typed) == expected


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", "When is it?"),
        ("yesterday 6pm", "isn't a time I can read"),
        ("thu 25pm", "isn't a time I can read"),
        ("2026-02-30 6pm", "isn't a time I can read"),
        ("thursdayy 6pm", "isn't a time I can read"),
        ("2026-03-01 6pm", "has passed already"),
        ("feb 1 6pm", "more than 180 days ahead"),
        ("thu 6pm " + "and then some more " * 5, "too long"),
    ],
)
def test_what_cant_be_an_event_time_is_explained(typed: str, problem: str) -> None:
    with pytest.raises(EventTimeError, match=problem):
        parse_event_time(typed, now=NOW, zone=NEW_YORK)
