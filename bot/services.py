"""The service: every command, for every platform, as one unit of work.

`FollowUpService.handle` opens the unit of work, finds the person asking (created on first
use; a command about the workspace records nothing about them), routes the command to its
handler (`bot.handlers.COMMAND_HANDLERS`), adds the notices that go with any answer, commits,
and then wakes the scheduler for the nudges it planned. Every
query is scoped to the verified requester: a follow-up number that isn't theirs reads exactly
like one that doesn't exist. A `UserError` rolls the unit of work back, so bad input changes
nothing and gets no notices.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot import messages
from bot.clock import Clock
from bot.club_posts import ClubPosts
from bot.commands import Command, changes_anything
from bot.domain import NAME_LIMIT, Address, Channel, FairList, Person, Workspace
from bot.errors import UserError
from bot.fairs import FairError
from bot.handlers import ABOUT_THE_WORKSPACE, COMMAND_HANDLERS, Context, Dependencies
from bot.handlers.context import workspace_of
from bot.messages import settings as say
from bot.met import MetError, clean_text
from bot.metrics import Metrics, NoMetrics
from bot.planning import NudgePlanner
from bot.ports import ChannelPoster, Storage, UnitOfWork
from bot.proofread import Proofreader, shared_proofreader
from bot.replies import Notice, Reply
from bot.zones import is_zone
from rules.drafts import DraftBook, load_drafts
from rules.engine import Rulebook

__all__ = ["ChangeListener", "FollowUpService", "FollowUpSummary", "Requester"]

log = logging.getLogger(__name__)


async def _student(uow: UnitOfWork, address: Address) -> Person | None:
    """Whoever has `address`, as a student: their primary account when it is joined to one."""
    person = await uow.people.get(address)
    if person is not None and person.linked_to is not None:
        return await uow.accounts.by_id(person.linked_to) or person
    return person


def _where(requester: Requester, ctx: Context) -> Context:
    """`ctx` with where the command came from and whether its asker runs the workspace."""
    ctx.channel, ctx.manages_workspace = requester.channel, requester.manages_workspace
    return ctx


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
    settings win over them. `shares_zone` says whether the platform tells bots people's zones:
    where it doesn't (Discord), the workspace's default zone stands in for the platform's, and
    the person is told once how to set theirs.

    `channel` is the shared channel the command came from (None in a DM), and
    `manages_workspace` whether the platform says they run the workspace (Slack's admins and
    owners, Discord's Manage Events or Manage Server): they organize every club in it.
    """

    address: Address
    display_name: str | None = None
    timezone: str | None = None
    shares_zone: bool = True
    channel: Channel | None = None
    manages_workspace: bool = False


# Told, after a command changed something, every account of the student it changed (the one
# that asked, and those linked with it) and the command: a platform that shows the student's
# list outside a reply (Slack's Home tab) shows it again.
ChangeListener = Callable[[Sequence[Address], Command], Awaitable[None]]


