"""What a club's channel hears about how its members follow up: digests that count without
naming anyone.

Two kinds, each an outbox row (`Digests`) so that replicas post it once and a restart loses
none: one after each event, when its ideal window has closed (its end + 48 h), and one a week
when organizers ask for it (/club digest weekly mon 9:00). A digest counts the members who
logged conversations, the conversations, the follow-ups sent on time (within the guide's ideal
window) and those still open, with one line of the guide's advice for what is still adequate.
A figure drawn from fewer than `MIN_MEMBERS` members is not shown ("too few to report"); no
contact is ever named, and a student only when they opted in to shout-outs.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.club_rules import Rulebooks
from bot.domain import Club, ClubDigest, ClubEvent, DigestKind, FollowUpStatus, NudgeStatus
from bot.event_prompts import MAX_ATTEMPTS, RETRY_STEP, SendReport, settled
from bot.ports import (
    Activity,
    ChannelPoster,
    Claim,
    Delivered,
    DigestContext,
    PermanentFailure,
    RetryAfter,
    Storage,
    UnitOfWork,
)
from bot.replies import DigestPost
from rules.engine import Rulebook
from rules.rulebook import at_local

__all__ = [
    "AFTER_EVENT",
    "MIN_MEMBERS",
    "DigestSender",
    "Figures",
    "digest_post",
    "event_digest",
    "figures_of",
    "next_weekly",
    "plan_weekly_digests",
]

log = logging.getLogger(__name__)

# A figure drawn from fewer members than this could point at someone: it is not shown.
MIN_MEMBERS = 3
# The guide's ideal window after an event: its digest comes when it has closed.
AFTER_EVENT = timedelta(hours=48)
WEEK = timedelta(days=7)
TOO_FEW = "too few to report"


@dataclass(frozen=True)
class Figures:
    """What a digest counts, each figure with how many members are behind it."""

    members: int
    conversations: int
    on_time: int
    on_time_members: int
    still_open: int
    open_members: int
    kinds: tuple[str, ...] = ()
    shoutouts: tuple[str, ...] = field(default=())


def figures_of(activity: Sequence[Activity]) -> Figures:
    """Count `activity`: members, conversations, follow-ups sent within their ideal window,
    those still open, and the names of the members who opted in and sent one on time."""
    members = {a.person_id for a in activity}
    conversations = {a.conversation_id for a in activity}
    on_time = [
        a
        for a in activity
        if a.status == FollowUpStatus.DONE
        and a.closed_at is not None
        and a.ideal_by is not None
        and a.closed_at <= a.ideal_by
    ]
    still_open = [a for a in activity if a.status == FollowUpStatus.PENDING]
    kinds = Counter(a.kind for a in activity)
    names = sorted({a.shoutout_name for a in on_time if a.shoutout_name})
    return Figures(
        members=len(members),
        conversations=len(conversations),
        on_time=len(on_time),
        on_time_members=len({a.person_id for a in on_time}),
        still_open=len(still_open),
        open_members=len({a.person_id for a in still_open}),
        kinds=tuple(kind for kind, _ in kinds.most_common()),
        shoutouts=tuple(names),
    )


def digest_post(title: str, figures: Figures, rulebook: Rulebook) -> DigestPost:
    """The digest as its channel reads it: counts only, each from at least `MIN_MEMBERS`."""

    def shown(value: int, members: int) -> str:
        return str(value) if members >= MIN_MEMBERS else TOO_FEW

    lines = [
        f"Members who logged conversations: {shown(figures.members, figures.members)}",
        f"Conversations logged: {shown(figures.conversations, figures.members)}",
        f"Follow-ups sent on time: {shown(figures.on_time, figures.on_time_members)}",
        f"Still open: {shown(figures.still_open, figures.open_members)}",
    ]
    advice = advice_line(rulebook, figures.kinds)
    if advice:
        lines.append(advice)
    if figures.shoutouts:
        lines.append(f"Shout-out for following up on time: {', '.join(figures.shoutouts)}!")
    return DigestPost(title, tuple(lines))


def advice_line(rulebook: Rulebook, kinds: Sequence[str]) -> str:
    """One line of the guide's advice for what is still adequate: for the most logged kind of
    event conversation (networking, if none was logged)."""
    for key in (*kinds, "networking", *rulebook.kinds):
        kind = rulebook.kinds.get(key)
        if kind is None or not kind.event:
            continue
        for rule in kind.follow_ups:
            if rule.adequate is not None:
                days = round(rule.adequate.total_seconds() / 86400)
                advice = f" Keep it {rule.advice}." if rule.advice else ""
                return (
                    f"Still open? The guide says a late follow-up is still fine for {days} days "
                    f"after an event.{advice}"
                )
    return ""


def event_digest(event: ClubEvent) -> ClubDigest:
    """An event's digest: when its ideal window closes."""
    assert event.id is not None
    due = event.ends_at + AFTER_EVENT
    return ClubDigest(event.club_id, DigestKind.EVENT, event.starts_at, due, due, event.id)


