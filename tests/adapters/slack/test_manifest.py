"""The app manifest asks for what the code uses, and no more."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

import adapters.slack
from adapters.slack.config import BOT_SCOPES, EVENTS_PATH, REDIRECT_PATH

MANIFEST = Path(adapters.slack.__file__).parent / "manifest.yml"


def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return loaded


def test_scopes_are_the_minimum_the_bot_asks_for() -> None:
    assert manifest()["oauth_config"]["scopes"] == {"bot": list(BOT_SCOPES)}
    assert set(BOT_SCOPES) == {
        "commands",
        "chat:write",
        "im:write",
        "im:history",
        "users:read",
        "files:write",
    }


def test_commands_interactivity_and_events_all_go_to_the_events_path() -> None:
    app = manifest()
    commands = {c["command"]: c for c in app["features"]["slash_commands"]}
    assert set(commands) == {"/met", "/followups", "/fair", "/club"}
    urls = [c["url"] for c in commands.values()]
    urls += [
        app["settings"]["interactivity"]["request_url"],
        app["settings"]["event_subscriptions"]["request_url"],
    ]
    assert all(url.endswith(EVENTS_PATH) for url in urls)
    assert app["oauth_config"]["redirect_urls"][0].endswith(REDIRECT_PATH)
    assert app["settings"]["interactivity"]["is_enabled"] is True
    assert set(app["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_home_opened",
        "app_uninstalled",
        "tokens_revoked",
    }
    # Text arrives as typed (the adapter reads it as plain text), DMs land in the Messages tab.
    # /club names members (/club organizers add @someone): escaped, a mention arrives as an id.
    assert [name for name, c in commands.items() if c["should_escape"]] == ["/club"]
    assert app["features"]["app_home"]["messages_tab_enabled"] is True
    # The Home tab: the student's follow-ups and settings, published when they open it.
    assert app["features"]["app_home"]["home_tab_enabled"] is True
