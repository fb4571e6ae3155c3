"""/fair: a student's priority list for a career fair, as typed, and matching companies to it.

The guide: "Ideally, you should be reaching back out to every company you communicated with ...
Since this is often not realistic ... make a priority list of companies that you are interested
in." A list is typed in order of interest, with tiers where the student wants them
(`Acme:1, Globex:1, Initech:2`); a company without a tier takes the one before it (the first,
1). Companies are matched forgivingly ("acme inc." is Acme, "Initek" is Initech).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from difflib import SequenceMatcher

from bot.domain import (
    Conversation,
    FairEntry,
    FairList,
    FollowUp,
    FollowUpStatus,
    company_key,
)
from bot.errors import UserError
from bot.formatting import clip
from bot.met import clean_text
from bot.ports import UnitOfWork
from rules.rulebook import PRIORITY_TIERS, KindRule

__all__ = [
    "COMPANY_LIMIT",
    "FAIR_NAME_LIMIT",
    "LIST_LIMIT",
    "FairError",
    "FairReport",
    "PlannedCompany",
    "TierChange",
    "Visit",
    "closest_entry",
    "default_fair",
    "entries_of",
    "fair_named",
    "fair_report",
    "is_fair_key",
    "is_fair_kind",
    "listed_name",
    "parse_companies",
    "renumber",
    "split_fair_name",
    "tier_between",
]

# As a /met's company (a column's width).
COMPANY_LIMIT = 100
FAIR_NAME_LIMIT = 120
# More booths than anyone visits in a day: a longer list is a paste gone wrong.
LIST_LIMIT = 50
# A fair held this long ago is still the one a command without a name means: its follow-ups
# are due within the week.
RECENT = timedelta(days=7)
# How alike two names must be to be one ("Initek" and "Initech" are 0.77), and how long.
_ALIKE = 0.75
_FUZZY_FROM = 5

_QUOTES = "\"“”‘’«»„'"
_QUOTED = re.compile(r"\s*([\"“”«»„])(.*?)[\"“”«»„]\s*", re.DOTALL)
# "Acme:1", "Acme : 2", "Acme (1)": a company with its tier.
_TIER = re.compile(r"(.*?)\s*(?::\s*|\(\s*)(\w*)\s*\)?\s*", re.DOTALL)
# "1. Acme", "- Acme", "• Acme": a pasted list's numbering or bullets.
_BULLET = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•·])\s+")


class FairError(UserError):
    """What the student typed for /fair can't be used; str() says why and how. `problems`
    names the field of the fair-list form it concerns (name, companies, when)."""

    def __init__(self, message: str, field: str = "companies") -> None:
        super().__init__(message)
        self.problems = {field: message}


@dataclass(frozen=True)
class PlannedCompany:
    """A company as typed on a list, with its tier when one was given."""

    company: str
    priority: int | None = None

    @property
    def company_key(self) -> str:
        return company_key(self.company)


def split_fair_name(text: str) -> tuple[str, str]:
    """The fair's name, when the text starts with one in quotes, and the rest."""
    match = _QUOTED.match(text)
    if match is None:
        return "", text.strip()
    name = clean_text(match.group(2))
    if len(name) > FAIR_NAME_LIMIT:
        raise FairError(f"A fair's name is at most {FAIR_NAME_LIMIT} characters.", "name")
    return name, text[match.end() :].strip()


