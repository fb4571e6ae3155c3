"""The spelling and grammar check: `/followups check TEXT`, and every draft before it is shown.

Spelling uses pyspellchecker's English dictionary (loaded once, when the bot starts) plus the
small list in `rules/words.txt`; the names and companies a student recorded are never flagged.
The grammar rules are in `bot.grammar`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from importlib import resources
from pathlib import Path

from spellchecker import SpellChecker

from bot.grammar import (
    SPELLED_WORD,
    WORD,
    Issue,
    IssueKind,
    TextSpans,
    grammar_issues,
    starts_with_vowel_sound,
)
from bot.replies import Reply, Section

__all__ = [
    "CHECK_LIMIT",
    "NO_ISSUES",
    "Issue",
    "IssueKind",
    "Proofreader",
    "check_lines",
    "check_reply",
    "shared_proofreader",
    "starts_with_vowel_sound",
]

NO_ISSUES = "No issues found."
# A long cover letter fits; a pasted book does not need checking in one go.
CHECK_LIMIT = 10_000
# Suggestions per misspelling, and issues per report, so a reply stays readable.
SUGGESTIONS = 3
SHOWN = 20
# Suggestions are remembered for this many distinct words (a student misspells the same ones).
SUGGESTION_CACHE = 4096


# -- the dictionary -------------------------------------------------------------------------

# Web addresses, e-mail addresses, @mentions, #channels and <platform markup> are not prose.
# Not prose, so not checked: links, emails, handles, <tags>, and a draft's [gaps to fill].
_NOT_PROSE = re.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?<!\w)[@#]\w+|<[^>\s]+>"
    r"|\[[^\[\]\n]{1,1200}\]"
)


def _fold(word: str) -> str:
    return word.replace("’", "'").casefold()


def _without_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _name_words(names: Iterable[str]) -> set[str]:
    words = set()
    for name in names:
        for match in [*WORD.finditer(name), *SPELLED_WORD.finditer(name)]:
            word = _fold(match.group(0))
            words.add(word)
            words.add(word.removesuffix("'s"))
    return words


class Proofreader:
    """Checks text. Build one at start (`Proofreader.load()`): loading the dictionary takes about
    a tenth of a second, a check of a short email about a millisecond."""

    def __init__(self, spell: SpellChecker, extra_words: Iterable[str] = ()) -> None:
        self.spell = spell
        self.extra_words = frozenset(_fold(w) for w in extra_words)
        self._suggest = functools.lru_cache(maxsize=SUGGESTION_CACHE)(self._suggestions)

    @classmethod
    def load(cls, words: Path | str | None = None) -> Proofreader:
        """The English dictionary and a list of extra words (the bundled `rules/words.txt` when
        `words` is None)."""
        if words is None:
            text = resources.files("rules").joinpath("words.txt").read_text(encoding="utf-8")
        else:
            text = Path(words).read_text(encoding="utf-8")
        extra = [line.strip() for line in text.splitlines()]
        # Distance 1 finds the usual slips (a letter missing, doubled, swapped or wrong) at once;
        # the library's distance 2 takes half a second on a long word it doesn't know.
        spell = SpellChecker(language="en", distance=1)
        return cls(spell, [w for w in extra if w and not w.startswith("#")])

    def clear_cache(self) -> None:
        self._suggest.cache_clear()

    # -- spelling --------------------------------------------------------------------------

    def is_known(self, word: str, names: frozenset[str] = frozenset()) -> bool:
        folded = _fold(word)
        for candidate in (folded, folded.removesuffix("'s")):
            if candidate in names or candidate in self.extra_words or candidate in self.spell:
                return True
        plain = _without_accents(folded)
        if plain != folded and (plain in self.spell or plain in self.extra_words):
            return True  # "résumé", "café"
        # Letters the English dictionary has no words with: a name, or another language.
        return not plain.isascii()

    def _suggestions(self, word: str) -> tuple[str, ...]:
        # A missing apostrophe is the likeliest slip of all ("dont", "im"), so those come first.
        apostrophe = [
            w for i in range(1, len(word)) if (w := f"{word[:i]}'{word[i:]}") in self.spell
        ]
        others = sorted(
            (c for c in self.spell.candidates(word) or () if c != word and len(c) > 1),
            key=lambda c: (-self.spell[c], c),
        )
        found = dict.fromkeys([*apostrophe, *others])
        # "I" is always a capital, in "I'm" and "I've" too.
        return tuple(re.sub(r"^i(?='|$)", "I", w) for w in found)[:SUGGESTIONS]

    def suggest(self, word: str) -> tuple[str, ...]:
        """Likely intended words, most common first, in the word's own capitalization."""
        found = self._suggest(_fold(word))
        if word[:1].isupper():
            return tuple(s[:1].upper() + s[1:] for s in found)
        return found

    def _is_known_hyphenated(self, word: str, names: frozenset[str]) -> bool:
        """ "co-op", "re-org", "on-call": known as a whole (the dictionary, the extra words, a
        name), or each part known; a part of one or two letters ("co", "op") is a prefix or an
        abbreviation, never a misspelling on its own."""
        if self.is_known(word, names):
            return True
        return all(
            len(part) <= 2 or not _worth_checking(part) or self.is_known(part, names)
            for part in word.split("-")
        )

    def _spelling(self, text: str, names: frozenset[str], skip: TextSpans) -> Iterator[Issue]:
        for match in SPELLED_WORD.finditer(text):
            word = match.group(0)
            if skip.covers(match.start(), match.end()) or not _worth_checking(word):
                continue
            if "-" in word:
                if self._is_known_hyphenated(word, names):
                    continue
                word = next(  # the part that is wrong, for its suggestions
                    p
                    for p in word.split("-")
                    if len(p) > 2 and _worth_checking(p) and not self.is_known(p, names)
                )
                start = match.start() + match.group(0).index(word)
                yield Issue(IssueKind.SPELLING, start, start + len(word), word, self.suggest(word))
                continue
            if not self.is_known(word, names):
                yield Issue(
                    IssueKind.SPELLING, match.start(), match.end(), word, self.suggest(word)
                )

    # -- the check -------------------------------------------------------------------------

    def check(self, text: str, *, names: Iterable[str] = ()) -> list[Issue]:
        """Every issue in `text`, in order; `names` (people, companies, the student's own name)
        are never spelling mistakes."""
        names = list(names)
        skip = TextSpans([(m.start(), m.end()) for m in _NOT_PROSE.finditer(text)])
        exact_names = {m.group(0) for name in names for m in WORD.finditer(name)}
        issues = [
            *self._spelling(text, frozenset(_name_words(names)), skip),
            *grammar_issues(text, exact_names, skip),
        ]
        return _merge_repeats(sorted(issues, key=lambda i: (i.start, i.kind)))


