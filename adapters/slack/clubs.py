"""Clubs on Slack: event cards in the channel, their buttons, and the /club event form.

A card shows its time with Slack's date token, so each reader sees it in their own zone
(`<!date^UNIX^{date_short_pretty} {time}|fallback>`, the fallback in the club's zone for
clients that can't). Its buttons (action ids `club-...`) carry the event's id; the core checks
the event belongs to the channel's club. Going answers privately; the card's count is updated
by the core through the messenger (chat.update), like every other post.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt.kwargs_injection.async_args import AsyncArgs
from slack_sdk.errors import SlackApiError

from adapters.slack.blocks import (
    CLUB_ACTION_PREFIX,
    MAX_FALLBACK_TEXT,
    FormContext,
    Message,
    _clip,
    _mrkdwn,
    _plain,
    escape,
    event_button,
    met_modal,
)
from adapters.slack.corrections import prefilled
from bot.club_commands import ClubOwnRules, FairAtEvent, Going, LogAtEvent, PostEvent
from bot.domain import Channel
from bot.formatting import format_moment
from bot.met import MetInput
from bot.replies import DigestPost, EventButton, EventCard, Reply
from rules.engine import Rulebook

__all__ = [
    "CLUB_ACTION_PREFIX",
    "EVENT_FORM_CALLBACK",
    "RULES_FORM_CALLBACK",
    "EventFormContext",
    "RulesFormContext",
    "club_command",
    "digest_message",
    "event_card_message",
    "event_fields",
    "event_form_errors",
    "event_modal",
    "met_form_for",
    "open_view",
    "pasted_rules",
    "rules_form_errors",
    "rules_modal",
]

log = logging.getLogger(__name__)

EVENT_FORM_CALLBACK = "followup_event_form"


def _date_token(moment_unix: int, format_: str, fallback: str) -> str:
    """Slack's date token: shown in each reader's zone, `fallback` where it can't be."""
    return f"<!date^{moment_unix}^{format_}|{escape(fallback)}>"


def event_card_message(card: EventCard) -> Message:
    """The card as Block Kit: every piece of organizer text escaped, no mention possible."""
    start, end = int(card.starts_at.timestamp()), int(card.ends_at.timestamp())
    fallback_end = format_moment(card.ends_at, card.zone).rsplit(" ", 2)[-2]
    when = (
        _date_token(start, "{date_short_pretty} {time}", format_moment(card.starts_at, card.zone))
        + "–"
        + _date_token(end, "{time}", fallback_end)
    )
    title = f"{card.title} (cancelled)" if card.cancelled else card.title
    lines = [f"*{escape(title)}*", f"{when} · {escape(card.kind_label)}"]
    if card.companies_text:
        lines.append(escape(card.companies_text))
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": _mrkdwn("\n".join(lines))},
        {"type": "context", "elements": [_mrkdwn(escape(card.going_text))]},
    ]
    if card.buttons:
        elements = [event_button(button, card.event_id, label) for button, label, _ in card.buttons]
        blocks.append(
            {"type": "actions", "block_id": f"event:{card.event_id}", "elements": elements}
        )
    text = escape(_clip(f"{title}: {card.when}", MAX_FALLBACK_TEXT))
    return Message(text, blocks)


def digest_message(digest: DigestPost) -> Message:
    """A digest as Block Kit: its title in bold, its lines, all escaped."""
    text = "\n".join([f"*{escape(digest.title)}*", *(escape(line) for line in digest.lines)])
    fallback = escape(_clip(digest.title, MAX_FALLBACK_TEXT))
    return Message(fallback, [{"type": "section", "text": _mrkdwn(text)}])


def club_command(value: str) -> Going | LogAtEvent | FairAtEvent | None:
    """The command an event card's button value ("going|12") stands for; None for anything
    this bot didn't write."""
    button, _, event_id = value.partition("|")
    if not event_id.isdigit() or not 0 < int(event_id) < 2**31:
        return None
    if button == EventButton.GOING:
        return Going(int(event_id))
    if button == EventButton.LOG:
        return LogAtEvent(int(event_id))
    if button == EventButton.FAIR:
        return FairAtEvent(int(event_id))
    return None


