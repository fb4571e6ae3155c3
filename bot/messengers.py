"""Messengers that combine others: one process can serve Slack and Discord together."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from bot.domain import Club, Person
from bot.ports import (
    ChannelPoster,
    Delivery,
    Messenger,
    PermanentFailure,
    Posted,
    RetryAfter,
    requests_for,
)
from bot.replies import DigestPost, EventCard, Reply

__all__ = ["RoutingMessenger", "RoutingPoster"]

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
        return requests_for(messenger, to)


class RoutingPoster:
    """Posts each club's cards through the messenger of the club's platform, where it posts in
    channels."""

    def __init__(self, by_platform: Mapping[str, object]) -> None:
        self.by_platform = {
            platform: poster
            for platform, poster in by_platform.items()
            if isinstance(poster, ChannelPoster)
        }

    async def post_to_channel(
        self, club: Club, card: EventCard
    ) -> Posted | RetryAfter | PermanentFailure:
        poster = self.by_platform.get(club.platform)
        if poster is None:
            return PermanentFailure(f"no {club.platform} adapter here", concerns_person=False)
        return await poster.post_to_channel(club, card)

    async def post_digest(
        self, club: Club, digest: DigestPost
    ) -> Posted | RetryAfter | PermanentFailure:
        poster = self.by_platform.get(club.platform)
        if poster is None:
            return PermanentFailure(f"no {club.platform} adapter here", concerns_person=False)
        return await poster.post_digest(club, digest)

    async def update_post(self, club: Club, ref: str, card: EventCard) -> Delivery:
        poster = self.by_platform.get(club.platform)
        if poster is None:
            return PermanentFailure(f"no {club.platform} adapter here", concerns_person=False)
        return await poster.update_post(club, ref, card)
