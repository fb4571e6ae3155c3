"""Settings from the environment, checked once at start."""

from __future__ import annotations

import os
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_DATABASE_TIMEOUT",
    "DEFAULT_DATABASE_URL",
    "LOG_FORMATS",
    "LOG_LEVELS",
    "ConfigError",
    "Settings",
]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///followup.db"
# The longest wait on the database (a statement, a lock, a connection) before a command tells the
# student to try again: far longer than a healthy database takes, short enough that they hear
# back within seconds.
DEFAULT_DATABASE_TIMEOUT = 3.0
# LOG_FORMAT: "text" as always, or "json", one object a line (adapters/logs.py writes both).
LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(Exception):
    """A setting that can't be used; the message names it and says why."""


@dataclass(frozen=True)
class Settings:
    """The core's settings. Each platform reads its own (tokens, limits) in its adapter, so the
    core never holds a platform's secret."""

    database_url: str = DEFAULT_DATABASE_URL
    # DATABASE_TIMEOUT, seconds: the longest wait for the database (see storage.create_engine).
    database_timeout: float = DEFAULT_DATABASE_TIMEOUT
    rulebook_path: str | None = None
    # The draft templates (FOLLOWUP_DRAFTS); the bundled rules/drafts.toml when None.
    drafts_path: str | None = None
    default_timezone: str = "UTC"
    log_level: str = "INFO"
    log_format: str = "text"
    # FOLLOWUP_RETENTION_DAYS, FOLLOWUP_UNINSTALL_GRACE_DAYS (see bot.retention).
    retention_days: int = 365
    uninstall_grace_days: int = 30
    # FOLLOWUP_PUBLIC_URL: where the bot's public HTTP server is reached from the web, for
    # calendar subscriptions (bot.calendar_feed); None: no subscriptions in this deployment.
    public_url: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        settings = cls(
            database_url=get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            database_timeout=_database_timeout(get("DATABASE_TIMEOUT")),
            rulebook_path=get("FOLLOWUP_RULEBOOK"),
            drafts_path=get("FOLLOWUP_DRAFTS"),
            default_timezone=get("FOLLOWUP_DEFAULT_TZ") or "UTC",
            log_level=(get("LOG_LEVEL") or "INFO").upper(),
            log_format=(get("LOG_FORMAT") or "text").lower(),
            retention_days=_days(get, "FOLLOWUP_RETENTION_DAYS", 365),
            uninstall_grace_days=_days(get, "FOLLOWUP_UNINSTALL_GRACE_DAYS", 30),
            public_url=_public_url(get("FOLLOWUP_PUBLIC_URL")),
        )
        settings.default_zone()  # fail at start, not at the first nudge
        if settings.log_level not in LOG_LEVELS:
            raise ConfigError(
                f"LOG_LEVEL: “{settings.log_level}” isn't a log level ({', '.join(LOG_LEVELS)})"
            )
        if settings.log_format not in LOG_FORMATS:
            raise ConfigError(
                f"LOG_FORMAT: “{settings.log_format}” isn't a log format (text or json)"
            )
        return settings

    def default_zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.default_timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"FOLLOWUP_DEFAULT_TZ: “{self.default_timezone}” isn't an IANA time zone "
                "(like America/New_York)"
            ) from None

    def __repr__(self) -> str:
        # The database password never reaches a log or a traceback through repr().
        return (
            f"Settings(database_url={_redact_url(self.database_url)!r}, "
            f"rulebook_path={self.rulebook_path!r}, drafts_path={self.drafts_path!r}, "
            f"default_timezone={self.default_timezone!r})"
        )


def _database_timeout(text: str | None) -> float:
    if text is None:
        return DEFAULT_DATABASE_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = float("nan")  # refused below, like any other that isn't a duration
    if not 0 < seconds <= 600:
        raise ConfigError(
            f"DATABASE_TIMEOUT: “{text}” isn't a number of seconds between 0 and 600 "
            "(like 3, or 2.5)"
        )
    return seconds


def _days(get: Callable[[str], str | None], name: str, default: int) -> int:
    """A number of whole days, at least 1."""
    value = get(name)
    if value is None:
        return default
    if not value.isdigit() or int(value) < 1 or int(value) > 36500:
        raise ConfigError(f"{name}: “{value}” isn't a number of days (a whole number, 1 or more)")
    return int(value)


def _public_url(text: str | None) -> str | None:
    """An http(s) base URL with a host, without its trailing slash."""
    if text is None:
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            f"FOLLOWUP_PUBLIC_URL: “{text[:80]}” isn't the web address of the bot's server "
            "(like https://followups.example.org)"
        )
    return text.rstrip("/")


def _redact_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"
