"""A fake Slack on 127.0.0.1, for tests and for trying the adapter without a workspace:
`FakeSlack` (the Web API, response_url, OAuth and Socket Mode), and requests as Slack signs and
sends them (`signed_headers`, `command_body`, `interaction_body`, `event_body`).
"""

from __future__ import annotations

from .fake_slack import Call, FakeSlack, Scripted, SlackLimits, hang, rate_limited, slack_error
from .payloads import (
    APP_TOKEN,
    BOT_TOKEN,
    TEAM,
    block_actions_payload,
    command_body,
    event_body,
    home_actions_payload,
    home_opened_event,
    interaction_body,
    select_actions_payload,
    signed_headers,
    view_submission_payload,
)

__all__ = [
    "APP_TOKEN",
    "BOT_TOKEN",
    "TEAM",
    "Call",
    "FakeSlack",
    "Scripted",
    "SlackLimits",
    "block_actions_payload",
    "command_body",
    "event_body",
    "hang",
    "home_actions_payload",
    "home_opened_event",
    "interaction_body",
    "rate_limited",
    "select_actions_payload",
    "signed_headers",
    "slack_error",
    "view_submission_payload",
]
