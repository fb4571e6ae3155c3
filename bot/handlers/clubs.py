"""/club: a shared channel made a club, and its organizers.

A club is found by the channel the command came from (`Context.channel`), in the asker's own
workspace. Organizers are its founder, the people they add, and whoever the platform says runs
the workspace (`Context.manages_workspace`); anyone else is refused politely and nothing
changes.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.club_commands import (
    CancelEvent,
    ClubDigestSetting,
    ClubOrganizers,
    ClubOwnRules,
    ClubSetup,
    DeleteClub,
    EditEvent,
    EventForm,
    FairAtEvent,
    Going,
    ListEvents,
    LogAtEvent,
    PostEvent,
    ScheduledEventDropped,
    ScheduledEventEnded,
    ScheduledEventWatched,
    ShowClub,
)
from bot.club_rules import PASTE_LIMIT, pasted_name
from bot.digests import AFTER_EVENT, event_digest, next_weekly
from bot.domain import (
    Address,
    Club,
    ClubEvent,
    ClubRules,
    DigestKind,
    NudgeStatus,
    Person,
    ScheduledEventEnd,
    company_key,
)
from bot.errors import UserError
from bot.event_prompts import plan_prompts
from bot.event_times import parse_event_time
from bot.fairs import closest_entry, is_fair_key, is_fair_kind
from bot.formatting import clip
from bot.handlers.context import Context
from bot.handlers.fairs import fair_shown
from bot.messages import clubs as say
from bot.met import LIMITS, clean_text
from bot.replies import EventCard, FairPrefill, Reply
from bot.scheduled_event_ends import TAKEN_WITHIN, scheduled_event_end
from bot.zones import zone_or_error
from rules.drafts import drafts_from_text
from rules.engine import Rulebook
from rules.rulebook import RulebookError, normalize_kind

__all__ = [
    "cancel_event",
    "change_organizers",
    "club_own_rules",
    "delete_club",
    "digest_setting",
    "edit_event",
    "event_card",
    "event_form",
    "event_logged_at",
    "fair_at_event",
    "going",
    "guess_kind",
    "is_organizer",
    "list_events",
    "log_at_event",
    "post_event",
    "scheduled_event_dropped",
    "scheduled_event_ended",
    "scheduled_event_watched",
    "set_up_club",
    "show_club",
]


async def _club_here(ctx: Context) -> Club | None:
    """The club of the channel the command came from, or None; UserError outside a channel."""
    if ctx.channel is None:
        raise UserError(say.not_in_a_channel())
    address = ctx.asker.address
    ctx.club = await ctx.uow.clubs.get(address.platform, address.workspace, ctx.channel.id)
    return ctx.club


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
    if command.follow is not None and ctx.asker.address.platform != "discord":
        raise UserError(say.follow_only_on_discord())
    if club is not None:
        if not await is_organizer(ctx, club):
            raise UserError(say.only_organizers(club, "change its set-up"))
        club.name = name or club.name
        club.timezone = zone or club.timezone
        await ctx.uow.clubs.update(club)
        if command.follow is None:
            return say.club_updated(club)
        await ctx.uow.clubs.follow_scheduled_events(club, command.follow)
        return say.with_following(say.club_updated(club), club)
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
    if command.follow:
        await ctx.uow.clubs.follow_scheduled_events(club, True)
        return say.with_following(say.set_up(club), club)
    return say.set_up(club)


async def delete_club(command: DeleteClub, ctx: Context) -> Reply:
    """/club delete: asks first; then the club, its events, who was going and its pending
    prompts and digests go, and nothing is posted (cards already in the channel stay as they
    were; their buttons then say the channel isn't a club). Members' follow-ups, logged at its
    events or not, are theirs and stay."""
    club = await _as_organizer(ctx, "delete it")
    assert club.id is not None
    if not command.confirmed:
        return say.delete_question(club)
    await ctx.uow.clubs.delete(club.id)
    ctx.club = None
    return say.club_deleted(club)


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


# -- events ------------------------------------------------------------------------------------

# /club events shows the events that ended this long ago, and those ahead.
RECENT = timedelta(days=14)
AHEAD = timedelta(days=180)
# A fair's companies: a long list fits, a pasted directory doesn't. The list's length fits one
# field of a Discord embed (1,024 characters) and one Slack section (3,000) beside the rest.
COMPANIES_LIMIT = 40
COMPANIES_TEXT_LIMIT = 1000


async def post_event(command: PostEvent, ctx: Context) -> Reply:
    """Post an event's card in the club's channel (organizers only)."""
    club = await _as_organizer(ctx, "post its events")
    assert club.id is not None
    starts, ends = _event_time(command.when, ctx, club)
    event = await ctx.uow.clubs.add_event(
        ClubEvent(
            club_id=club.id,
            title=_title(command.title),
            kind=_kind(command.kind, ctx),
            starts_at=starts,
            ends_at=ends,
            created_by=ctx.asker.address.user,
            created_at=ctx.now,
            companies=_companies(command.companies),
        )
    )
    assert event.id is not None
    # When its ideal window closes, the channel hears how members followed up.
    await ctx.uow.digests.plan([event_digest(event)])
    ctx.planner.due_times.append(event.ends_at + AFTER_EVENT)
    ctx.cards.append(event.id)
    return say.event_posted(event_card(club, event, ctx.rulebook))


async def event_form(command: EventForm, ctx: Context) -> Reply:
    """/club event alone, where there are no forms: how to type it."""
    await _as_organizer(ctx, "post its events")
    return say.event_help()


async def list_events(command: ListEvents, ctx: Context) -> Reply:
    club = await _the_club(ctx)
    assert club.id is not None
    events = await ctx.uow.clubs.events_between(club.id, ctx.now - RECENT, ctx.now + AHEAD)
    counts = await ctx.uow.clubs.going_counts([e.id for e in events if e.id is not None])
    cards = [
        event_card(club, event, ctx.rulebook, going=counts.get(event.id or 0, 0))
        for event in events
    ]
    return say.events_listed(club, cards, ctx.now, organizer=await is_organizer(ctx, club))


async def edit_event(command: EditEvent, ctx: Context) -> Reply:
    """Change an event's title, time, kind or companies; its card updates in place."""
    club = await _as_organizer(ctx, "change its events")
    event = await _event(ctx, club, command.event_id)
    for field_name, value in command.changes:
        if field_name == "title":
            event.title = _title(value)
        elif field_name == "when":
            event.starts_at, event.ends_at = _event_time(value, ctx, club)
        elif field_name == "kind":
            event.kind = _kind(value, ctx)
        else:
            event.companies = _companies(value)
    await ctx.uow.clubs.update_event(event)
    if any(field_name == "when" for field_name, _ in command.changes):
        # Its prompts follow it.
        going = await ctx.uow.clubs.going_people(command.event_id)
        times = await plan_prompts(ctx.uow, event, going, ctx.deps.default_zone)
        ctx.planner.due_times.extend(times)
        assert club.id is not None
        await ctx.uow.digests.drop_pending(club.id, DigestKind.EVENT, command.event_id)
        await ctx.uow.digests.plan([event_digest(event)])
    ctx.cards.append(command.event_id)
    return say.event_changed(event_card(club, event, ctx.rulebook))


async def cancel_event(command: CancelEvent, ctx: Context) -> Reply:
    club = await _as_organizer(ctx, "cancel its events")
    event = await _event(ctx, club, command.event_id)
    if event.cancelled:
        return say.event_cancelled_already(event.title)
    event.cancelled = True
    await ctx.uow.clubs.update_event(event)
    await ctx.uow.prompts.drop_pending(command.event_id)
    assert club.id is not None
    await ctx.uow.digests.drop_pending(club.id, DigestKind.EVENT, command.event_id)
    ctx.cards.append(command.event_id)
    return say.event_cancelled(event.title)


async def going(command: Going, ctx: Context) -> Reply:
    """Going, or no longer (a second click): private, the card shows only the count."""
    club = await _the_club(ctx)
    event = await _event(ctx, club, command.event_id)
    if event.cancelled:
        raise UserError(say.event_is_cancelled(event.title))
    if event.ends_at <= ctx.now:
        raise UserError(say.event_is_over(event.title))
    assert event.id is not None
    now_going = not await ctx.uow.clubs.is_going(event.id, ctx.person_id)
    await ctx.uow.clubs.set_going(event.id, ctx.person_id, now_going, ctx.now)
    if now_going:
        # After it, one DM to log who they met, and one reminder (bot.event_prompts).
        times = await plan_prompts(ctx.uow, event, [ctx.person], ctx.deps.default_zone)
        ctx.planner.due_times.extend(times)
    else:
        await ctx.uow.prompts.drop_pending(event.id, ctx.person_id)
    ctx.cards.append(event.id)
    return say.going(event.title, now_going)


async def log_at_event(command: LogAtEvent, ctx: Context) -> Reply:
    """/met's form with the event and its kind filled in (its text, where there are no forms).
    From its card, in the club's channel; from a DM after it, an event the asker was going to
    (any other reads like one that doesn't exist)."""
    event = await _clicked_event(ctx, command.event_id)
    return say.log_at_event(command.event_id, event.title, event.kind)


async def event_logged_at(ctx: Context, event_id: int, where: str | None) -> tuple[Club, ClubEvent]:
    """The club event a /met is logged from (a Log who I met button, or `event:#N`), and its
    club: in the club's channel, the club's event; anywhere else (a DM after it), one the asker
    was going to. Any other reads like one that doesn't exist, so nobody's follow-ups take the
    rules of a club they have nothing to do with by naming its event."""
    address = ctx.asker.address
    here = await ctx.uow.clubs.get(address.platform, address.workspace, where) if where else None
    if here is not None:
        return here, await _event(ctx, here, event_id)
    event = await ctx.uow.clubs.going_event(event_id, ctx.person_id)
    club = await ctx.uow.clubs.by_id(event.club_id) if event is not None else None
    if event is None or club is None:
        raise UserError(say.not_your_event(event_id))
    return club, event


async def fair_at_event(command: FairAtEvent, ctx: Context) -> Reply:
    """A fair's My priority list: the clicker's list for it (same name, same day) with the
    fair's companies not on it and how to add them; without one, the list's form filled in
    with the fair's name, day and companies, for them to order and tier. Theirs alone: the
    answer is private, like every answer to a command."""
    event = await _clicked_event(ctx, command.event_id)
    kind = ctx.rulebook.kinds.get(event.kind)
    if kind is None or not is_fair_kind(kind):
        raise UserError(say.not_a_fair(event.title))
    if event.cancelled:
        raise UserError(say.event_is_cancelled(event.title))
    # The fair's day as the student's lists keep it: in their own zone.
    day = event.starts_at.astimezone(ctx.zone).date()
    fairs = await ctx.uow.fairs.of_person(ctx.person_id)
    key = company_key(event.title)
    fair = next((f for f in fairs if f.name_key == key and f.held_on == day), None)
    if fair is None:
        prefill = FairPrefill(event.title, day.isoformat(), "\n".join(event.companies))
        return say.fair_list_to_plan(prefill)
    missing = [name for name in event.companies if closest_entry(fair, name) is None]
    return await fair_shown(ctx, fair, say.fair_list_has(fair.name, missing))


async def _clicked_event(ctx: Context, event_id: int) -> ClubEvent:
    """The event a button is about: from its card, the club's event; from a DM after it, one
    the asker was going to (any other reads like one that doesn't exist)."""
    if ctx.channel is None:
        found = await ctx.uow.clubs.going_event(event_id, ctx.person_id)
        if found is None:
            raise UserError(say.not_your_event(event_id))
        return found
    club = await _the_club(ctx)
    return await _event(ctx, club, event_id)


async def scheduled_event_ended(command: ScheduledEventEnded, ctx: Context) -> Reply:
    """A Discord server's Scheduled Event ended: the club following the server's events takes
    it as one of its own (its kind guessed from its name), its interested members as going,
    with the same prompts after it and the same digest. Nothing is posted (the server shows
    the event itself). Once per event: Discord may say it twice. The reply is for logs only:
    nobody reads it."""
    address = ctx.asker.address
    club = await ctx.uow.clubs.following(address.platform, address.workspace)
    if club is None or club.id is None:
        return Reply.text("No club of this server follows its Scheduled Events.")
    title = clip(clean_text(command.name), say.TITLE_LIMIT) or "Server event"
    # Ended early, or with no end scheduled: it ended now.
    ends_at = min(command.ends_at or ctx.now, ctx.now)
    event = await ctx.uow.clubs.add_scheduled_event(
        ClubEvent(
            club_id=club.id,
            title=title,
            kind=guess_kind(title, ctx.rulebook),
            starts_at=min(command.starts_at, ends_at),
            ends_at=ends_at,
            created_by=command.created_by or "discord",
            created_at=ctx.now,
            scheduled_event=command.ref,
        )
    )
    # Taken: its end is watched no more (bot.scheduled_event_ends), whatever Discord says next.
    await ctx.uow.event_ends.close(club.id, command.ref, NudgeStatus.SENT, ctx.now)
    if event is None or event.id is None:
        return Reply.text("That Scheduled Event is one of the club's already.")
    members = []
    for user in dict.fromkeys(command.interested):
        member = await _member(ctx, Address(address.platform, address.workspace, user))
        assert member.id is not None
        await ctx.uow.clubs.set_going(event.id, member.id, True, ctx.now)
        members.append(member)
    ctx.planner.due_times.extend(await plan_prompts(ctx.uow, event, members, ctx.deps.default_zone))
    await ctx.uow.digests.plan([event_digest(event)])
    ctx.planner.due_times.append(event.ends_at + AFTER_EVENT)
    return Reply.text(f"{club.name} took the Scheduled Event #{event.id}: {len(members)} going.")


async def scheduled_event_watched(command: ScheduledEventWatched, ctx: Context) -> Reply:
    """A Scheduled Event of the server was created or changed and isn't over: the club that
    follows the server's events takes it at its scheduled end (`scheduled_event_end`), even if
    Discord never says it completed. Moved when the event moves. The reply is for logs only."""
    address = ctx.asker.address
    club = await ctx.uow.clubs.following(address.platform, address.workspace)
    if club is None or club.id is None:
        return Reply.text("No club of this server follows its Scheduled Events.")
    due = scheduled_event_end(command.starts_at, command.ends_at)
    if due < ctx.now - TAKEN_WITHIN:
        return Reply.text("That Scheduled Event ended too long ago to prompt anyone.")
    await ctx.uow.event_ends.watch(ScheduledEventEnd(club_id=club.id, ref=command.ref, due_at=due))
    ctx.planner.due_times.append(due)
    return Reply.text(f"{club.name} takes the Scheduled Event at {due.isoformat()}.")


async def scheduled_event_dropped(command: ScheduledEventDropped, ctx: Context) -> Reply:
    """A Scheduled Event of the server was cancelled or deleted: its end is watched no more,
    and nobody is prompted. The reply is for logs only."""
    address = ctx.asker.address
    club = await ctx.uow.clubs.following(address.platform, address.workspace)
    if club is None or club.id is None:
        return Reply.text("No club of this server follows its Scheduled Events.")
    await ctx.uow.event_ends.close(club.id, command.ref, NudgeStatus.CANCELLED, ctx.now)
    return Reply.text(f"{club.name} no longer waits for that Scheduled Event.")


async def _member(ctx: Context, address: Address) -> Person:
    """The student at `address` (their primary account when joined to one), added on first
    sight: someone interested in a server's event needn't have used the bot yet."""
    person = await ctx.uow.people.get(address)
    if person is not None and person.linked_to is not None:
        return await ctx.uow.accounts.by_id(person.linked_to) or person
    if person is None:
        person = await ctx.uow.people.add(
            Person(
                address=address, created_at=ctx.now, quiet_hours=ctx.rulebook.timing.default_quiet
            )
        )
    return person


def guess_kind(title: str, rulebook: Rulebook) -> str:
    """The kind of event a Scheduled Event's name says, by the rulebook's names for the kinds
    of events ("Spring Career Fair": a fair; "Deloitte Info Session": a group event): the
    longest name found in it, word for word; networking when none is."""

    def words(text: str) -> str:
        # "Tech-Talk: Kafka" reads "tech talk kafka", and "fair 1:1" "fair 1 1", on both sides.
        return " " + " ".join(re.sub(r"[^\w\s]", " ", normalize_kind(text)).split()) + " "

    said = words(title)
    found = [
        (len(name), kind.key)
        for kind in rulebook.kinds.values()
        if kind.event
        for name in (kind.key, kind.label, *kind.aliases)
        if words(name) in said
    ]
    if found:
        return max(found)[1]
    return "networking" if "networking" in rulebook.kinds else next(iter(rulebook.kinds))


async def digest_setting(command: ClubDigestSetting, ctx: Context) -> Reply:
    """/club digest: the weekly digest, shown; set or turned off by organizers."""
    if command.show:
        club = await _the_club(ctx)
        return say.digest_shown(club)
    club = await _as_organizer(ctx, "change its digest")
    assert club.id is not None
    club.digest_day, club.digest_at = command.day, command.at
    await ctx.uow.clubs.update(club)
    await ctx.uow.digests.drop_pending(club.id, DigestKind.WEEKLY)
    following = next_weekly(club, ctx.now)
    if following is not None:
        await ctx.uow.digests.plan([following])
        ctx.planner.due_times.append(following.due_at)
    return say.digest_changed(club, following.due_at if following else None)


def event_card(club: Club, event: ClubEvent, rulebook: Rulebook, *, going: int = 0) -> EventCard:
    """The card of `event`, as its club's channel shows it."""
    kind = rulebook.kinds.get(event.kind)
    label = kind.label if kind is not None else event.kind
    if is_fair_key(event.kind):
        # The event is the fair; "career fair chat" is what a member logs at it.
        label = "career fair"
    return EventCard(
        event_id=event.id or 0,
        club_name=club.name,
        title=event.title,
        kind_label=label,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        zone=club.zone,
        companies=event.companies,
        going=going,
        cancelled=event.cancelled,
        is_fair=kind is not None and is_fair_kind(kind),
    )


async def _event(ctx: Context, club: Club, event_id: int) -> ClubEvent:
    """The club's event #`event_id`; another club's reads like one that doesn't exist."""
    assert club.id is not None
    event = await ctx.uow.clubs.event(club.id, event_id)
    if event is None:
        raise UserError(say.no_such_event(event_id))
    return event


def _event_time(text: str, ctx: Context, club: Club) -> tuple[datetime, datetime]:
    return parse_event_time(text, now=ctx.now, zone=club.zone)


def _title(text: str) -> str:
    title = clean_text(text)
    if not title:
        raise UserError(say.title_missing())
    if len(title) > say.TITLE_LIMIT:
        raise UserError(say.title_too_long())
    return title


def _kind(text: str, ctx: Context) -> str:
    kind = ctx.rulebook.find_kind(text)
    if kind is None:
        raise UserError(say.unknown_kind(text, ctx.rulebook))
    return kind.key


def _companies(text: str) -> tuple[str, ...]:
    names = [clean_text(name) for name in re.split(r"[,;\n]", text)]
    companies = tuple(dict.fromkeys(name for name in names if name))
    if len(companies) > COMPANIES_LIMIT or len(", ".join(companies)) > COMPANIES_TEXT_LIMIT:
        raise UserError(say.too_many_companies(COMPANIES_LIMIT, COMPANIES_TEXT_LIMIT))
    too_long = [name for name in companies if len(name) > LIMITS["company"]]
    if too_long:
        raise UserError(say.company_too_long(too_long[0], LIMITS["company"]))
    return companies


# -- the club's own rules and templates -----------------------------------------------------------


async def club_own_rules(command: ClubOwnRules, ctx: Context) -> Reply:
    """/club rules and /club templates: what the club's follow-ups use, shown to anyone in the
    channel; its own, set from pasted TOML (checked exactly as the deployment's files are) or
    reset to the deployment's, by organizers. A bad paste changes nothing."""
    what = command.what
    if command.change == "show":
        club = await _the_club(ctx)
        assert club.id is not None
        books = ctx.deps.club_books.books(await ctx.uow.clubs.rules(club.id))
        own = books.own_rulebook if what == "rulebook" else books.own_drafts
        by = await _name_of(ctx, own.set_by) if own is not None else ""
        return say.own_rules_shown(club, what, books, own, by)
    doing = "change its rules" if what == "rulebook" else "change its draft templates"
    club = await _as_organizer(ctx, doing)
    assert club.id is not None
    if command.change == "reset":
        was_own = await ctx.uow.clubs.reset_rules(club.id, what)
        return say.own_rules_reset(club, what, was_own)
    if command.change == "paste":
        # The form to paste it in, for organizers only; what they submit comes back as "set".
        return say.paste_form(what)
    text = command.text.strip()
    if not text:
        raise UserError(say.nothing_pasted(what))
    if len(text.encode("utf-8")) > PASTE_LIMIT:
        raise UserError(say.paste_too_long(what, PASTE_LIMIT))
    source = clip(clean_text(command.source), 100) if command.source.strip() else ""
    books = ctx.deps.club_books.books(await ctx.uow.clubs.rules(club.id))
    try:
        if what == "rulebook":
            ctx.deps.club_books.check_rulebook(text, source, drafts=books.drafts)
        else:
            drafts_from_text(text, source or pasted_name(what), rulebook=books.rulebook)
    except RulebookError as err:
        raise UserError(say.bad_paste(what, str(err))) from None
    await ctx.uow.clubs.set_rules(ClubRules(club.id, what, text, ctx.asker.address.user, ctx.now))
    return say.own_rules_set(club, what)
