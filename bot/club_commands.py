"""/club as typed: a channel's club set up, its organizers, and the events it posts.

Adapters with typed options (Discord) build these dataclasses directly; Slack and the console
type them (`parse_club`). Values are `key:value` or `key:"a quoted value"`, like /met's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from difflib import get_close_matches

from bot.errors import UserError
from bot.formatting import clip

__all__ = [
    "CLUB_COMMANDS",
    "CancelEvent",
    "ClubCommand",
    "ClubOrganizers",
    "ClubOwnRules",
    "ClubSetup",
    "DeleteClub",
    "EditEvent",
    "EventForm",
    "FairAtEvent",
    "Going",
    "ListEvents",
    "LogAtEvent",
    "PostEvent",
    "ScheduledEventDropped",
    "ScheduledEventEnded",
    "ScheduledEventWatched",
    "ShowClub",
    "parse_club",
    "parse_digest",
    "user_reference",
]


@dataclass(frozen=True)
class ShowClub:
    """/club: the channel's club and what its organizers can do."""


@dataclass(frozen=True)
class ClubSetup:
    """/club setup [NAME] [tz:ZONE] [follow:on|off]: make the channel a club, or rename it or
    change its zone. Without a name, the channel's; without a zone, the asker's. `follow`
    (Discord): whether the server's Scheduled Events count as the club's; None leaves it."""

    name: str = ""
    zone: str = ""
    follow: bool | None = None


@dataclass(frozen=True)
class DeleteClub:
    """/club delete [confirm]: the club, its events, who was going, and its pending prompts and
    digests, gone (organizers only); members' own follow-ups stay theirs. Asks first."""

    confirmed: bool = False


@dataclass(frozen=True)
class ClubOrganizers:
    """/club organizers [add|remove @someone]: `user` is the platform's id of whom."""

    change: str = "list"  # "list", "add" or "remove"
    user: str = ""


@dataclass(frozen=True)
class ClubDigestSetting:
    """/club digest [weekly DAY HH:MM | off]: the weekly digest (organizers change it); `day`
    Monday 0, None with `off`; nothing given shows it."""

    show: bool = True
    day: int | None = None
    at: time | None = None


@dataclass(frozen=True)
class ClubOwnRules:
    """/club rules [set TOML | reset] and /club templates [set TOML | reset]: see the rulebook
    (`what` "rulebook") or draft templates ("drafts") the club's follow-ups use, give it its
    own (organizers; "paste" opens a form to paste it in), or go back to the deployment's. `source` names the pasted text in an
    error: an attachment's file name, else "your pasted rulebook"."""

    what: str = "rulebook"
    change: str = "show"  # "show", "set", "paste" or "reset"
    text: str = ""
    source: str = ""


@dataclass(frozen=True)
class PostEvent:
    """/club event "TITLE" when:"thu 6pm-8pm" kind:KIND [companies:"Acme, Globex"]: post an
    event's card in the channel (organizers only). Values as typed: the handler reads them."""

    title: str
    when: str
    kind: str
    companies: str = ""


@dataclass(frozen=True)
class EventForm:
    """/club event alone: adapters with forms open one; others show how to type it."""


@dataclass(frozen=True)
class ListEvents:
    """/club events: the club's upcoming and recent events."""


@dataclass(frozen=True)
class EditEvent:
    """/club edit N title:... when:... kind:... companies:...: change event #N (organizers)."""

    event_id: int
    changes: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class CancelEvent:
    """/club cancel N: cancel event #N; its card says so (organizers only)."""

    event_id: int


@dataclass(frozen=True)
class Going:
    """The Going button (or /club going N): say you're going to event #N, or no longer."""

    event_id: int


@dataclass(frozen=True)
class LogAtEvent:
    """The Log who I met button (or /club log N): /met's form with the event filled in."""

    event_id: int


@dataclass(frozen=True)
class FairAtEvent:
    """A fair's My priority list button (or /club fair N): the clicker's list for that fair,
    or the list's form filled in with its companies."""

    event_id: int


@dataclass(frozen=True)
class ScheduledEventEnded:
    """Not typed: a Discord server's Scheduled Event ended (`ref`, its id), with the members
    interested in it (`interested`, platform user ids). The club of the server that follows
    them takes it as its event; the requester is the server (its address's workspace)."""

    ref: str
    name: str
    starts_at: datetime
    # As scheduled; None (none was) or later than now: it ended now.
    ends_at: datetime | None
    interested: tuple[str, ...]
    created_by: str = ""


@dataclass(frozen=True)
class ScheduledEventWatched:
    """Not typed: a Discord server's Scheduled Event was created or changed and is not over
    (`ref`, its id; its start, and its end as scheduled, if any). The club that follows the
    server's events takes it at that end, even if Discord never says it completed."""

    ref: str
    starts_at: datetime
    ends_at: datetime | None


@dataclass(frozen=True)
class ScheduledEventDropped:
    """Not typed: a Discord server's Scheduled Event was cancelled or deleted: nobody is
    prompted about it."""

    ref: str


