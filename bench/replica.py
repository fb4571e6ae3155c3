"""One dispatcher replica in its own process, for the scale tests and benchmarks.

Prints `sent <key>` for every DM as it goes out (flushed, so a crash keeps the record), and
drains the outbox at the virtual time `--now`. `--crash after-claim` dies right after claiming
a batch; `--crash after-send` dies after a send, before the batch is settled.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from bench.outbox import engine_for
from bot.clock import VirtualClock
from bot.dispatch import Dispatcher
from bot.domain import Person
from bot.ports import Delivered, Delivery
from bot.replies import Reply
from bot.storage.sql import SqlStorage
from rules.engine import load_rulebook


class PrintingMessenger:
    def __init__(self, crash_after_send: bool) -> None:
        self.crash_after_send = crash_after_send

    async def send_dm(
        self, to: Person, message: Reply, *, key: str, maybe_sent: bool = False
    ) -> Delivery:
        print(f"sent {key}", flush=True)
        if self.crash_after_send:
            os._exit(3)  # the process dies between the send and its settling
        return Delivered()


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--schema")
    parser.add_argument("--owner", required=True)
    parser.add_argument("--now", required=True)
    parser.add_argument("--crash", choices=["", "after-claim", "after-send"], default="")
    args = parser.parse_args()
    engine = engine_for(args.url, args.schema)
    clock = VirtualClock(datetime.fromisoformat(args.now))
    dispatcher = Dispatcher(
        SqlStorage(engine),
        PrintingMessenger(args.crash == "after-send"),
        clock,
        load_rulebook(),
        default_zone=ZoneInfo("UTC"),
        owner=args.owner,
        batch_size=100,
    )
    try:
        if args.crash == "after-claim":
            await dispatcher.claim()
            os._exit(3)  # the process dies holding the claimed rows' leases
        while (await dispatcher.dispatch_due()).claimed:
            pass
    finally:
        await engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
