"""The small words replies share: what a note's topics are, how long a LinkedIn note may be."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from bot.domain import Address, LinkedInPlan, Person
from bot.messages.words import note_limit, topics_phrase
from rules.engine import Rulebook


@pytest.mark.parametrize(
    ("typed", "topics"),
    [
        ("we talked about Kafka", "Kafka"),
        ("discussed the payments API migration", "the payments API migration"),
        ("and also asked about the internship program", "the internship program"),
        ("I learned of their robotics team", "their robotics team"),
        ("learned Python at her startup", "Python at her startup"),
        ("we discussed about the new team", "the new team"),
        ("about robotics internships", "robotics internships"),
        # A verb without its preposition is part of the topic: no word of it is dropped.
        ("heard back from the recruiter", "heard back from the recruiter"),
        ("asked her to review my resume", "asked her to review my resume"),
        (
            "Kafka and her move from intern to team lead",
            "Kafka and her move from intern to team lead",
        ),
    ],
)
def test_topics_lose_only_the_words_that_introduce_them(typed: str, topics: str) -> None:
    assert topics_phrase(typed) == topics


def _person(plan: LinkedInPlan) -> Person:
    return Person(
        Address("console", "ws", "alice"),
        created_at=datetime(2026, 3, 6, tzinfo=UTC),
        linkedin_plan=plan,
    )


def test_note_limit_follows_the_rulebook_and_the_plan(rulebook: Rulebook) -> None:
    linkedin = rulebook.methods["linkedin"]
    assert note_limit(_person(LinkedInPlan.FREE), rulebook) == linkedin.note_chars_free
    assert note_limit(_person(LinkedInPlan.PREMIUM), rulebook) == linkedin.note_chars_premium


def test_note_limit_falls_back_to_linkedins_own_limits(rulebook: Rulebook) -> None:
    """A club's rulebook without LinkedIn figures (or without LinkedIn) still gets LinkedIn's
    real limits: 200 characters on a free account, 300 on Premium."""
    silent = dataclasses.replace(
        rulebook.methods["linkedin"], note_chars_free=None, note_chars_premium=None
    )
    without_figures = dataclasses.replace(
        rulebook, methods={**rulebook.methods, "linkedin": silent}
    )
    without_linkedin = dataclasses.replace(
        rulebook, methods={k: v for k, v in rulebook.methods.items() if k != "linkedin"}
    )
    for book in (without_figures, without_linkedin):
        assert note_limit(_person(LinkedInPlan.FREE), book) == 200
        assert note_limit(_person(LinkedInPlan.PREMIUM), book) == 300
