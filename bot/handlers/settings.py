"""/followups settings: show them, or change one (and re-place the nudges it moves)."""

from __future__ import annotations

import re
from datetime import time
from difflib import get_close_matches
from typing import TypeVar

from bot.commands import ChangeSetting, ShowSettings
from bot.domain import NAME_LIMIT, JobStatus, LinkedInPlan
from bot.errors import UserError
from bot.handlers import accounts
from bot.handlers.context import Context
from bot.messages import settings as say
from bot.met import clean_text
from bot.replies import Reply
from bot.zones import zone_or_error
from rules.engine import QuietHours

__all__ = ["change_setting", "show_settings"]

# Other words students use for a setting.
_SETTING_ALIASES = {
    "timezone": "tz",
    "zone": "tz",
    "time-zone": "tz",
    "quiet-hours": "quiet",
    "nudge": "nudges",
    "reminders": "nudges",
    "shoutout": "shoutouts",
    "shout-outs": "shoutouts",
    "digests": "digest",
}
_OFF = ("off", "none", "no")


async def show_settings(command: ShowSettings, ctx: Context) -> Reply:
    return say.settings_reply(
        ctx.person, zone=ctx.zone, rulebook=ctx.rulebook, accounts=await _platforms(ctx)
    )


async def _platforms(ctx: Context) -> list[str]:
    """The platforms of the student's accounts, the one their reminders go to first."""
    linked = await ctx.uow.accounts.linked_to(ctx.person_id)
    return [ctx.person.address.platform, *(a.address.platform for a in linked)]


async def change_setting(command: ChangeSetting, ctx: Context) -> Reply:
    person, value = ctx.person, command.value.strip()
    folded = value.casefold()
    # Zone, quiet hours, nudges and job status all move nudges; a plan or a name doesn't.
    replan = True
    match _SETTING_ALIASES.get(command.name, command.name):
        case "tz":
            person.timezone = zone_or_error(value).key
            saved = say.saved_zone(person.timezone)
        case "quiet":
            if folded in _OFF:
                person.quiet_hours = None
            else:
                try:
                    person.quiet_hours = QuietHours.parse(value)
                except ValueError as err:
                    raise UserError(str(err)) from None
                _digest_outside(person.digest_at, person.quiet_hours)
            saved = say.saved_quiet(person.quiet_hours)
        case "digest":
            person.digest_at = _digest(folded, person.quiet_hours)
            saved = say.saved_digest(person.digest_at)
        case "nudges":
            person.nudges_on = _on_off(folded, "nudges")
            saved = say.saved_nudges(person.nudges_on)
        case "job":
            person.job_status = _choice(folded, JobStatus, "job")
            saved = say.saved_job(person.job_status, person.job_status is JobStatus.ACCEPTED)
        case "linkedin":
            person.linkedin_plan = _choice(folded, LinkedInPlan, "linkedin")
            saved = say.saved_linkedin(person.linkedin_plan)
            replan = False
        case "dm":
            # Where reminders go: it moves the student's list to that account (accounts.py).
            return await accounts.deliver_on(value, ctx)
        case "shoutouts":
            person.shoutouts = _on_off(folded, "shoutouts")
            saved = say.saved_shoutouts(person.shoutouts)
            replan = False
        case "name":
            name = clean_text(value)
            if not name:
                raise UserError(say.name_missing())
            if len(name) > NAME_LIMIT:
                raise UserError(say.name_too_long(NAME_LIMIT))
            person.name = name
            saved = say.saved_name(name)
            replan = False
        case other:
            names = dict(_SETTING_ALIASES) | {key: key for key in say.SETTING_NAMES}
            close = get_close_matches(other, list(names), n=1)
            raise UserError(say.not_a_setting(other, names[close[0]] if close else None))
    await ctx.uow.people.update(person)
    if replan:
        await ctx.planner.replan_all(person)
    return say.settings_reply(
        person, zone=ctx.zone, rulebook=ctx.rulebook, saved=saved, accounts=await _platforms(ctx)
    )


def _digest(value: str, quiet: QuietHours | None) -> time | None:
    """ "daily 18:00" (or "18:00", "6pm"): the local time of the daily digest; "off": none."""
    if value in _OFF:
        return None
    match = re.fullmatch(r"(?:daily\s+(?:at\s+)?)?(\d{1,2})(?::(\d{2}))?\s*(am|pm)?", value)
    hour, minute = (int(match[1]), int(match[2] or 0)) if match else (99, 0)
    if match and match[3]:
        hour = hour % 12 + (12 if match[3] == "pm" else 0) if 1 <= hour <= 12 else 99
    if hour > 23 or minute > 59:
        raise UserError(say.digest_expected())
    at = time(hour, minute)
    _digest_outside(at, quiet)
    return at


def _digest_outside(at: time | None, quiet: QuietHours | None) -> None:
    """A digest in quiet hours would wait for their end: the student is asked to choose."""
    if at is not None and quiet is not None and quiet.contains_wall(at):
        raise UserError(say.digest_in_quiet_hours(at, quiet))


def _on_off(value: str, name: str) -> bool:
    if value in ("on", "yes", "true", "enable", "enabled"):
        return True
    if value in ("off", "no", "false", "disable", "disabled"):
        return False
    raise UserError(say.on_off_expected(name))


_Choice = TypeVar("_Choice", JobStatus, LinkedInPlan)


def _choice(value: str, enum_type: type[_Choice], name: str) -> _Choice:
    allowed = [member.value for member in enum_type]
    if value not in allowed:
        raise UserError(say.choice_expected(name, allowed))
    return enum_type(value)