def parse_companies(text: str) -> tuple[PlannedCompany, ...]:
    """The companies of a list as typed: between commas, semicolons or lines (a form's field),
    each with an optional tier. Raises FairError saying everything that is wrong at once."""
    items = [_BULLET.sub("", item) for item in re.split(r"[,;\n]", text)]
    items = [item.strip() for item in items if item.strip()]
    if not items:
        raise FairError(
            'Which companies? List them in order of interest, like /fair plan "Spring Career '
            'Fair" Acme, Globex, Initech (add :1 or :2 for tiers: Acme:1, Initech:2).'
        )
    if len(items) > LIST_LIMIT:
        raise FairError(f"That's {len(items)} companies; a list holds at most {LIST_LIMIT}.")
    problems: list[str] = []
    found: list[PlannedCompany] = []
    seen: dict[str, str] = {}
    for item in items:
        company, priority = item, None
        match = _TIER.fullmatch(item)
        if match is not None and match.group(1):
            company, tier = match.group(1), match.group(2)
            if tier in {str(n) for n in range(1, PRIORITY_TIERS + 1)}:
                priority = int(tier)
            else:
                problems.append(
                    f"“{clip(clean_text(item), 40)}”: a tier is 1 to {PRIORITY_TIERS} "
                    "(1 = the companies you care about most), like Acme:1."
                )
                continue
        company = clean_text(company).strip(_QUOTES + " ")
        if not company:
            problems.append(f"“{clip(clean_text(item), 40)}” has no company name.")
        elif len(company) > COMPANY_LIMIT:
            problems.append(
                f"“{clip(company, 40)}” is too long for a company (at most {COMPANY_LIMIT})."
            )
        elif company_key(company) in seen:
            problems.append(f"{clip(seen[company_key(company)], 40)} is on the list twice.")
        else:
            seen[company_key(company)] = company
            found.append(PlannedCompany(company, priority))
    if problems:
        raise FairError(" ".join(problems))
    return tuple(found)


def entries_of(companies: Sequence[PlannedCompany], *, start: int = 1) -> list[FairEntry]:
    """Entries in the order typed; a company without a tier takes the tier before it."""
    entries, tier = [], 1
    for offset, planned in enumerate(companies):
        tier = planned.priority or tier
        entries.append(FairEntry(planned.company, tier, start + offset))
    return entries


def closest_entry(fair: FairList, company: str) -> FairEntry | None:
    """The list entry a company typed at the fair is, forgivingly: the same name ("acme inc."
    is Acme), one within the other word by word ("Globex" and "Globex Europe"), or spelt alike
    ("Initek" is Initech). None when no entry is close enough."""
    key = company_key(company)
    if not key:
        return None
    for entry in fair.entries:
        if entry.company_key == key:
            return entry
    words = key.split()
    for entry in fair.entries:
        theirs = entry.company_key.split()
        if theirs and (words[: len(theirs)] == theirs or theirs[: len(words)] == words):
            return entry
    # Spelt alike: only names long enough that one slip doesn't make another ("Meta", "Beta").
    scored = [
        (SequenceMatcher(None, key, e.company_key).ratio(), e)
        for e in fair.entries
        if min(len(key), len(e.company_key)) >= _FUZZY_FROM
    ]
    best = max(scored, key=lambda pair: pair[0], default=None)
    return best[1] if best is not None and best[0] >= _ALIKE else None


def listed_name(entry: FairEntry, typed: str) -> str:
    """The company's name for a conversation matched to `entry`: the list's, when what was
    typed is the same company spelt another way ("acme inc.", "Initek"); what was typed, when
    it says more ("Globex Europe" for Globex)."""
    typed_words, listed_words = company_key(typed).split(), entry.company_key.split()
    if len(typed_words) > len(listed_words) and typed_words[: len(listed_words)] == listed_words:
        return typed
    return entry.company


def tier_between(entries: Sequence[FairEntry], index: int) -> int:
    """The tier of the entry at `index` within its neighbours': its own, unless that would put
    it above a more important company before it (it takes that one's tier) or below a less
    important one after it (it takes that one's). Moving Initech (tier 2) first, above Acme
    (tier 1), makes it tier 1."""
    tier = entries[index].priority
    if index + 1 < len(entries):
        tier = min(tier, entries[index + 1].priority)
    if index > 0:
        tier = max(tier, entries[index - 1].priority)
    return tier


