"""Draft templates: load and validate `rules/drafts.toml`, choose phrasings, fill and fit them.

Like the rulebook, the templates are data a club can change, checked at start: a bad file fails
with a `DraftsError` naming the file, the line and the problem. Everything here is a pure
function of its arguments; `bot.drafts` builds the drafts from a student's conversation.
"""

from __future__ import annotations

import math
import re
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from rules.engine import KindRule, Rulebook, RulebookError
from rules.reading import TomlReader, read_rule_file

__all__ = [
    "EMAIL_PARTS",
    "NOTE_PARTS",
    "DraftBook",
    "DraftStyle",
    "DraftsError",
    "Phrasings",
    "drafts_fit",
    "drafts_from_text",
    "fill",
    "fill_within",
    "load_drafts",
    "placeholders_in",
    "shorten",
    "utf16_length",
]

# What every part may use, and what only the topic parts may.
GENERAL = frozenset({"first_name", "name", "company", "event", "when"})
EMAIL_PARTS: Mapping[str, frozenset[str]] = {
    "subject": GENERAL,
    "greeting": GENERAL,
    "opening": GENERAL,
    "topic_one": GENERAL | {"topic"},
    "topic_many": GENERAL | {"topic", "more_topics", "topics"},
    "closing": GENERAL,
    "signoff": GENERAL,
}
NOTE_PARTS: Mapping[str, frozenset[str]] = {
    "greeting": GENERAL,
    "opening": GENERAL,
    "topic": GENERAL | {"topic"},
    "closing": GENERAL,
}
PIECES = {"email": EMAIL_PARTS, "linkedin": NOTE_PARTS}
# A LinkedIn note's own words must leave at least this much of the free plan's limit for the
# names, event and topic, or every note would be cut down to stubs.
NOTE_ROOM = 60

_TOP_KEYS = ("version", "fallback", "gaps", "styles")
_STYLE_KEYS = ("kinds", "event_fallback", *PIECES)
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}|[{}]")


class DraftsError(RulebookError):
    """Draft templates that can't be used: the message names the file, the line and the problem
    ("rules/drafts.toml:42: styles.event.linkedin.closing[2]: unknown placeholder {compny}")."""

    def __init__(self, source: str, line: int | None, key: str, problem: str) -> None:
        self.path = source
        self.line = line
        super().__init__(f"{source}:{line}" if line else source, key, problem)


@dataclass(frozen=True)
class Phrasings:
    """The phrasings of each part of one piece (an email or a LinkedIn note)."""

    parts: Mapping[str, tuple[str, ...]]

    @property
    def combinations(self) -> int:
        return math.prod(len(options) for options in self.parts.values())

    def choose(self, seed: int, offset: int = 0) -> dict[str, str]:
        """One phrasing per part, always the same for the same `seed` (a conversation's).

        The seed's position among all combinations moves by a step coprime to their number, so
        a student's conversations one after another (a career fair's twelve) get different
        combinations, with more than the first part changing. `offset` (a person's place on a
        panel) then moves every part's pick on by one, so the people of one panel each get a
        different phrasing of every part that has that many.
        """
        total = self.combinations
        index = (seed * _coprime_step(total)) % total
        chosen = {}
        for part, options in self.parts.items():
            index, pick = divmod(index, len(options))
            chosen[part] = options[(pick + offset) % len(options)]
        return chosen


def _coprime_step(total: int) -> int:
    for step in (7919, 7927, 7933, 7937):  # primes: one that doesn't divide `total` is coprime
        if math.gcd(step, total) == 1:
            return step
    return 1


@dataclass(frozen=True)
class DraftStyle:
    """How drafts read after some kinds of conversation: an email, and maybe a LinkedIn note."""

    key: str
    kinds: tuple[str, ...]
    event_fallback: str
    pieces: Mapping[str, Phrasings]


@dataclass(frozen=True)
class DraftBook:
    source: str
    topic_gap: str
    signature_gap: str
    styles: Mapping[str, DraftStyle]
    fallback_conversation: str
    fallback_event: str

    def style_for(self, kind_key: str, kind: KindRule | None) -> DraftStyle:
        """The style for a kind of conversation; kinds no style lists fall back by whether they
        are events."""
        for style in self.styles.values():
            if kind_key in style.kinds:
                return style
        event = kind.event if kind is not None else False
        return self.styles[self.fallback_event if event else self.fallback_conversation]


