"""Settings and time zones: the student's settings, a workspace's default zone, and the
notices that come with any reply (DMs closed, how to set a zone)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import time
from zoneinfo import ZoneInfo

from bot.domain import Person
from bot.formatting import clip
from bot.linking import LINKABLE
from bot.messages.accounts import platform_name
from bot.messages.words import note_limit
from bot.replies import Notice, NoticeKind, Reply, Section
from rules.engine import QuietHours, Rulebook

__all__ = [
    "SETTING_NAMES",
    "choice_expected",
    "digest_expected",
    "digest_in_quiet_hours",
    "dms_closed",
    "fixed_offset_zone",
    "name_missing",
    "name_too_long",
    "not_a_setting",
    "on_off_expected",
    "saved_digest",
    "saved_job",
    "saved_linkedin",
    "saved_name",
    "saved_nudges",
    "saved_quiet",
    "saved_shoutouts",
    "saved_zone",
    "settings_reply",
    "unknown_zone",
    "workspace_zone_cleared",
    "workspace_zone_set",
    "workspace_zone_shown",
    "zone_hint",
    "zone_missing",
]

# The settings, as /followups settings NAME VALUE takes them.
SETTING_NAMES = ("tz", "quiet", "nudges", "digest", "job", "linkedin", "name", "shoutouts")


def settings_reply(
    person: Person,
    *,
    zone: ZoneInfo,
    rulebook: Rulebook,
    saved: str = "",
    accounts: Sequence[str] = (),
) -> Reply:
    """/followups settings: every setting, and how to change it. `accounts`: the platforms of
    the student's accounts, the one their reminders go to first."""
    quiet = str(person.quiet_hours) if person.quiet_hours else "off"
    zone_note = "" if person.timezone else " (default; set yours)"
    notes = f" (LinkedIn notes up to {note_limit(person, rulebook)} characters)"
    lines = [
        f"Time zone: {zone.key}{zone_note}",
        f"Quiet hours: {quiet}",
        f"Nudges: {'on' if person.nudges_on else 'off'}",
        f"Digest: {_digest_words(person.digest_at)}",
        f"Job status: {person.job_status}",
        f"LinkedIn: {person.linkedin_plan}{notes}",
        f"Name: {person.name or 'not set'}",
        f"Shout-outs in club digests: {'on' if person.shoutouts else 'off'}",
    ]
    if len(accounts) > 1:
        joined = " and ".join(platform_name(p) for p in accounts)
        lines.append(
            f"Accounts: {joined} share this list; reminders come on {platform_name(accounts[0])}"
        )
    elif accounts and accounts[0] in LINKABLE:
        other = " or ".join(platform_name(p) for p in LINKABLE if p != accounts[0])
        lines.append(f"Accounts: {platform_name(accounts[0])} only (/followups link joins {other})")
    change = (
        "Change one: /followups settings tz Europe/Berlin · quiet 22:00-08:00 (or off) · "
        "nudges on|off · digest daily 18:00 (or off) · job searching|accepted · "
        "linkedin free|premium · name Alex Kim · shoutouts on|off (your name, never your "
        "contacts, when you follow up on time)"
    )
    sections = [Section("\n".join(lines), title="Your settings"), Section(change)]
    if saved:
        sections.insert(0, Section(saved))
    return Reply(tuple(sections))


# -- a setting saved -------------------------------------------------------------------------


def saved_zone(zone: str) -> str:
    return f"Time zone set to {zone}."


def saved_quiet(quiet: QuietHours | None) -> str:
    if quiet is None:
        return "Quiet hours off: nudges may come at any hour."
    return f"Quiet hours set to {quiet}."


def _digest_words(at: time | None) -> str:
    if at is None:
        return "off (each nudge on time)"
    return f"daily at {at:%H:%M} (last calls for interviews and calls still on time)"


def saved_digest(at: time | None) -> str:
    if at is None:
        return "Digest off: each nudge comes on time."
    return (
        f"Digest set to {at:%H:%M} daily: your nudges wait for it, except the last calls for "
        "interviews and calls, which always come on time, and any that would miss a deadline."
    )


def digest_expected() -> str:
    return "When should the digest come? Like /followups settings digest daily 18:00 (or off)."


def digest_in_quiet_hours(at: time, quiet: QuietHours) -> str:
    return (
        f"{at:%H:%M} is in your quiet hours ({quiet}): choose a digest time outside them, or "
        "change your quiet hours first."
    )


