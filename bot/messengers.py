"""Messengers that combine others: one process can serve Slack and Discord together."""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain import Person
from bot.ports import Delivery, Messenger, PermanentFailure
from bot.replies import Reply

__all__ = ["RoutingMessenger"]


class RoutingMessenger:
    """Sends each DM through the messenger of the recipient's platform."""

    def __init__(self, by_platform: Mapping[str, Messenger]) -> None:
        self.by_platform = dict(by_platform)

    async def send_dm(self, to: Person, message: Reply, *, key: str) -> Delivery:
        messenger = self.by_platform.get(to.address.platform)
        if messenger is None:
            # Not this replica's platform: fail the nudge, not the person (they are fine).
            return PermanentFailure(
                f"no {to.address.platform} adapter is running", concerns_person=False
            )
        return await messenger.send_dm(to, message, key=key)
