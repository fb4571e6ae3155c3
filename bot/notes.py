"""What a student noted at /met, read for a draft: topics to weave in, and sentences to finish.

Students write notes every way: a list ("Kafka, on-call, pros and cons of startups"), fragments
("her move from intern to team lead") or whole sentences in the first or third person ("I asked
her about her team's on-call rotation; she told me about the payments API migration"). A draft
says "I enjoyed hearing about {topic}", so only a noun phrase can go there. These rules take a
sentence apart only where that is reliably right: a lead such as "I asked her about" or "she told
me about" is dropped, "her team" becomes "your team", "how she got into PM" becomes "how you got
into PM". Anything else that reads as a clause ("she is leading the migration", "apply early")
is kept as the student wrote it, on a marked line for them to finish: never invented, never
garbled. Pure functions, for `bot.drafts`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.names import is_unnamed, name_forms
from bot.phrasing import third_person_left, to_them

__all__ = ["Notes", "read_notes"]


@dataclass(frozen=True)
class Notes:
    """A note read for a draft to one person: `topics` are noun phrases said to them ("your
    move to Berlin"); `sentences` are what the student wrote that only they can put in a
    sentence, as they wrote it."""

    topics: tuple[str, ...] = ()
    sentences: tuple[str, ...] = ()


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Sentences end at . ! ? and a space, at a semicolon, at a line break; "and she", "but I" start
# a new one too.
_SENTENCE_END = re.compile(
    r"(?<=[.!?])\s+|\s*[;\n]+\s*|,?\s+(?:and|but|so|then)\s+(?=(?:i|we|she|he|they)\s)",
    re.IGNORECASE,
)
# A full stop after these doesn't end a sentence: "Dr. Lee", "e.g. Kafka", "J. Robert".
_ABBREVIATION = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|vs|dr|mr|mrs|ms|prof|st|approx)|\b[A-Z])\.$", re.I
)
_CONJUNCTION = re.compile(r"^(?:(?:and|also|or|plus|then|but|so)\s+)+", re.IGNORECASE)
# What a student writes before the topic itself. Common slips in the verbs are included: a
# lead left in would read "hearing about talkd about Kafka".
_TALKED = r"(?:talk(?:ed|d)?|tlaked|taked|spoke|chatted|chated|conversed)"
_DISCUSSED = r"(?:discuss(?:ed)?|discused|dicussed|disscussed|went\s+over|covered)"
_ASKED = r"(?:ask(?:ed)?|askd|asekd)"
_TOLD = r"(?:told|tld|taught|showed|gave|walked)"
_LEARNED = r"(?:learn(?:ed|t)?|heard|found\s+out)"
_SUBJECT = r"(?:(?:i|we|she|he|they|you)\s+(?:also\s+|briefly\s+|mostly\s+)?)?"
_OBJECT = r"(?:(?:her|him|them|me|us|you)\s+)?"
_LEAD = re.compile(
    rf"^{_SUBJECT}(?:"
    rf"{_TALKED}\s+(?:(?:to|with)\s+{_OBJECT})?(?:about|on|of|through)\s+"
    rf"|{_DISCUSSED}\s+(?:about\s+|with\s+{_OBJECT})?"
    rf"|{_ASKED}\s+{_OBJECT}(?:about|on|for)\s+"
    rf"|{_TOLD}\s+(?:me|us)\s+(?:about\s+|through\s+)?"
    rf"|(?:explained|described|mentioned|shared|presented|introduced|recommended|suggested)\s+"
    rf"(?:to\s+(?:me|us)\s+)?"
    rf"|{_LEARNED}\s+(?:a\s+lot\s+)?(?:about|of)\s+"
    rf"|about\s+)",
    re.IGNORECASE,
)
# "and" between two noun phrases splits them ("Kafka and her move to Berlin"); between words of
# one phrase it does not ("pros and cons of startups", "research and development").
_AND_BEFORE_PHRASE = re.compile(
    r",?\s+(?:and|&)\s+(?=(?:her|his|their|the|a|an|my|our|your|its|how|what|why|when|where|"
    r"whether|which|who)\b)",
    re.IGNORECASE,
)
_COMMA = re.compile(r"\s*,\s*(?:(?:and|&)\s+)?")
_TOKEN = re.compile(r"[\w'’-]+")

_WH = _words("how what why when where whether which who whom")
# A pronoun as a sentence's subject: what follows is a clause, not a topic.
_SUBJECTS = _words(
    "i we she he they i'm i've i'd i'll we're we've she's he's they're they've you're "
    "it's that's there's"
)
# Verbs that can only be a sentence's own verb, never part of a noun phrase.
_FINITE = _words(
    "is are was were am has have had does did will would can could should may might must "
    "isn't aren't wasn't weren't hasn't haven't hadn't doesn't didn't won't can't couldn't "
    "said says told tells thinks thought wants wanted got gets went goes became becomes began "
    "gave gives knew knows took takes came comes left makes made saw sees sent spent taught "
    "wrote built bought brought grew held kept paid quit won feels felt seems seemed believes "
    "believed recommended suggested mentioned explained helped joined moved started switched "
    "worked works loved liked enjoyed described heard"
)
# Words that start an instruction or a to-do ("apply early", "to follow up in May").
_IMPERATIVE = _words(
    "apply network reach follow learn practice practise prepare focus try get keep start use "
    "read join ask talk contact email send look consider take be do make go check update avoid "
    "stay connect study find think write call message visit attend register sign submit "
    "remember need want to"
)
# After a verb ending in -ed, these are its object: "helped her switch", "joined the team".
_OBJECTS = _words("her him me us them the a an my your his their our its this that these those")
# After a verb ending in -ed that starts a note, these say it is a verb ("heard back from").
_PARTICLES = _words("back up out off over with about from to into in on at")
# Leads that leave a clause behind: "she told me that ...", "I asked if ...".
_CLAUSE_START = _words("that if")


def read_notes(text: str, contact: str, *, panel: bool = False) -> Notes:
    """Read a /met note for a draft to `contact`. With `panel`, the note was written about
    several people, so "her" can't be known to mean this one: such sentences are kept for the
    student to finish."""
    topics: list[str] = []
    sentences: list[str] = []
    # "HR team": "her team's" is not the team's own name with 's.
    forms = [] if is_unnamed(contact) else name_forms(contact)
    for sentence in _sentences(text):
        woven = _topics_of(sentence, forms, panel=panel)
        if woven is None:
            if sentence.casefold() not in (s.casefold() for s in sentences):
                sentences.append(sentence)
            continue
        for topic in woven:
            if topic.casefold() not in (t.casefold() for t in topics):
                topics.append(topic)
    return Notes(tuple(topics), tuple(sentences))


def _sentences(text: str) -> list[str]:
    pieces: list[str] = []
    for piece in _SENTENCE_END.split(text):
        if piece is None:
            continue
        if pieces and _ABBREVIATION.search(pieces[-1]):
            pieces[-1] += " " + piece
        else:
            pieces.append(piece)
    found = []
    for piece in pieces:
        piece = " ".join(piece.split()).strip(" ,:-–—")
        if piece and any(c.isalnum() for c in piece):
            found.append(piece)
    return found


def _topics_of(sentence: str, names: Sequence[str], *, panel: bool) -> list[str] | None:
    """The noun phrases a sentence is made of, said to the person `names` name; None if it is a
    clause."""
    rest = _CONJUNCTION.sub("", sentence)
    if lead := _LEAD.match(rest):
        rest = rest[lead.end() :]
    items = [i for part in _AND_BEFORE_PHRASE.split(rest) for i in _COMMA.split(part)]
    topics = []
    for position, item in enumerate(items):
        item = _CONJUNCTION.sub("", item).strip(" .!?:")
        if lead := _LEAD.match(item):
            item = item[lead.end() :]  # "asked about internships, and about remote work"
        item = _lower_first(item)
        if not item:
            continue
        if _is_clause(item, first=position == 0):
            return None
        said = item if panel else to_them(item, names)
        if third_person_left(said):
            return None  # "how she leads" with "she" kept, or whose "her" in a panel
        topics.append(said)
    return topics


def _is_clause(item: str, *, first: bool) -> bool:
    """Whether `item` reads as a clause; `first` if it starts its sentence (only there is "go"
    an instruction, not a language)."""
    tokens = [t.casefold().replace("’", "'") for t in _TOKEN.findall(item)]
    if not tokens:
        return False
    start = tokens[0]
    if start in _CLAUSE_START or (first and len(tokens) > 1 and start in _IMPERATIVE):
        return True
    if start.endswith("ed") and len(tokens) > 1 and tokens[1] in _PARTICLES | _OBJECTS:
        return True  # "heard back from the recruiter", "helped her with her resume"
    if start in _WH:
        return False  # "how she got into PM": said to her as "how you got into PM"
    if any(t in _SUBJECTS or t in _FINITE for t in tokens):
        return True
    words = _TOKEN.findall(item)
    # "her mentor helped her switch careers", "joined Stripe"
    return any(
        len(word) > 4
        and word.casefold().endswith("ed")
        and (after.casefold() in _OBJECTS or after[:1].isupper())
        for word, after in itertools.pairwise(words)
    )


_LOWER_FIRST = _words(
    "her his their its the a an my our your how what why when where which who whether"
)


def _lower_first(topic: str) -> str:
    """ "Her path into product" is "her path into product" in the middle of a sentence."""
    first = topic.split(" ", 1)[0]
    if first.casefold() in _LOWER_FIRST and first[:1].isupper() and not first.isupper():
        return topic[:1].lower() + topic[1:]
    return topic
