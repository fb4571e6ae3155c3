"""What Discord refuses, in one place: the renderers build within these limits and the fake
Discord refuses what breaks them with Discord's 400 "Invalid Form Body" (code 50035)
(discord.com/developers/docs/resources/message#embed-object-embed-limits,
discord.com/developers/docs/interactions/message-components).

`problems` names every limit a message payload (as sent on the wire) breaks; an empty list
means Discord takes it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
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
SELECT_OPTIONS_LIMIT = 25


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
    found: list[str] = []
    content = message.get("content") or ""
    if len(content) > CONTENT_LIMIT:
        found.append(f"content of {len(content)} characters, at most {CONTENT_LIMIT}")
    embeds = message.get("embeds") or []
    if len(embeds) > EMBEDS_PER_MESSAGE:
        found.append(f"{len(embeds)} embeds, at most {EMBEDS_PER_MESSAGE}")
    for index, embed in enumerate(embeds):
        found += [f"embed {index}: {problem}" for problem in _embed_problems(embed)]
    total = sum(embed_length(embed) for embed in embeds)
    if total > EMBED_TOTAL_LIMIT:
        found.append(f"embeds of {total} characters, at most {EMBED_TOTAL_LIMIT}")
    rows = message.get("components") or []
    if len(rows) > ROWS_PER_MESSAGE:
        found.append(f"{len(rows)} rows, at most {ROWS_PER_MESSAGE}")
    for index, row in enumerate(rows):
        found += [f"row {index}: {problem}" for problem in _row_problems(row)]
    return found


def _embed_problems(embed: Mapping[str, Any]) -> Iterator[str]:
    for key, limit in (("title", EMBED_TITLE_LIMIT), ("description", EMBED_DESCRIPTION_LIMIT)):
        length = len(embed.get(key) or "")
        if length > limit:
            yield f"{key} of {length} characters, at most {limit}"
    fields = embed.get("fields") or []
    if len(fields) > EMBED_FIELDS_LIMIT:
        yield f"{len(fields)} fields, at most {EMBED_FIELDS_LIMIT}"
    for item in fields:
        if len(item.get("name") or "") > EMBED_FIELD_NAME_LIMIT:
            yield f"a field name over {EMBED_FIELD_NAME_LIMIT} characters"
        if len(item.get("value") or "") > EMBED_FIELD_VALUE_LIMIT:
            yield f"a field value over {EMBED_FIELD_VALUE_LIMIT} characters"
    if len((embed.get("footer") or {}).get("text") or "") > EMBED_FOOTER_LIMIT:
        yield f"a footer over {EMBED_FOOTER_LIMIT} characters"


def _row_problems(row: Mapping[str, Any]) -> Iterator[str]:
    components = row.get("components") or []
    if len(components) > BUTTONS_PER_ROW:
        yield f"{len(components)} components, at most {BUTTONS_PER_ROW}"
    for component in components:
        if len(component.get("custom_id") or "") > CUSTOM_ID_LIMIT:
            yield f"custom_id over {CUSTOM_ID_LIMIT} characters"
        if len(component.get("label") or "") > BUTTON_LABEL_LIMIT:
            yield f"label over {BUTTON_LABEL_LIMIT} characters"
        options = component.get("options") or []
        if len(options) > SELECT_OPTIONS_LIMIT:
            yield f"{len(options)} options, at most {SELECT_OPTIONS_LIMIT}"
