"""Commands in: the text a student types, parsed into dataclasses the services handle.

Adapters with typed options (Discord) build these dataclasses directly; adapters with text
(Slack, the console) call `parse_command`. A `CommandError` carries a friendly message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import get_close_matches

from bot.club_commands import ClubCommand, parse_club
from bot.edits import parse_changes
from bot.errors import UserError
from bot.formatting import clip
from bot.met import MetInput
from bot.replies import Action, ActionKind

__all__ = [
    "Calendar",
    "ChangeSetting",
    "Check",
    "Command",
    "CommandError",
    "Delete",
    "Draft",
    "Edit",
    "EditForm",
    "EditGreeting",
    "Export",
    "ForgetMe",
    "Help",
    "Link",
    "ListFollowUps",
    "MarkDone",
    "Met",
    "MetForm",
    "OnFollowUp",
    "ServerZone",
    "ShowSettings",
    "Skip",
    "Snooze",
    "Undo",
    "Unlink",
    "command_for",
    "parse_command",
    "parse_followups",
    "parse_number",
]


class CommandError(UserError):
    """What the student typed can't be a command; str() says why and shows the right way."""


@dataclass(frozen=True)
class Met:
    """/met as typed (`text`) or as a form's fields (`fields`); `where` is the channel.

    Text is split into fields by the service, which knows the student's zone: an unquoted
    `when:` ends where the words stop reading as a time.
    """

    text: str = ""
    fields: MetInput | None = None
    where: str | None = None


@dataclass(frozen=True)
class MetForm:
    """/met with no text: adapters with forms open one; others show help."""


@dataclass(frozen=True)
class ListFollowUps:
    pass


@dataclass(frozen=True)
class OnFollowUp:
    """A command about one follow-up: the student's #number, or the opaque id a button carries
    (checked against the clicker like a number)."""

    number: int
    follow_up_id: int | None = field(default=None, kw_only=True)


@dataclass(frozen=True)
class MarkDone(OnFollowUp):
    method: str | None = None


@dataclass(frozen=True)
class Snooze(OnFollowUp):
    duration: str


@dataclass(frozen=True)
class Skip(OnFollowUp):
    confirmed: bool = False


@dataclass(frozen=True)
class Draft(OnFollowUp):
    """A draft of the follow-up to copy."""


@dataclass(frozen=True)
class Edit(OnFollowUp):
    """Correct the conversation of follow-up #N: `changes` by /met field name (name, company,
    topics, when, event, priority), as typed."""

    changes: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class EditForm(OnFollowUp):
    """What was recorded for follow-up #N, to correct: the /met form filled in where there are
    forms, the values and how to type a correction elsewhere."""


@dataclass(frozen=True)
class Delete(OnFollowUp):
    """Delete the conversation of follow-up #N, with its follow-ups and nudges; asked to
    confirm first."""

    confirmed: bool = False


@dataclass(frozen=True)
class Undo:
    """Delete the conversation last recorded with /met, if that was a few minutes ago."""


@dataclass(frozen=True)
class ForgetMe:
    """Delete everything the bot keeps about the student; asked to confirm first."""

    confirmed: bool = False


@dataclass(frozen=True)
class Export:
    """The student's conversations and follow-ups as files: a CSV and a calendar (.ics)."""


@dataclass(frozen=True)
class EditGreeting(OnFollowUp):
    """/followups edit N greet:"Dr. Raman": how the draft greets its person; None for the
    usual greeting again."""

    greeting: str | None


@dataclass(frozen=True)
class Calendar:
    """The student's private calendar subscription URL; `reset` gives a new one and stops the
    old one."""

    reset: bool = False


@dataclass(frozen=True)
class Link:
    """Without a code, a code to link this account with the student's other platform; with
    one (as typed), join this account to the student whose code it is."""

    code: str = ""


@dataclass(frozen=True)
class Unlink:
    """Split the student's linked accounts again."""


@dataclass(frozen=True)
class Check:
    """Spelling and grammar of `text`, as typed (spacing kept: doubled spaces are a slip)."""

    text: str


@dataclass(frozen=True)
class ShowSettings:
    """/followups settings: every setting and how to change it."""


@dataclass(frozen=True)
class ChangeSetting:
    """/followups settings NAME VALUE, as typed: the handler knows the names and the values."""

    name: str  # folded: "tz", "quiet" ... or whatever they typed
    value: str


@dataclass(frozen=True)
class ServerZone:
    """Show (empty `value`), set or clear ("off") the workspace's default time zone. Only its
    managers may: the adapter checks that before it builds this command."""

    value: str = ""


@dataclass(frozen=True)
class Help:
    """How to use /met ("met") or /followups ("followups")."""

    topic: str


