"""What every handler gets: the command's unit of work, the person asking, and the tools."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.club_rules import Books, ClubBooks
from bot.commands import OnFollowUp
from bot.domain import Address, Channel, Club, Conversation, FollowUp, Person, Workspace
from bot.errors import UserError
from bot.messages import follow_ups as say
from bot.planning import NudgePlanner
from bot.ports import UnitOfWork
from bot.proofread import Proofreader
from rules.drafts import DraftBook
from rules.engine import Rulebook

__all__ = ["Context", "Dependencies", "workspace_of"]


async def workspace_of(uow: UnitOfWork, address: Address) -> Workspace:
    """The workspace `address` is in; one that was never saved is new and empty."""
    found = await uow.workspaces.get(address.platform, address.workspace)
    return found or Workspace(address.platform, address.workspace)


@dataclass(frozen=True)
class Dependencies:
    """What handlers share across commands: the rules, the writing tools, the clock, and where
    the bot can be reached from the web."""

    rulebook: Rulebook
    drafts: DraftBook
    proofreader: Proofreader
    default_zone: ZoneInfo
    clock: Clock
    # The base URL the bot's public HTTP server is reached at (FOLLOWUP_PUBLIC_URL), for
    # calendar subscriptions; None where there is none.
    public_url: str | None = None
    # Clubs' own rulebooks and templates, parsed once a version (`bot.club_rules`).
    club_books: ClubBooks = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "club_books", ClubBooks(self.rulebook, self.drafts))


@dataclass
class Context:
    """One command's world: its unit of work, the person asking (created on first use, but for
    a command about the workspace), the moment it runs, and the nudges it plans
    (`planner.due_times`)."""

    uow: UnitOfWork
    person: Person
    now: datetime
    deps: Dependencies
    planner: NudgePlanner
    # The person's workspace when it was read already (to find their zone), else read on use.
    known_workspace: Workspace | None = None
    # Set by /followups forget-me: the person is gone, and nothing more is written about them.
    forgotten: bool = False
    # The platform account asking, when it is joined to `person`, the student's primary
    # account (/followups link): `person` holds the student's follow-ups and settings.
    account: Person | None = None
    # The shared channel the command came from (None in a DM), and whether the platform says
    # the asker runs the workspace (`Requester`).
    channel: Channel | None = None
    manages_workspace: bool = False
    # Club events whose cards to post or update once the command is committed (their ids),
    # and their club.
    cards: list[int] = field(default_factory=list)
    club: Club | None = None

    @property
    def person_id(self) -> int:
        """The asker's id. The service stores the person before a handler runs, except for a
        command about the workspace (`ABOUT_THE_WORKSPACE`), which records nothing about them:
        such a handler may not act on the asker's own data."""
        if self.person.id is None:
            raise RuntimeError("a command about the workspace has no stored person to act on")
        return self.person.id

    @property
    def asker(self) -> Person:
        """The platform account the command came from: `person`, or the one joined to it."""
        return self.account or self.person

    @property
    def rulebook(self) -> Rulebook:
        return self.deps.rulebook

    async def books_in(self, logged_in: str | None) -> Books:
        """The rulebook and templates of a conversation logged in channel `logged_in` (None: a
        DM): its club's own where it has them, else the deployment's. Found as
        `bot.club_rules.channel_key` finds them, so planning, sending and drafting agree."""
        club_books = self.deps.club_books
        if logged_in is None:
            return club_books.books({})
        address = self.person.address
        club = await self.uow.clubs.get(address.platform, address.workspace, logged_in)
        if club is None or club.id is None:
            return club_books.books({})
        return club_books.books(await self.uow.clubs.rules(club.id))

    @property
    def zone(self) -> ZoneInfo:
        """The person's zone, as it stands now (a setting may have just changed it)."""
        return self.person.zone(self.deps.default_zone)

    async def workspace(self) -> Workspace:
        """The person's workspace (a Slack team, a Discord server), read on first use: most
        commands never need it. One that was never saved is new and empty."""
        if self.known_workspace is None:
            self.known_workspace = await workspace_of(self.uow, self.person.address)
        return self.known_workspace

    async def follow_up(self, command: OnFollowUp) -> tuple[FollowUp, Conversation]:
        """The person's follow-up the command is about, by #number or by id (a button);
        someone else's reads exactly like one that doesn't exist."""
        if command.follow_up_id is not None:
            found = await self.uow.follow_ups.by_id(self.person_id, command.follow_up_id)
        else:
            found = await self.uow.follow_ups.by_number(self.person_id, command.number)
        if found is None:
            raise UserError(say.no_such_follow_up(command.number))
        return found