# -- the /club event form ----------------------------------------------------------------------


class EventFormContext:
    """Where /club event was typed, kept in the modal's private_metadata (Slack holds it)."""

    def __init__(self, channel: Channel | None, response_url: str | None) -> None:
        self.channel = channel
        self.response_url = response_url

    def encode(self) -> str:
        channel = [self.channel.id, self.channel.name] if self.channel else None
        return json.dumps({"channel": channel, "response_url": self.response_url})

    @classmethod
    def decode(cls, text: str) -> EventFormContext:
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            data = {}
        data = data if isinstance(data, dict) else {}
        channel, url = data.get("channel"), data.get("response_url")
        found = None
        if isinstance(channel, list) and len(channel) == 2 and isinstance(channel[0], str):
            found = Channel(channel[0], channel[1] if isinstance(channel[1], str) else None)
        return cls(found, url if isinstance(url, str) else None)


_EVENT_FIELDS = {
    "title": ("Title", "Deloitte Night", 100),
    "when": ("When (the club's time zone)", "thu 6pm-8pm", 60),
    "companies": ("Companies (a fair)", "Acme, Globex, Initech", 1000),
}


def event_modal(rulebook: Rulebook, context: EventFormContext) -> dict[str, Any]:
    """The /club event form: title, when, kind (the rulebook's), companies."""

    def text_input(block_id: str, optional: bool) -> dict[str, Any]:
        label, placeholder, limit = _EVENT_FIELDS[block_id]
        return {
            "type": "input",
            "block_id": block_id,
            "label": _plain(label),
            "optional": optional,
            "element": {
                "type": "plain_text_input",
                "action_id": "value",
                "placeholder": _plain(placeholder),
                "max_length": limit,
            },
        }

    kinds = [
        {"text": _plain(_clip(kind.label, 75)), "value": key}
        for key, kind in list(rulebook.kinds.items())[:100]
    ]
    return {
        "type": "modal",
        "callback_id": EVENT_FORM_CALLBACK,
        "title": _plain("Post an event"),
        "submit": _plain("Post"),
        "close": _plain("Cancel"),
        "private_metadata": context.encode(),
        "blocks": [
            text_input("title", optional=False),
            text_input("when", optional=False),
            {
                "type": "input",
                "block_id": "kind",
                "label": _plain("Kind"),
                "element": {"type": "static_select", "action_id": "value", "options": kinds},
            },
            text_input("companies", optional=True),
        ],
    }


def event_fields(view: Mapping[str, Any]) -> PostEvent:
    """The form's values as the core's command."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, Mapping) else None
    values = values if isinstance(values, Mapping) else {}

    def value(block_id: str) -> str:
        block = values.get(block_id)
        element = block.get("value") if isinstance(block, Mapping) else None
        if not isinstance(element, Mapping):
            return ""
        selected = element.get("selected_option")
        if isinstance(selected, Mapping):
            return str(selected.get("value") or "")
        return str(element.get("value") or "")

    return PostEvent(value("title"), value("when"), value("kind"), value("companies"))


def event_form_errors(reply: Reply) -> dict[str, str]:
    """A refused event, shown on the form's field it is about (its title otherwise)."""
    text = escape(_clip(reply.plain_text(), 300))
    lowered = reply.plain_text().casefold()
    for field in ("when", "kind", "companies"):
        if f"{field}:" in lowered or (field == "when" and "time" in lowered):
            return {field: text}
    if "kind" in lowered:
        return {"kind": text}
    if "compan" in lowered:
        return {"companies": text}
    return {"title": text}


# -- the form to paste a club's own rulebook or templates in ---------------------------------------

