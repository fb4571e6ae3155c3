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


# Cities students name whose zone is called after another city (the zone database names a
# zone by its most populous city when it was made).
_CITIES = {
    **dict.fromkeys(("mumbai", "bombay", "delhi", "new delhi", "bangalore", "bengaluru",
                     "hyderabad", "chennai", "pune", "india"), "Asia/Kolkata"),
    **dict.fromkeys(("beijing", "shenzhen", "guangzhou", "china"), "Asia/Shanghai"),
    **dict.fromkeys(("san francisco", "sf", "seattle", "san diego", "san jose", "portland",
                     "la", "california"), "America/Los_Angeles"),
    **dict.fromkeys(("boston", "washington", "dc", "washington dc", "atlanta", "miami",
                     "philadelphia", "pittsburgh", "nyc", "ny", "baltimore"), "America/New_York"),
    **dict.fromkeys(("houston", "dallas", "austin", "minneapolis", "st louis", "nashville",
                     "new orleans"), "America/Chicago"),
    **dict.fromkeys(("salt lake city", "albuquerque"), "America/Denver"),
    **dict.fromkeys(("montreal", "ottawa"), "America/Toronto"),
    **dict.fromkeys(("munich", "frankfurt", "hamburg", "cologne"), "Europe/Berlin"),
    **dict.fromkeys(("barcelona", "valencia"), "Europe/Madrid"),
    **dict.fromkeys(("milan", "florence", "naples"), "Europe/Rome"),
    **dict.fromkeys(("manchester", "edinburgh", "uk"), "Europe/London"),
    **dict.fromkeys(("geneva",), "Europe/Zurich"),
    **dict.fromkeys(("osaka", "kyoto", "japan"), "Asia/Tokyo"),
    **dict.fromkeys(("rio de janeiro", "rio"), "America/Sao_Paulo"),
}  # fmt: skip

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
    spoken = " ".join(name.replace("_", " ").replace(".", "").replace(",", " ").split()).casefold()
    said = _SAID.get(spoken) or _CITIES.get(spoken) or _by_city().get(cleaned.casefold())
    if said is not None:
        return ZoneInfo(said)
    if "/" in cleaned:
        close = get_close_matches(cleaned, _zone_names(), n=1, cutoff=0.6)
        raise UserError(say.unknown_zone(name.strip(), close[0] if close else None))
    # A city misspelt ("Mumbay"): the zone of the city it is closest to.
    cities = {**{city.replace("_", " "): zone for city, zone in _by_city().items()}, **_CITIES}
    near = get_close_matches(spoken, list(cities), n=1, cutoff=0.75)
    raise UserError(say.unknown_zone(name.strip(), cities[near[0]] if near else None))
