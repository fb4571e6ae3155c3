"""Core replies as Discord messages: escaped embeds, and buttons whose custom ids carry the
follow-up they act on.

Everything in a `Reply` is plain text with user input in it verbatim, so every string that Discord
would render passes through `escape` here. Buttons are laid out one row per follow-up; their custom
ids (`ButtonRef`) say what to do, in which server, to which follow-up, so that a click works after
a restart and in a DM, where Discord sends no server id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import discord

from bot.replies import Action, ActionKind, NoticeKind, Reply, Section

__all__ = [
    "CUSTOM_ID_PATTERN",
    "NO_MENTIONS",
    "ButtonRef",
    "button",
    "escape",
    "render_embeds",
    "render_view",
    "summary_line",
]

# Nothing a student types may ping anyone: set on the client and passed on every send and edit.
NO_MENTIONS = discord.AllowedMentions.none()

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
EMBEDS_PER_MESSAGE = 10
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_TOTAL_LIMIT = 6000
CONTENT_LIMIT = 2000
BUTTON_LABEL_LIMIT = 80
BUTTONS_PER_ROW = 5
ROWS_PER_MESSAGE = 5

COLOUR = discord.Colour(0x5865F2)
ERROR_COLOUR = discord.Colour(0xED4245)
DONE_COLOUR = discord.Colour(0x57F287)

# Links stay clickable but visible: a raw URL can't hide where it goes, a masked one could.
_URL = re.compile(r"https?://[^\s<>\[\]()|*~`\\@]+")
# Markdown that works anywhere in a line: emphasis, strike-through, spoilers, code, masked links
# ([text](url)), and the angle-bracket syntax of mentions, channels, commands, timestamps and
# custom emoji; "@" for @everyone and @here. A backslash before punctuation renders as the
# character itself, so escaping costs nothing visible.
_INLINE = re.compile(r"([\\*_~|`\[\]<@])")
# Markdown that works only at the start of a line and before a space: quotes (> and >>>),
# headings (# to ###), subtext (-#), bulleted and numbered lists. "#1 Email" is no heading.
_LINE_START = re.compile(r"^(\s*)(>{1,3}|#{1,3}|-#|[-+*]|\d+[.)])(?=\s)", re.MULTILINE)
_FENCE = "```"
_BROKEN_TICK = "`\u200b"


def escape(text: str) -> str:
    """`text` with nothing Discord would render: no markdown, links only as visible URLs, no
    mentions (@everyone, @here, <@&role>, <@user>), no channel or timestamp syntax."""
    out: list[str] = []
    pos = 0
    for match in _URL.finditer(text):
        out.append(_escape_plain(text[pos : match.start()]))
        out.append(match.group(0))
        pos = match.end()
    out.append(_escape_plain(text[pos:]))
    return "".join(out)


def _escape_plain(text: str) -> str:
    text = _INLINE.sub(r"\\\1", text)
    return _LINE_START.sub(_escape_line_start, text)


# A backtick followed by another: the start of anything that could close a code fence.
_BACKTICK_RUN = re.compile(r"`(?=`)")


def _escape_line_start(match: re.Match[str]) -> str:
    lead, marker = match.group(1), match.group(2)
    if marker[0].isdigit():  # "1." or "1)": escape the punctuation, not the number
        return f"{lead}{marker[:-1]}\\{marker[-1]}"
    return f"{lead}\\{marker}"


def _code_block(text: str) -> str:
    """Preformatted text in a code block, where nothing renders. No two backticks in it stay
    side by side (a zero-width space goes between), so no run of them can close the fence."""
    return f"{_FENCE}\n{_BACKTICK_RUN.sub(_BROKEN_TICK, text)}\n{_FENCE}"


def _clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis, never leaving a dangling backslash
    that would escape the ellipsis instead."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    trailing = len(cut) - len(cut.rstrip("\\"))
    if trailing % 2:
        cut = cut[:-1]
    return cut + "…"


def _section_text(section: Section) -> str:
    return _code_block(section.text) if section.preformatted else escape(section.text)


def render_embeds(
    reply: Reply,
    *,
    skip_first_title: bool = False,
    help: Mapping[NoticeKind, Section] | None = None,
) -> list[discord.Embed]:
    """One embed per section shown (at most ten, the last taking what doesn't fit), within
    Discord's per-embed and per-message limits; `help` goes after the core's notices of its
    kind. `skip_first_title` leaves out a title the message's content already shows."""
    colour = ERROR_COLOUR if reply.is_error else COLOUR
    parts: list[tuple[str | None, str]] = []
    for index, section in enumerate(reply.shown_sections(help)):
        title = section.title
        if skip_first_title and index == 0:
            title = None
        parts.append(
            (_clip(escape(title), EMBED_TITLE_LIMIT) if title else None, _section_text(section))
        )
    if len(parts) > EMBEDS_PER_MESSAGE:
        head, tail = parts[: EMBEDS_PER_MESSAGE - 1], parts[EMBEDS_PER_MESSAGE - 1 :]
        merged = "\n\n".join(f"**{t}**\n{d}" if t else d for t, d in tail)
        parts = [*head, (None, merged)]
    embeds: list[discord.Embed] = []
    budget = EMBED_TOTAL_LIMIT
    for title, description in parts:
        if not title and not description:
            continue  # Discord refuses an empty embed
        if budget <= len(title or "") + 1:
            break
        budget -= len(title or "")
        description = _clip(description, min(EMBED_DESCRIPTION_LIMIT, budget))
        budget -= len(description)
        embeds.append(discord.Embed(title=title, description=description or None, colour=colour))
    return embeds


def summary_line(reply: Reply) -> str:
    """A short, escaped first line for a DM's content: what a push notification shows."""
    shown = reply.shown_sections()
    if not shown:
        return ""
    first = shown[0]
    line = first.title or first.text.split("\n", 1)[0]
    return _clip(escape(line), CONTENT_LIMIT)


# -- buttons ------------------------------------------------------------------------------------

# fu:<kind>:<server id or dm>:<follow-up id>:<number>[:<argument>]. The follow-up id is what the
# core checks against the clicker; the number only words the answer; the server picks which of
# the clicker's identities (one per server) owns it, since a click in a DM carries no server.
CUSTOM_ID_PATTERN = (
    r"fu:(?P<kind>done|snooze|skip|draft|delete|edit):(?P<scope>dm|[0-9]{1,20}):(?P<id>[0-9]{1,20})"
    r":(?P<number>[0-9]{1,9})(?::(?P<argument>[A-Za-z0-9]{1,20}))?"
)
_CUSTOM_ID = re.compile(CUSTOM_ID_PATTERN)

_STYLES = {
    ActionKind.DONE: discord.ButtonStyle.success,
    ActionKind.DRAFT: discord.ButtonStyle.primary,
    ActionKind.SNOOZE: discord.ButtonStyle.secondary,
    ActionKind.SKIP: discord.ButtonStyle.secondary,
    ActionKind.DELETE: discord.ButtonStyle.danger,
    ActionKind.EDIT: discord.ButtonStyle.secondary,
}


@dataclass(frozen=True)
class ButtonRef:
    """A button's custom id: the `Action` it stands for, in `scope` (a server id or "dm")."""

    action: Action
    scope: str

    @classmethod
    def for_action(cls, action: Action, scope: str) -> ButtonRef | None:
        """The button for `action` in `scope`; None if its custom id can't hold it."""
        ref = cls(action, scope)
        return ref if _CUSTOM_ID.fullmatch(ref.custom_id) else None

    @classmethod
    def parse(cls, custom_id: str, label: str = "") -> ButtonRef | None:
        """The action a custom id this bot wrote stands for (labelled `label`); None for
        anything else."""
        match = _CUSTOM_ID.fullmatch(custom_id)
        return cls.from_match(match, label) if match else None

    @classmethod
    def from_match(cls, match: re.Match[str], label: str = "") -> ButtonRef:
        action = Action(
            ActionKind(match["kind"]),
            label,
            int(match["number"]),
            int(match["id"]),
            match["argument"] or "",
        )
        return cls(action, match["scope"])

    @property
    def custom_id(self) -> str:
        action = self.action
        base = f"fu:{action.kind}:{self.scope}:{action.follow_up_id}:{action.number}"
        return f"{base}:{action.argument}" if action.argument else base


def button(ref: ButtonRef, label: str | None = None) -> discord.ui.Button[discord.ui.View]:
    """The button for `ref`. It only carries its custom id: the follow-up button registered on
    the client answers it, in any process, after any restart (adapters/discord/buttons.py)."""
    text = ref.action.label if label is None else label
    return discord.ui.Button(
        style=_STYLES[ref.action.kind],
        label=_clip(text, BUTTON_LABEL_LIMIT) or None,
        custom_id=ref.custom_id,
    )


def render_view(actions: Sequence[Action], *, scope: str) -> discord.ui.View | None:
    """Buttons for `actions`: one row per follow-up, in order, at most five rows of five. Labels
    name the follow-up (#3) when the message is about several. None when there are none."""
    refs = [ButtonRef.for_action(a, scope) for a in actions]
    usable = [ref for ref in refs if ref is not None]
    if not usable:
        return None
    several = len({ref.action.follow_up_id for ref in usable}) > 1
    rows: dict[int, list[ButtonRef]] = {}
    for ref in usable:
        rows.setdefault(ref.action.follow_up_id, []).append(ref)
    view = discord.ui.View(timeout=None)
    row_index = 0
    for group in rows.values():
        for start in range(0, len(group), BUTTONS_PER_ROW):
            if row_index >= ROWS_PER_MESSAGE:
                return view
            for ref in group[start : start + BUTTONS_PER_ROW]:
                label = ref.action.label
                if several and "#" not in label:
                    label = f"{label} #{ref.action.number}"
                item = button(ref, label)
                item.row = row_index
                view.add_item(item)
            row_index += 1
    return view
