"""The core's neutral replies as Block Kit, the /met form as a modal, and buttons as actions.

Every string that reaches Slack passes through `escape` where it is put into a text object:
``&``, ``<`` and ``>`` become entities, so nothing a student typed can become a mention
(``<!channel>``, ``<@U…>``), a channel link (``<#C…>``) or a link (``<url|text>``). mrkdwn text
objects are also `verbatim`, so Slack doesn't turn bare names into links either.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.fairs import FAIR_NAME_LIMIT
from bot.formatting import pack_lines
from bot.messages.nudges import pick_placeholder
from bot.met import LIMITS, MetInput
from bot.replies import Action, ActionKind, Choice, EventButton, FairPrefill, Reply, Section
from rules.engine import Rulebook

from .limits import (
    MAX_ACTION_ELEMENTS,
    MAX_BLOCKS,
    MAX_BUTTON_TEXT,
    MAX_HOME_BLOCKS,
    MAX_OPTION_DESCRIPTION,
    MAX_OPTION_TEXT,
    MAX_SECTION_TEXT,
    MAX_SELECT_OPTIONS,
)

__all__ = [
    "ACTION_ID_PREFIX",
    "CLUB_ACTION_PREFIX",
    "FAIR_FORM_CALLBACK",
    "MET_FORM_CALLBACK",
    "FormContext",
    "Message",
    "decode_action",
    "encode_action",
    "escape",
    "event_button",
    "forgotten_home",
    "home_page",
    "home_view",
    "met_fields",
    "met_modal",
    "modal_errors",
    "pages",
    "render",
    "replace_follow_up",
    "split_blocks",
    "unescape",
]

# The notification preview of a message; the blocks carry the whole text.
MAX_FALLBACK_TEXT = 300

ACTION_ID_PREFIX = "followup-"
# An event's buttons (on its card, or in a DM after it): action id "club-going", value
# "going|12" (the button, the event's id).
CLUB_ACTION_PREFIX = "club-"
MET_FORM_CALLBACK = "followup_met_form"
FAIR_FORM_CALLBACK = "followup_fair_form"
_RESULT_SUFFIX = ":result"


def escape(text: str) -> str:
    """Text as Slack shows it literally: the three characters it treats as markup, escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Text as typed: Slack sends a slash command's text with its three entities escaped."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _mrkdwn(escaped: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": escaped, "verbatim": True}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": escape(text), "emoji": False}


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _escaped_clip(text: str, limit: int) -> str:
    """`text` escaped, cut with an ellipsis to at most `limit` characters as Slack counts
    them (an escaped "&" is five), never inside an entity."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    kept, used = [], 0
    for char in text:
        piece = escape(char)
        if used + len(piece) > limit - 1:
            break
        kept.append(piece)
        used += len(piece)
    return "".join(kept) + "…"


@dataclass(frozen=True)
class Message:
    """What chat.postMessage, chat.update and response_url take: a fallback text and blocks."""

    text: str
    blocks: list[dict[str, Any]]


# -- replies ---------------------------------------------------------------------------------


def render(reply: Reply) -> Message:
    """A reply as Block Kit, all of it: its sections as mrkdwn (escaped, each within a
    section's limit), its actions as buttons, one actions block per follow-up (block_id
    ``fu:<id>``) so a click can update its own part, and its choices as select menus. It may
    hold more blocks than one message takes: `pages` splits it into messages that each fit."""
    shown = reply.shown_sections()
    text_blocks = [block for section in shown for block in _section_blocks(section)]
    action_blocks = _action_blocks(reply.actions)
    if reply.event_actions:
        buttons = [event_button(a.button, a.event_id, a.label) for a in reply.event_actions]
        action_blocks.append({"type": "actions", "elements": buttons[:MAX_ACTION_ELEMENTS]})
    return Message(
        text=_fallback(shown), blocks=text_blocks + action_blocks + _choice_blocks(reply.choices)
    )


def pages(reply: Reply, *, max_blocks: int = MAX_BLOCKS) -> list[Message]:
    """`reply` as messages Slack takes, in order: nothing clipped, nothing dropped. A section
    longer than a block is already split between lines (a code block closed and reopened
    around each part); here the blocks are split between messages, a follow-up's buttons never
    apart from each other."""
    rendered = render(reply)
    return [
        Message(text=rendered.text if index == 0 else _continued(rendered.text), blocks=part)
        for index, part in enumerate(split_blocks(rendered.blocks, max_blocks=max_blocks))
    ]


def split_blocks(
    blocks: Sequence[Mapping[str, Any]], *, max_blocks: int = MAX_BLOCKS
) -> list[list[dict[str, Any]]]:
    """`blocks` in runs of at most `max_blocks`, in order (one run, maybe empty, at least):
    an updated message measured again before it is sent, and split the same way."""
    runs: list[list[dict[str, Any]]] = [[]]
    for block in blocks:
        if len(runs[-1]) >= max_blocks:
            runs.append([])
        runs[-1].append(dict(block))
    return runs


def _continued(text: str) -> str:
    return _clip(f"(continued) {text}", MAX_FALLBACK_TEXT)


def _fallback(shown: Sequence[Section]) -> str:
    first = shown[0] if shown else Section("")
    return escape(_clip(" ".join((first.title or first.text).split()), MAX_FALLBACK_TEXT))


_BACKTICK_RUN = re.compile(r"`(?=`)")


def _section_blocks(section: Section) -> list[dict[str, Any]]:
    title = f"*{escape(' '.join(section.title.split()))}*" if section.title else None
    fence = "```" if section.preformatted else ""
    # Room for the fences ("```\n" … "\n```") around each chunk of preformatted text.
    budget = MAX_SECTION_TEXT - (2 * len(fence) + 2 if fence else 0)
    # No two backticks side by side (a zero-width space goes between): nothing typed can open
    # a code block that a split would leave open, or close the block a draft is shown in, and
    # a draft still copies as it is.
    text = _BACKTICK_RUN.sub("`\u200b", section.text)
    chunks = [
        f"{fence}\n{chunk}\n{fence}" if fence else chunk
        for chunk in _escaped_chunks(text.split("\n"), budget)
    ]
    if title is not None:
        title = _clip(title, MAX_SECTION_TEXT)
        if chunks and len(title) + 1 + len(chunks[0]) <= MAX_SECTION_TEXT:
            chunks[0] = f"{title}\n{chunks[0]}"
        else:
            chunks.insert(0, title)
    return [{"type": "section", "text": _mrkdwn(chunk)} for chunk in chunks if chunk.strip()]


def _escaped_chunks(lines: Iterable[str], budget: int) -> list[str]:
    """Escaped lines joined into chunks of at most `budget` characters; a line too long for one
    chunk is cut between characters, never inside an entity."""
    pieces: list[str] = []
    for line in lines:
        escaped = escape(line)
        while len(escaped) > budget:
            cut = budget
            amp = escaped.rfind("&", cut - 4, cut)  # "&amp;" is the longest entity
            if amp >= 0 and ";" not in escaped[amp:cut]:
                cut = amp
            pieces.append(escaped[:cut])
            escaped = escaped[cut:]
        pieces.append(escaped)
    return pack_lines(pieces, budget)


def _action_blocks(actions: Sequence[Action]) -> list[dict[str, Any]]:
    groups: dict[int, list[Action]] = {}
    for action in actions:
        groups.setdefault(action.follow_up_id, []).append(action)
    several = len(groups) > 1
    blocks = []
    index = 0
    for follow_up_id, group in groups.items():
        elements = []
        for action in group:
            elements.append(_button(action, index, several))
            index += 1
        # A follow-up has a handful of actions; more than a block holds go on in a next one.
        for start in range(0, len(elements), MAX_ACTION_ELEMENTS):
            block_id = f"fu:{follow_up_id}" + (f":{start}" if start else "")
            part = elements[start : start + MAX_ACTION_ELEMENTS]
            blocks.append({"type": "actions", "block_id": block_id, "elements": part})
    return blocks


def _button(action: Action, index: int, several: bool) -> dict[str, Any]:
    label = action.label
    # A page button's number is a page, not a follow-up's.
    if several and action.kind is not ActionKind.PAGE and f"#{action.number}" not in label:
        label = f"{label} #{action.number}"
    button: dict[str, Any] = {
        "type": "button",
        # Unique in the message; what the button does is in its value.
        "action_id": f"{ACTION_ID_PREFIX}{index}",
        "text": _plain(_clip(label, MAX_BUTTON_TEXT)),
        "value": encode_action(action),
    }
    if action.kind is ActionKind.DONE:
        button["style"] = "primary"
    return button


def _choice_blocks(choices: Sequence[Choice]) -> list[dict[str, Any]]:
    """The follow-ups to pick, as select menus of at most 100 options, each in an actions block
    of its own (block_id ``pick:<first>``) so that the pager can put them in several messages.
    Picking one is a click like a button's: its value is the encoded action (show), answered
    ephemerally with that follow-up's buttons. A select rather than a row of buttons per
    follow-up: Slack's clients filter a long select as the student types a name or a number."""
    blocks = []
    total = len(choices)
    for start in range(0, total, MAX_SELECT_OPTIONS):
        part = choices[start : start + MAX_SELECT_OPTIONS]
        placeholder = pick_placeholder(
            start, len(part), total, one_menu=total <= MAX_SELECT_OPTIONS
        )
        select = {
            "type": "static_select",
            "action_id": f"{ACTION_ID_PREFIX}pick-{start}",
            "placeholder": _plain(placeholder),
            "options": [_option(choice) for choice in part],
        }
        blocks.append({"type": "actions", "block_id": f"pick:{start}", "elements": [select]})
    return blocks