ClubCommand = (
    ShowClub
    | ClubDigestSetting
    | ClubOwnRules
    | ClubSetup
    | DeleteClub
    | ClubOrganizers
    | PostEvent
    | EventForm
    | ListEvents
    | EditEvent
    | CancelEvent
    | Going
    | LogAtEvent
    | FairAtEvent
    | ScheduledEventEnded
    | ScheduledEventWatched
    | ScheduledEventDropped
)

CLUB_COMMANDS = (
    ShowClub,
    ClubDigestSetting,
    ClubOwnRules,
    ClubSetup,
    DeleteClub,
    ClubOrganizers,
    PostEvent,
    EventForm,
    ListEvents,
    EditEvent,
    CancelEvent,
    Going,
    LogAtEvent,
    FairAtEvent,
    ScheduledEventEnded,
    ScheduledEventWatched,
    ScheduledEventDropped,
)

# What /club edit changes, by what may be typed before the colon.
EVENT_FIELDS = {"title": "title", "name": "title", "when": "when", "kind": "kind"}
EVENT_FIELDS |= {"companies": "companies", "company": "companies"}
EVENT_EXAMPLE = '/club event "Deloitte Night" when:"thu 6pm-8pm" kind:networking'

_SUBCOMMANDS = (
    "setup",
    "organizers",
    "event",
    "events",
    "edit",
    "cancel",
    "digest",
    "delete",
    "rules",
    "templates",
    "going",
    "log",
    "fair",
    "help",
)
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DIGEST_USAGE = "Usage: /club digest weekly mon 9:00 (a day and a time, in the club's zone) or /club digest off."
_OPTION = re.compile(r"(?<![\w:])([A-Za-z]+)\s*:\s*")
_QUOTES = {'"': '"', "“": "”", "'": "'", "«": "»"}
_QUOTED = re.compile(r'"[^"]*"|“[^”]*”|«[^»]*»')
# <@U123|name> (Slack), <@123> or <@!123> (Discord), @alice (the console's names).
_MENTION = re.compile(r"<@!?([A-Za-z0-9]{1,32})(?:\|[^>]{0,100})?>|@([A-Za-z0-9_.-]{1,32})")
_ORGANIZERS_USAGE = (
    "Usage: /club organizers to see them, /club organizers add @someone or "
    "/club organizers remove @someone."
)


def parse_club(text: str) -> ClubCommand:
    """/club [setup ... | organizers ... | event ... | events | edit N ... | cancel N |
    digest ... | delete [confirm] | going N | log N | fair N | help]. Raises UserError."""
    words = text.split(maxsplit=1)
    if not words:
        return ShowClub()
    sub, rest = words[0].casefold(), words[1] if len(words) > 1 else ""
    if sub in ("help", "-h", "--help", "?"):
        return ShowClub()
    if sub == "setup":
        options, name = _options(rest, allowed=("tz", "follow"), usage=_SETUP_USAGE)
        follow = options.get("follow")
        if follow is not None and follow.casefold() not in _SWITCH:
            raise UserError("follow: takes on or off, like /club setup follow:on.")
        switched = _SWITCH[follow.casefold()] if follow is not None else None
        return ClubSetup(name=name, zone=options.get("tz", ""), follow=switched)
    if sub in ("organizers", "organisers", "organizer", "organiser"):
        args = rest.split(maxsplit=1)
        if not args:
            return ClubOrganizers()
        change = args[0].casefold()
        if change not in ("add", "remove") or len(args) < 2:
            raise UserError(_ORGANIZERS_USAGE)
        user = user_reference(args[1])
        if user is None:
            raise UserError(f"Who? Mention them: /club organizers {change} @someone.")
        return ClubOrganizers(change, user)
    if sub == "event":
        if not rest.strip():
            return EventForm()
        usage = f'Usage: {EVENT_EXAMPLE} (companies:"Acme, Globex" for a fair).'
        options, title = _options(rest, allowed=("when", "kind", "companies"), usage=usage)
        if not title or "when" not in options or "kind" not in options:
            raise UserError(f"An event needs a title, when: and kind:. {usage}")
        return PostEvent(title, options["when"], options["kind"], options.get("companies", ""))
    if sub == "events":
        return ListEvents()
    if sub == "digest":
        return parse_digest(rest)
    if sub == "delete":
        confirm = rest.strip().casefold()
        if confirm not in ("", "confirm", "yes"):
            raise UserError("Usage: /club delete (then /club delete confirm).")
        return DeleteClub(confirmed=bool(confirm))
    if sub in ("rules", "rulebook", "templates", "drafts"):
        return parse_own_rules("rulebook" if sub in ("rules", "rulebook") else "drafts", rest)
    if sub in ("edit", "cancel", "going", "log", "fair"):
        args = rest.split(maxsplit=1)
        event_id = _event_number(args[0] if args else "", sub)
        typed = args[1] if len(args) > 1 else ""
        if sub == "edit":
            usage = f'Usage: /club edit {event_id} title:"..." when:"..." kind:... companies:"..."'
            changes, before = _options(typed, allowed=tuple(EVENT_FIELDS), usage=usage)
            if before or not changes:
                raise UserError(f"Say what to change. {usage}")
            fields = tuple((EVENT_FIELDS[key], value) for key, value in changes.items())
            if len(dict(fields)) < len(fields):
                raise UserError(f"Give each field once. {usage}")
            return EditEvent(event_id, fields)
        if typed.strip():
            raise UserError(f"Usage: /club {sub} {event_id}.")
        if sub == "cancel":
            return CancelEvent(event_id)
        if sub == "fair":
            return FairAtEvent(event_id)
        return Going(event_id) if sub == "going" else LogAtEvent(event_id)
    close = get_close_matches(sub, _SUBCOMMANDS, n=1)
    hint = f" Did you mean /club {close[0]}?" if close else ""
    raise UserError(
        f"“{clip(sub, 40)}” isn't a /club command.{hint} Try setup, organizers, event, events, "
        "edit, cancel, digest, rules, templates, delete or help."
    )


