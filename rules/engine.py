"""The rulebook engine: plan follow-ups and place their nudges, by the rules in `rules.rulebook`.

Everything here is a pure function of its arguments (no clock, no database, no I/O), so the
rules can be tested exhaustively and reused by every adapter. The rulebook's own names are
offered here too: most callers want both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from rules.rulebook import (
    FairRules,
    FollowUpRule,
    KindRule,
    MethodRule,
    NudgeKind,
    QuietHours,
    Rulebook,
    RulebookError,
    Timing,
    at_local,
    load_rulebook,
    normalize_kind,
    parse_rulebook,
)

__all__ = [
    "FairRules",
    "FollowUpRule",
    "KindRule",
    "MethodRule",
    "NudgeKind",
    "PlacedNudge",
    "PlannedFollowUp",
    "QuietHours",
    "Rulebook",
    "RulebookError",
    "Timing",
    "fair_evening_at",
    "load_rulebook",
    "normalize_kind",
    "out_of_quiet_hours",
    "parse_rulebook",
    "place_nudges",
    "plan_follow_ups",
    "should_nudge",
]


@dataclass(frozen=True)
class PlannedFollowUp:
    """One follow-up the student owes: how, and by when (what to write is in its rule)."""

    methods: tuple[str, ...]
    ideal_by: datetime
    due_by: datetime
    optional: bool


def plan_follow_ups(kind: KindRule, met_at: datetime) -> list[PlannedFollowUp]:
    """The follow-ups a conversation of `kind` at `met_at` calls for, in the rulebook's order."""
    return [
        PlannedFollowUp(
            methods=rule.methods,
            ideal_by=met_at + rule.ideal,
            due_by=met_at + (rule.adequate or rule.ideal),
            optional=kind.optional,
        )
        for rule in kind.follow_ups
    ]


def should_nudge(
    kind: KindRule, *, priority: int | None, nudges_on: bool, job_accepted: bool
) -> bool:
    """Whether a follow-up of `kind` gets nudges at all.

    None while the student's nudges are off; none for events once they accepted a job (the
    guide: keep following up at every event until you have accepted one); for a kind that nudges
    only some priorities (a brief fair chat), only those.
    """
    if not nudges_on:
        return False
    if kind.event and job_accepted:
        return False
    return kind.nudge_priorities is None or priority in kind.nudge_priorities


@dataclass(frozen=True, order=True)
class PlacedNudge:
    due_at: datetime
    kind: NudgeKind


def place_nudges(
    timing: Timing,
    *,
    met_at: datetime,
    ideal_by: datetime,
    due_by: datetime,
    now: datetime,
    zone: ZoneInfo,
    quiet: QuietHours | None,
    snoozed_until: datetime | None = None,
    already_sent: Mapping[NudgeKind, int] | None = None,
    last_sent_at: datetime | None = None,
    awake: bool = False,
    digest_at: time | None = None,
) -> list[PlacedNudge]:
    """Where the nudges for one follow-up go, in time order.

    `already_sent` counts the nudges of each kind this follow-up has had: a re-plan (new
    settings, a snooze) never places those again, even if their moment is still ahead (a nudge
    moved earlier out of quiet hours went out before its planned moment). `last_sent_at` is
    when the latest of them went out.

    `awake` says the student is up at `now`: they just used a command. Quiet hours are there
    to keep their sleep, so a nudge that can leave them neither earlier (that moment is past)
    nor later (past its deadline) goes out at once rather than not at all.

    - a heads-up `heads_up_after` the conversation, then last calls before the ideal deadline;
    - for a follow-up still adequate after its ideal window (an event): instead of those last
      calls, a reminder `ideal_ending_before` the ideal window ends, one every
      `reminder_every` while it is adequate, and one last call `adequate_last_call_before` the
      adequate deadline;
    - a nudge in quiet hours moves earlier, to `quiet_margin` before they begin; if that would
      be before the conversation or in the past, it moves to the end of quiet hours instead,
      unless that is past its deadline, in which case it goes out now if the student is
      `awake`, and is dropped if not;
    - a nudge moved to now is dropped when another went out less than `min_gap` ago (two
      nudges that both moved to one moment went out as one);
    - never before `met_at` or `now`, never after its deadline (the ideal deadline for the last
      calls before it and the reminder as it ends; the others: `due_by`); nudges closer than
      `min_gap` collapse into the later one;
    - a snooze drops what falls before `snoozed_until` and puts a nudge there, as asked;
    - last, a window-closed notice at `due_by` (or when quiet hours end), which is the one
      nudge allowed after the deadline: it reports it;
    - with `digest_at` (the student's daily digest, a local time), every nudge but an
      interview's or a call's last calls (and a snooze, asked for) waits for the next digest,
      unless that is past its deadline: then it comes on time.
    """
    earliest = max(met_at, now)
    candidates: list[tuple[datetime, NudgeKind, datetime]] = [
        (met_at + timing.heads_up_after, NudgeKind.HEADS_UP, due_by)
    ]
    if due_by > ideal_by:
        # An event: still adequate for weeks after the ideal window, so the end of that window
        # gets one reminder ("ideally today"), and the one last call comes before the deadline
        # that really closes it.
        candidates.append((ideal_by - timing.ideal_ending_before, NudgeKind.REMINDER, ideal_by))
        candidates.append((due_by - timing.adequate_last_call_before, NudgeKind.LAST_CALL, due_by))
    else:
        candidates += [
            (ideal_by - before, NudgeKind.LAST_CALL, ideal_by) for before in timing.last_call_before
        ]
    candidates += [
        (moment, NudgeKind.REMINDER, due_by)
        for moment in _reminders(met_at, due_by - timing.min_gap, timing.reminder_every, zone)
    ]
    candidates.sort()
    skip = dict(already_sent or {})

    placed: list[PlacedNudge] = []
    for moment, kind, deadline in candidates:
        if skip.get(kind, 0) > 0:
            skip[kind] -= 1
            continue
        # A moment already past is gone, even if it fell in quiet hours: a re-plan at night
        # must not bring back a nudge that was due (and sent) in the evening.
        if moment < earliest or (snoozed_until is not None and moment < snoozed_until):
            continue
        if quiet is not None and quiet.contains(moment, zone):
            moved = out_of_quiet_hours(
                moment, quiet, zone, margin=timing.quiet_margin, earliest=earliest, latest=deadline
            )
            if moved is None and awake:
                # Quiet hours began before now and outlast the deadline: a last call at dawn
                # would otherwise move earlier into the past and be lost.
                moved = earliest
            if moved is None:
                continue  # no moment outside quiet hours before its deadline
            moment = moved
            if snoozed_until is not None and moment <= snoozed_until:
                continue  # moved earlier, out of quiet hours, into the snooze (or onto it)
            if moment == earliest and _sent_lately(last_sent_at, earliest, timing.min_gap):
                continue
        if digest_at is not None and not (kind is NudgeKind.LAST_CALL and due_by <= ideal_by):
            moment = _digest_moment(moment, digest_at, zone, latest=deadline)
        if earliest <= moment <= deadline:
            placed.append(PlacedNudge(moment, kind))
    if snoozed_until is not None and earliest <= snoozed_until <= due_by:
        placed.append(PlacedNudge(snoozed_until, NudgeKind.SNOOZED))

    placed.sort()
    spaced: list[PlacedNudge] = []
    for nudge in placed:
        # A snooze is the student's own request, so it never gives way to a planned nudge.
        if (
            spaced
            and nudge.due_at - spaced[-1].due_at < timing.min_gap
            and NudgeKind.SNOOZED not in (nudge.kind, spaced[-1].kind)
        ):
            spaced.pop()
        spaced.append(nudge)

    if not skip.get(NudgeKind.WINDOW_CLOSED):
        closed_at = max(due_by, earliest)
        if quiet is not None and quiet.contains(closed_at, zone):
            closed_at = quiet.span_around(closed_at, zone)[1]
        if digest_at is not None:
            closed_at = _digest_moment(closed_at, digest_at, zone, latest=None)
        spaced.append(PlacedNudge(closed_at, NudgeKind.WINDOW_CLOSED))
    return spaced


