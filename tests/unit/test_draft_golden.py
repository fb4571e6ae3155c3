"""Golden drafts: panels, unnamed contacts, titles, particles and long names, on every kind of
conversation. The expected drafts are in `golden/drafts_people.txt`, read and approved by a
person; FOLLOWUP_UPDATE_GOLDEN=1 rewrites the file after a deliberate change to the wording,
for the diff to be read before it is committed."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain import Address, Conversation, FollowUp, Person
from bot.drafts import write_drafts
from bot.names import names_phrase, split_people
from rules.drafts import DraftBook, load_drafts
from rules.engine import Rulebook

T0 = datetime(2026, 3, 6, 20, 0, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")
GOLDEN = Path(__file__).parent / "golden" / "drafts_people.txt"
LONG_NAME = (
    "Maximiliana Alexandrovna Konstantinopoulou-Wolfeschlegelsteinhausenbergerdorff de la Fuente"
)

# Who was met, how the student greets them (greet:), and what they noted.
CASES = [
    ("panel", "Priya Raman; Tom O'Brien and Dr. Ana de la Cruz", None,
     "I asked her about her team's on-call rotation; she told me about the payments API migration"),
    ("unnamed recruiter", "a recruiter", None, "robotics internships, the new Austin office"),
    ("unnamed HR team", "HR team", None, "the hiring timeline"),
    ("name left out", "someone", None, ""),
    ("title", "Dr. Sam Lee", None, "her research on climate models"),
    ("particles", "Ana de la Cruz", None, "pros and cons of startups"),
    ("initial first", "J. Robert Oppenheimer", None, "how he got into physics"),
    ("family name first", "Zhang Wei", None, "Zhang Wei's work on recommendation systems"),
    ("greet:", "Priya Raman", "Dr. Raman", "she is leading the payments migration"),
    ("long name", LONG_NAME, None, "distributed systems, her move from intern to team lead"),
]  # fmt: skip


@pytest.fixture(scope="module")
def book(rulebook: Rulebook) -> DraftBook:
    return load_drafts(rulebook=rulebook)


def render(book: DraftBook, rulebook: Rulebook) -> str:
    out: list[str] = []
    for kind_key, kind in rulebook.kinds.items():
        for label, names, greet, note in CASES:
            people = split_people(names)
            conversation = Conversation(
                1, names_phrase(people), "Acme", kind_key, T0, T0,
                topics=note, event="Spring Mixer" if kind.event else None, id=7,
            )  # fmt: skip
            number = 0
            for contact in people:
                for rule in kind.follow_ups:
                    number += 1
                    follow_up = FollowUp(
                        1, 7, number, rule.methods, T0, T0, contact=contact, greeting=greet
                    )
                    person = Person(Address("test", "w", "u"), T0, name="Alex Kim")
                    for piece in write_drafts(
                        book,
                        conversation=conversation,
                        follow_up=follow_up,
                        person=person,
                        rulebook=rulebook,
                        now=T0,
                        zone=NEW_YORK,
                        people=people,
                    ):
                        out.append(f"=== {kind_key} / {label} / {contact} / {piece.method}")
                        out.append(piece.text)
    return "\n".join(out) + "\n"


def test_drafts_match_the_golden_file(book: DraftBook, rulebook: Rulebook) -> None:
    rendered = render(book, rulebook)
    if os.environ.get("FOLLOWUP_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(rendered, encoding="utf-8")
    assert rendered == GOLDEN.read_text(encoding="utf-8")


def test_a_panel_gets_different_emails(book: DraftBook, rulebook: Rulebook) -> None:
    """Three interviewers, three emails: every sentence of the body differs."""
    rendered = render(book, rulebook)
    emails = [
        block.split("\n", 1)[1]
        for block in rendered.split("=== ")[1:]
        if block.startswith("interview / panel /")
    ]
    assert len(emails) == 3
    paragraphs = [e.split("\n\n") for e in emails]
    for part in (0, 2, -2):  # subject, opening and topic, closing
        assert len({p[part] for p in paragraphs}) == 3
