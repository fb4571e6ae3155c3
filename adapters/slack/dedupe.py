"""Handle each Slack request once, however often it arrives.

Slack retries a request it thinks went unanswered (X-Slack-Retry-Num), and a captured request
can be replayed while its signature is still fresh. Either would otherwise record a conversation
twice. A request is known by the SHA-256 of its body: every body Slack sends carries an id of its
own (trigger_id for commands, clicks and forms; event_id for events), so two different requests
never share one, while a retry or a replay has the same body even when Slack signs it again with
a new timestamp. That is why the timestamp is left out of the key.

The keys live in memory, which answers at once for requests in flight in this process, and in
the database (the core's `SharedState`), so a retry that reaches another replica behind the load balancer is recognised too.
They are kept for `KEEP`: longer than a signature stays valid (5 minutes either way) and than
Slack's retry schedule (up to about 5 minutes), then forgotten.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from bot.state import SharedState

__all__ = ["CLAIM_WAIT", "KEEP", "SeenRequests", "request_key"]

log = logging.getLogger(__name__)

KEEP = timedelta(minutes=15)
# How long the check waits for the database before it lets a request through, the claim going on
# in the background: a slow database then costs the student this, not a whole timeout, before
# their command meets it too. Repeats are rare now that every request is acked at once.
CLAIM_WAIT = 1.0
_PREFIX = "slack:seen:"
# Forget old keys at most this often: one DELETE a minute, whatever the traffic.
_PRUNE_EVERY = 60.0


def request_key(raw_body: str, body: Mapping[str, Any]) -> str:
    """The request's identity: a hash of the signed body as sent (HTTP), or of the payload
    (Socket Mode, where there is no raw body)."""
    text = raw_body or json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class SeenRequests:
    """Which requests were handled; `first_time` claims one."""

    def __init__(self, state: SharedState | None, *, claim_wait: float = CLAIM_WAIT) -> None:
        self.state = state
        self.claim_wait = claim_wait
        # Claims under way, some no longer waited for: held here so none is collected early.
        self._claiming: set[asyncio.Future[bool]] = set()
        self._recent: dict[str, float] = {}
        self._last_prune = 0.0

    async def first_time(self, key: str) -> bool:
        """True the first time `key` is claimed (by any replica sharing the database)."""
        now = time.monotonic()
        self._forget_old(now)
        if key in self._recent:
            return False
        # Claimed before any await, so a concurrent copy in this process sees it.
        self._recent[key] = now + KEEP.total_seconds()
        if self.state is None:
            return True
        claim = asyncio.ensure_future(self._claim_in_database(key, now))
        self._claiming.add(claim)
        claim.add_done_callback(self._claimed)
        await asyncio.wait([claim], timeout=self.claim_wait)
        if not claim.done():
            log.warning("Slack: couldn't check for a repeated request in time (still trying)")
            return True
        if claim.exception() is not None:  # the database is down: handle it rather than lose it
            error = type(claim.exception()).__name__
            log.warning("Slack: couldn't check for a repeated request (%s)", error)
            return True
        return claim.result()

    async def _claim_in_database(self, key: str, now: float) -> bool:
        assert self.state is not None
        forget = None
        if now - self._last_prune >= _PRUNE_EVERY:
            self._last_prune = now
            forget = (_PREFIX, KEEP)
        return await self.state.claim(_PREFIX + key, forget=forget)

    def _claimed(self, claim: asyncio.Future[bool]) -> None:
        self._claiming.discard(claim)
        # Its error taken, so that a claim nobody waited for is never reported as unretrieved
        # (`first_time` logs those it waited for).
        if not claim.cancelled():
            claim.exception()

    def _forget_old(self, now: float) -> None:
        if len(self._recent) < 1000 and now - self._last_prune < _PRUNE_EVERY:
            return
        for key in [k for k, until in self._recent.items() if until <= now]:
            del self._recent[key]
