"""bot.met: splitting /met text into fields, validating them, and properties of both."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.errors import UserError
from bot.met import LIMITS, MetDetails, MetInput, clean_text, validate_met, when_prefix
from bot.names import split_people
from rules.engine import Rulebook, load_rulebook

NEW_YORK = ZoneInfo("America/New_York")
# Friday 2026-03-06, 15:00 in New York (EST, UTC-5).
NOW = datetime(2026, 3, 6, 20, tzinfo=UTC)
RULEBOOK: Rulebook = load_rulebook()
TIME_PREFIX = when_prefix(NOW, NEW_YORK)
OPTION_LIKE = re.compile(
    r"(?<!\w)(when|event|priority|prio|greet|kind|notes|note|topics)\s*:", re.IGNORECASE
)


def parse(text: str) -> MetInput:
    return MetInput.from_text(text, time_prefix=TIME_PREFIX)


def read(text: str) -> MetInput:
    """As the /met handler reads typed text: knowing the rulebook's kinds."""
    return MetInput.from_text(
        text, time_prefix=TIME_PREFIX, is_kind=lambda t: RULEBOOK.find_kind(t) is not None
    )


def validate(text: str) -> MetDetails:
    return validate_met(parse(text), RULEBOOK, now=NOW, zone=NEW_YORK)


def validate_error(text: str) -> str:
    with pytest.raises(UserError) as caught:
        validate(text)
    message = str(caught.value)
    assert "Example: /met" in message
    return message


# --------------------------------------------------------------------------------------------
# MetInput.from_text


def test_four_plain_fields() -> None:
    assert MetInput.from_text("Jane Doe, Acme, interview, talked about Kafka") == MetInput(
        name="Jane Doe", company="Acme", kind="interview", topics="talked about Kafka"
    )


def test_three_fields_leave_topics_empty() -> None:
    assert MetInput.from_text("  Jane Doe ,Acme,  interview  ") == MetInput(
        name="Jane Doe", company="Acme", kind="interview"
    )


def test_too_few_fields_are_empty() -> None:
    assert MetInput.from_text("Jane") == MetInput(name="Jane")
    assert MetInput.from_text("") == MetInput()


def test_topics_with_commas_are_joined_back() -> None:
    fields = MetInput.from_text("Jane, Acme, interview, Kafka, Postgres, and hiring plans")
    assert fields.topics == "Kafka, Postgres, and hiring plans"
    assert (fields.name, fields.company, fields.kind) == ("Jane", "Acme", "interview")


@pytest.mark.parametrize(
    "text",
    [
        'event:"Spring Fair" priority:2 Jane, Acme, fair, robotics',
        'Jane, Acme event:"Spring Fair", fair priority:2, robotics',
        'Jane, Acme, fair, robotics event:"Spring Fair" priority:2',
        'Jane, Acme, fair, robotics priority:2 event:"Spring Fair"',
    ],
    ids=["start", "middle", "end", "end-reordered"],
)
def test_options_anywhere(text: str) -> None:
    assert parse(text) == MetInput(
        name="Jane",
        company="Acme",
        kind="fair",
        topics="robotics",
        event="Spring Fair",
        priority="2",
    )


