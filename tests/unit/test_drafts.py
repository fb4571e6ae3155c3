"""Drafts: what /followups draft N writes for each kind of conversation, and its limits."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain import Address, Conversation, FollowUp, LinkedInPlan, Person
from bot.drafts import (
    SUBJECT_LIMIT,
    DraftFacts,
    DraftPiece,
    write_drafts,
    write_email,
    write_note,
)
from bot.names import greeting_name
from bot.notes import Notes, read_notes
from bot.phrasing import event_phrase, natural_list, to_second_person, when_phrase
from bot.proofread import Proofreader, shared_proofreader
from rules.drafts import DraftBook, load_drafts, shorten, utf16_length
from rules.engine import Rulebook, parse_rulebook

T0 = datetime(2026, 3, 6, 20, 0, tzinfo=UTC)  # Fri 15:00 in New York
NEW_YORK = ZoneInfo("America/New_York")
KAFKA = "talked about Kafka and her move from intern to team lead"
LONG_NAME = (
    "Maximiliana Alexandrovna Konstantinopoulou-Wolfeschlegelsteinhausenbergerdorff the Third"
)
LONG_COMPANY = (
    "Konstantinopoulou Global Holdings and Industrial Manufacturing Corporation International"
)
LONG_EVENT = (
    "International Conference on Very Large Data Bases and Distributed Systems, Spring 2026"
)
STREAMS = "distributed stream processing with exactly-once semantics "


@pytest.fixture(scope="module")
def book(rulebook: Rulebook) -> DraftBook:
    return load_drafts(rulebook=rulebook)


@pytest.fixture(scope="module")
def proofreader() -> Proofreader:
    return shared_proofreader()


def draft(
    book: DraftBook,
    rulebook: Rulebook,
    kind: str,
    *,
    topics: str = "",
    event: str | None = None,
    contact: str = "Jane Doe",
    company: str = "Acme",
    signer: str | None = "Alex Kim",
    plan: str = "free",
    number: int = 1,
    which: int = 0,
    met_at: datetime = T0,
    conversation_id: int = 1,
    people: Sequence[str] = (),
    greeting: str | None = None,
    offset: int | None = None,
) -> dict[str, DraftPiece]:
    """The drafts for the `which`-th follow-up the rulebook plans for a conversation of `kind`
    with `contact` (one of `people`, for a panel). With `offset`, the phrasings are those of
    that place on a panel, so that a test can go through every phrasing of every part."""
    conversation = Conversation(
        1,
        natural_list(list(people)) or contact,
        company,
        kind,
        met_at,
        met_at,
        topics=topics,
        event=event,
        id=conversation_id,
    )
    methods = rulebook.kinds[kind].follow_ups[which].methods
    follow_up = FollowUp(
        1, 1, number, methods, T0, T0, contact=contact, greeting=greeting, id=number
    )
    person = Person(Address("test", "w", "u"), T0, name=signer, linkedin_plan=LinkedInPlan(plan))
    if offset is None:
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
        return {piece.method: piece for piece in pieces}
    style = book.style_for(kind, rulebook.kinds[kind])
    facts = DraftFacts.of(conversation, follow_up, person, style, now=T0, zone=NEW_YORK)
    facts = replace(facts, offset=offset)
    limit = rulebook.note_limit(plan)
    return {
        m: write_email(book, style, facts)
        if m == "email"
        else write_note(book, style, facts, limit)
        for m in methods
    }


def body_paragraphs(email: str) -> list[str]:
    """An email's paragraphs between the greeting and the sign-off."""
    blocks = email.split("\n\n")
    assert blocks[0].startswith("Subject: ")
    assert blocks[1].endswith(",")  # the greeting
    assert "\n" in blocks[-1]  # sign-off and name
    return blocks[2:-1]


# -- golden drafts --------------------------------------------------------------------------


def test_interview_email(book: DraftBook, rulebook: Rulebook) -> None:
    pieces = draft(book, rulebook, "interview", topics=KAFKA)
    assert list(pieces) == ["email"]  # no LinkedIn after an interview
    assert pieces["email"].text == (
        "Subject: Following up on my interview with Acme\n"
        "\n"
        "Hello Jane,\n"
        "\n"
        "I appreciated the chance to interview with you today for the role at Acme. Our "
        "discussion of Kafka made the role even more interesting to me, as did hearing about "
        "your move from intern to team lead.\n"
        "\n"
        "I am excited about the opportunity to contribute to Acme, and I look forward to "
        "hearing from you about the next steps.\n"
        "\n"
        "Kind regards,\n"
        "Alex Kim"
    )