RULES_FORM_CALLBACK = "followup_rules_form"
# Slack takes at most 3,000 characters in a form's text box (plain_text_input's max_length):
# the bundled rulebook is about 7,500 and its templates about 9,000, so the form has boxes
# enough for either, pasted in parts that each end at a line break and joined back by one.
PASTE_BOX = 3000
PASTE_BOXES = 5


class RulesFormContext:
    """Where /club rules paste was typed and what it sets ("rulebook" or "drafts"), kept in
    the modal's private_metadata (Slack holds it, so nobody can change it)."""

    def __init__(self, what: str, channel: Channel | None, response_url: str | None) -> None:
        self.what = what
        self.event_form = EventFormContext(channel, response_url)

    def encode(self) -> str:
        return json.dumps({"what": self.what, "form": self.event_form.encode()})

    @classmethod
    def decode(cls, text: str) -> RulesFormContext:
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            data = {}
        data = data if isinstance(data, dict) else {}
        what = "drafts" if data.get("what") == "drafts" else "rulebook"
        form = EventFormContext.decode(str(data.get("form") or ""))
        return cls(what, form.channel, form.response_url)


def rules_modal(context: RulesFormContext) -> dict[str, Any]:
    """The form to paste a club's own rulebook (or templates) in: plain text boxes, as many as
    a bundled file needs, the first required."""
    noun, file = (
        ("rulebook", "rulebook.toml")
        if context.what == "rulebook"
        else ("templates", "drafts.toml")
    )

    def box(n: int) -> dict[str, Any]:
        return {
            "type": "input",
            "block_id": f"part{n}",
            "label": _plain(f"The {noun}'s TOML" if n == 1 else f"Continued (part {n})"),
            "optional": n > 1,
            "element": {
                "type": "plain_text_input",
                "action_id": "value",
                "multiline": True,
                "max_length": PASTE_BOX,
                **({"placeholder": _plain("version = 1")} if n == 1 else {}),
            },
        }

    hint = (
        f"Paste the TOML, written like the deployment's {file}. Slack takes up to 3,000 "
        "characters a box: paste a longer file in parts, each ending at the end of a line. "
        "It is checked as the deployment's files are; nothing changes unless it reads."
    )
    return {
        "type": "modal",
        "callback_id": RULES_FORM_CALLBACK,
        "title": _plain(f"Club {noun}"),
        "submit": _plain("Check and save"),
        "close": _plain("Cancel"),
        "private_metadata": context.encode(),
        "blocks": [
            {**box(1), "hint": _plain(hint)},
            *[box(n) for n in range(2, PASTE_BOXES + 1)],
        ],
    }


def pasted_rules(view: Mapping[str, Any], what: str) -> ClubOwnRules:
    """The form's parts, joined back into the TOML, as /club rules set."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, Mapping) else None
    values = values if isinstance(values, Mapping) else {}
    parts = []
    for n in range(1, PASTE_BOXES + 1):
        block = values.get(f"part{n}")
        element = block.get("value") if isinstance(block, Mapping) else None
        typed = element.get("value") if isinstance(element, Mapping) else None
        if isinstance(typed, str) and typed.strip():
            parts.append(typed.strip("\n"))
    return ClubOwnRules(what, "set", "\n".join(parts))


def rules_form_errors(reply: Reply) -> dict[str, str]:
    """A refused paste (the file, the key and what is wrong), shown on the first box."""
    return {"part1": escape(_clip(reply.plain_text(), 700))}


def met_form_for(rulebook: Rulebook, fields: MetInput, context: FormContext) -> dict[str, Any]:
    """The /met form, filled in with the event and its kind (Log who I met)."""
    return prefilled(met_modal(rulebook, context), fields)


async def open_view(args: AsyncArgs, view: dict[str, Any]) -> bool:
    """Open `view` for the click or command `args`; False if Slack wouldn't."""
    trigger = args.body.get("trigger_id")
    if not isinstance(trigger, str):
        return False
    try:
        await args.client.views_open(trigger_id=trigger, view=view)
    except SlackApiError as err:
        log.warning("Slack: a form didn't open (%s)", type(err).__name__)
        return False
    return True
