"""The design the outbox replaces, built the way people usually build it: one APScheduler 3
date job per nudge in a `SQLAlchemyJobStore`, and the conversation rows in the same SQLite file,
opened as `sqlite:///file` opens it (rollback journal) unless `wal` is asked for.

It does the same work as the bot on both ends (the same parser, rules and nudge placement at
/met; at send time, the conversation read and the DM worded by the same code); only where the
nudges live and how they are fired differs.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    select,
)

from bot.domain import Address, Conversation, FollowUp, NudgeKind, Person
from bot.messages import nudge_message, plan_reply
from bot.met import MetInput, validate_met, when_prefix
from bot.replies import Reply
from rules.engine import Rulebook, place_nudges, plan_follow_ups

metadata = MetaData()
naive_conversations = Table(
    "naive_conversations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("student", String(64)),
    Column("contact_name", String(100)),
    Column("company", String(100)),
    Column("kind", String(32)),
    Column("met_at", DateTime(timezone=True)),
    Column("topics", Text),
)

# What the zero-latency messenger keeps: a count, as the bot's benchmark messenger does.
delivered = 0
expected = 0
all_delivered = asyncio.Event()
# What the jobs read: APScheduler stores a job as a reference to a module-level function and
# its arguments, so the bot running them is found here.
running: NaiveBot | None = None


async def send_nudge(conversation_id: int, number: int, kind: str, due_by: datetime) -> None:
    """The job each nudge becomes: read the conversation, word the DM as the bot does, and send
    it through a zero-latency messenger."""
    assert running is not None
    with running.engine.connect() as db:
        row = db.execute(
            select(naive_conversations).where(naive_conversations.c.id == conversation_id)
        ).one()
    met_at = row.met_at.replace(tzinfo=UTC) if row.met_at.tzinfo is None else row.met_at
    conversation = Conversation(
        1, row.contact_name, row.company, row.kind, met_at, met_at, topics=row.topics
    )
    follow_up = FollowUp(1, conversation_id, number, ("email",), due_by, due_by, id=number)
    now = datetime.now(UTC)
    global delivered
    # Worded as the bot words it; the zero-latency messenger then only counts it.
    nudge_message(
        kind=NudgeKind(kind),
        follow_ups=[follow_up],
        conversation=conversation,
        rule=running.rulebook.kinds.get(row.kind),
        rulebook=running.rulebook,
        now=now,
        zone=running.zone,
        late_since=None,
    )
    delivered += 1
    if delivered >= expected:
        all_delivered.set()


class NaiveBot:
    def __init__(
        self, path: Path, rulebook: Rulebook, zone: ZoneInfo, *, wal: bool = False
    ) -> None:
        self.engine = create_engine(f"sqlite:///{path}")
        if wal:
            with self.engine.begin() as db:
                db.exec_driver_sql("PRAGMA journal_mode=WAL")
        metadata.create_all(self.engine)
        self.rulebook = rulebook
        self.zone = zone
        global running
        running = self
        self.scheduler = AsyncIOScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.engine)},
            job_defaults={"misfire_grace_time": None, "coalesce": False},
        )

    def start_paused(self) -> None:
        self.scheduler.start(paused=True)

    def met(self, student: str, text: str, now: datetime) -> Reply:
        """/met: validate and plan like the bot, read who else the student met at the company,
        store the row, add a job per nudge, and answer with the same plan."""
        fields = MetInput.from_text(text, time_prefix=when_prefix(now, self.zone))
        details = validate_met(fields, self.rulebook, now=now, zone=self.zone)
        with self.engine.begin() as db:
            earlier = db.execute(
                select(naive_conversations).where(
                    naive_conversations.c.student == student,
                    naive_conversations.c.company == details.company,
                )
            ).all()
            conversation_id = db.execute(
                naive_conversations.insert().values(
                    student=student,
                    contact_name=details.name,
                    company=details.company,
                    kind=details.kind.key,
                    met_at=details.met_at,
                    topics=details.topics,
                )
            ).inserted_primary_key[0]
        conversation = Conversation(
            1,
            details.name,
            details.company,
            details.kind.key,
            details.met_at,
            now,
            topics=details.topics,
            id=conversation_id,
        )
        person = Person(
            Address("naive", "W", student), now, quiet_hours=self.rulebook.timing.default_quiet
        )
        planned = []
        for number, plan in enumerate(plan_follow_ups(details.kind, details.met_at), start=1):
            follow_up = FollowUp(
                1, conversation_id, number, plan.methods, plan.ideal_by, plan.due_by, id=number
            )
            nudges = place_nudges(
                self.rulebook.timing,
                met_at=details.met_at,
                ideal_by=plan.ideal_by,
                due_by=plan.due_by,
                now=now,
                zone=self.zone,
                quiet=self.rulebook.timing.default_quiet,
            )
            for nudge in nudges:
                self.scheduler.add_job(
                    send_nudge,
                    "date",
                    run_date=nudge.due_at,
                    args=[conversation_id, number, nudge.kind.value, plan.due_by],
                )
            planned.append((follow_up, nudges))
        return plan_reply(
            conversation=conversation,
            kind=details.kind,
            follow_ups=planned,
            earlier=[
                Conversation(1, r.contact_name, r.company, r.kind, r.met_at, now, id=r.id)
                for r in earlier
            ],
            person=person,
            rulebook=self.rulebook,
            now=now,
            zone=self.zone,
            nudged=bool(planned),
        )

    def add_due_jobs(self, count: int, due: datetime) -> None:
        """`count` conversations, each with a heads-up job due at `due`."""
        with self.engine.begin() as db:
            ids = [
                db.execute(
                    naive_conversations.insert().values(
                        student=f"u{n % 500}",
                        contact_name=f"Contact {n}",
                        company="Acme",
                        kind="interview",
                        met_at=due - timedelta(hours=24),
                        topics="Kafka",
                    )
                ).inserted_primary_key[0]
                for n in range(count)
            ]
        for n, conversation_id in enumerate(ids):
            self.scheduler.add_job(
                send_nudge,
                "date",
                run_date=due,
                args=[conversation_id, n + 1, "heads_up", due + timedelta(hours=24)],
            )

    async def drain(self, count: int) -> float:
        """Resume the scheduler and time how long it takes to fire `count` due jobs."""
        global delivered, expected
        delivered = 0
        all_delivered.clear()
        expected = count
        start = time.perf_counter()
        self.scheduler.resume()
        async with asyncio.timeout(300):
            await all_delivered.wait()
        return time.perf_counter() - start

    def close(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.engine.dispose()