def test_call_email(book: DraftBook, rulebook: Rulebook) -> None:
    pieces = draft(book, rulebook, "call", topics="her path from support to product, hiring")
    assert list(pieces) == ["email"]
    assert pieces["email"].text == (
        "Subject: Great speaking with you\n"
        "\n"
        "Hi Jane,\n"
        "\n"
        "I am grateful that you took the time to talk with me today about your path at Acme. "
        "I have been thinking about what you shared about your path from support to product, "
        "and about hiring.\n"
        "\n"
        "Your advice gave me a lot to think about as I plan my next steps. I would love to "
        "stay in touch.\n"
        "\n"
        "Best wishes,\n"
        "Alex Kim"
    )


def test_networking_note_then_email(book: DraftBook, rulebook: Rulebook) -> None:
    pieces = draft(book, rulebook, "networking", topics="her path into product", event="Tech Mixer")
    assert list(pieces) == ["linkedin", "email"]  # the rulebook's order
    note = pieces["linkedin"]
    assert note.text == (
        "Hello Jane, I enjoyed meeting you at the Tech Mixer. I appreciated your thoughts on "
        "your path into product. Let's stay connected.\nAlex Kim"
    )
    assert (note.length, note.limit, note.shortened) == (138, 200, "")
    email = pieces["email"].text
    assert email.startswith("Subject: Following up from the Tech Mixer\n\nDear Jane,\n\n")
    assert "your path into product" in email
    assert "stay in touch" in email


def test_fair_good_email_and_note(book: DraftBook, rulebook: Rulebook) -> None:
    topics = "robotics internships, the new Austin office"
    email = draft(book, rulebook, "fair-good", topics=topics, event="Spring Career Fair")
    note = draft(
        book, rulebook, "fair-good", topics=topics, event="Spring Career Fair", which=1, number=2
    )
    assert list(email) == ["email"]
    assert list(note) == ["linkedin"]
    assert "at the Acme booth at the Spring Career Fair today" in email["email"].text
    assert note["linkedin"].text == (
        "Hello Jane, I enjoyed our talk at the Spring Career Fair. I appreciated learning about "
        "robotics internships and the new Austin office. Let's stay connected.\nAlex Kim"
    )


def test_fair_one_on_one_email(book: DraftBook, rulebook: Rulebook) -> None:
    pieces = draft(
        book, rulebook, "fair-1on1", topics="robotics internships", event="Spring Career Fair"
    )
    assert list(pieces) == ["email"]
    assert pieces["email"].text == (
        "Subject: Great to meet you at the Spring Career Fair\n"
        "\n"
        "Hi Jane,\n"
        "\n"
        "Thank you for the conversation at the Acme booth at the Spring Career Fair today. I "
        "appreciated learning about robotics internships.\n"
        "\n"
        "I am very interested in opportunities at Acme and would love to stay in touch. Please "
        "let me know if there is anything else I can share.\n"
        "\n"
        "Kind regards,\n"
        "Alex Kim"
    )


def test_group_event_note_and_email_without_an_event_name(
    book: DraftBook, rulebook: Rulebook
) -> None:
    pieces = draft(book, rulebook, "group", topics="the new Austin office", number=4)
    assert pieces["linkedin"].text == (
        "Hello Jane, I enjoyed meeting you at the event. I appreciated your thoughts on the new "
        "Austin office. Let's stay connected.\nAlex Kim"
    )
    assert pieces["email"].text == (
        "Subject: Following up from the event\n"
        "\n"
        "Dear Jane,\n"
        "\n"
        "Thank you for the conversation at the event today; I learned a lot from it. I really "
        "appreciated hearing about the new Austin office.\n"
        "\n"
        "I would love to stay in touch and learn more about your work at Acme. Would you be "
        "open to a short call in the coming weeks?\n"
        "\n"
        "Best,\n"
        "Alex Kim"
    )


