"""The app commands: /met with typed options, the /followups group, /fair, and /server-tz.

Each command turns its options into the core's command and hands it to the `Responder`;
autocomplete offers only the invoker's own follow-ups.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import discord
from discord import app_commands

from bot.club_commands import (
    CancelEvent,
    ClubDigestSetting,
    ClubOrganizers,
    ClubOwnRules,
    ClubSetup,
    DeleteClub,
    EditEvent,
    ListEvents,
    PostEvent,
    ShowClub,
    parse_digest,
)
from bot.club_rules import PASTE_LIMIT
from bot.commands import (
    ChangeSetting,
    Check,
    Command,
    CommandError,
    Draft,
    Help,
    MarkDone,
    ServerZone,
    ShowSettings,
    Skip,
    Snooze,
    parse_list,
    parse_number,
)
from bot.errors import UserError
from bot.messages import clubs as say_clubs
from bot.met import LIMITS, MetInput
from bot.services import Requester
from bot.zones import settable_zone_names

from .clubs import EventFormModal, RulesPasteModal
from .context import Interaction, Responder
from .fairs import fair_group
from .forms import (
    COMPANY_MAX,
    EVENT_MAX,
    GREET_MAX,
    OPTION_LABELS,
    TOPICS_MAX,
    WHEN_MAX,
    MetFormModal,
    record_met,
)
from .your_data import add_your_data_commands

__all__ = ["build_commands"]

# Discord shows at most 25 choices, and a choice's name is at most 100 characters.
CHOICE_LIMIT = 25
CHOICE_NAME_LIMIT = 100
# /followups list's filter: a page, "all", a kind, an event's name (an event is at most 200).
LIST_FILTER_LIMIT = 300
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SNOOZE_SUGGESTIONS = ("2h", "30m", "1h", "4h", "tomorrow")
QUIET_SUGGESTIONS = ("22:00-08:00", "23:00-07:00", "21:00-09:00", "off")
DIGEST_SUGGESTIONS = ("daily 18:00", "daily 08:30", "daily 12:00", "off")
POPULAR_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Africa/Lagos",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",
)

# The core's limits, as Discord enforces them while the student types.
NAME_MAX = LIMITS["people"]  # a panel: "Priya Raman; Tom O'Brien"

Choices = list[app_commands.Choice[str]]
# A command outside any group (the group type is Any: there is none).
TopCommand = app_commands.Command[Any, ..., None]


def _clip(text: str) -> str:
    return text if len(text) <= CHOICE_NAME_LIMIT else text[: CHOICE_NAME_LIMIT - 1] + "…"


def _as_named(*values: str) -> Choices:
    """Choices shown as the values they stand for."""
    return [app_commands.Choice(name=value, value=value) for value in values]


def _suggest(current: str, options: tuple[str, ...]) -> Choices:
    typed = current.strip()
    found = [o for o in options if typed.casefold() in o.casefold()]
    if typed and typed not in found:
        found.insert(0, typed[:CHOICE_NAME_LIMIT])
    return [app_commands.Choice(name=o, value=o) for o in found[:CHOICE_LIMIT]]


def zone_choices(current: str, first: str | None = None) -> Choices:
    """IANA zones matching what was typed ("berlin", "new york"): names that start with it,
    then cities that do, then any that contain it; popular ones when nothing is typed."""
    typed = current.strip().replace(" ", "_").casefold()
    if not typed:
        names = [first] if first else []
        names += [z for z in POPULAR_ZONES if z != first]
    else:
        zones = settable_zone_names()
        starts = [z for z in zones if z.casefold().startswith(typed)]
        cities = [z for z in zones if z.rpartition("/")[2].casefold().startswith(typed)]
        contains = [z for z in zones if typed in z.casefold()]
        names = list(dict.fromkeys([*starts, *cities, *contains]))
    return [app_commands.Choice(name=z, value=z) for z in names[:CHOICE_LIMIT]]


def build_commands(
    responder: Responder,
) -> list[TopCommand | app_commands.Group]:
    return [
        _met_command(responder),
        _followups_group(responder),
        fair_group(responder),
        _server_tz_command(responder),
        _club_group(responder),
    ]


def _met_command(responder: Responder) -> TopCommand:
    kinds = responder.service.rulebook.kinds
    kind_choices = [
        app_commands.Choice(name=_clip(kind.label), value=key) for key, kind in kinds.items()
    ]
    priorities = [
        app_commands.Choice(name="1: a company I care about most", value="1"),
        app_commands.Choice(name="2", value="2"),
        app_commands.Choice(name="3", value="3"),
    ]

    @app_commands.command(
        name="met", description="Record a career conversation (no options: open a form)"
    )
    @app_commands.describe(
        name="Who you met; a panel: names between ; (each gets their own email)",
        company="Their company, school or organisation",
        kind="What kind of conversation it was",
        about="What you talked about: it makes your follow-up personal",
        when="When you met, like yesterday 4pm or 2 hours ago (default: now)",
        event="The event, like Spring Career Fair",
        priority="Career fairs: how much you care about this company (1 = most)",
        greet="How the draft greets them, like Dr. Raman (a panel: one each, between ;)",
    )
    @app_commands.choices(priority=priorities)
    @app_commands.allowed_installs(guilds=True, users=True)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    async def met(
        interaction: Interaction,
        name: app_commands.Range[str, 1, NAME_MAX] | None = None,
        company: app_commands.Range[str, 1, COMPANY_MAX] | None = None,
        kind: str | None = None,
        about: app_commands.Range[str, 1, TOPICS_MAX] | None = None,
        when: app_commands.Range[str, 1, WHEN_MAX] | None = None,
        event: app_commands.Range[str, 1, EVENT_MAX] | None = None,
        priority: str | None = None,
        greet: app_commands.Range[str, 1, GREET_MAX] | None = None,
    ) -> None:
        fields = MetInput(
            name=name or "",
            company=company or "",
            kind=kind or "",
            topics=about or "",
            when=when or "",
            event=event or "",
            priority=priority or "",
            greet=greet or "",
        )
        if fields == MetInput():
            await interaction.response.send_modal(MetFormModal(responder))
            return
        await record_met(responder, interaction, fields, labels=OPTION_LABELS)

    if len(kind_choices) <= CHOICE_LIMIT:
        app_commands.choices(kind=kind_choices)(met)
    else:

        @met.autocomplete("kind")
        async def kind_autocomplete(interaction: Interaction, current: str) -> Choices:
            typed = current.strip().casefold()
            return [c for c in kind_choices if typed in c.name.casefold()][:CHOICE_LIMIT]

    return met


def _followups_group(responder: Responder) -> app_commands.Group:
    followups = app_commands.Group(
        name="followups",
        description="Your follow-ups: list, done, snooze, skip, settings, and your data",
        # Installed on a student's own account too, /met and /followups work anywhere.
        allowed_installs=discord.app_commands.AppInstallationType(guild=True, user=True),
        allowed_contexts=discord.app_commands.AppCommandContext(
            guild=True, dm_channel=True, private_channel=True
        ),
    )

    async def own_follow_ups(interaction: Interaction, current: str) -> Choices:
        # The invoker's own, by the verified address: never anyone else's.
        summaries = await responder.service.open_follow_ups(_by_address(responder, interaction))
        typed = current.strip().lstrip("#").casefold()
        return [
            app_commands.Choice(name=_clip(str(s)), value=str(s.number))
            for s in summaries
            if not typed or typed in str(s).casefold()
        ][:CHOICE_LIMIT]

    async def number_of(interaction: Interaction, text: str, sub: str, example: str) -> int:
        """The number picked or typed; a name that matches one open follow-up is that one."""
        try:
            return parse_number([text.strip()], sub, example)
        except CommandError:
            summaries = await responder.service.open_follow_ups(_by_address(responder, interaction))
            typed = text.strip().casefold()
            matching = [s for s in summaries if typed and typed in str(s).casefold()]
            if len(matching) == 1:
                return matching[0].number
            raise

    async def on_follow_up(
        interaction: Interaction, text: str, example: str, make: Callable[[int], Command]
    ) -> None:
        """Run what `make` builds for the follow-up picked or typed; one that can't be found
        is answered like a typing mistake."""
        sub = example.split()[1]
        try:
            number = await number_of(interaction, text, sub, example)
        except CommandError as err:
            await responder.answer(interaction, None, error=str(err))
            return
        await responder.answer(interaction, make(number))

    @followups.command(name="list", description="What you owe, most urgent first")
    @app_commands.describe(
        show='A page (2), all, a kind (interviews) or an event (event:"Spring Fair")'
    )
    async def list_(interaction: Interaction, show: str = "") -> None:
        try:
            command = parse_list(show[:LIST_FILTER_LIMIT])
        except CommandError as err:
            await responder.answer(interaction, None, error=str(err))
            return
        await responder.answer(interaction, command)

    @followups.command(name="done", description="You sent it: mark a follow-up done")
    @app_commands.describe(follow_up="Which one (start typing a name)", method="How you sent it")
    @app_commands.choices(
        method=[
            app_commands.Choice(name="email", value="email"),
            app_commands.Choice(name="LinkedIn", value="linkedin"),
        ]
    )
    @app_commands.autocomplete(follow_up=own_follow_ups)
    async def done(interaction: Interaction, follow_up: str, method: str | None = None) -> None:
        await on_follow_up(
            interaction, follow_up, "/followups done 3", lambda n: MarkDone(n, method)
        )

    @followups.command(name="snooze", description="Remind me later (never past the deadline)")
    @app_commands.describe(
        follow_up="Which one (start typing a name)",
        duration="For how long: 2h, 30m, or tomorrow (morning)",
    )
    @app_commands.autocomplete(follow_up=own_follow_ups)
    async def snooze(interaction: Interaction, follow_up: str, duration: str) -> None:
        await on_follow_up(
            interaction, follow_up, "/followups snooze 3 2h", lambda n: Snooze(n, duration)
        )

    @snooze.autocomplete("duration")
    async def snooze_duration(interaction: Interaction, current: str) -> Choices:
        return _suggest(current, SNOOZE_SUGGESTIONS)

    @followups.command(name="skip", description="You won't follow up on this one")
    @app_commands.describe(
        follow_up="Which one (start typing a name)",
        confirm="Skip even an interview's thank-you (the guide says: always send it)",
    )
    @app_commands.autocomplete(follow_up=own_follow_ups)
    async def skip(interaction: Interaction, follow_up: str, confirm: bool = False) -> None:
        await on_follow_up(
            interaction, follow_up, "/followups skip 3", lambda n: Skip(n, confirmed=confirm)
        )

    @followups.command(name="draft", description="A draft of the follow-up to send")
    @app_commands.describe(follow_up="Which one (start typing a name)")
    @app_commands.autocomplete(follow_up=own_follow_ups)
    async def draft(interaction: Interaction, follow_up: str) -> None:
        await on_follow_up(interaction, follow_up, "/followups draft 3", Draft)

    @followups.command(name="check", description="Spelling and grammar of a message you wrote")
    @app_commands.describe(text="The message, as you would send it")
    async def check(interaction: Interaction, text: app_commands.Range[str, 1, 2000]) -> None:
        await responder.answer(interaction, Check(text))

    @followups.command(name="help", description="How the commands work, with examples")
    @app_commands.describe(topic="Which commands")
    @app_commands.choices(
        topic=[
            app_commands.Choice(name="/followups", value="followups"),
            app_commands.Choice(name="/met", value="met"),
        ]
    )
    async def help_(interaction: Interaction, topic: str = "followups") -> None:
        await responder.answer(interaction, Help(topic))

    add_your_data_commands(
        responder, followups, own_follow_ups=own_follow_ups, on_follow_up=on_follow_up
    )
    _settings_group(responder, followups)
    return followups


def _settings_group(responder: Responder, parent: app_commands.Group) -> app_commands.Group:
    settings = app_commands.Group(
        name="settings", description="Your time zone, quiet hours, nudges and more", parent=parent
    )

    @settings.command(name="show", description="Your settings")
    async def show(interaction: Interaction) -> None:
        await responder.answer(interaction, ShowSettings())

    _suggested_setting(
        responder,
        settings,
        "tz",
        "Your time zone (Discord doesn't tell bots)",
        option=("zone", "Start typing your city, like Berlin or New York"),
        suggest=zone_choices,
    )
    _suggested_setting(
        responder,
        settings,
        "quiet",
        "Hours without nudges, in your time zone",
        option=("hours", "Like 22:00-08:00, or off"),
        suggest=lambda current: _suggest(current, QUIET_SUGGESTIONS),
    )

    _suggested_setting(
        responder,
        settings,
        "digest",
        "Your nudges once a day at this time (last calls for interviews and calls on time)",
        option=("time", "Like daily 18:00, or off"),
        suggest=lambda current: _suggest(current, DIGEST_SUGGESTIONS),
    )

    @settings.command(name="nudges", description="DM nudges before your deadlines, on or off")
    @app_commands.choices(state=_as_named("on", "off"))
    async def nudges(interaction: Interaction, state: str) -> None:
        await responder.answer(interaction, ChangeSetting("nudges", state))

    @settings.command(name="job", description="Accepted a job? Then no more nudges about events")
    @app_commands.choices(status=_as_named("searching", "accepted"))
    async def job(interaction: Interaction, status: str) -> None:
        await responder.answer(interaction, ChangeSetting("job", status))

    @settings.command(name="linkedin", description="Your LinkedIn plan (it sets the note length)")
    @app_commands.choices(plan=_as_named("free", "premium"))
    async def linkedin(interaction: Interaction, plan: str) -> None:
        await responder.answer(interaction, ChangeSetting("linkedin", plan))

    @settings.command(
        name="dm", description="Where reminders go, once Slack and Discord are linked"
    )
    @app_commands.choices(platform=_as_named("slack", "discord"))
    async def dm(interaction: Interaction, platform: str) -> None:
        await responder.answer(interaction, ChangeSetting("dm", platform))

    @settings.command(
        name="shoutouts", description="Let club digests thank you by name (never your contacts)"
    )
    @app_commands.choices(state=_as_named("on", "off"))
    async def shoutouts(interaction: Interaction, state: str) -> None:
        await responder.answer(interaction, ChangeSetting("shoutouts", state))

    @settings.command(name="name", description="The name your drafts are signed with")
    @app_commands.describe(name="Like Alex Kim")
    async def set_name(interaction: Interaction, name: app_commands.Range[str, 1, 100]) -> None:
        await responder.answer(interaction, ChangeSetting("name", name))

    return settings


def _suggested_setting(
    responder: Responder,
    group: app_commands.Group,
    setting: str,
    description: str,
    *,
    option: tuple[str, str],
    suggest: Callable[[str], Choices],
) -> None:
    """/followups settings SETTING OPTION: typed, with suggestions as the student types."""
    option_name, hint = option

    @group.command(name=setting, description=description)
    @app_commands.rename(value=option_name)
    @app_commands.describe(value=hint)
    async def change(interaction: Interaction, value: str) -> None:
        await responder.answer(interaction, ChangeSetting(setting, value))

    @change.autocomplete("value")
    async def suggestions(interaction: Interaction, current: str) -> Choices:
        return suggest(current)


def _server_tz_command(responder: Responder) -> TopCommand:
    @app_commands.command(
        name="server-tz",
        description="This server's default time zone, for members who haven't set theirs",
    )
    @app_commands.describe(
        zone="Like Europe/Berlin; off to clear; leave out to see the current one"
    )
    @app_commands.guild_only()
    @app_commands.allowed_installs(guilds=True, users=False)
    # Server managers only, by default; a server can grant it to a club-officer role in its
    # Integrations settings, which Discord enforces before the command reaches the bot.
    @app_commands.default_permissions(manage_guild=True)
    async def server_tz(interaction: Interaction, zone: str | None = None) -> None:
        # The core keeps the zone on the server's record; Discord has checked the permission.
        if interaction.guild_id is None:
            await responder.answer(interaction, None, error="Use /server-tz in a server.")
            return
        await responder.answer(interaction, ServerZone(zone or ""))

    @server_tz.autocomplete("zone")
    async def server_zone(interaction: Interaction, current: str) -> Choices:
        choices = zone_choices(current)
        if "off".startswith(current.strip().casefold()):
            choices = [app_commands.Choice(name="off", value="off"), *choices][:CHOICE_LIMIT]
        return choices

    return server_tz


def _own_rules_command(
    responder: Responder, what: str, name: str, description: str, like: str
) -> app_commands.Command[Any, ..., None]:
    """/club rules or /club templates: see them, set the club's own from a file, or reset."""

    @app_commands.command(name=name, description=description)
    @app_commands.describe(
        change="See (default), set the club's own from a file, paste it in a form, or go back "
        "to the default",
        file=f"A TOML file written like the deployment's {like}.toml",
    )
    @app_commands.choices(change=_as_named("show", "set", "paste", "reset"))
    async def own_rules(
        interaction: Interaction, change: str = "show", file: discord.Attachment | None = None
    ) -> None:
        await _own_rules(responder, interaction, what, change, file)

    return own_rules


