"""Event cards in club channels: posted, then updated in place, once the command that changed
the event is committed.

An organizer's /club event posts the card at once (they watch for it), and a Going click
updates its count at once: the platform's answer is what the asker is told, so a card that
couldn't be posted (the bot isn't in the channel) says so in the reply, and the next change to
the event tries again (an event without a card posts one).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.domain import Club
from bot.handlers.clubs import event_card
from bot.ports import ChannelPoster, Delivery, PermanentFailure, Posted, RetryAfter, Storage
from bot.replies import Section
from rules.engine import Rulebook

__all__ = ["ClubPosts"]

log = logging.getLogger(__name__)


class ClubPosts:
    """Posts and updates the cards of club events through `poster` (None: nowhere to post)."""

    def __init__(self, storage: Storage, poster: ChannelPoster | None, rulebook: Rulebook) -> None:
        self.storage = storage
        self.poster = poster
        self.rulebook = rulebook

    async def publish(self, club: Club, event_ids: Sequence[int]) -> list[Section]:
        """Post or update the cards of `club`'s events `event_ids`; what went wrong, to tell
        the asker (nothing when all went well)."""
        problems: list[Section] = []
        if self.poster is None:
            return problems
        assert club.id is not None
        for event_id in dict.fromkeys(event_ids):
            async with self.storage.session() as uow:
                event = await uow.clubs.event(club.id, event_id)
                counts = await uow.clubs.going_counts([event_id])
            if event is None:
                continue
            card = event_card(club, event, self.rulebook, going=counts.get(event_id, 0))
            outcome: Posted | Delivery
            try:
                if event.post_ref is None:
                    outcome = await self.poster.post_to_channel(club, card)
                else:
                    outcome = await self.poster.update_post(club, event.post_ref, card)
            except Exception as err:  # the platform's client failed: the reply says so
                log.warning("posting an event card failed with %s", type(err).__name__)
                problems.append(_not_posted(event_id, "the platform didn't answer"))
                continue
            if isinstance(outcome, Posted):
                async with self.storage.session() as uow:
                    await uow.clubs.set_post_ref(event_id, outcome.ref)
            elif isinstance(outcome, PermanentFailure | RetryAfter):
                problems.append(_not_posted(event_id, outcome.reason))
        return problems


def _not_posted(event_id: int, reason: str) -> Section:
    return Section(
        f"I couldn't post or update the event's card in this channel ({reason}). Make sure "
        f"I'm a member of the channel, then change the event (/club edit {event_id} ...) to "
        "try again.",
        title="The card isn't up to date",
    )
