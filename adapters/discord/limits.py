"""What Discord refuses, in one place: the renderers build within these limits and the fake
Discord refuses what breaks them with Discord's 400 "Invalid Form Body" (code 50035)
(discord.com/developers/docs/resources/message#embed-object-embed-limits,
discord.com/developers/docs/interactions/message-components).

`problems` names every limit a message payload (as sent on the wire) breaks; an empty list
means Discord takes it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sized
from typing import Any

__all__ = [
    "BUTTONS_PER_ROW",
    "BUTTON_LABEL_LIMIT",
    "CONTENT_LIMIT",
    "CUSTOM_ID_LIMIT",
    "EMBEDS_PER_MESSAGE",
    "EMBED_DESCRIPTION_LIMIT",
    "EMBED_FIELDS_LIMIT",
    "EMBED_TITLE_LIMIT",
    "EMBED_TOTAL_LIMIT",
    "OPTION_DESCRIPTION_LIMIT",
    "OPTION_LABEL_LIMIT",
    "OPTION_VALUE_LIMIT",
    "PLACEHOLDER_LIMIT",
    "ROWS_PER_MESSAGE",
    "SELECT_OPTIONS_LIMIT",
    "embed_length",
    "problems",
]

CONTENT_LIMIT = 2000
EMBEDS_PER_MESSAGE = 10
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FIELDS_LIMIT = 25
EMBED_FIELD_NAME_LIMIT = 256
EMBED_FIELD_VALUE_LIMIT = 1024
EMBED_FOOTER_LIMIT = 2048
# Titles, descriptions, field names and values, footers and author names, across all of a
# message's embeds.
EMBED_TOTAL_LIMIT = 6000
ROWS_PER_MESSAGE = 5
BUTTONS_PER_ROW = 5
BUTTON_LABEL_LIMIT = 80
CUSTOM_ID_LIMIT = 100
# A select menu: its options, an option's label, value and description, its placeholder; a
# select takes a whole row to itself.
SELECT_OPTIONS_LIMIT = 25
OPTION_LABEL_LIMIT = 100
OPTION_VALUE_LIMIT = 100
OPTION_DESCRIPTION_LIMIT = 100
PLACEHOLDER_LIMIT = 150
# The component types of select menus: string, user, role, mentionable, channel.
_SELECT_TYPES = frozenset({3, 5, 6, 7, 8})


def embed_length(embed: Mapping[str, Any]) -> int:
    """The characters of `embed` that count towards EMBED_TOTAL_LIMIT."""
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    for item in embed.get("fields") or []:
        total += len(item.get("name") or "") + len(item.get("value") or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    return total


def problems(message: Mapping[str, Any]) -> list[str]:
    """Each limit `message` (a message payload: content, embeds, components) breaks, in words
    ("embeds of 6268 characters, at most 6000"); none when Discord takes it."""
    found: list[str] = _too_long("content", message.get("content"), CONTENT_LIMIT)
    embeds = message.get("embeds") or []
    found += _too_many("embeds", embeds, EMBEDS_PER_MESSAGE)
    for index, embed in enumerate(embeds):
        found += [f"embed {index}: {problem}" for problem in _embed_problems(embed)]
    total = sum(embed_length(embed) for embed in embeds)
    if total > EMBED_TOTAL_LIMIT:
        found.append(f"embeds of {total} characters, at most {EMBED_TOTAL_LIMIT}")
    rows = message.get("components") or []
    found += _too_many("rows", rows, ROWS_PER_MESSAGE)
    for index, row in enumerate(rows):
        found += [f"row {index}: {problem}" for problem in _row_problems(row)]
    return found


def _too_many(what: str, items: Sized, limit: int) -> list[str]:
    return [f"{len(items)} {what}, at most {limit}"] if len(items) > limit else []


def _too_long(what: str, text: str | None, limit: int) -> list[str]:
    length = len(text or "")
    return [f"{what} of {length} characters, at most {limit}"] if length > limit else []


def _embed_problems(embed: Mapping[str, Any]) -> Iterator[str]:
    yield from _too_long("title", embed.get("title"), EMBED_TITLE_LIMIT)
    yield from _too_long("description", embed.get("description"), EMBED_DESCRIPTION_LIMIT)
    fields = embed.get("fields") or []
    yield from _too_many("fields", fields, EMBED_FIELDS_LIMIT)
    for item in fields:
        yield from _too_long("a field name", item.get("name"), EMBED_FIELD_NAME_LIMIT)
        yield from _too_long("a field value", item.get("value"), EMBED_FIELD_VALUE_LIMIT)
    footer = (embed.get("footer") or {}).get("text")
    yield from _too_long("a footer", footer, EMBED_FOOTER_LIMIT)


def _row_problems(row: Mapping[str, Any]) -> Iterator[str]:
    components = row.get("components") or []
    yield from _too_many("components", components, BUTTONS_PER_ROW)
    selects = [c for c in components if c.get("type") in _SELECT_TYPES]
    if selects and len(components) > 1:
        yield f"a select beside {len(components) - 1} other components: it takes a whole row"
    for component in components:
        yield from _too_long("custom_id", component.get("custom_id"), CUSTOM_ID_LIMIT)
        yield from _too_long("label", component.get("label"), BUTTON_LABEL_LIMIT)
        yield from _too_long("placeholder", component.get("placeholder"), PLACEHOLDER_LIMIT)
        options = component.get("options") or []
        yield from _too_many("options", options, SELECT_OPTIONS_LIMIT)
        if component.get("type") == 3 and not options:
            yield "a select without options"
        for option in options:
            yield from _too_long("an option label", option.get("label"), OPTION_LABEL_LIMIT)
            yield from _too_long("an option value", option.get("value"), OPTION_VALUE_LIMIT)
            description = option.get("description")
            yield from _too_long("an option description", description, OPTION_DESCRIPTION_LIMIT)