class FollowUpService:
    """Handles every command. `on_nudge_planned` is told the earliest due time of nudges it
    plans, so a scheduler can wake up for it. `drafts` and `proofreader` default to the bundled
    templates and the shared proofreader (bootstrap passes the ones it loaded at start).
    `metrics` is told how long each command took, by its class name and platform.
    `outages` are what `storage` raises while its database is away or too slow to answer: a
    command they interrupt is answered "try again in a moment" (nothing of it was saved).
    `public_url`: where the bot's public HTTP server is reached, for calendar subscriptions.
    `poster` posts club events' cards in their channels (`bot.club_posts`)."""

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
        metrics: Metrics | None = None,
        outages: tuple[type[BaseException], ...] = (),
        public_url: str | None = None,
        poster: ChannelPoster | None = None,
    ) -> None:
        self._storage = storage
        self._outages = outages
        self._metrics = metrics or NoMetrics()
        self.rulebook = rulebook
        self.default_zone = default_zone
        self.on_nudge_planned = on_nudge_planned
        self.change_listeners: list[ChangeListener] = []
        self._deps = Dependencies(
            rulebook=rulebook,
            drafts=drafts or load_drafts(rulebook=rulebook),
            proofreader=proofreader or shared_proofreader(),
            default_zone=default_zone,
            clock=clock,
            public_url=public_url,
        )
        self._posts = ClubPosts(storage, poster, rulebook)

    async def handle(self, requester: Requester, command: Command) -> Reply:
        """Run one command for `requester`, in one transaction. Never raises for anything a
        person typed."""
        started = time.perf_counter()
        try:
            return await self._handle(requester, command)
        finally:
            self._metrics.command_handled(
                type(command).__name__,
                requester.address.platform,
                time.perf_counter() - started,
            )

    async def _handle(self, requester: Requester, command: Command) -> Reply:
        handler = COMMAND_HANDLERS[type(command)]
        # A command about the workspace (a manager's /server-tz) records nothing about the one
        # who asks, and neither shows nor uses up the notices meant for their own commands.
        personal = type(command) not in ABOUT_THE_WORKSPACE
        try:
            async with self._storage.session() as uow:
                ctx = await self._context(uow, requester, record=personal)
                notices = await self._dms_closed(ctx) if personal else []
                reply = await handler(command, ctx)
                if personal and not ctx.forgotten:
                    notices += await self._zone_hint(ctx, requester)
                changed = await self._changed_accounts(ctx, command, reply) if personal else []
        except (MetError, FairError) as err:
            return Reply(Reply.error(str(err)).sections, is_error=True, field_errors=err.problems)
        except UserError as err:
            return Reply.error(str(err))
        except self._outages as err:
            # The error's text may quote what was typed: its type only.
            log.warning(
                "%s: the database failed the command (%s)",
                type(command).__name__,
                type(err).__name__,
            )
            return Reply.error(messages.DATABASE_AWAY)
        # Only now are the new nudges committed, so a wake-up can find them.
        due_times = ctx.planner.due_times
        if due_times and self.on_nudge_planned is not None:
            self.on_nudge_planned(min(due_times))
        if ctx.cards and ctx.club is not None:
            # Committed too: the cards show the event as it now stands.
            problems = await self._posts.publish(ctx.club, ctx.cards)
            reply = replace(reply, sections=(*reply.sections, *problems))
        for listener in self.change_listeners if changed else ():
            try:
                await listener(changed, command)
            except Exception as err:  # the command is done; a stale view is no reason to fail it
                log.warning("a change listener failed with %s", type(err).__name__)
        return reply.with_notices(*notices)

    async def _changed_accounts(
        self, ctx: Context, command: Command, reply: Reply
    ) -> list[Address]:
        """The student's accounts to tell of a change `command` made (none for a command that
        changes nothing, failed, or when nobody listens)."""
        if not self.change_listeners or reply.is_error or not changes_anything(command):
            return []
        person = ctx.person
        linked = await ctx.uow.accounts.linked_to(person.id) if person.id is not None else []
        return [person.address, *(account.address for account in linked)]

    async def open_follow_ups(self, requester: Requester) -> list[FollowUpSummary]:
        """The requester's pending follow-ups, most urgent first: for pickers and autocomplete.
        Only ever the requester's own."""
        async with self._storage.session() as uow:
            person = await _student(uow, requester.address)
            if person is None or person.id is None:
                return []
            rows = await uow.follow_ups.open(person.id)
        now = self._deps.clock.now()
        rows.sort(key=lambda row: row[0].urgency(now))
        return [
            FollowUpSummary(
                number=f.number,
                follow_up_id=f.id or 0,
                contact_name=f.contact_in(c),
                company=c.company,
                method=messages.method_label(f, self.rulebook),
                time_left=messages.time_left(f, now),
            )
            for f, c in rows
        ]

    async def fair_lists(self, requester: Requester) -> list[FairList]:
        """The requester's career-fair lists, most recent day first: for autocomplete. Only
        ever the requester's own."""
        async with self._storage.session() as uow:
            person = await _student(uow, requester.address)
            if person is None or person.id is None:
                return []
            fairs = await uow.fairs.of_person(person.id)
        return fairs[::-1]

    async def follows_scheduled_events(self, platform: str, workspace: str) -> bool:
        """Whether a club of the server follows its Scheduled Events (before the adapter reads
        who was interested in one)."""
        async with self._storage.session() as uow:
            return await uow.clubs.following(platform, workspace) is not None

    async def zone_for(self, address: Address) -> ZoneInfo:
        """The zone of whoever has `address` (the default for someone new)."""
        async with self._storage.session() as uow:
            person = await _student(uow, address)
        return person.zone(self.default_zone) if person else self.default_zone

    # -- the person asking -----------------------------------------------------------------

    async def _context(self, uow: UnitOfWork, requester: Requester, *, record: bool) -> Context:
        """The command's context: the requester as a person, created on first use, with what
        the platform knows of them kept up to date (one write at most); with `record` False,
        as they are (or would be), nothing written."""
        now, address = self._deps.clock.now(), requester.address
        workspace: Workspace | None = None
        platform_zone = (
            requester.timezone if requester.timezone and is_zone(requester.timezone) else None
        )
        if not requester.shares_zone and platform_zone is None:
            # The platform doesn't tell: the zone the workspace's managers chose stands in.
            workspace = await workspace_of(uow, address)
            platform_zone = workspace.default_timezone
        person = await uow.people.get(address)
        new = person is None
        if person is None:
            person = Person(
                address=address, created_at=now, quiet_hours=self.rulebook.timing.default_quiet
            )
        planner = NudgePlanner(
            uow, self.rulebook, self.default_zone, now, rulebooks=self._deps.club_books
        )
        if not record:
            return _where(
                requester,
                Context(uow, person, now, self._deps, planner, known_workspace=workspace),
            )
        if new:
            self._learn(person, requester, platform_zone)
            # The stored person: this one, or the one another replica's command (their first
            # command too, arriving at the same moment) added just before.
            person = await uow.people.add(person)
        if self._learn(person, requester, platform_zone):
            await uow.people.update(person)
        primary = await uow.accounts.by_id(person.linked_to) if person.linked_to else None
        if primary is not None:
            # An account joined to another: the student is the primary one, their follow-ups
            # and settings with it.
            return _where(
                requester,
                Context(
                    uow, primary, now, self._deps, planner, known_workspace=None, account=person
                ),
            )
        return _where(
            requester, Context(uow, person, now, self._deps, planner, known_workspace=workspace)
        )

    @staticmethod
    def _learn(person: Person, requester: Requester, platform_zone: str | None) -> bool:
        """Keep what the platform knows of the person up to date; whether anything changed."""
        changed = False
        if platform_zone and platform_zone != person.platform_timezone:
            person.platform_timezone = platform_zone
            changed = True
        if requester.display_name and not person.display_name:
            person.display_name = clean_text(requester.display_name)[:NAME_LIMIT]
            changed = True
        return changed

    async def _dms_closed(self, ctx: Context) -> list[Notice]:
        """Tell a person once that their DMs failed, and start trying again."""
        reason = ctx.person.undeliverable
        if reason is None:
            return []
        ctx.person.undeliverable = None
        await ctx.uow.people.update(ctx.person)
        await ctx.planner.replan_all(ctx.person)
        return [say.dms_closed(reason)]

    async def _zone_hint(self, ctx: Context, requester: Requester) -> list[Notice]:
        """Once, after their first command, tell someone whose platform doesn't share zones
        which zone the bot uses for them and how to set theirs (unless they just did)."""
        person = ctx.person
        if requester.shares_zone or person.zone_hint_shown:
            return []
        person.zone_hint_shown = True
        await ctx.uow.people.update(person)
        if person.timezone is not None:
            return []
        workspace = await ctx.workspace()
        return [
            say.zone_hint(person.address.platform, workspace.default_timezone, self.default_zone)
        ]
