"""Floods at the platforms' limits: thousands of nudges due at once, sent by the real scheduler,
dispatcher, pacing and messengers to fakes that refuse (429) whatever goes over Discord's and
Slack's rate limits, as the platforms do.

- Discord: one bot token, 50 requests in any second (opening a DM channel is a request too),
  5 messages in any 5 seconds per DM channel.
- Slack: 50 workspaces installed through OAuth, each with its own token and budget (310
  messages in any minute; the bot is configured for 300) and one message a second per channel.

Each run reports the requests and DMs per second, the 429s from going over a limit (the goal is
none), and the lateness from each nudge's due time to its sending. `limited_student` makes one
student's DM channel answer 429 for 60 s: everyone else's lateness should not change.

`on_time` is the other side: nudges falling due a few a second, well under any limit, on three
replicas and a platform that takes 0.3 s a DM; each should go out within 2 s of its time.
"""

from __future__ import annotations

import asyncio
import bisect
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.oauth.installation_store.models.installation import Installation
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.discord.messenger import PACE_RULES, DiscordMessenger
from adapters.discord.testing import TOKEN, DiscordLimits, FakeDiscordHTTP
from adapters.slack.messenger import SlackMessenger, pace_rules
from adapters.slack.testing import FakeSlack, SlackLimits, rate_limited
from adapters.slack.workspaces import InstallationStore, Workspaces
from bench.outbox import seed_outbox
from bot.bootstrap import STORAGE_OUTAGES
from bot.clock import SystemClock
from bot.dispatch import Dispatcher
from bot.pacing import PlatformPacer
from bot.ports import Messenger
from bot.scheduler import NudgeScheduler
from bot.storage.migrate import upgrade_to_head
from bot.storage.schema import nudges
from bot.storage.sql import SqlStorage, create_engine
from bot.testing import FakeMessenger
from bot.workspaces import Installs
from rules.engine import load_rulebook

__all__ = ["DISCORD_RATE", "flood_discord", "flood_slack", "on_time"]

ZONE = ZoneInfo("America/New_York")
# The floods fall due this long after seeding, once the scheduler is sweeping.
LEAD = timedelta(seconds=2)
DISCORD_RATE = 45  # the bot's pace rule: requests a second
SLACK_PER_MINUTE = 300  # the bot's budget a workspace (SLACK_MESSAGES_PER_MINUTE's default)
SLACK_LIMIT_PER_MINUTE = 310  # the fake Slack's


@dataclass
class Drained:
    """What a flood's drain measured: lateness of the nudges sent (seconds), and how long."""

    lateness: list[float]
    seconds: float


async def flood_discord(directory: Path, total: int, students: int) -> dict[str, Any]:
    """`total` Discord nudges to `students` students, all due at once."""
    engine = await _database(directory / "flood-discord.db")
    storage = SqlStorage(engine)
    fake = FakeDiscordHTTP(limits=DiscordLimits())
    messenger = DiscordMessenger(TOKEN)
    user_ids = [str(910_000_000_000_000_000 + n) for n in range(students)]
    due = SystemClock().now() + LEAD
    await seed_outbox(
        engine,
        pending=total,
        due_at=due,
        students=students,
        platform="discord",
        workspace="G1",
        user_ids=user_ids,
    )
    pacer = PlatformPacer({"discord": PACE_RULES}, storage=storage)
    try:
        with fake.installed():
            flood = _dispatcher(storage, messenger, owner="flood", pacer=pacer)
            drained = await _drain(engine, [flood], expected=total, wake_at=due, within=600)
    finally:
        await messenger.close()
        await engine.dispose()
    requests = [r.at for r in fake.requests]
    refused = sum(fake.refused_over_limit.values())
    dms = [r.at for r in fake.requests if r.status == 200 and r.path.endswith("/messages")]
    return {
        "discord_nudges": total,
        "discord_requests": len(requests),
        "discord_429_over_limit": refused,
        "discord_most_requests_in_1s": _most_within(requests, 1.0),
        "discord_requests_per_s": _rate(requests),
        "discord_requests_per_s_by_10s": _timeline(requests, 10.0),
        "discord_dms_per_s": _rate(dms),
        **_lateness("discord", drained),
    }


