"""Interactions as the gateway sends them: `InteractionFactory` builds INTERACTION_CREATE
payloads (slash commands, autocomplete, button clicks, form submissions) for a user in a server
or in a DM, and `deliver(client, payload)` hands one to discord.py exactly as the gateway would
and waits until the bot has answered it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Mapping
from typing import Any

import discord
from discord.gateway import DiscordWebSocket

from .wire import APPLICATION_ID, ATTACHMENT_URL, CHANNEL_ID, GUILD_ID, TIMESTAMP, user_payload

__all__ = ["InteractionFactory", "deliver"]


class InteractionFactory:
    """INTERACTION_CREATE payloads, as Discord sends them, for `tree`'s commands."""

    def __init__(self) -> None:
        self._ids = itertools.count(950000000000000001)

    def _base(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        user_id: int,
        name: str,
        guild_id: int | None,
        channel_id: int = CHANNEL_ID,
        user_install: bool = False,
        permissions: discord.Permissions | None = None,
    ) -> dict[str, Any]:
        interaction_id = next(self._ids)
        user = user_payload(user_id, name)
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(APPLICATION_ID),
            "type": kind,
            "token": f"interaction-token-{interaction_id}",
            "version": 1,
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": 8 * 1024 * 1024,
            "app_permissions": str(discord.Permissions.text().value),
            "data": data,
        }
        if guild_id is not None:
            payload |= {
                "guild_id": str(guild_id),
                "guild": {"id": str(guild_id), "locale": "en-US", "features": []},
                "guild_locale": "en-US",
                "channel_id": str(channel_id),
                "channel": {
                    "id": str(channel_id),
                    "type": 0,
                    "guild_id": str(guild_id),
                    "name": "career-club",
                    "position": 0,
                    "permission_overwrites": [],
                    "nsfw": False,
                    "parent_id": None,
                },
                "member": {
                    "user": user,
                    "nick": None,
                    "roles": [],
                    "joined_at": TIMESTAMP,
                    "deaf": False,
                    "mute": False,
                    "flags": 0,
                    "permissions": str((permissions or discord.Permissions.text()).value),
                },
                "authorizing_integration_owners": {"0": str(guild_id)},
                "context": 0,
            }
        else:
            payload |= {
                "channel_id": str(channel_id),
                "channel": {"id": str(channel_id), "type": 1, "recipients": [user]},
                "user": user,
                "authorizing_integration_owners": {"0": str(guild_id or 0)},
                "context": 1,
            }
        if user_install:
            # Through the user's own install of the app: the user authorized it, no server did
            # (in a server without the bot, context 0; elsewhere a group DM, context 2).
            payload["authorizing_integration_owners"] = {"1": str(user_id)}
            payload["context"] = 0 if guild_id is not None else 2
        return payload

    def command(
        self,
        path: str,
        options: Mapping[str, str | int | bool] | None = None,
        *,
        user_id: int,
        name: str = "Student",
        guild_id: int | None = GUILD_ID,
        focused: str | None = None,
        user_install: bool = False,
        permissions: discord.Permissions | None = None,
        members: Mapping[str, int] | None = None,
        attachments: Mapping[str, tuple[str, int]] | None = None,
    ) -> dict[str, Any]:
        """A slash command ("followups done") with its options; with `focused`, the
        autocomplete request for that option instead. `members` are member options (by name:
        the member's user id), resolved as Discord resolves them; `permissions` the invoker's
        in the channel (a plain member's by default)."""
        words = path.split()
        leaf: list[dict[str, Any]] = []
        resolved: dict[str, Any] = {"users": {}, "members": {}}
        for key, user in (members or {}).items():
            leaf.append({"type": 6, "name": key, "value": str(user)})
            resolved["users"][str(user)] = user_payload(user, f"Member {user}")
            resolved["members"][str(user)] = {
                "nick": None, "roles": [], "joined_at": TIMESTAMP, "flags": 0,
                "permissions": str(discord.Permissions.text().value),
            }  # fmt: skip
        for key, (filename, size) in (attachments or {}).items():
            # An attached file, as Discord resolves it: served at ATTACHMENT_URL + its name.
            attachment_id = str(next(self._ids))
            leaf.append({"type": 11, "name": key, "value": attachment_id})
            resolved.setdefault("attachments", {})[attachment_id] = {
                "id": attachment_id, "filename": filename, "size": size,
                "url": f"{ATTACHMENT_URL}{filename}", "proxy_url": f"{ATTACHMENT_URL}{filename}",
            }  # fmt: skip
        for key, value in (options or {}).items():
            kind = 5 if isinstance(value, bool) else 4 if isinstance(value, int) else 3
            option: dict[str, Any] = {"type": kind, "name": key, "value": value}
            if key == focused:
                option["focused"] = True
            leaf.append(option)
        nested = leaf
        for depth in range(len(words) - 1, 0, -1):
            nested = [
                {
                    "type": 1 if depth == len(words) - 1 else 2,
                    "name": words[depth],
                    "options": nested,
                }
            ]
        data = {"id": str(next(self._ids)), "name": words[0], "type": 1, "options": nested}
        if members or attachments:
            data["resolved"] = resolved
        return self._base(
            4 if focused else 2,
            data,
            user_id=user_id,
            name=name,
            guild_id=guild_id,
            user_install=user_install,
            permissions=permissions,
        )

    def click(
        self,
        custom_id: str,
        message: dict[str, Any],
        *,
        user_id: int,
        name: str = "Student",
        guild_id: int | None = None,
    ) -> dict[str, Any]:
        """A click on the button `custom_id` of `message` (in a DM unless `guild_id`)."""
        data = {"custom_id": custom_id, "component_type": 2}
        channel_id = int(message["channel_id"])
        payload = self._base(
            3, data, user_id=user_id, name=name, guild_id=guild_id, channel_id=channel_id
        )
        payload["message"] = message
        return payload

    def pick(
        self,
        custom_id: str,
        values: list[str],
        message: dict[str, Any],
        *,
        user_id: int,
        name: str = "Student",
        guild_id: int | None = None,
    ) -> dict[str, Any]:
        """`values` picked from the select menu `custom_id` of `message` (in a DM unless
        `guild_id`)."""
        data = {"custom_id": custom_id, "component_type": 3, "values": values}
        channel_id = int(message["channel_id"])
        payload = self._base(
            3, data, user_id=user_id, name=name, guild_id=guild_id, channel_id=channel_id
        )
        payload["message"] = message
        return payload

    def submit(
        self,
        modal: Mapping[str, Any],
        values: Mapping[str, str],
        *,
        user_id: int,
        name: str = "Student",
        guild_id: int | None = GUILD_ID,
    ) -> dict[str, Any]:
        """Submitting the form `modal` (the modal payload the bot sent), with `values` by each
        input's label; a select gets the value as its one choice."""
        components = []
        for component in modal["components"]:
            label = component.get("label", "")
            inner = component.get("component") or component["components"][0]
            value = values.get(label, "")
            if inner["type"] == 3:
                submitted = {
                    "type": 3,
                    "custom_id": inner["custom_id"],
                    "values": [value] if value else [],
                }
            else:
                submitted = {"type": 4, "custom_id": inner["custom_id"], "value": value}
            components.append({"type": 18, "component": submitted})
        data = {"custom_id": modal["custom_id"], "components": components}
        return self._base(5, data, user_id=user_id, name=name, guild_id=guild_id)


