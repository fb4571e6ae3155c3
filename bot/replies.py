"""What the bot says: neutral replies that every adapter renders its own way.

The core writes plain text, never markup: adapters escape all of it for their platform (Slack
mrkdwn, Discord markdown), so nothing a student types can become a mention or a link. Structure
that markup would carry (a heading, a block to copy) is expressed by `Section` fields instead.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from bot.formatting import format_moment
from bot.met import MetInput

__all__ = [
    "FAIR_LABEL",
    "Action",
    "ActionKind",
    "Choice",
    "CorrectionForm",
    "DigestPost",
    "EventAction",
    "EventButton",
    "EventCard",
    "FairPrefill",
    "File",
    "Notice",
    "NoticeKind",
    "Reply",
    "Section",
]


class ActionKind(enum.StrEnum):
    DONE = "done"
    SNOOZE = "snooze"
    SKIP = "skip"
    DRAFT = "draft"
    DELETE = "delete"  # with "confirm": the answer to "delete this conversation?"
    EDIT = "edit"  # opens the /met form filled in, to correct the conversation
    # Another page of /followups: the page is the action's number, its filter the argument;
    # it acts on no follow-up (its id is 0) and shows the clicker's own list.
    PAGE = "page"
    # One follow-up with its buttons: what picking it from a DM's menu of follow-ups answers
    # (the follow-ups past the ones a DM has buttons for); "/followups show N" when typed.
    SHOW = "show"


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
        """The command that does the same: "/followups snooze 3 2h", "/followups list 2"."""
        if self.kind is ActionKind.PAGE:
            return f"/followups list {self.number}"
        return " ".join(
            part for part in ("/followups", self.kind, str(self.number), self.argument) if part
        )


class Choice(NamedTuple):
    """A follow-up to pick from a menu (a select on Slack and Discord): `action` (kind SHOW)
    answers with its buttons. `name` says who ("Priya Shah, Acme"), after its number;
    `detail`, what and by when ("email, 2 days left")."""

    action: Action
    name: str
    detail: str = ""

    @property
    def label(self) -> str:
        """ "#7 Priya Shah, Acme": the number first, so a platform that clips it keeps it."""
        return f"#{self.action.number} {self.name}"


@dataclass(frozen=True)
class Section:
    """A block of text, with an optional heading. `preformatted` text is shown as is, to copy."""

    text: str
    title: str | None = None
    preformatted: bool = False


class NoticeKind(enum.StrEnum):
    """What a notice is about, so an adapter can add its platform's help beside it."""

    DMS_CLOSED = "dms-closed"  # shown first: the student's DMs failed, nudges stopped
    ZONE_HINT = "zone-hint"  # shown last, once: how to set a time zone the platform didn't share


@dataclass(frozen=True)
class Notice:
    """Something the core tells the student besides the answer to their command."""

    kind: NoticeKind
    section: Section


@dataclass(frozen=True)
class File:
    """A file that goes with a reply (an export): delivered privately, as each platform can
    (a DM file on Slack, an attachment on Discord, a file written by the console)."""

    name: str
    content: bytes
    media_type: str


@dataclass(frozen=True)
class CorrectionForm:
    """The /met form filled in with a recorded conversation (`fields`), to correct it: an
    adapter with forms opens it, and its submission is `/followups edit` of follow-up #`number`
    (`follow_up_id`, checked against the submitter like a button's)."""

    fields: MetInput
    number: int
    follow_up_id: int


@dataclass(frozen=True)
class Reply:
    """A reply to a command or a DM: sections of text and the actions that go with them.

    A reply to a command is for the student's eyes only: adapters show it ephemerally (it may
    name a contact, and contacts are private).
    """

    sections: tuple[Section, ...]
    actions: tuple[Action, ...] = ()
    is_error: bool = False
    # For a form: what is wrong with each field ("name", "when" ...), beside the text.
    field_errors: Mapping[str, str] = field(default_factory=dict)
    notices: tuple[Notice, ...] = ()
    files: tuple[File, ...] = ()
    # A form to open in answer (an Edit button); the sections say how to type it instead.
    form: CorrectionForm | None = None
    # Open the fair-list form in answer (/fair alone, no list yet) where the platform has
    # forms; the sections say how to type it instead.
    fair_form: bool = False
    # Open the form to paste a club's own rulebook ("rulebook") or templates ("drafts") in
    # (/club rules paste) where the platform has forms; the sections say how to type it instead.
    rules_form: str | None = None
    # The /met form to open, filled in (a Log who I met button); the sections say how to type
    # it instead.
    met_form: MetInput | None = None
    # The fair-list form to open, filled in (a fair's My priority list button); the sections
    # say how to type it instead.
    fair_prefill: FairPrefill | None = None
    # Buttons about a club's event, in a DM (Log who I met, after it).
    event_actions: tuple[EventAction, ...] = ()
    # Follow-ups to pick from, past those with buttons (a moment's DM about many): a select
    # where the platform has one, the commands to type elsewhere.
    choices: tuple[Choice, ...] = ()

    @classmethod
    def text(cls, *paragraphs: str, actions: Iterable[Action] = ()) -> Reply:
        return cls(tuple(Section(p) for p in paragraphs if p), tuple(actions))

    @classmethod
    def error(cls, *paragraphs: str, actions: Iterable[Action] = ()) -> Reply:
        """A user error: what is wrong and how to do it right. Changes nothing."""
        return cls(tuple(Section(p) for p in paragraphs if p), tuple(actions), is_error=True)

    def with_notices(self, *notices: Notice) -> Reply:
        """The same reply with `notices` added (e.g. "I couldn't DM you")."""
        if not notices:
            return self
        return replace(self, notices=(*self.notices, *notices))

    def shown_sections(
        self, help: Mapping[NoticeKind, Section] | None = None
    ) -> tuple[Section, ...]:
        """What to show, in order: DMs-closed notices, the answer, zone hints; after each
        notice, the platform's `help` for its kind, if the adapter has some."""

        def told(kind: NoticeKind) -> list[Section]:
            shown: list[Section] = []
            for notice in self.notices:
                if notice.kind is kind:
                    shown.append(notice.section)
                    if help and kind in help:
                        shown.append(help[kind])
            return shown

        return (
            *told(NoticeKind.DMS_CLOSED),
            *self.sections,
            *told(NoticeKind.ZONE_HINT),
        )

    def plain_text(self) -> str:
        """The reply as plain text: headings on their own line, sections apart."""
        blocks = []
        for section in self.shown_sections():
            blocks.append(f"{section.title}\n{section.text}" if section.title else section.text)
        return "\n\n".join(blocks)


