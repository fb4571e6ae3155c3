"""/met: from what a student typed to a validated conversation.

Grammar: ``NAME, COMPANY, KIND[, what you talked about]`` with options anywhere in the text:
``when:`` (when you met), ``event:`` (a name), ``priority:1..3`` (career fairs) and ``greet:``
(how the draft greets them: ``greet:"Dr. Raman"``). NAME may be several people, between ``;`` or
"and" (a panel): each gets their own follow-ups, and ``greet:`` then gives one greeting each,
between ``;``. An option's
value is quoted (``when:"yesterday 4pm"``) or runs to the next comma or option; an unquoted
``when:`` also stops where its words stop reading as a time, so
``when:yesterday 4pm talked about Kafka`` works.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.errors import UserError
from bot.formatting import clip
from bot.names import PANEL_LIMIT, UNNAMED, people_phrase, split_people
from bot.timeparse import WhenError, parse_when
from rules.engine import KindRule, Rulebook

__all__ = [
    "EXAMPLE",
    "LIMITS",
    "MetDetails",
    "MetError",
    "MetInput",
    "clean_text",
    "validate_met",
    "when_prefix",
]

EXAMPLE = '/met Jane Doe, Acme, interview, talked about Kafka when:"yesterday 4pm"'

# Long enough for any real name or note, short enough to fit a DM and a LinkedIn note. A name is
# one person's; the name field holds a whole panel ("people").
LIMITS = {
    "name": 100,
    "people": 650,
    "company": 100,
    "event": 120,
    "topics": 1000,
    "greet": 100,
}

_OPTION = re.compile(
    r"(?<!\w)(when|event|priority|prio|greet|kind|notes|note|topics)\s*:\s*", re.IGNORECASE
)
# What people type for the option keys they guess: `notes:` and `topics:` are the same field.
_OPTION_KEYS = {"prio": "priority", "note": "topics", "notes": "topics"}
# Between a name and a company when typed as a sentence: "Sam at Acme", "Sam from Acme".
_AT = re.compile(r"\s+(?:at|from|@)\s+", re.IGNORECASE)
# Names typed as a list: "Priya and Wen", and after a comma "and Wen" ("&" is a company's:
# Johnson & Johnson).
_LIST_END = re.compile(r"\sand\s", re.IGNORECASE)
_LEADING_AND = re.compile(r"^and\s+", re.IGNORECASE)
_COMMA = re.compile(r"\s*,")
# Opening quotes and what may close them: phones and keyboards in several languages mix them.
_QUOTES = {
    '"': ('"',),
    "'": ("'",),
    "“": ("”", "“"),
    "„": ("“", "”"),
    "‘": ("’",),
    "«": ("»",),
}
_ANY_QUOTE = "".join(sorted({*_QUOTES, *(c for cs in _QUOTES.values() for c in cs)}))
_LINES = re.compile(r"\s*[\r\n]+\s*")
_KIND_WORDS = 4  # the longest kind alias, in words ("career fair good one")

TimePrefix = Callable[[Sequence[str]], int]


@dataclass(frozen=True)
class MetInput:
    """The fields of /met as strings, before validation. Forms build it directly."""

    name: str = ""
    company: str = ""
    kind: str = ""
    topics: str = ""
    when: str = ""
    event: str = ""
    priority: str = ""
    greet: str = ""

    @classmethod
    def from_text(
        cls,
        text: str,
        *,
        time_prefix: TimePrefix | None = None,
        is_kind: Callable[[str], bool] | None = None,
    ) -> MetInput:
        """Split typed text into fields. `time_prefix(words)` says how many leading words of an
        unquoted `when:` form a time (the rest goes back into the text). With `is_kind` (is this
        text a kind of conversation?), text typed as people write it is read too: "Sam at Acme,
        interview", "Sam from Acme interview", a panel "Jo, Priya, and Wen, Initech, interview".
        Raises UserError."""
        options: dict[str, str] = {}
        kept: list[str] = []
        pos = 0
        while match := _OPTION.search(text, pos):
            kept.append(text[pos : match.start()])
            key = _OPTION_KEYS.get(match.group(1).casefold(), match.group(1).casefold())
            if key in ("kind", "topics") and not _names_a_field(text, match, kept, is_kind):
                kept.append(match.group(0))  # "she was kind: ..." in the notes is just text
                pos = match.end()
                continue
            if key in options:
                raise UserError(f"{key}: is given twice; give it once. Example: {EXAMPLE}")
            start = match.end()
            closing = _QUOTES.get(text[start : start + 1])
            if closing is not None:
                end = _find_closing(text, start + 1, closing)
                if end < 0:
                    raise UserError(f"The quote after {key}: is never closed. Example: {EXAMPLE}")
                options[key] = text[start + 1 : end]
                pos = end + 1
            else:
                # Notes are sentences: an unquoted notes: runs past commas, to the next option.
                end = _value_end(text, start, commas=key != "topics")
                words = text[start:end].split()
                take = len(words)
                if key == "priority":
                    take = min(1, take)
                elif key == "when" and time_prefix is not None and words:
                    take = time_prefix(words) or len(words)
                options[key] = " ".join(words[:take])
                kept.append(" " + " ".join(words[take:]) + " ")
                pos = end
            # An option that is a whole field ("event:Spring Fair, Jane, ...") takes its comma
            # with it, so the fields after it don't shift.
            if not "".join(kept).rpartition(",")[2].strip() and (comma := _COMMA.match(text, pos)):
                pos = comma.end()
        kept.append(text[pos:])

        fields = [field.strip() for field in "".join(kept).split(",")]
        kind = options.get("kind", "")
        if kind:
            # kind:interview: the fields typed are name, company, notes ("Sam at Acme, notes"
            # read as people write it first, so the notes don't become the company).
            name, at, company = _split_once(fields[0]) if is_kind is not None else ("", "", "")
            if at:
                fields[:1] = [name.strip(), company.strip()]
            fields += [""] * (2 - len(fields))
            fields.insert(2, kind)
        if is_kind is not None:
            fields = _arranged(fields, is_kind)
        fields += [""] * (3 - len(fields))
        topics = ", ".join(f for f in [*fields[3:], options.get("topics", "")] if f)
        return cls(
            # Typed on one line: a line break in a name is no second person (a form's is).
            name=" ".join(fields[0].split()),
            company=fields[1],
            kind=fields[2],
            topics=topics,
            when=options.get("when", ""),
            event=options.get("event", ""),
            priority=options.get("priority", ""),
            greet=options.get("greet", ""),
        )


def _find_closing(text: str, start: int, closing: tuple[str, ...]) -> int:
    """Where a quote closes; a straight double quote closes any of them."""
    ends = [i for i in (text.find(c, start) for c in (*closing, '"')) if i >= 0]
    return min(ends) if ends else -1


def _names_a_field(
    text: str, match: re.Match[str], kept: Sequence[str], is_kind: Callable[[str], bool] | None
) -> bool:
    """Whether `kind:` or `notes:` at `match` is the option and not words of a note: it comes
    before the notes (fewer than three commas before it) or starts a field of its own
    ("Sam, Acme, interview, notes: ..."), and, for `kind:`, names a kind."""
    before = "".join(kept)
    if before.count(",") >= 3 and before.rpartition(",")[2].strip():
        return False  # "she was kind: ...", "my notes: ..." inside a note
    if match.group(1).casefold() != "kind" or is_kind is None:
        return True
    value = text[match.end() : _value_end(text, match.end())].strip().strip(_ANY_QUOTE)
    return is_kind(value)


def _arranged(fields: list[str], is_kind: Callable[[str], bool]) -> list[str]:
    """`fields` (split at commas) as name, company, kind, notes when they were typed as people
    write them rather than in that order; as they are when they already are, or when no
    reading is sure (validation then says what is missing). Raises UserError for a panel
    typed with commas that could also be a company with "and" in its name."""
    fields = [*fields, *[""] * (3 - len(fields))]

    def starts_with_kind(text: str) -> bool:
        words = text.split()
        return any(is_kind(" ".join(words[:take])) for take in range(1, _KIND_WORDS + 1))

    if starts_with_kind(fields[2]):
        return fields
    return (
        _panel_with_commas(fields, is_kind)
        or _said_as_a_sentence(fields, is_kind, starts_with_kind)
        or fields
    )


def _panel_with_commas(fields: list[str], is_kind: Callable[[str], bool]) -> list[str] | None:
    """ "Jo, Priya, and Wen Li, Initech, interview": the names before the company end like a
    list ("and Wen Li" after a comma), so they are a panel. "Jo, Priya and Wen, Initech,
    interview" could as well be "Jane, Ernst and Young, talked about audit, interview": asked."""
    at = next((i for i, field in enumerate(fields[3:], start=3) if is_kind(field)), None)
    if at is None:
        return None
    last_name = fields[at - 2]
    if _LEADING_AND.match(last_name):
        names = [_LEADING_AND.sub("", f) for f in fields[: at - 1]]
        return ["; ".join(n for n in names if n), fields[at - 1], *fields[at:]]
    if _LIST_END.search(last_name):
        people = "; ".join(fields[: at - 1])
        raise UserError(
            f"Is that a panel at {clip(fields[at - 1], 40)}? Put “;” between the people: "
            f"/met {clip(people, 80)}, {clip(fields[at - 1], 40)}, {fields[at]}. If "
            f"{clip(last_name, 40)} is the company, the order is name, company, kind."
        )
    return None


