"""Corrections to a recorded conversation: `/followups edit N name:... company:... about:...
when:... event:... priority:...`, read into changes, and the /met fields they make.

A value runs to the next field or the end, or is quoted (``about:"Kafka, and her team"``), so
commas are kept. ``about:``, ``event:`` and ``priority:`` with ``none`` (or nothing) clear it.
The kind is not changed here: it decides which follow-ups exist, so a wrong kind is fixed by
deleting the conversation and recording it again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from bot.domain import Conversation
from bot.errors import UserError
from bot.formatting import clip
from bot.met import MetInput

__all__ = [
    "CHANGEABLE",
    "EDIT_EXAMPLE",
    "WHEN_SHOWN",
    "changes_from_form",
    "corrected_fields",
    "parse_changes",
    "recorded_fields",
]

# How a form shows when they met: a form the /met grammar reads back to the same minute.
WHEN_SHOWN = "%Y-%m-%d %H:%M"

# What a student may type before the colon, and the /met field it changes.
CHANGEABLE = {
    "name": "name",
    "company": "company",
    "about": "topics",
    "topics": "topics",
    "notes": "topics",
    "note": "topics",
    "when": "when",
    "event": "event",
    "priority": "priority",
    "prio": "priority",
}
EDIT_EXAMPLE = '/followups edit 3 name:"Jane Doe" company:Acme when:"yesterday 4pm"'
_CLEARED = ("", "none", "-")
_FIELD = re.compile(r"(?<![\w:])([A-Za-z]+)\s*:\s*")
_QUOTES = {'"': '"', "“": "”", "'": "'", "«": "»"}


def parse_changes(text: str, number: int) -> dict[str, str]:
    """The fields `text` changes, by /met field name ("topics" for about:). Raises UserError."""
    usage = f"Say what to change, like {EDIT_EXAMPLE.replace(' 3 ', f' {number} ', 1)}."
    markers: list[re.Match[str]] = []
    for marker in _FIELD.finditer(text):
        field = CHANGEABLE.get(marker.group(1).casefold())
        # After about:, "we compared notes: ..." is words of the notes, not a second about:.
        if field is not None and not (
            field == "topics"
            and any(CHANGEABLE[m.group(1).casefold()] == "topics" for m in markers)
        ):
            markers.append(marker)
    if not markers:
        unknown = _FIELD.search(text)
        if unknown:
            raise UserError(
                f"“{clip(unknown.group(1), 20)}:” isn't something I can change. You can change "
                f"name, company, about, when, event and priority. {usage}"
            )
        raise UserError(usage)
    before = text[: markers[0].start()].strip()
    if before:
        raise UserError(f"“{clip(before, 40)}” isn't a field. {usage}")
    changes: dict[str, str] = {}
    for marker, following in zip(markers, [*markers[1:], None], strict=True):
        field = CHANGEABLE[marker.group(1).casefold()]
        end = following.start() if following else len(text)
        # "company: Acme Robotics, notes: ...": the comma before the next field is no part
        # of the value.
        value = _unquoted(text[marker.end() : end].strip().rstrip(",;").rstrip())
        if field in changes:
            raise UserError(f"{marker.group(1).casefold()}: is given twice; give it once.")
        changes[field] = value
    for field in ("name", "company", "when"):
        if field in changes and not changes[field].strip():
            shown = "name" if field == "name" else field
            raise UserError(f"{shown}: needs a value (it can't be empty). {usage}")
    return changes


def _unquoted(value: str) -> str:
    closing = _QUOTES.get(value[:1])
    if closing and len(value) >= 2 and value.endswith((closing, '"')):
        return value[1:-1]
    return value


def corrected_fields(
    conversation: Conversation, kind_key: str, changes: Mapping[str, str]
) -> MetInput:
    """The /met fields of `conversation` with `changes` made (its moment is kept unless
    `changes` has a "when", which the caller reads)."""

    def given(field: str, current: str) -> str:
        if field not in changes:
            return current
        value = changes[field].strip()
        return "" if value.casefold() in _CLEARED else value

    return MetInput(
        name=given("name", conversation.contact_name),
        company=given("company", conversation.company),
        kind=kind_key,
        topics=given("topics", conversation.topics),
        when=changes.get("when", ""),
        event=given("event", conversation.event or ""),
        priority=given("priority", str(conversation.priority or "")),
    )


def recorded_fields(conversation: Conversation, zone: ZoneInfo) -> MetInput:
    """A conversation as the /met form shows it, its time in `zone`."""
    return MetInput(
        name=conversation.contact_name,
        company=conversation.company,
        kind=conversation.kind,
        topics=conversation.topics,
        when=conversation.met_at.astimezone(zone).strftime(WHEN_SHOWN),
        event=conversation.event or "",
        priority=str(conversation.priority or ""),
    )


def changes_from_form(submitted: MetInput, shown: MetInput) -> tuple[tuple[str, str], ...]:
    """What a correction form's submission changes from what it showed (an emptied optional
    field clears it). Raises UserError for a new kind, which a correction can't make."""
    if submitted.kind.strip() and submitted.kind.strip() != shown.kind:
        raise UserError(
            "The kind can't be changed here: it decides which follow-ups you owe. Delete this "
            "conversation (/followups delete) and record it again with /met."
        )
    changes = []
    for field in ("name", "company", "topics", "when", "event", "priority"):
        value = getattr(submitted, field).strip()
        if value != getattr(shown, field).strip():
            changes.append((field, value or "none"))
    return tuple(changes)