class EventButton(enum.StrEnum):
    """The buttons under an event card: anyone in the channel may click them."""

    GOING = "going"  # private: the card shows only how many
    LOG = "log"  # opens /met's form with the event and its kind filled in
    # A fair's: opens the clicker's priority list for it, prefilled with its companies
    FAIR = "fair"


class EventAction(NamedTuple):
    """A button about a club's event in a DM: the core checks the clicker was going to it."""

    button: EventButton
    event_id: int
    label: str

    @property
    def command(self) -> str:
        """The command that does the same: "/club log 12"."""
        return f"/club {self.button} {self.event_id}"


# The label of a fair's priority-list button, on its card and in a DM after it.
FAIR_LABEL = "My priority list"


@dataclass(frozen=True)
class FairPrefill:
    """The fair-list form, filled in from a club's fair (its My priority list button): the
    fair's name, its day ("2026-03-14", as the form's day reads it) and its companies, one a
    line, for the student to order and tier."""

    name: str
    when: str
    companies: str


@dataclass(frozen=True)
class EventCard:
    """An event's card in its club's channel, as every platform shows it: the title, its time
    (each reader's own zone where the platform can show it; `zone`, the club's, elsewhere), its
    kind, a fair's companies, how many are going, and its buttons. Organizer text is plain text,
    escaped by each adapter like everything else."""

    event_id: int
    club_name: str
    title: str
    kind_label: str
    starts_at: datetime
    ends_at: datetime
    zone: ZoneInfo
    companies: tuple[str, ...] = ()
    going: int = 0
    cancelled: bool = False
    # A career fair's card offers the clicker's priority list for it.
    is_fair: bool = False

    @property
    def when(self) -> str:
        """ "Thu 12 Mar 18:00–20:00 EDT", in the club's zone."""
        start, end = self.starts_at.astimezone(self.zone), self.ends_at.astimezone(self.zone)
        shown = format_moment(self.starts_at, self.zone)
        if start.date() == end.date():
            return shown.replace(f"{start:%H:%M}", f"{start:%H:%M}–{end:%H:%M}", 1)
        return f"{shown} – {format_moment(self.ends_at, self.zone)}"

    @property
    def going_text(self) -> str:
        if self.cancelled:
            return "This event is cancelled."
        if self.going == 0:
            return "Nobody has said they're going yet."
        return "1 person is going." if self.going == 1 else f"{self.going} people are going."

    @property
    def companies_text(self) -> str:
        return f"Companies: {', '.join(self.companies)}" if self.companies else ""

    @property
    def buttons(self) -> tuple[tuple[EventButton, str, str], ...]:
        """(button, label, the command that does the same), none once cancelled."""
        if self.cancelled:
            return ()
        going = (EventButton.GOING, "Going", f"/club going {self.event_id}")
        log = (EventButton.LOG, "Log who I met", f"/club log {self.event_id}")
        if self.is_fair:
            return going, (EventButton.FAIR, FAIR_LABEL, f"/club fair {self.event_id}"), log
        return going, log

    def plain_text(self, when: str | None = None) -> str:
        """The card as lines of text, with `when` as the platform shows it (the club's zone by
        default)."""
        title = f"{self.title} (cancelled)" if self.cancelled else self.title
        lines = [title, f"{when or self.when} · {self.kind_label}"]
        if self.companies_text:
            lines.append(self.companies_text)
        lines.append(self.going_text)
        return "\n".join(lines)


@dataclass(frozen=True)
class DigestPost:
    """A club's digest in its channel: counts only, never a contact, and no student's name but
    those who opted in to shout-outs. Plain text, escaped by each adapter."""

    title: str
    lines: tuple[str, ...]

    def plain_text(self) -> str:
        return "\n".join((self.title, *self.lines))