# -- filling ---------------------------------------------------------------------------------


def placeholders_in(template: str) -> list[str]:
    """The placeholder names in a template, in order, repeats included."""
    return [m.group(1) for m in _PLACEHOLDER.finditer(template) if m.group(1) is not None]


def fill(template: str, values: Mapping[str, str]) -> str:
    """Put the values in, once: a value that looks like a placeholder stays as it is."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1) or "", m.group(0)), template)


def utf16_length(text: str) -> int:
    """Length as a web page's counter sees it (JavaScript counts UTF-16 units: an emoji is two),
    never less than the number of characters, so a note that fits here fits there."""
    return len(text.encode("utf-16-le")) // 2


def shorten(text: str, limit: int, measure: Callable[[str], int] = len) -> str:
    """`text` within `limit`, cut at a word boundary with an ellipsis when it is too long."""
    if measure(text) <= limit:
        return text
    if limit <= 0:
        return ""
    room = limit - 1  # for the ellipsis
    low, high = 0, len(text)  # the longest prefix within `room` (measures grow with length)
    while low < high:
        middle = (low + high + 1) // 2
        if measure(text[:middle]) <= room:
            low = middle
        else:
            high = middle - 1
    cut = low
    while 0 < cut < len(text) and unicodedata.combining(text[cut]):
        cut -= 1  # never part a letter from its accent
    head = text[:cut]
    boundary = max(head.rfind(" "), head.rfind("\n"))
    # A word boundary, unless that would throw away most of what fits (one long word).
    if boundary >= cut // 3 and cut < len(text) and not text[cut].isspace():
        head = head[:boundary]
    head = head.rstrip(" \n,;:–-")
    return head + "…" if head else "…"


def fill_within(
    template: str,
    values: Mapping[str, str],
    limit: int,
    measure: Callable[[str], int] = len,
) -> str:
    """Fill `template` so the result is at most `limit` long: when it is too long, the longest
    values are shortened first, each at a word boundary, until the whole fits."""
    full = fill(template, values)
    if measure(full) <= limit:
        return full
    counts = Counter(name for name in placeholders_in(template) if name in values)
    fixed = measure(fill(template, dict.fromkeys(counts, "")))
    budget = limit - fixed
    lengths = {name: measure(values[name]) for name in counts}
    cap = _water_level(lengths, counts, budget)
    fitted = {name: shorten(values[name], min(lengths[name], cap), measure) for name in counts}
    text = fill(template, {**values, **fitted})
    return text if measure(text) <= limit else shorten(text, limit, measure)


def _water_level(lengths: Mapping[str, int], counts: Mapping[str, int], budget: int) -> int:
    """The largest cap such that every value, cut to at most the cap, fits the budget."""
    low, high = 0, max(lengths.values(), default=0)
    while low < high:
        middle = (low + high + 1) // 2
        used = sum(counts[name] * min(length, middle) for name, length in lengths.items())
        if used <= budget:
            low = middle
        else:
            high = middle - 1
    return low


# -- loading ---------------------------------------------------------------------------------


def load_drafts(path: Path | str | None = None, *, rulebook: Rulebook | None = None) -> DraftBook:
    """Load and validate draft templates; the bundled ones when `path` is None. With a
    `rulebook`, also check that every kind of conversation in it can get its drafts.

    Raises DraftsError naming the file, the line and the problem.
    """
    source, text = read_rule_file(path, "drafts.toml", _file_error)
    return drafts_from_text(text, source, rulebook=rulebook)


def drafts_from_text(text: str, source: str, *, rulebook: Rulebook | None = None) -> DraftBook:
    """Validate draft templates' TOML text (a file's, or what a club's organizers pasted),
    checked exactly as a file is; `source` names it in the DraftsError."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        found = re.search(r"at line (\d+)", str(err))
        raise DraftsError(
            source, int(found.group(1)) if found else None, "(syntax)", str(err)
        ) from None
    return _Loader(source, text).book(data, rulebook)


def drafts_fit(book: DraftBook, rulebook: Rulebook) -> None:
    """Check templates already loaded against another rulebook (a club's own): every kind a
    style names is in it, and each of its kinds can get its drafts. Raises DraftsError."""
    _Loader(book.source, "").against(book, rulebook)