async def _own_rules(
    responder: Responder,
    interaction: Interaction,
    what: str,
    change: str,
    file: discord.Attachment | None,
) -> None:
    """/club rules and /club templates: a `file` to set is read here (its size checked before
    it is fetched) and handed to the core with its name, which an error names; paste opens the
    form to paste it in, for organizers (the core says who they are)."""
    if change == "paste" and file is None:
        async with responder.guard(interaction):
            requester = responder.requester(interaction)
            command = ClubOwnRules(what, "paste")
            reply = await responder.compute(interaction, responder.run(requester, command))
            if reply.rules_form is not None and not interaction.response.is_done():
                await interaction.response.send_modal(RulesPasteModal(responder, what))
                return
            await responder.send(interaction, reply, scope=requester.address.workspace)
        return
    if change != "set" or file is None:
        if file is not None:
            await responder.answer(interaction, None, error="Attach a file only with change: set.")
            return
        await responder.answer(interaction, ClubOwnRules(what, change))
        return
    if file.size > PASTE_LIMIT:
        await responder.answer(interaction, None, error=say_clubs.paste_too_long(what, PASTE_LIMIT))
        return
    try:
        text = (await file.read()).decode("utf-8")
    except UnicodeDecodeError:
        error = f"{file.filename} isn't UTF-8 text: save it as a plain .toml file. Nothing changed."
        await responder.answer(interaction, None, error=error)
        return
    except discord.HTTPException:
        error = f"I couldn't fetch {file.filename} from Discord; try again. Nothing changed."
        await responder.answer(interaction, None, error=error)
        return
    await responder.answer(interaction, ClubOwnRules(what, "set", text, source=file.filename))


