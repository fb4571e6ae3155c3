"""The design the outbox replaces, built the way people usually build it: one APScheduler 3
date job per nudge in a `SQLAlchemyJobStore`, and the conversation rows in the same SQLite file,
opened as `sqlite:///file` opens it (rollback journal) unless `wal` is asked for.

It does the same planning work as the bot (the same parser, rules and nudge placement); only
where the nudges live and how they are fired differs.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, create_engine

from bot.met import MetInput, validate_met, when_prefix
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

delivered: list[tuple[int, str]] = []
expected = 0
all_delivered = asyncio.Event()


async def send_nudge(conversation_id: int, kind: str) -> None:
    """The job each nudge becomes: a zero-latency send."""
    delivered.append((conversation_id, kind))
    if len(delivered) >= expected:
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
        self.scheduler = AsyncIOScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.engine)},
            job_defaults={"misfire_grace_time": None, "coalesce": False},
        )

    def start_paused(self) -> None:
        self.scheduler.start(paused=True)

    def met(self, student: str, text: str, now: datetime) -> int:
        """/met: validate and plan like the bot, store the row, add a job per nudge."""
        fields = MetInput.from_text(text, time_prefix=when_prefix(now, self.zone))
        details = validate_met(fields, self.rulebook, now=now, zone=self.zone)
        with self.engine.begin() as db:
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
        jobs = 0
        for plan in plan_follow_ups(details.kind, details.met_at):
            for nudge in place_nudges(
                self.rulebook.timing,
                met_at=details.met_at,
                ideal_by=plan.ideal_by,
                due_by=plan.due_by,
                now=now,
                zone=self.zone,
                quiet=self.rulebook.timing.default_quiet,
            ):
                self.scheduler.add_job(
                    send_nudge, "date", run_date=nudge.due_at, args=[conversation_id, nudge.kind]
                )
                jobs += 1
        return jobs

    def add_due_jobs(self, count: int, due: datetime) -> None:
        for n in range(count):
            self.scheduler.add_job(send_nudge, "date", run_date=due, args=[n, "heads_up"])

    async def drain(self, count: int) -> float:
        """Resume the scheduler and time how long it takes to fire `count` due jobs."""
        global expected
        delivered.clear()
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
