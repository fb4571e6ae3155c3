"""rules.engine and the bundled rules/rulebook.toml.

Loading and validation (with exact file, key and problem for each broken rulebook), planning
follow-ups, who gets nudged, and where nudges land: quiet hours, spacing, snoozes, daylight
saving in New York and Berlin, and a property test over zones with odd offsets and transitions.

Times are built in UTC or from local wall-clock times; `wall()` reads them back as local
"YYYY-MM-DD HH:MM" so that expectations read like the student's calendar.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from importlib import resources
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.engine import (
    KindRule,
    NudgeKind,
    PlacedNudge,
    QuietHours,
    RulebookError,
    load_rulebook,
    out_of_quiet_hours,
    place_nudges,
    plan_follow_ups,
    should_nudge,
)

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
NIGHTS = QuietHours.parse("22:00-08:00")

BUNDLED = load_rulebook()
BUNDLED_TEXT = resources.files("rules").joinpath("rulebook.toml").read_text(encoding="utf-8")

HEADS_UP = NudgeKind.HEADS_UP
LAST_CALL = NudgeKind.LAST_CALL
REMINDER = NudgeKind.REMINDER
SNOOZED = NudgeKind.SNOOZED
WINDOW_CLOSED = NudgeKind.WINDOW_CLOSED


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(zone: ZoneInfo, year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """The UTC instant of a local wall-clock time (the first one, if the clock repeats it)."""
    return datetime(year, month, day, hour, minute, tzinfo=zone).astimezone(UTC)


def ny(day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in New York in June 2026 (EDT all month: no transition to mind)."""
    return local(NEW_YORK, 2026, 6, day, hour, minute)


def wall(moment: datetime, zone: ZoneInfo = NEW_YORK) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def kind(key: str) -> KindRule:
    return BUNDLED.kinds[key]


def schedule(
    kind_key: str,
    met_at: datetime,
    *,
    now: datetime | None = None,
    zone: ZoneInfo = NEW_YORK,
    quiet: QuietHours | None = NIGHTS,
    snoozed_until: datetime | None = None,
    last_sent_at: datetime | None = None,
    awake: bool = False,
    digest_at: time | None = None,
) -> list[PlacedNudge]:
    """The nudges for the first follow-up of a `kind_key` conversation at `met_at`."""
    plan = plan_follow_ups(kind(kind_key), met_at)[0]
    return place_nudges(
        BUNDLED.timing,
        met_at=met_at,
        ideal_by=plan.ideal_by,
        due_by=plan.due_by,
        now=met_at if now is None else now,
        zone=zone,
        quiet=quiet,
        snoozed_until=snoozed_until,
        last_sent_at=last_sent_at,
        awake=awake,
        digest_at=digest_at,
    )


def of_kind(nudges: list[PlacedNudge], nudge_kind: NudgeKind) -> list[datetime]:
    return [n.due_at for n in nudges if n.kind is nudge_kind]


# --------------------------------------------------------------------------------------------
# Loading the bundled rulebook


def test_bundled_rulebook_loads_with_every_kind_of_conversation() -> None:
    rulebook = load_rulebook()
    assert rulebook.source == "rules/rulebook.toml"
    expected = {"interview", "call", "networking", "group", "fair", "fair-1on1", "fair-good"}
    assert expected <= set(rulebook.kinds)
    assert {"email", "linkedin"} <= set(rulebook.methods)


def test_bundled_rulebook_timing_follows_the_guide() -> None:
    timing = BUNDLED.timing
    assert timing.deadline == hours(48)
    assert timing.heads_up_after == hours(24)
    assert timing.last_call_before == (hours(6), hours(1))
    assert timing.reminder_every == timedelta(days=7)
    assert timing.min_gap == timedelta(minutes=120)
    assert timing.quiet_margin == timedelta(minutes=30)
    assert timing.default_quiet == NIGHTS


def test_bundled_linkedin_note_limits() -> None:
    linkedin = BUNDLED.methods["linkedin"]
    assert (linkedin.note_chars_free, linkedin.note_chars_premium) == (200, 300)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("interview", "interview"),
        ("1:1", "call"),
        ("Coffee Chat", "call"),
        ("  coffee   chat ", "call"),
        ("info session", "group"),
        ("Info-Session", "group"),
        ("career fair", "fair"),
        ("CAREER_FAIR", "fair"),
        ("fair_good", "fair-good"),
        ("FAIR-1ON1", "fair-1on1"),
        ("fair 1on1", "fair-1on1"),
        ("networking", "networking"),
    ],
)
def test_find_kind_resolves_keys_and_aliases_ignoring_case_and_separators(
    text: str, expected: str
) -> None:
    found = BUNDLED.find_kind(text)
    assert found is not None
    assert found.key == expected


def test_find_kind_of_an_unknown_name_is_none() -> None:
    assert BUNDLED.find_kind("hackathon") is None


def test_suggest_kind_corrects_a_misspelling() -> None:
    assert BUNDLED.suggest_kind("intervew") == "interview"


def test_suggest_kind_of_something_unrelated_is_none() -> None:
    assert BUNDLED.suggest_kind("xyzzy") is None


# --------------------------------------------------------------------------------------------
# Broken rulebooks: each names the file, the exact key and the problem


