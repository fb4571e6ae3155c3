"""Grammar: the slips the guide's "check for spelling and grammatical issues" catches most.

A repeated word, a sentence starting in lower case, "i" for "I", "a" or "an" before the wrong
sound, a missing final full stop, doubled spaces and easily confused words (`bot.confusions`). Each rule prefers silence to a false alarm.
`bot.proofread` adds the spelling and the report.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from bot.confusions import confusions_in

__all__ = [
    "SPELLED_WORD",
    "WORD",
    "Issue",
    "IssueKind",
    "TextSpans",
    "grammar_issues",
    "starts_with_vowel_sound",
]

# A word: letters, with apostrophes inside ("don't", "O’Brien").
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# A word as spelling sees it: hyphens inside too ("co-op", "on-call", "Min-jun").
SPELLED_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


class IssueKind(enum.StrEnum):
    SPELLING = "spelling"
    REPEATED_WORD = "repeated word"
    LOWER_CASE_START = "lower-case sentence start"
    LOWER_CASE_I = "lower-case i"
    ARTICLE = "a or an"
    FINAL_PUNCTUATION = "final punctuation"
    DOUBLED_SPACE = "doubled space"
    CONFUSED_WORD = "confused word"
    MISSING_WORD = "missing word"


@dataclass(frozen=True)
class Issue:
    """One thing to fix: what was found (at `start`..`end` of the text) and what to write."""

    kind: IssueKind
    start: int
    end: int
    found: str
    suggestions: tuple[str, ...] = ()
    times: int = 1

    def __str__(self) -> str:
        found, fix = f"“{self.found}”", " or ".join(self.suggestions)
        times = f" ({self.times} times)" if self.times > 1 else ""
        match self.kind:
            case IssueKind.SPELLING if self.suggestions:
                return f"Spelling: {found} → {fix}{times}"
            case IssueKind.SPELLING:
                return f"Spelling: {found} isn't in the dictionary (a name? then it's fine){times}"
            case IssueKind.REPEATED_WORD:
                return f"Repeated word: {found} → “{fix}”"
            case IssueKind.LOWER_CASE_START:
                return f"A sentence starts in lower case: {found} → “{fix}”"
            case IssueKind.LOWER_CASE_I:
                return f"“i” on its own is written “I”: {found} → “{fix}”"
            case IssueKind.ARTICLE:
                article = self.found.split()[0].casefold()
                sound = "vowel" if article == "a" else "consonant"
                return f"“{article}” before a {sound} sound: {found} → “{fix}”"
            case IssueKind.FINAL_PUNCTUATION:
                return f"Missing final punctuation: {found} → end it with a full stop"
            case IssueKind.DOUBLED_SPACE:
                return f"Doubled space: {found} → “{fix}”"
            case IssueKind.CONFUSED_WORD:
                return f"Easily confused: {found} → “{fix}”"
            case IssueKind.MISSING_WORD:
                return f"A word is missing: {found} → “{fix}”"
        return f"{self.kind}: {found}"  # pragma: no cover - every kind is worded above


@dataclass(frozen=True)
class TextSpans:
    """Parts of a text that are not prose (links, handles, gaps to fill): left unchecked."""

    spans: list[tuple[int, int]] = field(default_factory=list)

    def covers(self, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in self.spans)


def grammar_issues(text: str, names: set[str], skip: TextSpans) -> list[Issue]:
    """The grammar slips in `text`, outside `skip`; `names` may start a sentence in lower case
    (a company called "eBay")."""
    starts = _sentence_starts(text)
    return [
        *_repeated_words(text, skip),
        *_lower_case_starts(text, starts, names, skip),
        *_lower_case_i(text, skip),
        *_articles(text, starts, skip),
        *_final_punctuation(text, skip),
        *_doubled_spaces(text),
        *_confused_words(text, skip),
    ]


# -- grammar ---------------------------------------------------------------------------------

# "had had" and "that that" are good English.
_REPEATS_ALLOWED = frozenset({"had", "that"})
_REPEATED = re.compile(r"(?<![\w'’-])([^\W\d_]+)(\s+)(\1)(?![\w'’-])", re.IGNORECASE)


def _repeated_words(text: str, skip: TextSpans) -> Iterator[Issue]:
    for match in _REPEATED.finditer(text):
        word, gap = match.group(1), match.group(2)
        if word.casefold() in _REPEATS_ALLOWED or gap.count("\n") > 1:
            continue
        if not skip.covers(match.start(), match.end()):
            yield Issue(
                IssueKind.REPEATED_WORD, match.start(), match.end(), match.group(0), (word,)
            )


# A full stop after these doesn't end a sentence.
_ABBREVIATION = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|vs|approx|incl|esp|cf|al|mr|mrs|ms|dr|prof|jr|sr|st|no|inc|ltd|co|"
    r"corp|dept|a\.m|p\.m|u\.s)|\b[A-Z]|\.\.)\.$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*\s+|\n[ \t]*\n\s*")
_OPENERS = "\"'“‘([«"


def _sentence_starts(text: str) -> list[int]:
    """Where sentences begin: the text's start, after . ! ? and a space, after a blank line."""
    starts = [0]
    for match in _SENTENCE_END.finditer(text):
        before = text[: match.start() + 1]
        if match.group(0)[0] == "." and _ABBREVIATION.search(before):
            continue
        starts.append(match.end())
    found = []
    for start in starts:
        while start < len(text) and (text[start].isspace() or text[start] in _OPENERS):
            start += 1
        if start < len(text):
            found.append(start)
    return found


