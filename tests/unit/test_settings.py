"""The core's settings from the environment: the database's timeout."""

from __future__ import annotations

import pytest

from bot.config import DEFAULT_DATABASE_TIMEOUT, ConfigError, Settings


def test_the_database_timeout_is_a_few_seconds_unless_set() -> None:
    assert Settings.from_env({}).database_timeout == DEFAULT_DATABASE_TIMEOUT == 3.0
    assert Settings.from_env({"DATABASE_TIMEOUT": " 2.5 "}).database_timeout == 2.5


@pytest.mark.parametrize("typed", ["0", "-1", "soon", "5s", "nan", "inf", "601"])
def test_a_database_timeout_that_isnt_one_is_refused_by_name(typed: str) -> None:
    with pytest.raises(
        ConfigError, match=f"^DATABASE_TIMEOUT: “{typed}” isn't a number of seconds"
    ):
        Settings.from_env({"DATABASE_TIMEOUT": typed})