@pytest.mark.parametrize(
    "text",
    [
        'event:"Spring Fair", Jane, Acme, fair',
        'Jane, event:"Spring Fair", Acme, fair',
        "Jane, Acme, event:Spring Fair, fair",
        "event:Spring Fair , Jane, Acme, fair",
        'when:"2 hours ago", event:Spring Fair, Jane, Acme, fair',
    ],
)
def test_an_option_that_is_a_whole_field_does_not_shift_the_others(text: str) -> None:
    fields = parse(text)
    assert (fields.name, fields.company, fields.kind) == ("Jane", "Acme", "fair")
    assert fields.event == "Spring Fair"
    assert fields.topics == ""


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ('Jane, Acme, fair when:"yesterday 4pm"', "yesterday 4pm"),
        ("Jane, Acme, fair when:'yesterday 4pm'", "yesterday 4pm"),
        ("Jane, Acme, fair when:“yesterday 4pm”", "yesterday 4pm"),
        ("Jane, Acme, fair when:‘yesterday 4pm’", "yesterday 4pm"),
        ("Jane, Acme, fair when:„yesterday 4pm“", "yesterday 4pm"),
        ("Jane, Acme, fair when:«yesterday 4pm»", "yesterday 4pm"),
        ('Jane, Acme, fair when:“yesterday 4pm"', "yesterday 4pm"),  # phones mix quotes
        ('Jane, Acme, fair when: "yesterday, 4pm"', "yesterday, 4pm"),  # commas kept inside
    ],
)
def test_quoted_values(text: str, when: str) -> None:
    fields = parse(text)
    assert fields.when == when
    assert (fields.name, fields.company, fields.kind, fields.topics) == ("Jane", "Acme", "fair", "")


def test_quoted_value_may_contain_option_words() -> None:
    fields = parse('Jane, Acme, fair event:"when: priority: night"')
    assert fields.event == "when: priority: night"
    assert fields.when == fields.priority == ""


def test_unquoted_event_stops_at_the_comma() -> None:
    fields = parse("Jane, Acme, fair event:Spring Career Fair, robotics internships")
    assert fields.event == "Spring Career Fair"
    assert fields.kind == "fair"
    assert fields.topics == "robotics internships"


def test_unquoted_event_at_the_start_stops_at_the_comma() -> None:
    fields = parse("event:Spring Career Fair, Ana Ruiz, Globex, fair-good")
    assert fields == MetInput(
        name="Ana Ruiz", company="Globex", kind="fair-good", event="Spring Career Fair"
    )


def test_unquoted_value_stops_at_the_next_option() -> None:
    fields = parse("Jane, Acme, fair event:Spring Fair priority:1")
    assert fields.event == "Spring Fair"
    assert fields.priority == "1"


def test_unquoted_when_stops_where_the_time_stops() -> None:
    fields = parse("Jane, Acme, interview when:yesterday 4pm talked about Kafka")
    assert fields.when == "yesterday 4pm"
    # The rest goes back into the text; validate_met splits the kind off and folds spaces.
    assert clean_text(fields.kind) == "interview talked about Kafka"
    assert fields.topics == ""


def test_unquoted_when_without_time_prefix_runs_to_the_comma() -> None:
    fields = MetInput.from_text("Jane, Acme, interview when:yesterday 4pm talked, Kafka")
    assert fields.when == "yesterday 4pm talked"
    assert fields.kind == "interview"
    assert fields.topics == "Kafka"


def test_unquoted_when_that_is_no_time_is_kept_whole() -> None:
    # Nothing reads as a time: the whole value is the `when:` and validation says why.
    fields = parse("Jane, Acme, interview when:blue moon")
    assert fields.when == "blue moon"
    assert fields.kind == "interview"


def test_when_first() -> None:
    assert parse('when:"2 hours ago" Jane Doe, Acme, interview') == MetInput(
        name="Jane Doe", company="Acme", kind="interview", when="2 hours ago"
    )


def test_unquoted_when_first() -> None:
    assert parse("when:yesterday 4pm Jane Doe, Acme, interview") == MetInput(
        name="Jane Doe", company="Acme", kind="interview", when="yesterday 4pm"
    )


def test_prio_is_priority() -> None:
    assert parse("Jane, Acme, fair prio:1").priority == "1"
    assert parse("Jane, Acme, fair, priority: 3").priority == "3"


def test_priority_takes_one_word() -> None:
    fields = parse("Jane, Acme, fair priority:1 robotics")
    assert fields.priority == "1"
    assert clean_text(fields.kind) == "fair robotics"


