"""/club as typed: a channel's club set up, its organizers, and the events it posts.

Adapters with typed options (Discord) build these dataclasses directly; Slack and the console
type them (`parse_club`). Values are `key:value` or `key:"a quoted value"`, like /met's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import get_close_matches

from bot.errors import UserError
from bot.formatting import clip

__all__ = [
    "CLUB_COMMANDS",
    "ClubOrganizers",
    "ClubSetup",
    "ShowClub",
    "parse_club",
    "user_reference",
]


@dataclass(frozen=True)
class ShowClub:
    """/club: the channel's club and what its organizers can do."""


@dataclass(frozen=True)
class ClubSetup:
    """/club setup [NAME] [tz:ZONE]: make the channel a club, or rename it or change its zone.
    Without a name, the channel's; without a zone, the asker's."""

    name: str = ""
    zone: str = ""


@dataclass(frozen=True)
class ClubOrganizers:
    """/club organizers [add|remove @someone]: `user` is the platform's id of whom."""

    change: str = "list"  # "list", "add" or "remove"
    user: str = ""


CLUB_COMMANDS = (ShowClub, ClubSetup, ClubOrganizers)

_SUBCOMMANDS = ("setup", "organizers", "help")
_OPTION = re.compile(r"(?<![\w:])([A-Za-z]+)\s*:\s*")
_QUOTES = {'"': '"', "“": "”", "'": "'", "«": "»"}
# <@U123|name> (Slack), <@123> or <@!123> (Discord), @alice (the console's names).
_MENTION = re.compile(r"<@!?([A-Za-z0-9]{1,32})(?:\|[^>]{0,100})?>|@([A-Za-z0-9_.-]{1,32})")
_ORGANIZERS_USAGE = (
    "Usage: /club organizers to see them, /club organizers add @someone or "
    "/club organizers remove @someone."
)


def parse_club(text: str) -> ShowClub | ClubSetup | ClubOrganizers:
    """/club [setup ... | organizers ... | help]. Raises UserError."""
    words = text.split(maxsplit=1)
    if not words:
        return ShowClub()
    sub, rest = words[0].casefold(), words[1] if len(words) > 1 else ""
    if sub in ("help", "-h", "--help", "?"):
        return ShowClub()
    if sub == "setup":
        options, name = _options(rest, allowed=("tz",), usage=_SETUP_USAGE)
        return ClubSetup(name=name, zone=options.get("tz", ""))
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
    close = get_close_matches(sub, _SUBCOMMANDS, n=1)
    hint = f" Did you mean /club {close[0]}?" if close else ""
    raise UserError(f"“{clip(sub, 40)}” isn't a /club command.{hint} Try setup or organizers.")


_SETUP_USAGE = "Usage: /club setup Career Club tz:America/New_York (both optional)."


def user_reference(text: str) -> str | None:
    """The user a mention names: one mention and nothing else, or None."""
    found = _MENTION.fullmatch(text.strip())
    if found is None:
        return None
    return found.group(1) or found.group(2)


def _options(text: str, *, allowed: tuple[str, ...], usage: str) -> tuple[dict[str, str], str]:
    """`key:value` options (`allowed` keys) and the words before the first of them."""
    markers = list(_OPTION.finditer(text))
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
