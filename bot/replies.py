"""What the bot says: neutral replies that every adapter renders its own way.

The core writes plain text, never markup: adapters escape all of it for their platform (Slack
mrkdwn, Discord markdown), so nothing a student types can become a mention or a link. Structure
that markup would carry (a heading, a block to copy) is expressed by `Section` fields instead.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = ["Action", "ActionKind", "Reply", "Section"]


class ActionKind(enum.StrEnum):
    DONE = "done"
    SNOOZE = "snooze"
    SKIP = "skip"
    DRAFT = "draft"


class Action(NamedTuple):
    """Something the student can do next with one follow-up: a button, or a command to type.

    `follow_up_id` is the internal, opaque id a button carries (the click is checked against
    the clicker); `number` is the student's own #N, used in the typed command. (A named tuple:
    every DM carries several, and it is built a few times faster than a frozen dataclass.)
    """

    kind: ActionKind
    label: str
    number: int
    follow_up_id: int
    argument: str = ""

    @property
    def command(self) -> str:
        """The command that does the same: "/followups snooze 3 2h"."""
        return " ".join(
            part for part in ("/followups", self.kind, str(self.number), self.argument) if part
        )


@dataclass(frozen=True)
class Section:
    """A block of text, with an optional heading. `preformatted` text is shown as is, to copy."""

    text: str
    title: str | None = None
    preformatted: bool = False


@dataclass(frozen=True)
class Reply:
    """A reply to a command or a DM: sections of text and the actions that go with them.

    Replies are ephemeral (only the student sees them) unless `ephemeral` is False, which the
    core never sets for anything that names a contact.
    """

    sections: tuple[Section, ...]
    actions: tuple[Action, ...] = ()
    ephemeral: bool = True
    is_error: bool = False
    # For a form: what is wrong with each field ("name", "when" ...), beside the text.
    field_errors: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def text(cls, *paragraphs: str, actions: Iterable[Action] = ()) -> Reply:
        return cls(tuple(Section(p) for p in paragraphs if p), tuple(actions))

    @classmethod
    def error(cls, *paragraphs: str, actions: Iterable[Action] = ()) -> Reply:
        """A user error: what is wrong and how to do it right. Changes nothing."""
        return cls(tuple(Section(p) for p in paragraphs if p), tuple(actions), is_error=True)

    def with_notice(self, notice: Section | None) -> Reply:
        """The same reply with `notice` first (e.g. "I couldn't DM you")."""
        if notice is None:
            return self
        return Reply(
            (notice, *self.sections),
            self.actions,
            self.ephemeral,
            self.is_error,
            self.field_errors,
        )

    def plain_text(self) -> str:
        """The reply as plain text: headings on their own line, sections apart."""
        blocks = []
        for section in self.sections:
            blocks.append(f"{section.title}\n{section.text}" if section.title else section.text)
        return "\n\n".join(blocks)