@pytest.mark.parametrize(
    ("kind", "event", "expected_event"),
    [
        ("interview", None, None),
        ("call", None, None),
        ("networking", "Tech Mixer", "the Tech Mixer"),
        ("group", None, "the event"),
        ("fair", "Spring Career Fair", "the Spring Career Fair"),
        ("fair-1on1", None, "the career fair"),
        ("fair-good", "the NYU Career Fair", "the NYU Career Fair"),
    ],
)
def test_every_email_names_the_person_the_company_and_each_topic(
    book: DraftBook,
    rulebook: Rulebook,
    proofreader: Proofreader,
    kind: str,
    event: str | None,
    expected_event: str | None,
) -> None:
    parts = book.style_for(kind, rulebook.kinds[kind]).pieces["email"].parts
    topics = "Kafka, her move from intern to team lead and the new Austin office"
    for offset in range(max(len(p) for p in parts.values())):  # every phrasing of every part
        email = draft(book, rulebook, kind, topics=topics, event=event, offset=offset)["email"]
        text = email.text
        assert "Jane" in text
        assert "Acme" in text
        for topic in ("Kafka", "your move from intern to team lead", "the new Austin office"):
            assert topic in text
        if expected_event is not None:
            assert expected_event in text
        assert 1 <= len(body_paragraphs(text)) <= 2
        assert len(text.splitlines()[0].removeprefix("Subject: ")) <= SUBJECT_LIMIT
        assert text.endswith("\nAlex Kim")
        if kind in ("interview", "call"):
            assert "linkedin" not in text.casefold()
        names = ["Jane Doe", "Acme", "Alex Kim", event or ""]
        assert proofreader.check(text, names=names) == []


@pytest.mark.parametrize(("kind", "which"), [("networking", 0), ("group", 0), ("fair-good", 1)])
def test_every_note_names_the_event_and_the_topic_and_reads_clean(
    book: DraftBook, rulebook: Rulebook, proofreader: Proofreader, kind: str, which: int
) -> None:
    parts = book.style_for(kind, rulebook.kinds[kind]).pieces["linkedin"].parts
    for offset in range(max(len(p) for p in parts.values())):  # every phrasing of every part
        note = draft(
            book,
            rulebook,
            kind,
            topics="robotics internships",
            event="Spring Mixer",
            offset=offset,
            which=which,
        )["linkedin"]
        assert note.text.startswith(("Hi Jane,", "Hello Jane,"))
        assert "the Spring Mixer" in note.text
        assert "robotics internships" in note.text
        assert note.text.endswith("\nAlex Kim")
        assert note.length <= 200
        assert proofreader.check(note.text, names=["Jane Doe", "Acme", "Alex Kim"]) == []


def test_ten_notes_at_one_fair_differ(book: DraftBook, rulebook: Rulebook) -> None:
    notes = [
        draft(
            book,
            rulebook,
            "fair-good",
            topics="internships",
            event="Fair",
            conversation_id=n,
            number=2 * n,
            which=1,
        )["linkedin"].text
        for n in range(1, 11)
    ]
    assert len(set(notes)) == 10
    again = draft(book, rulebook, "fair-good", topics="internships", event="Fair", number=2)
    assert again == draft(
        book, rulebook, "fair-good", topics="internships", event="Fair", number=2
    )  # the same follow-up always gets the same draft


# -- missing pieces ------------------------------------------------------------------------


def test_no_topics_leaves_a_marked_gap_not_an_invention(
    book: DraftBook, rulebook: Rulebook
) -> None:
    for kind, which in (("interview", 0), ("networking", 0), ("fair-good", 1)):
        for piece in draft(book, rulebook, kind, topics="", which=which).values():
            assert piece.text.count("[what you talked about]") == 1


def test_no_name_to_sign_with_leaves_a_gap(book: DraftBook, rulebook: Rulebook) -> None:
    pieces = draft(book, rulebook, "networking", topics="Kafka", signer=None)
    assert pieces["email"].text.endswith("\n[your name]")
    assert pieces["linkedin"].text.endswith("\n[your name]")


