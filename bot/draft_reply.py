"""/followups draft N: a follow-up's drafts to copy, what would make them stronger, and their
spelling and grammar check."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain import Conversation, FollowUp, FollowUpStatus, Person
from bot.drafts import NOTE_LINE, DraftPiece, write_drafts
from bot.messages.words import method_label, status_word
from bot.phrasing import natural_list
from bot.proofread import Proofreader, check_lines
from bot.replies import Action, ActionKind, Reply, Section
from rules.drafts import DraftBook
from rules.engine import Rulebook

__all__ = ["draft_reply"]


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
    """/followups draft N: the drafts to copy, what would make them stronger, and their check.
    `siblings` are the conversation's follow-ups (those to the other people of a panel too)."""
    siblings = list(siblings)
    contact = follow_up.contact_in(conversation)
    people = list(dict.fromkeys(s.contact_in(conversation) for s in siblings))
    pieces = write_drafts(
        book,
        conversation=conversation,
        follow_up=follow_up,
        person=person,
        rulebook=rulebook,
        now=now,
        zone=zone,
        people=people,
    )
    number = follow_up.number
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

    greetings = (s.greeting for s in siblings if s.greeting)
    names = [*names, *greetings, *(n for n in (person.name, person.display_name) if n)]
    lines = _gap_lines(book, pieces, noted=bool(conversation.topics.strip()))
    for piece in pieces:
        if piece.shortened == "topics":
            lines.append(
                f"To fit {piece.limit} characters, the LinkedIn note names only part of what "
                "you talked about; say more in a message once they accept."
            )
        elif piece.shortened:
            lines.append(
                f"I shortened the LinkedIn note at word boundaries to fit {piece.limit} "
                "characters; say more in a message once they accept."
            )
    others: list[str] = []
    for sibling in siblings:
        if sibling.id == follow_up.id or sibling.status is not FollowUpStatus.PENDING:
            continue
        other = sibling.contact_in(conversation)
        if other == contact:
            lines.append(
                f"The {method_label(sibling, rulebook)} is #{sibling.number}: "
                f"/followups draft {sibling.number}."
            )
        else:
            others.append(f"{other} (#{sibling.number})")
    if others:
        lines.append(
            f"Write to {natural_list(others)} too, each in their own words: people you met "
            "together compare notes."
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


def _gap_lines(book: DraftBook, pieces: Sequence[DraftPiece], *, noted: bool) -> list[str]:
    """What to fill in; `noted` if the student noted something at /met (in sentences the draft
    keeps for them to word)."""
    lines = []
    text = "\n".join(p.text for p in pieces)
    if book.topic_gap in text:
        where = "from your notes" if noted else "you talked about (next time, note it at /met)"
        lines.append(
            f"The draft is stronger with a specific detail: replace {book.topic_gap} with "
            f"something {where}."
        )
    if NOTE_LINE.split("{")[0] in text:
        lines.append(
            "Lines in [brackets] are your notes as you wrote them: say each in a sentence of "
            "your own, or delete it."
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
