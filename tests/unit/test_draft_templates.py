"""The draft templates as data: the bundled file is valid, and a bad one fails at start naming
the file, the line and the problem."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

import pytest

from rules.drafts import DraftsError, Phrasings, fill, fill_within, load_drafts
from rules.engine import Rulebook, RulebookError, parse_rulebook

BUNDLED = resources.files("rules").joinpath("drafts.toml").read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def broken(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    assert old in BUNDLED, old
    text = BUNDLED.replace(old, new, 1)
    path = tmp_path / "drafts.toml"
    path.write_text(text, encoding="utf-8")
    return path, text


def test_the_bundled_templates_are_valid(rulebook: Rulebook) -> None:
    book = load_drafts(rulebook=rulebook)
    assert book.source == "rules/drafts.toml"
    for key, kind in rulebook.kinds.items():
        style = book.style_for(key, kind)
        for rule in kind.follow_ups:
            assert set(rule.methods) <= set(style.pieces)


def test_a_bad_file_is_a_rulebook_error_so_the_command_line_reports_it(tmp_path: Path) -> None:
    with pytest.raises(RulebookError, match=r"can't be read"):
        load_drafts(tmp_path / "missing.toml")


def test_unknown_placeholder_names_file_line_and_problem(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    path, text = broken(
        tmp_path,
        '"I liked hearing about {topic}.",\n    "Your take on {topic} stuck with me.",\n'
        '    "I appreciated learning about {topic}.",',
        '"I liked hearing about {topic}.",\n    "Your take on {topic} stuck with me.",\n'
        '    "I appreciated learning about {compny}.",',
    )
    with pytest.raises(DraftsError) as caught:
        load_drafts(path, rulebook=rulebook)
    err = caught.value
    assert err.line == line_of(text, "{compny}")
    assert str(err).startswith(f"{path}:{err.line}: styles.fair.linkedin.topic[2]: ")
    assert "unknown placeholder {compny} (did you mean {company}?)" in str(err)


@pytest.mark.parametrize(
    ("old", "new", "needle", "problem"),
    [
        (
            'subject = ["Thank you for your time"',
            'subject = ["Thank you for {topic}"',
            "Thank you for {topic}",
            "{topic} can't be used in this part",
        ),
        (
            '"Thank you, {first_name}",\n    "Following up on my interview',
            '"Thank you, {first_name",\n    "Following up on my interview',
            '{first_name"',
            "a lone “{”",
        ),
        (
            'signoff = ["Best regards,", "Best wishes,", "Warm regards,"]',
            "signoff = []",
            "signoff = []",
            "must be a list of at least one phrasing",
        ),
        (
            'signoff = ["Best regards,", "Best wishes,", "Warm regards,"]',
            'sign_off = ["Best regards,"]',
            "sign_off",
            "unknown key (did you mean signoff?)",
        ),
        ('kinds = ["call"]', 'kinds = ["cal"]', 'kinds = ["cal"]', "(did you mean call?)"),
        (
            'kinds = ["networking", "group"]',
            'kinds = ["networking", "group", "call"]',
            'kinds = ["networking", "group", "call"]',
            "call is already in styles.call",
        ),
        ('conversation = "call"', 'conversation = "chat"', 'conversation = "chat"', "not a style"),
        ("version = 1", "version = 2", "version = 2", "must be 1"),
    ],
)
def test_each_problem_is_named_with_its_line(
    tmp_path: Path, rulebook: Rulebook, old: str, new: str, needle: str, problem: str
) -> None:
    path, text = broken(tmp_path, old, new)
    with pytest.raises(DraftsError) as caught:
        load_drafts(path, rulebook=rulebook)
    assert problem in str(caught.value)
    assert caught.value.line == line_of(text, needle)


def test_a_kind_that_follows_up_on_linkedin_needs_a_note(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    start = BUNDLED.index("[styles.event.linkedin]")
    end = BUNDLED.index("[styles.fair]")
    path = tmp_path / "drafts.toml"
    path.write_text(BUNDLED[:start] + BUNDLED[end:], encoding="utf-8")
    with pytest.raises(DraftsError, match=r"follows up by linkedin.*\[styles\.event\.linkedin\]"):
        load_drafts(path, rulebook=rulebook)


def test_a_note_whose_own_words_leave_no_room_is_refused(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    path, _ = broken(
        tmp_path,
        '"Let\'s stay connected.", "I\'d be glad to keep in touch."]',
        '"Let\'s stay connected.", "' + "I would be very glad indeed to keep in touch. " * 3 + '"]',
    )
    with pytest.raises(DraftsError, match=r"leaving too little for names and topics"):
        load_drafts(path, rulebook=rulebook)


def test_a_syntax_error_names_its_line(tmp_path: Path) -> None:
    path, text = broken(tmp_path, "[styles.call]", "[styles.call")
    with pytest.raises(DraftsError) as caught:
        load_drafts(path)
    assert caught.value.line == line_of(text, "[styles.call")
    assert "(syntax)" in str(caught.value)


def test_phrasings_are_chosen_the_same_each_time_and_differ_across_a_panel() -> None:
    phrasings = Phrasings({"a": ("1", "2", "3"), "b": ("x", "y"), "c": ("p", "q", "r")})
    assert phrasings.combinations == 18
    assert phrasings.choose(5) == phrasings.choose(5)
    # One student's conversations one after another: every combination once.
    chosen = [tuple(phrasings.choose(seed).values()) for seed in range(100, 118)]
    assert len(set(chosen)) == 18
    assert len({c[1:] for c in chosen[:6]}) > 1  # more than the first part changes
    # Three people of one panel: a different phrasing of every part that has three.
    panel = [phrasings.choose(5, offset) for offset in range(3)]
    for part in ("a", "c"):
        assert len({p[part] for p in panel}) == 3
    assert len({p["b"] for p in panel}) == 2


def test_fill_puts_values_in_once() -> None:
    assert fill("Dear {first_name},", {"first_name": "{company}"}) == "Dear {company},"
    assert fill("{unknown} stays", {}) == "{unknown} stays"


def test_fill_within_shortens_the_longest_values_first() -> None:
    template = "Hi {first_name}, about {topic}."
    values = {"first_name": "Jane", "topic": "a very long topic that goes on and on and on"}
    text = fill_within(template, values, 30)
    assert len(text) <= 30
    assert text.startswith("Hi Jane, about a very")
    assert text.endswith("….")


def test_the_rulebook_carries_one_line_of_advice_per_follow_up(rulebook: Rulebook) -> None:
    interview = rulebook.kinds["interview"].follow_ups[0]
    assert interview.advice == (
        "personalized, one or two short paragraphs, mention what you discussed; check spelling "
        "before you send"
    )
    assert all(rule.advice for kind in rulebook.kinds.values() for rule in kind.follow_ups)
    data = tomllib.loads(resources.files("rules").joinpath("rulebook.toml").read_text())
    data["kinds"]["interview"]["follow_ups"][0]["advice"] = "  "
    with pytest.raises(RulebookError, match=r"kinds\.interview\.follow_ups\[0\]\.advice"):
        parse_rulebook(data, "club.toml")