def _word_at(text: str, start: int) -> str:
    match = WORD.match(text, start)
    return match.group(0) if match else ""


def _lower_case_starts(
    text: str, starts: Sequence[int], exact_names: set[str], skip: TextSpans
) -> Iterator[Issue]:
    for start in starts:
        word = _word_at(text, start)
        if not word or not word[0].islower() or skip.covers(start, start + len(word)):
            continue
        if word in exact_names or any(c.isupper() for c in word[1:]):
            continue  # "danah boyd" writes her name so; "iPhone" is spelt so
        if word == "i" or re.match(r"i['’](?:m|ve|ll|d)$", word):
            continue  # the "i" rule says it better
        fixed = word[0].upper() + word[1:]
        yield Issue(IssueKind.LOWER_CASE_START, start, start + len(word), word, (fixed,))


_LONE_I = re.compile(r"(?<![\w'’.\-/@(])i(['’](?:m|ve|ll|d))?(?![\w'’\-)])")


def _lower_case_i(text: str, skip: TextSpans) -> Iterator[Issue]:
    for match in _LONE_I.finditer(text):
        after = text[match.end() : match.end() + 2]
        if re.match(r"\.\w", after) or skip.covers(match.start(), match.end()):
            continue  # "i.e."
        found = match.group(0)
        yield Issue(IssueKind.LOWER_CASE_I, match.start(), match.end(), found, ("I" + found[1:],))


# Acronyms read as words, not letter by letter: "a FAANG company", "a STEM degree". None where
# people say it both ways ("a/an SQL database"), so the check keeps quiet.
_WORD_ACRONYMS: dict[str, bool | None] = {
    "FAANG": False,
    "MAANG": False,
    "NASA": False,
    "NATO": False,
    "STEM": False,
    "MOOC": False,
    "UNICEF": False,
    "UNESCO": False,
    "SQL": None,
    "FAQ": None,
    "SAT": None,
    "SWE": None,
}
# Letters whose names begin with a vowel sound: "an MBA", "an HR team", "an F-1 visa".
_VOWEL_LETTERS = frozenset("AEFHILMNORSX")
# Vowel letters sounding like a consonant ("a university", "a European", "a one-on-one") ...
_YOU_SOUNDS = ("uni", "use", "usa", "usu", "uti", "ure", "uri", "uro", "ubiq", "uku", "ukr", "utop")
_YOU_EXCEPTIONS = ("unin", "unim", "unid")  # "an uninteresting", "an unimportant" ...
# ... and a silent h giving a vowel sound ("an hour", "an honest").
_SILENT_H = ("hour", "honest", "honor", "honour", "heir")


def starts_with_vowel_sound(word: str) -> bool | None:
    """Whether "an" goes before `word` (True), "a" (False), or it depends (None)."""
    if not word:
        return None
    if word[0].isdigit():
        # "an 8", "an 80", "an 11", "an 18th", "an 1800s": eight, eleven and eighteen.
        return word[0] == "8" or bool(re.match(r"1[18](?:\d\d)?(?!\d)|1[18],\d{3}", word))
    if word in _WORD_ACRONYMS:
        return _WORD_ACRONYMS[word]
    if word.isupper() and (len(word) > 1 or word.isalpha()):
        return word[0] in _VOWEL_LETTERS  # read letter by letter
    folded = word.casefold()
    if folded.startswith(_YOU_SOUNDS) and not folded.startswith(_YOU_EXCEPTIONS):
        return False
    if folded.startswith(("eu", "ewe")) or folded == "one" or folded.startswith(("one-", "once")):
        return False
    if folded.startswith(_SILENT_H):
        return True
    if folded.startswith("herb"):
        return None  # "an herb" in America, "a herb" in Britain
    if not folded[0].isalpha() or not folded[0].isascii():
        return None
    return folded[0] in "aeiou"


