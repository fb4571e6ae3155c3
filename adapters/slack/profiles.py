"""What Slack knows about a student: their time zone and name (users.info), cached.

The core keeps the platform's zone on the person and uses it unless they set their own, so a
lookup only has to be fresh enough to notice a student who moved: hours, not seconds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

__all__ = ["Profile", "Profiles"]

log = logging.getLogger(__name__)

# A profile is looked up again after this long (someone who travelled shows their new zone).
KEEP_SECONDS = 6 * 3600
# After a failed lookup, don't ask again for a while: the command goes on without a zone.
KEEP_FAILED_SECONDS = 300
CACHE_SIZE = 10_000


@dataclass(frozen=True)
class Profile:
    display_name: str | None = None
    timezone: str | None = None
    # A workspace admin or owner: they organize every club in it.
    is_admin: bool = False


class Profiles:
    """users.info per (workspace, user), remembered for `KEEP_SECONDS`."""

    def __init__(self) -> None:
        self._cache: OrderedDict[tuple[str, str], tuple[float, Profile]] = OrderedDict()

    async def lookup(
        self, client: AsyncWebClient, workspace: str, user: str, *, wait: float
    ) -> Profile:
        """The profile, waiting at most `wait` seconds for Slack; an empty one if Slack doesn't
        answer in time (the command goes on without it)."""
        key = (workspace, user)
        cached = self._cache.get(key)
        now = time.monotonic()
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            response = await asyncio.wait_for(client.users_info(user=user), timeout=wait)
        except (SlackApiError, TimeoutError, aiohttp.ClientError) as err:
            log.info("Slack: no profile for a user of %s (%s)", workspace, type(err).__name__)
            self._keep(key, Profile(), now + KEEP_FAILED_SECONDS)
            return Profile()
        found = response.get("user")
        profile = _profile(found) if isinstance(found, Mapping) else Profile()
        self._keep(key, profile, now + KEEP_SECONDS)
        return profile

    def _keep(self, key: tuple[str, str], profile: Profile, until: float) -> None:
        self._cache[key] = (until, profile)
        self._cache.move_to_end(key)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)


def _profile(user: Mapping[str, object]) -> Profile:
    tz = user.get("tz")
    details = user.get("profile")
    name: object = None
    if isinstance(details, Mapping):
        name = details.get("display_name") or details.get("real_name")
    name = name or user.get("real_name")
    return Profile(
        display_name=name if isinstance(name, str) and name.strip() else None,
        timezone=tz if isinstance(tz, str) and tz else None,
        is_admin=user.get("is_admin") is True or user.get("is_owner") is True,
    )
