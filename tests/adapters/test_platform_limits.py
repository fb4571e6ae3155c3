"""The fake Slack and the fake Discord refuse what the platforms refuse, as they do: a test that
sends too much sees the error a student would."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.testing import FakeSlack
from adapters.slack.testing.payloads import BOT_TOKEN


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def buttons(count: int, *, label: str = "Done", value: str = "done|1|1|") -> dict[str, Any]:
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": f"followup-{n}",
                "text": {"type": "plain_text", "text": label},
                "value": value,
            }
            for n in range(count)
        ],
    }


def select(
    count: int,
    *,
    text: str = "#7 Priya Shah, Acme",
    value: str = "show|17|7|",
    description: str = "email, 2 days left",
    placeholder: str = "7 more follow-ups: pick one",
) -> dict[str, Any]:
    option = {
        "text": {"type": "plain_text", "text": text},
        "value": value,
        "description": {"type": "plain_text", "text": description},
    }
    return {
        "type": "actions",
        "elements": [
            {
                "type": "static_select",
                "action_id": "followup-pick-0",
                "placeholder": {"type": "plain_text", "text": placeholder},
                "options": [option] * count,
            }
        ],
    }


@pytest.mark.parametrize(
    ("blocks", "text"),
    [
        ([select(101)], "Your follow-ups"),
        ([select(0)], "Your follow-ups"),
        ([select(1, text="x" * 76)], "Your follow-ups"),
        ([select(1, value="x" * 151)], "Your follow-ups"),
        ([select(1, description="x" * 76)], "Your follow-ups"),
        ([select(1, placeholder="x" * 151)], "Your follow-ups"),
        ([section("x")] * 51, "Your follow-ups"),
        ([section("x" * 3001)], "Your follow-ups"),
        ([buttons(26)], "Your follow-ups"),
        ([buttons(1, label="x" * 76)], "Your follow-ups"),
        ([buttons(1, value="x" * 2001)], "Your follow-ups"),
        ([{**section("x"), "block_id": "b" * 256}], "Your follow-ups"),
    ],
)
async def test_fake_slack_refuses_messages_over_block_kits_limits(
    blocks: list[dict[str, Any]], text: str
) -> None:
    async with FakeSlack() as slack:
        client = AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url)
        for method in (client.chat_postMessage, client.chat_postEphemeral):
            with pytest.raises(SlackApiError) as refused:
                await method(channel="DSTUDENT", user="USTUDENT", text=text, blocks=blocks)
            assert refused.value.response.data == {"ok": False, "error": "invalid_blocks"}
        with pytest.raises(SlackApiError):
            await client.chat_update(channel="DSTUDENT", ts="1.1", text=text, blocks=blocks)
        async with aiohttp.ClientSession() as session:
            posted = await session.post(slack.response_url(), json={"text": text, "blocks": blocks})
            assert posted.status == 400
        assert len(slack.refused_as_invalid) == 4
        # Just within every limit: taken.
        fine = [section("x" * 3000)] * 47 + [buttons(25, label="x" * 75, value="v" * 2000)]
        fine.append(
            select(100, text="x" * 75, value="v" * 150, description="d" * 75, placeholder="p" * 150)
        )
        await client.chat_postMessage(channel="DSTUDENT", text=text, blocks=fine)


async def test_fake_slack_refuses_text_over_40000_characters_and_homes_over_100_blocks() -> None:
    async with FakeSlack() as slack:
        client = AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url)
        with pytest.raises(SlackApiError) as refused:
            await client.chat_postMessage(channel="DSTUDENT", text="x" * 40001)
        assert refused.value.response["error"] == "msg_too_long"
        home = {"type": "home", "blocks": [section("x")] * 101}
        with pytest.raises(SlackApiError) as refused:
            await client.views_publish(user_id="USTUDENT", view=home)
        assert refused.value.response["error"] == "invalid_blocks"
        assert slack.home_of("USTUDENT") is None
        await client.views_publish(
            user_id="USTUDENT", view={**home, "blocks": home["blocks"][:100]}
        )
        published = slack.home_of("USTUDENT")
        assert published is not None
        assert len(published["blocks"]) == 100


def discord_select(
    *,
    label: str = "#7 Priya Shah, Acme",
    value: str = "fu:show:dm:17:7",
    description: str = "email, 2 days left",
    placeholder: str = "7 more follow-ups: pick one",
    options: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    option = {"label": label, "value": value, "description": description}
    return {
        "type": 3,
        "custom_id": "fu:pick:0",
        "placeholder": placeholder,
        "options": [option] if options is None else options,
    }


@pytest.mark.parametrize(
    "message",
    [
        {"content": "x" * 2001},
        {"embeds": [{"description": "x" * 4097}]},
        {"embeds": [{"description": "x" * 3000}, {"description": "x" * 3001}]},
        {"embeds": [{"description": "x"}] * 11},
        {"embeds": [{"fields": [{"name": "a", "value": "b"}] * 26}]},
        {"components": [{"type": 1, "components": []}] * 6},
        {"components": [{"type": 1, "components": [{"type": 2, "custom_id": "a"}] * 6}]},
        {"components": [{"type": 1, "components": [{"type": 2, "label": "x" * 81}]}]},
        {"components": [{"type": 1, "components": [{"type": 2, "custom_id": "x" * 101}]}]},
        {"components": [{"type": 1, "components": [{"type": 3, "options": [{}] * 26}]}]},
        {"components": [{"type": 1, "components": [discord_select(options=[])]}]},
        {"components": [{"type": 1, "components": [discord_select(label="x" * 101)]}]},
        {"components": [{"type": 1, "components": [discord_select(value="x" * 101)]}]},
        {"components": [{"type": 1, "components": [discord_select(description="x" * 101)]}]},
        {"components": [{"type": 1, "components": [discord_select(placeholder="x" * 151)]}]},
        # A select takes a whole row.
        {"components": [{"type": 1, "components": [discord_select(), {"type": 2}]}]},
    ],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/channels/1/messages"),
        ("PATCH", "/channels/1/messages/2"),
        ("POST", "/webhooks/1/token"),
        ("PATCH", "/webhooks/1/token/messages/@original"),
        ("POST", "/interactions/3/token/callback"),
    ],
)
async def test_fake_discord_refuses_messages_over_its_limits(
    message: dict[str, Any], method: str, path: str
) -> None:
    pytest.importorskip("discord")
    from adapters.discord.testing import FakeDiscordHTTP

    fake = FakeDiscordHTTP()
    body = {"type": 4, "data": message} if path.endswith("/callback") else message
    answer = fake.request(method, f"https://discord.com/api/v10{path}", data=json.dumps(body))
    assert answer.status == 400
    error = json.loads(await answer.text())
    assert (error["code"], error["message"]) == (50035, "Invalid Form Body")
    assert len(fake.refused_as_invalid) == 1
    # What is just within the limits is taken.
    fine = {
        "content": "x" * 2000,
        "embeds": [{"title": "t", "description": "x" * 599}] * 10,
        "components": [
            {"type": 1, "components": [{"type": 2, "label": "x" * 80, "custom_id": "y" * 100}] * 5}
        ]
        * 5,
    }
    fine_select = discord_select(
        label="x" * 100, value="v" * 100, description="d" * 100, placeholder="p" * 150
    )
    fine_select["options"] *= 25
    with_menu = {
        **fine,
        "components": [*fine["components"][:4], {"type": 1, "components": [fine_select]}],
    }
    for taken in (fine, with_menu):
        body = {"type": 4, "data": taken} if path.endswith("/callback") else taken
        answer = fake.request(method, f"https://discord.com/api/v10{path}", data=json.dumps(body))
        assert answer.status != 400