def _said_as_a_sentence(
    fields: list[str], is_kind: Callable[[str], bool], starts_with_kind: Callable[[str], bool]
) -> list[str] | None:
    """ "Sam at Acme, interview, ...", "Sam from Acme interview talked about Kafka": the name
    and the company joined by "at" or "from", the company running to the first kind. With no
    kind at all, the question is which kind, not whether a sentence is a company."""
    name, at_sign, company = (part.strip() for part in _split_once(fields[0]))
    if not at_sign:
        return None
    rest = [f for f in fields[1:] if f]
    if rest and starts_with_kind(rest[0]):
        return [name, company, *rest]
    words = company.split()
    for start in range(1, len(words)):
        for take in range(min(_KIND_WORDS, len(words) - start), 0, -1):
            kind = " ".join(words[start : start + take])
            if is_kind(kind):
                notes = " ".join(words[start + take :])
                return [name, " ".join(words[:start]), kind, *([notes] if notes else []), *rest]
    return [name, company, "", *rest]


def _split_once(text: str) -> tuple[str, str, str]:
    """ "Sam at Acme" as ("Sam", " at ", "Acme"); text with no "at" or "from" as (text, "", "")."""
    match = _AT.search(text)
    if match is None or match.start() == 0:
        return text, "", ""
    return text[: match.start()], match.group(0), text[match.end() :]


