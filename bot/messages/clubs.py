"""What the bot says about clubs: set up, organizers, refusals. Plain text: adapters escape it,
so a club's name can never become a mention."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain import Club
from bot.formatting import clip
from bot.replies import Reply, Section

__all__ = [
    "CLUB_NAME_LIMIT",
    "club_shown",
    "club_updated",
    "name_too_long",
    "not_a_club",
    "not_in_a_channel",
    "only_organizers",
    "organizer_added",
    "organizer_already",
    "organizer_not_one",
    "organizer_removed",
    "organizers_shown",
    "set_up",
]

# A club's name heads its cards and digests: a channel's name fits, and a line.
CLUB_NAME_LIMIT = 100

ORGANIZER_COMMANDS = (
    "Organizers: /club setup NAME tz:ZONE renames the club or changes its zone · "
    "/club organizers add @someone · /club organizers remove @someone"
)


def not_in_a_channel() -> str:
    return (
        "A club is a shared channel: use /club in the channel your club meets in (not in a DM), "
        "and /club setup there to start one."
    )


def not_a_club() -> str:
    return "This channel isn't a club yet. An organizer can make it one with /club setup."


def only_organizers(club: Club, what: str) -> str:
    return (
        f"Sorry, only the organizers of {clip(club.name, 60)} can {what}. Ask one of them "
        "(/club organizers shows who they are)."
    )


def name_too_long() -> str:
    return f"A club's name can be up to {CLUB_NAME_LIMIT} characters; try a shorter one."


def set_up(club: Club) -> Reply:
    return Reply(
        (
            Section(
                f"This channel is now the club {club.name}, in {club.timezone} time. You "
                "organize it: you can post events, and add organizers.",
                title="Club set up",
            ),
            Section(ORGANIZER_COMMANDS),
        )
    )


def club_updated(club: Club) -> Reply:
    return Reply.text(f"Saved: this channel is the club {club.name}, in {club.timezone} time.")


def club_shown(club: Club, *, organizer: bool) -> Reply:
    you = "You organize it." if organizer else "Organizers post its events here."
    sections = [Section(f"{club.name}, in {club.timezone} time. {you}", title="This club")]
    if organizer:
        sections.append(Section(ORGANIZER_COMMANDS))
    return Reply(tuple(sections))


def organizers_shown(club: Club, founder: str, added: Sequence[str]) -> Reply:
    lines = [f"{founder} (set the club up)", *added, "and the workspace's admins"]
    return Reply((Section("\n".join(lines), title=f"Organizers of {club.name}"),))


def organizer_added(name: str) -> Reply:
    return Reply.text(f"{name} is now an organizer of this club.")


def organizer_already(name: str) -> Reply:
    return Reply.text(f"{name} is an organizer already.")


def organizer_removed(name: str) -> Reply:
    return Reply.text(f"{name} is no longer an organizer of this club.")


def organizer_not_one(name: str, *, founder: bool) -> str:
    if founder:
        return f"{name} set the club up and stays one of its organizers."
    return f"{name} isn't one of this club's added organizers."