def _club_group(responder: Responder) -> app_commands.Group:
    """/club: this channel's club. Shown by default to members who can manage the server's
    events (Discord enforces it; a server can grant it to a club-officer role in its
    Integrations settings); the core checks organizers all the same."""
    club = app_commands.Group(
        name="club",
        description="This channel's club: set it up, its organizers and events",
        guild_only=True,
        allowed_contexts=app_commands.AppCommandContext(
            guild=True, dm_channel=False, private_channel=False
        ),
        allowed_installs=app_commands.AppInstallationType(guild=True, user=False),
        default_permissions=discord.Permissions(manage_events=True),
    )

    @club.command(name="show", description="This channel's club and what organizers can do")
    async def show(interaction: Interaction) -> None:
        await responder.answer(interaction, ShowClub())

    @club.command(name="setup", description="Make this channel a club, or change its name or zone")
    @app_commands.describe(
        name="The club's name (default: the channel's)",
        tz="The zone its events are in, like America/New_York (default: yours)",
        follow="Whether the server's Scheduled Events count as this club's (one club a server)",
    )
    @app_commands.choices(follow=_as_named("on", "off"))
    async def setup(
        interaction: Interaction,
        name: app_commands.Range[str, 1, 100] | None = None,
        tz: str | None = None,
        follow: str | None = None,
    ) -> None:
        following = None if follow is None else follow == "on"
        await responder.answer(interaction, ClubSetup(name or "", tz or "", following))

    @setup.autocomplete("tz")
    async def setup_zone(interaction: Interaction, current: str) -> Choices:
        return zone_choices(current)

    @club.command(name="organizers", description="Who organizes this club; add or remove one")
    @app_commands.describe(change="Add or remove someone (leave out to see them)", member="Whom")
    @app_commands.choices(change=_as_named("add", "remove"))
    async def organizers(
        interaction: Interaction, change: str | None = None, member: discord.Member | None = None
    ) -> None:
        if change is None:
            await responder.answer(interaction, ClubOrganizers())
        elif member is None:
            await responder.answer(
                interaction, None, error=f"Whom should I {change}? Pick a member."
            )
        else:
            await responder.answer(interaction, ClubOrganizers(change, str(member.id)))

    kinds = [
        app_commands.Choice(name=_clip(kind.label), value=key)
        for key, kind in responder.service.rulebook.kinds.items()
    ][:CHOICE_LIMIT]

    @club.command(name="event", description="Post an event's card here (no options: a form)")
    @app_commands.describe(
        title="Like Deloitte Night",
        when="In the club's time zone, like thu 6pm-8pm",
        kind="What kind of conversations members will have",
        companies="A fair's companies, like Acme, Globex, Initech",
    )
    @app_commands.choices(kind=kinds)
    async def event(
        interaction: Interaction,
        title: app_commands.Range[str, 1, 100] | None = None,
        when: app_commands.Range[str, 1, 60] | None = None,
        kind: str | None = None,
        companies: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        if title is None and when is None and kind is None and companies is None:
            await interaction.response.send_modal(EventFormModal(responder))
            return
        if title is None or when is None or kind is None:
            await responder.answer(
                interaction, None, error="An event needs a title, when and kind."
            )
            return
        await responder.answer(interaction, PostEvent(title, when, kind, companies or ""))

    @club.command(name="events", description="This club's upcoming and recent events")
    async def events(interaction: Interaction) -> None:
        await responder.answer(interaction, ListEvents())

    @club.command(name="edit", description="Change an event; its card updates in place")
    @app_commands.describe(
        event="Its number (/club events)", title="A new title", when="A new time",
        kind="A new kind", companies="A fair's companies",
    )  # fmt: skip
    @app_commands.choices(kind=kinds)
    async def edit(
        interaction: Interaction,
        event: app_commands.Range[int, 1, 2**31 - 1],
        title: app_commands.Range[str, 1, 100] | None = None,
        when: app_commands.Range[str, 1, 60] | None = None,
        kind: str | None = None,
        companies: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        given = {"title": title, "when": when, "kind": kind, "companies": companies}
        changes = tuple((name, value) for name, value in given.items() if value is not None)
        if not changes:
            await responder.answer(interaction, None, error="Say what to change.")
            return
        await responder.answer(interaction, EditEvent(event, changes))

    @club.command(name="digest", description="The weekly digest: see it, set its day and time")
    @app_commands.describe(
        day="The day it is posted (leave out to see the setting)",
        time="Like 9:00, in the club's time zone",
        off="Turn the weekly digest off",
    )
    @app_commands.choices(day=_as_named(*_WEEKDAYS))
    async def digest(
        interaction: Interaction,
        day: str | None = None,
        time: app_commands.Range[str, 1, 8] | None = None,
        off: bool = False,
    ) -> None:
        if off:
            command: Command = ClubDigestSetting(show=False)
        elif day is None and time is None:
            command = ClubDigestSetting()
        else:
            try:
                command = parse_digest(f"weekly {day or ''} {time or ''}")
            except UserError as err:
                await responder.answer(interaction, None, error=str(err))
                return
        await responder.answer(interaction, command)

    for what, name, description, like in (
        ("rulebook", "rules", "The rulebook this club uses; organizers set their own", "rulebook"),
        ("drafts", "templates", "The draft templates this club uses", "drafts"),
    ):
        club.add_command(_own_rules_command(responder, what, name, description, like))

    @club.command(name="cancel", description="Cancel an event; its card says so")
    @app_commands.describe(event="Its number (/club events)")
    async def cancel(
        interaction: Interaction, event: app_commands.Range[int, 1, 2**31 - 1]
    ) -> None:
        await responder.answer(interaction, CancelEvent(event))

    @club.command(name="delete", description="Delete this club and its events (asks first)")
    @app_commands.describe(confirm="True to delete it (leave out to see what goes)")
    async def delete(interaction: Interaction, confirm: bool = False) -> None:
        await responder.answer(interaction, DeleteClub(confirmed=confirm))

    return club


def _by_address(responder: Responder, interaction: Interaction) -> Requester:
    """For autocomplete, which runs at every keystroke: the address is all it needs."""
    return Requester(responder.address(interaction))