def _worth_checking(word: str) -> bool:
    """Words a spell check should leave alone: numbers, single letters (the grammar rules deal
    with "i"), acronyms (MBA) and words with capitals inside (LinkedIn, iPhone, McKinsey)."""
    if len(word) < 2 or any(c.isdigit() for c in word):
        return False
    letters = [c for c in word if c.isalpha()]
    return not any(c.isupper() for c in letters[1:])


def _merge_repeats(issues: Sequence[Issue]) -> list[Issue]:
    """The same misspelling reported once, with how often it occurs."""
    merged: list[Issue] = []
    seen: dict[str, int] = {}
    for issue in issues:
        if issue.kind is IssueKind.SPELLING:
            key = _fold(issue.found)
            if key in seen:
                first = merged[seen[key]]
                merged[seen[key]] = Issue(
                    first.kind, first.start, first.end, first.found, first.suggestions,
                    first.times + 1,
                )  # fmt: skip
                continue
            seen[key] = len(merged)
        merged.append(issue)
    return merged


@functools.cache
def shared_proofreader() -> Proofreader:
    """One bundled proofreader per process, for code that was not handed one."""
    return Proofreader.load()


# -- replies ---------------------------------------------------------------------------------


def check_lines(issues: Sequence[Issue]) -> list[str]:
    """A report: "No issues found." or one line per issue."""
    if not issues:
        return [NO_ISSUES]
    count = f"{len(issues)} thing{'s' if len(issues) > 1 else ''} to check"
    lines = [f"{count}:"] + [f"- {issue}" for issue in issues[:SHOWN]]
    if len(issues) > SHOWN:
        lines.append(f"…and {len(issues) - SHOWN} more.")
    return lines


def check_reply(issues: Sequence[Issue]) -> Reply:
    """/followups check: the report under a heading."""
    return Reply((Section("\n".join(check_lines(issues)), title="Spelling and grammar"),))
