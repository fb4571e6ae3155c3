"""`make bench`: the core's speed, each figure beside the naive design it replaces, in one run.

- claim: taking the next 100 due nudges from a large outbox (SQLite file, WAL). The outbox
  claim is one UPDATE ... WHERE id IN (SELECT ... ORDER BY next_attempt_at LIMIT n) served by
  the (status, next_attempt_at) index; the naive design loads every pending nudge, filters and
  sorts in Python, and updates the chosen rows one by one.
- commands: a /met handled end to end on SQLite (parse, validate, plan, place nudges, store)
  and a /followups listing, as a student feels them (no baseline: no speed claim is made).
- writing: a 150-word thank-you email drafted and checked (draft_ms), and checked alone
  (check_ms). The draft uses templates loaded and validated once, at start; the naive design
  reads and validates them for every draft. The check looks each word up in a dictionary loaded
  once, at start, and asks for suggestions (one edit away, remembered) only for the few unknown
  words; the naive design calls the spell checker's candidates() for every word, uncached, at its
  default edit distance of 2.

Prints one line per figure and exits 0; `python -m bench --quick` runs a smaller outbox.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from spellchecker import SpellChecker
from sqlalchemy import insert, select, update

from bot.commands import Command, parse_command
from bot.domain import Address, Conversation, FollowUp, Person
from bot.drafts import draft_reply
from bot.proofread import Proofreader
from bot.services import FollowUpService, Requester
from bot.storage.migrate import upgrade_to_head
from bot.storage.schema import conversations, follow_ups, nudges, people
from bot.storage.sql import SqlStorage, create_engine
from bot.testing import FakeClock
from rules.drafts import DraftBook, load_drafts
from rules.engine import Rulebook, load_rulebook

T0 = datetime(2026, 3, 6, 20, 0, tzinfo=UTC)
_WORDS = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
ZONE = ZoneInfo("America/New_York")


async def timed(action: Callable[[], Awaitable[object]], runs: int) -> list[float]:
    """Milliseconds per run."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        await action()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"p50 {statistics.median(ordered):7.2f} ms  p95 {p95:7.2f} ms"