@pytest.mark.parametrize(
    "text",
    [
        "Jane, Acme, fair prio:1 prio:2",
        "Jane, Acme, fair priority:1 prio:2",
        'when:"2 hours ago" Jane, Acme, fair when:yesterday',
        "Jane, Acme, fair event:A, event:B",
        "Jane, Acme, fair WHEN:now when:now",
    ],
)
def test_an_option_given_twice_is_an_error(text: str) -> None:
    with pytest.raises(UserError, match="given twice") as caught:
        parse(text)
    assert "Example: /met" in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        'Jane, Acme, fair when:"yesterday 4pm',
        "Jane, Acme, fair event:“Spring Fair",
        "Jane, Acme, fair event:'Spring Fair",
    ],
)
def test_an_unclosed_quote_is_an_error(text: str) -> None:
    with pytest.raises(UserError, match="never closed") as caught:
        parse(text)
    assert "Example: /met" in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "Jane, Acme, fair WHEN:yesterday 4pm EVENT:Spring Fair Priority:2",
        "Jane, Acme, fair When:yesterday 4pm Event:Spring Fair PRIO:2",
    ],
)
def test_option_names_are_case_insensitive(text: str) -> None:
    fields = parse(text)
    assert (fields.when, fields.event, fields.priority) == ("yesterday 4pm", "Spring Fair", "2")
    assert fields.kind == "fair"


def test_option_words_inside_other_words_are_text() -> None:
    fields = parse("Jane, Acme, interview, somewhen: anyway, newevent:x")
    assert fields.when == fields.event == ""
    assert fields.topics == "somewhen: anyway, newevent:x"


# --------------------------------------------------------------------------------------------
# validate_met


def test_happy_path() -> None:
    details = validate(
        'Jane Doe, Acme, fair, robotics, internships when:"yesterday 4pm" '
        'event:"Spring Career Fair" priority:1'
    )
    assert details == MetDetails(
        people=("Jane Doe",),
        greetings=(None,),
        company="Acme",
        kind=RULEBOOK.kinds["fair"],
        topics="robotics, internships",
        met_at=datetime(2026, 3, 5, 21, tzinfo=UTC),  # 16:00 EST
        event="Spring Career Fair",
        priority=1,
    )


def test_text_is_cleaned() -> None:
    details = validate("  Jane   Doe ,  Acme\tCorp , Interview ,  talked   about\nKafka ")
    assert (details.name, details.company, details.topics) == (
        "Jane Doe",
        "Acme Corp",
        "talked about Kafka",
    )
    assert details.kind.key == "interview"


def test_defaults() -> None:
    details = validate("Jane, Acme, interview")
    assert details.met_at == NOW
    assert details.event is None
    assert details.priority is None
    assert details.topics == ""


def test_relative_when_is_exact_utc() -> None:
    assert validate('Jane, Acme, call when:"2 hours ago"').met_at == NOW - timedelta(hours=2)


def test_validates_form_fields_without_text() -> None:
    fields = MetInput(name="Jane", company="Acme", kind="coffee chat", when="now", priority="#2")
    details = validate_met(fields, RULEBOOK, now=NOW, zone=NEW_YORK)
    assert details.kind.key == "call"
    assert details.priority == 2
    assert details.met_at == NOW


@pytest.mark.parametrize(
    ("kind", "key"),
    [
        ("interview", "interview"),
        ("Interview", "interview"),
        ("coffee chat", "call"),
        ("Coffee  Chat", "call"),
        ("1:1", "call"),
        ("career fair", "fair"),
        ("Career_Fair", "fair"),
        ("fair-1on1", "fair-1on1"),
        ("phone screen", "interview"),
    ],
)
def test_kind_aliases(kind: str, key: str) -> None:
    assert validate(f"Jane, Acme, {kind}").kind.key == key


def test_forgotten_comma_after_the_kind() -> None:
    details = validate("Jane, Acme, interview talked about Kafka")
    assert details.kind.key == "interview"
    assert details.topics == "talked about Kafka"


def test_forgotten_comma_after_a_two_word_kind_with_more_topics() -> None:
    details = validate("Jane, Acme, coffee chat her path to product, and Kafka")
    assert details.kind.key == "call"
    assert details.topics == "her path to product, and Kafka"


