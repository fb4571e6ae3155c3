"""Shared fixtures: the rulebook, a virtual clock, and storage on every backend.

`storage` runs a test on the in-memory fake, on SQLite (a file, migrated by Alembic) and on
PostgreSQL when FOLLOWUP_TEST_DATABASE_URL is set (each test in a schema of its own). With
FOLLOWUP_REQUIRE_POSTGRES=1 (CI), a skipped or failed-to-connect PostgreSQL test fails the run.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.ports import Storage
from bot.storage.migrate import upgrade_to_head
from bot.storage.sql import SqlStorage, create_engine
from bot.testing import (
    NEW_YORK,
    TEST_START,
    FakeClock,
    FakeMessenger,
    InMemoryStorage,
    TestBot,
    make_test_bot,
)
from rules.engine import Rulebook, load_rulebook

if TYPE_CHECKING:
    from bot.services import FollowUpService

# Property tests explore new examples on every developer's run; in CI (CI set, as .ci/run
# does) they replay one fixed set, so a landing never turns on the draw of the day. Loaded
# here, before any test module builds its own settings from the profile.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# A `followup-bot run` a test starts serves no ops port (9090) unless the test asks for one:
# runs side by side, and other checkouts' test runs, would contend for it.
os.environ.setdefault("OPS_PORT", "0")

PG_URL = os.environ.get("FOLLOWUP_TEST_DATABASE_URL", "").strip()
REQUIRE_PG = os.environ.get("FOLLOWUP_REQUIRE_POSTGRES") == "1"
__all__ = ["NEW_YORK", "PG_URL", "START", "postgres_schema"]

START = TEST_START

_pg_outcomes = {"passed": 0, "skipped": 0, "failed": 0}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "postgres" in report.keywords and (report.when == "call" or report.skipped):
        _pg_outcomes[report.outcome] = _pg_outcomes.get(report.outcome, 0) + 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if REQUIRE_PG and (_pg_outcomes["passed"] == 0 or _pg_outcomes["skipped"]):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if REQUIRE_PG:
        terminalreporter.write_line(
            "PostgreSQL tests: {passed} passed, {skipped} skipped, {failed} failed".format(
                **_pg_outcomes
            )
        )
        if _pg_outcomes["passed"] == 0 or _pg_outcomes["skipped"]:
            terminalreporter.write_line("FAILED: PostgreSQL tests are required here (CI)")


@pytest.fixture(scope="session")
def rulebook() -> Rulebook:
    return load_rulebook()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def messenger(clock: FakeClock) -> FakeMessenger:
    return FakeMessenger(clock)


@contextlib.asynccontextmanager
async def postgres_schema(prefix: str = "t") -> AsyncIterator[str]:
    """A fresh, empty schema on the test PostgreSQL, dropped afterwards (each test's own)."""
    if not PG_URL:
        pytest.skip("PostgreSQL not configured (FOLLOWUP_TEST_DATABASE_URL)")
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    async with admin.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


async def _postgres_engine() -> AsyncIterator[AsyncEngine]:
    async with postgres_schema() as schema:
        engine = create_engine(PG_URL, connect_args={"server_settings": {"search_path": schema}})
        try:
            yield engine
        finally:
            await engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def engine(
    request: pytest.FixtureRequest, tmp_path: os.PathLike[str]
) -> AsyncIterator[AsyncEngine]:
    """An empty database on each real backend (not migrated)."""
    if request.param == "sqlite":
        sqlite = create_engine(f"sqlite+aiosqlite:///{tmp_path}/test.db")
        yield sqlite
        await sqlite.dispose()
    else:
        async for pg in _postgres_engine():
            yield pg


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def storage(
    request: pytest.FixtureRequest, tmp_path: os.PathLike[str]
) -> AsyncIterator[Storage]:
    """Storage on every backend, migrated to head."""
    if request.param == "memory":
        yield InMemoryStorage()
        return
    if request.param == "sqlite":
        sqlite = create_engine(f"sqlite+aiosqlite:///{tmp_path}/test.db")
        await upgrade_to_head(sqlite)
        yield SqlStorage(sqlite)
        await sqlite.dispose()
        return
    async for pg in _postgres_engine():
        await upgrade_to_head(pg)
        yield SqlStorage(pg)


@pytest.fixture
def memory_storage() -> InMemoryStorage:
    return InMemoryStorage()


@pytest.fixture
def bot(memory_storage: InMemoryStorage, clock: FakeClock, rulebook: Rulebook) -> TestBot:
    """The core on the in-memory fake, the test clock and the shared rulebook."""
    return make_test_bot(memory_storage, clock=clock, rulebook=rulebook)


@pytest.fixture
def service(bot: TestBot) -> FollowUpService:
    """The service on the in-memory fake: the unit tests' default."""
    return bot.service