def _option(choice: Choice) -> dict[str, Any]:
    """ "#7 Priya Shah, Acme", the name clipped where Slack's 75 characters cap it, never the
    number; what and by when below it."""
    number = f"#{choice.action.number} "
    option: dict[str, Any] = {
        "text": _escaped_text(number + _escaped_clip(choice.name, MAX_OPTION_TEXT - len(number))),
        "value": encode_action(choice.action),
    }
    if choice.detail:
        option["description"] = _escaped_text(_escaped_clip(choice.detail, MAX_OPTION_DESCRIPTION))
    return option


def _escaped_text(escaped: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": escaped, "emoji": False}


# -- the Home tab ----------------------------------------------------------------------------

_HOME_HEADER = {"type": "header", "text": _plain("Your follow-ups")}


def home_view(home: Reply, *, page: int = 1, outcome: Reply | None = None) -> dict[str, Any]:
    """The Home tab (views.publish): a page of the student's follow-ups and their settings
    (`home`, the core's Home reply), with what their last click did (`outcome`) on top. A page
    of the list is made to fit a view's 100 blocks with room to spare; were it ever not to,
    the tab says so and where to see it all rather than showing part of it."""
    shown = Reply(
        (*(outcome.shown_sections() if outcome else ()), *home.shown_sections()),
        (*(outcome.actions if outcome else ()), *home.actions),
    )
    blocks = [_HOME_HEADER, *render(shown).blocks]
    if len(blocks) > MAX_HOME_BLOCKS:
        note = "Your list is too long to show here: /followups shows it, a page at a time."
        blocks = [_HOME_HEADER, {"type": "section", "text": _mrkdwn(escape(note))}]
    # The page shown, so that a click on it shows the same page again, changed.
    return {"type": "home", "private_metadata": str(page), "blocks": blocks}


def home_page(view: Mapping[str, Any]) -> int:
    """The page a Home tab shows, from the view Slack sent back with a click."""
    page = str(view.get("private_metadata") or "")
    return int(page) if page.isdigit() and len(page) < 6 else 1


def forgotten_home() -> dict[str, Any]:
    """The Home tab of a student the bot has just forgotten: nothing of theirs left on it."""
    text = "Nothing here: I keep nothing about you. Type /met after your next conversation."
    return {
        "type": "home",
        "blocks": [_HOME_HEADER, {"type": "section", "text": _mrkdwn(escape(text))}],
    }


# -- buttons ---------------------------------------------------------------------------------

_ARGUMENT = re.compile(r"[A-Za-z0-9 ]{0,40}")


def event_button(button: EventButton, event_id: int, label: str) -> dict[str, Any]:
    """A button about a club's event; the core checks the clicker may use it."""
    element: dict[str, Any] = {
        "type": "button",
        "action_id": f"{CLUB_ACTION_PREFIX}{button}",
        "text": _plain(_clip(label, MAX_BUTTON_TEXT)),
        "value": f"{button}|{event_id}",
    }
    if button is EventButton.GOING:
        element["style"] = "primary"
    return element


def encode_action(action: Action) -> str:
    """A button's value: the action it stands for, "snooze|17|3|2h" (kind, follow-up id, the
    student's #number, argument). The id is checked against the clicker by the core."""
    return f"{action.kind}|{action.follow_up_id}|{action.number}|{action.argument}"


def decode_action(value: str, label: str = "") -> Action | None:
    """The action a button's value stands for (labelled `label`); None for anything this bot
    didn't write."""
    parts = value.split("|", 3)
    if len(parts) != 4:
        return None
    kind, follow_up_id, number, argument = parts
    if kind not in ActionKind.__members__.values() or not _ARGUMENT.fullmatch(argument):
        return None
    if not (follow_up_id.isdigit() and number.isdigit()) or len(follow_up_id + number) > 30:
        return None
    return Action(ActionKind(kind), label, int(number), int(follow_up_id), argument)


def replace_follow_up(
    blocks: Sequence[Mapping[str, Any]], follow_up_id: int, result: Reply
) -> list[dict[str, Any]]:
    """A message's blocks with one follow-up's buttons (and any earlier result) replaced by
    `result`, escaped, and its new buttons: a DM updated in place after a click. The other
    blocks are kept as Slack returned them, which is as they were sent, entities and all."""
    rendered = render(result)
    replacement = [
        {**block, "block_id": f"fu:{follow_up_id}{_RESULT_SUFFIX}:{i}"}
        for i, block in enumerate(b for b in rendered.blocks if b["type"] != "actions")
    ]
    # Only this follow-up's new buttons: block ids must stay unique in the message.
    replacement += [
        {
            **block,
            "elements": [_fresh_id(e, follow_up_id, i) for i, e in enumerate(block["elements"])],
        }
        for block in rendered.blocks
        if block["type"] == "actions" and block["block_id"] == f"fu:{follow_up_id}"
    ]
    kept: list[dict[str, Any]] = []
    inserted = False
    for block in blocks:
        if _belongs_to(block, follow_up_id):
            if not inserted:
                kept += replacement
                inserted = True
            continue
        kept.append(dict(block))
    if not inserted:
        kept += replacement
    # All of it: the caller measures it again and splits it if it no longer fits.
    return kept


def _fresh_id(element: Mapping[str, Any], follow_up_id: int, index: int) -> dict[str, Any]:
    # Unique beside the message's other buttons, which count from 0.
    return {**element, "action_id": f"{ACTION_ID_PREFIX}{follow_up_id}-{index}"}


def _belongs_to(block: Mapping[str, Any], follow_up_id: int) -> bool:
    # fu:<id>, its further buttons (fu:<id>:25) and its results (fu:<id>:result:0).
    block_id = str(block.get("block_id", ""))
    return block_id == f"fu:{follow_up_id}" or block_id.startswith(f"fu:{follow_up_id}:")


# -- the /met form ---------------------------------------------------------------------------

# The form's fields, in order: the block id is MetInput's field name, so the core's
# field_errors land on the right input.
_TEXT_FIELDS = {
    "name": ("Who did you meet?", "Jane Doe (a panel: one person per line)", True),
    "company": ("Company, school or organisation", "Acme", False),
    "topics": ("What did you talk about?", "Kafka, and her move from intern to team lead", True),
    "when": ("When?", "now, 2 hours ago, yesterday 4pm, monday 3pm", False),
    "event": ("Event", "Spring Career Fair", False),
    "greet": ("How the draft greets them", "Dr. Raman (a panel: one per line, in order)", True),
}
# What a field's name on the form means, where the label alone doesn't say.
_HINTS = {
    "name": "Met a panel? One person per line: each gets their own email. Didn't catch a name? "
    "Leave it empty and the draft greets the company's team.",
    "greet": "Optional: the draft greets them by first name, or title and family name.",
}
_PRIORITIES = {
    "1": "1: a company I care about most",
    "2": "2: interested",
    "3": "3: just curious",
}


@dataclass(frozen=True)
class FormContext:
    """Where /met was typed, kept in the modal's private_metadata (Slack holds it, so nobody
    can change it): the channel, and the response_url that answers there ephemerally."""

    channel: str | None = None
    response_url: str | None = None
    # The club event a Log who I met button opened the form for (`Met.at_event`).
    event: int | None = None

    def encode(self) -> str:
        data: dict[str, Any] = {"channel": self.channel, "response_url": self.response_url}
        if self.event is not None:
            data["event"] = self.event
        return json.dumps(data)

    @classmethod
    def decode(cls, text: str) -> FormContext:
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        channel, url, event = data.get("channel"), data.get("response_url"), data.get("event")
        return cls(
            channel if isinstance(channel, str) else None,
            url if isinstance(url, str) else None,
            event if isinstance(event, int) and not isinstance(event, bool) else None,
        )


def met_modal(rulebook: Rulebook, context: FormContext) -> dict[str, Any]:
    """The /met form: name (one person per line for a panel), company, kind (the rulebook's
    kinds), what you talked about, when, event, priority, and how to greet them."""

    def text_input(block_id: str, optional: bool) -> dict[str, Any]:
        label, placeholder, multiline = _TEXT_FIELDS[block_id]
        element: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": "value",
            "placeholder": _plain(placeholder),
            "multiline": multiline,
        }
        limit = LIMITS.get("people" if block_id == "name" else block_id)
        if limit is not None:
            element["max_length"] = limit
        block: dict[str, Any] = {
            "type": "input",
            "block_id": block_id,
            "label": _plain(label),
            "optional": optional,
            "element": element,
        }
        if block_id in _HINTS:
            block["hint"] = _plain(_HINTS[block_id])
        return block

    kinds = [
        {"text": _plain(_clip(kind.label, MAX_OPTION_TEXT)), "value": key}
        for key, kind in list(rulebook.kinds.items())[:100]
    ]
    priorities = [{"text": _plain(label), "value": key} for key, label in _PRIORITIES.items()]
    return {
        "type": "modal",
        "callback_id": MET_FORM_CALLBACK,
        "title": _plain("Record a conversation"),
        "submit": _plain("Save"),
        "close": _plain("Cancel"),
        "private_metadata": context.encode(),
        "blocks": [
            text_input("name", optional=True),
            text_input("company", optional=False),
            {
                "type": "input",
                "block_id": "kind",
                "label": _plain("Kind of conversation"),
                "element": {
                    "type": "static_select",
                    "action_id": "value",
                    "placeholder": _plain("Interview, call, networking, career fair…"),
                    "options": kinds,
                },
            },
            text_input("topics", optional=True),
            text_input("when", optional=True),
            text_input("event", optional=True),
            {
                "type": "input",
                "block_id": "priority",
                "label": _plain("Priority (career fairs)"),
                "optional": True,
                "element": {
                    "type": "static_select",
                    "action_id": "value",
                    "placeholder": _plain("1 = the companies you care about most"),
                    "options": priorities,
                },
            },
            text_input("greet", optional=True),
        ],
    }


