"""The bot as bootstrap wires it, on a database that doesn't answer in time: every command is
answered "try again in a moment" within the timeout, and nothing of it is saved."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from bot.bootstrap import build_bot
from bot.commands import parse_command
from bot.config import Settings
from bot.domain import Address
from bot.messages import DATABASE_AWAY
from bot.services import Requester
from bot.testing import FakeClock
from tests.conftest import START

STUDENT = Requester(Address("console", "console", "student"))


async def test_a_locked_database_gets_try_again_within_the_timeout(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    settings = Settings(database_url=f"sqlite+aiosqlite:///{path}", database_timeout=0.5)
    bot = await build_bot(settings, clock=FakeClock(START), messengers={}, scheduled=False)
    try:
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process writing, and not letting go
        started = time.monotonic()
        reply = await bot.service.handle(STUDENT, parse_command("/met Jane Doe, Acme, interview"))
        waited = time.monotonic() - started
        holder.execute("ROLLBACK")
        holder.close()
        assert reply.is_error
        assert reply.plain_text() == DATABASE_AWAY
        assert 0.5 <= waited < 3  # the timeout, not SQLite's default nor forever
        assert await bot.service.open_follow_ups(STUDENT) == []
        reply = await bot.service.handle(STUDENT, parse_command("/met Jane Doe, Acme, interview"))
        assert reply.plain_text().startswith("Saved: Jane Doe at Acme")
    finally:
        await bot.close()
