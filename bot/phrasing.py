"""How a student's notes are said to the person they met: topics split apart, "her move"
said as "your move", a name to greet, an event and a day as a sentence would put them.

Pure functions of their arguments, for the drafts (`bot.drafts`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.messages.words import TOPIC_LEAD

__all__ = [
    "event_phrase",
    "first_piece",
    "greeting_name",
    "natural_list",
    "split_topics",
    "to_second_person",
    "to_them",
    "when_phrase",
]


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_CONJUNCTION = re.compile(r"^(?:and|also|or|plus|then)\s+", re.IGNORECASE)
_AND = re.compile(r"\s+(?:and|&)\s+", re.IGNORECASE)
# A topic starting with one of these starts mid-sentence in a draft: "about her move".
_LOWER_FIRST = _word_set(
    "her his their its the a an my our your how what why when where which who whether"
)


def split_topics(text: str) -> list[str]:
    """What the student noted at /met, as separate topics: "talked about Kafka and her move from
    intern to team lead" is "Kafka" and "her move from intern to team lead".

    Commas, semicolons and new lines separate topics; "and" does too, except between two single
    words in the middle of a list ("pros and cons", "research and development").
    """
    pieces = [" ".join(p.split()) for p in re.split(r"[;,\n]+", text) if p.strip()]
    topics: list[str] = []
    for index, piece in enumerate(pieces):
        piece = _CONJUNCTION.sub("", TOPIC_LEAD.sub("", piece, count=1))
        parts = [p for p in _AND.split(piece) if p.strip()]
        last_of_list = len(pieces) > 1 and index == len(pieces) - 1
        if len(parts) > 1 and not last_of_list and all(len(p.split()) == 1 for p in parts):
            parts = [piece]
        for part in parts:
            topic = _tidy_topic(part)
            if topic and topic.casefold() not in (t.casefold() for t in topics):
                topics.append(topic)
    return topics


def first_piece(text: str) -> str:
    """The first comma-separated thing noted, "and"s kept: a LinkedIn note's one topic."""
    piece = " ".join(re.split(r"[;,\n]+", text.strip(" ;,\n"))[0].split())
    return _tidy_topic(TOPIC_LEAD.sub("", piece, count=1))


def _tidy_topic(topic: str) -> str:
    topic = topic.strip().strip(".!?;:,").strip()
    first = topic.split(" ", 1)[0]
    if first.casefold() in _LOWER_FIRST and first[:1].isupper() and not first.isupper():
        topic = topic[:1].lower() + topic[1:]
    return topic


# "her" before one of these is "you" (asked her about), before anything else "your" (her team).
_HER_NOT_POSSESSIVE = _word_set(
    "about to for on in at with that and or how why what when if as from by into over through "
    "out up again too a an the"
)
_SUBJECT_VERBS = {
    "is": "are",
    "was": "were",
    "has": "have",
    "does": "do",
    "isn't": "aren't",
    "wasn't": "weren't",
    "hasn't": "haven't",
    "doesn't": "don't",
}
_MODALS = _word_set("will would can could should might must may had did")
_PRONOUN = re.compile(
    r"\b(she|he|her|his|him|hers|herself|himself)\b(?:(\s+)([\w'’]+))?", re.IGNORECASE
)


def to_second_person(topic: str) -> str:
    """A topic noted about someone, said to them: "her move from intern" is "your move from
    intern". A topic whose "she" or "he" can't be turned into "you" safely (its verb would need
    changing) is left as it was, never half changed."""

    def subject_ok(match: re.Match[str]) -> bool:
        verb = (match.group(3) or "").casefold().replace("’", "'")
        return verb in _SUBJECT_VERBS or verb in _MODALS or verb.endswith("ed")

    matches = list(_PRONOUN.finditer(topic))
    if any(m.group(1).casefold() in ("she", "he") and not subject_ok(m) for m in matches):
        return topic

    def swap(match: re.Match[str]) -> str:
        word, space, after = match.group(1), match.group(2) or "", match.group(3) or ""
        folded = word.casefold()
        if folded in ("she", "he"):
            new, verb = "you", after.casefold().replace("’", "'")
            after = _SUBJECT_VERBS.get(verb, after)
        elif folded == "her":
            possessive = after and after.casefold() not in _HER_NOT_POSSESSIVE
            new = "your" if possessive else "you"
        elif folded == "his":
            new = "your"
        elif folded == "him":
            new = "you"
        elif folded == "hers":
            new = "yours"
        else:
            new = "yourself"
        if word[0].isupper():
            new = new.capitalize()
        return new + space + after

    return _PRONOUN.sub(swap, topic)


def to_them(topic: str, contact_name: str) -> str:
    """A topic said to the person it is about: their pronouns, and their own name's possessive
    ("Jane's move to Berlin" is "your move to Berlin")."""
    words = contact_name.split()
    for name in sorted({contact_name.strip(), *words[:1], *words[-1:]}, key=len, reverse=True):
        if len(name) > 1:
            topic = re.sub(rf"(?<!\w){re.escape(name)}['’]s\b", "your", topic)
    return to_second_person(topic)


def natural_list(items: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


_TITLES = _word_set("dr prof professor mr mrs ms mx sir dame")


def greeting_name(contact_name: str) -> str:
    """How to greet them: the first name, or title and surname ("Dr. Lee")."""
    words = contact_name.split()
    if not words:
        return contact_name
    if len(words) > 1 and words[0].casefold().rstrip(".") in _TITLES:
        return f"{words[0]} {words[-1]}"
    return words[0].rstrip(",")


_DETERMINERS = _word_set("the a an this that our my your their its last yesterday's today's")


def event_phrase(event: str | None, fallback: str) -> str:
    """ "the Spring Career Fair" for event:"Spring Career Fair"; the style's fallback for none."""
    name = (event or "").strip().rstrip(".!?;:,").strip()
    if not name:
        return fallback
    if name.split(" ", 1)[0].casefold() in _DETERMINERS:
        return name
    return f"the {name}"


def when_phrase(met_at: datetime, now: datetime, zone: ZoneInfo) -> str:
    """When they met, as the student would say it now: "today", "on Friday", "on 6 March"."""
    met, today = met_at.astimezone(zone), now.astimezone(zone).date()
    days = (today - met.date()).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 7:
        return f"on {met:%A}"
    return f"on {met.day} {met:%B}"
