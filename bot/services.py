"""The services: one handler per command, the same for every platform.

Every handler runs in one unit of work scoped to the verified requester: it reads and changes
only that person's data, and a follow-up number that isn't theirs reads exactly like one that
doesn't exist. A `UserError` rolls the unit of work back, so bad input changes nothing.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from difflib import get_close_matches
from functools import cache
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot import messages
from bot.clock import Clock
from bot.commands import (
    ChangeSetting,
    Check,
    Command,
    Draft,
    Help,
    ListFollowUps,
    MarkDone,
    Met,
    MetForm,
    ShowSettings,
    Skip,
    Snooze,
)
from bot.domain import (
    Address,
    Conversation,
    FollowUp,
    FollowUpStatus,
    JobStatus,
    LinkedInPlan,
    Nudge,
    NudgeKind,
    Person,
    company_key,
    why_not_nudged,
)
from bot.drafts import draft_reply
from bot.errors import UserError
from bot.formatting import format_left, format_moment
from bot.met import MetError, MetInput, clean_text, validate_met, when_prefix
from bot.ports import Storage, Store
from bot.proofread import CHECK_LIMIT, Proofreader, check_reply, shared_proofreader
from bot.replies import Action, ActionKind, Reply, Section
from bot.timeparse import DurationError, parse_duration
from rules.drafts import DraftBook, load_drafts
from rules.engine import (
    PlacedNudge,
    QuietHours,
    Rulebook,
    place_nudges,
    plan_follow_ups,
)

__all__ = [
    "FollowUpService",
    "FollowUpSummary",
    "Requester",
    "settable_zone_names",
    "zone_or_error",
]

log = logging.getLogger(__name__)

# "Snooze until tomorrow" means tomorrow morning, at this local time or when quiet hours end.
TOMORROW_MORNING = time(9, 0)
NAME_LIMIT = 80
# The due times of nudges planned by the command being handled (each task has its own).
_planned_in_this_command: ContextVar[list[datetime]] = ContextVar("planned_in_this_command")
# /followups keeps showing a missed follow-up this long: a late note still helps for a while.
MISSED_SHOWN_FOR = timedelta(days=14)


@dataclass(frozen=True)
class FollowUpSummary:
    """One pending follow-up in a picker: "#3 Jane Doe, Acme: email, 20 h left"."""

    number: int
    follow_up_id: int
    contact_name: str
    company: str
    method: str
    time_left: str

    def __str__(self) -> str:
        return (
            f"#{self.number} {self.contact_name}, {self.company}: {self.method}, {self.time_left}"
        )


@dataclass(frozen=True)
class Requester:
    """Who is asking, as the platform verified them.

    `display_name` and `timezone` are what the platform knows (Slack's profile); the person's own
    settings win over them.
    """

    address: Address
    display_name: str | None = None
    timezone: str | None = None


class FollowUpService:
    """Handles every command. `on_nudge_planned` is told the earliest due time of nudges it
    plans, so a scheduler can wake up for it. `drafts` and `proofreader` default to the bundled
    templates and the shared proofreader (bootstrap passes the ones it loaded at start)."""

    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        rulebook: Rulebook,
        *,
        default_zone: ZoneInfo,
        on_nudge_planned: Callable[[datetime], None] | None = None,
        drafts: DraftBook | None = None,
        proofreader: Proofreader | None = None,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.rulebook = rulebook
        self.default_zone = default_zone
        self.on_nudge_planned = on_nudge_planned
        self.drafts = drafts or load_drafts(rulebook=rulebook)
        self.proofreader = proofreader or shared_proofreader()

    async def handle(self, requester: Requester, command: Command) -> Reply:
        """Run one command for `requester`. Never raises for anything a person typed."""
        planned: list[datetime] = []
        token = _planned_in_this_command.set(planned)
        try:
            async with self.storage.session() as store:
                person = await self._person(store, requester)
                notice = await self._undeliverable_notice(store, person)
                reply = await self._dispatch(store, person, command)
        except MetError as err:
            return Reply(Reply.error(str(err)).sections, is_error=True, field_errors=err.problems)
        except UserError as err:
            return Reply.error(str(err))
        finally:
            _planned_in_this_command.reset(token)
        # Only now are the new nudges committed, so a wake-up can find them.
        if planned and self.on_nudge_planned is not None:
            self.on_nudge_planned(min(planned))
        return reply.with_notice(notice)

    async def _dispatch(self, store: Store, person: Person, command: Command) -> Reply:
        match command:
            case Met():
                return await self._met(store, person, command)
            case MetForm() | Help(topic="met"):
                return messages.met_help(self.rulebook)
            case Help():
                return messages.follow_ups_help()
            case ListFollowUps():
                return await self._list(store, person)
            case MarkDone():
                return await self._done(store, person, command)
            case Snooze():
                return await self._snooze(store, person, command)
            case Skip():
                return await self._skip(store, person, command)
            case ShowSettings():
                return self._settings_view(person)
            case ChangeSetting():
                return await self._change_setting(store, person, command)
            case Draft():
                return await self._draft(store, person, command)
            case Check():
                return await self._check(store, person, command)

    # -- people --------------------------------------------------------------------------

    async def _person(self, store: Store, requester: Requester) -> Person:
        """The requester as a person, created on first use, with what the platform knows of
        them kept up to date (one write at most)."""
        person = await store.person(requester.address)
        known = person is not None
        if person is None:
            person = Person(
                address=requester.address,
                created_at=self.clock.now(),
                quiet_hours=self.rulebook.timing.default_quiet,
            )
        changed = False
        platform_zone = (
            requester.timezone if requester.timezone and _is_zone(requester.timezone) else None
        )
        if platform_zone and platform_zone != person.platform_timezone:
            person.platform_timezone = platform_zone
            changed = True
        if requester.display_name and not person.display_name:
            person.display_name = clean_text(requester.display_name)[:NAME_LIMIT]
            changed = True
        if not known:
            return await store.add_person(person)
        if changed:
            await store.update_person(person)
        return person

    def zone_of(self, person: Person) -> ZoneInfo:
        return person.zone(self.default_zone)

    async def open_follow_ups(self, requester: Requester) -> list[FollowUpSummary]:
        """The requester's pending follow-ups, most urgent first: for pickers and autocomplete.
        Only ever the requester's own."""
        async with self.storage.session() as store:
            person = await store.person(requester.address)
            if person is None or person.id is None:
                return []
            rows = await store.open_follow_ups(person.id)
        now = self.clock.now()
        rows.sort(key=lambda row: _urgency(row[0], now))
        return [
            FollowUpSummary(
                number=f.number,
                follow_up_id=f.id or 0,
                contact_name=c.contact_name,
                company=c.company,
                method=messages.method_label(f, self.rulebook),
                time_left=messages.time_left(f, now),
            )
            for f, c in rows
        ]

    async def zone_for(self, address: Address) -> ZoneInfo:
        """The zone of whoever has `address` (the default for someone new)."""
        async with self.storage.session() as store:
            person = await store.person(address)
        return self.zone_of(person) if person else self.default_zone

    async def _undeliverable_notice(self, store: Store, person: Person) -> Section | None:
        """Tell a person once that their DMs failed, and start trying again."""
        if person.undeliverable is None:
            return None
        reason = person.undeliverable
        person.undeliverable = None
        await store.update_person(person)
        await self._replan_all(store, person)
        return Section(
            f"I couldn't send you a DM ({reason}), so your reminders stopped. Allow direct "
            "messages from this app, and I'll nudge you again from now on.",
            title="Your DMs are closed",
        )

    # -- /met ----------------------------------------------------------------------------

    async def _met(self, store: Store, person: Person, command: Met) -> Reply:
        now, zone = self.clock.now(), self.zone_of(person)
        fields = command.fields or MetInput.from_text(
            command.text, time_prefix=when_prefix(now, zone)
        )
        details = validate_met(fields, self.rulebook, now=now, zone=zone)
        assert person.id is not None
        earlier = await store.conversations_at(person.id, company_key(details.company))
        conversation = await store.add_conversation(
            Conversation(
                person_id=person.id,
                contact_name=details.name,
                company=details.company,
                kind=details.kind.key,
                met_at=details.met_at,
                created_at=now,
                topics=details.topics,
                event=details.event,
                priority=details.priority,
                logged_in=command.where,
            )
        )
        assert conversation.id is not None
        planned = plan_follow_ups(details.kind, details.met_at)
        numbers = await store.allocate_numbers(person.id, len(planned))
        added = await store.add_follow_ups(
            [
                FollowUp(
                    person_id=person.id,
                    conversation_id=conversation.id,
                    number=number,
                    methods=plan.methods,
                    ideal_by=plan.ideal_by,
                    due_by=plan.due_by,
                    optional=plan.optional,
                )
                for plan, number in zip(planned, numbers, strict=True)
            ]
        )
        # New follow-ups have no nudges yet: plan them all and add them in one statement. The
        # command's own moment counts: "47 hours ago" makes a last call due right now, which a
        # later reading of the clock would already call past.
        follow_ups = [(f, self._plan_nudges(person, f, conversation, {}, now)) for f in added]
        await store.add_nudges(
            [Nudge(f.id or 0, p.kind, p.due_at) for f, nudges in follow_ups for p in nudges]
        )
        self._planned([p for _, nudges in follow_ups for p in nudges])
        nudged = any(nudges for _, nudges in follow_ups)
        return messages.plan_reply(
            conversation=conversation,
            kind=details.kind,
            follow_ups=follow_ups,
            earlier=earlier,
            person=person,
            rulebook=self.rulebook,
            now=now,
            zone=zone,
            nudged=nudged,
        )

    # -- nudges --------------------------------------------------------------------------

    async def _replan(
        self, store: Store, person: Person, follow_up: FollowUp, conversation: Conversation
    ) -> list[PlacedNudge]:
        """Re-place the follow-up's pending nudges from the rules and the person's settings."""
        assert follow_up.id is not None
        now = self.clock.now()
        sent = await store.nudges_sent(follow_up.id)
        planned = self._plan_nudges(person, follow_up, conversation, sent, now)
        await store.replace_pending_nudges(
            follow_up.id, [Nudge(follow_up.id, p.kind, p.due_at) for p in planned], now
        )
        self._planned(planned)
        return planned

    def _plan_nudges(
        self,
        person: Person,
        follow_up: FollowUp,
        conversation: Conversation,
        already_sent: Mapping[NudgeKind, int],
        now: datetime,
    ) -> list[PlacedNudge]:
        if (
            follow_up.status is not FollowUpStatus.PENDING
            or follow_up.due_by <= now
            or why_not_nudged(person, conversation, self.rulebook) is not None
        ):
            return []
        return place_nudges(
            self.rulebook.timing,
            met_at=conversation.met_at,
            ideal_by=follow_up.ideal_by,
            due_by=follow_up.due_by,
            now=now,
            zone=self.zone_of(person),
            quiet=person.quiet_hours,
            snoozed_until=follow_up.snoozed_until,
            already_sent=already_sent,
        )

    def _planned(self, nudges: Sequence[PlacedNudge]) -> None:
        """Note the nudges just planned; `handle` tells the scheduler once they are committed."""
        planned = _planned_in_this_command.get(None)
        if planned is not None:
            planned.extend(p.due_at for p in nudges)

    async def _replan_all(self, store: Store, person: Person) -> None:
        assert person.id is not None
        for follow_up, conversation in await store.open_follow_ups(person.id):
            await self._replan(store, person, follow_up, conversation)

    # -- /followups ----------------------------------------------------------------------

    async def _list(self, store: Store, person: Person) -> Reply:
        assert person.id is not None
        now = self.clock.now()
        rows = await store.open_follow_ups(person.id)
        # A window that closed is missed, whether or not a nudge said so (nudges may be off).
        closed = [f.id or 0 for f, _ in rows if f.due_by <= now]
        await store.close_missed(closed, now)
        rows = [(f, c) for f, c in rows if f.due_by > now]
        rows.sort(key=lambda row: _urgency(row[0], now))
        missed = await store.missed_follow_ups(person.id, since=now - MISSED_SHOWN_FOR)
        missed.sort(key=lambda row: row[0].due_by, reverse=True)
        return messages.list_reply(rows, missed=missed, rulebook=self.rulebook, now=now)

    async def _find(
        self, store: Store, person: Person, command: MarkDone | Snooze | Skip | Draft
    ) -> tuple[FollowUp, Conversation]:
        """The requester's follow-up by #number, or by id (a button); someone else's reads
        exactly like one that doesn't exist."""
        assert person.id is not None
        if command.follow_up_id is not None:
            found = await store.follow_up_by_id(person.id, command.follow_up_id)
        else:
            found = await store.follow_up(person.id, command.number)
        if found is None:
            raise UserError(f"You have no follow-up #{command.number}. /followups lists yours.")
        return found

    async def _done(self, store: Store, person: Person, command: MarkDone) -> Reply:
        follow_up, conversation = await self._find(store, person, command)
        who = f"{conversation.contact_name} at {conversation.company}"
        if follow_up.status is FollowUpStatus.DONE:
            return Reply.text(f"#{follow_up.number} ({who}) is already done.")
        if command.method is not None and command.method not in follow_up.methods:
            raise UserError(
                await self._wrong_method(store, follow_up, conversation, command.method)
            )
        follow_up.status = FollowUpStatus.DONE
        follow_up.done_via = command.method or (
            follow_up.methods[0] if len(follow_up.methods) == 1 else None
        )
        follow_up.closed_at = self.clock.now()
        await store.update_follow_up(follow_up)
        assert follow_up.id is not None
        await store.cancel_pending_nudges(follow_up.id, "follow-up done")
        via = (
            f" by {messages.method_label_of(follow_up.done_via, self.rulebook)}"
            if follow_up.done_via
            else ""
        )
        lines = [
            f"Done: #{follow_up.number}, {who}{via}. Well done: that's how people remember you."
        ]
        for sibling in await store.follow_ups_of(conversation.id or 0):
            if sibling.id != follow_up.id and sibling.status is FollowUpStatus.PENDING:
                lines.append(
                    f"The {messages.method_label(sibling, self.rulebook)} (#{sibling.number}) "
                    "is still open."
                )
        return Reply.text(*lines)

    async def _wrong_method(
        self, store: Store, follow_up: FollowUp, conversation: Conversation, method: str
    ) -> str:
        label = messages.method_label(follow_up, self.rulebook)
        for sibling in await store.follow_ups_of(conversation.id or 0):
            if method in sibling.methods:
                return (
                    f"#{follow_up.number} is the {label}; the "
                    f"{messages.method_label(sibling, self.rulebook)} is #{sibling.number}: "
                    f"/followups done {sibling.number}."
                )
        kind = self.rulebook.kinds.get(conversation.kind)
        if method == "linkedin" and kind is not None and kind.linkedin_advice and not kind.event:
            return f"#{follow_up.number} is a thank-you {label}. {kind.linkedin_advice}"
        return f"#{follow_up.number} is a follow-up by {label}: /followups done {follow_up.number}."

    async def _snooze(self, store: Store, person: Person, command: Snooze) -> Reply:
        follow_up, conversation = await self._find(store, person, command)
        if follow_up.status is not FollowUpStatus.PENDING:
            raise UserError(
                f"#{follow_up.number} is {messages.status_word(follow_up.status)}: there's "
                "nothing to snooze."
            )
        now, zone = self.clock.now(), self.zone_of(person)
        target = self._snooze_target(command.duration, now, zone, person.quiet_hours)
        # Never past the deadline: at the latest, the last call before it.
        latest = messages.snooze_limit(follow_up, self.rulebook)
        if latest <= now:
            left = format_left(follow_up.due_by - now) if follow_up.due_by > now else "no time"
            raise UserError(
                f"#{follow_up.number} has {left} left before its deadline, too little to snooze. "
                f"Send it now, or /followups skip {follow_up.number}."
            )
        clamped = target > latest
        moment = min(target, latest)
        quiet = person.quiet_hours
        moved_from_quiet = quiet is not None and quiet.contains(moment, zone)
        if quiet is not None and moved_from_quiet:
            # Out of quiet hours: to their end if the deadline allows, else just before them.
            begins, ends = quiet.span_around(moment, zone)
            earlier = begins - self.rulebook.timing.quiet_margin
            if ends <= latest:
                moment = ends
            elif earlier > now:
                moment = earlier
            else:
                moved_from_quiet = False  # no better moment: keep the one asked for
        follow_up.snoozed_until = moment
        await store.update_follow_up(follow_up)
        nudges = await self._replan(store, person, follow_up, conversation)
        lines = [
            f"Snoozed #{follow_up.number} ({conversation.contact_name} at {conversation.company}) "
            f"until {format_moment(moment, zone)}."
        ]
        if clamped:
            lines.append(
                f"That would have been past the deadline ({format_moment(follow_up.due_by, zone)}), "
                f"so I'll nudge you {format_left(follow_up.due_by - moment)} before it instead."
            )
        if moved_from_quiet:
            lines.append(f"That is outside your quiet hours ({quiet}).")
        if not nudges:
            lines.append("Your nudges are off for this one, so no DM will come.")
        return Reply.text(*lines)

    def _snooze_target(
        self, text: str, now: datetime, zone: ZoneInfo, quiet: QuietHours | None
    ) -> datetime:
        if text.strip().casefold() in ("tomorrow", "tomorrow morning", "morning"):
            morning = TOMORROW_MORNING
            if quiet is not None and quiet.end > morning and quiet.start > quiet.end:
                morning = quiet.end
            day = now.astimezone(zone).date() + timedelta(days=1)
            return datetime.combine(day, morning, tzinfo=zone).astimezone(now.tzinfo)
        try:
            return now + parse_duration(text)
        except DurationError as err:
            raise UserError(f"{err} Or say tomorrow.") from None

    async def _skip(self, store: Store, person: Person, command: Skip) -> Reply:
        follow_up, conversation = await self._find(store, person, command)
        who = f"{conversation.contact_name} at {conversation.company}"
        # A missed one may be skipped too: it leaves the "missed lately" list.
        if follow_up.status not in (FollowUpStatus.PENDING, FollowUpStatus.MISSED):
            raise UserError(
                f"#{follow_up.number} ({who}) is {messages.status_word(follow_up.status)}."
            )
        kind = self.rulebook.kinds.get(conversation.kind)
        missed = follow_up.status is FollowUpStatus.MISSED
        if kind is not None and kind.required and not command.confirmed and not missed:
            assert follow_up.id is not None
            why = (
                "a short thank-you can decide between you and another candidate"
                if kind.key == "interview"
                else "a short thank-you keeps the door open"
            )
            return Reply.text(
                f"After a conversation like this ({kind.label}) the guide says to follow up "
                f"always, without exception: {why}. #{follow_up.number} is for {who}.",
                f"Skip it anyway? /followups skip {follow_up.number} confirm",
                actions=[
                    Action(
                        ActionKind.SKIP, "Skip anyway", follow_up.number, follow_up.id, "confirm"
                    ),
                    Action(ActionKind.SNOOZE, "Snooze 2h", follow_up.number, follow_up.id, "2h"),
                ],
            )
        follow_up.status = FollowUpStatus.SKIPPED
        follow_up.closed_at = self.clock.now()
        await store.update_follow_up(follow_up)
        assert follow_up.id is not None
        await store.cancel_pending_nudges(follow_up.id, "follow-up skipped")
        advice = (
            " That's fine: you need not follow up with everyone, only with people you related "
            "to or want to learn more about."
            if kind is not None and kind.event
            else ""
        )
        return Reply.text(f"Skipped #{follow_up.number} ({who}).{advice}")

    # -- writing help --------------------------------------------------------------------

    async def _draft(self, store: Store, person: Person, command: Draft) -> Reply:
        follow_up, conversation = await self._find(store, person, command)
        assert person.id is not None
        assert conversation.id is not None
        return draft_reply(
            book=self.drafts,
            proofreader=self.proofreader,
            follow_up=follow_up,
            conversation=conversation,
            siblings=await store.follow_ups_of(conversation.id),
            person=person,
            rulebook=self.rulebook,
            now=self.clock.now(),
            zone=self.zone_of(person),
            names=await store.recorded_names(person.id),
        )

    async def _check(self, store: Store, person: Person, command: Check) -> Reply:
        if len(command.text) > CHECK_LIMIT:
            raise UserError(
                f"That's {len(command.text):,} characters; I check up to {CHECK_LIMIT:,} at a "
                "time. Check it in parts."
            )
        assert person.id is not None
        names = await store.recorded_names(person.id)
        names.update(n for n in (person.name, person.display_name) if n)
        return check_reply(self.proofreader.check(command.text, names=names))

    # -- settings ------------------------------------------------------------------------

    def _settings_view(self, person: Person, saved: str = "") -> Reply:
        return messages.settings_reply(
            person, zone=self.zone_of(person), rulebook=self.rulebook, saved=saved
        )

    async def _change_setting(self, store: Store, person: Person, command: ChangeSetting) -> Reply:
        value = command.value.strip()
        folded = value.casefold()
        replan = True
        match command.name:
            case "tz" | "timezone" | "zone" | "time-zone":
                person.timezone = zone_or_error(value).key
                saved = f"Time zone set to {person.timezone}."
            case "quiet" | "quiet-hours":
                if folded in ("off", "none", "no"):
                    person.quiet_hours = None
                    saved = "Quiet hours off: nudges may come at any hour."
                else:
                    try:
                        person.quiet_hours = QuietHours.parse(value)
                    except ValueError as err:
                        raise UserError(str(err)) from None
                    saved = f"Quiet hours set to {person.quiet_hours}."
            case "nudges" | "nudge" | "reminders":
                person.nudges_on = _on_off(folded, "nudges")
                saved = f"Nudges {'on' if person.nudges_on else 'off'}."
            case "job":
                person.job_status = _choice(folded, JobStatus, "job", {"searching", "accepted"})
                saved = f"Job status: {person.job_status}."
                if person.job_status is JobStatus.ACCEPTED:
                    saved += " Congratulations! I'll stop nudging you about events."
            case "linkedin":
                person.linkedin_plan = _choice(
                    folded, LinkedInPlan, "linkedin", {"free", "premium"}
                )
                saved = f"LinkedIn plan: {person.linkedin_plan}."
                replan = False
            case "name":
                name = clean_text(value)
                if not name:
                    raise UserError("Which name? Like /followups settings name Alex Kim.")
                if len(name) > NAME_LIMIT:
                    raise UserError(f"That name is too long (at most {NAME_LIMIT} characters).")
                person.name = name
                saved = f"Name set to {name}."
                replan = False
            case other:
                keys = ["tz", "quiet", "nudges", "job", "linkedin", "name"]
                names = {"timezone": "tz", "zone": "tz", "reminders": "nudges"} | {
                    key: key for key in keys
                }
                close = get_close_matches(other, list(names), n=1)
                hint = f" Did you mean {names[close[0]]}?" if close else ""
                shown = other if len(other) <= 30 else other[:29] + "…"
                raise UserError(
                    f"“{shown}” isn't a setting.{hint} Settings: {', '.join(keys)}; "
                    "/followups settings shows them."
                )
        await store.update_person(person)
        if replan:
            await self._replan_all(store, person)
        return self._settings_view(person, saved)


def _urgency(follow_up: FollowUp, now: datetime) -> tuple[int, datetime, int]:
    """Sort key: open windows by their next deadline, then those already past."""
    if follow_up.ideal_by > now:
        return (0, follow_up.ideal_by, follow_up.number)
    if follow_up.due_by > now:
        return (0, follow_up.due_by, follow_up.number)
    return (1, follow_up.due_by, follow_up.number)


@cache
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


@cache
def settable_zone_names() -> tuple[str, ...]:
    """The zones `settings tz` accepts, sorted: places (Area/City) and UTC, for pickers."""
    return tuple(z for z in _zone_names() if "/" in z or z in ("UTC", "GMT"))


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone_or_error(name: str) -> ZoneInfo:
    """The IANA zone `name`, matched without regard to case; UserError with a suggestion."""
    cleaned = name.strip().replace(" ", "_")
    if not cleaned:
        raise UserError("Which time zone? Like /followups settings tz Europe/Berlin.")
    by_fold = {z.casefold(): z for z in _zone_names()}
    exact = by_fold.get(cleaned.casefold())
    # "EST" or "CET" are fixed offsets or odd aliases: a city's zone follows daylight saving.
    if exact is not None and ("/" in exact or exact in ("UTC", "GMT")):
        return ZoneInfo(exact)
    if exact is not None:
        raise UserError(
            f"“{exact}” doesn't follow daylight saving the way a place does. Use your city's "
            "zone, like America/New_York, Europe/Berlin or Asia/Kolkata (or UTC)."
        )
    close = get_close_matches(cleaned, _zone_names(), n=1, cutoff=0.6)
    hint = f" Did you mean {close[0]}?" if close else ""
    shown = cleaned if len(cleaned) <= 40 else cleaned[:39] + "…"
    raise UserError(
        f"“{shown}” isn't a time zone I know.{hint} Use a name like America/New_York or "
        "Europe/Berlin."
    )


def _on_off(value: str, name: str) -> bool:
    if value in ("on", "yes", "true", "enable", "enabled"):
        return True
    if value in ("off", "no", "false", "disable", "disabled"):
        return False
    raise UserError(f"{name} is on or off, like /followups settings {name} off.")


_Choice = TypeVar("_Choice", JobStatus, LinkedInPlan)


def _choice(value: str, enum_type: type[_Choice], name: str, allowed: set[str]) -> _Choice:
    if value not in allowed:
        options = " or ".join(sorted(allowed))
        raise UserError(
            f"{name} is {options}, like /followups settings {name} {sorted(allowed)[0]}."
        )
    return enum_type(value)
