"""The spelling and grammar check: what it finds, what it suggests, what it leaves alone."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import proofread
from bot.proofread import (
    NO_ISSUES,
    IssueKind,
    Proofreader,
    check_lines,
    shared_proofreader,
    starts_with_vowel_sound,
)


@pytest.fixture(scope="module")
def checker() -> Proofreader:
    return shared_proofreader()


def found(checker: Proofreader, text: str, kind: IssueKind, **names: list[str]) -> list[str]:
    return [i.found for i in checker.check(text, names=names.get("names", [])) if i.kind is kind]


# -- spelling -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "suggestion"),
    [
        ("recieve", "receive"),
        ("definately", "definitely"),
        ("seperate", "separate"),
        ("occured", "occurred"),
        ("thier", "their"),
        ("accomodate", "accommodate"),
        ("untill", "until"),
        ("dont", "don't"),
        ("im", "I'm"),
        ("Becuase", "Because"),
    ],
)
def test_misspellings_are_found_with_a_sensible_suggestion(
    checker: Proofreader, word: str, suggestion: str
) -> None:
    (issue,) = checker.check(f"Thank you, and {word} that.")
    assert issue.kind is IssueKind.SPELLING
    assert issue.found == word
    assert issue.suggestions[0] == suggestion
    assert f"“{word}” → {suggestion}" in str(issue)


def test_a_word_with_no_close_match_is_still_reported(checker: Proofreader) -> None:
    (issue,) = checker.check("It was xqzvplk.")
    assert issue.suggestions == ()
    assert "isn't in the dictionary" in str(issue)


def test_recorded_names_and_companies_are_not_misspellings(checker: Proofreader) -> None:
    text = "Thank you, Zyxwell. Quorvex's team and Zyxwell were great."
    assert found(checker, text, IssueKind.SPELLING) == ["Zyxwell", "Quorvex's"]
    names = ["Zyxwell Abernathy-Smith", "Quorvex Labs"]
    assert checker.check(text, names=names) == []


def test_the_same_misspelling_is_reported_once_with_a_count(checker: Proofreader) -> None:
    (issue,) = checker.check("Recieve it. I recieve it. We recieve it.")
    assert issue.times == 3
    assert "(3 times)" in str(issue)


@pytest.mark.parametrize(
    "text",
    [
        "I'd love to connect on LinkedIn and GitHub.",  # capitals inside
        "An MBA at NYU, with AWS and SQL.",  # acronyms
        "See https://exmaple.com/jbos or write to alex@exmaple.org.",  # addresses
        "I met <@U123ABC> in #careers on the 3rd.",  # platform markup, numbers
        "Your onboarding and fintech roadmap sound exciting.",  # rules/words.txt
        "The café and the résumé workshop were great.",  # accents
        "Thank you, Zoë and 李明, for the talk.",  # other alphabets are names
    ],
)
def test_what_spelling_leaves_alone(checker: Proofreader, text: str) -> None:
    assert found(checker, text, IssueKind.SPELLING) == []


# -- grammar --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "bad", "found_text", "fix", "good"),
    [
        (
            IssueKind.REPEATED_WORD,
            "Thank you for the the interview.",
            "the the",
            "the",
            "I had had a long day, and I think that that is fine.",
        ),
        (
            IssueKind.LOWER_CASE_START,
            "Thank you. it was great.",
            "it",
            "It",
            "Thank you, e.g. for the tip. I use my iPhone. See you at 3 p.m. tomorrow.",
        ),
        (
            IssueKind.LOWER_CASE_I,
            "Today i learned a lot.",
            "i",
            "I",
            "I learned a lot, i.e. plenty. Point (i) stands.",
        ),
        (
            IssueKind.LOWER_CASE_I,
            "Thanks, i'm grateful.",
            "i'm",
            "I'm",
            "Thanks, I'm grateful.",
        ),
        (
            IssueKind.ARTICLE,
            "It was a interview.",
            "a interview",
            "an interview",
            "An hour, a university, a one-on-one, an MBA, a European trip, an honest chat.",
        ),
        (
            IssueKind.ARTICLE,
            "It was an great chat.",
            "an great",
            "a great",
            "A FAANG offer, an 8-week course, an 18-month plan, a UX role, an HR team, plan A is good.",
        ),
        (
            IssueKind.FINAL_PUNCTUATION,
            "Thank you for your time",
            "…for your time",
            "time.",
            "Thank you for your time! Was it useful? Yes… (It was.)",
        ),
        (
            IssueKind.DOUBLED_SPACE,
            "Thank you for  your time.",
            "for  your",
            "for your",
            "Thank you for your time.\nBest regards,\n\nAlex",
        ),
    ],
)
def test_each_grammar_rule(
    checker: Proofreader, kind: IssueKind, bad: str, found_text: str, fix: str, good: str
) -> None:
    issues = [i for i in checker.check(bad) if i.kind is kind]
    assert [i.found for i in issues] == [found_text]
    assert fix in issues[0].suggestions[0]
    assert [i for i in checker.check(good) if i.kind is kind] == []


def test_an_email_with_greeting_sign_off_and_subject_is_clean(checker: Proofreader) -> None:
    email = (
        "Subject: Thank you for the interview\n\nDear Jane,\n\nThank you for your time today. "
        "I enjoyed it.\n\nBest regards,\nAlex Kim"
    )
    assert checker.check(email) == []
    assert check_lines([]) == [NO_ISSUES]
    # Typed on one line (a slash command has no line breaks), the signature is still one.
    assert checker.check(" ".join(email.split()).removeprefix("Subject: ")) == []
    assert checker.check("Thank you for the chat. See you soon. Alex") == []


def test_every_issue_in_order_and_worded(checker: Proofreader) -> None:
    text = "thank you for the the interview. i am greatful for a opportunity  to recieve advice"
    lines = check_lines(checker.check(text))
    assert lines[0] == "8 things to check:"
    assert lines[1:] == [
        "- A sentence starts in lower case: “thank” → “Thank”",
        "- Repeated word: “the the” → “the”",
        "- “i” on its own is written “I”: “i” → “I”",
        "- Spelling: “greatful” isn't in the dictionary (a name? then it's fine)",
        "- “a” before a vowel sound: “a opportunity” → “an opportunity”",
        "- Doubled space: “opportunity  to” → “opportunity to”",
        "- Spelling: “recieve” → receive or relieve",
        "- Missing final punctuation: “…to recieve advice” → end it with a full stop",
    ]


@pytest.mark.parametrize(
    ("word", "vowel"),
    [
        ("apple", True),
        ("hour", True),
        ("honest", True),
        ("MBA", True),
        ("F-1", True),
        ("F", True),
        ("university", False),
        ("unimportant", True),
        ("European", False),
        ("one-on-one", False),
        ("onerous", True),
        ("8", True),
        ("11th", True),
        ("1800s", True),
        ("100", False),
        ("FAANG", False),
        ("SQL", None),
        ("herb", None),
        ("iPhone", True),
    ],
)
def test_vowel_sounds(word: str, vowel: bool | None) -> None:
    assert starts_with_vowel_sound(word) is vowel


def test_the_dictionary_is_loaded_once_not_per_check(
    checker: Proofreader, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads = []

    class Counting(proofread.SpellChecker):  # type: ignore[misc]
        def __init__(self, *args: object, **kwargs: object) -> None:
            loads.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(proofread, "SpellChecker", Counting)
    fresh = Proofreader.load()
    for _ in range(3):
        fresh.check("Thank you for recieving me.")
    assert loads == [1]
    assert shared_proofreader() is shared_proofreader()


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=400), names=st.lists(st.text(max_size=30), max_size=3))
def test_any_text_is_checked_without_failing(text: str, names: list[str]) -> None:
    issues = shared_proofreader().check(text, names=names)
    assert [i.start for i in issues] == sorted(i.start for i in issues)
    for issue in issues:
        assert 0 <= issue.start <= issue.end <= len(text)
        assert str(issue)
    assert check_lines(issues)


def test_a_drafts_gaps_to_fill_are_not_checked() -> None:
    issues = Proofreader.load().check("I'd love to stay in touch.\n[your name]")
    assert issues == []
