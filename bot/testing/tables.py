"""The rows the in-memory fakes keep (`InMemoryStorage().tables`), one dictionary a table."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime

from bot.domain import (
    Club,
    ClubDigest,
    ClubEvent,
    ClubRules,
    Conversation,
    EventPrompt,
    FairList,
    FairVisit,
    FollowUp,
    Nudge,
    Person,
    ScheduledEventEnd,
    Workspace,
)

__all__ = ["Tables"]


@dataclass
class Tables:
    """The rows, as the fakes keep them: tests may read them (`InMemoryStorage().tables`)."""

    people: dict[int, Person] = field(default_factory=dict)
    next_numbers: dict[int, int] = field(default_factory=dict)
    conversations: dict[int, Conversation] = field(default_factory=dict)
    follow_ups: dict[int, FollowUp] = field(default_factory=dict)
    nudges: dict[int, Nudge] = field(default_factory=dict)
    workspaces: dict[tuple[str, str], Workspace] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    values_updated: dict[str, datetime] = field(default_factory=dict)
    pace_turns: dict[str, float] = field(default_factory=dict)
    # A calendar subscription's person, by the sha256 of its secret.
    calendar_feeds: dict[str, int] = field(default_factory=dict)
    # A link code's person and until when it is good, by the sha256 of the code.
    link_codes: dict[str, tuple[int, datetime]] = field(default_factory=dict)
    # Students' fair lists by id, and the conversations at fairs, by conversation id.
    fair_lists: dict[int, FairList] = field(default_factory=dict)
    fair_visits: dict[int, FairVisit] = field(default_factory=dict)
    clubs: dict[int, Club] = field(default_factory=dict)
    # A club's added organizers (platform user ids), by club id.
    club_organizers: dict[int, list[str]] = field(default_factory=dict)
    club_events: dict[int, ClubEvent] = field(default_factory=dict)
    # A club's own rulebook and templates, by (club id, what).
    club_rules: dict[tuple[int, str], ClubRules] = field(default_factory=dict)
    # Who is going to each event: (event id, person id) → since when.
    event_going: dict[tuple[int, int], datetime] = field(default_factory=dict)
    event_prompts: dict[int, EventPrompt] = field(default_factory=dict)
    club_digests: dict[int, ClubDigest] = field(default_factory=dict)
    event_ends: dict[int, ScheduledEventEnd] = field(default_factory=dict)
    last_id: int = 0

    def new_id(self) -> int:
        self.last_id += 1
        return self.last_id

    def delete_conversations(self, conversation_ids: set[int]) -> None:
        """Delete these conversations with their follow-ups and their nudges."""
        gone = {i for i, f in self.follow_ups.items() if f.conversation_id in conversation_ids}
        self.nudges = {i: n for i, n in self.nudges.items() if n.follow_up_id not in gone}
        for follow_up_id in gone:
            del self.follow_ups[follow_up_id]
        for conversation_id in conversation_ids:
            self.conversations.pop(conversation_id, None)
            self.fair_visits.pop(conversation_id, None)

    def drop_fair_lists(self, person_id: int) -> None:
        """Delete the person's fair lists and what was recorded at them."""
        gone = {i for i, f in self.fair_lists.items() if f.person_id == person_id}
        self.fair_visits = {c: v for c, v in self.fair_visits.items() if v.fair_id not in gone}
        for fair_id in gone:
            del self.fair_lists[fair_id]

    def drop_codes_and_feeds(self, person_id: int) -> None:
        """Delete the person's calendar link and link code."""
        self.calendar_feeds = {h: p for h, p in self.calendar_feeds.items() if p != person_id}
        self.link_codes = {h: v for h, v in self.link_codes.items() if v[0] != person_id}

    def with_conversation(self, follow_up: FollowUp) -> tuple[FollowUp, Conversation]:
        """A follow-up and its conversation, copied, as a joined row reads them."""
        return copy.copy(follow_up), copy.copy(self.conversations[follow_up.conversation_id])