async def fill_outbox(storage: SqlStorage, total: int) -> None:
    """One person, one follow-up per 10 nudges; 90% of nudges already sent, the rest due later
    except a due slice at the front, as an outbox looks after a semester."""
    async with storage.engine.begin() as db:
        person_id = (
            await db.execute(
                insert(people)
                .values(
                    platform="bench",
                    workspace="w",
                    user_id="u",
                    nudges_on=True,
                    job_status="searching",
                    linkedin_plan="free",
                    next_number=1,
                    created_at=T0,
                )
                .returning(people.c.id)
            )
        ).scalar_one()
        conversation_id = (
            await db.execute(
                insert(conversations)
                .values(
                    person_id=person_id,
                    contact_name="Jane Doe",
                    company="Acme",
                    company_key="acme",
                    kind="interview",
                    met_at=T0,
                    topics="",
                    created_at=T0,
                )
                .returning(conversations.c.id)
            )
        ).scalar_one()
        follow_up_rows = [
            {
                "person_id": person_id,
                "conversation_id": conversation_id,
                "number": n + 1,
                "methods": "email",
                "ideal_by": T0,
                "due_by": T0,
                "optional": False,
                "status": "pending",
            }
            for n in range(total // 10)
        ]
        ids = (
            await db.execute(
                insert(follow_ups).returning(follow_ups.c.id, sort_by_parameter_order=True),
                follow_up_rows,
            )
        ).scalars()
        follow_up_ids = list(ids)
        rows = []
        for i in range(total):
            sent = i % 10 != 0
            due = T0 + timedelta(minutes=i % 5000 - (0 if sent else 2500))
            rows.append(
                {
                    "follow_up_id": follow_up_ids[i // 10],
                    "kind": "heads_up",
                    "due_at": due,
                    "status": "sent" if sent else "pending",
                    "attempts": 1 if sent else 0,
                    "next_attempt_at": due,
                }
            )
        await db.execute(insert(nudges), rows)


async def naive_claim(storage: SqlStorage, now: datetime, limit: int) -> int:
    async with storage.engine.begin() as db:
        rows = (await db.execute(select(nudges).where(nudges.c.status != "sent"))).mappings()
        due = sorted(
            (r for r in rows if r["status"] == "pending" and r["next_attempt_at"] <= now),
            key=lambda r: (r["next_attempt_at"], r["id"]),
        )[:limit]
        for row in due:
            await db.execute(
                update(nudges)
                .where(nudges.c.id == row["id"])
                .values(status="sending", lease_owner="naive", attempts=row["attempts"] + 1)
            )
        return len(due)


async def reset(storage: SqlStorage) -> None:
    async with storage.engine.begin() as db:
        await db.execute(
            update(nudges).where(nudges.c.status == "sending").values(status="pending", attempts=0)
        )


async def bench_claim(directory: Path, total: int, runs: int) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{directory}/claim.db")
    await upgrade_to_head(engine)
    storage = SqlStorage(engine)
    await fill_outbox(storage, total)
    now = T0 + timedelta(minutes=100)

    async def outbox_claim() -> None:
        async with storage.session() as store:
            claimed = await store.claim_due_nudges(now, "bench", now + timedelta(minutes=2), 100)
        assert len(claimed) == 100
        await reset(storage)

    async def naive() -> None:
        assert await naive_claim(storage, now, 100) == 100
        await reset(storage)

    naive_ms = await timed(naive, runs)
    claim_ms = await timed(outbox_claim, runs)
    speedup = statistics.median(naive_ms) / statistics.median(claim_ms)
    print(f"claim 100 of {total:,} nudges  outbox:  {summary(claim_ms)}")
    print(f"claim 100 of {total:,} nudges  naive:   {summary(naive_ms)}  ({speedup:.1f}x slower)")
    await engine.dispose()


def met_runner(service: FollowUpService, command: Command) -> Callable[[], Awaitable[None]]:
    """One /met per call, spread over 50 students as a club channel would."""
    counter = iter(range(10**9))

    async def met() -> None:
        requester = Requester(Address("bench", "w", f"u{next(counter) % 50}"))
        reply = await service.handle(requester, command)
        assert not reply.is_error

    return met


async def bench_commands(directory: Path, runs: int) -> None:
    rulebook = load_rulebook()
    engine = create_engine(f"sqlite+aiosqlite:///{directory}/met.db")
    await upgrade_to_head(engine)
    service = FollowUpService(SqlStorage(engine), FakeClock(T0), rulebook, default_zone=ZONE)
    met = parse_command('/met Jane Doe, Acme, interview, talked about Kafka when:"yesterday 4pm"')
    met_ms = await timed(met_runner(service, met), runs)
    # After the /met runs, each of the 50 students has runs/50 pending follow-ups.
    listing = parse_command("/followups")
    student = Requester(Address("bench", "w", "u0"))
    list_ms = await timed(lambda: service.handle(student, listing), runs)
    print(f"/met end to end (SQLite):                 {summary(met_ms)}")
    print(f"/followups with {runs // 50} pending (SQLite):       {summary(list_ms)}")
    await engine.dispose()


# Enough of what a student might note at /met for a thank-you email of about 150 words.
TOPICS = (
    "talked about Kafka and her move from intern to team lead, the migration of the billing "
    "system to event streaming, how her team runs design reviews with new graduates, mentoring "
    "for interns in their first months, the on-call rotation and how incidents are reviewed "
    "without blame, the internal mobility program that let her try product management for a "
    "quarter, what a first week looks like for a new engineer on the platform team, her advice "
    "on preparing for a system design round, and the hiring timeline for the spring cohort"
)
# Slips a student makes, for the check to find (with a word no dictionary has: Kubernetes).
SLIPS = {
    "appreciated": "apreciated",
    "opportunity": "oportunity",
    "look forward": "look foward",
    "the role": "the the role",
}


def words(text: str) -> int:
    return len(text.split())


def timed_sync(action: Callable[[], object], runs: int) -> list[float]:
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


def bench_writing(rulebook: Rulebook, runs: int) -> None:
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

    email = draft(book)
    for right, wrong in SLIPS.items():
        email = email.replace(right, wrong, 1)
    email = email.replace("event streaming", "event streaming on Kubernetes", 1)
    issues = proofreader.check(email, names=["Jane Doe", "Acme"])
    assert len(issues) == len(SLIPS) + 1, issues

    def check() -> None:
        proofreader.clear_cache()  # cold: every unknown word's suggestions computed afresh
        proofreader.check(email, names=["Jane Doe", "Acme"])

    naive_spell = SpellChecker()  # the library's default: edit distance 2
    draft_ms = timed_sync(lambda: draft(book), runs)
    naive_draft_ms = timed_sync(lambda: draft(load_drafts(rulebook=rulebook)), runs)
    check_ms = timed_sync(check, runs)
    naive_check_ms = timed_sync(lambda: naive_check(naive_spell, email), max(3, runs // 10))
    line("spell check dictionary load (once, at start)", f"{load_ms:7.1f} ms")
    line(f"draft_ms: {words(draft(book))}-word email, drafted + checked", summary(draft_ms))
    slower = statistics.median(naive_draft_ms) / statistics.median(draft_ms)
    line(
        "draft naive (templates read per draft)",
        f"{summary(naive_draft_ms)}  ({slower:.1f}x slower)",
    )
    line(f"check_ms: {words(email)}-word email, {len(issues)} issues", summary(check_ms))
    slower = statistics.median(naive_check_ms) / statistics.median(check_ms)
    line(
        "check naive (candidates() for every word)",
        f"{summary(naive_check_ms)}  ({slower:.0f}x slower, spelling only)",
    )


def line(label: str, figures: str) -> None:
    print(f"{label + ':':<48}{figures}")


async def bench_draft_command(directory: Path, runs: int) -> None:
    rulebook = load_rulebook()
    engine = create_engine(f"sqlite+aiosqlite:///{directory}/draft.db")
    await upgrade_to_head(engine)
    service = FollowUpService(SqlStorage(engine), FakeClock(T0), rulebook, default_zone=ZONE)
    student = Requester(Address("bench", "w", "drafter"))
    await service.handle(student, parse_command(f"/met Jane Doe, Acme, interview, {TOPICS}"))
    command = parse_command("/followups draft 1")
    draft_ms = await timed(lambda: service.handle(student, command), runs)
    line("/followups draft N end to end (SQLite)", summary(draft_ms))
    await engine.dispose()


async def main(quick: bool) -> None:
    with tempfile.TemporaryDirectory() as directory:
        await bench_claim(Path(directory), 5_000 if quick else 50_000, 10 if quick else 30)
        await bench_commands(Path(directory), 50 if quick else 300)
        bench_writing(load_rulebook(), 30 if quick else 200)
        await bench_draft_command(Path(directory), 30 if quick else 200)


if __name__ == "__main__":
    asyncio.run(main("--quick" in sys.argv))
