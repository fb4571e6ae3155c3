"""The Storage port on SQLAlchemy 2: PostgreSQL through asyncpg; SQLite through the synchronous
driver on the event loop (see `_LoopSqlite`), with aiosqlite for migrations and libraries."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import sqlite3
import weakref
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

import sqlalchemy
from sqlalchemy import (
    URL,
    Connection,
    CursorResult,
    Engine,
    Executable,
    Integer,
    String,
    Update,
    bindparam,
    delete,
    event,
    exc,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, NullPool

from bot.domain import (
    Address,
    Conversation,
    FollowUp,
    FollowUpStatus,
    JobStatus,
    LinkedInPlan,
    Nudge,
    NudgeKind,
    NudgeStatus,
    Person,
)
from bot.ports import NudgeContext
from bot.storage.schema import (
    UTCDateTime,
    bot_state,
    conversations,
    follow_ups,
    nudges,
    people,
    rate_windows,
)
from rules.engine import QuietHours

__all__ = ["SqlStorage", "SqlStore", "blocking_sqlite_engine", "create_engine"]

log = logging.getLogger(__name__)

# How long SQLite waits for another writer before "database is locked": long enough to ride out
# a burst of writes, short enough that a stuck writer surfaces as an error.
SQLITE_BUSY_TIMEOUT_MS = 5000


def create_engine(
    url: str, *, sqlite_busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, **options: Any
) -> AsyncEngine:
    """An async engine for `url`; SQLite gets WAL, foreign keys and a busy timeout.

    `options` go to SQLAlchemy's `create_async_engine` (e.g. asyncpg's `connect_args`). For
    SQLite, `SqlStorage` runs its transactions on a second, synchronous engine on the same file
    (see `_LoopSqlite`); the async one serves migrations and the libraries that want one.
    """
    if not url.startswith("sqlite"):
        return create_async_engine(url, pool_pre_ping=True, **options)
    engine = create_async_engine(url, **options)
    _sqlite_setup(engine.sync_engine, busy_timeout_ms=sqlite_busy_timeout_ms)
    event.listen(engine.sync_engine, "begin", _begin_immediately)

    # An in-memory database lives in its one connection: a second engine would see another.
    if not _in_memory(engine.url):
        _LOOP_SQLITE[engine] = _LoopSqlite(engine, busy_timeout_ms=sqlite_busy_timeout_ms)
    return engine


def _begin_immediately(connection: Connection) -> None:
    # Take the write lock when the transaction starts: two deferred transactions that both read
    # then write would deadlock, and SQLite fails one at once instead of waiting out the busy
    # timeout.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def blocking_sqlite_engine(engine: AsyncEngine) -> Engine | None:
    """For a SQLite file engine made by `create_engine`, a synchronous engine on the same file
    with the same settings, that waits out other writers with the busy timeout: for work done
    in a worker thread (migrations). None for other databases. Dispose of it when done."""
    loop_sqlite = _LOOP_SQLITE.get(engine)
    if loop_sqlite is None:
        return None
    made = _sync_engine(engine.url, busy_timeout_ms=loop_sqlite.busy_timeout_ms, poolclass=NullPool)
    event.listen(made, "begin", _begin_immediately)
    return made


def _sync_engine(url: URL, *, busy_timeout_ms: int, **options: Any) -> Engine:
    """A pysqlite engine on the file of an aiosqlite `url`, with the bot's SQLite settings."""
    made = sqlalchemy.create_engine(url.set(drivername="sqlite"), **options)
    _sqlite_setup(made, busy_timeout_ms=busy_timeout_ms)
    return made


def _in_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"


