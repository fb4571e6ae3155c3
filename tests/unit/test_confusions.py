"""The checker's easily confused words: each rule catches its slip and keeps quiet on the right
word, in sentences students write in thank-you notes."""

from __future__ import annotations

import pytest

from bot.confusions import CONFUSIONS
from bot.proofread import Issue, IssueKind, Proofreader, shared_proofreader

# Each rule: sentences with the slip (and the fix), and sentences that are right as they are.
CASES: dict[str, tuple[list[tuple[str, str]], list[str]]] = {
    "you → your": (
        [("Thank you for you time.", "your"), ("I valued you advice on my resume.", "your")],
        ["Thank you for your time.", "I made this for you today.", "It was good of you to call."],
    ),
    "your → you": (
        [("Thank your for the chat.", "you"), ("Thank your so much for the tour.", "you")],
        ["Thank you for the chat.", "Your thank-you note was lovely."],
    ),
    "your → you're": (
        [("Let me know if your hiring interns.", "you're"), ("Your welcome to call.", "You're")],
        [
            "Your team impressed me.",
            "I admire your busy schedule.",
            "I look forward to your reply.",
        ],
    ),
    "you're → your": (
        [("Thank you for you're time.", "your"), ("I enjoyed you're advice.", "your")],
        ["You're very kind.", "I hope you're well."],
    ),
    "its → it's": (
        [("Its been a pleasure.", "It's"), ("I think its a great fit.", "it's")],
        ["Acme and its mission inspire me.", "The team and its great culture stood out."],
    ),
    "it's → its": (
        [
            ("Acme and it's mission inspire me.", "its"),
            ("The company values it's own people.", "its"),
        ],
        ["It's been a pleasure.", "It's a great fit."],
    ),
    "here → hear": (
        [("I look forward to here from you.", "hear"), ("I'd love to here more about it.", "hear")],
        ["I look forward to hearing from you.", "I am here to help.", "Here is my resume."],
    ),
    "hear → here": (
        [("Hear is my resume.", "Here"), ("My portfolio is hear.", "here")],
        ["I hope to hear from you.", "I was glad to hear about it."],
    ),
    "there → their": (
        [
            ("I enjoyed hearing about there team.", "their"),
            ("I'd love to join there office.", "their"),
        ],
        [
            "There is a role I like.",
            "I met them there today.",
            "I enjoyed hearing about their team.",
        ],
    ),
    "their → there": (
        [("Their is a role I like.", "There"), ("I hope that their are openings.", "there")],
        ["Their team is great.", "I enjoyed their talk."],
    ),
    "there → they're": (
        [("I heard there hiring interns.", "they're"), ("I hope there growing fast.", "they're")],
        ["There is a role I like.", "I hope they're hiring."],
    ),
    "they're → their": (
        [("Thank them for they're time.", "their"), ("I admire they're work.", "their")],
        ["I hope they're well.", "They're hiring."],
    ),
    "to → too": (
        [("It is never to late to learn.", "too"), ("It was a pleasure to meet you to.", "too")],
        [
            "I reached out to many people.",
            "I talked to early-career engineers.",
            "I look forward to it.",
        ],
    ),
    "too → to": (
        [("I hope too meet you again.", "to"), ("I look forward too hear from you.", "to")],
        ["It was too late.", "I enjoyed it too.", "I hope to meet you again."],
    ),
    "then → than": (
        [("I learned more then I expected.", "than"), ("It was better then any class.", "than")],
        ["I learned more than I expected.", "I applied, and then I called."],
    ),
    "than → then": (
        [("I applied and than I called.", "then"), ("I will wait until than.", "then")],
        ["I learned more than I expected.", "I applied, and then I called."],
    ),
    "loose → lose": (
        [("I don't want to loose touch.", "lose"), ("I would hate to loose the chance.", "lose")],
        ["I tied up loose ends.", "I don't want to lose touch."],
    ),
    "lose → loose": (
        [("I will tie up any lose ends.", "loose")],
        ["I don't want to lose touch.", "We may lose the chance."],
    ),
    "affect → effect": (
        [("It had a big affect on me.", "effect"), ("Your advice had a lasting affect.", "effect")],
        ["It will affect my decision.", "It had a big effect on me."],
    ),
    "effect → affect": (
        [
            ("It will effect my decision.", "affect"),
            ("Nothing could effect how I see it.", "affect"),
        ],
        ["It had a big effect on me.", "It will affect my decision."],
    ),
}


@pytest.fixture(scope="module")
def proofreader() -> Proofreader:
    return shared_proofreader()


def confused(proofreader: Proofreader, text: str) -> list[Issue]:
    kinds = (IssueKind.CONFUSED_WORD, IssueKind.MISSING_WORD)
    return [i for i in proofreader.check(text) if i.kind in kinds]


def test_every_rule_has_its_cases() -> None:
    assert {rule.name for rule in CONFUSIONS} == set(CASES)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_each_rule_catches_its_slip(proofreader: Proofreader, rule: str) -> None:
    slips, _ = CASES[rule]
    for text, fix in slips:
        issues = confused(proofreader, text)
        assert [i.suggestions for i in issues] == [(fix,)], text
        assert text[issues[0].start : issues[0].end] == issues[0].found
        fixed = text[: issues[0].start] + fix + text[issues[0].end :]
        assert confused(proofreader, fixed) == [], fixed


@pytest.mark.parametrize("rule", sorted(CASES))
def test_each_rule_keeps_quiet_on_the_right_word(proofreader: Proofreader, rule: str) -> None:
    _, right = CASES[rule]
    for text in right:
        assert confused(proofreader, text) == [], text


def test_a_missing_word_after_for(proofreader: Proofreader) -> None:
    issues = confused(proofreader, "Thank you for time and thanks for advice.")
    assert [(i.kind, i.found, i.suggestions) for i in issues] == [
        (IssueKind.MISSING_WORD, "for time", ("for your time",)),
        (IssueKind.MISSING_WORD, "for advice", ("for your advice",)),
    ]
    assert str(issues[0]) == "A word is missing: “for time” → “for your time”"
    for right in (
        "Thank you for your time.",
        "Thank you for meeting with me.",
        "Thanks for the advice.",
    ):
        assert confused(proofreader, right) == [], right


def test_the_issue_from_the_report(proofreader: Proofreader) -> None:
    text = (
        "Thank your for the chat. Its been great. Thank you for you time; I look forward to "
        "here from you."
    )
    found = [str(i) for i in confused(proofreader, text)]
    assert found == [
        "Easily confused: “your” → “you”",
        "Easily confused: “Its” → “It's”",
        "Easily confused: “you” → “your”",
        "Easily confused: “here” → “hear”",
    ]


def test_hyphenated_words_are_words(proofreader: Proofreader) -> None:
    text = "Your path from co-op to staff engineer and the re-org after the on-call change."
    assert proofreader.check(text) == []
    issues = proofreader.check("The on-call rotaton and the co-op progam.")
    assert [(i.found, i.suggestions[:1]) for i in issues] == [
        ("rotaton", ("rotation",)),
        ("progam", ("program",)),
    ]
    # A recorded name is a word, hyphens and all.
    assert proofreader.check("Hi Min-jun, thank you.", names=["Kim Min-jun"]) == []
