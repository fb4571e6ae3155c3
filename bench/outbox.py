"""Outbox fixtures shared by the benchmarks and the scale tests: seed many nudges fast, and run
dispatcher replicas in their own processes."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage.schema import conversations, follow_ups, nudges, people
from bot.storage.sql import create_engine

__all__ = ["duplicates_and_lost", "engine_for", "nudge_ids", "run_replicas", "seed_outbox"]

ROOT = Path(__file__).resolve().parent.parent
# Rows per INSERT ... VALUES statement while seeding: big enough to be fast, small enough for
# PostgreSQL's 32767-parameter limit (7 columns a nudge).
CHUNK = 4000


def engine_for(url: str, schema: str | None = None, **options: Any) -> AsyncEngine:
    """An engine; on PostgreSQL, optionally confined to `schema` (the tests' isolation)."""
    if schema and url.startswith("postgresql"):
        options.setdefault("connect_args", {})["server_settings"] = {"search_path": schema}
    return create_engine(url, **options)


async def seed_outbox(
    engine: AsyncEngine,
    *,
    pending: int,
    due_at: datetime,
    spread: timedelta = timedelta(0),
    sent: int = 0,
    students: int = 100,
    platform: str = "bench",
    workspace: str | None = None,
    user_ids: Sequence[str] | None = None,
) -> list[int]:
    """`pending` nudges, each for its own follow-up, due from `due_at` over `spread`, plus `sent`
    already-sent ones (history), spread over `students` people (`user_ids`, else U0, U1 ...).
    Returns the pending ids."""
    created = datetime(2026, 1, 1, tzinfo=UTC)
    # Each seeding has its students in a workspace of their own, so seedings add up.
    workspace = workspace or f"W{uuid.uuid4().hex[:8]}"
    async with engine.begin() as db:
        person_ids = await _insert_ids(
            db,
            people,
            [
                {
                    "platform": platform,
                    "workspace": workspace,
                    "user_id": user_ids[n] if user_ids is not None else f"U{n}",
                    "nudges_on": True,
                    "job_status": "searching",
                    "linkedin_plan": "free",
                    "next_number": 1,
                    "created_at": created,
                }
                for n in range(students)
            ],
        )
    total = pending + sent
    pending_ids: list[int] = []
    for start in range(0, total, CHUNK):
        rows = range(start, min(total, start + CHUNK))
        async with engine.begin() as db:
            conversation_ids = await _insert_ids(
                db,
                conversations,
                [
                    {
                        "person_id": person_ids[i % students],
                        "contact_name": f"Contact {i}",
                        "company": "Acme",
                        "company_key": "acme",
                        "kind": "interview",
                        "met_at": due_at - timedelta(hours=24),
                        "topics": "",
                        "created_at": created,
                    }
                    for i in rows
                ],
            )
            follow_up_ids = await _insert_ids(
                db,
                follow_ups,
                [
                    {
                        "person_id": person_ids[i % students],
                        "conversation_id": conversation_ids[i - start],
                        "number": i + 1,
                        "methods": "email",
                        "ideal_by": due_at + timedelta(hours=24),
                        "due_by": due_at + timedelta(hours=24),
                        "optional": False,
                        "status": "pending",
                    }
                    for i in rows
                ],
            )
            step = spread / max(pending, 1)
            nudge_rows = []
            for i in rows:
                is_pending = i < pending
                when = due_at + step * i if is_pending else due_at - timedelta(days=1)
                nudge_rows.append(
                    {
                        "follow_up_id": follow_up_ids[i - start],
                        "kind": "heads_up",
                        "due_at": when,
                        "status": "pending" if is_pending else "sent",
                        "attempts": 0 if is_pending else 1,
                        "next_attempt_at": when,
                        "sent_at": None if is_pending else when,
                    }
                )
            ids = await _insert_ids(db, nudges, nudge_rows)
            pending_ids += [
                i for i, row in zip(ids, nudge_rows, strict=True) if row["status"] == "pending"
            ]
    return pending_ids


async def _insert_ids(db: AsyncConnection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert `rows` in one statement per chunk; their new ids, in the rows' order."""
    if db.dialect.name == "postgresql":
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list((await db.execute(statement, rows)).scalars())
    # SQLite can't promise the order of RETURNING, and SQLAlchemy would then insert row by
    # row; but a multi-row INSERT numbers new rows in order, so the sorted ids line up.
    ids = sorted((await db.execute(insert(table).returning(table.c.id), rows)).scalars())
    assert ids == list(range(ids[0], ids[0] + len(rows))), "new ids not consecutive"
    return ids


def run_replicas(
    url: str,
    count: int,
    *,
    schema: str | None = None,
    now: datetime,
    crash: str = "",
    timeout: float = 120,
) -> list[dict[str, Any]]:
    """Run `count` dispatcher processes (bench.replica) side by side until the outbox is
    drained; each returns what it delivered. `crash` makes every replica die on purpose."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "bench.replica", "--url", url, "--now", now.isoformat()]
    if schema:
        command += ["--schema", schema]
    if crash:
        command += ["--crash", crash]
    processes = [
        subprocess.Popen(
            [*command, "--owner", f"replica-{n}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )
        for n in range(count)
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=timeout)
        sent = [line.split(" ", 1)[1] for line in out.splitlines() if line.startswith("sent ")]
        results.append({"returncode": process.returncode, "sent": sent, "stderr": err})
    return results


def nudge_ids(key: str) -> list[int]:
    """The nudges a DM's key names: "nudge-7", or a moment's "nudge-7+9+12"."""
    return [int(part) for part in key.removeprefix("nudge-").split("+")]


def duplicates_and_lost(delivered: Sequence[str], expected: Sequence[int]) -> tuple[int, int]:
    """How many times a nudge was sent again, and how many nudges were never sent."""
    keys = [n for key in delivered for n in nudge_ids(key)]
    return len(keys) - len(set(keys)), len(set(expected) - set(keys))


async def seed_backlog(
    engine: AsyncEngine,
    *,
    total: int,
    due_now: int,
    now: datetime,
    per_follow_up: int = 10,
    students: int = 1000,
) -> None:
    """A large outbox as a busy semester leaves it: `total` pending nudges, the first `due_now`
    already due, the rest spread over the next 30 days; `per_follow_up` nudges per follow-up."""
    follow_up_count = -(-total // per_follow_up)
    # The follow-ups come from the same seeding as the small fixtures (one nudge each, which
    # are then removed): simple, and the rows look like the bot's own.
    seeded = await seed_outbox(
        engine, pending=follow_up_count, due_at=now, students=min(students, follow_up_count)
    )
    follow_up_ids: list[int] = []
    async with engine.begin() as db:
        for start in range(0, len(seeded), CHUNK):  # within the database's bound parameters
            rows = await db.execute(
                nudges.delete()
                .where(nudges.c.id.in_(seeded[start : start + CHUNK]))
                .returning(nudges.c.follow_up_id)
            )
            follow_up_ids += rows.scalars()
    follow_up_ids.sort()
    later = timedelta(days=30) / max(total - due_now, 1)
    for start in range(0, total, CHUNK):
        batch = []
        for i in range(start, min(total, start + CHUNK)):
            when = (
                now - timedelta(seconds=due_now - i)
                if i < due_now
                else now + later * (i - due_now + 1)
            )
            batch.append(
                {
                    "follow_up_id": follow_up_ids[i // per_follow_up],
                    "kind": "reminder",
                    "due_at": when,
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": when,
                }
            )
        async with engine.begin() as db:
            await db.execute(insert(nudges), batch)