# A handler that hasn't answered by then is stuck: fail the test rather than hang it.
DELIVERY_TIMEOUT = 10.0
# The tasks discord.py starts to handle an interaction (its view timers are left alone).
_HANDLER_TASKS = (
    "CommandTree-invoker",
    "discord-ui-view-dispatch",
    "discord-ui-dynamic-item",
    "discord-ui-modal-dispatch",
)


async def deliver(
    client: discord.Client, payload: dict[str, Any], *, gateway: bool = False
) -> None:
    """Hand `payload` to `client` as the gateway's INTERACTION_CREATE, and wait until every
    task discord.py started for it has finished. With `gateway`, the payload goes in as text
    through the gateway's own parsing (`DiscordWebSocket.received_message`, which logs each
    event at DEBUG), as in production."""
    before = asyncio.all_tasks()
    if gateway:
        await _received_by_gateway(client, payload)
    else:
        client._connection.parse_interaction_create(payload)  # type: ignore[arg-type]  # a wire payload: a dict, as from the gateway
    async with asyncio.timeout(DELIVERY_TIMEOUT):
        while True:
            handling = [
                t
                for t in asyncio.all_tasks() - before
                if t.get_name().startswith(_HANDLER_TASKS) and not t.done()
            ]
            if not handling:
                return
            await asyncio.wait(handling)


async def _received_by_gateway(client: discord.Client, payload: dict[str, Any]) -> None:
    # The attributes DiscordWebSocket.from_client gives a connected socket, minus the socket:
    # received_message only parses, logs and dispatches.
    ws = DiscordWebSocket(socket=None, loop=asyncio.get_running_loop())  # type: ignore[arg-type]  # never read or written here
    ws.token = client.http.token
    ws._connection = client._connection
    ws._discord_parsers = client._connection.parsers
    ws._dispatch = client.dispatch
    ws.shard_id = None
    event = {"op": DiscordWebSocket.DISPATCH, "t": "INTERACTION_CREATE", "s": 1, "d": payload}
    await ws.received_message(json.dumps(event))
