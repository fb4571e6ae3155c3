"""Drafts: a follow-up written out from what the student recorded at /met, ready to copy.

The words come from the draft templates (`rules/drafts.toml`); this module fills them with the
conversation's facts and nothing else. A missing fact (no topics noted, no name to sign with)
leaves a clearly marked gap, never an invention. Every draft is proofread before it is shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain import Conversation, FollowUp, FollowUpStatus, Person
from bot.messages.words import method_label, note_limit, status_word
from bot.phrasing import (
    event_phrase,
    first_piece,
    greeting_name,
    natural_list,
    split_topics,
    to_them,
    when_phrase,
)
from bot.proofread import Proofreader, check_lines
from bot.replies import Action, ActionKind, Reply, Section
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
    "SUBJECT_LIMIT",
    "DraftFacts",
    "DraftPiece",
    "draft_reply",
    "write_drafts",
    "write_email",
    "write_note",
]

# Mail programs show about this much of a subject line; a longer one is cut at a word.
SUBJECT_LIMIT = 70


# -- the facts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftFacts:
    """What a draft may say: only what the student recorded, and gaps where nothing was."""

    contact_name: str
    company: str
    topics: tuple[str, ...]
    note_topic: str
    event: str
    when: str
    signature: str | None
    seed: int

    @classmethod
    def of(
        cls,
        conversation: Conversation,
        follow_up: FollowUp,
        person: Person,
        style: DraftStyle,
        *,
        now: datetime,
        zone: ZoneInfo,
    ) -> DraftFacts:
        name = conversation.contact_name
        topics = tuple(to_them(t, name) for t in split_topics(conversation.topics))
        note_topic = to_them(first_piece(conversation.topics), name) if topics else ""
        return cls(
            contact_name=conversation.contact_name,
            company=conversation.company,
            topics=topics,
            note_topic=note_topic,
            event=event_phrase(conversation.event, style.event_fallback),
            when=when_phrase(conversation.met_at, now, zone),
            signature=person.name or person.display_name or None,
            seed=follow_up.number,
        )

    def values(self) -> dict[str, str]:
        values = {
            "first_name": greeting_name(self.contact_name),
            "name": self.contact_name,
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
    """One message to copy: an email, or a LinkedIn note within `limit` characters."""

    method: str
    text: str
    limit: int | None = None
    shortened: bool = False

    @property
    def length(self) -> int:
        """The length LinkedIn's counter shows (see `utf16_length`)."""
        return utf16_length(self.text)


_DOUBLE_STOP = re.compile(r"(?<![.])([.!?…])\.(?![.])")


def _tidy(text: str) -> str:
    """ "Acme Inc..", "Yahoo!." and "intern…." where a value ends a sentence: one stop is
    enough."""
    return _DOUBLE_STOP.sub(r"\1", text)


def write_email(book: DraftBook, style: DraftStyle, facts: DraftFacts) -> DraftPiece:
    parts = style.pieces["email"].choose(facts.seed, book.salt("email"))
    topic_part = "topic_many" if len(facts.topics) > 1 else "topic_one"
    gaps, values = facts.gaps(book), facts.values()
    subject, *blocks = (fill(block, gaps) for block in email_template(parts, topic_part))
    subject_line = _tidy(fill_within(subject.removeprefix("Subject: "), values, SUBJECT_LIMIT))
    body = [_tidy(fill(block, values)) for block in blocks]
    return DraftPiece("email", "\n\n".join([f"Subject: {subject_line}", *body]))


def write_note(book: DraftBook, style: DraftStyle, facts: DraftFacts, limit: int) -> DraftPiece:
    parts = style.pieces["linkedin"].choose(facts.seed, book.salt("linkedin"))
    template = fill(note_template(parts), facts.gaps(book))
    values = facts.values()
    if facts.note_topic:
        values["topic"] = facts.note_topic
    full = _tidy(fill(template, values))
    text = _tidy(fill_within(template, values, limit, utf16_length))  # tidying only shortens
    return DraftPiece("linkedin", text, limit=limit, shortened=text != full)


