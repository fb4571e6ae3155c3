"""Drafts from notes as students really write them: sentences in the first and third person,
lists, fragments, typos and names from many languages, to one person or to a panel.

Every draft is checked by assertions, not by eye: no pronoun clash ("about you about", "about
she", "your switch"), no bare clause after a preposition, every draft greets its one person,
every sentence the bot couldn't weave in kept word for word for the student to finish, and the
bot's own words pass its own checker (anything it reports is in what the student typed).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain import Address, Conversation, FollowUp, Person
from bot.drafts import NOTE_LINE, DraftPiece, write_drafts
from bot.names import greeting_name, names_phrase, split_people
from bot.notes import read_notes
from bot.proofread import Proofreader, shared_proofreader
from rules.drafts import DraftBook, load_drafts
from rules.engine import Rulebook

T0 = datetime(2026, 3, 6, 20, 0, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")

NOTES = [
    # First person, whole sentences.
    "I asked her about her team's on-call rotation; she told me about the payments API migration",
    "I asked about the rotational program and how interns get matched to teams",
    "I told her about my capstone project on fraud detection",
    "I'm really interested in their new grad program",
    "I learned a lot about how product managers work with design",
    "We talked about my resume and she gave me tips on the project section",
    "I mentioned that I'm graduating in May.",
    "I asked if they sponsor visas for new grads",
    "we discussed about the new team in Austin",
    "I should follow up about the spring internship in two weeks",
    # Third person, whole sentences.
    "She is leading the payments migration",
    "He moved from consulting to product two years ago.",
    "Her mentor helped her switch careers",
    "she told me that they are hiring for the data platform team",
    "He said the interview loop has four rounds",
    "She recommended the book Inspired by Marty Cagan",
    "He explained how the on-call rotation works",
    "She thinks startups are a great place to learn fast",
    "They are opening an office in Toronto next year",
    "Priya joined Stripe in 2019 after her PhD",
    # Lists and fragments.
    "Kafka, on-call, pros and cons of startups",
    "pros and cons of startups",
    "her move from intern to team lead",
    "talked about Kafka and her move from intern to team lead",
    "robotics internships, the new Austin office",
    "research and development, salary and benefits",
    "her path from co-op to staff engineer, the re-org last year",
    "how she got into PM, why he left Google",
    "product management internships",
    "distributed systems; machine learning infrastructure; hiring timeline",
    "the hiring timeline and the interview loop",
    "Rust vs Go for backend services",
    "mentorship, work-life balance, remote work",
    "what a first week looks like for new engineers",
    "her advice on preparing for a system design round",
    "Career switch. Bootcamps. Networking tips",
    "his startup's Series A, their on-call culture",
    "Jane's move to Berlin, Doe's team",
    "the pros and cons of grad school vs industry",
    "how her team runs design reviews with new graduates",
    # Typos and shorthand.
    "talkd about kubernets and cloud infra",
    "discused the intership program",
    "asekd about relocation, remote wrk",
    "her teams roadmap for Q3",
    "intrested in the SWE intern role!!",
    "the the hiring process",
    "convo about ML ops + data eng",
    "new grad roles... and the referral process",
    "tips for the coding interview - leetcode, mock interviews",
    "she said apply early!",
    # Instructions and to-dos.
    "apply early; network with alumni",
    "Follow up in two weeks about the summer role",
    "send her my portfolio",
    "to email the recruiter about the timeline",
    "heard back from the recruiter",
    # Names from many languages, in the notes too.
    "José's team in Madrid and the Spanish market",
    "how Nguyễn Thị Lan built the Hanoi office",
    "Zhang Wei's work on recommendation systems",
    "Oluwaseun's path from Lagos to London",
    "Dr. de la Cruz's research on climate models",
    "the Montréal office, café culture at Ubisoft",
    # Almost nothing, or nothing useful.
    "",
    "misc",
    "?",
    "n/a",
]

PEOPLE = [
    ("Priya Raman", "Priya"),
    ("Zhang Wei", "Zhang Wei"),
    ("Dr. Ana de la Cruz", "Dr. de la Cruz"),
    ("J. Robert Oppenheimer", "Robert"),
    ("Kim Min-jun", "Kim Min-jun"),
    ("Tom O'Brien", "Tom"),
    ("José Álvarez", "José"),
    ("Siobhán Ní Bhriain", "Siobhán"),
    ("Oluwaseun Adeyemi", "Oluwaseun"),
    ("HR team", "Acme HR team"),
    ("booth staff", "Acme recruiting team"),
    ("a recruiter", "Acme recruiting team"),
    (
        "Maximiliana Alexandrovna Konstantinopoulou-Wolfeschlegelsteinhausenbergerdorff Smith",
        "Maximiliana",
    ),
]
PANEL = "Priya Raman; Tom O'Brien and Dr. Ana de la Cruz"
KINDS = [("interview", 0), ("networking", 0), ("fair-good", 1)]

# A pronoun clash or a clause where a noun phrase must be.
_CLASHES = [
    re.compile(r"\babout (?:you|she|he|her|him) about\b", re.IGNORECASE),
    re.compile(
        r"\b(?:about|of|on|with|from|hearing about)\s+(?:i|we|she|he|they|i'm|she's|he's|"
        r"they're|it's)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:about|of|on)\s+(?:is|are|was|were|has|had|told|said|helped|asked|joined|went|"
        r"got|heard|apply|send|follow|network|to)\b",
        re.IGNORECASE,
    ),
    re.compile(r"\byour (?:switch|help|get|go|make|is|was|are|were|did|does)\b", re.IGNORECASE),
    re.compile(r"\b(?:she|he|her|his|him|herself|himself)\b", re.IGNORECASE),  # said to them
]
_BRACKETS = re.compile(r"\[[^\[\]\n]*\]")
_GREETING = re.compile(r"^(?:Hi|Hello|Dear) (.+?),", re.MULTILINE)


@pytest.fixture(scope="module")
def book(rulebook: Rulebook) -> DraftBook:
    return load_drafts(rulebook=rulebook)


@pytest.fixture(scope="module")
def proofreader() -> Proofreader:
    return shared_proofreader()


def drafts_for(
    book: DraftBook, rulebook: Rulebook, note: str, kind: str, which: int, names: str, index: int
) -> tuple[str, list[DraftPiece]]:
    """The drafts to the `index`-th person of `names` after a conversation noted as `note`."""
    people = split_people(names)
    conversation = Conversation(
        1, names_phrase(people), "Acme", kind, T0, T0, topics=note, event="Spring Mixer", id=index
    )
    methods = rulebook.kinds[kind].follow_ups[which].methods
    follow_up = FollowUp(1, 1, 1, methods, T0, T0, contact=people[index], id=1)
    person = Person(Address("test", "w", "u"), T0, name="Alex Kim")
    pieces = write_drafts(
        book,
        conversation=conversation,
        follow_up=follow_up,
        person=person,
        rulebook=rulebook,
        now=T0,
        zone=NEW_YORK,
        people=people,
    )
    return people[index], pieces


def check_draft(
    proofreader: Proofreader,
    note: str,
    piece: DraftPiece,
    greeting: str,
    others: list[str],
    recorded: list[str],
) -> None:
    """`recorded`: the names the student recorded (never spelling mistakes)."""
    text = piece.text
    prose = _BRACKETS.sub("GAP", text)  # the student's own lines and gaps, as one noun
    for clash in _CLASHES:
        assert not clash.search(prose), (clash.pattern, text)
    # It greets its one person, and nobody else of a panel.
    assert _GREETING.findall(text)[:1] == [greeting], text
    for other in others:
        assert greeting_name(other) not in _GREETING.findall(text), text
    # What the bot reports in its own draft is in what the student typed.
    folded = note.casefold()
    names = ["Acme", "Alex Kim", "Spring Mixer", *recorded]
    for issue in proofreader.check(text, names=names):
        assert issue.found.strip(" .").casefold() in folded, (str(issue), text)
    if piece.limit is not None:
        assert piece.length <= piece.limit
        assert "…" not in text  # cut at a topic, never inside one


def test_the_corpus_is_big_and_varied() -> None:
    assert len(NOTES) >= 60
    kept = sum(bool(read_notes(n, "Priya Raman").sentences) for n in NOTES)
    woven = sum(bool(read_notes(n, "Priya Raman").topics) for n in NOTES)
    assert kept >= 15
    assert woven >= 30


@pytest.mark.parametrize(("person", "greeting"), PEOPLE)
def test_every_note_to_one_person(
    book: DraftBook, rulebook: Rulebook, proofreader: Proofreader, person: str, greeting: str
) -> None:
    for note in NOTES:
        notes = read_notes(note, person)
        for kind, which in KINDS:
            _, pieces = drafts_for(book, rulebook, note, kind, which, person, 0)
            assert pieces
            for piece in pieces:
                check_draft(proofreader, note, piece, greeting, [], [person])
                if piece.method == "email":
                    for sentence in notes.sentences:
                        assert NOTE_LINE.format(sentence) in piece.text
                    for topic in notes.topics:
                        assert topic in piece.text


@pytest.mark.parametrize("index", [0, 1, 2])
def test_every_note_to_each_of_a_panel(
    book: DraftBook, rulebook: Rulebook, proofreader: Proofreader, index: int
) -> None:
    people = split_people(PANEL)
    greeting = ["Priya", "Tom", "Dr. de la Cruz"][index]
    others = [p for i, p in enumerate(people) if i != index]
    for note in NOTES:
        for kind, which in KINDS:
            contact, pieces = drafts_for(book, rulebook, note, kind, which, PANEL, index)
            assert contact == people[index]
            for piece in pieces:
                check_draft(proofreader, note, piece, greeting, others, people)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    note=st.text(max_size=300),
    names=st.text(min_size=1, max_size=120),
    kind=st.sampled_from(KINDS),
)
def test_anything_typed_makes_a_draft_that_fits(
    book: DraftBook, rulebook: Rulebook, note: str, names: str, kind: tuple[str, int]
) -> None:
    people = split_people(" ".join(names.split())) or ["someone"]
    _, pieces = drafts_for(book, rulebook, note, kind[0], kind[1], "; ".join(people), 0)
    assert pieces
    for piece in pieces:
        assert piece.text.strip()
        if piece.limit is not None:
            assert piece.length <= piece.limit
