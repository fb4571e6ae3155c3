"""The Slack settings: each mistake stops the start with a message naming what to fix."""

from __future__ import annotations

import pytest

from adapters.slack.config import SlackConfig
from adapters.slack.runtime import SlackRuntime
from bot.config import ConfigError

BOT = "xoxb-1-2-abc"
APP = "xapp-1-A-abc"
SECRET = "signing-secret-value"


def test_http_mode_with_one_workspace() -> None:
    config = SlackConfig.from_env({"SLACK_BOT_TOKEN": BOT, "SLACK_SIGNING_SECRET": SECRET})
    assert not config.socket_mode
    assert not config.oauth
    assert config.port == 3000
    assert config.host == "0.0.0.0"
    assert config.api_base_url is None


def test_socket_mode_needs_no_signing_secret() -> None:
    config = SlackConfig.from_env({"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP})
    assert config.socket_mode


@pytest.mark.parametrize("secret", [None, "", "   "])
def test_http_mode_refuses_to_start_without_a_signing_secret(secret: str | None) -> None:
    env = {"SLACK_BOT_TOKEN": BOT} | (
        {"SLACK_SIGNING_SECRET": secret} if secret is not None else {}
    )
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET is missing or blank"):
        SlackRuntime.from_env(env)


def test_oauth_installs() -> None:
    config = SlackConfig.from_env(
        {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s", "SLACK_SIGNING_SECRET": SECRET}
    )
    assert config.oauth
    assert config.bot_token is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SLACK_SIGNING_SECRET": SECRET}, "SLACK_BOT_TOKEN is missing"),
        (
            {"SLACK_CLIENT_ID": "1.2", "SLACK_SIGNING_SECRET": SECRET},
            "SLACK_CLIENT_SECRET is missing",
        ),
        (
            {"SLACK_CLIENT_SECRET": "s", "SLACK_SIGNING_SECRET": SECRET},
            "SLACK_CLIENT_ID is missing",
        ),
        (
            {"SLACK_BOT_TOKEN": BOT, "SLACK_CLIENT_ID": "1", "SLACK_CLIENT_SECRET": "s"},
            "are both set",
        ),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_APP_TOKEN": APP}, "isn't a bot token"),
        ({"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": "xoxb-nope"}, "isn't an app-level token"),
        ({"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP, "PORT": "http"}, "PORT"),
        ({"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP, "PORT": "70000"}, "PORT"),
        (
            {"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP, "SLACK_API_BASE_URL": "slack"},
            "SLACK_API_BASE_URL",
        ),
        (
            {"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP, "SLACK_MESSAGES_PER_MINUTE": "0"},
            "SLACK_MESSAGES_PER_MINUTE",
        ),
    ],
)
def test_mistakes(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        SlackConfig.from_env(env)
    # A message never repeats a token it refused.
    assert "xoxp-user-token" not in str(caught.value)


def test_the_workspace_budget_for_dms() -> None:
    base = {"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP}
    assert SlackConfig.from_env(base).messages_per_minute == 300
    assert (
        SlackConfig.from_env(base | {"SLACK_MESSAGES_PER_MINUTE": "120"}).messages_per_minute == 120
    )


def test_the_api_base_url_for_tests_and_proxies() -> None:
    config = SlackConfig.from_env(
        {
            "SLACK_BOT_TOKEN": BOT,
            "SLACK_APP_TOKEN": APP,
            "SLACK_API_BASE_URL": "http://127.0.0.1:9/api",
        }
    )
    assert config.api_base_url == "http://127.0.0.1:9/api/"


def test_repr_shows_no_secret() -> None:
    config = SlackConfig.from_env(
        {"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP, "SLACK_SIGNING_SECRET": SECRET}
    )
    assert BOT not in repr(config)
    assert APP not in repr(config)
    assert SECRET not in repr(config)
    assert "socket" in repr(config)
