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

from bot.formatting import pack_lines
from bot.messages.nudges import pick_placeholder
from bot.replies import Action, ActionKind, Choice, NoticeKind, Reply, Section

from .limits import (
    BUTTON_LABEL_LIMIT,
    BUTTONS_PER_ROW,
    CONTENT_LIMIT,
    EMBED_DESCRIPTION_LIMIT,
    EMBED_TITLE_LIMIT,
    EMBED_TOTAL_LIMIT,
    EMBEDS_PER_MESSAGE,
    OPTION_DESCRIPTION_LIMIT,
    OPTION_LABEL_LIMIT,
    ROWS_PER_MESSAGE,
    SELECT_OPTIONS_LIMIT,
    embed_length,
)

__all__ = [
    "CUSTOM_ID_PATTERN",
    "MENU_ID_PATTERN",
    "NO_MENTIONS",
    "ButtonRef",
    "ChoiceMenu",
    "Page",
    "button",
    "escape",
    "menu",
    "pack_embeds",
    "pages",
    "render_embeds",
    "render_view",
    "summary_line",
]

# Nothing a student types may ping anyone: set on the client and passed on every send and edit.
NO_MENTIONS = discord.AllowedMentions.none()

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


def _descriptions(section: Section, budget: int = EMBED_DESCRIPTION_LIMIT) -> list[str]:
    """A section's text, escaped (or in a code block), in parts of at most `budget` characters
    split between lines: a code block is closed at the end of each part and opened again at the
    start of the next, so every part shows as it should."""
    if section.preformatted:
        lines = _BACKTICK_RUN.sub(_BROKEN_TICK, section.text).split("\n")
        wrap = len(_FENCE) * 2 + 2
        return [f"{_FENCE}\n{part}\n{_FENCE}" for part in _split_lines(lines, budget - wrap)]
    return _split_lines([escape(line) for line in section.text.split("\n")], budget)


def _split_lines(lines: Sequence[str], budget: int) -> list[str]:
    """`lines` joined into parts of at most `budget` characters, between lines where it can; a
    line too long for a part is cut between characters, never after an escaping backslash."""
    pieces: list[str] = []
    for line in lines:
        while len(line) > budget:
            cut = budget
            trailing = len(line[:cut]) - len(line[:cut].rstrip("\\"))
            if trailing % 2:
                cut -= 1  # a backslash escapes what follows it: keep the pair together
            pieces.append(line[:cut])
            line = line[cut:]
        pieces.append(line)
    return [part for part in pack_lines(pieces, budget) if part.strip()]


def render_embeds(
    reply: Reply,
    *,
    skip_first_title: bool = False,
    help: Mapping[NoticeKind, Section] | None = None,
) -> list[discord.Embed]:
    """All of `reply` as embeds, each within Discord's per-embed limits: one per section shown,
    more for a section longer than an embed holds (split between lines); `help` goes after the
    core's notices of its kind. `skip_first_title` leaves out a title the message's content
    already shows. There may be more than a message takes: `pages` (or `pack_embeds`) splits
    them between messages."""
    colour = ERROR_COLOUR if reply.is_error else COLOUR
    embeds: list[discord.Embed] = []
    for index, section in enumerate(reply.shown_sections(help)):
        title = section.title
        if skip_first_title and index == 0:
            title = None
        heading = _clip(escape(title), EMBED_TITLE_LIMIT) if title else None
        descriptions = _descriptions(section) or [""]
        for part, description in enumerate(descriptions):
            shown_title = heading if part == 0 else None
            if not shown_title and not description:
                continue  # Discord refuses an empty embed
            embeds.append(
                discord.Embed(title=shown_title, description=description or None, colour=colour)
            )
    return embeds


def _embed_length(embed: discord.Embed) -> int:
    return embed_length(embed.to_dict())


def pack_embeds(
    embeds: Sequence[discord.Embed], *, room: int = EMBED_TOTAL_LIMIT
) -> list[list[discord.Embed]]:
    """`embeds` in order, in as few messages as Discord takes them (ten embeds and 6,000
    characters a message; `room` for the first, which may already hold some); at least one,
    maybe empty."""
    messages: list[list[discord.Embed]] = [[]]
    used = EMBED_TOTAL_LIMIT - room
    for embed in embeds:
        length = _embed_length(embed)
        current = messages[-1]
        full = len(current) >= EMBEDS_PER_MESSAGE or used + length > EMBED_TOTAL_LIMIT
        if full and (current or used):
            messages.append([])
            used = 0
        messages[-1].append(embed)
        used += length
    return messages


@dataclass
class Page:
    """One message of a reply: its embeds, and the buttons under them."""

    embeds: list[discord.Embed]
    view: discord.ui.View | None


def pages(
    reply: Reply,
    *,
    scope: str,
    skip_first_title: bool = False,
    help: Mapping[NoticeKind, Section] | None = None,
) -> list[Page]:
    """`reply` as the messages Discord takes, in order (one at least): every section and every
    button, nothing clipped. Embeds are split between lines and packed ten and 6,000 characters
    a message; buttons go five rows a message, then the menus of choices a row each, with the
    text they belong to where it fits, and on a message of their own ("Buttons for #6, #7")
    where it doesn't."""
    embed_runs = pack_embeds(render_embeds(reply, skip_first_title=skip_first_title, help=help))
    row_runs = _rows(reply.actions, reply.choices, scope)
    result: list[Page] = []
    for index in range(max(len(embed_runs), len(row_runs))):
        embeds = embed_runs[index] if index < len(embed_runs) else []
        rows = row_runs[index] if index < len(row_runs) else []
        if not embeds and rows:
            colour = ERROR_COLOUR if reply.is_error else COLOUR
            embeds = [discord.Embed(description=_rows_named(rows), colour=colour)]
        result.append(Page(embeds, _view(rows)))
    return result