def test_unquoted_when_and_forgotten_comma_together() -> None:
    details = validate("Jane, Acme, interview when:yesterday 4pm talked about Kafka")
    assert details.kind.key == "interview"
    assert details.topics == "talked about Kafka"
    assert details.met_at == datetime(2026, 3, 5, 21, tzinfo=UTC)


def test_a_name_left_out_is_someone_at_the_company() -> None:
    assert validate(", Acme, interview").people == ("someone",)
    message = validate_error(", , interview")
    assert "Who did you meet" in message


def test_missing_company() -> None:
    message = validate_error("Jane, , interview")
    assert "company" in message.casefold()


def test_missing_kind() -> None:
    message = validate_error("Jane, Acme")
    assert "What kind of conversation" in message
    for key in RULEBOOK.kinds:
        assert key in message


def test_unknown_kind_suggests_the_closest() -> None:
    message = validate_error("Jane, Acme, intervew")
    assert "“intervew”" in message
    assert "Did you mean interview" in message


def test_long_unknown_kind_is_clipped_in_the_message() -> None:
    message = validate_error("Jane, Acme, " + "x" * 500)
    assert "x" * 41 not in message
    assert len(message) < 400


def test_swapped_order() -> None:
    message = validate_error("Jane, interview, Acme")
    assert "the order is name, company, kind" in message
    assert "“interview”" in message


def test_when_in_the_future() -> None:
    message = validate_error("Jane, Acme, interview when:tomorrow")
    assert "in the future" in message
    assert "can't be later than now" in message


def test_when_too_long_ago() -> None:
    message = validate_error('Jane, Acme, interview when:"90 days ago"')
    assert "more than 60 days ago" in message


def test_when_unreadable() -> None:
    message = validate_error("Jane, Acme, interview when:blue moon")
    assert "couldn't read" in message


@pytest.mark.parametrize("priority", ["5", "0", "high", "1.5", "-1"])
def test_bad_priority(priority: str) -> None:
    message = validate_error(f"Jane, Acme, fair priority:{priority}")
    assert "priority: is 1, 2 or 3" in message


@pytest.mark.parametrize(("priority", "expected"), [("1", 1), ("2", 2), ("3", 3), ("P2", 2)])
def test_good_priority(priority: str, expected: int) -> None:
    assert validate(f"Jane, Acme, fair priority:{priority}").priority == expected


def test_all_problems_at_once() -> None:
    message = validate_error(", , intervew when:tomorrow priority:high")
    lines = message.splitlines()
    assert lines[-1].startswith("Example: /met")
    assert len(lines) == 6
    assert "name" in lines[0]
    assert "company" in lines[1].casefold()
    assert "Did you mean interview" in lines[2]
    assert "in the future" in lines[3]
    assert "priority:" in lines[4]


def test_name_and_company_too_long() -> None:
    assert validate(f"{'n' * 100}, {'c' * 100}, interview").name == "n" * 100
    message = validate_error(f"{'n' * 101}, {'c' * 101}, interview")
    assert f"A name is too long (at most {LIMITS['name']} characters each)." in message
    assert f"The company is too long (at most {LIMITS['company']} characters)." in message


def test_topics_too_long() -> None:
    assert len(validate(f"Jane, Acme, interview, {'t' * 1000}").topics) == 1000
    message = validate_error(f"Jane, Acme, interview, {'t' * 1001}")
    assert "The notes are too long" in message


def test_event_too_long() -> None:
    message = validate_error(f'Jane, Acme, fair event:"{"e" * 121}"')
    assert "The event is too long" in message


