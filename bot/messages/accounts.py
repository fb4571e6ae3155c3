"""The words of /followups link and unlink, and of settings dm."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.replies import Reply

__all__ = [
    "all_linked",
    "already_linked",
    "code_given",
    "dm_already",
    "dm_moved",
    "dm_not_linked",
    "dm_usage",
    "linked",
    "not_a_code",
    "not_linked",
    "own_code",
    "paused",
    "same_platform",
    "unlinked",
    "wrong_code",
]

PLATFORMS = {"slack": "Slack", "discord": "Discord", "console": "the console"}


def platform_name(platform: str) -> str:
    return PLATFORMS.get(platform, platform)


def code_given(code: str, others: Sequence[str], lifetime: timedelta) -> Reply:
    where = " or ".join(platform_name(p) for p in others) or "your other platform"
    minutes = int(lifetime.total_seconds() // 60)
    return Reply.text(
        f"Your link code: {code}",
        f"Within {minutes} minutes, type /followups link {code} on {where}, as yourself: your "
        "two accounts then share one list of follow-ups and one set of settings. The code "
        "works once; keep it to yourself.",
    )


def not_a_code(typed: str) -> str:
    return (
        f"“{typed[:20]}” isn't a link code. A code is 8 letters and digits, like ABCD-EF23: "
        "/followups link on your other platform gives one."
    )


def wrong_code(*, expired: bool, tries_left: int, pause: timedelta) -> Reply:
    why = (
        "That code has expired (codes last 10 minutes)."
        if expired
        else "That code isn't right, or it was used already."
    )
    if tries_left <= 0:
        minutes = int(pause.total_seconds() // 60)
        after = f"Too many wrong codes: wait {minutes} minutes before you try again."
    else:
        after = "Check it, or get a new one with /followups link on your other platform."
    return Reply.error(f"{why} {after}")


def paused(wait: timedelta) -> Reply:
    minutes = max(1, -(-int(wait.total_seconds()) // 60))
    return Reply.error(
        f"Too many wrong codes: try again in {minutes} minute{'s' if minutes != 1 else ''}."
    )


def all_linked() -> str:
    return "Your Slack and Discord accounts are linked already: one list on both."


def own_code() -> str:
    return (
        "That code is your own: type it on your other platform (Slack or Discord), as "
        "yourself there."
    )


def already_linked() -> str:
    return (
        "This account is linked already. /followups unlink first if you want to link it to "
        "another one."
    )


def same_platform(platform: str) -> str:
    return (
        f"You can link one Slack account and one Discord account: this code is for a student "
        f"who has a {platform_name(platform)} account already."
    )


def linked(
    dm_platform: str,
    platforms: Sequence[str],
    renumbered: Sequence[tuple[int, int]],
    *,
    calendar_ended: bool = False,
    calendar_kept: bool = False,
) -> Reply:
    joined = " and ".join(platform_name(p) for p in platforms)
    paragraphs = [
        f"Linked: {joined} now share one list of follow-ups and one set of settings. "
        f"Reminders come on {platform_name(dm_platform)}; /followups settings dm slack or "
        "discord moves them."
    ]
    if renumbered:
        moved = ", ".join(f"#{old} is now #{new}" for old, new in renumbered)
        paragraphs.append(f"Your follow-ups from this account joined the list: {moved}.")
    if calendar_ended:
        # Said, since a calendar app would otherwise just stop updating without a word.
        paragraphs.append(
            "This account's calendar link has stopped working: "
            + (
                "subscribe to the one you already have on your other account, which now shows "
                "everything."
                if calendar_kept
                else "/followups calendar gives a new one for your whole list."
            )
        )
    paragraphs.append("/followups unlink splits them again.")
    return Reply.text(*paragraphs)


def not_linked() -> str:
    return "Your accounts aren't linked. /followups link gives a code to link them."


def unlinked(kept_on: str, others: Sequence[str]) -> Reply:
    names = " and ".join(platform_name(p) for p in others)
    return Reply.text(
        f"Unlinked. Your follow-ups and settings stay with {platform_name(kept_on)}, where your "
        f"reminders go; {names} starts again with an empty list."
    )


def dm_usage() -> str:
    return "Usage: /followups settings dm slack or /followups settings dm discord."


def dm_already(platform: str) -> Reply:
    return Reply.text(f"Your reminders come on {platform_name(platform)} already.")


def dm_not_linked(platform: str) -> str:
    return (
        f"You have no {platform_name(platform)} account linked. /followups link gives a code "
        f"to type there."
    )


def dm_moved(platform: str) -> Reply:
    return Reply.text(f"Saved: your reminders come on {platform_name(platform)} from now on.")
