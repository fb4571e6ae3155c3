"""The rulebook engine: load and validate the guide's rules, plan follow-ups, place nudges.

Everything here is a pure function of its arguments (no clock, no database, no I/O except
reading the rulebook file), so the rules can be tested exhaustively and reused by every adapter.
"""

from __future__ import annotations

import enum
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from difflib import get_close_matches
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

__all__ = [
    "FollowUpRule",
    "KindRule",
    "MethodRule",
    "NudgeKind",
    "PlacedNudge",
    "PlannedFollowUp",
    "QuietHours",
    "Rulebook",
    "RulebookError",
    "Timing",
    "load_rulebook",
    "normalize_kind",
    "place_nudges",
    "plan_follow_ups",
    "should_nudge",
]

UTC = UTC


class RulebookError(Exception):
    """A rulebook that can't be used. The message names the file, the key and the problem."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        self.source = source
        self.key = key
        self.problem = problem
        super().__init__(f"{source}: {key}: {problem}")


class NudgeKind(enum.StrEnum):
    """Why a nudge is sent; the dispatcher words the message after it."""

    HEADS_UP = "heads_up"
    LAST_CALL = "last_call"
    REMINDER = "reminder"
    SNOOZED = "snoozed"
    WINDOW_CLOSED = "window_closed"


@dataclass(frozen=True)
class QuietHours:
    """A nightly span of local wall-clock time when the bot sends nothing.

    `start` may be later than `end` (22:00-08:00 spans midnight). Start is inside the span,
    end is not.
    """

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """Parse "22:00-08:00". Raises ValueError with a friendly message."""
        match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", text)
        if not match:
            raise ValueError(f"“{text}” isn't a span of hours. Write it like 22:00-08:00.")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise ValueError(f"“{text}” has a time that doesn't exist. Write it like 22:00-08:00.")
        quiet = cls(time(h1, m1), time(h2, m2))
        if quiet.start == quiet.end:
            raise ValueError("Quiet hours need a start and an end that differ, like 22:00-08:00.")
        if quiet.length > timedelta(hours=16):
            raise ValueError(
                "Quiet hours can last at most 16 hours a day, so that nudges have time to land."
            )
        return quiet

    @property
    def length(self) -> timedelta:
        start = self.start.hour * 60 + self.start.minute
        end = self.end.hour * 60 + self.end.minute
        return timedelta(minutes=(end - start) % (24 * 60))

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def contains(self, moment: datetime, zone: ZoneInfo) -> bool:
        """Whether `moment` falls in quiet hours in `zone`."""
        wall = moment.astimezone(zone).time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= wall < self.end
        return wall >= self.start or wall < self.end

    def span_around(self, moment: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The quiet span (start, end) in UTC that contains `moment`, which must be quiet."""
        local = moment.astimezone(zone)
        wall = local.time().replace(tzinfo=None)
        start_day: date = local.date()
        if self.start > self.end and wall < self.end:
            start_day -= timedelta(days=1)
        end_day = start_day + timedelta(days=1) if self.start > self.end else start_day
        # A start inside a spring-forward gap: take the earlier reading, so that moving a nudge
        # to before the start really leaves quiet hours (the later one is after they began).
        begins = min(_at_local(start_day, self.start, zone, fold) for fold in (0, 1))
        ends = _at_local(end_day, self.end, zone)
        if ends <= moment:
            # The end's wall time happens twice (fall back) and `moment` is in the second pass.
            ends = _at_local(end_day, self.end, zone, fold=1)
        return begins, ends


def _at_local(day: date, wall: time, zone: ZoneInfo, fold: int = 0) -> datetime:
    """The UTC instant of a local wall-clock time (`fold=1`: its second reading, if repeated).

    A wall time inside a spring-forward gap doesn't exist; the UTC round trip moves it forward
    by the gap, which is what a person means by "8 a.m." on that day anyway.
    """
    return datetime.combine(day, wall, tzinfo=zone).replace(fold=fold).astimezone(UTC)


@dataclass(frozen=True)
class Timing:
    deadline: timedelta
    heads_up_after: timedelta
    last_call_before: tuple[timedelta, ...]
    reminder_every: timedelta
    min_gap: timedelta
    quiet_margin: timedelta
    default_quiet: QuietHours