async def flood_slack(
    directory: Path,
    total: int,
    workspaces: int,
    students: int,
    *,
    limited_student: bool = False,
) -> dict[str, Any]:
    """`total` Slack nudges over `workspaces` workspaces of `students` students each, all due
    at once; with `limited_student`, one student's DM channel answers 429 for 60 s."""
    name = "slack_limited" if limited_student else "slack"
    engine = await _database(directory / f"flood-{name}.db")
    storage = SqlStorage(engine)
    clock = SystemClock()
    async with FakeSlack(
        limits=SlackLimits(per_workspace_per_minute=SLACK_LIMIT_PER_MINUTE)
    ) as fake:
        slack_workspaces = Workspaces(bot_token=None)
        installations = InstallationStore("bench", engine, slack_workspaces)
        slack_workspaces.bind(Installs(storage, clock), installations)
        teams = [f"T{n:03d}" for n in range(workspaces)]
        for team in teams:
            await installations.async_save(_installation(team))
        due = clock.now() + LEAD
        for team in teams:
            # Each workspace's nudges fall due over the same second, so workspaces interleave.
            await seed_outbox(
                engine,
                pending=total // workspaces,
                due_at=due,
                spread=timedelta(seconds=1),
                students=students,
                platform="slack",
                workspace=team,
            )
        if limited_student:
            fake.script("chat.postMessage", rate_limited(60))
        messenger = SlackMessenger(slack_workspaces, base_url=fake.api_url)
        pacer = PlatformPacer({"slack": pace_rules(SLACK_PER_MINUTE)}, storage=storage)
        try:
            # The limited student's nudges wait out their 60 s; the others are what counts.
            held = total // workspaces // students if limited_student else 0
            flood = _dispatcher(storage, messenger, owner="flood", pacer=pacer)
            drained = await _drain(engine, [flood], expected=total - held, wake_at=due, within=600)
        finally:
            await messenger.close()
            await engine.dispose()
        posts = fake.calls_to("chat.postMessage")
        per_team: dict[str, list[float]] = {}
        for call in posts:
            per_team.setdefault(str(call.token), []).append(call.at)
        refused = fake.refused_over_limit
    delivered = [call.at for call in posts]
    return {
        f"{name}_nudges": total,
        f"{name}_429_over_limit": refused,
        f"{name}_most_in_60s_a_workspace": max(_most_within(t, 60.0) for t in per_team.values()),
        f"{name}_dms_per_s": _rate(delivered),
        **_lateness(name, drained),
    }


async def on_time(engine: AsyncEngine, total: int, over: timedelta) -> dict[str, Any]:
    """`total` nudges falling due evenly over `over`, swept by three replicas (schedulers of
    their own on one database) sending to a platform that takes 0.3 s a DM."""
    await upgrade_to_head(engine)
    clock = SystemClock()
    storage = SqlStorage(engine)
    messenger = FakeMessenger(record=False, delay=0.3)
    due = clock.now() + LEAD
    await seed_outbox(engine, pending=total, due_at=due, spread=over, students=total)
    replicas = [_dispatcher(storage, messenger, owner=f"r{n}") for n in range(3)]
    drained = await _drain(engine, replicas, expected=total, wake_at=due, within=300)
    figures = _lateness("on_time", drained)
    del figures["on_time_drain_s"]
    return figures


# -- the drain ---------------------------------------------------------------------------------


async def _database(path: Path) -> AsyncEngine:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade_to_head(engine)
    return engine