Command = (
    Met
    | MetForm
    | ListFollowUps
    | MarkDone
    | Snooze
    | Skip
    | ShowSettings
    | ChangeSetting
    | Help
    | Draft
    | EditGreeting
    | Check
    | ServerZone
    | Edit
    | EditForm
    | Delete
    | Undo
    | ForgetMe
    | Export
    | Calendar
    | Link
    | Unlink
    | ClubCommand
)

_SUBCOMMANDS = (
    "list",
    "done",
    "snooze",
    "skip",
    "draft",
    "check",
    "settings",
    "edit",
    "delete",
    "undo",
    "export",
    "calendar",
    "link",
    "unlink",
    "forget-me",
    "help",
)
_CONFIRM = ("confirm", "yes")
_METHODS = {"email": "email", "e-mail": "email", "mail": "email", "linkedin": "linkedin"}


def parse_command(text: str, *, where: str | None = None) -> Command:
    """Parse "/met ..." or "/followups ..." as typed. Raises CommandError."""
    text = text.strip()
    words = text.split(maxsplit=1)
    name, rest = (words[0], words[1] if len(words) > 1 else "") if words else ("", "")
    name = name.casefold()
    if name == "/met":
        return parse_met_command(rest, where=where)
    if name in ("/followups", "/followup", "/fu"):
        return parse_followups(rest)
    if name == "/club":
        return parse_club(rest)
    raise CommandError(
        f"“{clip(name, 40)}” isn't a command I know. Try /met to record a conversation, "
        "/followups to see what you owe, or /club in a club's channel."
    )


def parse_met_command(text: str, *, where: str | None = None) -> Command:
    """/met TEXT: help, a form, or a conversation to record."""
    stripped = text.strip()
    if stripped.casefold() in ("help", "-h", "--help", "?"):
        return Help("met")
    if not stripped:
        return MetForm()
    return Met(text=stripped, where=where)


def parse_followups(text: str) -> Command:
    """/followups [list | done N [method] | snooze N DURATION | skip N | draft N |
    edit N greet:TEXT | check TEXT | settings ... | help]."""
    words = text.split()
    if not words:
        return ListFollowUps()
    sub, args = words[0].casefold(), words[1:]
    if sub in ("list", "ls"):
        return ListFollowUps()
    if sub in ("help", "-h", "--help", "?"):
        return Help("followups")
    if sub == "settings":
        if not args:
            return ShowSettings()
        return ChangeSetting(args[0].casefold(), " ".join(args[1:]))
    if sub == "done":
        number = parse_number(args, "done", "/followups done 3")
        if len(args) > 2:
            raise CommandError(
                "Usage: /followups done N [email|linkedin], like /followups done 3 email."
            )
        method = _method(args[1], number) if len(args) == 2 else None
        return MarkDone(number, method)
    if sub == "snooze":
        number = parse_number(args, "snooze", "/followups snooze 3 2h")
        return Snooze(number, _duration(" ".join(args[1:]), number))
    if sub == "skip":
        number = parse_number(args, "skip", "/followups skip 3")
        if len(args) > 2:
            raise CommandError(_SKIP_USAGE.format(number=number))
        return Skip(number, confirmed=_confirmed(args[1] if len(args) == 2 else "", number))
    if sub == "draft":
        number = parse_number(args, "draft", "/followups draft 3")
        if len(args) > 1:
            raise CommandError(_DRAFT_USAGE.format(number=number))
        return Draft(number)
    if sub in ("edit", "fix", "correct"):
        number = parse_number(args, "edit", "/followups edit 3 company:Acme")
        typed = text.lstrip()[len(words[0]) :].lstrip()[len(args[0]) :]
        if not typed.strip():
            return EditForm(number)
        if typed.strip().casefold().startswith("greet:"):
            return EditGreeting(number, _greeting(text.split(None, 2)[2:], number))
        return Edit(number, tuple(parse_changes(typed, number).items()))
    if sub in ("delete", "remove", "rm"):
        number = parse_number(args, "delete", "/followups delete 3")
        if len(args) > 2 or (len(args) == 2 and args[1].casefold() not in _CONFIRM):
            raise CommandError(f"Usage: /followups delete {number} (then confirm).")
        return Delete(number, confirmed=len(args) == 2)
    if sub == "undo":
        if args:
            raise CommandError("Usage: /followups undo (it takes back your last /met).")
        return Undo()
    if sub in ("forget-me", "forgetme", "forget"):
        if args and (len(args) > 1 or args[0].casefold() not in _CONFIRM):
            raise CommandError("Usage: /followups forget-me (then confirm).")
        return ForgetMe(confirmed=bool(args))
    if sub == "export":
        if args:
            raise CommandError("Usage: /followups export (no options).")
        return Export()
    if sub in ("calendar", "cal", "ical"):
        if args and (len(args) > 1 or args[0].casefold() not in ("reset", "new")):
            raise CommandError(
                "Usage: /followups calendar for your calendar link, or /followups calendar "
                "reset for a new one (the old one stops working)."
            )
        return Calendar(reset=bool(args))
    if sub == "link":
        return Link(" ".join(args))
    if sub == "unlink":
        if args:
            raise CommandError("Usage: /followups unlink (no options).")
        return Unlink()
    if sub in ("check", "proofread", "spellcheck"):
        # The text as typed after the word, so that its spacing can be checked too.
        checked = text.lstrip()[len(words[0]) :].strip()
        if not checked:
            raise CommandError(
                "Check what? Paste your message after the command, like "
                "/followups check Thank you for your time yesterday."
            )
        return Check(checked)
    close = get_close_matches(sub, _SUBCOMMANDS, n=1)
    hint = f" Did you mean /followups {close[0]}?" if close else ""
    raise CommandError(
        f"“{clip(sub, 40)}” isn't a /followups command.{hint} "
        "Try list, done, snooze, skip, draft, check, settings, edit, delete, undo, export, "
        "calendar, link, unlink, forget-me or help."
    )