@dataclass(frozen=True)
class MethodRule:
    key: str
    label: str
    note_chars_free: int | None = None
    note_chars_premium: int | None = None


@dataclass(frozen=True)
class FollowUpRule:
    methods: tuple[str, ...]
    what: str
    length: str
    ideal: timedelta
    adequate: timedelta | None
    # One line of the guide's advice for the method, shown in nudges and under drafts.
    advice: str = ""


@dataclass(frozen=True)
class KindRule:
    key: str
    label: str
    aliases: tuple[str, ...]
    follow_ups: tuple[FollowUpRule, ...]
    required: bool = False
    event: bool = False
    optional: bool = False
    nudge_priorities: frozenset[int] | None = None
    linkedin_advice: str = ""


@dataclass(frozen=True)
class Rulebook:
    source: str
    timing: Timing
    methods: Mapping[str, MethodRule]
    kinds: Mapping[str, KindRule]
    _lookup: Mapping[str, str] = field(default_factory=dict, repr=False)

    def find_kind(self, text: str) -> KindRule | None:
        """The kind a student meant by `text` ("interview", "coffee chat", "Career Fair")."""
        key = self._lookup.get(normalize_kind(text))
        return self.kinds[key] if key else None

    def suggest_kind(self, text: str) -> str | None:
        """The closest kind or alias to a misspelt `text`, for "did you mean"."""
        close = get_close_matches(normalize_kind(text), list(self._lookup), n=1, cutoff=0.75)
        return close[0] if close else None


