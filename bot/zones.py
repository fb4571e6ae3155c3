"""Time zones as students type them: IANA names, matched without regard to case."""

from __future__ import annotations

import zoneinfo
from difflib import get_close_matches
from functools import cache
from zoneinfo import ZoneInfo

from bot.errors import UserError
from bot.messages import settings as say

__all__ = ["is_zone", "settable_zone_names", "zone_or_error"]

# Zones that are no place ("EST", "CET" are fixed offsets or odd aliases) but still fine to pick.
_PLACELESS_OK = ("UTC", "GMT")


@cache
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


@cache
def settable_zone_names() -> tuple[str, ...]:
    """The zones `settings tz` accepts, sorted: places (Area/City) and UTC, for pickers."""
    return tuple(z for z in _zone_names() if "/" in z or z in _PLACELESS_OK)


# North American zones as people say them. A student in a club says "Eastern" or "EST" and
# means New York's clock, daylight saving included; MST is left out (Arizona keeps it all year).
_SAID = {
    **dict.fromkeys(("eastern", "et", "est", "edt"), "America/New_York"),
    **dict.fromkeys(("central", "ct", "cst", "cdt"), "America/Chicago"),
    **dict.fromkeys(("mountain", "mt", "mdt"), "America/Denver"),
    **dict.fromkeys(("pacific", "pt", "pst", "pdt"), "America/Los_Angeles"),
}


@cache
def _by_city() -> dict[str, str]:
    """Each zone by its city ("berlin": "Europe/Berlin"). A city two names share is an old
    name kept as a link to the new one ("America/Buenos_Aires" for
    "America/Argentina/Buenos_Aires"): the longer name is today's."""
    zones: dict[str, list[str]] = {}
    for zone in settable_zone_names():
        if "/" in zone and not zone.startswith("Etc/"):
            zones.setdefault(zone.rsplit("/", 1)[1].casefold(), []).append(zone)
    chosen = {}
    for city, found in zones.items():
        deepest = max(name.count("/") for name in found)
        today = [name for name in found if name.count("/") == deepest]
        if len(today) == 1:
            chosen[city] = today[0]
    return chosen


def is_zone(name: str) -> bool:
    """Whether `name` is a zone this system knows (as a platform reports it, exactly)."""
    try:
        ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone_or_error(name: str) -> ZoneInfo:
    """The IANA zone `name`, matched without regard to case; UserError with a suggestion."""
    cleaned = name.strip().replace(" ", "_")
    if not cleaned:
        raise UserError(say.zone_missing())
    by_fold = {z.casefold(): z for z in _zone_names()}
    exact = by_fold.get(cleaned.casefold())
    # A city's zone follows daylight saving; a fixed offset would be wrong half the year.
    if exact is not None and ("/" in exact or exact in _PLACELESS_OK):
        return ZoneInfo(exact)
    if exact is not None and exact.casefold() not in _SAID:
        raise UserError(say.fixed_offset_zone(exact))
    # "Berlin", "new york", "Eastern": a city or a zone as people say it, when it names one.
    said = _SAID.get(cleaned.casefold()) or _by_city().get(cleaned.casefold())
    if said is not None:
        return ZoneInfo(said)
    close = get_close_matches(cleaned, _zone_names(), n=1, cutoff=0.6)
    raise UserError(say.unknown_zone(cleaned, close[0] if close else None))
