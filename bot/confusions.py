"""Words confused with others in thank-you notes: "Thank you for you time", "look forward to
here from you", "Its been", "more then", "to loose touch".

Each rule names a confusion and matches only where the wrong word can't be right: the words
around it decide ("your welcome" is always "you're welcome"; "your team" never is). A rule that
could fire on good English is left out rather than loosened. `bot.grammar` reports them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["CONFUSIONS", "Confusion", "confusions_in"]


@dataclass(frozen=True)
class Confusion:
    """One rule: where `pattern` matches, its group "wrong" should read `right` (in the found
    word's capitalization)."""

    name: str
    pattern: re.Pattern[str]
    right: str

    @property
    def wrong(self) -> str:
        """The word this rule finds wrong ("you" for "you → your")."""
        return self.name.split(" → ")[0]


def _rule(name: str, pattern: str, right: str) -> Confusion:
    return Confusion(name, re.compile(pattern, re.IGNORECASE), right)


# What a thank-you note is grateful for, and what it refers to as someone's own.
_THING_WORDS = (
    r"time|help|advice|insights?|consideration|support|feedback|guidance|email|message|note|"
    r"team|company|work|role|career|experience|perspective|thoughts|generosity|kindness|"
    r"patience|interest|offer|reply|response|recommendation|mentorship|hospitality"
)
_THINGS = f"(?:{_THING_WORDS})"
_YOU_ARE_NEXT = (
    r"(?:welcome|going|doing|looking|hiring|right|interested|able|not|probably|currently|"
    r"the\s+best|a\s+great)"
)
_THEY_ARE_NEXT = r"(?:going|doing|looking|hiring|building|planning|expanding|growing)"
_WOULD_ETC = r"(?:will|would|could|can|may|might|should|must|to|not|never|don't|won't|didn't)"

CONFUSIONS: tuple[Confusion, ...] = (
    # you / your
    _rule(
        "you → your",
        rf"\b(?:for|of|on|about|with|appreciate|valued?)\s+(?P<wrong>you)\s+{_THINGS}\b",
        "your",
    ),
    _rule("your → you", r"\bthank\s+(?P<wrong>your)\s+(?:for|so|very|again)\b", "you"),
    # your / you're
    _rule("your → you're", rf"(?<!\bto\s)\b(?P<wrong>your)\s+{_YOU_ARE_NEXT}\b", "you're"),
    _rule("you're → your", rf"\b(?P<wrong>you['’]re)\s+{_THINGS}\b", "your"),
    # its / it's
    _rule("its → it's", r"\b(?P<wrong>its)\s+(?:been|a|an|the|not|so|always|going)\b", "it's"),
    _rule(
        "it's → its",
        r"\b(?P<wrong>it['’]s)\s+(?:own|mission|culture|products?|employees|team|customers|founders?|values)\b",
        "its",
    ),
    # here / hear
    _rule(
        "here → hear",
        r"\b(?:to|forward\s+to|will|would|could|can|glad\s+to|love\s+to|happy\s+to|excited\s+to)\s+(?P<wrong>here)\s+(?:from|about|back|more|what)\b",
        "hear",
    ),
    _rule(
        "hear → here",
        r"(?:^|[.!?]\s+)(?P<wrong>hear)\s+(?:is|are)\b|\b(?:is|are|be|was|were|from)\s+(?P<wrong2>hear)\b(?!\s+(?:from|about|that|back))",
        "here",
    ),
    # there / their / they're
    _rule(
        "there → their",
        rf"\b(?:of|about|in|at|on|with|for|from|to|join|enjoyed|loved|liked|hearing)\s+(?P<wrong>there)\s+(?:{_THING_WORDS}|office|product|products|mission|culture|website|process|recruiters?)\b",
        "their",
    ),
    _rule(
        "their → there",
        r"(?:^|[.!?]\s+|\b(?:and|but|if|that|because)\s+)(?P<wrong>their)\s+(?:is|are|was|were|will\s+be)\b",
        "there",
    ),
    _rule(
        "there → they're",
        rf"\b(?P<wrong>there)\s+{_THEY_ARE_NEXT}\b(?!\s+(?:is|are|was|were))",
        "they're",
    ),
    _rule("they're → their", rf"\b(?P<wrong>they['’]re)\s+{_THINGS}\b", "their"),
    # to / too
    _rule(
        "to → too",
        r"\b(?P<wrong>to)\s+(?:much(?!\s+of\b)|late|early|soon|long|often)\b(?![-\w])|\b(?:me|you|us|it|this|that|them)\s+(?P<wrong2>to)(?=[.!?])",
        "too",
    ),
    _rule(
        "too → to",
        r"\b(?:forward|want|wanted|like|love|glad|happy|excited|able|hope|going|chance|time)\s+(?P<wrong>too)\s+(?:meet|hear|see|talk|speak|learn|work|join|connect|discuss|apply|stay|keep|follow|chat|reach)\b",
        "to",
    ),
    # than / then
    _rule(
        "then → than",
        r"\b(?:more|less|better|rather|other|greater|fewer|larger|smaller|longer|faster|higher|lower|easier|harder)\s+(?P<wrong>then)\b",
        "than",
    ),
    _rule(
        "than → then",
        r"\b(?:and|since|until|just|back|by|only)\s+(?P<wrong>than)\b(?!\s+(?:ever|before|usual|expected))",
        "then",
    ),
    # loose / lose
    _rule("loose → lose", rf"\b{_WOULD_ETC}\s+(?P<wrong>loose)\b", "lose"),
    _rule("lose → loose", r"\b(?P<wrong>lose)\s+(?:ends|fit|connection|change)\b", "loose"),
    # affect / effect
    _rule(
        "affect → effect",
        r"\b(?:an|the|a|positive|negative|big|great|huge|lasting|real|strong)\s+(?P<wrong>affect)\b(?!\s+(?:my|your|the|how|our|their|his|her))",
        "effect",
    ),
    _rule(
        "effect → affect",
        rf"\b{_WOULD_ETC}\s+(?P<wrong>effect)\s+(?:my|your|our|their|his|her|how|whether)\b",
        "affect",
    ),
)

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")

# "Thank you for time", "thanks for advice": a word missing after "for".
_MISSING_AFTER_FOR = re.compile(
    rf"\b(?:thank\s+you|thanks|grateful|appreciate\s+it)\s+for\s+(?P<word>{_THINGS})\b",
    re.IGNORECASE,
)


def confusions_in(text: str) -> Iterator[tuple[int, int, str, str, bool]]:
    """Each slip found: where the wrong word is (start, end), what it is, what to write, and
    whether it is a missing word rather than a wrong one."""
    # Most rules' words are in no given text: looking for the word first is much quicker than
    # trying a rule's pattern at every position.
    words = set(_WORD.findall(text.casefold().replace("’", "'")))
    for rule in CONFUSIONS:
        if rule.wrong not in words:
            continue
        for match in rule.pattern.finditer(text):
            group = "wrong" if match.group("wrong") else "wrong2"
            found = match.group(group)
            if found is None:
                continue
            right = _same_case(found, rule.right)
            yield match.start(group), match.end(group), found, right, False
    if "for" not in words:
        return
    for match in _MISSING_AFTER_FOR.finditer(text):
        word = match.group("word")
        yield match.start("word"), match.end("word"), f"for {word}", f"for your {word}", True


def _same_case(found: str, right: str) -> str:
    return right[:1].upper() + right[1:] if found[:1].isupper() else right