def met_fields(view: Mapping[str, Any]) -> MetInput:
    """The form's values as the core's MetInput (empty strings for empty fields)."""
    values = view.get("state", {}).get("values", {})

    def value(block_id: str) -> str:
        element = values.get(block_id, {}).get("value", {})
        if not isinstance(element, Mapping):
            return ""
        selected = element.get("selected_option")
        if isinstance(selected, Mapping):
            chosen = selected.get("value")
            return chosen if isinstance(chosen, str) else ""
        typed = element.get("value")
        return typed if isinstance(typed, str) else ""

    return MetInput(
        name=value("name"),
        company=value("company"),
        kind=value("kind"),
        topics=value("topics"),
        when=value("when"),
        event=value("event"),
        priority=value("priority"),
        greet=value("greet"),
    )


_FORM_FIELDS = ("name", "company", "kind", "topics", "when", "event", "priority", "greet")


def modal_errors(reply: Reply) -> dict[str, str]:
    """A failed /met as the modal's per-field errors (response_action "errors"), escaped like
    every other output. An error that names no field is shown on the first one."""
    errors = {
        field: escape(_clip(message, 300))
        for field, message in reply.field_errors.items()
        if field in _FORM_FIELDS
    }
    if not errors:
        errors["name"] = escape(_clip(reply.plain_text(), 300))
    return errors