def _sqlite_setup(engine: Engine, *, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy (or _LoopSqlite), not the driver, begin transactions.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL lets readers go on while the dispatcher writes; an in-memory database ignores it.
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL syncs at checkpoints, not at every commit: the database stays
        # consistent through a crash, and at worst a power cut forgets the last commits.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()


class _LoopSqlite:
    """SQLite transactions run right on the event loop, through the synchronous driver.

    aiosqlite hands every call to a thread of its own and back: four or so hops a statement,
    about half a millisecond here, where SQLite itself needs tens of microseconds. SQLite has
    one writer and every transaction begins IMMEDIATE, so transactions run one at a time anyway:
    this runs them one after another on the loop, each without a pause (the store's methods
    never wait on anything else), so none blocks the loop for longer than its statements.

    Two waits could take longer, and neither happens on the loop:
    - The write lock, which another process (or a library's aiosqlite connection) may hold:
      waited for asynchronously, polling with a growing pause, until the busy timeout (counted
      from when the session asked, queueing included) is spent; never in SQLite's busy handler.
      Once the lock is held, WAL mode lets the transaction read and write without waiting.
    - Checkpoints, which copy the WAL into the database file and sync it: turned off on these
      connections, and run from a worker thread instead after every CHECKPOINT_ROWS rows written.
    """

    def __init__(self, engine: AsyncEngine, *, busy_timeout_ms: int) -> None:
        self.path = engine.url.database
        # Lock waits happen in `transaction`, asynchronously; SQLite itself must never wait.
        self.engine = _sync_engine(engine.url, busy_timeout_ms=0)
        event.listen(self.engine, "connect", _no_checkpoints)
        self.busy_timeout_ms = busy_timeout_ms
        self.turn = asyncio.Lock()
        self.written = 0
        self.checkpointing: asyncio.Future[None] | None = None

        @event.listens_for(engine.sync_engine, "engine_disposed")
        def _dispose(_: Engine) -> None:
            self.engine.dispose()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        if _in_transaction.get():
            # One at a time: a session inside a session would wait for itself forever.
            raise RuntimeError("a storage session was opened inside another one")
        token = _in_transaction.set(True)
        try:
            give_up = asyncio.get_running_loop().time() + self.busy_timeout_ms / 1000
            try:
                async with asyncio.timeout_at(give_up):
                    await self.turn.acquire()
            except TimeoutError:
                raise _locked("waiting for this process's other sessions") from None
            try:
                with self.engine.connect() as connection:
                    dbapi_connection = connection.connection.dbapi_connection
                    assert isinstance(dbapi_connection, sqlite3.Connection)
                    await _begin_immediate(dbapi_connection, give_up)
                    changes = dbapi_connection.total_changes
                    # BEGIN IMMEDIATE was sent above; this only tells SQLAlchemy, and commits
                    # (or rolls back) at the end.
                    with connection.begin():
                        yield connection
                    self._wrote(dbapi_connection.total_changes - changes)
            finally:
                self.turn.release()
        finally:
            _in_transaction.reset(token)

    def _wrote(self, rows: int) -> None:
        self.written += rows
        running = self.checkpointing is not None and not self.checkpointing.done()
        if self.written >= CHECKPOINT_ROWS and not running and self.path:
            self.written = 0
            self.checkpointing = asyncio.ensure_future(asyncio.to_thread(_checkpoint, self.path))
            self.checkpointing.add_done_callback(_log_checkpoint_failure)


async def _begin_immediate(dbapi_connection: sqlite3.Connection, give_up: float) -> None:
    loop = asyncio.get_running_loop()
    pause = 0.001
    while True:
        try:
            dbapi_connection.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as err:
            # Extended codes (SQLITE_BUSY_RECOVERY, ...) share the primary code's low byte.
            busy = err.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
            if not busy or loop.time() >= give_up:
                raise exc.OperationalError("BEGIN IMMEDIATE", None, err) from err
        await asyncio.sleep(min(pause, max(give_up - loop.time(), 0)))
        pause = min(pause * 2, 0.05)


def _no_checkpoints(dbapi_connection: DBAPIConnection, _: ConnectionPoolEntry) -> None:
    # The loop's connections never checkpoint (and sync) the WAL themselves: see _wrote.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.close()


def _locked(while_: str) -> exc.OperationalError:
    return exc.OperationalError(
        "BEGIN IMMEDIATE", None, sqlite3.OperationalError(f"database is locked ({while_})")
    )


def _checkpoint(path: str) -> None:
    """Copy the WAL into the database file, without waiting for readers or writers (PASSIVE:
    what can't be copied now is copied next time). Runs in a worker thread."""
    with contextlib.closing(sqlite3.connect(path, timeout=0, isolation_level=None)) as db:
        db.execute("PRAGMA wal_checkpoint(PASSIVE)")


def _log_checkpoint_failure(done: asyncio.Future[None]) -> None:
    if not done.cancelled() and done.exception() is not None:
        log.warning("WAL checkpoint failed (%s)", type(done.exception()).__name__)


# About a thousand pages of WAL, SQLite's own checkpoint interval, for the outbox's rows.
CHECKPOINT_ROWS = 2000
_in_transaction: ContextVar[bool] = ContextVar("in_sqlite_transaction", default=False)


# The loop-side engine of each SQLite engine made by create_engine.
_LOOP_SQLITE: weakref.WeakKeyDictionary[AsyncEngine, _LoopSqlite] = weakref.WeakKeyDictionary()


class _LoopConnection:
    """A synchronous connection with the face SqlStore expects of an AsyncConnection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect

    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[Any]:
        return self.connection.execute(statement, parameters)


class SqlStorage:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._loop_sqlite = _LOOP_SQLITE.get(engine)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[SqlStore]:
        if self._loop_sqlite is not None:
            async with self._loop_sqlite.transaction() as connection:
                yield SqlStore(_LoopConnection(connection))
            return
        async with self.engine.begin() as connection:
            yield SqlStore(connection)


class SqlStore:
    """One transaction. Methods map rows to the domain's dataclasses and back."""

    def __init__(self, connection: AsyncConnection | _LoopConnection) -> None:
        self.db = connection

    # -- people --------------------------------------------------------------------------

    async def person(self, address: Address) -> Person | None:
        row = (
            (
                await self.db.execute(
                    select(people).where(
                        people.c.platform == address.platform,
                        people.c.workspace == address.workspace,
                        people.c.user_id == address.user,
                    )
                )
            )
            .tuples()
            .first()
        )
        return _person(row) if row else None

    async def add_person(self, person: Person) -> Person:
        values = {**_person_values(person), "next_number": 1, "created_at": person.created_at}
        person.id = (
            await self.db.execute(insert(people).values(values).returning(people.c.id))
        ).scalar_one()
        return person

    async def update_person(self, person: Person) -> None:
        await self.db.execute(
            update(people).where(people.c.id == person.id).values(_person_values(person))
        )

    async def allocate_numbers(self, person_id: int, count: int) -> list[int]:
        after = (
            await self.db.execute(
                update(people)
                .where(people.c.id == person_id)
                .values(next_number=people.c.next_number + count)
                .returning(people.c.next_number)
            )
        ).scalar_one()
        return list(range(after - count, after))

    # -- conversations -------------------------------------------------------------------

    async def add_conversation(self, conversation: Conversation) -> Conversation:
        values = {
            "person_id": conversation.person_id,
            "contact_name": conversation.contact_name,
            "company": conversation.company,
            "company_key": conversation.company_key,
            "kind": conversation.kind,
            "met_at": conversation.met_at,
            "topics": conversation.topics,
            "event": conversation.event,
            "priority": conversation.priority,
            "logged_in": conversation.logged_in,
            "created_at": conversation.created_at,
        }
        conversation.id = (
            await self.db.execute(
                insert(conversations).values(values).returning(conversations.c.id)
            )
        ).scalar_one()
        return conversation

    async def conversations_at(self, person_id: int, company_key: str) -> list[Conversation]:
        rows = await self.db.execute(
            select(conversations)
            .where(
                conversations.c.person_id == person_id, conversations.c.company_key == company_key
            )
            .order_by(conversations.c.met_at, conversations.c.id)
        )
        return [_conversation(row) for row in rows.tuples()]

    async def recorded_names(self, person_id: int) -> set[str]:
        rows = await self.db.execute(
            select(conversations.c.contact_name, conversations.c.company, conversations.c.event)
            .where(conversations.c.person_id == person_id)
            .distinct()
        )
        return {name for row in rows for name in row if name}

    # -- follow-ups ----------------------------------------------------------------------

    async def add_follow_ups(self, added: Sequence[FollowUp]) -> list[FollowUp]:
        if not added:
            return []
        ids = await self.db.execute(
            insert(follow_ups).returning(follow_ups.c.id, sort_by_parameter_order=True),
            [
                {
                    "person_id": f.person_id,
                    "conversation_id": f.conversation_id,
                    "number": f.number,
                    **_follow_up_values(f),
                }
                for f in added
            ],
        )
        for follow_up, follow_up_id in zip(added, ids.scalars(), strict=True):
            follow_up.id = follow_up_id
        return list(added)

    async def update_follow_up(self, follow_up: FollowUp) -> None:
        await self.db.execute(
            update(follow_ups)
            .where(follow_ups.c.id == follow_up.id)
            .values(_follow_up_values(follow_up))
        )

    async def follow_up(self, person_id: int, number: int) -> tuple[FollowUp, Conversation] | None:
        return await self._one_follow_up(
            follow_ups.c.person_id == person_id, follow_ups.c.number == number
        )

    async def follow_up_by_id(
        self, person_id: int, follow_up_id: int
    ) -> tuple[FollowUp, Conversation] | None:
        return await self._one_follow_up(
            follow_ups.c.person_id == person_id, follow_ups.c.id == follow_up_id
        )

    async def _one_follow_up(self, *where: Any) -> tuple[FollowUp, Conversation] | None:
        rows = await self._follow_ups_with_conversations(*where)
        return rows[0] if rows else None

    async def _follow_ups_with_conversations(
        self, *where: Any
    ) -> list[tuple[FollowUp, Conversation]]:
        joined = follow_ups.join(conversations, follow_ups.c.conversation_id == conversations.c.id)
        rows = await self.db.execute(
            select(*follow_ups.c, *conversations.c).select_from(joined).where(*where)
        )
        width = len(follow_ups.c)
        return [(_follow_up(row[:width]), _conversation(row[width:])) for row in rows.tuples()]

    async def follow_ups_of(self, conversation_id: int) -> list[FollowUp]:
        rows = await self.db.execute(
            select(follow_ups)
            .where(follow_ups.c.conversation_id == conversation_id)
            .order_by(follow_ups.c.number)
        )
        return [_follow_up(row) for row in rows.tuples()]

    async def open_follow_ups(self, person_id: int) -> list[tuple[FollowUp, Conversation]]:
        return await self._follow_ups_with_conversations(
            follow_ups.c.person_id == person_id, follow_ups.c.status == FollowUpStatus.PENDING
        )

    async def missed_follow_ups(
        self, person_id: int, since: datetime
    ) -> list[tuple[FollowUp, Conversation]]:
        return await self._follow_ups_with_conversations(
            follow_ups.c.person_id == person_id,
            follow_ups.c.status == FollowUpStatus.MISSED,
            follow_ups.c.closed_at >= since,
        )

    # -- nudges --------------------------------------------------------------------------

    async def pending_nudges(self, follow_up_id: int) -> list[Nudge]:
        rows = await self.db.execute(
            select(nudges)
            .where(nudges.c.follow_up_id == follow_up_id, nudges.c.status == NudgeStatus.PENDING)
            .order_by(nudges.c.due_at, nudges.c.id)
        )
        return [_nudge(row) for row in rows.tuples()]

    async def add_nudges(self, new: Sequence[Nudge]) -> None:
        if new:
            await self.db.execute(
                insert(nudges), [{"follow_up_id": n.follow_up_id, **_nudge_values(n)} for n in new]
            )

    async def replace_pending_nudges(
        self, follow_up_id: int, new: Sequence[Nudge], now: datetime
    ) -> None:
        await self.db.execute(
            delete(nudges).where(
                nudges.c.follow_up_id == follow_up_id,
                nudges.c.status == NudgeStatus.PENDING,
                nudges.c.attempts == 0,
                nudges.c.next_attempt_at > now,
            )
        )
        if new:
            ids = await self.db.execute(
                insert(nudges).returning(nudges.c.id, sort_by_parameter_order=True),
                [{"follow_up_id": follow_up_id, **_nudge_values(n)} for n in new],
            )
            for nudge, nudge_id in zip(new, ids.scalars(), strict=True):
                nudge.id = nudge_id

    async def nudges_sent(self, follow_up_id: int) -> dict[NudgeKind, int]:
        rows = await self.db.execute(
            select(nudges.c.kind, func.count())
            .where(
                nudges.c.follow_up_id == follow_up_id,
                nudges.c.status.in_([NudgeStatus.SENT, NudgeStatus.SENDING]),
            )
            .group_by(nudges.c.kind)
        )
        return {NudgeKind(kind): count for kind, count in rows.tuples()}

    async def cancel_pending_nudges(self, follow_up_id: int, reason: str) -> int:
        result = await self.db.execute(
            update(nudges)
            .where(nudges.c.follow_up_id == follow_up_id, nudges.c.status == NudgeStatus.PENDING)
            .values(status=NudgeStatus.CANCELLED, last_error=reason)
        )
        return int(result.rowcount)

    async def claim_due_nudges(
        self,
        now: datetime,
        owner: str,
        lease_until: datetime,
        limit: int,
        platforms: Sequence[str] | None = None,
    ) -> list[Nudge]:
        values: dict[str, Any] = {
            "now": now,
            "owner": owner,
            "lease_until": lease_until,
            "limit": limit,
        }
        if platforms is not None:
            values["platforms"] = list(platforms)
        rows = await self.db.execute(_claim_statement(platforms is not None), values)
        claimed = [_nudge(row) for row in rows.tuples()]
        claimed.sort(key=lambda n: (n.next_attempt_at or n.due_at, n.due_at, n.id or 0))
        return claimed

    async def nudge_contexts(self, claimed: Sequence[Nudge]) -> dict[int, NudgeContext]:
        if not claimed:
            return {}
        rows = await self.db.execute(_CONTEXTS, {"ids": [n.id for n in claimed]})
        by_id = {n.id: n for n in claimed}
        f_end = 1 + len(follow_ups.c)
        c_end = f_end + len(conversations.c)
        return {
            row[0]: NudgeContext(
                by_id[row[0]],
                _follow_up(row[1:f_end]),
                _conversation(row[f_end:c_end]),
                _person(row[c_end:]),
            )
            for row in rows.tuples()
        }

    async def settle_nudges(self, settled: Sequence[Nudge], owner: str | None = None) -> None:
        if not settled:
            return
        # One executemany for the batch; a row deleted meanwhile (its person left), or claimed
        # by another replica since this one's lease ran out, matches none.
        held = nudges.c.lease_owner == owner if owner is not None else true()
        await self.db.execute(
            update(nudges)
            .where(nudges.c.id == bindparam("nudge_id"), held)
            .values({name: bindparam(f"new_{name}") for name in _SETTLED_COLUMNS}),
            [
                {
                    "nudge_id": n.id,
                    **{f"new_{k}": v for k, v in _nudge_values(n).items() if k in _SETTLED_COLUMNS},
                }
                for n in settled
            ],
        )

    async def mark_sent(self, nudge_ids: Sequence[int], sent_at: datetime, owner: str) -> None:
        if nudge_ids:
            await self.db.execute(
                _MARK_SENT, {"ids": list(nudge_ids), "sent_at": sent_at, "owner": owner}
            )

    async def mark_undeliverable(self, person_ids: Sequence[int], reason: str) -> None:
        if person_ids:
            await self.db.execute(
                update(people)
                .where(people.c.id.in_(list(person_ids)))
                .values(undeliverable=reason[:200])
            )

    async def close_missed(self, follow_up_ids: Sequence[int], now: datetime) -> None:
        if follow_up_ids:
            await self.db.execute(
                update(follow_ups)
                .where(
                    follow_ups.c.id.in_(list(follow_up_ids)),
                    follow_ups.c.status == FollowUpStatus.PENDING,
                )
                .values(status=FollowUpStatus.MISSED, closed_at=now)
            )

    async def delete_person(self, person_id: int) -> None:
        # Conversations, follow-ups and their nudges go with them (ON DELETE CASCADE); the
        # explicit deletes keep SQLite right even where foreign keys are off.
        follow_up_ids = select(follow_ups.c.id).where(follow_ups.c.person_id == person_id)
        await self.db.execute(delete(nudges).where(nudges.c.follow_up_id.in_(follow_up_ids)))
        await self.db.execute(delete(follow_ups).where(follow_ups.c.person_id == person_id))
        await self.db.execute(delete(conversations).where(conversations.c.person_id == person_id))
        await self.db.execute(delete(people).where(people.c.id == person_id))

    async def next_due_at(self) -> datetime | None:
        pending = select(func.min(nudges.c.next_attempt_at)).where(
            nudges.c.status == NudgeStatus.PENDING
        )
        leased = select(func.min(nudges.c.lease_expires_at)).where(
            nudges.c.status == NudgeStatus.SENDING
        )
        # min() keeps its column's type, so UTCDateTime hands back aware datetimes.
        times: list[datetime | None] = [
            (await self.db.execute(pending)).scalar_one_or_none(),
            (await self.db.execute(leased)).scalar_one_or_none(),
        ]
        found = [t for t in times if t is not None]
        return min(found) if found else None

    # -- the bot's own values ---------------------------------------------------------------

    async def take_rate_slot(self, key: str, window: int, limit: int) -> bool:
        dialect = self.db.dialect.name
        upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(rate_windows)
        # Count this send only while the window has room; a full window updates no row.
        statement = upsert.values(key=key, window_start=window, used=1).on_conflict_do_update(
            index_elements=[rate_windows.c.key, rate_windows.c.window_start],
            set_={"used": rate_windows.c.used + 1},
            where=rate_windows.c.used < limit,
        )
        used = (await self.db.execute(statement.returning(rate_windows.c.used))).scalar()
        if used == 1:
            # The first send of a window tidies the key's old windows away.
            await self.db.execute(
                delete(rate_windows).where(
                    rate_windows.c.key == key, rate_windows.c.window_start < window - 2
                )
            )
        return used is not None

    async def get_values(self, keys: Sequence[str]) -> dict[str, str]:
        if not keys:
            return {}
        rows = await self.db.execute(_VALUES, {"keys": list(keys)})
        return {key: value for key, value in rows.tuples()}

    async def get_value(self, key: str) -> str | None:
        row = await self.db.execute(select(bot_state.c.value).where(bot_state.c.key == key))
        value: str | None = row.scalar_one_or_none()
        return value

    async def set_value(self, key: str, value: str, now: datetime) -> None:
        updated = await self.db.execute(
            update(bot_state).where(bot_state.c.key == key).values(value=value, updated_at=now)
        )
        if updated.rowcount == 0:
            await self.db.execute(insert(bot_state).values(key=key, value=value, updated_at=now))

    async def add_value(self, key: str, value: str, now: datetime) -> bool:
        dialect_insert = (
            postgresql.insert if self.db.dialect.name == "postgresql" else sqlite.insert
        )
        added = await self.db.execute(
            dialect_insert(bot_state)
            .values(key=key, value=value, updated_at=now)
            .on_conflict_do_nothing(index_elements=[bot_state.c.key])
        )
        return bool(added.rowcount == 1)

    async def delete_values(self, prefix: str, updated_before: datetime) -> int:
        deleted = await self.db.execute(
            delete(bot_state).where(
                bot_state.c.key.startswith(prefix, autoescape=True),
                bot_state.c.updated_at < updated_before,
            )
        )
        count: int = deleted.rowcount
        return count


# -- the dispatcher's statements
# Built once, with parameters: a dispatch batch runs each of them, and building a statement and
# its cache key anew costs about as much as SQLite's work for a whole batch.


@functools.cache
def _claim_statement(by_platform: bool) -> Update:
    """Claim the next due nudges: see `SqlStore.claim_due_nudges`."""
    now = bindparam("now", type_=UTCDateTime())
    limit = bindparam("limit", type_=Integer())
    # Two index range scans, one statement: due pending rows in due order (ix_nudges_due),
    # and rows whose lease expired because their replica died (ix_nudges_leased).
    # PostgreSQL: SKIP LOCKED lets replicas claim side by side, never the same row; SQLite
    # has a single writer (transactions begin IMMEDIATE).
    due = (
        select(nudges.c.id)
        .where(nudges.c.status == NudgeStatus.PENDING, nudges.c.next_attempt_at <= now)
        .order_by(nudges.c.next_attempt_at, nudges.c.due_at, nudges.c.id)
        .limit(limit)
    )
    expired = (
        select(nudges.c.id)
        .where(nudges.c.status == NudgeStatus.SENDING, nudges.c.lease_expires_at < now)
        .order_by(nudges.c.lease_expires_at)
        .limit(limit)
    )
    if by_platform:
        # Walking the due index in order, each row is checked for its person's platform.
        mine = (
            select(follow_ups.c.id)
            .join(people, follow_ups.c.person_id == people.c.id)
            .where(
                follow_ups.c.id == nudges.c.follow_up_id,
                people.c.platform.in_(bindparam("platforms", expanding=True)),
            )
        )
        due = due.where(mine.exists())
        expired = expired.where(mine.exists())
    # Lock only the nudge rows (not the people and follow-ups the filter reads).
    due = due.with_for_update(skip_locked=True, of=nudges)
    expired = expired.with_for_update(skip_locked=True, of=nudges)
    return (
        update(nudges)
        .where(
            or_(
                nudges.c.id.in_(due.scalar_subquery()),
                nudges.c.id.in_(expired.scalar_subquery()),
            )
        )
        .values(
            status=NudgeStatus.SENDING,
            lease_owner=bindparam("owner", type_=String()),
            lease_expires_at=bindparam("lease_until", type_=UTCDateTime()),
            attempts=nudges.c.attempts + 1,
        )
        .returning(*nudges.c)
    )


_CONTEXTS = (
    select(nudges.c.id, *follow_ups.c, *conversations.c, *people.c)
    .select_from(
        nudges.join(follow_ups, nudges.c.follow_up_id == follow_ups.c.id)
        .join(conversations, follow_ups.c.conversation_id == conversations.c.id)
        .join(people, follow_ups.c.person_id == people.c.id)
    )
    .where(nudges.c.id.in_(bindparam("ids", expanding=True)))
)

# The bot's values by key: a batch asks whether its workspaces can receive DMs.
_VALUES = select(bot_state.c.key, bot_state.c.value).where(
    bot_state.c.key.in_(bindparam("keys", expanding=True))
)

# One write for a batch's delivered rows; only those `owner` still holds (see settle_nudges).
_MARK_SENT = (
    update(nudges)
    .where(
        nudges.c.id.in_(bindparam("ids", expanding=True)),
        nudges.c.lease_owner == bindparam("owner", type_=String()),
    )
    .values(
        status=NudgeStatus.SENT,
        sent_at=bindparam("sent_at", type_=UTCDateTime()),
        lease_owner=None,
        lease_expires_at=None,
        last_error=None,
    )
)


# -- row mapping
# Stored values to enum members by dictionary: calling the Enum class is the slow part of
# mapping a dispatch batch's rows.
_JOB_STATUS = {m.value: m for m in JobStatus}
_LINKEDIN_PLAN = {m.value: m for m in LinkedInPlan}
_FOLLOW_UP_STATUS = {m.value: m for m in FollowUpStatus}
_NUDGE_KIND = {m.value: m for m in NudgeKind}
_NUDGE_STATUS = {m.value: m for m in NudgeStatus}


def _person_values(person: Person) -> dict[str, Any]:
    return {
        "platform": person.address.platform,
        "workspace": person.address.workspace,
        "user_id": person.address.user,
        "name": person.name,
        "display_name": person.display_name,
        "timezone": person.timezone,
        "platform_timezone": person.platform_timezone,
        "quiet_start": person.quiet_hours.start if person.quiet_hours else None,
        "quiet_end": person.quiet_hours.end if person.quiet_hours else None,
        "nudges_on": person.nudges_on,
        "job_status": person.job_status.value,
        "linkedin_plan": person.linkedin_plan.value,
        "undeliverable": person.undeliverable,
    }


def _person(row: Sequence[Any]) -> Person:
    (
        id_,
        platform,
        workspace,
        user_id,
        name,
        display_name,
        timezone,
        platform_timezone,
        quiet_start,
        quiet_end,
        nudges_on,
        job_status,
        linkedin_plan,
        undeliverable,
        _next_number,
        created_at,
    ) = row
    quiet = (
        QuietHours(quiet_start, quiet_end)
        if quiet_start is not None and quiet_end is not None
        else None
    )
    return Person(
        id=id_,
        address=Address(platform, workspace, user_id),
        created_at=created_at,
        name=name,
        display_name=display_name,
        timezone=timezone,
        platform_timezone=platform_timezone,
        quiet_hours=quiet,
        nudges_on=nudges_on,
        job_status=_JOB_STATUS[job_status],
        linkedin_plan=_LINKEDIN_PLAN[linkedin_plan],
        undeliverable=undeliverable,
    )


def _conversation(row: Sequence[Any]) -> Conversation:
    (
        id_,
        person_id,
        contact_name,
        company,
        _company_key,
        kind,
        met_at,
        topics,
        event,
        priority,
        logged_in,
        created_at,
    ) = row
    return Conversation(
        id=id_,
        person_id=person_id,
        contact_name=contact_name,
        company=company,
        kind=kind,
        met_at=met_at,
        created_at=created_at,
        topics=topics,
        event=event,
        priority=priority,
        logged_in=logged_in,
    )


def _follow_up_values(follow_up: FollowUp) -> dict[str, Any]:
    return {
        "methods": ",".join(follow_up.methods),
        "ideal_by": follow_up.ideal_by,
        "due_by": follow_up.due_by,
        "optional": follow_up.optional,
        "status": follow_up.status.value,
        "done_via": follow_up.done_via,
        "snoozed_until": follow_up.snoozed_until,
        "closed_at": follow_up.closed_at,
    }


def _follow_up(row: Sequence[Any]) -> FollowUp:
    (
        id_,
        person_id,
        conversation_id,
        number,
        methods,
        ideal_by,
        due_by,
        optional,
        status,
        done_via,
        snoozed_until,
        closed_at,
    ) = row
    return FollowUp(
        id=id_,
        person_id=person_id,
        conversation_id=conversation_id,
        number=number,
        methods=tuple(methods.split(",")),
        ideal_by=ideal_by,
        due_by=due_by,
        optional=optional,
        status=_FOLLOW_UP_STATUS[status],
        done_via=done_via,
        snoozed_until=snoozed_until,
        closed_at=closed_at,
    )


# What settling a nudge may change (never its follow-up, kind or due time).
_SETTLED_COLUMNS = (
    "status",
    "attempts",
    "next_attempt_at",
    "lease_owner",
    "lease_expires_at",
    "sent_at",
    "last_error",
)


def _nudge_values(nudge: Nudge) -> dict[str, Any]:
    return {
        "kind": nudge.kind.value,
        "due_at": nudge.due_at,
        "status": nudge.status.value,
        "attempts": nudge.attempts,
        "next_attempt_at": nudge.next_attempt_at,
        "lease_owner": nudge.lease_owner,
        "lease_expires_at": nudge.lease_expires_at,
        "sent_at": nudge.sent_at,
        "last_error": nudge.last_error[:200] if nudge.last_error else None,
    }


def _nudge(row: Sequence[Any]) -> Nudge:
    (
        id_,
        follow_up_id,
        kind,
        due_at,
        status,
        attempts,
        next_attempt_at,
        lease_owner,
        lease_expires_at,
        sent_at,
        last_error,
    ) = row
    return Nudge(
        id=id_,
        follow_up_id=follow_up_id,
        kind=_NUDGE_KIND[kind],
        due_at=due_at,
        status=_NUDGE_STATUS[status],
        attempts=attempts,
        next_attempt_at=next_attempt_at,
        lease_owner=lease_owner,
        lease_expires_at=lease_expires_at,
        sent_at=sent_at,
        last_error=last_error,
    )
