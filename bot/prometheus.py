"""The `Metrics` port on prometheus-client: the one module of the core that imports it.

Every `PrometheusMetrics` keeps its metrics in a `CollectorRegistry` of its own (never the
library's global one), so each bot (and each test's) counts only its own. `exposition()` is the
text a `/metrics` scrape gets (adapters/ops.py serves it).

    followup_nudges_claimed_total{platform}            nudge rows claimed by a sweep
    followup_nudges_sent_total{platform}               delivered
    followup_nudges_cancelled_total{platform}          not sent: done, skipped, superseded ...
    followup_nudges_retried_total{platform,reason}     put back: deferred, retry_after, error
    followup_nudges_failed_total{platform,reason}      for good: dms_closed, workspace_gone,
                                                       refused, gave_up
    followup_nudge_lateness_seconds{platform}          histogram: due time to sent
    followup_command_duration_seconds{command,platform}  histogram: a command's handling
    followup_outbox_nudges{state}                      gauge: due, scheduled, sending
    followup_database_errors_total                     failed units of work and health checks
    followup_channel_posts_total{platform}             club channel posts (none are sent yet)

A platform label is one of the platforms this bot serves, `console` or `unknown`; a command
label is a command's class name. Anything else would read `other`: a label never carries what
a person typed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.process_collector import ProcessCollector

from bot.dispatch import UNKNOWN_PLATFORM
from bot.handlers import COMMAND_HANDLERS
from bot.metrics import FAILURE_REASONS, RETRY_REASONS, NudgeTally
from bot.ports import OutboxDepth

__all__ = ["CONTENT_TYPE", "PrometheusMetrics"]

# The Content-Type of `exposition()`: Prometheus' text format 0.0.4, which every Prometheus
# reads (the bot's names and labels need none of the newer format's escaping).
CONTENT_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"

# Due time to sent: seconds when all is well (the scheduler wakes at each due time), minutes
# when backed up or paced, hours to days after downtime (overdue nudges go out once, late).
LATENESS_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 900, 1800, 3600, 3 * 3600, 12 * 3600, 86400, 172800)
# A command's handling: milliseconds normally; Slack gives an answer 3 s, so the top buckets
# show how close to that the slowest come.
COMMAND_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
OTHER = "other"
COMMAND_NAMES: Final = frozenset(command.__name__ for command in COMMAND_HANDLERS)


class PrometheusMetrics:
    """The `Metrics` port as Prometheus metrics, in a registry of its own. `platforms`: those
    the bot serves; their series exist (at 0) from the start, so rates and alerts see them."""

    def __init__(self, platforms: Iterable[str] = ()) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._platforms = frozenset(platforms) | {"console", UNKNOWN_PLATFORM}
        r = self.registry

        def counter(name: str, doc: str, *labels: str) -> Counter:
            return Counter(name, doc, labels, registry=r)

        def histogram(name: str, doc: str, buckets: Sequence[float], *labels: str) -> Histogram:
            return Histogram(name, doc, labels, buckets=buckets, registry=r)

        self.claimed = counter("followup_nudges_claimed", "Nudge rows claimed", "platform")
        self.sent = counter("followup_nudges_sent", "Nudge rows delivered", "platform")
        self.cancelled = counter(
            "followup_nudges_cancelled",
            "Nudge rows claimed but not sent: the follow-up was closed, or a later nudge spoke for it",
            "platform",
        )
        self.retried = counter(
            "followup_nudges_retried",
            "Nudge rows put back to try again (deferred: nothing tried; retry_after: the "
            "platform asked to wait; error: the send failed)",
            "platform",
            "reason",
        )
        self.failed = counter(
            "followup_nudges_failed",
            "Nudge rows failed for good (dms_closed, workspace_gone, refused, gave_up)",
            "platform",
            "reason",
        )
        self.lateness = histogram(
            "followup_nudge_lateness_seconds",
            "Seconds from a nudge's due time to its sending",
            LATENESS_BUCKETS,
            "platform",
        )
        self.command_duration = histogram(
            "followup_command_duration_seconds",
            "Seconds to handle a command, by command and platform",
            COMMAND_BUCKETS,
            "command",
            "platform",
        )
        self.outbox = Gauge(
            "followup_outbox_nudges",
            "Nudges waiting in the outbox (due: should be going out now; scheduled: later; "
            "sending: claimed, not settled), shared by all replicas",
            ["state"],
            registry=r,
        )
        self.database_errors = counter(
            "followup_database_errors",
            "Units of work and readiness checks that failed on the database",
        )
        self.channel_posts = counter("followup_channel_posts", "Posts to club channels", "platform")
        ProcessCollector(registry=r)  # memory, CPU, open files of this process
        for platform in platforms:
            for by_platform in (self.claimed, self.sent, self.cancelled, self.channel_posts):
                by_platform.labels(platform)
            for reason in RETRY_REASONS:
                self.retried.labels(platform, reason)
            for failure in FAILURE_REASONS:
                self.failed.labels(platform, failure)

    def exposition(self) -> bytes:
        """The registry in Prometheus' text format (`CONTENT_TYPE`)."""
        return generate_latest(self.registry)

    # -- the port ------------------------------------------------------------------------

    def nudges_dispatched(self, tally: NudgeTally) -> None:
        for platform, count in tally.claimed.items():
            self.claimed.labels(self._platform(platform)).inc(count)
        for platform, count in tally.sent.items():
            self.sent.labels(self._platform(platform)).inc(count)
        for platform, count in tally.cancelled.items():
            self.cancelled.labels(self._platform(platform)).inc(count)
        for (platform, retry), count in tally.retried.items():
            self.retried.labels(self._platform(platform), retry).inc(count)
        for (platform, failure), count in tally.failed.items():
            self.failed.labels(self._platform(platform), failure).inc(count)
        for platform, seconds in tally.lateness.items():
            histogram = self.lateness.labels(self._platform(platform))
            for late in seconds:
                histogram.observe(max(late, 0.0))

    def command_handled(self, command: str, platform: str, seconds: float) -> None:
        name = command if command in COMMAND_NAMES else OTHER
        self.command_duration.labels(name, self._platform(platform)).observe(seconds)

    def outbox_measured(self, depth: OutboxDepth) -> None:
        self.outbox.labels("due").set(depth.due)
        self.outbox.labels("scheduled").set(depth.scheduled)
        self.outbox.labels("sending").set(depth.sending)

    def database_error(self) -> None:
        self.database_errors.inc()

    def channel_posted(self, platform: str) -> None:
        self.channel_posts.labels(self._platform(platform)).inc()

    def _platform(self, platform: str) -> str:
        return platform if platform in self._platforms else OTHER