# -- the /fair form --------------------------------------------------------------------------

_FAIR_FIELDS = ("name", "companies", "when")
# A list of 50 companies with their tiers, with room to spare.
COMPANIES_MAX = 3000


def fair_modal(context: FormContext, prefill: FairPrefill | None = None) -> dict[str, Any]:
    """The fair-list form: the fair's name, its companies one a line in order of interest (a
    tier after a colon), and its day; `prefill`, a club's fair, fills them in."""

    def field(block_id: str, label: str, placeholder: str, **element: Any) -> dict[str, Any]:
        return {
            "type": "input",
            "block_id": block_id,
            "label": _plain(label),
            "optional": block_id != "companies",
            "element": {
                "type": "plain_text_input",
                "action_id": "value",
                "placeholder": _plain(placeholder),
                **element,
            },
        }

    def initial(text: str) -> dict[str, str]:
        return {"initial_value": text} if text else {}

    companies = field(
        "companies",
        "Companies, in order of interest",
        "Acme:1\nGlobex:1\nInitech:2\nHooli",
        multiline=True,
        max_length=COMPANIES_MAX,
        **initial(prefill.companies if prefill else ""),
    )
    companies["hint"] = _plain(
        "One a line, the one you care about most first. A tier after a colon (1 = most); "
        "without one, the tier of the company above. You don't have to follow up with "
        "everybody; when in doubt, follow up."
    )
    return {
        "type": "modal",
        "callback_id": FAIR_FORM_CALLBACK,
        "title": _plain("Plan a career fair"),
        "submit": _plain("Save"),
        "close": _plain("Cancel"),
        "private_metadata": context.encode(),
        "blocks": [
            field(
                "name",
                "Fair",
                "Spring Career Fair",
                max_length=FAIR_NAME_LIMIT,
                **initial(prefill.name if prefill else ""),
            ),
            companies,
            field(
                "when",
                "When is it?",
                "friday, tomorrow, March 12",
                max_length=100,
                **initial(prefill.when if prefill else ""),
            ),
        ],
    }


def fair_fields(view: Mapping[str, Any]) -> tuple[str, str, str]:
    """The fair form's name, companies and day, as typed ("" when empty)."""
    values = view.get("state", {}).get("values", {})

    def value(block_id: str) -> str:
        element = values.get(block_id, {}).get("value", {})
        typed = element.get("value") if isinstance(element, Mapping) else None
        return typed if isinstance(typed, str) else ""

    return value("name"), value("companies"), value("when")


def fair_modal_errors(reply: Reply) -> dict[str, str]:
    """A refused fair list as the form's errors, on the field they concern (else companies)."""
    errors = {
        field: escape(_clip(message, 300))
        for field, message in reply.field_errors.items()
        if field in _FAIR_FIELDS
    }
    return errors or {"companies": escape(_clip(reply.plain_text(), 300))}