def _dispatcher(
    storage: SqlStorage, messenger: Messenger, *, owner: str, pacer: PlatformPacer | None = None
) -> Dispatcher:
    return Dispatcher(
        storage,
        messenger,
        SystemClock(),
        load_rulebook(),
        default_zone=ZONE,
        owner=owner,
        pacer=pacer,
    )


async def _drain(
    engine: AsyncEngine,
    dispatchers: Sequence[Dispatcher],
    *,
    expected: int,
    wake_at: datetime,
    within: float,
) -> Drained:
    """Sweep with a real scheduler for each dispatcher (a replica each) until `expected` nudges
    are sent, in at most `within` seconds. Only the first is woken at `wake_at`, as the replica
    whose commands planned the nudges would be; the others find them by their own sweeps."""
    clock = SystemClock()
    schedulers = []
    for dispatcher in dispatchers:
        scheduler = NudgeScheduler(clock=clock, outage_errors=STORAGE_OUTAGES)
        scheduler.attach(dispatcher)
        schedulers.append(scheduler)
    started = time.monotonic()
    for scheduler in schedulers:
        await scheduler.start()
    schedulers[0].wake_at(wake_at)
    try:
        while await _sent(engine) < expected:
            if time.monotonic() - started > within:
                raise TimeoutError(f"not drained: {await _sent(engine)} of {expected} sent")
            await asyncio.sleep(0.25)
    finally:
        for scheduler in schedulers:
            await scheduler.stop()
    return Drained(await _lateness_of(engine), time.monotonic() - started)


async def _sent(engine: AsyncEngine) -> int:
    async with engine.connect() as db:
        query = select(func.count()).select_from(nudges).where(nudges.c.status == "sent")
        return int((await db.execute(query)).scalar_one())


async def _lateness_of(engine: AsyncEngine) -> list[float]:
    """Seconds from due to sent of every nudge sent, in order."""
    query = select(nudges.c.due_at, nudges.c.sent_at).where(nudges.c.status == "sent")
    async with engine.connect() as db:
        rows = (await db.execute(query)).all()
    return sorted((sent - due).total_seconds() for due, sent in rows)


def _installation(team: str) -> Installation:
    return Installation(
        app_id="A0BENCH",
        team_id=team,
        team_name=f"Team {team}",
        bot_token=f"xoxb-{team}-installed",
        bot_id=f"B{team}",
        bot_user_id=f"U{team}BOT",
        bot_scopes=["commands", "chat:write", "im:write", "im:history", "users:read"],
        user_id="UINSTALLER",
        is_enterprise_install=False,
    )


# -- the figures -------------------------------------------------------------------------------


def _lateness(name: str, drained: Drained) -> dict[str, float]:
    late = drained.lateness
    return {
        f"{name}_late_p50_s": statistics.median(late),
        f"{name}_late_p99_s": late[min(len(late) - 1, int(len(late) * 0.99))],
        f"{name}_drain_s": drained.seconds,
    }


def _timeline(times: Sequence[float], step: float) -> str:
    """Events a second in each `step` seconds from the first: how a drain went over time."""
    if not times:
        return ""
    first = min(times)
    counts = [0] * (int((max(times) - first) // step) + 1)
    for t in times:
        counts[int((t - first) // step)] += 1
    # The last slice is partly empty: its rate is over the time it lasted.
    last = (max(times) - first) - step * (len(counts) - 1)
    rates = [c / step for c in counts[:-1]] + [counts[-1] / max(last, 1.0)]
    return " ".join(f"{r:.0f}" for r in rates)


def _rate(times: Sequence[float]) -> float:
    """Events a second from the first to the last."""
    if len(times) < 2:
        return 0.0
    ordered = sorted(times)
    return (len(ordered) - 1) / (ordered[-1] - ordered[0])


def _most_within(times: Sequence[float], period: float) -> int:
    """The most events within any stretch of `period` seconds."""
    ordered = sorted(times)
    return max(
        (bisect.bisect_left(ordered, t + period) - i for i, t in enumerate(ordered)), default=0
    )