def test_length_is_counted_after_cleaning() -> None:
    name = "Jane " + " " * 200 + "Doe"
    assert validate(f"{name}, Acme, interview").name == "Jane Doe"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Jane\u200b Doe\x00", "Jane Doe"),
        ("\ufeffJane\u202e Doe", "Jane Doe"),
        ("Jane\x07\x1b[31m Doe", "Jane [31m Doe"),
        ("Jane\u2028Doe", "Jane Doe"),
        ("Jane\nDoe", "Jane Doe"),
        ("Jose\u0301", "José"),  # NFC
    ],
)
def test_control_and_invisible_characters_are_stripped(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean
    assert validate(f"{raw}, Acme, interview").name == clean


def test_a_name_of_only_invisible_characters_is_missing() -> None:
    assert validate("\u200b\u200d\x00, Acme, interview").people == ("someone",)
    message = validate_error("\u200b\u200d\x00, , interview")
    assert "Who did you meet" in message


# --------------------------------------------------------------------------------------------
# Properties

FRAGMENTS = [
    "when:",
    "WHEN:",
    "event:",
    "priority:",
    "prio:",
    '"',
    "'",
    "“",
    "”",
    "„",
    "«",
    "»",
    ",",
    " ",
    "interview",
    "coffee chat",
    "fair",
    "yesterday 4pm",
    "2 hours ago",
    "tomorrow",
    "now",
    "2026-03-05T14:00",
    "Jane Doe",
    "Acme",
    "é",
    "\u0301",
    "\u200b",
    "\x00",
    "\n",
    "🦀",
    "<!channel>",
    "@everyone",
    "<@U123>",
    "*bold*",
]

typed_text = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=25).map("".join),
)


@settings(max_examples=300, deadline=None)
@given(typed_text)
def test_any_text_parses_or_raises_user_error(text: str) -> None:
    # Anything but a UserError escapes and fails the test.
    try:
        fields = MetInput.from_text(text, time_prefix=TIME_PREFIX)
    except UserError as err:
        problem = str(err)
    else:
        assert isinstance(fields, MetInput)
        try:
            details = validate_met(fields, RULEBOOK, now=NOW, zone=NEW_YORK)
        except UserError as err:
            problem = str(err)
        else:
            check_details(details)
            return
    assert problem.strip()
    assert "Example: /met" in problem


def check_details(details: MetDetails) -> None:
    assert isinstance(details, MetDetails)
    assert details.name
    assert details.company
    assert all(len(person) <= LIMITS["name"] for person in details.people)
    assert len(details.people) == len(details.greetings)
    assert len(details.topics) <= LIMITS["topics"]
    assert NOW - timedelta(days=60) <= details.met_at <= NOW + timedelta(minutes=1)
    assert details.priority in (None, 1, 2, 3)


def _plain(text: str) -> bool:
    cleaned = clean_text(text)
    return bool(cleaned) and len(cleaned) <= 100 and "," not in text


plain_text = st.text(max_size=60).filter(_plain)


@settings(max_examples=300, deadline=None)
@given(plain_text, plain_text, st.sampled_from(sorted(RULEBOOK.kinds)))
def test_valid_fields_round_trip(name: str, company: str, kind: str) -> None:
    text = f"{name}, {company}, {kind}"
    assume(not OPTION_LIKE.search(text))  # option-like text is an option: covered above
    assume(split_people(clean_text(name)) == [clean_text(name)])  # a panel: tested apart
    details = validate_met(
        MetInput.from_text(text, time_prefix=TIME_PREFIX), RULEBOOK, now=NOW, zone=NEW_YORK
    )
    assert details.name == clean_text(name)
    assert details.company == clean_text(company)
    assert details.kind is RULEBOOK.kinds[kind]
    assert details.topics == ""
    assert details.met_at == NOW


