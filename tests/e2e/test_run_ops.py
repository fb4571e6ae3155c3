"""`followup-bot run` as a process serves /healthz, /readyz and /metrics on OPS_PORT: Slack in
HTTP mode against a fake Slack on loopback, a /met and the nudge it plans, then a scrape parsed
as Prometheus parses it, with none of the student's data in it."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from adapters.slack.testing import BOT_TOKEN, TEAM, FakeSlack
from tests.e2e.test_run import (
    ROOT,
    SECRET,
    STUDENT,
    a_zone_where_it_is_midday,
    free_port,
    post_command,
    start_followup_bot,
)


async def wait_for(
    session: aiohttp.ClientSession,
    url: str,
    process: asyncio.subprocess.Process,
    accept: Callable[[int, str], bool],
    *,
    within: float = 15,
) -> str:
    """Poll `url` until `accept(status, body)`; the body then."""
    for _ in range(int(within * 10)):
        if process.returncode is not None:
            raise AssertionError("followup-bot run stopped")
        try:
            async with session.get(url) as response:
                body = await response.text()
                if accept(response.status, body):
                    return body
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"{url} never answered as expected")


def samples(exposition: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(exposition)
        for s in family.samples
    }


def sent_on_slack(status: int, body: str) -> bool:
    return (
        status == 200
        and samples(body).get(("followup_nudges_sent_total", (("platform", "slack"),))) == 1
    )


async def test_run_serves_health_readiness_and_metrics(tmp_path: Path) -> None:
    async with FakeSlack(users={STUDENT: {"tz": a_zone_where_it_is_midday()}}) as slack:
        port, ops_port = free_port(), free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))},
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/ops.db",
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_BASE_URL": slack.api_url,
            "SLACK_HTTP_HOST": "127.0.0.1",
            "PORT": str(port),
            "OPS_PORT": str(ops_port),
            "OPS_HOST": "127.0.0.1",
            "LOG_LEVEL": "INFO",
        }
        process = await start_followup_bot(env)
        ops = f"http://127.0.0.1:{ops_port}"
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
                await wait_for(session, f"{ops}/healthz", process, lambda s, _: s == 200)
                ready = await wait_for(session, f"{ops}/readyz", process, lambda s, _: s == 200)
                assert '"slack": "connected"' in ready
                assert '"database": "ok"' in ready
                met = 'Zelda Quintessa, Xylophonics, interview, talked about quaternions when:"47 hours ago"'
                assert await post_command(session, port, slack, met) == 200
                # The last call is due at once: the scheduler sends it within seconds.
                await slack.wait_for("chat.postMessage", within=10)
                exposition = await wait_for(session, f"{ops}/metrics", process, sent_on_slack)
                # Slack's own health check on its HTTP port stays.
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    assert response.status == 200
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode == 0, err.decode()[-2000:]
    for personal in (STUDENT, TEAM, "Zelda", "Quintessa", "Xylophonics", "quaternions"):
        assert personal not in exposition
    found = samples(exposition)
    command = (("command", "Met"), ("platform", "slack"))
    assert found["followup_command_duration_seconds_count", command] == 1
    assert found["followup_nudges_claimed_total", (("platform", "slack"),)] == 1
    assert found["followup_nudge_lateness_seconds_count", (("platform", "slack"),)] == 1
    assert found["followup_database_errors_total", ()] == 0
    assert ("followup_outbox_nudges", (("state", "due"),)) in found
    assert f"ops: /healthz, /readyz and /metrics on 127.0.0.1:{ops_port}" in err.decode()
