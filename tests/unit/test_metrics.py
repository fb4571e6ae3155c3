"""Metrics on the fakes: what the core counts, under which names and labels, and that no label
or value ever carries a person's data (ids, names, contacts, the platforms' failure texts)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from bot.commands import parse_command
from bot.domain import Address
from bot.metrics import FAILURE_REASONS, RETRY_REASONS, failure_reason, retry_reason
from bot.ports import OutboxDepth, PermanentFailure, RetryAfter
from bot.prometheus import PrometheusMetrics
from bot.services import Requester
from bot.testing import FakeClock, TestBot, make_test_bot
from rules.engine import Rulebook

# Everything here is someone's data: none of it may reach the exposition.
USER_ID = "U0PRIVATEUSER"
WORKSPACE_ID = "T0PRIVATETEAM"
CONTACT = "Zelda Quintessa"
COMPANY = "Xylophonics"
TOPIC = "quaternion kernels"
STUDENT = Requester(Address("slack", WORKSPACE_ID, USER_ID), display_name="Mirabel Oyelaran")
PERSONAL = [USER_ID, WORKSPACE_ID, "Zelda", "Quintessa", COMPANY, "quaternion", "Mirabel"]

PLATFORMS = {"slack", "discord", "console", "unknown", "other"}
COMMANDS = {"Met", "MetForm", "ListFollowUps", "MarkDone", "Snooze", "Skip", "Draft", "Check"}
COMMANDS |= {"ShowSettings", "ChangeSetting", "ServerZone", "Help", "other"}
STATES = {"due", "scheduled", "sending"}
# Every label the bot's metrics use, and the words each may hold.
LABEL_VALUES = {
    "platform": PLATFORMS,
    "reason": set(RETRY_REASONS) | set(FAILURE_REASONS),
    "command": COMMANDS,
    "state": STATES,
}


def scrape(metrics: PrometheusMetrics) -> dict[str, list[Sample]]:
    """The exposition, parsed as Prometheus would: samples by metric family name."""
    text = metrics.exposition().decode()
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


def value(
    samples: dict[str, list[Sample]], family: str, sample: str | None = None, **labels: str
) -> float:
    """The value of the one sample of `family` (named `sample`, by default the family's
    `_total`, or the family itself) whose labels include `labels`; 0 if there is none."""
    found = [
        s
        for s in samples.get(family, [])
        if (sample is None or s.name == sample) and labels.items() <= s.labels.items()
    ]
    if sample is None:
        found = [s for s in found if not s.name.endswith("_created")]
    assert len(found) <= 1, found
    return found[0].value if found else 0.0


@pytest.fixture
def metrics() -> PrometheusMetrics:
    return PrometheusMetrics(platforms=["slack"])


@pytest.fixture
def measured(metrics: PrometheusMetrics, clock: FakeClock, rulebook: Rulebook) -> TestBot:
    return make_test_bot(clock=clock, rulebook=rulebook, metrics=metrics)


async def met(bot: TestBot, text: str) -> None:
    reply = await bot.service.handle(STUDENT, parse_command(text))
    assert not reply.is_error, reply.plain_text()


async def test_nudges_are_counted_by_platform_and_reason_with_no_one_in_the_labels(
    measured: TestBot, metrics: PrometheusMetrics
) -> None:
    await met(measured, f"/met {CONTACT}, {COMPANY}, interview, talked about {TOPIC}")
    await met(measured, f"/met {CONTACT} Junior, {COMPANY}, networking, {TOPIC}")
    await met(measured, f"/met Ada {CONTACT}, {COMPANY} Labs, call")
    await met(measured, "/followups")
    # The platforms' answers quote what they like; none of it may become a label.
    measured.messenger.answers.extend(
        [
            RetryAfter(30, f"rate limited while sending to {CONTACT}"),
            RuntimeError(f"connection reset sending {TOPIC} to {USER_ID}"),
            RetryAfter(1, f"paused for {WORKSPACE_ID}", tried=False),
            PermanentFailure(f"{CONTACT} can't be reached at {COMPANY}", concerns_person=False),
        ]
    )
    await measured.run_until(24 * 30)

    samples = scrape(metrics)
    text = metrics.exposition().decode()
    for personal in PERSONAL:
        assert personal not in text
    for family in samples.values():
        for sample in family:
            for label, word in sample.labels.items():
                if label in ("le", "quantile"):
                    continue
                assert word in LABEL_VALUES[label], (sample.name, label, word)

    claimed = value(samples, "followup_nudges_claimed", platform="slack")
    sent = value(samples, "followup_nudges_sent", platform="slack")
    cancelled = value(samples, "followup_nudges_cancelled", platform="slack")
    retried = sum(
        value(samples, "followup_nudges_retried", platform="slack", reason=r) for r in RETRY_REASONS
    )
    failed = sum(
        value(samples, "followup_nudges_failed", platform="slack", reason=r)
        for r in FAILURE_REASONS
    )
    assert sent > 0
    # Every claim ends one way or another; a retried row is claimed again later.
    assert claimed == sent + cancelled + retried + failed
    for reason in ("retry_after", "error", "deferred"):
        assert value(samples, "followup_nudges_retried", platform="slack", reason=reason) >= 1
    assert value(samples, "followup_nudges_failed", platform="slack", reason="refused") >= 1
    lateness_count = value(
        samples,
        "followup_nudge_lateness_seconds",
        "followup_nudge_lateness_seconds_count",
        platform="slack",
    )
    assert lateness_count == sent
    # Each command is timed under its class name and platform.
    assert value(
        samples,
        "followup_command_duration_seconds",
        "followup_command_duration_seconds_count",
        command="Met",
        platform="slack",
    ) == pytest.approx(3)
    assert (
        value(
            samples,
            "followup_command_duration_seconds",
            "followup_command_duration_seconds_count",
            command="ListFollowUps",
            platform="slack",
        )
        == 1
    )


async def test_a_late_nudge_is_measured_from_its_due_time(
    measured: TestBot, metrics: PrometheusMetrics
) -> None:
    await met(measured, f"/met {CONTACT}, {COMPANY}, interview")
    # The bot was down: the heads-up (due after 24 h) goes out 2 h late.
    measured.clock.advance(timedelta(hours=26))
    report = await measured.dispatcher.dispatch_due()
    assert report.sent == 1
    samples = scrape(metrics)
    assert value(
        samples,
        "followup_nudge_lateness_seconds",
        "followup_nudge_lateness_seconds_sum",
        platform="slack",
    ) == pytest.approx(7200, abs=1)
    buckets = {
        s.labels["le"]: s.value
        for s in samples["followup_nudge_lateness_seconds"]
        if s.name.endswith("_bucket")
    }
    assert buckets["3600.0"] == 0
    assert buckets["10800.0"] == 1


async def test_the_outbox_is_counted_by_state(
    measured: TestBot, metrics: PrometheusMetrics
) -> None:
    await met(measured, f"/met {CONTACT}, {COMPANY}, interview")
    depth = await measured.dispatcher.measure_outbox()
    assert (depth.due, depth.sending) == (0, 0)
    assert depth.scheduled > 0
    measured.clock.advance(timedelta(hours=24))
    depth = await measured.dispatcher.measure_outbox()
    assert depth.due == 1
    samples = scrape(metrics)
    assert value(samples, "followup_outbox_nudges", state="due") == 1
    assert value(samples, "followup_outbox_nudges", state="scheduled") == depth.scheduled
    assert value(samples, "followup_outbox_nudges", state="sending") == 0


def test_the_served_platforms_start_at_zero_channel_posts_included() -> None:
    samples = scrape(PrometheusMetrics(platforms=["slack", "discord"]))
    for platform in ("slack", "discord"):
        for family in ("followup_channel_posts", "followup_nudges_sent", "followup_nudges_claimed"):
            assert any(s.labels == {"platform": platform} for s in samples[family])
            assert value(samples, family, platform=platform) == 0
        failed = {
            s.labels["reason"]
            for s in samples["followup_nudges_failed"]
            if s.labels["platform"] == platform
        }
        assert failed == set(FAILURE_REASONS)
    assert value(samples, "followup_database_errors") == 0


def test_label_values_outside_the_vocabulary_read_other(metrics: PrometheusMetrics) -> None:
    metrics.command_handled(f"{CONTACT}'s command", f"{WORKSPACE_ID}", 0.01)
    metrics.channel_posted(USER_ID)
    text = metrics.exposition().decode()
    for personal in (CONTACT, WORKSPACE_ID, USER_ID):
        assert personal not in text
    samples = scrape(metrics)
    assert value(samples, "followup_channel_posts", platform="other") == 1
    assert (
        value(
            samples,
            "followup_command_duration_seconds",
            "followup_command_duration_seconds_count",
            command="other",
            platform="other",
        )
        == 1
    )


async def test_each_bot_counts_in_its_own_registry(clock: FakeClock, rulebook: Rulebook) -> None:
    first, second = PrometheusMetrics(["slack"]), PrometheusMetrics(["slack"])
    bot = make_test_bot(clock=clock, rulebook=rulebook, metrics=first)
    await met(bot, f"/met {CONTACT}, {COMPANY}, interview")
    first.outbox_measured(OutboxDepth(due=5, scheduled=6, sending=7))
    count = "followup_command_duration_seconds_count"
    assert value(scrape(first), "followup_command_duration_seconds", count, command="Met") == 1
    assert value(scrape(second), "followup_command_duration_seconds", count, command="Met") == 0
    assert value(scrape(second), "followup_outbox_nudges", state="due") == 0


@pytest.mark.parametrize(
    ("delivery", "raised", "reason"),
    [
        (RetryAfter(5, "429"), False, "retry_after"),
        (RetryAfter(5, "paused", tried=False), False, "deferred"),
        (RetryAfter(5, "TimeoutError"), True, "error"),
    ],
)
def test_retry_reasons(delivery: RetryAfter, raised: bool, reason: str) -> None:
    assert retry_reason(delivery, raised=raised) == reason


@pytest.mark.parametrize(
    ("delivery", "reason"),
    [
        (PermanentFailure("DMs closed"), "dms_closed"),
        (PermanentFailure("app uninstalled", False, concerns_workspace=True), "workspace_gone"),
        (PermanentFailure("message refused", concerns_person=False), "refused"),
        (None, "gave_up"),
    ],
)
def test_failure_reasons(delivery: PermanentFailure | None, reason: str) -> None:
    assert failure_reason(delivery) == reason