class _Lines:
    """Finds where a key or a text is in the TOML source, for error messages (tomllib keeps no
    positions)."""

    _HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    _KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.tables: dict[str, int] = {}
        self.keys: dict[str, int] = {}
        table = ""
        for number, line in enumerate(self.lines, start=1):
            if header := self._HEADER.match(line):
                table = ".".join(part.strip().strip("\"'") for part in header.group(1).split("."))
                self.tables.setdefault(table, number)
            elif key := self._KEY.match(line):
                name = key.group(1).strip("\"'")
                self.keys.setdefault(f"{table}.{name}" if table else name, number)

    def of(self, path: str, needle: str | None = None) -> int | None:
        """The line of `path` ("styles.event.email.closing"), or of its table; with a
        `needle`, the first line from there on that contains it."""
        start = self.keys.get(path) or self.tables.get(path)
        probe = path
        while start is None and "." in probe:
            probe = probe.rsplit(".", 1)[0]
            start = self.keys.get(probe) or self.tables.get(probe)
        if start is not None and needle:
            for number in range(start, len(self.lines) + 1):
                if needle in self.lines[number - 1]:
                    return number
        return start


def _file_error(source: str, key: str, problem: str) -> DraftsError:
    return DraftsError(source, None, key, problem)


class _Loader:
    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.where = _Lines(text)
        self.read = TomlReader(self.fail)

    def fail(self, key: str, problem: str, needle: str | None = None) -> DraftsError:
        base = re.sub(r"\[\d+\]$", "", key)
        return DraftsError(self.source, self.where.of(base, needle), key, problem)

    def book(self, data: Mapping[str, Any], rulebook: Rulebook | None) -> DraftBook:
        self.read.check_keys(data, _TOP_KEYS, "")
        if data.get("version") != 1:
            raise self.fail("version", "must be 1")
        gaps = self.read.table(data, "gaps", "")
        self.read.check_keys(gaps, ("topic", "signature"), "gaps.")
        topic_gap, signature_gap = (
            self.read.string(gaps, k, "gaps.") for k in ("topic", "signature")
        )
        for key, gap in (("topic", topic_gap), ("signature", signature_gap)):
            if "{" in gap or "}" in gap:
                raise self.fail(f"gaps.{key}", "is shown as it is: no placeholders")

        styles: dict[str, DraftStyle] = {}
        owner: dict[str, str] = {}
        for key, value in self.read.table(data, "styles", "").items():
            style = self.style(key, value)
            for kind in style.kinds:
                if kind in owner:
                    raise self.fail(
                        f"styles.{key}.kinds", f"{kind} is already in styles.{owner[kind]}", kind
                    )
                owner[kind] = key
            styles[key] = style
        if not styles:
            raise self.fail("styles", "must define at least one style")

        fallback = self.read.table(data, "fallback", "")
        self.read.check_keys(fallback, ("conversation", "event"), "fallback.")
        for key in ("conversation", "event"):
            name = self.read.string(fallback, key, "fallback.")
            if name not in styles:
                raise self.fail(f"fallback.{key}", f"{name} is not a style ({', '.join(styles)})")
        book = DraftBook(
            source=self.source,
            topic_gap=topic_gap,
            signature_gap=signature_gap,
            styles=styles,
            fallback_conversation=fallback["conversation"],
            fallback_event=fallback["event"],
        )
        if rulebook is not None:
            self.against(book, rulebook)
        return book

    def style(self, key: str, value: object) -> DraftStyle:
        path = f"styles.{key}."
        if not isinstance(value, dict):
            raise self.fail(f"styles.{key}", "must be a table")
        self.read.check_keys(value, _STYLE_KEYS, path)
        kinds = value.get("kinds", [])
        if not isinstance(kinds, list) or not all(isinstance(k, str) and k for k in kinds):
            raise self.fail(f"{path}kinds", "must be a list of kinds of conversation")
        pieces = {
            piece: self.phrasings(value[piece], f"{path}{piece}.", PIECES[piece])
            for piece in PIECES
            if piece in value
        }
        if "email" not in pieces:
            raise self.fail(f"{path}email", "missing table: every style needs an email")
        return DraftStyle(
            key=key,
            kinds=tuple(kinds),
            event_fallback=self.read.string(value, "event_fallback", path),
            pieces=pieces,
        )

    def phrasings(self, value: object, path: str, parts: Mapping[str, frozenset[str]]) -> Phrasings:
        if not isinstance(value, dict):
            raise self.fail(path.rstrip("."), "must be a table")
        self.read.check_keys(value, parts, path)
        chosen: dict[str, tuple[str, ...]] = {}
        for part, allowed in parts.items():
            options = value.get(part)
            if not isinstance(options, list) or not options:
                raise self.fail(
                    f"{path}{part}",
                    "missing" if options is None else "must be a list of at least one phrasing",
                )
            for index, option in enumerate(options):
                where = f"{path}{part}[{index}]"
                if not isinstance(option, str) or not option.strip():
                    raise self.fail(where, "must be a text that is not empty")
                self.check_placeholders(option, allowed, where)
            chosen[part] = tuple(options)
        return Phrasings(chosen)

    def check_placeholders(self, template: str, allowed: frozenset[str], where: str) -> None:
        for match in _PLACEHOLDER.finditer(template):
            name = match.group(1)
            if name is None:
                raise self.fail(
                    where,
                    f"a lone “{match.group(0)}”: placeholders look like {{company}}",
                    template[: match.end()],
                )
            if name not in allowed:
                known = ", ".join(f"{{{n}}}" for n in sorted(allowed))
                if name in _ALL_PLACEHOLDERS:
                    problem = f"{{{name}}} can't be used in this part; it may use {known}"
                else:
                    close = get_close_matches(name, sorted(allowed), n=1)
                    hint = f" (did you mean {{{close[0]}}}?)" if close else ""
                    problem = f"unknown placeholder {{{name}}}{hint}; this part may use {known}"
                raise self.fail(where, problem, match.group(0))

    def against(self, book: DraftBook, rulebook: Rulebook) -> None:
        """Every kind a style names exists, and every kind's methods have a piece to draft."""
        for style in book.styles.values():
            for name in style.kinds:
                if name not in rulebook.kinds:
                    close = get_close_matches(name, list(rulebook.kinds), n=1)
                    hint = f" (did you mean {close[0]}?)" if close else ""
                    raise self.fail(
                        f"styles.{style.key}.kinds",
                        f"{name} is not a kind of conversation in {rulebook.source}{hint}",
                        name,
                    )
        free = rulebook.note_limit("free")
        for key, kind in rulebook.kinds.items():
            style = book.style_for(key, kind)
            for rule in kind.follow_ups:
                for method in rule.methods:
                    if method in PIECES and method not in style.pieces:
                        raise self.fail(
                            f"styles.{style.key}",
                            f"kinds.{key} in {rulebook.source} follows up by {method}, so this "
                            f"style needs a [styles.{style.key}.{method}] table",
                        )
            note = style.pieces.get("linkedin")
            if note is not None:
                longest = sum(
                    max(len(_PLACEHOLDER.sub("", o)) for o in opts) for opts in note.parts.values()
                )
                if longest + len(note.parts) > free - NOTE_ROOM:
                    raise self.fail(
                        f"styles.{style.key}.linkedin",
                        f"the longest phrasings take {longest} of the {free} characters of a "
                        f"note on the free plan, leaving too little for names and topics; keep "
                        f"them under {free - NOTE_ROOM - len(note.parts)} together",
                    )


_ALL_PLACEHOLDERS = frozenset().union(*EMAIL_PARTS.values(), *NOTE_PARTS.values())


def note_template(parts: Mapping[str, str], *, topic: bool = True) -> str:
    """A LinkedIn note's parts on one line, then the signature on its own; without its topic
    sentence when none fits."""
    kept = (p for p in NOTE_PARTS if topic or p != "topic")
    return " ".join(parts[p] for p in kept) + "\n{signature}"


def email_template(parts: Mapping[str, str], topic_part: str | None) -> Sequence[str]:
    """An email's blocks, each a template: subject, greeting, two paragraphs, sign-off. With no
    `topic_part`, the opening stands alone (the student's own lines say what was talked
    about)."""
    opening = parts["opening"] + (f" {parts[topic_part]}" if topic_part else "")
    return (
        "Subject: " + parts["subject"],
        parts["greeting"],
        opening,
        parts["closing"],
        parts["signoff"] + "\n{signature}",
    )
