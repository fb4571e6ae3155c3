"""The rulebook: the guide's rules as data (`rules/rulebook.toml`), loaded and validated.

A club may bring its own rulebook; a bad one fails at start with a `RulebookError` naming the
file, the key and what is wrong. `rules.engine` plans with what is loaded here.
"""

from __future__ import annotations

import enum
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from difflib import get_close_matches
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rules.reading import TomlReader, read_rule_file

__all__ = [
    "LINKEDIN_NOTE_LIMITS",
    "FairRules",
    "FollowUpRule",
    "KindRule",
    "MethodRule",
    "NudgeKind",
    "QuietHours",
    "Rulebook",
    "RulebookError",
    "Timing",
    "at_local",
    "load_rulebook",
    "normalize_kind",
    "parse_rulebook",
    "rulebook_from_text",
]


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


# A span of hours: "22:00-08:00", "11pm-7am", "23-7", "10 pm to 7 am", "22.00–08.00".
_WALL = r"(?P<h{n}>\d{{1,2}})(?:[:.](?P<m{n}>\d{{2}}))?\s*(?P<x{n}>[ap](?:\.?m)?\.?)?"
_SPAN = re.compile(rf"\s*{_WALL.format(n=1)}\s*(?:-|–|—|to|until|till)\s*{_WALL.format(n=2)}\s*")