def saved_nudges(on: bool) -> str:
    return f"Nudges {'on' if on else 'off'}."


def saved_shoutouts(on: bool) -> str:
    if on:
        return (
            "Shout-outs on: a club's digest may thank you by name when you follow up on time "
            "(your name only, never your contacts)."
        )
    return "Shout-outs off: club digests never name you."


def saved_job(status: str, accepted: bool) -> str:
    saved = f"Job status: {status}."
    return saved + " Congratulations! I'll stop nudging you about events." if accepted else saved


def saved_linkedin(plan: str) -> str:
    return f"LinkedIn plan: {plan}."


def saved_name(name: str) -> str:
    return f"Name set to {name}."


# -- a setting that can't be -----------------------------------------------------------------


def name_missing() -> str:
    return "Which name? Like /followups settings name Alex Kim."


def name_too_long(limit: int) -> str:
    return f"That name is too long (at most {limit} characters)."


def on_off_expected(name: str) -> str:
    return f"{name} is on or off, like /followups settings {name} off."


def choice_expected(name: str, allowed: Iterable[str]) -> str:
    options = sorted(allowed)
    return f"{name} is {' or '.join(options)}, like /followups settings {name} {options[0]}."


def not_a_setting(typed: str, suggestion: str | None) -> str:
    hint = f" Did you mean {suggestion}?" if suggestion else ""
    return (
        f"“{clip(typed, 30)}” isn't a setting.{hint} Settings: {', '.join(SETTING_NAMES)}; "
        "/followups settings shows them."
    )


# -- time zones ------------------------------------------------------------------------------


def zone_missing() -> str:
    return "Which time zone? Like /followups settings tz Europe/Berlin."


def fixed_offset_zone(name: str) -> str:
    return (
        f"“{name}” doesn't follow daylight saving the way a place does. Use your city's "
        "zone, like America/New_York, Europe/Berlin or Asia/Kolkata (or UTC)."
    )


def unknown_zone(typed: str, suggestion: str | None) -> str:
    hint = f" Did you mean {suggestion}?" if suggestion else ""
    return (
        f"“{clip(typed, 40)}” isn't a time zone I know.{hint} Use a name like America/New_York or "
        "Europe/Berlin."
    )


# -- a workspace's default zone (/server-tz) -------------------------------------------------


def workspace_zone_shown(current: str | None, default_zone: ZoneInfo) -> Reply:
    if current:
        return Reply.text(
            f"This server's default time zone is {current}. Members who haven't set "
            "their own see times in it. Change it with /server-tz zone:Europe/Berlin, "
            "or clear it with /server-tz zone:off."
        )
    return Reply.text(
        "This server has no default time zone: members who haven't set theirs see "
        f"times in {default_zone.key}. Set one with /server-tz zone:Europe/Berlin."
    )


def workspace_zone_cleared(default_zone: ZoneInfo) -> Reply:
    return Reply.text(
        "This server's default time zone is cleared. Members who haven't set their "
        f"own see times in {default_zone.key}."
    )


def workspace_zone_set(zone: str) -> Reply:
    return Reply.text(
        f"This server's default time zone is now {zone}. Members who haven't set their own "
        "see times in it from their next command; anyone can still choose theirs with "
        "/followups settings tz."
    )


# -- notices ---------------------------------------------------------------------------------


def dms_closed(reason: str) -> Notice:
    """The person's DMs failed (`reason`); told once, when they next use a command."""
    return Notice(
        NoticeKind.DMS_CLOSED,
        Section(
            f"I couldn't send you a DM ({reason}), so your reminders stopped. Allow direct "
            "messages from this app, and I'll nudge you again from now on.",
            title="Your DMs are closed",
        ),
    )


def zone_hint(platform: str, workspace_zone: str | None, default_zone: ZoneInfo) -> Notice:
    """Once, to someone whose platform (`platform`: "discord") doesn't share their zone: which
    zone the bot uses for them, and how to set theirs."""
    if workspace_zone:
        text = (
            f"I show times in {workspace_zone}, this server's time zone. If you live "
            "elsewhere, set yours with /followups settings tz (start typing your city)."
        )
    else:
        text = (
            f"{platform.capitalize()} doesn't tell bots your time zone, so I'm using "
            f"{default_zone.key} for now. Set yours so nudges come at sensible "
            "hours: /followups settings tz (start typing your city)."
        )
    return Notice(NoticeKind.ZONE_HINT, Section(text, title="Your time zone"))