def write_drafts(
    book: DraftBook,
    *,
    conversation: Conversation,
    follow_up: FollowUp,
    person: Person,
    rulebook: Rulebook,
    now: datetime,
    zone: ZoneInfo,
) -> list[DraftPiece]:
    """The drafts for a follow-up, one per method it allows that has templates, in the
    rulebook's order (a networking follow-up: the LinkedIn note, then the email)."""
    kind = rulebook.kinds.get(conversation.kind)
    style = book.style_for(conversation.kind, kind)
    facts = DraftFacts.of(conversation, follow_up, person, style, now=now, zone=zone)
    pieces = []
    for method in follow_up.methods:
        if method not in style.pieces:
            continue
        if method == "email":
            pieces.append(write_email(book, style, facts))
        else:
            pieces.append(write_note(book, style, facts, note_limit(person, rulebook)))
    return pieces


# -- the reply -------------------------------------------------------------------------------


def draft_reply(
    *,
    book: DraftBook,
    proofreader: Proofreader,
    follow_up: FollowUp,
    conversation: Conversation,
    siblings: Iterable[FollowUp],
    person: Person,
    rulebook: Rulebook,
    now: datetime,
    zone: ZoneInfo,
    names: Iterable[str],
) -> Reply:
    """/followups draft N: the drafts to copy, what would make them stronger, and their check."""
    pieces = write_drafts(
        book,
        conversation=conversation,
        follow_up=follow_up,
        person=person,
        rulebook=rulebook,
        now=now,
        zone=zone,
    )
    number, contact = follow_up.number, conversation.contact_name
    sections: list[Section] = []
    if follow_up.status is not FollowUpStatus.PENDING:
        sections.append(
            Section(f"#{number} is {status_word(follow_up.status)}; here is its draft.")
        )
    if not pieces:
        labels = method_label(follow_up, rulebook)
        return Reply.text(f"I have no template for a {labels}, so there is no draft for #{number}.")
    for index, piece in enumerate(pieces):
        title = _piece_title(piece, index, number, contact, person)
        sections.append(Section(piece.text, title=title, preformatted=True))

    names = [*names, *(n for n in (person.name, person.display_name) if n)]
    lines = _gap_lines(book, pieces)
    for piece in pieces:
        if piece.shortened:
            lines.append(
                f"I shortened the LinkedIn note at word boundaries to fit {piece.limit} "
                "characters; say more in a message once they accept."
            )
    for sibling in siblings:
        if sibling.id != follow_up.id and sibling.status is FollowUpStatus.PENDING:
            lines.append(
                f"The {method_label(sibling, rulebook)} is #{sibling.number}: "
                f"/followups draft {sibling.number}."
            )
    kind = rulebook.kinds.get(conversation.kind)
    rule = kind.rule_for(follow_up.methods) if kind is not None else None
    if rule is not None and rule.advice:
        lines.append(f"Tip: {rule.advice}.")
    lines += _check_lines(proofreader, pieces, names)
    sections.append(Section("\n".join(lines), title="Before you send"))
    actions: list[Action] = []
    if follow_up.status is FollowUpStatus.PENDING:
        assert follow_up.id is not None
        actions.append(Action(ActionKind.DONE, "Done", number, follow_up.id))
    return Reply(tuple(sections), tuple(actions))


def _piece_title(piece: DraftPiece, index: int, number: int, contact: str, person: Person) -> str:
    if piece.method == "linkedin":
        what = f"LinkedIn note to {contact}"
        count = f"{piece.length} of {piece.limit} characters, your {person.linkedin_plan} plan"
        title = f"{what} ({count})"
    else:
        title = f"Email to {contact}"
    if index > 0:
        title = f"Or instead: {title[0].lower()}{title[1:]}"
    return f"#{number} {title}"


def _gap_lines(book: DraftBook, pieces: Sequence[DraftPiece]) -> list[str]:
    lines = []
    text = "\n".join(p.text for p in pieces)
    if book.topic_gap in text:
        lines.append(
            f"The draft is stronger with a specific detail: replace {book.topic_gap} with "
            "something you talked about (next time, note it at /met)."
        )
    if book.signature_gap in text:
        lines.append(
            f"Replace {book.signature_gap} with your name, or set it once and ask again: "
            "/followups settings name Alex Kim."
        )
    return lines


def _check_lines(
    proofreader: Proofreader, pieces: Sequence[DraftPiece], names: Sequence[str]
) -> list[str]:
    lines = []
    for piece in pieces:
        issues = proofreader.check(piece.text, names=names)
        where = f" ({'LinkedIn note' if piece.method == 'linkedin' else 'email'})"
        report = check_lines(issues)
        label = "Spelling and grammar" + (where if len(pieces) > 1 else "")
        lines.append(f"{label}: {report[0]}")
        lines += report[1:]
    return lines