_ARTICLE = re.compile(r"(?<![\w'’.-])(a|an|A|An|AN)[ \t]+[\"'“‘(]*([^\W_][\w’'-]*)")


def _articles(text: str, starts: Sequence[int], skip: TextSpans) -> Iterator[Issue]:
    sentence_starts = set(starts)
    for match in _ARTICLE.finditer(text):
        article, word = match.group(1), match.group(2)
        if article[0] == "A" and match.start() not in sentence_starts:
            continue  # "Plan A is ...", "grade A in ...": a letter, not an article
        if skip.covers(match.start(), match.end()):
            continue
        vowel = starts_with_vowel_sound(word.split("-")[0] if word[0].isdigit() else word)
        if vowel is None or vowel == (article.casefold() == "an"):
            continue
        fixed = ("an" if vowel else "a") if article[0].islower() else ("An" if vowel else "A")
        yield Issue(
            IssueKind.ARTICLE,
            match.start(),
            match.end(),
            f"{article} {word}",
            (f"{fixed} {word}",),
        )


_CLOSERS = "\"'”’)]}*_»"
# A sign-off and a name at the end of a message typed on one line: a signature, not a sentence.
_SIGN_OFF = re.compile(
    r"\b(?:regards|wishes|best|sincerely|thanks|thank you|cheers|warmly|yours|respectfully),"
    r"\s+\S+(?:\s+\S+){0,3}$",
    re.IGNORECASE,
)
_LAST_SENTENCE = re.compile(r"[.!?…]\s+([^.!?…]+)$")


def _signed(text: str) -> bool:
    """ "… Best regards, Alex Kim" or "… see you soon. Alex Kim": ends with a name."""
    if _SIGN_OFF.search(text):
        return True
    last = _LAST_SENTENCE.search(text)
    words = last.group(1).split() if last else []
    return 0 < len(words) <= 3 and all(w[0].isupper() for w in words)


_FINAL = ".!?…"


def _final_punctuation(text: str, skip: TextSpans) -> Iterator[Issue]:
    """Every paragraph of prose ends with . ! ? or …; greetings, subject lines and the name
    under a sign-off don't."""
    paragraphs = [
        (m.start(), m.group(0))
        for m in re.finditer(r"\S(?:.|\n(?![ \t]*\n))*", text)
        if m.group(0).strip()
    ]
    for start, paragraph in paragraphs:
        lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
        last = lines[-1]
        if len(lines) == 1 and (
            last.casefold().startswith("subject:")
            or last.endswith(",")
            or (len(paragraphs) > 1 and len(last.split()) <= 3)
        ):
            continue
        if len(lines) > 1 and len(last.split()) <= 4 and lines[-2][-1:] in ",.!?…":
            continue  # "Best regards,\nAlex Kim"
        trimmed = paragraph.rstrip().rstrip(_CLOSERS)
        end = start + len(paragraph.rstrip())
        if not trimmed or trimmed[-1] in _FINAL or skip.covers(end - 1, end):
            continue
        if _signed(trimmed):
            continue
        if unicodedata.category(trimmed[-1]) in ("So", "Sk"):
            continue  # an emoji ends it
        words = trimmed.split()
        tail = " ".join(words[-3:])
        shown = tail if len(words) <= 3 else "…" + tail
        # At the end, where the full stop goes.
        yield Issue(IssueKind.FINAL_PUNCTUATION, end, end, shown, (tail + ".",))


_DOUBLED = re.compile(r"(\S+)([ \u00a0]{2,})(\S+)")


def _doubled_spaces(text: str) -> Iterator[Issue]:
    position = 0
    while match := _DOUBLED.search(text, position):
        before, after = match.group(1), match.group(3)
        yield Issue(
            IssueKind.DOUBLED_SPACE,
            match.start(2),
            match.end(2),
            match.group(0),
            (f"{before} {after}",),
        )
        position = match.start(3)  # the next word may start another


def _confused_words(text: str, skip: TextSpans) -> Iterator[Issue]:
    for start, end, found, right, missing in confusions_in(text):
        if not skip.covers(start, end):
            kind = IssueKind.MISSING_WORD if missing else IssueKind.CONFUSED_WORD
            yield Issue(kind, start, end, found, (right,))
