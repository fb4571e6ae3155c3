"""How a student's notes are said to the person they met: "her move" said as "your move", a
list as a sentence puts it, an event and a day as a sentence would put them.

Pure functions of their arguments, for the drafts (`bot.drafts`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

__all__ = [
    "event_phrase",
    "natural_list",
    "third_person_left",
    "to_second_person",
    "to_them",
    "when_phrase",
]


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


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
# After these, "her" is who does the next word: "let her try PM" is "let you try PM".
_LETS = _word_set("let lets letting help helps helped helping make makes made making watch saw see")


def _word_before(text: str, end: int) -> str:
    words = text[:end].split()
    return words[-1].casefold() if words else ""


_MODALS = _word_set("will would can could should might must may had did")
# Past tenses that don't end in -ed: the same after "you" as after "she".
_PAST = _word_set(
    "got went made took came left became began gave knew led ran saw sent spent taught thought "
    "wrote built bought brought found grew held kept met paid quit won felt told said chose "
    "drove fell flew forgot hid lost meant rose sold shut sat slept spoke stood stuck swore "
    "threw understood woke wore"
)
# "she leads" is "you lead": a present tense loses its -s.
_PRESENT_ES = re.compile(r"(?:ch|sh|ss|x|z|o)es$")
# Words after "she" that end in -s and are no verb.
_NOT_VERBS = _word_set("always sometimes perhaps afterwards towards besides across thus news")


def _second_person_present(verb: str) -> str | None:
    """ "leads" -> "lead", "watches" -> "watch", "tries" -> "try"; None if not a present
    tense in -s."""
    folded = verb.casefold()
    if len(folded) < 3 or not folded.endswith("s") or folded.endswith(("ss", "us", "is")):
        return None
    if folded in _NOT_VERBS or not folded.isalpha():
        return None
    if folded.endswith("ies") and len(folded) > 4:
        return verb[:-3] + "y"
    if _PRESENT_ES.search(folded):
        return verb[:-2]
    return verb[:-1]


_PRONOUN = re.compile(
    r"\b(she|he|her|his|him|hers|herself|himself)\b(?:(\s+)([\w'’]+))?", re.IGNORECASE
)


def to_second_person(topic: str) -> str:
    """A topic noted about someone, said to them: "her move from intern" is "your move from
    intern". A topic whose "she" or "he" can't be turned into "you" safely (its verb would need
    changing) is left as it was, never half changed."""

    def subject_ok(match: re.Match[str]) -> bool:
        verb = (match.group(3) or "").casefold().replace("’", "'")
        return (
            verb in _SUBJECT_VERBS
            or verb in _MODALS
            or verb in _PAST
            or verb.endswith("ed")
            or _second_person_present(verb) is not None
        )

    matches = list(_PRONOUN.finditer(topic))
    if any(m.group(1).casefold() in ("she", "he") and not subject_ok(m) for m in matches):
        return topic

    def swap(match: re.Match[str]) -> str:
        word, space, after = match.group(1), match.group(2) or "", match.group(3) or ""
        folded = word.casefold()
        if folded in ("she", "he"):
            new, verb = "you", after.casefold().replace("’", "'")
            if verb in _SUBJECT_VERBS:
                after = _SUBJECT_VERBS[verb]
            elif not (verb in _MODALS or verb in _PAST or verb.endswith("ed")):
                after = _second_person_present(after) or after
        elif folded == "her":
            before = _word_before(topic, match.start())
            possessive = (
                after and after.casefold() not in _HER_NOT_POSSESSIVE and before not in _LETS
            )
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


def to_them(topic: str, names: Sequence[str]) -> str:
    """A topic said to the person it is about: their pronouns, and their own name's possessive
    in any of its forms, `names` ("Jane's move to Berlin" and "Dr. de la Cruz's research" are
    "your move to Berlin" and "your research")."""
    for name in sorted(set(names), key=len, reverse=True):  # "Dr. de la Cruz" before "Cruz"
        if len(name) > 1:
            topic = re.sub(rf"(?<![\w.]){re.escape(name)}['’]s\b", "your", topic)
    return to_second_person(topic)


_THIRD_PERSON = re.compile(r"\b(?:she|he|her|his|him|hers|herself|himself)\b", re.IGNORECASE)


def third_person_left(topic: str) -> bool:
    """Whether "she", "her" and the like are still in a topic said to someone."""
    return _THIRD_PERSON.search(topic) is not None


def natural_list(items: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


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