def next_weekly(club: Club, after: datetime) -> ClubDigest | None:
    """The club's next weekly digest after `after`, at its day and time in its zone; None
    when it wants none."""
    if club.digest_day is None or club.digest_at is None or club.id is None:
        return None
    local = after.astimezone(club.zone)
    ahead = (club.digest_day - local.weekday()) % 7
    moment = at_local(local.date() + timedelta(days=ahead), club.digest_at, club.zone)
    if moment <= after:
        moment = at_local(local.date() + timedelta(days=ahead + 7), club.digest_at, club.zone)
    return ClubDigest(club.id, DigestKind.WEEKLY, moment - WEEK, moment, moment)


async def plan_weekly_digests(storage: Storage, clock: Clock) -> int:
    """Plan each weekly club's next digest, unless it is planned already (what the hourly
    job does, so that a chain broken by an outage mends itself); how many clubs want one."""
    now = clock.now()
    async with storage.session() as uow:
        clubs = await uow.digests.weekly_clubs()
        planned = [d for club in clubs if (d := next_weekly(club, now)) is not None]
        await uow.digests.plan(planned)
    return len(clubs)


@dataclass(eq=False)
class DigestSender:
    """Posts the due digests through `poster` (None: nowhere to post, they wait)."""

    storage: Storage
    poster: ChannelPoster | None
    clock: Clock
    # The deployment's rulebook and each club's own: a digest's advice is its club's.
    rulebooks: Rulebooks
    owner: str
    lease: timedelta
    platforms: tuple[str, ...] | None = None

    async def dispatch_due(self) -> SendReport:
        report = SendReport()
        if self.poster is None:
            return report
        now = self.clock.now()
        claim = Claim(now, self.owner, now + self.lease, 50, self.platforms)
        async with self.storage.session() as uow:
            claimed = await uow.digests.claim_due(claim)
            contexts = await uow.digests.contexts(claimed)
            posts: dict[int, DigestPost] = {}
            for digest in claimed:
                context = contexts.get(digest.id or 0)
                if context is None:
                    continue
                if digest.kind is DigestKind.WEEKLY:
                    # The week after this one, planned with its claim: the chain goes on.
                    following = next_weekly(context.club, digest.period_end)
                    if following is not None:
                        await uow.digests.plan([following])
                posts[digest.id or 0] = await self._post_of(
                    uow, context.club, context.event, digest
                )
        report.claimed = len(claimed)
        done = [await self._send(d, contexts.get(d.id or 0), posts, report) for d in claimed]
        async with self.storage.session() as uow:
            await uow.digests.settle(done, self.owner)
        return report

    async def next_due_at(self) -> datetime | None:
        async with self.storage.session() as uow:
            return await uow.digests.next_due_at()

    async def _post_of(
        self, uow: UnitOfWork, club: Club, event: ClubEvent | None, digest: ClubDigest
    ) -> DigestPost:
        activity = await uow.digests.activity(club, event, digest.period_start, digest.period_end)
        if event is not None:
            title = f"After {event.title}: how {club.name} followed up"
        else:
            title = f"{club.name} this week: how members followed up"
        own = (await uow.clubs.rules(club.id)).get("rulebook") if club.id is not None else None
        rulebook = self.rulebooks.own_rulebook(own) if own else self.rulebooks.rulebook
        return digest_post(title, figures_of(activity), rulebook)

    async def _send(
        self,
        digest: ClubDigest,
        context: DigestContext | None,
        posts: dict[int, DigestPost],
        report: SendReport,
    ) -> ClubDigest:
        post = posts.get(digest.id or 0)
        event = context.event if context is not None else None
        if post is None or context is None or (event is not None and event.cancelled):
            report.cancelled += 1
            digest.status = NudgeStatus.CANCELLED
            digest.lease_owner = digest.lease_expires_at = None
            digest.last_error = "club or event gone" if post is None else "event cancelled"
            return digest
        assert self.poster is not None
        try:
            outcome = await self.poster.post_digest(context.club, post)
        except Exception as err:  # transient until proven otherwise
            log.warning("digest-%s: post failed with %s; will retry", digest.id, type(err).__name__)
            outcome = RetryAfter(RETRY_STEP.total_seconds() * digest.attempts, type(err).__name__)
        if isinstance(outcome, RetryAfter):
            if digest.attempts < MAX_ATTEMPTS:
                report.retried += 1
            else:
                report.failed += 1
            return settled(digest, outcome, self.clock.now())
        if isinstance(outcome, PermanentFailure):
            report.failed += 1
            return settled(digest, outcome, self.clock.now())
        report.sent += 1
        return settled(digest, Delivered(), self.clock.now())