def test_when_is_said_from_the_drafts_point_of_view(book: DraftBook, rulebook: Rulebook) -> None:
    yesterday = draft(book, rulebook, "interview", topics="Kafka", met_at=T0 - timedelta(days=1))
    assert " yesterday " in yesterday["email"].text
    assert when_phrase(T0 - timedelta(days=3), T0, NEW_YORK) == "on Tuesday"
    assert when_phrase(T0 - timedelta(days=10), T0, NEW_YORK) == "on 24 February"
    assert when_phrase(T0, T0, NEW_YORK) == "today"


# -- LinkedIn's limits ----------------------------------------------------------------------


@pytest.mark.parametrize(("plan", "limit"), [("free", 200), ("premium", 300)])
def test_note_fits_the_plan_even_with_long_names(
    book: DraftBook, rulebook: Rulebook, plan: str, limit: int
) -> None:
    for number in range(1, 19):
        note = draft(
            book,
            rulebook,
            "fair-good",
            contact=LONG_NAME,
            company=LONG_COMPANY,
            event=LONG_EVENT,
            topics=STREAMS * 15,
            signer="Bartholomew Montgomery-Fitzwilliam",
            plan=plan,
            number=number,
            which=1,
        )["linkedin"]
        assert note.length <= limit
        assert note.limit == limit
        assert note.shortened
        assert note.text.startswith(("Hi Maximiliana,", "Hello Maximiliana,"))
        # Cut at word boundaries: every shortened value ends in a whole word, then "…".
        given = f"{LONG_NAME} {LONG_COMPANY} {LONG_EVENT} {STREAMS} Bartholomew Montgomery"
        words = {word.strip(",") for word in given.split()}
        for cut in re.findall(r"(\S+)…", note.text):
            assert cut in words


def test_premium_notes_keep_more(book: DraftBook, rulebook: Rulebook) -> None:
    notes = [
        draft(
            book,
            rulebook,
            "fair-good",
            contact=LONG_NAME,
            company=LONG_COMPANY,
            event=LONG_EVENT,
            topics="robotics",
            plan=plan,
            which=1,
        )["linkedin"].text
        for plan in ("free", "premium")
    ]
    assert len(notes[1]) > len(notes[0])
    # The free plan's 200 characters hold the long names but not the topic as well.
    assert "robotics" in notes[1]
    assert "robotics" not in notes[0]


def test_shorten_cuts_at_a_word_and_marks_it() -> None:
    assert shorten("the quick brown fox", 12) == "the quick…"
    assert shorten("the quick brown fox", 19) == "the quick brown fox"
    assert shorten("Wolfeschlegelsteinhausenbergerdorff", 10) == "Wolfeschl…"
    assert shorten("a, b", 3) == "a…"
    assert shorten("anything", 0) == ""
    assert utf16_length(shorten("🙂🙂🙂🙂", 5, utf16_length)) <= 5


def test_an_emoji_counts_twice_as_on_linkedin(book: DraftBook, rulebook: Rulebook) -> None:
    note = draft(book, rulebook, "networking", contact="Jane 🙂 Doe", topics="Kafka 🚀")["linkedin"]
    assert note.length == len(note.text) + 1


# -- what the student noted -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("noted", "topics"),
    [
        (KAFKA, ["Kafka", "your move from intern to team lead"]),
        ("Kafka, Rust, and Go", ["Kafka", "Rust", "Go"]),
        ("pros and cons, salary", ["pros and cons", "salary"]),
        ("salary; pros and cons of startups", ["salary", "pros and cons of startups"]),
        ("We discussed her team's roadmap. Also hiring", ["your team's roadmap", "hiring"]),
        ("Her path into product\nhiring plans", ["your path into product", "hiring plans"]),
        ("asked about internships, and about remote work", ["internships", "remote work"]),
        ("we discussed about the new team", ["the new team"]),
        ("I asked her about her team's on-call rotation", ["your team's on-call rotation"]),
        ("she told me about the payments API migration", ["the payments API migration"]),
        ("how she got into PM, why he left Google", ["how you got into PM", "why you left Google"]),
        ("Kafka, kafka", ["Kafka"]),
        ("", []),
        (" , ; ", []),
    ],
)
def test_notes_read_as_topics(noted: str, topics: list[str]) -> None:
    assert read_notes(noted, "Jane Doe") == Notes(tuple(topics))