def _value_end(text: str, start: int, *, commas: bool = True) -> int:
    comma = text.find(",", start) if commas else -1
    option = _OPTION.search(text, start)
    ends = [i for i in (comma, option.start() if option else -1) if i >= 0]
    return min(ends) if ends else len(text)


class MetError(UserError):
    """Everything wrong with a /met. `problems` maps each field (name, company, kind, topics,
    when, event, priority) to what is wrong with it, for forms; str() lists them all, with an
    example, for text."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        self.problems: dict[str, str] = {}
        for field, message in problems:
            self.problems.setdefault(field, message)
        super().__init__("\n".join([*(m for _, m in problems), f"Example: {EXAMPLE}"]))


@dataclass(frozen=True)
class MetDetails:
    """A validated /met: `people` met (one, or a panel), each with the greeting the student
    chose or None."""

    people: tuple[str, ...]
    greetings: tuple[str | None, ...]
    company: str
    kind: KindRule
    topics: str
    met_at: datetime
    event: str | None
    priority: int | None

    @property
    def name(self) -> str:
        """Everyone met, as a list: "Priya Raman and Tom O'Brien" (within a name's limit: "Priya
        Raman, Tom O'Brien and 4 others")."""
        return people_phrase(list(self.people), LIMITS["name"])


# Joiners are invisible but part of how some scripts and emoji are written: keep them.
_KEPT_FORMAT_CHARACTERS = {"\u200c", "\u200d"}


def clean_text(text: str) -> str:
    """Turn control characters and line breaks into spaces, drop invisible formatting
    characters (bidi overrides, soft hyphens, zero-width spaces), and fold runs of spaces."""
    text = unicodedata.normalize("NFC", text)
    kept = []
    for c in text:
        category = unicodedata.category(c)
        if category in ("Cc", "Zl", "Zp"):
            kept.append(" ")
        elif category != "Cf" or c in _KEPT_FORMAT_CHARACTERS:
            kept.append(c)
    cleaned = " ".join("".join(kept).split())
    # Joiners alone are no text at all.
    return cleaned if cleaned.strip("".join(_KEPT_FORMAT_CHARACTERS) + " ") else ""


def when_prefix(now: datetime, zone: ZoneInfo) -> TimePrefix:
    """A `time_prefix` for `MetInput.from_text`: the most leading words that read as a time."""

    def prefix(words: Sequence[str]) -> int:
        for take in range(min(len(words), 8), 0, -1):
            try:
                parse_when(" ".join(words[:take]), now=now, zone=zone)
            except WhenError as err:
                if err.reason == "unrecognised":
                    continue
            return take
        return 0

    return prefix


def validate_met(
    fields: MetInput, rulebook: Rulebook, *, now: datetime, zone: ZoneInfo
) -> MetDetails:
    """Check every field and say everything that is wrong at once. Raises UserError."""
    # Each problem with the field it concerns, so a form can show it on that field.
    problems: list[tuple[str, str]] = []
    # A form takes a panel one person per line: lines are people, like ";" between them.
    name = clean_text(_LINES.sub("; ", fields.name.strip()))
    company = clean_text(fields.company)
    kind_text, topics = clean_text(fields.kind), clean_text(fields.topics)
    event = clean_text(fields.event)
    # A name not caught is no reason not to follow up: the draft greets the company's team.
    people = split_people(name) or ([UNNAMED] if company else [])
    greetings = _greetings(clean_text(_LINES.sub("; ", fields.greet.strip())), people, problems)

    for label, value in (("company", company), ("event", event)):
        if len(value) > LIMITS[label]:
            problems.append(
                (label, f"The {label} is too long (at most {LIMITS[label]} characters).")
            )
    if len(people) > PANEL_LIMIT:
        problems.append(
            (
                "name",
                f"That's {len(people)} people; one /met takes at most {PANEL_LIMIT}. Record the "
                "rest with another /met.",
            )
        )
    elif any(len(person) > LIMITS["name"] for person in people):
        problems.append(("name", f"A name is too long (at most {LIMITS['name']} characters each)."))
    if len(topics) > LIMITS["topics"]:
        problems.append(
            ("topics", f"The notes are too long (at most {LIMITS['topics']} characters).")
        )
    if not people:
        problems.append(("name", "Who did you meet? The name comes first."))
    if not company:
        problems.append(("company", "Which company (or school, or organisation) are they with?"))

    kind = rulebook.find_kind(kind_text) if kind_text else None
    if kind is None and kind_text:
        kind, spill = _kind_at_start(kind_text, rulebook)
        if kind is not None:
            # "interview talked about Kafka": a comma forgotten after the kind.
            topics = f"{spill}, {topics}" if topics else spill
    if kind is None:
        # A kind typed elsewhere ("Jane, Acme, talked about Kafka, interview") is pointed out.
        others = (name, company, *(part.strip() for part in topics.split(",")))
        problems.append(("kind", _kind_problem(kind_text, others, rulebook)))

    met_at = now
    if fields.when.strip():
        try:
            met_at = parse_when(fields.when, now=now, zone=zone)
        except WhenError as err:
            problems.append(("when", str(err)))

    priority: int | None = None
    if fields.priority.strip():
        text = fields.priority.strip().lstrip("pP#")
        if text in ("1", "2", "3"):
            priority = int(text)
        else:
            problems.append(
                (
                    "priority",
                    f"priority: is 1, 2 or 3 (1 = the companies you care about most), "
                    f"not “{clean_text(fields.priority)[:20]}”.",
                )
            )

    if problems:
        raise MetError(problems)
    assert kind is not None
    return MetDetails(
        people=tuple(people),
        greetings=greetings,
        company=company,
        kind=kind,
        topics=topics,
        met_at=met_at,
        event=event or None,
        priority=priority,
    )


def _greetings(
    greet: str, people: Sequence[str], problems: list[tuple[str, str]]
) -> tuple[str | None, ...]:
    """greet: as one greeting per person: one for one person, one each between ";" for a panel
    (an empty one keeps that person's usual greeting)."""
    if not greet:
        return (None,) * len(people)
    given = [g.strip(" ,") for g in greet.split(";")] if len(people) > 1 else [greet]
    if len(people) > 1 and len(given) != len(people):
        problems.append(
            (
                "greet",
                f"greet: gives {len(given)} greeting{'s' if len(given) != 1 else ''} for "
                f"{len(people)} people; give one each, between “;”, in the order of the names "
                '(greet:"Dr. Raman; Tom").',
            )
        )
        return (None,) * len(people)
    if any(len(g) > LIMITS["greet"] for g in given):
        problems.append(("greet", f"A greeting is at most {LIMITS['greet']} characters."))
        return (None,) * len(people)
    return tuple(g or None for g in given)


def _kind_at_start(text: str, rulebook: Rulebook) -> tuple[KindRule | None, str]:
    words = text.split()
    for take in range(min(len(words) - 1, _KIND_WORDS), 0, -1):
        kind = rulebook.find_kind(" ".join(words[:take]))
        if kind is not None:
            return kind, " ".join(words[take:])
    return None, ""


def _kind_problem(kind_text: str, others: Sequence[str], rulebook: Rulebook) -> str:
    kinds = ", ".join(rulebook.kinds)
    if not kind_text:
        return f"What kind of conversation was it? One of: {kinds}."
    shown = clip(kind_text, 40)
    for other in others:
        if other and rulebook.find_kind(other):
            return (
                f"“{shown}” isn't a kind of conversation, but “{other}” is: the order is "
                "name, company, kind."
            )
    suggestion = rulebook.suggest_kind(kind_text)
    hint = f" Did you mean {suggestion}?" if suggestion else ""
    return f"“{shown}” isn't a kind of conversation I know.{hint} One of: {kinds}."
