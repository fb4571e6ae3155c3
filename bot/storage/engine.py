"""Engines for the Storage port: PostgreSQL through asyncpg; SQLite through the synchronous
driver right on the event loop (`LoopSqlite`), with aiosqlite for migrations and libraries."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any, TypeAlias

import sqlalchemy
from sqlalchemy import URL, Connection, CursorResult, Engine, Executable, Table, event, exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, NullPool

from bot.storage.nesting import one_session_at_a_time

__all__ = [
    "SQLITE_BUSY_TIMEOUT_MS",
    "Db",
    "LoopConnection",
    "LoopSqlite",
    "Repository",
    "blocking_sqlite_engine",
    "create_engine",
    "dialect_insert",
    "loop_sqlite_of",
    "replace_persons_row",
]

log = logging.getLogger(__name__)

# How long SQLite waits for another writer before "database is locked": long enough to ride out
# a burst of writes, short enough that a stuck writer surfaces as an error.
SQLITE_BUSY_TIMEOUT_MS = 5000


def create_engine(
    url: str,
    *,
    sqlite_busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
    timeout: float | None = None,
    **options: Any,
) -> AsyncEngine:
    """An async engine for `url`; SQLite gets WAL, foreign keys and a busy timeout.

    `timeout` (seconds) bounds every wait on the database, so that one that stops answering
    surfaces as an error a command can explain rather than as silence: on PostgreSQL each
    statement (on the server, and in asyncpg for a connection that stops answering
    altogether), opening a connection and waiting for one from the pool; on SQLite, waiting
    for the write lock (it replaces `sqlite_busy_timeout_ms`). Migrations, which may wait
    for another replica's, want none.

    `options` go to SQLAlchemy's `create_async_engine` (e.g. asyncpg's `connect_args`). For
    SQLite, `SqlStorage` runs its transactions on a second, synchronous engine on the same file
    (see `LoopSqlite`); the async one serves migrations and the libraries that want one.
    """
    if not url.startswith("sqlite"):
        if timeout is not None:
            options = _postgres_timeouts(options, timeout)
        return create_async_engine(url, pool_pre_ping=True, **options)
    if timeout is not None:
        sqlite_busy_timeout_ms = round(timeout * 1000)
    engine = create_async_engine(url, **options)
    _sqlite_setup(engine.sync_engine, busy_timeout_ms=sqlite_busy_timeout_ms)
    event.listen(engine.sync_engine, "begin", _begin_immediately)

    # An in-memory database lives in its one connection: a second engine would see another.
    if not _in_memory(engine.url):
        _LOOP_SQLITE[engine] = LoopSqlite(engine, busy_timeout_ms=sqlite_busy_timeout_ms)
    return engine


def _postgres_timeouts(options: dict[str, Any], timeout: float) -> dict[str, Any]:
    """`options` with `timeout` on every statement, connection and pool checkout."""
    connect_args = dict(options.get("connect_args") or {})
    server_settings = dict(connect_args.get("server_settings") or {})
    # On the server: a statement waiting on a lock (a table locked by hand, a long migration)
    # is cancelled, and its transaction rolls back.
    server_settings.setdefault("statement_timeout", str(round(timeout * 1000)))
    connect_args["server_settings"] = server_settings
    # In asyncpg: a server that stops answering at all (a network that drops packets).
    connect_args.setdefault("command_timeout", timeout)
    connect_args.setdefault("timeout", timeout)
    return {**options, "connect_args": connect_args, "pool_timeout": timeout}


def _begin_immediately(connection: Connection) -> None:
    # Take the write lock when the transaction starts: two deferred transactions that both read
    # then write would deadlock, and SQLite fails one at once instead of waiting out the busy
    # timeout.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def blocking_sqlite_engine(engine: AsyncEngine) -> Engine | None:
    """For a SQLite file engine made by `create_engine`, a synchronous engine on the same file
    with the same settings, that waits out other writers with the busy timeout: for work done
    in a worker thread (migrations). None for other databases. Dispose of it when done."""
    loop_sqlite = loop_sqlite_of(engine)
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
        # Let SQLAlchemy (or LoopSqlite), not the driver, begin transactions.
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


class LoopSqlite:
    """SQLite transactions run right on the event loop, through the synchronous driver.

    aiosqlite hands every call to a thread of its own and back: four or so hops a statement,
    about half a millisecond here, where SQLite itself needs tens of microseconds. SQLite has
    one writer and every transaction begins IMMEDIATE, so transactions run one at a time anyway:
    this runs them one after another on the loop, each without a pause (the repositories' methods
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
        with one_session_at_a_time(_in_transaction):
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
_LOOP_SQLITE: weakref.WeakKeyDictionary[AsyncEngine, LoopSqlite] = weakref.WeakKeyDictionary()


def loop_sqlite_of(engine: AsyncEngine) -> LoopSqlite | None:
    """The loop-side engine of a SQLite file engine made by `create_engine`, else None."""
    return _LOOP_SQLITE.get(engine)


class LoopConnection:
    """A synchronous connection with the face the repositories expect of an AsyncConnection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect

    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[Any]:
        return self.connection.execute(statement, parameters)


# What a unit of work's repositories run their statements on: one transaction's connection.
Db: TypeAlias = AsyncConnection | LoopConnection


class Repository:
    """A repository of one unit of work: its statements run on the unit's connection."""

    def __init__(self, db: Db) -> None:
        self.db = db


async def replace_persons_row(db: Db, table: Table, values: dict[str, Any]) -> None:
    """Write a person's one row of `table` (unique by person_id), replacing the one they had:
    one statement, so that two replacements at once on two replicas leave one row."""
    await db.execute(
        dialect_insert(db, table)
        .values(values)
        .on_conflict_do_update(
            index_elements=[table.c.person_id],
            set_={k: v for k, v in values.items() if k != "person_id"},
        )
    )


def dialect_insert(db: Db, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into `table` in the database's own dialect, for its ON CONFLICT clauses (an
    upsert, or a claim that exactly one of several replicas wins)."""
    if db.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