def command_for(action: Action) -> Command:
    """The command a button stands for, aimed at the follow-up it carries (the core checks
    that the clicker owns it). Adapters encode an `Action` and decode it back, no text between;
    its argument is held to the typed command's rules (CommandError), since a button's value
    comes back from the platform and a hand-made one may carry anything."""
    number, argument, ident = action.number, action.argument, action.follow_up_id
    if number < 1:
        parse_number([str(number)], action.kind, f"/followups {action.kind} 3")
    match action.kind:
        case ActionKind.DONE:
            method = _method(argument, number) if argument else None
            return MarkDone(number, method, follow_up_id=ident)
        case ActionKind.SNOOZE:
            return Snooze(number, _duration(argument, number), follow_up_id=ident)
        case ActionKind.SKIP:
            return Skip(number, confirmed=_confirmed(argument, number), follow_up_id=ident)
        case ActionKind.DRAFT:
            if argument:
                raise CommandError(_DRAFT_USAGE.format(number=number))
            return Draft(number, follow_up_id=ident)
        case ActionKind.EDIT:
            if argument:
                raise CommandError(f"Usage: /followups edit {number} name:... company:...")
            return EditForm(number, follow_up_id=ident)
        case ActionKind.DELETE:
            if argument.casefold() not in _CONFIRM:
                raise CommandError(f"Usage: /followups delete {number} (then confirm).")
            return Delete(number, confirmed=True, follow_up_id=ident)


_SKIP_USAGE = "Usage: /followups skip {number} (add confirm to skip an interview)."
_DRAFT_USAGE = "Usage: /followups draft N, like /followups draft {number}."


_GREET = re.compile(r"greet\s*:\s*(.*)", re.IGNORECASE | re.DOTALL)
_QUOTES = "\"'“”‘’«»„"
_EDIT_USAGE = (
    'Usage: /followups edit {number} greet:"Dr. Raman" changes how the draft greets them; '
    "greet:off goes back to their first name."
)


def _greeting(rest: list[str], number: int) -> str | None:
    """The greeting after greet:, unquoted; None for off (the usual greeting)."""
    found = _GREET.fullmatch(rest[0].strip()) if rest else None
    if found is None:
        raise CommandError(_EDIT_USAGE.format(number=number))
    greeting = found.group(1).strip().strip(_QUOTES).strip()
    if not greeting:
        raise CommandError(_EDIT_USAGE.format(number=number))
    return None if greeting.casefold() in ("off", "none", "reset") else greeting


def _method(word: str, number: int) -> str:
    """The way a follow-up was sent: "email" (or "e-mail", "mail") or "linkedin"."""
    method = _METHODS.get(word.casefold())
    if method is None:
        raise CommandError(
            f"“{clip(word, 40)}” isn't a way to follow up. Say email or linkedin, "
            f"like /followups done {number} email."
        )
    return method


def _duration(words: str, number: int) -> str:
    """How long to snooze, as typed; the handler reads it (it knows the student's zone)."""
    if not words.strip():
        raise CommandError(
            f"Snooze for how long? Like /followups snooze {number} 2h, 30m or tomorrow."
        )
    return words


def _confirmed(word: str, number: int) -> bool:
    """Whether a skip says "confirm" (or "yes"): needed to skip an interview."""
    if word and word.casefold() not in _CONFIRM:
        raise CommandError(_SKIP_USAGE.format(number=number))
    return bool(word)


def parse_number(args: list[str], sub: str, example: str) -> int:
    """The #N a student gives: "3" or "#3"."""
    if not args:
        raise CommandError(
            f"Which follow-up? Give its number, like {example}. /followups lists them."
        )
    match = re.fullmatch(r"#?(\d{1,9})", args[0])
    if not match or int(match.group(1)) == 0:
        raise CommandError(
            f"“{clip(args[0], 40)}” isn't a follow-up number. Numbers are shown by /followups; "
            f"try {example}."
        )
    return int(match.group(1))