def _hour(hour: int, minute: int, half: str | None) -> tuple[int, int]:
    """A wall time on a 24-hour clock; an impossible one (13pm) as hour 99, refused later."""
    if half is None:
        return hour, minute
    if not 1 <= hour <= 12:
        return 99, minute
    return hour % 12 + (12 if half.startswith("p") else 0), minute


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
        """Parse "22:00-08:00", or as people also write it: "11pm-7am", "23-7", "10 pm to 7
        am". Raises ValueError with a friendly message."""
        match = _SPAN.fullmatch(text.casefold())
        if not match:
            raise ValueError(f"“{text}” isn't a span of hours. Write it like 22:00-08:00.")
        (h1, m1), (h2, m2) = (
            _hour(int(match[f"h{n}"]), int(match[f"m{n}"] or 0), match[f"x{n}"]) for n in (1, 2)
        )
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise ValueError(f"“{text}” has a time that doesn't exist. Write it like 22:00-08:00.")
        quiet = cls(time(h1, m1), time(h2, m2))
        if quiet.start == quiet.end:
            raise ValueError("Quiet hours need a start and an end that differ, like 22:00-08:00.")
        if quiet.length > timedelta(hours=16):
            # "11-7" read on a 24-hour clock is 11:00-07:00; the night is what was meant.
            night = cls(time((h1 + 12) % 24, m1), quiet.end)
            bare = match["x1"] is None and match["m1"] is None and not match["h1"].startswith("0")
            evening = bare and h1 < 12 and h2 < 12 and night.length <= timedelta(hours=16)
            hint = f" Did you mean {night}?" if evening else ""
            raise ValueError(
                "Quiet hours can last at most 16 hours a day, so that nudges have time to land."
                + hint
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
        return self.contains_wall(moment.astimezone(zone).time().replace(tzinfo=None))

    def contains_wall(self, wall: time) -> bool:
        """Whether the local wall-clock time `wall` falls in quiet hours."""
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
        begins = min(at_local(start_day, self.start, zone, fold) for fold in (0, 1))
        ends = at_local(end_day, self.end, zone)
        if ends <= moment:
            # The end's wall time happens twice (fall back) and `moment` is in the second pass.
            ends = at_local(end_day, self.end, zone, fold=1)
        return begins, ends


def at_local(day: date, wall: time, zone: ZoneInfo, fold: int = 0) -> datetime:
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
    # Events (a deadline past the ideal window): one reminder this long before the ideal window
    # ends, and one last call this long before the adequate deadline, instead of last calls
    # before the ideal deadline (weeks remain: no "last call" while it is still adequate).
    ideal_ending_before: timedelta = timedelta(hours=6)
    adequate_last_call_before: timedelta = timedelta(hours=24)
    # A student's nudges due within this long of each other go out as one DM.
    together_within: timedelta = timedelta(minutes=30)


@dataclass(frozen=True)
class MethodRule:
    """A way to follow up (email, LinkedIn): its label, and a LinkedIn note's length by plan."""

    key: str
    label: str
    note_chars_free: int | None = None
    note_chars_premium: int | None = None


@dataclass(frozen=True)
class FollowUpRule:
    """One follow-up a kind of conversation calls for: by which methods, what to write, how
    long, and within which windows (ideal, and still adequate after it)."""

    methods: tuple[str, ...]
    what: str
    length: str
    ideal: timedelta
    adequate: timedelta | None
    # One line of the guide's advice for the method, shown in nudges and under drafts.
    advice: str = ""


@dataclass(frozen=True)
class KindRule:
    """A kind of conversation (an interview, a fair chat): its names and its follow-ups."""

    key: str
    label: str
    aliases: tuple[str, ...]
    follow_ups: tuple[FollowUpRule, ...]
    required: bool = False
    event: bool = False
    optional: bool = False
    nudge_priorities: frozenset[int] | None = None
    linkedin_advice: str = ""

    def rule_for(self, methods: tuple[str, ...]) -> FollowUpRule | None:
        """The rule a follow-up by `methods` was planned by (None if the rulebook changed
        since)."""
        for rule in self.follow_ups:
            if rule.methods == methods:
                return rule
        return None


@dataclass(frozen=True)
class FairRules:
    """Career fairs (`[fair]`): which companies' brief chats are nudged, by the tier the student
    gave them (1 = most), and when the evening DM after a fair goes out (their local time)."""

    nudge_priority_at_most: int = 1
    evening_at: time = time(19, 0)

    @property
    def nudged_priorities(self) -> frozenset[int]:
        return frozenset(range(1, self.nudge_priority_at_most + 1))


# LinkedIn's own limits on a connection note, by plan, for a rulebook that gives none: they are
# LinkedIn's, whatever a club's rulebook says about when to connect.
LINKEDIN_NOTE_LIMITS = {"free": 200, "premium": 300}


@dataclass(frozen=True)
class Rulebook:
    source: str
    timing: Timing
    methods: Mapping[str, MethodRule]
    kinds: Mapping[str, KindRule]
    _lookup: Mapping[str, str] = field(default_factory=dict, repr=False)
    fair: FairRules = FairRules()

    def find_kind(self, text: str) -> KindRule | None:
        """The kind a student meant by `text` ("interview", "coffee chat", "Career Fair")."""
        key = self._lookup.get(normalize_kind(text))
        return self.kinds[key] if key else None

    def note_limit(self, plan: str) -> int:
        """How long a LinkedIn connection note may be on `plan` ("free" or "premium"): the
        rulebook's figure, else LinkedIn's own."""
        method = self.methods.get("linkedin")
        if method is not None:
            figure = method.note_chars_premium if plan == "premium" else method.note_chars_free
            if figure:
                return figure
        return LINKEDIN_NOTE_LIMITS.get(plan, LINKEDIN_NOTE_LIMITS["free"])

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


_TOP_KEYS = ("version", "timing", "methods", "kinds", "fair")
_FAIR_KEYS = ("nudge_priority_at_most", "evening_at")
# A fair list's tiers: 1 (the companies the student cares about most) to 3.
PRIORITY_TIERS = 3
_TIMING_KEYS = (
    "deadline_hours",
    "heads_up_after_hours",
    "last_call_before_hours",
    "reminder_every_days",
    "min_gap_minutes",
    "quiet_margin_minutes",
    "default_quiet_hours",
    "ideal_ending_before_hours",
    "adequate_last_call_before_hours",
    "together_within_minutes",
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
    "by_priority",
    "linkedin_advice",
)
_FOLLOW_UP_KEYS = ("methods", "what", "length", "ideal_hours", "adequate_days", "advice")


def load_rulebook(path: Path | str | None = None) -> Rulebook:
    """Load and validate a rulebook; the bundled one when `path` is None.

    Raises RulebookError naming the file, the key and the problem.
    """
    source, text = read_rule_file(path, "rulebook.toml", RulebookError)
    return rulebook_from_text(text, source)


def rulebook_from_text(text: str, source: str) -> Rulebook:
    """Validate a rulebook's TOML text (a file's, or one a club's organizers pasted), checked
    exactly as a file is; `source` names it in the RulebookError."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise RulebookError(source, "(syntax)", str(err)) from None
    return parse_rulebook(data, source)


def parse_rulebook(data: Mapping[str, Any], source: str) -> Rulebook:
    """Validate parsed TOML into a Rulebook (see `load_rulebook`)."""
    read = TomlReader(lambda key, problem: RulebookError(source, key, problem))
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
        **_event_and_together(read, timing_data),
    )

    methods: dict[str, MethodRule] = {}
    for key, value, path in read.tables(data, "methods", _METHOD_KEYS):
        chars = {
            name: int(read.number(value, name, path))
            for name in ("note_chars_free", "note_chars_premium")
            if name in value
        }
        methods[key] = MethodRule(key=key, label=read.string(value, "label", path), **chars)
    for needed in ("email", "linkedin"):
        if needed not in methods:
            raise read.fail(f"methods.{needed}", "missing: the bot knows how to nudge for it")

    fair = _parse_fair(read, data)
    kinds: dict[str, KindRule] = {}
    lookup: dict[str, str] = {}
    for key, value, path in read.tables(data, "kinds", _KIND_KEYS):
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
        if read.flag(value, "by_priority", path):
            if priorities is not None:
                raise read.fail(
                    f"{path}by_priority", "give by_priority or nudge_priorities, not both"
                )
            # Nudged by the tier of the company on the student's fair list ([fair]).
            priorities = sorted(fair.nudged_priorities)
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
    return Rulebook(
        source=source, timing=timing, methods=methods, kinds=kinds, _lookup=lookup, fair=fair
    )


def _parse_fair(read: TomlReader, data: Mapping[str, Any]) -> FairRules:
    """`[fair]`, optional: a rulebook without it keeps the guide's defaults."""
    if "fair" not in data:
        return FairRules()
    fair = read.table(data, "fair", "")
    read.check_keys(fair, _FAIR_KEYS, "fair.")
    at_most = fair.get("nudge_priority_at_most", FairRules.nudge_priority_at_most)
    if (
        isinstance(at_most, bool)
        or not isinstance(at_most, int)
        or not 1 <= at_most <= PRIORITY_TIERS
    ):
        raise read.fail(
            "fair.nudge_priority_at_most",
            f"must be a tier from 1 to {PRIORITY_TIERS} (1 = the companies cared about most), "
            f"not {at_most!r}",
        )
    evening = FairRules.evening_at
    if "evening_at" in fair:
        text = read.string(fair, "evening_at", "fair.")
        match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", text)
        if match is None:
            raise read.fail("fair.evening_at", f'must be a time like "19:00", not {text!r}')
        evening = time(int(match.group(1)), int(match.group(2)))
    return FairRules(nudge_priority_at_most=at_most, evening_at=evening)


def _quiet_margin(read: TomlReader, timing: Mapping[str, Any]) -> timedelta:
    # Quiet hours last at most 16 h, so a margin up to 4 h always lands in waking hours.
    minutes = read.number(timing, "quiet_margin_minutes", "timing.")
    if minutes > 240:
        raise read.fail("timing.quiet_margin_minutes", "must be at most 240 (4 hours)")
    return timedelta(minutes=minutes)


def _event_and_together(read: TomlReader, timing: Mapping[str, Any]) -> dict[str, timedelta]:
    """The event cadence and the grouping window: optional keys (a club's older rulebook keeps
    working with the defaults), each validated when given."""
    found: dict[str, timedelta] = {}
    for key, field_name, unit in (
        ("ideal_ending_before_hours", "ideal_ending_before", "hours"),
        ("adequate_last_call_before_hours", "adequate_last_call_before", "hours"),
        ("together_within_minutes", "together_within", "minutes"),
    ):
        if key in timing:
            found[field_name] = timedelta(**{unit: read.number(timing, key, "timing.")})
    # One DM per moment, not per day: a window of hours would hold an urgent nudge back.
    if found.get("together_within", timedelta(0)) > timedelta(hours=2):
        raise read.fail("timing.together_within_minutes", "must be at most 120 (2 hours)")
    return found


def _parse_follow_up(
    read: TomlReader, data: object, path: str, methods: Mapping[str, MethodRule]
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