def normalize_kind(text: str) -> str:
    """Fold case, accents, and the ways people separate words: "Fair_1on1" -> "fair 1on1",
    "Café chat" -> "cafe chat"."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s_\-]+", " ", unicodedata.normalize("NFKC", text)).strip()


# -- loading ---------------------------------------------------------------------------------


class _Reader:
    """Reads typed values out of parsed TOML, raising RulebookError with the key's full path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, problem: str) -> RulebookError:
        return RulebookError(self.source, key, problem)

    def table(self, data: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any]:
        value = data.get(key)
        if not isinstance(value, dict):
            raise self.fail(f"{path}{key}", "missing table" if value is None else "must be a table")
        return value

    def string(
        self, data: Mapping[str, Any], key: str, path: str, *, empty_ok: bool = False
    ) -> str:
        value = data.get(key)
        if not isinstance(value, str):
            raise self.fail(f"{path}{key}", "missing" if value is None else "must be a string")
        if not empty_ok and not value.strip():
            raise self.fail(f"{path}{key}", "must not be empty")
        return value

    def number(
        self, data: Mapping[str, Any], key: str, path: str, *, default: float | None = None
    ) -> float:
        value = data.get(key, default)
        if value is None:
            raise self.fail(f"{path}{key}", "missing")
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.fail(f"{path}{key}", f"must be a positive number, not {value!r}")
        return float(value)

    def flag(self, data: Mapping[str, Any], key: str, path: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(f"{path}{key}", "must be true or false")
        return value

    def strings(self, data: Mapping[str, Any], key: str, path: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(f"{path}{key}", "must be a list of non-empty strings")
        return tuple(value)

    def check_keys(self, data: Mapping[str, Any], allowed: Iterable[str], path: str) -> None:
        for key in data:
            if key not in allowed:
                raise self.fail(f"{path}{key}", "unknown key (is it misspelt?)")


_TOP_KEYS = ("version", "timing", "methods", "kinds")
_TIMING_KEYS = (
    "deadline_hours",
    "heads_up_after_hours",
    "last_call_before_hours",
    "reminder_every_days",
    "min_gap_minutes",
    "quiet_margin_minutes",
    "default_quiet_hours",
)
_METHOD_KEYS = ("label", "note_chars_free", "note_chars_premium")
_KIND_KEYS = (
    "label",
    "aliases",
    "follow_ups",
    "required",
    "event",
    "optional",
    "nudge_priorities",
    "linkedin_advice",
)
_FOLLOW_UP_KEYS = ("methods", "what", "length", "ideal_hours", "adequate_days", "advice")


def load_rulebook(path: Path | str | None = None) -> Rulebook:
    """Load and validate a rulebook; the bundled one when `path` is None.

    Raises RulebookError naming the file, the key and the problem.
    """
    if path is None:
        source = "rules/rulebook.toml"
        text = resources.files("rules").joinpath("rulebook.toml").read_text(encoding="utf-8")
    else:
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as err:
            raise RulebookError(source, "(file)", f"can't be read: {err.strerror}") from None
        except UnicodeDecodeError:
            raise RulebookError(source, "(file)", "is not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise RulebookError(source, "(syntax)", str(err)) from None
    return parse_rulebook(data, source)


def parse_rulebook(data: Mapping[str, Any], source: str) -> Rulebook:
    """Validate parsed TOML into a Rulebook (see `load_rulebook`)."""
    read = _Reader(source)
    read.check_keys(data, _TOP_KEYS, "")
    version = data.get("version")
    if isinstance(version, bool) or version != 1:
        raise read.fail("version", "must be 1")

    timing_data = read.table(data, "timing", "")
    read.check_keys(timing_data, _TIMING_KEYS, "timing.")
    last_calls = timing_data.get("last_call_before_hours", [])
    if not isinstance(last_calls, list) or not all(
        isinstance(h, int | float) and not isinstance(h, bool) and h > 0 for h in last_calls
    ):
        raise read.fail("timing.last_call_before_hours", "must be a list of positive numbers")
    try:
        default_quiet = QuietHours.parse(read.string(timing_data, "default_quiet_hours", "timing."))
    except ValueError as err:
        raise read.fail("timing.default_quiet_hours", str(err)) from None
    timing = Timing(
        deadline=timedelta(hours=read.number(timing_data, "deadline_hours", "timing.")),
        heads_up_after=timedelta(hours=read.number(timing_data, "heads_up_after_hours", "timing.")),
        last_call_before=tuple(sorted((timedelta(hours=h) for h in last_calls), reverse=True)),
        reminder_every=timedelta(days=read.number(timing_data, "reminder_every_days", "timing.")),
        min_gap=timedelta(minutes=read.number(timing_data, "min_gap_minutes", "timing.")),
        quiet_margin=_quiet_margin(read, timing_data),
        default_quiet=default_quiet,
    )

    methods: dict[str, MethodRule] = {}
    for key, value in read.table(data, "methods", "").items():
        path = f"methods.{key}."
        if not isinstance(value, dict):
            raise read.fail(f"methods.{key}", "must be a table")
        read.check_keys(value, _METHOD_KEYS, path)
        chars = {
            name: int(read.number(value, name, path))
            for name in ("note_chars_free", "note_chars_premium")
            if name in value
        }
        methods[key] = MethodRule(key=key, label=read.string(value, "label", path), **chars)
    for needed in ("email", "linkedin"):
        if needed not in methods:
            raise read.fail(f"methods.{needed}", "missing: the bot knows how to nudge for it")

    kinds: dict[str, KindRule] = {}
    lookup: dict[str, str] = {}
    for key, value in read.table(data, "kinds", "").items():
        path = f"kinds.{key}."
        if not isinstance(value, dict):
            raise read.fail(f"kinds.{key}", "must be a table")
        read.check_keys(value, _KIND_KEYS, path)
        follow_ups_data = value.get("follow_ups")
        if not isinstance(follow_ups_data, list) or not follow_ups_data:
            raise read.fail(f"{path}follow_ups", "must list at least one follow-up")
        follow_ups = tuple(
            _parse_follow_up(read, item, f"{path}follow_ups[{index}].", methods)
            for index, item in enumerate(follow_ups_data)
        )
        priorities = value.get("nudge_priorities")
        if priorities is not None and (
            not isinstance(priorities, list)
            or not all(isinstance(p, int) and not isinstance(p, bool) for p in priorities)
        ):
            raise read.fail(f"{path}nudge_priorities", "must be a list of whole numbers")
        kind = KindRule(
            key=key,
            label=read.string(value, "label", path),
            aliases=read.strings(value, "aliases", path),
            follow_ups=follow_ups,
            required=read.flag(value, "required", path),
            event=read.flag(value, "event", path),
            optional=read.flag(value, "optional", path),
            nudge_priorities=frozenset(priorities) if priorities is not None else None,
            linkedin_advice=read.string(value, "linkedin_advice", path, empty_ok=True)
            if "linkedin_advice" in value
            else "",
        )
        for name in (key, *kind.aliases):
            normalized = normalize_kind(name)
            if normalized in lookup and lookup[normalized] != key:
                raise read.fail(
                    f"{path}aliases",
                    f"“{name}” is already a name of kinds.{lookup[normalized]}",
                )
            lookup[normalized] = key
        kinds[key] = kind
    if not kinds:
        raise read.fail("kinds", "must define at least one kind of conversation")
    return Rulebook(source=source, timing=timing, methods=methods, kinds=kinds, _lookup=lookup)


def _quiet_margin(read: _Reader, timing: Mapping[str, Any]) -> timedelta:
    # Quiet hours last at most 16 h, so a margin up to 4 h always lands in waking hours.
    minutes = read.number(timing, "quiet_margin_minutes", "timing.")
    if minutes > 240:
        raise read.fail("timing.quiet_margin_minutes", "must be at most 240 (4 hours)")
    return timedelta(minutes=minutes)


def _parse_follow_up(
    read: _Reader, data: object, path: str, methods: Mapping[str, MethodRule]
) -> FollowUpRule:
    if not isinstance(data, dict):
        raise read.fail(path.rstrip("."), "must be a table")
    read.check_keys(data, _FOLLOW_UP_KEYS, path)
    chosen = read.strings(data, "methods", path)
    if not chosen:
        raise read.fail(f"{path}methods", "must name at least one method")
    for method in chosen:
        if method not in methods:
            raise read.fail(f"{path}methods", f"unknown method “{method}” (see [methods])")
    ideal = timedelta(hours=read.number(data, "ideal_hours", path))
    adequate = (
        timedelta(days=read.number(data, "adequate_days", path))
        if "adequate_days" in data
        else None
    )
    if adequate is not None and adequate < ideal:
        raise read.fail(f"{path}adequate_days", "must not end before the ideal window")
    return FollowUpRule(
        methods=chosen,
        what=read.string(data, "what", path),
        length=read.string(data, "length", path),
        ideal=ideal,
        adequate=adequate,
        advice=read.string(data, "advice", path) if "advice" in data else "",
    )


# -- planning --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedFollowUp:
    """One follow-up the student owes: how, and by when."""

    methods: tuple[str, ...]
    what: str
    length: str
    ideal_by: datetime
    due_by: datetime
    optional: bool


def plan_follow_ups(kind: KindRule, met_at: datetime) -> list[PlannedFollowUp]:
    """The follow-ups a conversation of `kind` at `met_at` calls for, in the rulebook's order."""
    return [
        PlannedFollowUp(
            methods=rule.methods,
            what=rule.what,
            length=rule.length,
            ideal_by=met_at + rule.ideal,
            due_by=met_at + (rule.adequate or rule.ideal),
            optional=kind.optional,
        )
        for rule in kind.follow_ups
    ]


def should_nudge(
    kind: KindRule, *, priority: int | None, nudges_on: bool, job_accepted: bool
) -> bool:
    """Whether a follow-up of `kind` gets nudges at all.

    None while the student's nudges are off; none for events once they accepted a job (the
    guide: keep following up at every event until you have accepted one); for a kind that nudges
    only some priorities (a brief fair chat), only those.
    """
    if not nudges_on:
        return False
    if kind.event and job_accepted:
        return False
    return kind.nudge_priorities is None or priority in kind.nudge_priorities


@dataclass(frozen=True, order=True)
class PlacedNudge:
    due_at: datetime
    kind: NudgeKind


def place_nudges(
    timing: Timing,
    *,
    met_at: datetime,
    ideal_by: datetime,
    due_by: datetime,
    now: datetime,
    zone: ZoneInfo,
    quiet: QuietHours | None,
    snoozed_until: datetime | None = None,
    already_sent: Mapping[NudgeKind, int] | None = None,
) -> list[PlacedNudge]:
    """Where the nudges for one follow-up go, in time order.

    `already_sent` counts the nudges of each kind this follow-up has had: a re-plan (new
    settings, a snooze) never places those again, even if their moment is still ahead (a nudge
    moved earlier out of quiet hours went out before its planned moment).

    - a heads-up `heads_up_after` the conversation, last calls before the ideal deadline, and
      while a late follow-up is still adequate (events) a reminder every `reminder_every`;
    - a nudge in quiet hours moves earlier, to `quiet_margin` before they begin; if that would
      be before the conversation or in the past, it moves to the end of quiet hours instead,
      unless that is past its deadline, in which case it is dropped;
    - never before `met_at` or `now`, never after its deadline (last calls: the ideal deadline;
      the others: `due_by`); nudges closer than `min_gap` collapse into the later one;
    - a snooze drops what falls before `snoozed_until` and puts a nudge there, as asked;
    - last, a window-closed notice at `due_by` (or when quiet hours end), which is the one
      nudge allowed after the deadline: it reports it.
    """
    earliest = max(met_at, now)
    candidates: list[tuple[datetime, NudgeKind, datetime]] = [
        (met_at + timing.heads_up_after, NudgeKind.HEADS_UP, due_by)
    ]
    candidates += [
        (ideal_by - before, NudgeKind.LAST_CALL, ideal_by) for before in timing.last_call_before
    ]
    candidates += [
        (moment, NudgeKind.REMINDER, due_by)
        for moment in _reminders(met_at, due_by - timing.min_gap, timing.reminder_every, zone)
    ]
    candidates.sort()
    skip = dict(already_sent or {})

    placed: list[PlacedNudge] = []
    for moment, kind, deadline in candidates:
        if skip.get(kind, 0) > 0:
            skip[kind] -= 1
            continue
        # A moment already past is gone, even if it fell in quiet hours: a re-plan at night
        # must not bring back a nudge that was due (and sent) in the evening.
        if moment < earliest or (snoozed_until is not None and moment < snoozed_until):
            continue
        if quiet is not None and quiet.contains(moment, zone):
            moment = _out_of_quiet_hours(moment, quiet, zone, timing, earliest, deadline)
            if snoozed_until is not None and moment < snoozed_until:
                continue  # moved earlier, out of quiet hours, into the snooze
        if earliest <= moment <= deadline:
            placed.append(PlacedNudge(moment, kind))
    if snoozed_until is not None and earliest <= snoozed_until <= due_by:
        placed.append(PlacedNudge(snoozed_until, NudgeKind.SNOOZED))

    placed.sort()
    spaced: list[PlacedNudge] = []
    for nudge in placed:
        # A snooze is the student's own request, so it never gives way to a planned nudge.
        if (
            spaced
            and nudge.due_at - spaced[-1].due_at < timing.min_gap
            and NudgeKind.SNOOZED not in (nudge.kind, spaced[-1].kind)
        ):
            spaced.pop()
        spaced.append(nudge)

    if not skip.get(NudgeKind.WINDOW_CLOSED):
        closed_at = max(due_by, earliest)
        if quiet is not None and quiet.contains(closed_at, zone):
            closed_at = quiet.span_around(closed_at, zone)[1]
        spaced.append(PlacedNudge(closed_at, NudgeKind.WINDOW_CLOSED))
    return spaced


def _reminders(
    met_at: datetime, until: datetime, every: timedelta, zone: ZoneInfo
) -> list[datetime]:
    """Reminders every `every` after the conversation, before `until`. Whole days are counted
    on the calendar, so "a week later" keeps the local hour across a daylight-saving change."""
    local = met_at.astimezone(zone)
    found = []
    for step in range(1, 1000):
        if every == timedelta(days=every.days):
            moment = _at_local(local.date() + every * step, local.time().replace(tzinfo=None), zone)
        else:
            moment = met_at + every * step
        if moment >= until:
            break
        found.append(moment)
    return found


def _out_of_quiet_hours(
    moment: datetime,
    quiet: QuietHours,
    zone: ZoneInfo,
    timing: Timing,
    earliest: datetime,
    deadline: datetime,
) -> datetime:
    """Move a quiet-hours `moment` earlier if it can, else later; the caller drops misfits."""
    begins, ends = quiet.span_around(moment, zone)
    earlier = begins - timing.quiet_margin
    if earlier >= earliest:
        return earlier
    if earliest < begins:
        # Too close to the conversation for the margin, but still before quiet hours begin.
        return earliest
    return ends if ends <= deadline else deadline + timedelta(seconds=1)
