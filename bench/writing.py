"""Writing help figures: a draft and a check of a 150-word thank-you email, beside the naive way.

The draft uses templates loaded and validated once, at start; the naive design reads and
validates them for every draft. The check looks each word up in a dictionary loaded once and
asks for suggestions (one edit away, remembered) only for the few unknown words; the naive design
calls the spell checker's candidates() for every word, uncached, at its default edit distance 2.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from spellchecker import SpellChecker

from bot.commands import parse_command
from bot.domain import Address, Conversation, FollowUp, Person
from bot.draft_reply import draft_reply
from bot.drafts import write_drafts
from bot.proofread import Proofreader
from bot.services import FollowUpService, Requester
from bot.storage.migrate import upgrade_to_head
from bot.storage.sql import SqlStorage, create_engine
from bot.testing import FakeClock
from rules.drafts import DraftBook, load_drafts
from rules.engine import Rulebook, load_rulebook

T0 = datetime(2026, 3, 6, 20, 0, tzinfo=UTC)
ZONE = ZoneInfo("America/New_York")
_WORDS = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")

# Enough of what a student might note at /met for a thank-you email of about 150 words, in
# sentences and lists as students write them.
TOPICS = (
    "I asked her about Kafka; she told me about her move from intern to team lead. She is "
    "leading the migration of the billing system to event streaming. Also how her team runs design reviews with new graduates, mentoring "
    "for interns in their first months, the on-call rotation and how incidents are reviewed "
    "without blame, the internal mobility program that let her try product management for a "
    "quarter, what a first week looks like for a new engineer on the platform team, her advice "
    "on preparing for a system design round, and the hiring timeline for the spring cohort"
)
# Slips a student makes, for the check to find, in a last paragraph of their own (with a word
# no dictionary has: Kubernetes): three misspellings, a repeated word and a confused word.
SLIPS = (
    "I apreciated the oportunity to learn about Kubernetes, and I look foward to the the next "
    "steps. Thank your for considering me."
)
SLIPS_FOUND = 6


def timed_sync(action: Callable[[], object], runs: int) -> list[float]:
    """Milliseconds per run."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def naive_check(spell: SpellChecker, text: str) -> list[str]:
    """Spelling only, the way the library's examples go: candidates() for every word."""
    unknown = []
    for word in _WORDS.findall(text):
        candidates = spell.candidates(word.casefold())
        if candidates is None or word.casefold() not in candidates:
            unknown.append(word)
    return unknown


def bench_writing(rulebook: Rulebook, runs: int) -> dict[str, float]:
    start = time.perf_counter()
    proofreader = Proofreader.load()
    load_ms = (time.perf_counter() - start) * 1000
    book = load_drafts(rulebook=rulebook)
    conversation = Conversation(1, "Jane Doe", "Acme", "interview", T0, T0, topics=TOPICS, id=1)
    follow_up = FollowUp(1, 1, 1, ("email",), T0, T0, id=1)
    person = Person(Address("bench", "w", "u"), T0, name="Alex Kim")

    def draft(templates: DraftBook) -> str:
        reply = draft_reply(
            book=templates,
            proofreader=proofreader,
            follow_up=follow_up,
            conversation=conversation,
            siblings=[],
            person=person,
            rulebook=rulebook,
            now=T0,
            zone=ZONE,
            names=["Jane Doe", "Acme"],
        )
        return reply.sections[0].text

    signed_off = draft(book).rsplit("\n\n", 1)
    email = f"{signed_off[0]}\n\n{SLIPS}\n\n{signed_off[1]}"
    issues = proofreader.check(email, names=["Jane Doe", "Acme"])
    assert len(issues) == SLIPS_FOUND, issues

    def check() -> None:
        proofreader.clear_cache()  # cold: every unknown word's suggestions computed afresh
        proofreader.check(email, names=["Jane Doe", "Acme"])

    panel = ["Priya Raman", "Tom O'Brien", "Dr. Ana de la Cruz"]
    panel_conversation = Conversation(
        1, "Priya Raman, Tom O'Brien and Dr. Ana de la Cruz", "Acme", "interview", T0, T0,
        topics=TOPICS, id=2,
    )  # fmt: skip

    def draft_panel() -> None:
        for number, contact in enumerate(panel, start=1):
            to_one = FollowUp(1, 2, number, ("email",), T0, T0, contact=contact, id=number)
            write_drafts(
                book,
                conversation=panel_conversation,
                follow_up=to_one,
                person=person,
                rulebook=rulebook,
                now=T0,
                zone=ZONE,
                people=panel,
            )

    naive_spell = SpellChecker()  # the library's default: edit distance 2
    draft_ms = timed_sync(lambda: draft(book), runs)
    naive_draft_ms = timed_sync(lambda: draft(load_drafts(rulebook=rulebook)), runs)
    check_ms = timed_sync(check, runs)
    panel_ms = timed_sync(draft_panel, runs)
    naive_check_ms = timed_sync(lambda: naive_check(naive_spell, email), max(3, runs // 10))
    return {
        "draft_ms": statistics.median(draft_ms),
        "naive_draft_ms": statistics.median(naive_draft_ms),
        "check_ms": statistics.median(check_ms),
        "panel_draft_ms": statistics.median(panel_ms),
        "naive_check_ms": statistics.median(naive_check_ms),
        "draft_words": len(draft(book).split()),
        "check_words": len(email.split()),
        "spell_load_ms": load_ms,
    }


async def bench_draft_command(directory: Path, runs: int) -> dict[str, float]:
    """/followups draft N end to end on SQLite, as a student feels it."""
    rulebook = load_rulebook()
    engine = create_engine(f"sqlite+aiosqlite:///{directory}/draft.db")
    await upgrade_to_head(engine)
    service = FollowUpService(SqlStorage(engine), FakeClock(T0), rulebook, default_zone=ZONE)
    student = Requester(Address("bench", "w", "drafter"))
    await service.handle(student, parse_command(f"/met Jane Doe, Acme, interview, {TOPICS}"))
    command = parse_command("/followups draft 1")
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        await service.handle(student, command)
        samples.append((time.perf_counter() - start) * 1000)
    await engine.dispose()
    return {"draft_command_ms": statistics.median(samples)}
