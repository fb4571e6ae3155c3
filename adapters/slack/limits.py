"""What Slack refuses, in one place: the renderers build within these limits and the fake Slack
refuses what breaks them, as Slack does (api.slack.com/reference/block-kit/blocks,
api.slack.com/methods/chat.postMessage, api.slack.com/methods/views.publish).

`problems` names every limit a message or a view breaks; an empty list means Slack takes it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

__all__ = [
    "MAX_ACTION_ELEMENTS",
    "MAX_ACTION_ID",
    "MAX_BLOCKS",
    "MAX_BLOCK_ID",
    "MAX_BUTTON_TEXT",
    "MAX_BUTTON_VALUE",
    "MAX_HOME_BLOCKS",
    "MAX_MESSAGE_TEXT",
    "MAX_OPTION_DESCRIPTION",
    "MAX_OPTION_TEXT",
    "MAX_OPTION_VALUE",
    "MAX_PLACEHOLDER",
    "MAX_SECTION_TEXT",
    "MAX_SELECT_OPTIONS",
    "problems",
]

# Blocks in a message; in a view (a modal or the Home tab).
MAX_BLOCKS = 50
MAX_HOME_BLOCKS = 100
# A section's text object.
MAX_SECTION_TEXT = 3000
# Elements in one actions block.
MAX_ACTION_ELEMENTS = 25
# A button's text, value and action_id; an option's text; a block's id.
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTION_ID = 255
MAX_OPTION_TEXT = 75
MAX_BLOCK_ID = 255
# A static_select: its options, an option's value and description (plain_text), its placeholder
# (api.slack.com/reference/block-kit/block-elements#static_select, .../composition-objects#option).
MAX_SELECT_OPTIONS = 100
MAX_OPTION_VALUE = 150
MAX_OPTION_DESCRIPTION = 75
MAX_PLACEHOLDER = 150
# A message's top-level text (Slack truncates past 40,000 and refuses longer with msg_too_long).
MAX_MESSAGE_TEXT = 40000


def problems(
    blocks: Sequence[Mapping[str, Any]] | None, text: str = "", *, max_blocks: int = MAX_BLOCKS
) -> list[str]:
    """Each limit `blocks` and `text` break, in words ("53 blocks, at most 50"); none when
    Slack takes them. `max_blocks` is MAX_HOME_BLOCKS for a view."""
    found: list[str] = []
    if len(text) > MAX_MESSAGE_TEXT:
        found.append(f"text of {len(text)} characters, at most {MAX_MESSAGE_TEXT}")
    blocks = blocks or []
    if len(blocks) > max_blocks:
        found.append(f"{len(blocks)} blocks, at most {max_blocks}")
    for index, block in enumerate(blocks):
        found += [f"block {index}: {problem}" for problem in _block_problems(block)]
    return found


def _block_problems(block: Mapping[str, Any]) -> Iterator[str]:
    if len(str(block.get("block_id", ""))) > MAX_BLOCK_ID:
        yield f"block_id over {MAX_BLOCK_ID} characters"
    kind = block.get("type")
    if kind == "section":
        text = block.get("text")
        length = len(str(text.get("text", ""))) if isinstance(text, Mapping) else 0
        if length > MAX_SECTION_TEXT:
            yield f"section text of {length} characters, at most {MAX_SECTION_TEXT}"
        accessory = block.get("accessory")
        if isinstance(accessory, Mapping):
            yield from _element_problems(accessory)
    elif kind == "actions":
        elements = block.get("elements") or []
        if len(elements) > MAX_ACTION_ELEMENTS:
            yield f"{len(elements)} elements, at most {MAX_ACTION_ELEMENTS}"
        for element in elements:
            yield from _element_problems(element)


def _element_problems(element: Mapping[str, Any]) -> Iterator[str]:
    if len(str(element.get("action_id", ""))) > MAX_ACTION_ID:
        yield f"action_id over {MAX_ACTION_ID} characters"
    if element.get("type") == "button":
        text = element.get("text")
        label = str(text.get("text", "")) if isinstance(text, Mapping) else ""
        if len(label) > MAX_BUTTON_TEXT:
            yield f"button text of {len(label)} characters, at most {MAX_BUTTON_TEXT}"
        if len(str(element.get("value", ""))) > MAX_BUTTON_VALUE:
            yield f"button value over {MAX_BUTTON_VALUE} characters"
    if element.get("type") == "static_select":
        placeholder = _text_of(element.get("placeholder"))
        if len(placeholder) > MAX_PLACEHOLDER:
            yield f"placeholder of {len(placeholder)} characters, at most {MAX_PLACEHOLDER}"
        options = element.get("options") or []
        if not options or len(options) > MAX_SELECT_OPTIONS:
            yield f"{len(options)} options, from 1 to {MAX_SELECT_OPTIONS}"
        for option in options:
            yield from _option_problems(option)


def _option_problems(option: Mapping[str, Any]) -> Iterator[str]:
    text, description = _text_of(option.get("text")), _text_of(option.get("description"))
    if len(text) > MAX_OPTION_TEXT:
        yield f"option text of {len(text)} characters, at most {MAX_OPTION_TEXT}"
    if len(description) > MAX_OPTION_DESCRIPTION:
        yield (
            f"option description of {len(description)} characters, at most {MAX_OPTION_DESCRIPTION}"
        )
    if len(str(option.get("value", ""))) > MAX_OPTION_VALUE:
        yield f"option value over {MAX_OPTION_VALUE} characters"


def _text_of(text: object) -> str:
    """A text object's text ("" for none)."""
    return str(text.get("text", "")) if isinstance(text, Mapping) else ""
