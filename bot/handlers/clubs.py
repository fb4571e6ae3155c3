"""/club: a shared channel made a club, and its organizers.

A club is found by the channel the command came from (`Context.channel`), in the asker's own
workspace. Organizers are its founder, the people they add, and whoever the platform says runs
the workspace (`Context.manages_workspace`); anyone else is refused politely and nothing
changes.
"""

from __future__ import annotations

from bot.club_commands import ClubOrganizers, ClubSetup, ShowClub
from bot.domain import Address, Club
from bot.errors import UserError
from bot.handlers.context import Context
from bot.messages import clubs as say
from bot.met import clean_text
from bot.replies import Reply
from bot.zones import zone_or_error

__all__ = ["change_organizers", "is_organizer", "set_up_club", "show_club"]


async def _club_here(ctx: Context) -> Club | None:
    """The club of the channel the command came from, or None; UserError outside a channel."""
    if ctx.channel is None:
        raise UserError(say.not_in_a_channel())
    address = ctx.asker.address
    return await ctx.uow.clubs.get(address.platform, address.workspace, ctx.channel.id)


async def _the_club(ctx: Context) -> Club:
    club = await _club_here(ctx)
    if club is None:
        raise UserError(say.not_a_club())
    return club


async def is_organizer(ctx: Context, club: Club) -> bool:
    """Whether the asker organizes `club`: they run the workspace, set it up, or were added."""
    user = ctx.asker.address.user
    if ctx.manages_workspace or user == club.created_by:
        return True
    assert club.id is not None
    return user in await ctx.uow.clubs.organizers(club.id)


async def _as_organizer(ctx: Context, what: str) -> Club:
    club = await _the_club(ctx)
    if not await is_organizer(ctx, club):
        raise UserError(say.only_organizers(club, what))
    return club


async def show_club(command: ShowClub, ctx: Context) -> Reply:
    club = await _the_club(ctx)
    return say.club_shown(club, organizer=await is_organizer(ctx, club))


async def set_up_club(command: ClubSetup, ctx: Context) -> Reply:
    """Make the channel a club (anyone may start one; its founder organizes it), or, for its
    organizers, change its name or zone."""
    club = await _club_here(ctx)
    assert ctx.channel is not None
    name = clean_text(command.name)
    if len(name) > say.CLUB_NAME_LIMIT:
        raise UserError(say.name_too_long())
    zone = zone_or_error(command.zone).key if command.zone.strip() else None
    if club is not None:
        if not await is_organizer(ctx, club):
            raise UserError(say.only_organizers(club, "change its set-up"))
        club.name = name or club.name
        club.timezone = zone or club.timezone
        await ctx.uow.clubs.update(club)
        return say.club_updated(club)
    address = ctx.asker.address
    channel_name = clean_text(ctx.channel.name or "")[: say.CLUB_NAME_LIMIT]
    club = await ctx.uow.clubs.add(
        Club(
            platform=address.platform,
            workspace=address.workspace,
            channel=ctx.channel.id,
            name=name or channel_name or "Our club",
            timezone=zone or ctx.zone.key,
            created_by=address.user,
            created_at=ctx.now,
        )
    )
    if club.created_by != address.user:
        # Set up by someone else a moment ago: theirs stands.
        return say.club_shown(club, organizer=await is_organizer(ctx, club))
    return say.set_up(club)


async def change_organizers(command: ClubOrganizers, ctx: Context) -> Reply:
    """/club organizers: who they are; add or remove one (organizers only)."""
    if command.change == "list":
        club = await _the_club(ctx)
        assert club.id is not None
        founder = await _name_of(ctx, club.created_by)
        added = [await _name_of(ctx, user) for user in await ctx.uow.clubs.organizers(club.id)]
        return say.organizers_shown(club, founder, added)
    club = await _as_organizer(ctx, "change its organizers")
    assert club.id is not None
    name = await _name_of(ctx, command.user)
    if command.change == "add":
        if await ctx.uow.clubs.add_organizer(club.id, command.user):
            return say.organizer_added(name)
        return say.organizer_already(name)
    if await ctx.uow.clubs.remove_organizer(club.id, command.user):
        return say.organizer_removed(name)
    raise UserError(say.organizer_not_one(name, founder=command.user == club.created_by))


async def _name_of(ctx: Context, user: str) -> str:
    """How to call a member of the asker's workspace: the name the bot knows them by, else
    their platform id (never a mention: replies are plain text)."""
    address = ctx.asker.address
    person = await ctx.uow.people.get(Address(address.platform, address.workspace, user))
    if person is not None and (person.name or person.display_name):
        return person.name or person.display_name or user
    return f"member {user}"
