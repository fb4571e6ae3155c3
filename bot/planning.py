"""Nudge planning: where a follow-up's nudges go, placed in the outbox and placed again when
something changes (a snooze, new settings, DMs that work again).

A `NudgePlanner` lives for one command: it writes through that command's unit of work and
remembers the due times it planned, which the service hands to the scheduler once the command
is committed (a wake-up before the commit would find nothing).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.club_rules import ChannelKey, Rulebooks
from bot.domain import (
    Conversation,
    FairList,
    FollowUp,
    FollowUpStatus,
    Nudge,
    NudgeKind,
    NudgeStatus,
    Person,
    why_not_nudged,
)
from bot.ports import UnitOfWork
from rules.engine import PlacedNudge, Rulebook, fair_evening_at, place_nudges

__all__ = ["NudgePlanner"]


@dataclass
class NudgePlanner:
    """Plans the nudges of one command, at its moment `now`."""

    uow: UnitOfWork
    rulebook: Rulebook
    default_zone: ZoneInfo
    now: datetime
    # The due times of every nudge planned so far, for the scheduler's wake-up.
    due_times: list[datetime] = field(default_factory=list)
    # Clubs' own rulebooks: a conversation logged in a club channel is planned by its club's
    # (`rulebook` is the deployment's). Read once a command, on the first such conversation.
    rulebooks: Rulebooks | None = None
    _club_rulebooks: dict[ChannelKey, Rulebook] | None = field(default=None, repr=False)

    async def rulebook_for(self, person: Person, conversation: Conversation) -> Rulebook:
        """The rulebook the conversation's follow-ups are planned by."""
        if self.rulebooks is None or conversation.logged_in is None:
            return self.rulebook
        if self._club_rulebooks is None:
            self._club_rulebooks = await self.rulebooks.by_channel(self.uow)
        return self.rulebooks.of(self._club_rulebooks, person, conversation)

    def plan(
        self,
        person: Person,
        follow_up: FollowUp,
        conversation: Conversation,
        already_sent: Mapping[NudgeKind, int],
        last_sent_at: datetime | None = None,
        rulebook: Rulebook | None = None,
    ) -> list[PlacedNudge]:
        """The follow-up's nudges from now on, by the rules and the person's settings; none
        when it is closed, past its deadline, or not nudged (see `why_not_nudged`). A nudge
        that can't leave quiet hours in time goes out now: the person is awake, since every
        plan is made for a command of theirs. `rulebook`: the conversation's
        (`rulebook_for`), the deployment's when not given."""
        rules = rulebook or self.rulebook
        if (
            follow_up.status is not FollowUpStatus.PENDING
            or follow_up.due_by <= self.now
            or why_not_nudged(person, conversation, rules) is not None
        ):
            return []
        return place_nudges(
            rules.timing,
            met_at=conversation.met_at,
            ideal_by=follow_up.ideal_by,
            due_by=follow_up.due_by,
            now=self.now,
            zone=person.zone(self.default_zone),
            quiet=person.quiet_hours,
            snoozed_until=follow_up.snoozed_until,
            already_sent=already_sent,
            last_sent_at=last_sent_at,
            awake=True,
            digest_at=person.digest_at,
        )

    async def place_new(
        self, person: Person, conversation: Conversation, follow_ups: Sequence[FollowUp]
    ) -> list[tuple[FollowUp, list[PlacedNudge]]]:
        """Nudges for new follow-ups (none have any yet), added in one statement."""
        rulebook = await self.rulebook_for(person, conversation)
        planned = [
            (f, self.plan(person, f, conversation, {}, rulebook=rulebook)) for f in follow_ups
        ]
        nudges = [p for _, placed in planned for p in placed]
        await self.uow.outbox.add(
            [Nudge(f.id or 0, p.kind, p.due_at) for f, placed in planned for p in placed]
        )
        self._remember(nudges)
        return planned

    async def replan(
        self, person: Person, follow_up: FollowUp, conversation: Conversation
    ) -> list[PlacedNudge]:
        """Place the follow-up's pending nudges again; those already sent stay sent, and those
        due or retrying stay to be sent, each counted so that none is placed twice."""
        assert follow_up.id is not None
        outbox = self.uow.outbox
        sent, last_sent_at = (
            await outbox.sent_counts(follow_up.id, kept_at=self.now),
            await outbox.last_sent_at(follow_up.id),
        )
        rulebook = await self.rulebook_for(person, conversation)
        planned = self.plan(person, follow_up, conversation, sent, last_sent_at, rulebook)
        await self.uow.outbox.replace_pending(
            follow_up.id, [Nudge(follow_up.id, p.kind, p.due_at) for p in planned], self.now
        )
        self._remember(planned)
        return planned

    async def replan_all(self, person: Person) -> None:
        """Place the nudges of all the person's open follow-ups again (new settings), and the
        evening DMs of their fairs still to come."""
        assert person.id is not None
        for follow_up, conversation in await self.uow.follow_ups.open(person.id):
            await self.replan(person, follow_up, conversation)
        for fair in await self.uow.fairs.of_person(person.id):
            if fair.evening_status is NudgeStatus.PENDING:
                self.place_evening(person, fair)
                await self.uow.fairs.reschedule_evening(fair)

    def place_evening(self, person: Person, fair: FairList) -> None:
        """Place the fair's evening DM (again) for its day, in the person's zone and out of
        their quiet hours; the caller writes it (`Fairs.reschedule_evening`, which leaves one a
        sweep holds alone). One already sent stays sent; a fair already over gets none; on the
        fair's day after the evening's hour, it goes out at once."""
        if fair.evening_status in (NudgeStatus.SENT, NudgeStatus.SENDING):
            return
        zone = person.zone(self.default_zone)
        if fair.held_on < self.now.astimezone(zone).date():
            fair.evening_due_at, fair.evening_status = None, NudgeStatus.CANCELLED
            return
        due = fair_evening_at(
            self.rulebook.fair,
            self.rulebook.timing,
            day=fair.held_on,
            zone=zone,
            quiet=person.quiet_hours,
        )
        fair.evening_due_at = max(due, self.now)
        fair.evening_status, fair.evening_attempts, fair.last_error = NudgeStatus.PENDING, 0, None
        self.due_times.append(fair.evening_due_at)

    def _remember(self, nudges: Sequence[PlacedNudge]) -> None:
        self.due_times.extend(p.due_at for p in nudges)
