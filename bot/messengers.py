"""Messengers that combine others: one process can serve Slack and Discord together."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from bot.domain import Person
from bot.ports import CountsRequests, Delivery, Messenger, RetryAfter
from bot.replies import Reply

__all__ = ["RoutingMessenger"]

RETRY_ELSEWHERE = timedelta(minutes=5)


class RoutingMessenger:
    """Sends each DM through the messenger of the recipient's platform."""

    def __init__(self, by_platform: Mapping[str, Messenger]) -> None:
        self.by_platform = dict(by_platform)

    async def send_dm(
        self, to: Person, message: Reply, *, key: str, maybe_sent: bool = False
    ) -> Delivery:
        messenger = self.by_platform.get(to.address.platform)
        if messenger is None:
            # Not this process's platform (its dispatcher doesn't claim those): leave it for a
            # process that serves it.
            return RetryAfter(
                RETRY_ELSEWHERE.total_seconds(),
                f"no {to.address.platform} adapter here",
                scope="message",
                tried=False,
            )
        return await messenger.send_dm(to, message, key=key, maybe_sent=maybe_sent)

    def requests_for(self, to: Person) -> int:
        messenger = self.by_platform.get(to.address.platform)
        return messenger.requests_for(to) if isinstance(messenger, CountsRequests) else 1