@pytest.mark.parametrize(
    "noted",
    [
        "heard back from the recruiter",
        "her mentor helped her switch careers",
        "She is leading the payments migration",
        "she told me that they sponsor visas",
        "I'm interested in their new grad program",
        "apply early",
        "Priya joined Stripe in 2019",
    ],
)
def test_clauses_are_kept_for_the_student_to_finish(noted: str) -> None:
    assert read_notes(noted, "Jane Doe") == Notes((), (noted,))


@pytest.mark.parametrize(
    ("noted", "said"),
    [
        ("her move from intern to team lead", "your move from intern to team lead"),
        ("his startup", "your startup"),
        ("what I asked her about", "what I asked you about"),
        ("how she moved to Berlin", "how you moved to Berlin"),
        ("why she is hiring", "why you are hiring"),
        ("how she leads her team", "how you lead your team"),
        ("how she watches the metrics", "how you watch the metrics"),
        # A word after "she" that is no verb to change: left as noted, not half changed.
        ("how she really leads her team", "how she really leads her team"),
        ("Kafka", "Kafka"),
    ],
)
def test_topics_are_said_to_the_person(noted: str, said: str) -> None:
    assert to_second_person(noted) == said


def test_their_own_name_becomes_your(book: DraftBook, rulebook: Rulebook) -> None:
    email = draft(book, rulebook, "call", topics="Jane's move to Berlin, Doe’s team")["email"]
    assert "your move to Berlin" in email.text
    assert "your team" in email.text
    assert "Jane's" not in email.text


def test_greeting_event_and_names() -> None:
    assert greeting_name("Jane Doe") == "Jane"
    assert greeting_name("Dr. Sam Lee") == "Dr. Lee"
    assert greeting_name("Prince") == "Prince"
    assert event_phrase("Spring Career Fair", "the event") == "the Spring Career Fair"
    assert event_phrase("The Grace Hopper Celebration.", "the event") == (
        "The Grace Hopper Celebration"
    )
    assert event_phrase(None, "the career fair") == "the career fair"


# -- any input ------------------------------------------------------------------------------

MARKUP = (
    "<@U123> <!channel> @everyone *bold* _it_ ~x~ `code` ```block``` [a](http://x) {company} &amp;"
)
EVERY_FOLLOW_UP = [
    ("interview", 0),
    ("call", 0),
    ("networking", 0),
    ("group", 0),
    ("fair", 0),
    ("fair-1on1", 0),
    ("fair-good", 0),
    ("fair-good", 1),
]
texts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(MARKUP),
    max_size=120,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    contact=texts.filter(str.strip),
    company=texts.filter(str.strip),
    topics=st.text(max_size=1000) | texts,
    event=st.none() | texts,
    signer=st.none() | texts,
    kind_which=st.sampled_from(EVERY_FOLLOW_UP),
    plan=st.sampled_from(["free", "premium"]),
    number=st.integers(min_value=1, max_value=10**6),
)
def test_any_input_gives_a_draft_within_its_limits(
    rulebook: Rulebook,
    contact: str,
    company: str,
    topics: str,
    event: str | None,
    signer: str | None,
    kind_which: tuple[str, int],
    plan: str,
    number: int,
) -> None:
    book = load_drafts(rulebook=rulebook)
    kind, which = kind_which
    pieces = draft(
        book,
        rulebook,
        kind,
        contact=contact,
        company=company,
        topics=topics,
        event=event,
        signer=signer or None,
        plan=plan,
        number=number,
        which=which,
    )
    assert pieces
    given_text = contact + company + topics + (event or "") + (signer or "")
    for piece in pieces.values():
        # No placeholder left unfilled (a "{company}" typed by the student may stay, as typed).
        for placeholder in re.findall(r"\{\w*\}", piece.text):
            assert placeholder in given_text
        if piece.method == "linkedin":
            assert piece.length <= (300 if plan == "premium" else 200)
        else:
            subject = piece.text.split("\n\n", 1)[0].removeprefix("Subject: ")
            assert len(subject) <= SUBJECT_LIMIT
            assert "\n\nSubject" not in piece.text


