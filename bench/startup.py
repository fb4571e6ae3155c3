"""A bot process starting on an existing database: prints how much memory it holds once it has
built the bot and claimed its first batch (`rss_mb`), for the parent to time and compare."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime
from pathlib import Path

from bot.bootstrap import build_bot
from bot.clock import VirtualClock
from bot.config import Settings
from bot.testing import FakeMessenger


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def main(url: str, now: str) -> None:
    clock = VirtualClock(datetime.fromisoformat(now))
    # The seeded backlog's people are on the "bench" platform (bench.outbox.seed_outbox).
    messengers = {"bench": FakeMessenger()}
    bot = await build_bot(
        Settings(database_url=url), clock=clock, messengers=messengers, scheduled=False
    )
    claimed = await bot.dispatcher.claim()
    print(json.dumps({"claimed": len(claimed), "rss_mb": rss_mb()}), flush=True)
    await bot.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
