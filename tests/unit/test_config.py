"""The core's settings from the environment: retention and the uninstall grace."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings


def test_retention_and_grace_default_to_a_year_and_a_month() -> None:
    settings = Settings.from_env({})
    assert (settings.retention_days, settings.uninstall_grace_days) == (365, 30)


def test_retention_and_grace_are_read_in_days() -> None:
    settings = Settings.from_env(
        {"FOLLOWUP_RETENTION_DAYS": " 90 ", "FOLLOWUP_UNINSTALL_GRACE_DAYS": "7"}
    )
    assert (settings.retention_days, settings.uninstall_grace_days) == (90, 7)


@pytest.mark.parametrize("value", ["0", "-5", "a year", "1.5", "99999999"])
@pytest.mark.parametrize("name", ["FOLLOWUP_RETENTION_DAYS", "FOLLOWUP_UNINSTALL_GRACE_DAYS"])
def test_a_number_of_days_that_cant_be_used_is_refused_by_name(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"{name}: “{value}” isn't a number of days"):
        Settings.from_env({name: value})


def test_the_public_url_is_kept_without_its_trailing_slash() -> None:
    assert Settings.from_env({}).public_url is None
    settings = Settings.from_env({"FOLLOWUP_PUBLIC_URL": " https://followups.example.org/ "})
    assert settings.public_url == "https://followups.example.org"
    behind_a_path = Settings.from_env({"FOLLOWUP_PUBLIC_URL": "https://example.org/bot"})
    assert behind_a_path.public_url == "https://example.org/bot"


@pytest.mark.parametrize(
    "value",
    ["followups.example.org", "ftp://example.org", "https://", "https://example.org/?a=1", "/x"],
)
def test_a_public_url_that_cant_be_used_is_refused(value: str) -> None:
    with pytest.raises(ConfigError, match=r"FOLLOWUP_PUBLIC_URL: .* isn't the web address"):
        Settings.from_env({"FOLLOWUP_PUBLIC_URL": value})