def _rows_named(rows: Sequence[Row]) -> str:
    """What a message of rows alone says above them: "Buttons for #6, #7", or what its menus
    are for."""
    buttons = [row for row in rows if not isinstance(row, ChoiceMenu)]
    numbers = sorted(
        {ref.action.number for row in buttons for ref in row if ref.action.follow_up_id}
    )
    said = []
    if buttons:
        said.append(f"Buttons for {', '.join(f'#{n}' for n in numbers) or 'the other pages'}")
    if len(buttons) < len(rows):
        said.append("The other follow-ups: pick one for its buttons")
    return "; ".join(said)


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
    r"fu:(?P<kind>done|snooze|skip|draft|delete|edit|page|show):(?P<scope>dm|[0-9]{1,20}):(?P<id>[0-9]{1,20})"
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
    ActionKind.PAGE: discord.ButtonStyle.primary,
    ActionKind.SHOW: discord.ButtonStyle.secondary,
}
# A menu of follow-ups to pick: fu:pick:<its first choice's index among the reply's>, unique in
# its message. Each option's value is the `ButtonRef` of its follow-up's SHOW action, so a pick
# is checked against the picker like a click, and carries its server like a button.
MENU_ID_PATTERN = r"fu:pick:[0-9]{1,4}"


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


@dataclass(frozen=True)
class ChoiceMenu:
    """A select menu of follow-ups to pick (at most 25, Discord's limit), a row of its own:
    `first` is the index of its first choice among the reply's `total`."""

    choices: tuple[Choice, ...]
    first: int
    total: int
    scope: str


# A message's row: buttons, or a menu alone (a select takes a whole row).
Row = list[ButtonRef] | ChoiceMenu


def menu(choice_menu: ChoiceMenu) -> discord.ui.Select[discord.ui.View]:
    """The select for `choice_menu`: "#7 Priya Shah, Acme" an option, the name clipped where
    Discord's 100 characters cap it (never the number), what and by when below it. Labels are
    plain text (no markdown, no mentions), so they are not escaped. Like a button, it only
    carries ids: the menu registered on the client answers it (adapters/discord/buttons.py)."""
    total, first, count = choice_menu.total, choice_menu.first, len(choice_menu.choices)
    placeholder = pick_placeholder(first, count, total, one_menu=total <= SELECT_OPTIONS_LIMIT)
    options = []
    for choice in choice_menu.choices:
        number = f"#{choice.action.number} "
        ref = ButtonRef(choice.action, choice_menu.scope)
        options.append(
            discord.SelectOption(
                label=number + _clip(choice.name, OPTION_LABEL_LIMIT - len(number)),
                value=ref.custom_id,
                description=_clip(choice.detail, OPTION_DESCRIPTION_LIMIT) or None,
            )
        )
    return discord.ui.Select(custom_id=f"fu:pick:{first}", placeholder=placeholder, options=options)


def _rows(actions: Sequence[Action], choices: Sequence[Choice], scope: str) -> list[list[Row]]:
    """`actions` as rows of buttons (`_button_rows`), then `choices` as menus of 25, a row
    each, in runs of five rows: one run for each message they take."""
    rows: list[Row] = [row for run in _button_rows(actions, scope) for row in run]
    usable = [c for c in choices if ButtonRef.for_action(c.action, scope) is not None]
    rows += [
        ChoiceMenu(tuple(usable[start : start + SELECT_OPTIONS_LIMIT]), start, len(usable), scope)
        for start in range(0, len(usable), SELECT_OPTIONS_LIMIT)
    ]
    return [rows[i : i + ROWS_PER_MESSAGE] for i in range(0, len(rows), ROWS_PER_MESSAGE)]


def _button_rows(actions: Sequence[Action], scope: str) -> list[list[list[ButtonRef]]]:
    """`actions` as rows of buttons, one row per follow-up (five buttons a row), in runs of
    five rows: one run for each message they take."""
    refs = [ButtonRef.for_action(a, scope) for a in actions]
    usable = [ref for ref in refs if ref is not None]
    groups: dict[int, list[ButtonRef]] = {}
    for ref in usable:
        groups.setdefault(ref.action.follow_up_id, []).append(ref)
    rows = [
        group[start : start + BUTTONS_PER_ROW]
        for group in groups.values()
        for start in range(0, len(group), BUTTONS_PER_ROW)
    ]
    return [rows[i : i + ROWS_PER_MESSAGE] for i in range(0, len(rows), ROWS_PER_MESSAGE)]


def _view(rows: Sequence[Row]) -> discord.ui.View | None:
    """A message's rows of buttons and menus. Labels name the follow-up (#3) when the message
    is about several. None when there are none."""
    if not rows:
        return None
    buttons = [row for row in rows if not isinstance(row, ChoiceMenu)]
    several = len({ref.action.follow_up_id for row in buttons for ref in row}) > 1
    view = discord.ui.View(timeout=None)
    for row_index, row in enumerate(rows):
        if isinstance(row, ChoiceMenu):
            select = menu(row)
            select.row = row_index
            view.add_item(select)
            continue
        for ref in row:
            label = ref.action.label
            # A page button's number is a page, not a follow-up's.
            if several and ref.action.kind is not ActionKind.PAGE and "#" not in label:
                label = f"{label} #{ref.action.number}"
            item = button(ref, label)
            item.row = row_index
            view.add_item(item)
    return view


def render_view(actions: Sequence[Action], *, scope: str) -> discord.ui.View | None:
    """Buttons for `actions` that fit one message (five rows of five, one row per follow-up);
    `pages` puts the rest on further messages. None when there are none."""
    runs = _button_rows(actions, scope)
    return _view(runs[0]) if runs else None