def parse_own_rules(what: str, text: str) -> ClubOwnRules:
    """show (nothing), set TOML (the TOML as typed, its lines kept), paste (a form to paste it
    in, where there are forms) or reset."""
    words = text.split(maxsplit=1)
    change = words[0].casefold() if words else "show"
    name = "rules" if what == "rulebook" else "templates"
    if change not in ("show", "set", "paste", "reset"):
        raise UserError(
            f"Usage: /club {name} to see them, /club {name} paste for a form to paste the TOML "
            f"in (or /club {name} set followed by it), or /club {name} reset to go back to the "
            "default."
        )
    pasted = words[1] if len(words) > 1 else ""
    if change != "set" and pasted.strip():
        raise UserError(f"Usage: /club {name} {change}.")
    return ClubOwnRules(what, change, pasted)


def parse_digest(text: str) -> ClubDigestSetting:
    """weekly DAY HH:MM, off, or nothing (show it)."""
    words = text.casefold().split()
    if not words:
        return ClubDigestSetting()
    if words in (["off"], ["weekly", "off"]):
        return ClubDigestSetting(show=False)
    days = [n for n, name in enumerate(_DAYS) if len(words) == 3 and name.startswith(words[1])]
    if len(words) != 3 or words[0] != "weekly" or len(words[1]) < 3 or not days:
        raise UserError(DIGEST_USAGE)
    found = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?\s*(am|pm)?", words[2])
    if found is None:
        raise UserError(DIGEST_USAGE)
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    if found.group(3):
        if not 1 <= hour <= 12:
            raise UserError(DIGEST_USAGE)
        hour = hour % 12 + (12 if found.group(3) == "pm" else 0)
    if hour > 23 or minute > 59:
        raise UserError(DIGEST_USAGE)
    return ClubDigestSetting(show=False, day=days[0], at=time(hour, minute))


def _event_number(word: str, sub: str) -> int:
    """The #N of an event, as /club events shows it."""
    found = re.fullmatch(r"#?(\d{1,9})", word)
    if found is None or int(found.group(1)) == 0:
        shown = f"“{clip(word, 20)}” isn't an event number. " if word else "Which event? "
        raise UserError(f"{shown}/club events shows their numbers; like /club {sub} 3.")
    return int(found.group(1))


_SETUP_USAGE = (
    "Usage: /club setup Career Club tz:America/New_York (both optional; on Discord, "
    "follow:on makes the server's Scheduled Events the club's)."
)
_SWITCH = {"on": True, "yes": True, "true": True, "off": False, "no": False, "false": False}


def user_reference(text: str) -> str | None:
    """The user a mention names: one mention and nothing else, or None."""
    found = _MENTION.fullmatch(text.strip())
    if found is None:
        return None
    return found.group(1) or found.group(2)


def _options(text: str, *, allowed: tuple[str, ...], usage: str) -> tuple[dict[str, str], str]:
    """`key:value` options (`allowed` keys) and the words before the first of them."""
    quoted = [m.span() for m in _QUOTED.finditer(text)]
    # A colon inside a quoted value ("Night: Round 2") is part of it, not an option.
    markers = [m for m in _OPTION.finditer(text) if not any(a < m.start() < b for a, b in quoted)]
    free = (text[: markers[0].start()] if markers else text).strip()
    options: dict[str, str] = {}
    for at, marker in enumerate(markers):
        following = markers[at + 1] if at + 1 < len(markers) else None
        key = marker.group(1).casefold()
        if key not in allowed:
            raise UserError(f"“{clip(marker.group(1), 20)}:” isn't an option here. {usage}")
        if key in options:
            raise UserError(f"{key}: is given twice; give it once.")
        end = following.start() if following else len(text)
        options[key] = _unquoted(text[marker.end() : end].strip())
    return options, _unquoted(free)


def _unquoted(value: str) -> str:
    closing = _QUOTES.get(value[:1])
    if closing and len(value) >= 2 and value.endswith((closing, '"')):
        return value[1:-1].strip()
    return value