# --------------------------------------------------------------------------------------------
# Text typed as people write it


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "at" / "from" between the name and the company, with or without commas after.
        (
            "Sam at Acme, interview, asked about my capstone on grid batteries",
            MetInput("Sam", "Acme", "interview", "asked about my capstone on grid batteries"),
        ),
        ("Sam from Acme interview", MetInput("Sam", "Acme", "interview")),
        (
            "Lee from AT&T coffee chat her path, from support to product",
            MetInput("Lee", "AT&T", "coffee chat", "her path, from support to product"),
        ),
        ("Raj @ Hooli, 1:1", MetInput("Raj", "Hooli", "1:1")),
        (
            "Ana Ruiz at Bank of America good fair robotics",
            MetInput("Ana Ruiz", "Bank of America", "good fair", "robotics"),
        ),
        # No kind anywhere: the name and the company are read, the kind is asked for.
        (
            "Dr. Mariana Oyelaran from the Gates Foundation, we talked about her path",
            MetInput(
                "Dr. Mariana Oyelaran", "the Gates Foundation", "", "we talked about her path"
            ),
        ),
        # A panel typed with commas, the list ending in "and".
        (
            "Jo, Priya, and Wen Li, Initech, interview",
            MetInput("Jo; Priya; Wen Li", "Initech", "interview"),
        ),
        # kind: and notes: as options, notes running past their commas.
        (
            "Sam at Acme kind:interview notes: my capstone, grid batteries; portfolio by Friday",
            MetInput(
                "Sam", "Acme", "interview", "my capstone, grid batteries; portfolio by Friday"
            ),
        ),
        (
            'Jane, Acme, kind:"career fair", note: Go, Rust',
            MetInput("Jane", "Acme", "career fair", "Go, Rust"),
        ),
        # Already in order: as typed, "at" in a company included.
        ("Jane Doe, Made at Home, interview", MetInput("Jane Doe", "Made at Home", "interview")),
        (
            "Jane Doe, Acme, interview, met at the fair",
            MetInput("Jane Doe", "Acme", "interview", "met at the fair"),
        ),
    ],
)
def test_text_typed_as_people_write_it(text: str, expected: MetInput) -> None:
    assert read(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # kind: given, the rest read as people write it.
        (
            "Sam at Acme, talked about Kafka, kind:interview",
            MetInput("Sam", "Acme", "interview", "talked about Kafka"),
        ),
        (
            "Sam from Acme, kind: coffee chat, notes: loved it",
            MetInput("Sam", "Acme", "coffee chat", "loved it"),
        ),
        ("Sam kind:interview", MetInput("Sam", "", "interview")),
        # notes: starting a field of its own after the kind.
        (
            "Sam, Acme, interview, notes: loves Rust, send resume",
            MetInput("Sam", "Acme", "interview", "loves Rust, send resume"),
        ),
    ],
)
def test_options_with_text_typed_as_people_write_it(text: str, expected: MetInput) -> None:
    assert read(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Jo, Priya and Wen, Initech, interview, platform team",
        "Jane, Ernst and Young, talked about audit, interview",
    ],
)
def test_names_or_a_company_with_and_is_asked_not_guessed(text: str) -> None:
    with pytest.raises(UserError, match=r"Is that a panel at .*Put “;” between the people"):
        read(text)


def test_an_ampersand_is_a_companys_not_a_list_of_people() -> None:
    message = validate_error("Sam, Johnson & Johnson, R&D team, interview")
    assert "the order is name, company, kind" in message


def test_option_words_in_the_notes_stay_words() -> None:
    typed = (
        "Jane, Acme, interview, she was really kind: offered to refer me, my notes: ask about Go"
    )
    assert read(typed).topics == "she was really kind: offered to refer me, my notes: ask about Go"
    # Before the notes, kind: that names no kind is text too (and then no kind was given).
    assert read("Jane, Acme kind: lovely, interview") == MetInput(
        "Jane", "Acme kind: lovely", "interview"
    )


def test_a_list_of_names_is_read_only_when_it_ends_like_one() -> None:
    # "talked about kafka" could be a company: no reading is sure, so the student is asked.
    message = validate_error("Jane, Acme, talked about kafka, interview")
    assert "“interview” is: the order is name, company, kind" in message


def test_a_panel_typed_with_commas_is_three_people() -> None:
    details = validate_met(
        read("Jo, Priya, and Wen Li, Initech, interview"), RULEBOOK, now=NOW, zone=NEW_YORK
    )
    assert details.people == ("Jo", "Priya", "Wen Li")
    assert details.company == "Initech"
