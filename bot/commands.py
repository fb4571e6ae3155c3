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
from bot.fairs import (
    FAIR_NAME_LIMIT,
    FairError,
    PlannedCompany,
    parse_companies,
    split_fair_name,
)
from bot.formatting import clip
from bot.met import MetInput, clean_text
from bot.replies import Action, ActionKind

__all__ = [
    "SHOWS_ONLY",
    "AddToFair",
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
    "FairForm",
    "ForgetMe",
    "Help",
    "Home",
    "Link",
    "ListFairs",
    "ListFollowUps",
    "MarkDone",
    "Met",
    "MetForm",
    "MoveOnFair",
    "OnFollowUp",
    "PlanFair",
    "RemoveFromFair",
    "ServerZone",
    "ShowFair",
    "ShowFollowUp",
    "ShowSettings",
    "Skip",
    "Snooze",
    "Undo",
    "Unlink",
    "changes_anything",
    "command_for",
    "parse_command",
    "parse_fair",
    "parse_followups",
    "parse_number",
    "plan_from_form",
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
    # The club event a Log who I met button opened the form for (its id): the conversation is
    # that event's, logged in its club, and follows the club's own rules. Typed, `event:#N`.
    at_event: int | None = None


@dataclass(frozen=True)
class MetForm:
    """/met with no text: adapters with forms open one; others show help."""


@dataclass(frozen=True)
class ListFollowUps:
    """/followups [list] [N | all] [KIND] [event:NAME]: page `page` of the student's
    follow-ups (`everything`: all of them), only those of a kind (as typed: "interviews") or
    at an event, if asked. A Next button carries the kind's key and the event's short key
    (`event_key`) instead of its name. `per_page` is the platform's, where it differs."""

    page: int = 1
    everything: bool = False
    kind: str | None = None
    event: str | None = None
    event_key: str | None = None
    per_page: int | None = None


@dataclass(frozen=True)
class Home:
    """A platform's home page for the student (Slack's Home tab): page `page` of their
    follow-ups, as /followups shows it, and their settings."""

    page: int = 1


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
class ShowFollowUp(OnFollowUp):
    """One follow-up with its buttons, as its nudge would show it: a pick from a DM's menu."""


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
    """Delete the conversation last recorded with /met, if that was a few minutes ago and none
    of its follow-ups was marked done or skipped since."""


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


@dataclass(frozen=True)
class PlanFair:
    """/fair plan ["NAME"] COMPANIES [when:DAY]: the student's list for a fair, in order of
    interest; the same name again replaces that fair's list. No name: the next fair already
    planned, or a new one. `when` as typed (the handler knows the student's zone)."""

    name: str
    companies: tuple[PlannedCompany, ...]
    when: str = ""
    # The name was read from text without quotes ("Spring Career Fair Acme, ..."): the reply
    # says how, so a wrong cut is seen.
    name_unquoted: bool = False


@dataclass(frozen=True)
class FairForm:
    """/fair plan with no companies: adapters with forms open the list form; others show how."""


@dataclass(frozen=True)
class ShowFair:
    """/fair [show "NAME"]: a fair's list and what happened there; no name, the most recent.
    `form_if_none`: /fair alone, which opens the form (where there are forms) for a student
    with no list yet."""

    name: str = ""
    form_if_none: bool = False
    page: int = 1


@dataclass(frozen=True)
class ListFairs:
    """/fair list [page:N]: every fair the student planned."""

    page: int = 1


@dataclass(frozen=True)
class AddToFair:
    """/fair add ["FAIR"] COMPANY[:TIER], ...: more companies, at the end of the list."""

    companies: tuple[PlannedCompany, ...]
    fair: str = ""


@dataclass(frozen=True)
class RemoveFromFair:
    """/fair remove ["FAIR"] COMPANY."""

    company: str
    fair: str = ""


@dataclass(frozen=True)
class MoveOnFair:
    """/fair move ["FAIR"] COMPANY N: the company to place N in the order of interest."""

    company: str
    position: int
    fair: str = ""


Command = (
    Met
    | MetForm
    | ListFollowUps
    | Home
    | MarkDone
    | Snooze
    | Skip
    | ShowSettings
    | ChangeSetting
    | Help
    | Draft
    | ShowFollowUp
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
    | PlanFair
    | FairForm
    | ShowFair
    | ListFairs
    | AddToFair
    | RemoveFromFair
    | MoveOnFair
    | ClubCommand
)

# Commands that only show or send something: nothing a list or a home page shows changes.
SHOWS_ONLY: tuple[type, ...] = (
    ListFollowUps,
    Home,
    ShowSettings,
    Help,
    Draft,
    ShowFollowUp,
    Check,
    Export,
    MetForm,
    EditForm,
    Calendar,
    ShowFair,
    ListFairs,
    FairForm,
)


def changes_anything(command: Command) -> bool:
    """Whether `command` may change what the student's list or settings show."""
    return not isinstance(command, SHOWS_ONLY)


_SUBCOMMANDS = (
    "list",
    "done",
    "snooze",
    "skip",
    "draft",
    "show",
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
    if name in ("/fair", "/fairs"):
        return parse_fair(rest)
    if name == "/club":
        return parse_club(rest)
    raise CommandError(
        f"“{clip(name, 40)}” isn't a command I know. Try /met to record a conversation, "
        "/followups for what you owe, /fair for a fair's list, or /club in a club's channel."
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
        return parse_list(text.lstrip()[len(words[0]) :])
    if sub in ("help", "-h", "--help", "?"):
        return Help("followups")
    if sub == "settings":
        if not args:
            return ShowSettings()
        return ChangeSetting(args[0].casefold(), " ".join(args[1:]))
    if sub == "done":
        number = parse_number(args, "done", "/followups done 3")
        # "done 3 via email", "done 3 on linkedin": the little word is no method.
        args = [args[0], *(a for a in args[1:] if a.casefold() not in ("via", "by", "on", "over"))]
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
    if sub == "show":
        number = parse_number(args, "show", "/followups show 3")
        if len(args) > 1:
            raise CommandError(f"Usage: /followups show N, like /followups show {number}.")
        return ShowFollowUp(number)
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


_NAME_QUOTES = '"“”«»„'
_FAIR_SUBCOMMANDS = ("plan", "show", "list", "add", "remove", "move", "help")
_FAIR_WHEN = re.compile(r"(?<!\w)when\s*:\s*", re.IGNORECASE)


def parse_fair(text: str) -> Command:
    """/fair [plan ["NAME"] COMPANIES [when:DAY] | show ["NAME"] | list | add ["FAIR"]
    COMPANIES | remove ["FAIR"] COMPANY | move ["FAIR"] COMPANY N | help]."""
    try:
        return _parse_fair(text)
    except FairError as err:
        raise CommandError(str(err)) from None


def _parse_fair(text: str) -> Command:
    stripped = text.strip()
    if not stripped:
        return ShowFair(form_if_none=True)
    if stripped[0] in _NAME_QUOTES:
        # /fair "Spring Career Fair": that fair's list.
        name, rest = split_fair_name(stripped)
        if rest:
            raise CommandError(f'Usage: /fair show "{clip(name, 40)}" (or /fair plan to edit).')
        return ShowFair(name)
    sub, _, rest = stripped.partition(" ")
    sub, rest = sub.casefold(), rest.strip()
    if sub in ("help", "-h", "--help", "?"):
        return Help("fair")
    if sub in ("list", "ls", "all"):
        page, rest = _page(rest)
        if rest:
            raise CommandError("Usage: /fair list (every fair you planned).")
        return ListFairs(page)
    if sub == "show":
        page, rest = _page(rest)
        name, extra = split_fair_name(rest)
        if name and extra:
            raise CommandError(f'Usage: /fair show "{clip(name, 40)}" (nothing after the name).')
        # A name without quotes is all of it: "/fair show Spring Career Fair".
        return ShowFair(name or clean_text(extra)[:FAIR_NAME_LIMIT], page=page)
    if sub in ("plan", "new"):
        before, when = _split_when(rest)
        name, companies = split_fair_name(before)
        unquoted = False
        if not name:
            name, companies = _unquoted_fair_name(companies)
            unquoted = bool(name)
        if not companies.strip() and not when:
            if name:
                raise CommandError(
                    f'Which companies? Like /fair plan "{clip(name, 40)}" Acme, Globex, Initech.'
                )
            return FairForm()
        return PlanFair(name, parse_companies(companies), when, name_unquoted=unquoted)
    if sub == "add":
        fair, companies = split_fair_name(rest)
        return AddToFair(parse_companies(companies), fair)
    if sub in ("remove", "rm", "delete"):
        fair, company = split_fair_name(rest)
        if not company:
            raise CommandError("Which company? Like /fair remove Hooli.")
        return RemoveFromFair(company, fair)
    if sub == "move":
        fair, args = split_fair_name(rest)
        company, _, place = args.rpartition(" ")
        match = re.fullmatch(r"#?(\d{1,3})", place.strip())
        if not company.strip() or match is None or int(match.group(1)) == 0:
            raise CommandError(
                "Usage: /fair move COMPANY N, like /fair move Initech 1 (1 = first)."
            )
        return MoveOnFair(company.strip(), int(match.group(1)), fair)
    close = get_close_matches(sub, _FAIR_SUBCOMMANDS, n=1)
    hint = f" Did you mean /fair {close[0]}?" if close else ""
    raise CommandError(
        f"“{clip(sub, 40)}” isn't a /fair command.{hint} Try plan, show, list, add, remove, "
        "move or help."
    )


# "Spring Career Fair: Acme, ..." (a colon not before a tier), or the words up to one that
# names a fair: "Spring Career Fair Acme, Globex" is the Spring Career Fair's list.
_NAME_BEFORE_COLON = re.compile(r"\s*([^,:]+?)\s*:(?!\s*\d)(?=\s*\S)\s*")
_FAIR_WORDS = ("fair", "expo")


def _unquoted_fair_name(text: str) -> tuple[str, str]:
    """A fair's name typed without quotes before its companies, and the companies; ("", text)
    when the text doesn't start with one."""
    if match := _NAME_BEFORE_COLON.match(text):
        return clean_text(match.group(1))[:FAIR_NAME_LIMIT], text[match.end() :]
    first, comma, others = text.partition(",")
    words = first.split()
    # From the second word: "Fair Isaac" is a company, "Job Fair" a fair.
    ends = [i for i, word in enumerate(words) if i and word.casefold() in _FAIR_WORDS]
    if not ends:
        return "", text
    # The first: "Job Fair Fair Isaac, Acme" is the Job Fair's list, Fair Isaac on it.
    name, company = " ".join(words[: ends[0] + 1]), " ".join(words[ends[0] + 1 :])
    return clean_text(name)[:FAIR_NAME_LIMIT], f"{company}{comma}{others}"


def plan_from_form(name: str, companies: str, when: str) -> PlanFair:
    """The fair-list form's fields (a name, the companies one a line or between commas, the
    day) as /fair plan. Raises FairError naming the field that is wrong."""
    fair = clean_text(name)
    if len(fair) > FAIR_NAME_LIMIT:
        raise FairError(f"A fair's name is at most {FAIR_NAME_LIMIT} characters.", "name")
    return PlanFair(fair, parse_companies(companies), clean_text(when))


_PAGE = re.compile(r"(?<!\w)page\s*:\s*(\S*)", re.IGNORECASE)


def _page(text: str) -> tuple[int, str]:
    """A long list's page (page:2), and the text without it."""
    match = _PAGE.search(text)
    if match is None:
        return 1, text
    if not re.fullmatch(r"\d{1,3}", match.group(1)) or int(match.group(1)) == 0:
        raise CommandError("page: is a number, like /fair show page:2.")
    return int(match.group(1)), (text[: match.start()] + text[match.end() :]).strip()


def _split_when(text: str) -> tuple[str, str]:
    """The text before `when:` and the day after it ("" when there is none)."""
    parts = _FAIR_WHEN.split(text, maxsplit=1)
    return (parts[0], parts[1].strip()) if len(parts) == 2 else (text, "")


_EVENT_FILTER = re.compile(r"""\bevent:\s*(?:"([^"]*)"?|“([^”]*)”?|(\S+))""", re.IGNORECASE)
# Pages beyond this are no page anyone has; a number this long is a typo.
_MOST_PAGES = 10_000


def parse_list(text: str) -> ListFollowUps:
    """What follows /followups list: a page number or "all", a kind, event:"Spring Fair"."""
    event = None
    match = _EVENT_FILTER.search(text)
    if match:
        event = " ".join(next(g for g in match.groups() if g is not None).split())
        if not event:
            raise CommandError('Which event? Like /followups list event:"Spring Fair".')
        text = text[: match.start()] + " " + text[match.end() :]
    page, everything, kind_words = 1, False, []
    for word in text.split():
        folded = word.casefold()
        if folded.isascii() and folded.isdigit():  # "²" is a digit to Python, no page
            page = int(folded) if len(folded) < 6 else _MOST_PAGES
            if page < 1:
                raise CommandError("Pages count from 1: /followups list 2 shows the second.")
        elif folded == "all":
            everything = True
        else:
            kind_words.append(word)
    kind = " ".join(kind_words) or None
    return ListFollowUps(page=page, everything=everything, kind=kind, event=event)


def command_for(action: Action) -> Command:
    """The command a button stands for, aimed at the follow-up it carries (the core checks
    that the clicker owns it). Adapters encode an `Action` and decode it back, no text between;
    its argument is held to the typed command's rules (CommandError), since a button's value
    comes back from the platform and a hand-made one may carry anything."""
    number, argument, ident = action.number, action.argument, action.follow_up_id
    if action.kind is ActionKind.PAGE:
        # "interview" or "fair1on1Z1A2B3C": a kind's key (no hyphens), the event's short key.
        kind, _, event_key = argument.partition("Z")
        return ListFollowUps(page=max(number, 1), kind=kind or None, event_key=event_key or None)
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
        case ActionKind.SHOW:
            if argument:
                raise CommandError(f"Usage: /followups show N, like /followups show {number}.")
            return ShowFollowUp(number, follow_up_id=ident)
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
