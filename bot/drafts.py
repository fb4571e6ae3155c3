"""Drafts: a follow-up written out from what the student recorded at /met, ready to copy.

The words come from the draft templates (`rules/drafts.toml`); this module fills them with the
conversation's facts and nothing else: the one person it goes to (each of a panel gets their
own), how to greet them (`bot.names`), and the notes read as topics or as the student's own lines
(`bot.notes`). A missing fact (no topics noted, no name to sign with) leaves a clearly marked gap,
never an invention. `bot.draft_reply` shows them with their check.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain import Conversation, FollowUp, Person
from bot.messages.words import note_limit
from bot.names import greeting_name, is_unnamed, team_greeting
from bot.notes import read_notes
from bot.phrasing import event_phrase, natural_list, when_phrase
from rules.drafts import (
    DraftBook,
    DraftStyle,
    email_template,
    fill,
    fill_within,
    note_template,
    utf16_length,
)
from rules.engine import Rulebook

__all__ = [
    "NOTE_LINE",
    "SUBJECT_LIMIT",
    "DraftFacts",
    "DraftPiece",
    "write_drafts",
    "write_email",
    "write_note",
]

# Mail programs show about this much of a subject line; a longer one is cut at a word.
SUBJECT_LIMIT = 70


# -- the facts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftFacts:
    """What a draft may say: only what the student recorded, and gaps where nothing was.

    `seed` is the conversation's (its id: stable, and never the same for two students) and
    `offset` the person's place in it (a panel): together they choose the phrasings, so a draft
    reads the same when reopened, and the people of a panel, or one student's conversations at
    a fair, don't read alike.
    """

    contact: str
    greeting: str
    company: str
    topics: tuple[str, ...]
    sentences: tuple[str, ...]
    event: str
    when: str
    signature: str | None
    seed: int
    offset: int

    @classmethod
    def of(
        cls,
        conversation: Conversation,
        follow_up: FollowUp,
        person: Person,
        style: DraftStyle,
        *,
        people: Sequence[str] = (),
        now: datetime,
        zone: ZoneInfo,
    ) -> DraftFacts:
        contact = follow_up.contact_in(conversation)
        people = list(people) or [contact]
        notes = read_notes(conversation.topics, contact, panel=len(people) > 1)
        if follow_up.greeting:
            greeting = follow_up.greeting
        elif is_unnamed(contact):
            greeting = team_greeting(contact, conversation.company)
        else:
            greeting = greeting_name(contact)
        return cls(
            contact=contact,
            greeting=greeting,
            company=conversation.company,
            topics=notes.topics,
            sentences=notes.sentences,
            event=event_phrase(conversation.event, style.event_fallback),
            when=when_phrase(conversation.met_at, now, zone),
            signature=person.name or person.display_name or None,
            # Not its time or names: a corrected detail doesn't reword the whole draft.
            seed=conversation.id or 0,
            offset=people.index(contact) if contact in people else 0,
        )

    def values(self) -> dict[str, str]:
        values = {
            "first_name": self.greeting,
            "name": self.contact,
            "company": self.company,
            "event": self.event,
            "when": self.when,
        }
        if self.topics:
            values |= {
                "topic": self.topics[0],
                "topics": natural_list(self.topics),
                "more_topics": natural_list(self.topics[1:]),
            }
        if self.signature:
            values["signature"] = self.signature
        return values

    def gaps(self, book: DraftBook) -> dict[str, str]:
        gaps = {}
        if not self.topics:
            gaps["topic"] = book.topic_gap
        if not self.signature:
            gaps["signature"] = book.signature_gap
        return gaps


# -- writing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftPiece:
    """One message to copy: an email, or a LinkedIn note within `limit` characters.
    `shortened` says what had to go to fit: "topics" (some of what was talked about), or
    "words" (a note that fits no other way, cut at a word)."""

    method: str
    text: str
    limit: int | None = None
    shortened: str = ""

    @property
    def length(self) -> int:
        """The length LinkedIn's counter shows (see `utf16_length`)."""
        return utf16_length(self.text)


# A sentence of the student's notes that only they can put in their words, on its own line.
NOTE_LINE = "[Say in your own words: {}]"

_DOUBLE_STOP = re.compile(r"(?<![.])([.!?…])\.(?![.])")


def _tidy(text: str) -> str:
    """ "Acme Inc..", "Yahoo!." and "intern…." where a value ends a sentence: one stop is
    enough."""
    return _DOUBLE_STOP.sub(r"\1", text)


def write_email(book: DraftBook, style: DraftStyle, facts: DraftFacts) -> DraftPiece:
    parts = style.pieces["email"].choose(facts.seed, facts.offset)
    topic_part: str | None = "topic_many" if len(facts.topics) > 1 else "topic_one"
    if not facts.topics and facts.sentences:
        topic_part = None  # the student's own lines say what was talked about
    gaps, values = facts.gaps(book), facts.values()
    subject, *blocks = (fill(block, gaps) for block in email_template(parts, topic_part))
    subject_line = _tidy(fill_within(subject.removeprefix("Subject: "), values, SUBJECT_LIMIT))
    body = [_tidy(fill(block, values)) for block in blocks]
    if facts.sentences:
        # After the paragraph they belong with; put in after filling, so that nothing the
        # student typed is read as a placeholder.
        body.insert(2, "\n".join(NOTE_LINE.format(s) for s in facts.sentences))
    return DraftPiece("email", "\n\n".join([f"Subject: {subject_line}", *body]))


def write_note(book: DraftBook, style: DraftStyle, facts: DraftFacts, limit: int) -> DraftPiece:
    """A LinkedIn note within `limit`: as many whole topics as fit, in the order noted, never one
    cut in the middle; with none that fits, no topic sentence at all."""
    parts = style.pieces["linkedin"].choose(facts.seed, facts.offset)
    values = facts.values()
    gaps = facts.gaps(book)
    for count in range(len(facts.topics), 0, -1):
        values["topic"] = natural_list(facts.topics[:count])
        text = _tidy(fill(fill(note_template(parts), gaps), values))
        if utf16_length(text) <= limit:
            return DraftPiece(
                "linkedin", text, limit, "topics" if count < len(facts.topics) else ""
            )
    template = fill(note_template(parts, topic=not facts.topics), gaps)
    full = _tidy(fill(template, values))
    if utf16_length(full) <= limit:
        return DraftPiece("linkedin", full, limit, "topics" if facts.topics else "")
    # Names, a company and an event so long that even that doesn't fit.
    text = _tidy(fill_within(template, values, limit, utf16_length))
    return DraftPiece("linkedin", text, limit, "words")


def write_drafts(
    book: DraftBook,
    *,
    conversation: Conversation,
    follow_up: FollowUp,
    person: Person,
    rulebook: Rulebook,
    now: datetime,
    zone: ZoneInfo,
    people: Sequence[str] = (),
) -> list[DraftPiece]:
    """The drafts for a follow-up, one per method it allows that has templates, in the
    rulebook's order (a networking follow-up: the LinkedIn note, then the email). `people` are
    everyone the conversation's follow-ups go to, in order (a panel), if more than one."""
    kind = rulebook.kinds.get(conversation.kind)
    style = book.style_for(conversation.kind, kind)
    facts = DraftFacts.of(conversation, follow_up, person, style, people=people, now=now, zone=zone)
    pieces = []
    for method in follow_up.methods:
        if method not in style.pieces:
            continue
        if method == "email":
            pieces.append(write_email(book, style, facts))
        else:
            pieces.append(write_note(book, style, facts, note_limit(person, rulebook)))
    return pieces