def _digest_moment(
    moment: datetime, digest_at: time, zone: ZoneInfo, *, latest: datetime | None
) -> datetime:
    """The first daily digest at or after `moment` (local `digest_at`, on the calendar, so it
    keeps its hour across a daylight-saving change); `moment` itself if that is past `latest`."""
    day = moment.astimezone(zone).date()
    digest = at_local(day, digest_at, zone)
    if digest < moment:
        digest = at_local(day + timedelta(days=1), digest_at, zone)
    return moment if latest is not None and digest > latest else digest


def _sent_lately(last_sent_at: datetime | None, now: datetime, gap: timedelta) -> bool:
    """Whether a nudge went out less than `gap` before `now`: on a re-plan, a nudge that went
    out at once may have stood for several that had moved to the same moment."""
    return last_sent_at is not None and now - last_sent_at < gap


def _reminders(
    met_at: datetime, until: datetime, every: timedelta, zone: ZoneInfo
) -> list[datetime]:
    """Reminders every `every` after the conversation, before `until`. Whole days are counted
    on the calendar, so "a week later" keeps the local hour across a daylight-saving change."""
    local = met_at.astimezone(zone)
    found = []
    for step in range(1, 1000):
        if every == timedelta(days=every.days):
            moment = at_local(local.date() + every * step, local.time().replace(tzinfo=None), zone)
        else:
            moment = met_at + every * step
        if moment >= until:
            break
        found.append(moment)
    return found


def out_of_quiet_hours(
    moment: datetime,
    quiet: QuietHours,
    zone: ZoneInfo,
    *,
    margin: timedelta,
    earliest: datetime,
    latest: datetime,
    later_first: bool = False,
) -> datetime | None:
    """Where `moment`, which falls in quiet hours, goes instead: `margin` before they begin, or
    when they end; None when neither fits between `earliest` and `latest`.

    A planned nudge moves earlier first (a nudge the night before beats one the morning after),
    as early as `earliest` allows if the margin doesn't fit. A snooze (`later_first`) moves to
    the end first, since the student asked for later, and earlier only to a moment after
    `earliest` (now): a snooze to right now would be no snooze.
    """
    begins, ends = quiet.span_around(moment, zone)
    before = begins - margin
    if later_first:
        if ends <= latest:
            return ends
        return before if before > earliest else None
    if before >= earliest:
        return before
    if earliest < begins:
        # Too close to the conversation for the margin, but still before quiet hours begin.
        return earliest
    return ends if ends <= latest else None


def fair_evening_at(
    fair: FairRules, timing: Timing, *, day: date, zone: ZoneInfo, quiet: QuietHours | None
) -> datetime:
    """When the evening DM after a fair held on `day` goes out: `fair.evening_at` that day in
    the student's `zone`; when that falls in their quiet hours, `timing.quiet_margin` before
    they begin (as a nudge moves), or, if they begin before noon, when they end."""
    moment = at_local(day, fair.evening_at, zone)
    if quiet is None or not quiet.contains(moment, zone):
        return moment
    noon = at_local(day, time(12, 0), zone)
    moved = out_of_quiet_hours(
        moment,
        quiet,
        zone,
        margin=timing.quiet_margin,
        earliest=noon,
        latest=moment + timedelta(days=1),
    )
    return moved or moment