def broken_rulebook(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the bundled rulebook with exactly one `old` replaced by `new`."""
    assert BUNDLED_TEXT.count(old) == 1, f"the bundled rulebook no longer has one {old!r}"
    path = tmp_path / "club-rulebook.toml"
    path.write_text(BUNDLED_TEXT.replace(old, new), encoding="utf-8")
    return path


def load_error(path: Path) -> RulebookError:
    with pytest.raises(RulebookError) as caught:
        load_rulebook(path)
    error = caught.value
    assert error.source == str(path)
    message = str(error)
    assert error.source in message
    assert error.key in message
    assert error.problem in message
    return error


def test_unchanged_copy_of_the_bundled_rulebook_loads(tmp_path: Path) -> None:
    path = tmp_path / "copy.toml"
    path.write_text(BUNDLED_TEXT, encoding="utf-8")
    rulebook = load_rulebook(path)
    assert rulebook.source == str(path)
    assert set(rulebook.kinds) == set(BUNDLED.kinds)


def test_missing_rulebook_file(tmp_path: Path) -> None:
    error = load_error(tmp_path / "no-such-rulebook.toml")
    assert error.key == "(file)"
    assert error.problem.startswith("can't be read")


def test_rulebook_with_invalid_toml_syntax(tmp_path: Path) -> None:
    path = broken_rulebook(tmp_path, 'label = "interview"\n', 'label = "interview\n')
    error = load_error(path)
    assert error.key == "(syntax)"
    assert "line" in error.problem  # tomllib says where


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        pytest.param(
            "\nversion = 1\n",
            '\nversion = 1\ntimezone = "UTC"\n',
            "timezone",
            "unknown key (is it misspelt?)",
            id="unknown-top-level-key",
        ),
        pytest.param(
            'aliases = ["job interview"',
            'alaises = ["job interview"',
            "kinds.interview.alaises",
            "unknown key (did you mean aliases?)",
            id="misspelt-key-in-a-kind",
        ),
        pytest.param(
            '[[kinds.interview.follow_ups]]\nmethods = ["email"]',
            '[[kinds.interview.follow_ups]]\nmethods = ["e-mail"]',
            "kinds.interview.follow_ups[0].methods",
            "unknown method “e-mail” (see [methods])",
            id="unknown-method",
        ),
        pytest.param(
            "deadline_hours = 48",
            "deadline_hours = -48",
            "timing.deadline_hours",
            "must be a positive number, not -48",
            id="negative-deadline-hours",
        ),
        pytest.param(
            'aliases = ["network", ',
            'aliases = ["coffee chat", "network", ',
            "kinds.networking.aliases",
            "“coffee chat” is already a name of kinds.call",
            id="alias-shared-by-two-kinds",
        ),
        pytest.param(
            'default_quiet_hours = "22:00-08:00"',
            'default_quiet_hours = "nights"',
            "timing.default_quiet_hours",
            "“nights” isn't a span of hours. Write it like 22:00-08:00.",
            id="bad-default-quiet-hours",
        ),
        pytest.param(
            "adequate_days = 21\n\n[kinds.group]",
            "adequate_days = 1\n\n[kinds.group]",
            "kinds.networking.follow_ups[0].adequate_days",
            "must not end before the ideal window",
            id="adequate-days-shorter-than-ideal-hours",
        ),
        pytest.param(
            "\nversion = 1\n",
            "\nversion = 2\n",
            "version",
            "must be 1",
            id="version-2",
        ),
    ],
)
def test_broken_rulebook_names_file_key_and_problem(
    tmp_path: Path, old: str, new: str, key: str, problem: str
) -> None:
    error = load_error(broken_rulebook(tmp_path, old, new))
    assert (error.key, error.problem) == (key, problem)


# --------------------------------------------------------------------------------------------
# plan_follow_ups

MET = utc(2026, 6, 9, 15)  # Tuesday 11:00 in New York


def test_interview_plans_one_thank_you_email_due_in_48_hours() -> None:
    [plan] = plan_follow_ups(kind("interview"), MET)
    assert plan.methods == ("email",)
    assert plan.ideal_by == plan.due_by == MET + hours(48)
    assert plan.optional is False


@pytest.mark.parametrize("kind_key", ["networking", "group"])
def test_event_plans_linkedin_or_email_ideally_in_48_hours_adequately_in_3_weeks(
    kind_key: str,
) -> None:
    [plan] = plan_follow_ups(kind(kind_key), MET)
    assert plan.methods == ("linkedin", "email")
    assert plan.ideal_by == MET + hours(48)
    assert plan.due_by == MET + timedelta(days=21)
    assert plan.optional is False


def test_good_fair_conversation_plans_a_double_follow_up_email_then_linkedin() -> None:
    plans = plan_follow_ups(kind("fair-good"), MET)
    assert [plan.methods for plan in plans] == [("email",), ("linkedin",)]
    # A fair is an event: ideally within 48 hours, still adequate for three weeks.
    assert all(plan.ideal_by == MET + hours(48) for plan in plans)
    assert all(plan.due_by == MET + timedelta(days=21) for plan in plans)


def test_brief_fair_chat_follow_up_is_optional() -> None:
    [plan] = plan_follow_ups(kind("fair"), MET)
    assert plan.optional is True
    assert plan.methods == ("email",)


@pytest.mark.parametrize("kind_key", ["interview", "call", "networking", "fair-1on1", "fair-good"])
def test_other_follow_ups_are_not_optional(kind_key: str) -> None:
    assert not any(plan.optional for plan in plan_follow_ups(kind(kind_key), MET))


# --------------------------------------------------------------------------------------------
# should_nudge

ALL_KINDS = ["interview", "call", "networking", "group", "fair", "fair-1on1", "fair-good"]


@pytest.mark.parametrize("kind_key", ALL_KINDS)
def test_no_nudges_while_nudges_are_off(kind_key: str) -> None:
    assert not should_nudge(kind(kind_key), priority=1, nudges_on=False, job_accepted=False)


@pytest.mark.parametrize("kind_key", ["networking", "group", "fair", "fair-1on1", "fair-good"])
def test_no_event_nudges_once_a_job_is_accepted(kind_key: str) -> None:
    assert not should_nudge(kind(kind_key), priority=1, nudges_on=True, job_accepted=True)


@pytest.mark.parametrize("kind_key", ["interview", "call"])
def test_interview_and_call_nudges_continue_after_a_job_is_accepted(kind_key: str) -> None:
    assert should_nudge(kind(kind_key), priority=None, nudges_on=True, job_accepted=True)


@pytest.mark.parametrize(
    ("priority", "expected"), [(1, True), (None, False), (2, False), (3, False)]
)
def test_brief_fair_chat_is_nudged_only_for_priority_one(
    priority: int | None, expected: bool
) -> None:
    assert should_nudge(kind("fair"), priority=priority, nudges_on=True, job_accepted=False) is (
        expected
    )


def test_fair_one_on_one_is_nudged_without_a_priority() -> None:
    assert should_nudge(kind("fair-1on1"), priority=None, nudges_on=True, job_accepted=False)


# --------------------------------------------------------------------------------------------
# place_nudges: the plain schedule


def test_interview_schedule_without_quiet_hours() -> None:
    assert schedule("interview", MET, quiet=None) == [
        PlacedNudge(MET + hours(24), HEADS_UP),
        PlacedNudge(MET + hours(42), LAST_CALL),
        PlacedNudge(MET + hours(47), LAST_CALL),
        PlacedNudge(MET + hours(48), WINDOW_CLOSED),
    ]


EVENT_KINDS = ["networking", "group", "fair", "fair-1on1", "fair-good"]


@pytest.mark.parametrize("kind_key", EVENT_KINDS)
def test_event_schedule_reminds_as_the_ideal_window_ends_then_weekly_then_one_last_call(
    kind_key: str,
) -> None:
    # Every follow-up of every event kind (a good fair chat's email and LinkedIn request alike).
    for plan in plan_follow_ups(kind(kind_key), MET):
        assert place_nudges(
            BUNDLED.timing,
            met_at=MET,
            ideal_by=plan.ideal_by,
            due_by=plan.due_by,
            now=MET,
            zone=NEW_YORK,
            quiet=None,
        ) == [
            PlacedNudge(MET + hours(24), HEADS_UP),
            PlacedNudge(MET + hours(42), REMINDER),  # the ideal 48 hours are ending
            PlacedNudge(MET + timedelta(days=7), REMINDER),
            PlacedNudge(MET + timedelta(days=14), REMINDER),
            PlacedNudge(MET + timedelta(days=20), LAST_CALL),  # a day before three weeks
            PlacedNudge(MET + timedelta(days=21), WINDOW_CLOSED),
        ]


@pytest.mark.parametrize("kind_key", EVENT_KINDS)
def test_events_get_no_last_call_while_weeks_remain(kind_key: str) -> None:
    nudges = schedule(kind_key, ny(9, 14))
    [last_call] = of_kind(nudges, LAST_CALL)
    assert last_call >= ny(9, 14) + timedelta(days=19)


@pytest.mark.parametrize("kind_key", ["interview", "call"])
def test_interviews_and_calls_keep_their_two_last_calls_before_48_hours(kind_key: str) -> None:
    assert of_kind(schedule(kind_key, MET, quiet=None), LAST_CALL) == [
        MET + hours(42),
        MET + hours(47),
    ]
    assert of_kind(schedule(kind_key, MET, quiet=None), REMINDER) == []


def test_the_event_timing_keys_are_optional_and_validated(tmp_path: Path) -> None:
    bare = BUNDLED_TEXT
    for line in (
        "ideal_ending_before_hours = 6\n",
        "adequate_last_call_before_hours = 24\n",
        "together_within_minutes = 30\n",
    ):
        assert line in bare
        bare = bare.replace(line, "")
    path = tmp_path / "older.toml"
    path.write_text(bare, encoding="utf-8")
    assert load_rulebook(path).timing == BUNDLED.timing  # the defaults are the guide's
    path.write_text(
        BUNDLED_TEXT.replace("together_within_minutes = 30", "together_within_minutes = 600"),
        encoding="utf-8",
    )
    with pytest.raises(RulebookError) as err:
        load_rulebook(path)
    assert err.value.key == "timing.together_within_minutes"
    path.write_text(
        BUNDLED_TEXT.replace("ideal_ending_before_hours = 6", "ideal_ending_before_hours = -6"),
        encoding="utf-8",
    )
    with pytest.raises(RulebookError) as err:
        load_rulebook(path)
    assert err.value.key == "timing.ideal_ending_before_hours"
    assert "positive" in err.value.problem


@pytest.mark.parametrize(
    ("zone", "met_at", "deadline_wall"),
    [
        pytest.param(NEW_YORK, local(NEW_YORK, 2026, 3, 5, 18), "19:00", id="new-york-spring"),
        pytest.param(NEW_YORK, local(NEW_YORK, 2026, 10, 29, 18), "17:00", id="new-york-fall"),
        pytest.param(BERLIN, local(BERLIN, 2026, 3, 26, 18), "19:00", id="berlin-spring"),
        pytest.param(BERLIN, local(BERLIN, 2026, 10, 22, 18), "17:00", id="berlin-fall"),
    ],
)
@pytest.mark.parametrize("kind_key", ["networking", "fair"])
def test_event_cadence_across_a_daylight_saving_change(
    zone: ZoneInfo, met_at: datetime, deadline_wall: str, kind_key: str
) -> None:
    # An event on a Thursday at 18:00, three days before the clocks change: the heads-up and the
    # end of the ideal window come before the change; the weekly reminders after it keep the
    # local 18:00 (calendar weeks); the deadline is three weeks of hours (504), so it reads an
    # hour later or earlier on the clock, and its last call is a day before it.
    nudges = schedule(kind_key, met_at, zone=zone)
    assert [(n.kind, n.due_at.astimezone(zone).strftime("%a %d %H:%M")) for n in nudges] == [
        (HEADS_UP, f"Fri {wall(met_at + hours(24), zone)[8:10]} 18:00"),
        (REMINDER, f"Sat {wall(met_at + hours(42), zone)[8:10]} 12:00"),
        (REMINDER, f"Thu {wall(met_at + timedelta(days=7), zone)[8:10]} 18:00"),
        (REMINDER, f"Thu {wall(met_at + timedelta(days=14), zone)[8:10]} 18:00"),
        (LAST_CALL, f"Wed {wall(met_at + timedelta(days=20), zone)[8:10]} {deadline_wall}"),
        (WINDOW_CLOSED, f"Thu {wall(met_at + timedelta(days=21), zone)[8:10]} {deadline_wall}"),
    ]
    assert nudges[-2].due_at == nudges[-1].due_at - hours(24)


def test_daytime_schedule_is_untouched_by_quiet_hours() -> None:
    met_at = ny(9, 15)  # nudges at 15:00, 09:00 and 14:00, closing at 15:00
    assert schedule("interview", met_at, quiet=NIGHTS) == schedule("interview", met_at, quiet=None)


# --------------------------------------------------------------------------------------------
# place_nudges: quiet hours 22:00-08:00 in New York


def test_heads_up_in_quiet_hours_moves_earlier_to_the_margin_before_they_begin() -> None:
    nudges = schedule("interview", ny(9, 23, 30))  # heads-up due 23:30 the next day
    assert nudges[0] == PlacedNudge(ny(10, 21, 30), HEADS_UP)


def test_last_call_at_2am_moves_to_the_evening_before() -> None:
    # Met at 03:00: the final last call falls at 02:00 two days later. (The earlier last call,
    # 21:00 that evening, is within min_gap of 21:30 and collapses into it.)
    nudges = schedule("interview", ny(9, 3))
    assert of_kind(nudges, LAST_CALL) == [ny(10, 21, 30)]


def test_nudges_closer_than_min_gap_collapse_into_the_later_one() -> None:
    # Met at 02:00: last calls at 20:00 and 01:00 (moved to 21:30), 90 minutes apart.
    nudges = schedule("interview", ny(9, 2))
    assert [(wall(n.due_at), n.kind) for n in nudges] == [
        ("2026-06-09 21:30", HEADS_UP),
        ("2026-06-10 21:30", LAST_CALL),
        ("2026-06-11 08:00", WINDOW_CLOSED),
    ]


def test_window_closed_in_quiet_hours_moves_to_when_they_end() -> None:
    nudges = schedule("interview", ny(9, 23, 30))  # due 23:30 on the 11th
    assert nudges[-1] == PlacedNudge(ny(12, 8), WINDOW_CLOSED)


def test_quiet_nudge_too_late_for_the_margin_goes_out_at_once_before_quiet_hours() -> None:
    nudges = schedule("interview", ny(9, 23, 30), now=ny(10, 21, 45))
    assert nudges[0] == PlacedNudge(ny(10, 21, 45), HEADS_UP)


def test_quiet_nudge_that_cannot_move_earlier_moves_to_the_end_of_quiet_hours() -> None:
    nudges = schedule("interview", ny(9, 23, 30), now=ny(10, 22, 30))
    assert nudges[0] == PlacedNudge(ny(11, 8), HEADS_UP)


def test_last_call_that_cannot_leave_quiet_hours_before_its_deadline_is_dropped() -> None:
    # Ideal deadline 03:00 on the 11th; at 23:00 on the 10th it's too late to move the 02:00
    # last call before quiet hours, and 08:00 is after the deadline.
    nudges = schedule("interview", ny(9, 3), now=ny(10, 23))
    assert nudges == [PlacedNudge(ny(11, 8), WINDOW_CLOSED)]


def test_a_last_call_that_cannot_leave_quiet_hours_goes_out_now_if_the_student_is_awake() -> None:
    # The same night, but the student just typed a command at 23:00: they are up, so the 02:00
    # last call (and the 21:00 one, past already) goes out now rather than not at all.
    nudges = schedule("interview", ny(9, 3), now=ny(10, 23), awake=True)
    assert nudges == [PlacedNudge(ny(10, 23), LAST_CALL), PlacedNudge(ny(11, 8), WINDOW_CLOSED)]


def test_a_dawn_last_call_goes_out_now_if_the_student_is_awake() -> None:
    # Met 47 hours before 05:35: the last call falls at 05:35, in quiet hours until 08:00,
    # after the 06:35 deadline. The moment before quiet hours began is the evening before.
    nudges = schedule("interview", ny(8, 6, 35), now=ny(10, 5, 35), awake=True)
    assert nudges == [PlacedNudge(ny(10, 5, 35), LAST_CALL), PlacedNudge(ny(10, 8), WINDOW_CLOSED)]


def test_an_awake_student_still_gets_a_quiet_nudge_at_the_end_of_quiet_hours_when_it_fits() -> None:
    nudges = schedule("interview", ny(9, 23, 30), now=ny(10, 22, 30), awake=True)
    assert nudges[0] == PlacedNudge(ny(11, 8), HEADS_UP)


def night_replan(last_sent_at: datetime) -> list[PlacedNudge]:
    """Met at 03:00 on the 9th (ideal deadline 03:00 on the 11th), one last call sent at
    `last_sent_at`: the plan again at 23:30 on the 10th, the student awake."""
    return place_nudges(
        BUNDLED.timing,
        met_at=ny(9, 3),
        ideal_by=ny(11, 3),
        due_by=ny(11, 3),
        now=ny(10, 23, 30),
        zone=NEW_YORK,
        quiet=NIGHTS,
        already_sent={LAST_CALL: 1},
        last_sent_at=last_sent_at,
        awake=True,
    )


def test_a_nudge_moved_to_now_is_not_sent_again_right_after_one_went_out() -> None:
    # At 23:00 both last calls moved to now and went out as one; a re-plan at 23:30 (new
    # settings) counts one sent, and must not send the other now as well.
    assert night_replan(last_sent_at=ny(10, 23)) == [PlacedNudge(ny(11, 8), WINDOW_CLOSED)]
    # Long after the last one went out (the first last call, at 21:00), the other goes now.
    assert night_replan(last_sent_at=ny(10, 18))[0] == PlacedNudge(ny(10, 23, 30), LAST_CALL)


def test_nudges_in_the_past_are_dropped() -> None:
    assert schedule("interview", MET, now=MET + hours(30), quiet=None) == [
        PlacedNudge(MET + hours(42), LAST_CALL),
        PlacedNudge(MET + hours(47), LAST_CALL),
        PlacedNudge(MET + hours(48), WINDOW_CLOSED),
    ]


def test_window_closed_is_never_in_the_past() -> None:
    now = MET + hours(50)
    assert schedule("interview", MET, now=now, quiet=None) == [PlacedNudge(now, WINDOW_CLOSED)]


# --------------------------------------------------------------------------------------------
# place_nudges: snoozes


def test_snooze_drops_earlier_nudges_and_nudges_exactly_at_snoozed_until() -> None:
    snoozed_until = MET + hours(30)
    assert schedule(
        "interview", MET, now=MET + hours(1), quiet=None, snoozed_until=snoozed_until
    ) == [
        PlacedNudge(snoozed_until, SNOOZED),
        PlacedNudge(MET + hours(42), LAST_CALL),
        PlacedNudge(MET + hours(47), LAST_CALL),
        PlacedNudge(MET + hours(48), WINDOW_CLOSED),
    ]


def test_snoozed_nudge_lands_as_asked_even_inside_quiet_hours() -> None:
    snoozed_until = ny(10, 23)
    nudges = schedule("interview", ny(9, 10), now=ny(9, 12), snoozed_until=snoozed_until)
    assert PlacedNudge(snoozed_until, SNOOZED) in nudges
    assert NIGHTS.contains(snoozed_until, NEW_YORK)


def test_no_planned_nudge_moves_out_of_quiet_hours_into_the_snooze() -> None:
    # The 04:00 last call would move to 21:30, before the snooze ends at 23:00: it is dropped.
    nudges = schedule("interview", ny(9, 10), now=ny(9, 12), snoozed_until=ny(10, 23))
    assert nudges == [
        PlacedNudge(ny(10, 23), SNOOZED),
        PlacedNudge(ny(11, 9), LAST_CALL),
        PlacedNudge(ny(11, 10), WINDOW_CLOSED),
    ]


# --------------------------------------------------------------------------------------------
# Daylight saving: America/New_York (2026-03-08 spring forward, 2026-11-01 fall back) and
# Europe/Berlin (2026-03-29, 2026-10-25), with quiet hours 22:00-08:00.


@pytest.mark.parametrize(
    ("zone", "met_at", "expected", "walls"),
    [
        pytest.param(
            NEW_YORK,
            local(NEW_YORK, 2026, 3, 6, 23),  # EST
            [
                PlacedNudge(utc(2026, 3, 8, 2, 30), HEADS_UP),  # 21:30 EST, the eve
                PlacedNudge(utc(2026, 3, 8, 22), LAST_CALL),
                PlacedNudge(utc(2026, 3, 9, 1, 30), LAST_CALL),  # 21:30 EDT
                PlacedNudge(utc(2026, 3, 9, 12), WINDOW_CLOSED),  # 08:00 EDT
            ],
            ["21:30", "18:00", "21:30", "08:00"],
            id="new-york-spring-forward",
        ),
        pytest.param(
            NEW_YORK,
            local(NEW_YORK, 2026, 10, 30, 23),  # EDT
            [
                PlacedNudge(utc(2026, 11, 1, 1, 30), HEADS_UP),  # 21:30 EDT, the eve
                PlacedNudge(utc(2026, 11, 1, 21), LAST_CALL),
                PlacedNudge(utc(2026, 11, 2, 2), LAST_CALL),  # 21:00 EST: not quiet
                PlacedNudge(utc(2026, 11, 2, 13), WINDOW_CLOSED),  # 08:00 EST
            ],
            ["21:30", "16:00", "21:00", "08:00"],
            id="new-york-fall-back",
        ),
        pytest.param(
            BERLIN,
            local(BERLIN, 2026, 3, 27, 23),  # CET
            [
                PlacedNudge(utc(2026, 3, 28, 20, 30), HEADS_UP),  # 21:30 CET, the eve
                PlacedNudge(utc(2026, 3, 29, 16), LAST_CALL),
                PlacedNudge(utc(2026, 3, 29, 19, 30), LAST_CALL),  # 21:30 CEST
                PlacedNudge(utc(2026, 3, 30, 6), WINDOW_CLOSED),  # 08:00 CEST
            ],
            ["21:30", "18:00", "21:30", "08:00"],
            id="berlin-spring-forward",
        ),
        pytest.param(
            BERLIN,
            local(BERLIN, 2026, 10, 23, 23),  # CEST
            [
                PlacedNudge(utc(2026, 10, 24, 19, 30), HEADS_UP),  # 21:30 CEST, the eve
                PlacedNudge(utc(2026, 10, 25, 15), LAST_CALL),
                PlacedNudge(utc(2026, 10, 25, 20), LAST_CALL),  # 21:00 CET: not quiet
                PlacedNudge(utc(2026, 10, 26, 7), WINDOW_CLOSED),  # 08:00 CET
            ],
            ["21:30", "16:00", "21:00", "08:00"],
            id="berlin-fall-back",
        ),
    ],
)
def test_nudges_straddling_a_transition_keep_their_local_times(
    zone: ZoneInfo, met_at: datetime, expected: list[PlacedNudge], walls: list[str]
) -> None:
    # Met at 23:00 two evenings before the change: the heads-up is moved on the eve of the
    # transition (old offset), the last calls and window-closed notice land after it (new one).
    nudges = schedule("interview", met_at, zone=zone)
    assert nudges == expected
    assert [n.due_at.astimezone(zone).strftime("%H:%M") for n in nudges] == walls


@pytest.mark.parametrize(
    ("zone", "met_at", "expected"),
    [
        pytest.param(
            NEW_YORK,
            local(NEW_YORK, 2026, 3, 6, 5),
            [
                PlacedNudge(utc(2026, 3, 7, 2, 30), HEADS_UP),
                PlacedNudge(utc(2026, 3, 8, 2, 30), LAST_CALL),  # 21:30 EST
                PlacedNudge(utc(2026, 3, 8, 12), WINDOW_CLOSED),  # 08:00 EDT
            ],
            id="new-york-spring-forward",
        ),
        pytest.param(
            NEW_YORK,
            local(NEW_YORK, 2026, 10, 30, 5),
            [
                PlacedNudge(utc(2026, 10, 31, 1, 30), HEADS_UP),
                PlacedNudge(utc(2026, 11, 1, 1, 30), LAST_CALL),  # 21:30 EDT
                PlacedNudge(utc(2026, 11, 1, 13), WINDOW_CLOSED),  # 08:00 EST
            ],
            id="new-york-fall-back",
        ),
        pytest.param(
            BERLIN,
            local(BERLIN, 2026, 3, 27, 5),
            [
                PlacedNudge(utc(2026, 3, 27, 20, 30), HEADS_UP),
                PlacedNudge(utc(2026, 3, 28, 20, 30), LAST_CALL),  # 21:30 CET
                PlacedNudge(utc(2026, 3, 29, 6), WINDOW_CLOSED),  # 08:00 CEST
            ],
            id="berlin-spring-forward",
        ),
        pytest.param(
            BERLIN,
            local(BERLIN, 2026, 10, 23, 5),
            [
                PlacedNudge(utc(2026, 10, 23, 19, 30), HEADS_UP),
                PlacedNudge(utc(2026, 10, 24, 19, 30), LAST_CALL),  # 21:30 CEST
                PlacedNudge(utc(2026, 10, 25, 7), WINDOW_CLOSED),  # 08:00 CET
            ],
            id="berlin-fall-back",
        ),
    ],
)
def test_quiet_night_spanning_a_transition_begins_and_ends_on_local_time(
    zone: ZoneInfo, met_at: datetime, expected: list[PlacedNudge]
) -> None:
    # Met at 05:00 two days before the change: both last calls (23:00 on the eve, 05:00 on the
    # transition morning) fall in the transition night and move to 21:30 before it (old offset);
    # the window closes at 06:00 or 04:00 that morning and waits for 08:00 (new offset).
    nudges = schedule("interview", met_at, zone=zone)
    assert nudges == expected
    walls = [n.due_at.astimezone(zone).strftime("%H:%M") for n in nudges]
    assert walls == ["21:30", "21:30", "08:00"]


TRANSITION_NIGHTS = [
    # zone, moments inside the night (one before, one after the change), its span in UTC
    pytest.param(
        NEW_YORK,
        [utc(2026, 3, 8, 6, 30), utc(2026, 3, 8, 7, 30)],  # 01:30 EST, 03:30 EDT
        (utc(2026, 3, 8, 3), utc(2026, 3, 8, 12)),  # 22:00 EST - 08:00 EDT: 9 hours
        id="new-york-spring-forward",
    ),
    pytest.param(
        NEW_YORK,
        [utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30)],  # 01:30 EDT, 01:30 EST
        (utc(2026, 11, 1, 2), utc(2026, 11, 1, 13)),  # 22:00 EDT - 08:00 EST: 11 hours
        id="new-york-fall-back",
    ),
    pytest.param(
        BERLIN,
        [utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1, 30)],  # 01:30 CET, 03:30 CEST
        (utc(2026, 3, 28, 21), utc(2026, 3, 29, 6)),  # 22:00 CET - 08:00 CEST
        id="berlin-spring-forward",
    ),
    pytest.param(
        BERLIN,
        [utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)],  # 02:30 CEST, 02:30 CET
        (utc(2026, 10, 24, 20), utc(2026, 10, 25, 7)),  # 22:00 CEST - 08:00 CET
        id="berlin-fall-back",
    ),
]


@pytest.mark.parametrize(("zone", "moments", "span"), TRANSITION_NIGHTS)
def test_span_around_on_a_transition_night(
    zone: ZoneInfo, moments: list[datetime], span: tuple[datetime, datetime]
) -> None:
    for moment in moments:
        assert NIGHTS.span_around(moment, zone) == span


@pytest.mark.parametrize(("zone", "moments", "span"), TRANSITION_NIGHTS)
def test_contains_on_a_transition_night(
    zone: ZoneInfo, moments: list[datetime], span: tuple[datetime, datetime]
) -> None:
    begins, ends = span
    minute = timedelta(minutes=1)
    assert not NIGHTS.contains(begins - minute, zone)
    assert NIGHTS.contains(begins, zone)
    assert all(NIGHTS.contains(moment, zone) for moment in moments)
    assert NIGHTS.contains(ends - minute, zone)
    assert not NIGHTS.contains(ends, zone)


@pytest.mark.parametrize(
    ("zone", "quiet", "first_pass", "second_pass"),
    [
        # New York repeats 01:00-02:00; Berlin repeats 02:00-03:00.
        pytest.param(NEW_YORK, "20:00-01:45", utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30)),
        pytest.param(BERLIN, "20:00-02:45", utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)),
    ],
)
def test_quiet_hours_ending_in_the_repeated_hour_end_after_the_moment_on_both_passes(
    zone: ZoneInfo, quiet: str, first_pass: datetime, second_pass: datetime
) -> None:
    hours_ = QuietHours.parse(quiet)
    for moment in (first_pass, second_pass):
        assert hours_.contains(moment, zone)
        begins, ends = hours_.span_around(moment, zone)
        assert begins <= moment < ends
        assert ends == moment + timedelta(minutes=15)
        assert not hours_.contains(ends, zone)


def test_window_closed_is_not_reported_before_the_deadline_in_the_repeated_hour() -> None:
    due_by = utc(2026, 11, 1, 6, 30)  # 01:30 EST, the second 01:30 of the night
    nudges = schedule(
        "interview", due_by - hours(48), quiet=QuietHours.parse("20:00-01:45"), zone=NEW_YORK
    )
    assert nudges[-1] == PlacedNudge(utc(2026, 11, 1, 6, 45), WINDOW_CLOSED)  # 01:45 EST


def test_quiet_hours_starting_in_the_spring_forward_gap_are_still_avoided() -> None:
    # 02:30 doesn't exist on 2026-03-08 in New York: quiet hours begin at the jump (03:00 EDT).
    quiet = QuietHours.parse("02:30-09:00")
    ideal_by = utc(2026, 3, 8, 13, 10)  # 09:10 EDT: last calls at 03:10 and 08:10 EDT
    nudges = schedule("interview", ideal_by - hours(48), quiet=quiet, zone=NEW_YORK)
    [last_call] = of_kind(nudges, LAST_CALL)
    assert not quiet.contains(last_call, NEW_YORK)
    assert last_call < utc(2026, 3, 8, 7)  # before the jump, in the evening-to-night stretch


# --------------------------------------------------------------------------------------------
# QuietHours.parse


def test_parse_quiet_hours_spanning_midnight() -> None:
    quiet = QuietHours.parse("22:00-08:00")
    assert (quiet.start, quiet.end) == (time(22), time(8))
    assert quiet.length == hours(10)


def test_parse_daytime_quiet_hours() -> None:
    quiet = QuietHours.parse("9:00-17:00")
    assert (quiet.start, quiet.end) == (time(9), time(17))
    assert quiet.length == hours(8)
    assert str(quiet) == "09:00-17:00"


@pytest.mark.parametrize(
    ("wall_time", "quiet"),
    [("08:59", False), ("09:00", True), ("12:00", True), ("16:59", True), ("17:00", False)],
)
def test_daytime_quiet_hours_contain_their_start_but_not_their_end(
    wall_time: str, quiet: bool
) -> None:
    hour, minute = map(int, wall_time.split(":"))
    moment = ny(10, hour, minute)
    assert QuietHours.parse("9:00-17:00").contains(moment, NEW_YORK) is quiet


@pytest.mark.parametrize(
    ("wall_time", "quiet"),
    [("21:59", False), ("22:00", True), ("00:00", True), ("07:59", True), ("08:00", False)],
)
def test_overnight_quiet_hours_contain_their_start_but_not_their_end(
    wall_time: str, quiet: bool
) -> None:
    hour, minute = map(int, wall_time.split(":"))
    assert NIGHTS.contains(ny(10, hour, minute), NEW_YORK) is quiet


def test_parse_accepts_spaces_and_sixteen_hours_exactly() -> None:
    assert QuietHours.parse(" 20:00 - 12:00 ").length == hours(16)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("22h-08h", "isn't a span of hours"),
        ("", "isn't a span of hours"),
        ("10pm", "isn't a span of hours"),
        ("13pm-7am", "has a time that doesn't exist"),
        ("0am-7am", "has a time that doesn't exist"),
        ("25:00-08:00", "has a time that doesn't exist"),
        ("22:00-08:60", "has a time that doesn't exist"),
        ("22:00-22:00", "need a start and an end that differ"),
        ("06:00-23:00", "at most 16 hours"),
        ("20:00-12:01", "at most 16 hours"),
        # A bare "11-7" on a 24-hour clock is 20 hours: the night is suggested, not guessed.
        (
            "11-7",
            "at most 16 hours a day, so that nudges have time to land. Did you mean 23:00-07:00",
        ),
        ("06:00-23:00", r"have time to land\.$"),
        ("6-23", r"have time to land\.$"),
    ],
)
def test_parse_rejects_bad_quiet_hours(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        QuietHours.parse(text)


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("11pm-7am", "23:00-07:00"),
        ("10 pm to 7 am", "22:00-07:00"),
        ("10:30PM - 6:45AM", "22:30-06:45"),
        ("12am-6am", "00:00-06:00"),
        ("11 p.m. until 7 a.m.", "23:00-07:00"),
        ("10p-7a", "22:00-07:00"),
        ("23-7", "23:00-07:00"),
        ("22.00–08.00", "22:00-08:00"),
    ],
)
def test_parse_reads_hours_as_people_write_them(text: str, span: str) -> None:
    assert str(QuietHours.parse(text)) == span


@pytest.mark.parametrize("text", ["22:00-08:00", "09:00-17:00", "23:30-06:15", "00:00-07:00"])
def test_str_round_trips_through_parse(text: str) -> None:
    quiet = QuietHours.parse(text)
    assert str(quiet) == text
    assert QuietHours.parse(str(quiet)) == quiet


# --------------------------------------------------------------------------------------------
# Property: wherever and whenever, the schedule keeps its promises

PROPERTY_ZONES = [
    ZoneInfo(name)
    for name in (
        "America/New_York",
        "Europe/Berlin",
        "Asia/Kolkata",
        "Australia/Lord_Howe",  # a 30-minute DST shift
        "Pacific/Chatham",  # +12:45/+13:45, changing at 02:45/03:45
        "UTC",
    )
]


def transitions(zone: ZoneInfo, year: int) -> list[datetime]:
    """The UTC instants in `year` at which `zone`'s offset changes (to the minute)."""
    found = []
    step = timedelta(hours=1)
    moment = utc(year, 1, 1)
    while moment.year == year:
        offset = moment.astimezone(zone).utcoffset()
        if (moment + step).astimezone(zone).utcoffset() != offset:
            change = moment
            while change.astimezone(zone).utcoffset() == offset:
                change += timedelta(minutes=1)
            found.append(change)
        moment += step
    return found


TRANSITIONS = {zone.key: transitions(zone, 2026) for zone in PROPERTY_ZONES}


def test_property_zones_have_the_expected_transitions() -> None:
    assert TRANSITIONS["America/New_York"] == [utc(2026, 3, 8, 7), utc(2026, 11, 1, 6)]
    assert TRANSITIONS["Europe/Berlin"] == [utc(2026, 3, 29, 1), utc(2026, 10, 25, 1)]
    assert TRANSITIONS["Asia/Kolkata"] == TRANSITIONS["UTC"] == []
    assert len(TRANSITIONS["Australia/Lord_Howe"]) == len(TRANSITIONS["Pacific/Chatham"]) == 2


MINUTES_A_DAY = 24 * 60
# Quarter hours hit DST edges (a span starting or ending in the skipped or repeated hour) often.
minutes_of_day = st.one_of(
    st.integers(0, MINUTES_A_DAY - 1), st.integers(0, 95).map(lambda q: q * 15)
)
quiet_hours = st.one_of(
    st.none(),
    st.builds(
        lambda start, length: QuietHours(
            time(*divmod(start, 60)), time(*divmod((start + length) % MINUTES_A_DAY, 60))
        ),
        minutes_of_day,
        st.one_of(st.integers(1, 16 * 60), st.integers(1, 64).map(lambda q: q * 15)),
    ),
)


@st.composite
def meetings(draw: st.DrawFn, zone: ZoneInfo) -> datetime:
    """Any second in 2020-2030, or one in the three days before a transition in `zone`."""
    near = TRANSITIONS[zone.key]
    if near and draw(st.booleans()):
        change = draw(st.sampled_from(near))
        return change - timedelta(seconds=draw(st.integers(0, 3 * 24 * 3600)))
    span = utc(2031, 1, 1) - utc(2020, 1, 1)
    return utc(2020, 1, 1) + timedelta(seconds=draw(st.integers(0, int(span.total_seconds()))))


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_placed_nudges_keep_every_promise(data: st.DataObject) -> None:
    zone = data.draw(st.sampled_from(PROPERTY_ZONES), label="zone")
    met_at = data.draw(meetings(zone), label="met_at")
    kind_key = data.draw(st.sampled_from(sorted(BUNDLED.kinds)), label="kind")
    plan = data.draw(st.sampled_from(plan_follow_ups(kind(kind_key), met_at)), label="plan")
    quiet = data.draw(quiet_hours, label="quiet")
    now = met_at + timedelta(seconds=data.draw(st.integers(0, 25 * 24 * 3600), label="now+"))
    snoozed_until = None
    if now < plan.due_by and data.draw(st.booleans(), label="snoozed"):
        room = int((plan.due_by - now).total_seconds())
        snoozed_until = now + timedelta(seconds=data.draw(st.integers(0, room), label="snooze+"))

    nudges = place_nudges(
        BUNDLED.timing,
        met_at=met_at,
        ideal_by=plan.ideal_by,
        due_by=plan.due_by,
        now=now,
        zone=zone,
        quiet=quiet,
        snoozed_until=snoozed_until,
    )

    moments = [n.due_at for n in nudges]
    assert moments == sorted(moments)
    assert [n.kind for n in nudges].count(WINDOW_CLOSED) == 1
    assert nudges[-1].kind is WINDOW_CLOSED
    assert nudges[-1].due_at >= plan.due_by
    earliest = max(met_at, now)
    for nudge in nudges:
        assert nudge.due_at.utcoffset() == timedelta(0)
        assert nudge.due_at >= earliest
        if nudge.kind is WINDOW_CLOSED:
            continue
        assert nudge.due_at <= plan.due_by
        if nudge.kind is LAST_CALL and plan.due_by == plan.ideal_by:
            assert nudge.due_at <= plan.ideal_by
        if plan.due_by > plan.ideal_by:
            # An event: no last call while weeks remain.
            assert nudge.kind is not LAST_CALL or nudge.due_at > plan.ideal_by
        if snoozed_until is not None:
            assert nudge.due_at >= snoozed_until
        if quiet is not None and nudge.kind is not SNOOZED:
            assert not quiet.contains(nudge.due_at, zone), wall(nudge.due_at, zone)
    if snoozed_until is None:
        planned = moments[:-1]
        gaps = [later - earlier for earlier, later in pairwise(planned)]
        assert all(gap >= BUNDLED.timing.min_gap for gap in gaps)


# --------------------------------------------------------------------------------------------
# out of quiet hours: planned nudges move earlier first, a snooze later first

MARGIN = timedelta(minutes=30)


def moved(moment: datetime, now: datetime, latest: datetime, *, later_first: bool) -> str | None:
    found = out_of_quiet_hours(
        moment,
        NIGHTS,
        NEW_YORK,
        margin=MARGIN,
        earliest=now,
        latest=latest,
        later_first=later_first,
    )
    return wall(found) if found is not None else None


def test_a_planned_nudge_moves_before_quiet_hours_a_snooze_after_them() -> None:
    night, now, latest = ny(10, 23), ny(10, 12), ny(12, 12)
    assert moved(night, now, latest, later_first=False) == wall(ny(10, 21, 30))
    assert moved(night, now, latest, later_first=True) == wall(ny(11, 8))


def test_each_falls_back_on_the_other_way_out() -> None:
    night = ny(10, 23)
    # The morning is past the deadline: a snooze moves before quiet hours instead.
    assert moved(night, ny(10, 12), ny(11, 6), later_first=True) == wall(ny(10, 21, 30))
    # The evening is already past: a planned nudge moves to the morning.
    assert moved(night, ny(10, 22, 30), ny(12, 12), later_first=False) == wall(ny(11, 8))


def test_close_to_quiet_hours_only_a_planned_nudge_moves_to_now() -> None:
    night, now, latest = ny(10, 23), ny(10, 21, 50), ny(11, 6)
    assert moved(night, now, latest, later_first=False) == wall(now)
    assert moved(night, now, latest, later_first=True) is None  # a snooze to now is none


def test_nowhere_to_go_is_none() -> None:
    assert moved(ny(10, 23), ny(10, 22, 30), ny(11, 6), later_first=False) is None


# --------------------------------------------------------------------------------------------
# place_nudges: a daily digest

SIX_PM = time(18, 0)


def digested(
    kind_key: str, met_at: datetime, zone: ZoneInfo = NEW_YORK
) -> list[tuple[NudgeKind, str]]:
    nudges = schedule(kind_key, met_at, zone=zone, quiet=None, digest_at=SIX_PM)
    return [(n.kind, wall(n.due_at, zone)) for n in nudges]


@pytest.mark.parametrize("kind_key", ["interview", "call"])
def test_a_digest_holds_an_interviews_heads_up_but_never_its_last_calls(kind_key: str) -> None:
    assert digested(kind_key, ny(9, 9)) == [
        (HEADS_UP, "2026-06-10 18:00"),  # 09:00 waits for the digest, well before the deadline
        (LAST_CALL, "2026-06-11 03:00"),  # on time, whatever the digest
        (LAST_CALL, "2026-06-11 08:00"),
        (WINDOW_CLOSED, "2026-06-11 18:00"),
    ]


def test_a_heads_up_the_digest_puts_beside_a_last_call_gives_way_to_it() -> None:
    # Met at 20:00: the heads-up (20:00 the next day) waits for the next digest, 18:00 the day
    # after, an hour before the second last call: one DM, the last call, not two.
    assert digested("interview", ny(9, 20)) == [
        (LAST_CALL, "2026-06-11 14:00"),
        (LAST_CALL, "2026-06-11 19:00"),
        (WINDOW_CLOSED, "2026-06-12 18:00"),
    ]


@pytest.mark.parametrize("kind_key", ["networking", "fair-good"])
def test_an_events_nudges_come_with_the_digest(kind_key: str) -> None:
    assert digested(kind_key, ny(9, 9)) == [
        (HEADS_UP, "2026-06-10 18:00"),
        (REMINDER, "2026-06-11 03:00"),  # the ideal window ends at 09:00, before the digest
        (REMINDER, "2026-06-16 18:00"),
        (REMINDER, "2026-06-23 18:00"),
        (LAST_CALL, "2026-06-29 18:00"),  # an event's last call waits: a day before the deadline
        (WINDOW_CLOSED, "2026-06-30 18:00"),
    ]


def test_a_digest_keeps_its_local_time_across_a_daylight_saving_change() -> None:
    met_at = local(BERLIN, 2026, 3, 26, 9)  # a Thursday, three days before the change
    walls = [w for _, w in digested("networking", met_at, zone=BERLIN)]
    assert walls[0] == "2026-03-27 18:00"  # CET
    assert walls[2:4] == ["2026-04-02 18:00", "2026-04-09 18:00"]  # CEST