def test_a_clubs_own_kind_gets_the_style_of_its_sort(rulebook: Rulebook) -> None:

    data = tomllib.loads(resources.files("rules").joinpath("rulebook.toml").read_text())
    data["kinds"]["hackathon"] = {
        "label": "hackathon",
        "event": True,
        "follow_ups": [
            {
                "methods": ["linkedin", "email"],
                "what": "a note",
                "length": "short",
                "ideal_hours": 48,
            }
        ],
    }
    club = parse_rulebook(data, "club.toml")
    book = load_drafts(rulebook=club)
    pieces = draft(book, club, "hackathon", topics="robotics", event="HackNY")
    assert "the HackNY" in pieces["linkedin"].text
    assert book.style_for("hackathon", club.kinds["hackathon"]).key == "event"


# -- LinkedIn notes cut at a topic -------------------------------------------------------------

CO_OP_TOPICS = [
    "your path from co-op to staff engineer at a payments startup",
    "the platform team's migration to Kubernetes",
    "mentoring new grads in their first year",
]


@pytest.mark.parametrize(("plan", "limit"), [("free", 200), ("premium", 300)])
def test_a_linkedin_note_is_cut_between_topics_never_inside_one(
    book: DraftBook, rulebook: Rulebook, plan: str, limit: int
) -> None:
    noted = "his path from co-op to staff engineer at a payments startup, " + ", ".join(
        CO_OP_TOPICS[1:]
    )
    for conversation_id in range(1, 10):  # every phrasing's length
        note = draft(
            book,
            rulebook,
            "networking",
            topics=noted,
            event="Spring Mixer",
            plan=plan,
            conversation_id=conversation_id,
        )["linkedin"]
        assert note.length <= limit
        assert "…" not in note.text
        assert note.text.endswith("\nAlex Kim")
        kept = [t for t in CO_OP_TOPICS if t in note.text]
        assert kept == CO_OP_TOPICS[: len(kept)]  # whole topics, in the order noted
        assert kept  # the first always fits
        assert note.shortened == ("topics" if len(kept) < 3 else "")
        assert "co-op to staff" in note.text


def test_a_topic_too_long_for_a_note_is_left_out_whole(
    book: DraftBook, rulebook: Rulebook, proofreader: Proofreader
) -> None:
    topic = "distributed stream processing " * 5 + "with exactly-once semantics"
    note = draft(book, rulebook, "networking", topics=topic, event="Spring Mixer")["linkedin"]
    assert note.length <= 200
    assert "stream" not in note.text
    assert "…" not in note.text
    assert note.shortened == "topics"
    assert proofreader.check(note.text, names=["Jane Doe", "Acme", "Alex Kim"]) == []


# -- no two drafts alike -----------------------------------------------------------------------


def test_twelve_emails_at_one_fair_open_differently(book: DraftBook, rulebook: Rulebook) -> None:
    companies = [
        "Acme", "Globex", "Initech", "Hooli", "Umbrella", "Stark", "Wayne", "Wonka", "Soylent",
        "Tyrell", "Cyberdyne", "Aperture",
    ]  # fmt: skip
    emails = [
        draft(
            book,
            rulebook,
            "fair-1on1",
            topics="robotics internships",
            event="Spring Career Fair",
            company=company,
            contact="a recruiter",
            conversation_id=100 + n,
            number=n + 1,
        )["email"].text
        for n, company in enumerate(companies)
    ]
    openings = [e.split("\n\n")[2].split(". ")[0] for e in emails]
    assert len(set(openings)) == 12
    # Not only the company's name: the phrasings themselves vary across the fair.
    phrasings = {o.replace(c, "{company}") for o, c in zip(openings, companies, strict=True)}
    assert len(phrasings) == 3
    closings = {e.split("\n\n")[-2].replace(c, "") for e, c in zip(emails, companies, strict=True)}
    assert len(closings) == 3


def test_two_students_writing_to_one_recruiter_send_different_emails(
    book: DraftBook, rulebook: Rulebook
) -> None:
    """The same recruiter, company, fair and notes; two students' conversations."""
    first, second = (
        draft(
            book,
            rulebook,
            "fair-good",
            topics="robotics internships",
            event="Spring Career Fair",
            contact="Raj Patel",
            conversation_id=conversation_id,
        )["email"].text
        for conversation_id in (41, 42)
    )
    assert first != second
    for paragraph in (2, 3):  # the opening and topic, and the closing
        assert first.split("\n\n")[paragraph] != second.split("\n\n")[paragraph]