@dataclass(frozen=True)
class TierChange:
    """A follow-up of a conversation at the fair that a change to the list made nudged (from
    `first_reminder`, None when none fits or nudges are off) or optional."""

    number: int
    contact: str
    entry: FairEntry
    nudged: bool
    first_reminder: datetime | None


def renumber(entries: list[FairEntry]) -> None:
    """Positions 1, 2, 3 ... in the list's order."""
    for position, entry in enumerate(entries, start=1):
        entry.position = position


@dataclass(frozen=True)
class Visit:
    """A conversation recorded at a fair, with its follow-ups."""

    conversation: Conversation
    follow_ups: tuple[FollowUp, ...]

    @property
    def followed_up(self) -> bool:
        return any(f.status is FollowUpStatus.DONE for f in self.follow_ups)


@dataclass(frozen=True)
class FairReport:
    """A fair's list and what happened there: the visits of each entry (by entry id), and the
    conversations with companies not on the list."""

    fair: FairList
    visits: Mapping[int, tuple[Visit, ...]]
    unplanned: tuple[Visit, ...]

    def visits_of(self, entry: FairEntry) -> tuple[Visit, ...]:
        return self.visits.get(entry.id or 0, ())

    @property
    def visited(self) -> list[FairEntry]:
        return [e for e in self.fair.entries if self.visits_of(e)]

    @property
    def not_visited(self) -> list[FairEntry]:
        return [e for e in self.fair.entries if not self.visits_of(e)]

    @property
    def followed_up(self) -> list[FairEntry]:
        return [e for e in self.fair.entries if any(v.followed_up for v in self.visits_of(e))]


async def fair_report(uow: UnitOfWork, fair: FairList) -> FairReport:
    """What happened at the student's fair, read in one unit of work."""
    assert fair.id is not None
    by_entry: dict[int, list[Visit]] = defaultdict(list)
    unplanned: list[Visit] = []
    for visit, conversation in await uow.fairs.visits(fair.person_id, fair.id):
        follow_ups = await uow.follow_ups.of_conversation(visit.conversation_id)
        seen = Visit(conversation, tuple(sorted(follow_ups, key=lambda f: f.number)))
        if visit.entry_id is None:
            unplanned.append(seen)
        else:
            by_entry[visit.entry_id].append(seen)
    return FairReport(fair, {k: tuple(v) for k, v in by_entry.items()}, tuple(unplanned))


def default_fair(fairs: Sequence[FairList], today: date) -> FairList | None:
    """The fair a command without a name means, of `fairs` (by day): today's; else the one
    just held (in the last week, while its follow-ups are due); else the next one; else the
    last one. Of two fairs on one day, the one planned last (the other is likely a slip)."""
    if not fairs:
        return None
    on_today = [f for f in fairs if f.held_on == today]
    if on_today:
        return on_today[-1]
    past = [f for f in fairs if f.held_on < today]
    ahead = [f for f in fairs if f.held_on > today]
    if past and today - past[-1].held_on <= RECENT:
        return past[-1]
    if ahead:
        return [f for f in ahead if f.held_on == ahead[0].held_on][-1]
    return past[-1]


def fair_named(fairs: Sequence[FairList], name: str) -> FairList | None:
    """The student's fair called `name` (folded, forgivingly as a company)."""
    key = company_key(name)
    for fair in fairs:
        if fair.name_key == key:
            return fair
    alike = [(SequenceMatcher(None, key, f.name_key).ratio(), f) for f in fairs]
    best = max(alike, key=lambda pair: pair[0], default=None)
    return best[1] if best is not None and best[0] >= _ALIKE else None


def is_fair_kind(kind: KindRule) -> bool:
    """Whether `kind` is a conversation at a career fair (a brief chat, a one-on-one ...)."""
    return is_fair_key(kind.key)


def is_fair_key(key: str) -> bool:
    """Whether the kind keyed `key` is a career fair's (a club's event keeps only the key)."""
    return key == "fair" or key.startswith("fair-")
