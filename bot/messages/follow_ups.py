"""The answers to /followups: the list, and what done, snooze and skip say."""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain import Conversation, FollowUp, FollowUpStatus, Standing
from bot.formatting import clip, format_left, format_moment
from bot.messages.words import (
    follow_up_actions,
    method_label,
    method_label_of,
    snoozable,
    standing_word,
    status_word,
    time_left,
)
from bot.replies import Action, ActionKind, Reply, Section
from rules.engine import KindRule, QuietHours, Rulebook, should_nudge

__all__ = [
    "DUE_SOON_WITHIN",
    "PER_PAGE",
    "ListSection",
    "already_done",
    "done_reply",
    "event_key",
    "greeting_changed",
    "greeting_problem",
    "home_reply",
    "list_filter",
    "list_reply",
    "list_section",
    "no_such_follow_up",
    "no_such_kind",
    "not_skippable",
    "nothing_to_snooze",
    "skip_question",
    "skipped",
    "snooze_reply",
    "snooze_word_hint",
    "too_late_to_snooze",
    "too_long_to_check",
    "who",
    "wrong_method",
]


def who(follow_up: FollowUp, conversation: Conversation) -> str:
    """ "Jane Doe at Acme": the one person a follow-up goes to."""
    return f"{follow_up.contact_in(conversation)} at {conversation.company}"


def everyone_at(conversation: Conversation) -> str:
    """ "Priya Raman and Tom O'Brien at Stripe": everyone the conversation was with."""
    return f"{conversation.contact_name} at {conversation.company}"


def greeting_changed(follow_up: FollowUp, contact: str, greeting: str | None) -> Reply:
    how = f"“{greeting}”" if greeting is not None else "their usual greeting"
    return Reply.text(
        f"The drafts to {contact} now greet them with {how}: /followups draft {follow_up.number}."
    )


def greeting_problem(number: int, limit: int | None = None) -> str:
    if limit is not None:
        return f'A greeting is at most {limit} characters, like /followups edit {number} greet:"Dr. Raman".'
    return f'Greet them how? Like /followups edit {number} greet:"Dr. Raman".'


def no_such_kind(text: str, rulebook: Rulebook) -> str:
    kinds = ", ".join(rulebook.kinds)
    return (
        f"“{clip(text, 40)}” is no kind of conversation I know. The kinds: {kinds} (or their "
        "other names: coffee chat, mixer, career fair…)."
    )


def no_such_follow_up(number: int) -> str:
    return f"You have no follow-up #{number}. /followups lists yours."


class ListSection(enum.Enum):
    """Where a follow-up shows in /followups, in this order."""

    DUE_SOON = "Due soon"
    LATER = "Later"
    OPTIONAL = "Optional"
    MISSED = "Missed lately"


# How far ahead "due soon" looks: a window that closes within two days is the next thing to do.
DUE_SOON_WITHIN = timedelta(hours=48)
# Follow-ups a page shows, where the platform has no reason for another number.
PER_PAGE = 10


def list_section(
    follow_up: FollowUp,
    conversation: Conversation,
    rulebook: Rulebook,
    now: datetime,
    standing: Standing | None = None,
) -> ListSection:
    """The section an open or missed follow-up shows in: missed; optional, when the rules
    nudge no one for it whatever the student's settings (a brief fair chat below the priority
    cut); else due soon or later by when its window (ideal, else adequate) closes. `standing`,
    when known, says which are optional (`bot.domain.standing`)."""
    if follow_up.status is FollowUpStatus.MISSED or follow_up.due_by <= now:
        return ListSection.MISSED
    if standing is not None:
        if standing is Standing.OPTIONAL:
            return ListSection.OPTIONAL
    else:
        kind = rulebook.kinds.get(conversation.kind)
        if kind is not None and not should_nudge(
            kind, priority=conversation.priority, nudges_on=True, job_accepted=False
        ):
            return ListSection.OPTIONAL
    closes = follow_up.ideal_by if follow_up.ideal_by > now else follow_up.due_by
    return ListSection.DUE_SOON if closes - now <= DUE_SOON_WITHIN else ListSection.LATER


def event_key(event: str) -> str:
    """A short key for an event's name, for a Next button's value (the name may be long)."""
    digest = hashlib.sha256(" ".join(event.casefold().split()).encode()).hexdigest()
    return digest[:6].upper()


def list_filter(kind: KindRule | None, event: str | None) -> str:
    """What a Next button carries of the list's filter: "fair1on1Z1A2B3C"."""
    kind_part = kind.key.replace("-", "").replace("_", "") if kind is not None else ""
    return kind_part + (f"Z{event_key(event)}" if event else "")


def _row(
    follow_up: FollowUp,
    conversation: Conversation,
    section: ListSection,
    rulebook: Rulebook,
    now: datetime,
    standing: Standing | None,
) -> str:
    line = (
        f"#{follow_up.number} {follow_up.contact_in(conversation)}, {conversation.company}: "
        f"{method_label(follow_up, rulebook)}"
    )
    if standing is None:
        if follow_up.optional and section is not ListSection.OPTIONAL:  # its heading says so
            line += " (optional)"
    elif standing is Standing.PAUSED or (
        standing is Standing.OPTIONAL and section is not ListSection.OPTIONAL
    ):
        # Only what the bot doesn't nudge about is marked: a nudged brief chat is not optional.
        line += f" ({standing_word(standing)})"
    if follow_up.due_by > now:
        line += f", {time_left(follow_up, now)}"
    else:
        line += f", closed {format_left(now - follow_up.due_by)} ago"
    if conversation.priority is not None:
        line += f" · priority {conversation.priority}"
    if conversation.event:
        line += f" · {conversation.event}"
    return line


def list_reply(
    rows: Sequence[tuple[FollowUp, Conversation, ListSection]],
    *,
    rulebook: Rulebook,
    now: datetime,
    page: int = 1,
    per_page: int | None = PER_PAGE,
    filtered: str = "",
    kind: KindRule | None = None,
    event: str | None = None,
    standings: Mapping[int, Standing] | None = None,
) -> Reply:
    """/followups: one page of the student's follow-ups (`per_page` None: all of them), in
    sections (due soon, later, optional, missed lately), each row with its buttons; Previous
    and Next when there are other pages. `rows` are in the order shown; `filtered` says what
    they were narrowed to ("interviews", "at Spring Fair"), `kind` and `event` are that filter
    for the page buttons; `standings` (by follow-up id) tells the optional and paused ones
    apart."""
    if not rows:
        if filtered:
            return Reply.text(f"No follow-ups {filtered}. /followups lists all of yours.")
        return Reply.text(
            "Nothing pending. After your next conversation, record it with /met "
            "(/met help shows how)."
        )
    size = len(rows) if per_page is None else max(per_page, 1)
    pages = max(1, -(-len(rows) // size))
    page = min(max(page, 1), pages)
    shown = rows[(page - 1) * size : page * size]
    totals = {section: 0 for section in ListSection}
    for _, _, section in rows:
        totals[section] += 1
    sections: list[Section] = []
    actions: list[Action] = []
    pending = sum(n for section, n in totals.items() if section is not ListSection.MISSED)
    if pending == 0 and page == 1:
        sections.append(Section("Nothing pending right now."))
    for section in ListSection:
        mine = [(f, c) for f, c, s in shown if s is section]
        if not mine:
            continue
        lines = [
            _row(f, c, section, rulebook, now, (standings or {}).get(f.id or 0)) for f, c in mine
        ]
        if section is ListSection.OPTIONAL:
            lines.append("No nudges for these: a short note is welcome if you want one.")
        if section is ListSection.MISSED:
            lines.append("A late note is still better than none: send it, then /followups done N.")
        sections.append(Section("\n".join(lines), title=f"{section.value} ({totals[section]})"))
        for follow_up, _ in mine:
            open_ = section is not ListSection.MISSED
            actions += follow_up_actions(
                follow_up, snooze=open_ and snoozable(follow_up, now, rulebook)
            )
    footer = ["Mark one: /followups done N · snooze N 2h · skip N"]
    if pages > 1:
        footer.insert(
            0,
            f"Page {page} of {pages} ({len(rows)} follow-ups{' ' + filtered if filtered else ''}): "
            "/followups list N for page N, /followups list all for all of them.",
        )
        token = list_filter(kind, event)
        if page > 1:
            actions.append(Action(ActionKind.PAGE, "Previous", page - 1, 0, token))
        if page < pages:
            actions.append(Action(ActionKind.PAGE, "Next", page + 1, 0, token))
    sections.append(Section("\n".join(footer)))
    return Reply(tuple(sections), tuple(actions))


def home_reply(listed: Reply, settings: Reply) -> Reply:
    """A home page: the list's page (with its buttons), then the settings under a heading."""
    shown = list(settings.sections)
    if shown and shown[0].title is None:
        shown[0] = Section(shown[0].text, title="Your settings")
    return Reply((*listed.sections, *shown), listed.actions)


# -- done ------------------------------------------------------------------------------------


def already_done(follow_up: FollowUp, conversation: Conversation) -> Reply:
    return Reply.text(f"#{follow_up.number} ({who(follow_up, conversation)}) is already done.")


def done_reply(
    follow_up: FollowUp,
    conversation: Conversation,
    still_open: Sequence[FollowUp],
    rulebook: Rulebook,
) -> Reply:
    via = f" by {method_label_of(follow_up.done_via, rulebook)}" if follow_up.done_via else ""
    lines = [
        f"Done: #{follow_up.number}, {who(follow_up, conversation)}{via}. Well done: that's how people "
        "remember you."
    ]
    lines += [
        f"The {method_label(sibling, rulebook)} (#{sibling.number}) is still open."
        for sibling in still_open
    ]
    return Reply.text(*lines)


def wrong_method(
    follow_up: FollowUp,
    method: str,
    *,
    sibling: FollowUp | None,
    kind: KindRule | None,
    rulebook: Rulebook,
) -> str:
    """/followups done N linkedin for a follow-up by email: which one is by LinkedIn, or why
    there is none."""
    label = method_label(follow_up, rulebook)
    if sibling is not None:
        return (
            f"#{follow_up.number} is the {label}; the {method_label(sibling, rulebook)} is "
            f"#{sibling.number}: /followups done {sibling.number}."
        )
    if method == "linkedin" and kind is not None and kind.linkedin_advice and not kind.event:
        return f"#{follow_up.number} is a thank-you {label}. {kind.linkedin_advice}"
    return f"#{follow_up.number} is a follow-up by {label}: /followups done {follow_up.number}."


# -- snooze ----------------------------------------------------------------------------------


def nothing_to_snooze(follow_up: FollowUp) -> str:
    return f"#{follow_up.number} is {status_word(follow_up.status)}: there's nothing to snooze."


def too_late_to_snooze(follow_up: FollowUp, now: datetime) -> str:
    left = format_left(follow_up.due_by - now) if follow_up.due_by > now else "no time"
    return (
        f"#{follow_up.number} has {left} left before its deadline, too little to snooze. "
        f"Send it now, or /followups skip {follow_up.number}."
    )


def snooze_word_hint(problem: str) -> str:
    """A duration that isn't one: the parser's words, and the other way to say it."""
    return f"{problem} Or say when: tomorrow, until monday, friday 3pm."


def snooze_reply(
    follow_up: FollowUp,
    conversation: Conversation,
    *,
    moment: datetime,
    now: datetime,
    zone: ZoneInfo,
    clamped: bool,
    quiet: QuietHours | None,
    nudged: bool,
) -> Reply:
    """Snoozed until when, and why not when asked: past the deadline, or in quiet hours
    (`quiet`, when the snooze moved out of them); or, when no moment before the deadline is
    outside quiet hours and still ahead, that the reminder comes right away (`moment` is
    `now`)."""
    if moment <= now and quiet is not None:
        lines = [
            f"#{follow_up.number} ({who(follow_up, conversation)}) can't be snoozed: its deadline is "
            f"{format_moment(follow_up.due_by, zone)}, and until then you have quiet hours "
            f"({quiet})."
        ]
        if nudged:
            lines.append("So I'll remind you right away instead, while you're up.")
        else:
            lines.append("Your nudges are off for this one, so no DM will come.")
        return Reply.text(*lines)
    lines = [
        f"Snoozed #{follow_up.number} ({who(follow_up, conversation)}) until {format_moment(moment, zone)}."
    ]
    if clamped:
        lines.append(
            f"That would have been past the deadline ({format_moment(follow_up.due_by, zone)}), "
            f"so I'll nudge you {format_left(follow_up.due_by - moment)} before it instead."
        )
    if quiet is not None:
        lines.append(f"That is outside your quiet hours ({quiet}).")
    if not nudged:
        lines.append("Your nudges are off for this one, so no DM will come.")
    return Reply.text(*lines)


# -- skip ------------------------------------------------------------------------------------


def not_skippable(follow_up: FollowUp, conversation: Conversation) -> str:
    return (
        f"#{follow_up.number} ({who(follow_up, conversation)}) is {status_word(follow_up.status)}."
    )


def skip_question(follow_up: FollowUp, conversation: Conversation, kind: KindRule) -> Reply:
    """Skip a follow-up the guide says to send always? Asked once, with the way to confirm."""
    assert follow_up.id is not None
    why = (
        "a short thank-you can decide between you and another candidate"
        if kind.key == "interview"
        else "a short thank-you keeps the door open"
    )
    return Reply.text(
        f"After a conversation like this ({kind.label}) the guide says to follow up always, "
        f"without exception: {why}. #{follow_up.number} is for {who(follow_up, conversation)}.",
        f"Skip it anyway? /followups skip {follow_up.number} confirm",
        actions=[
            Action(ActionKind.SKIP, "Skip anyway", follow_up.number, follow_up.id, "confirm"),
            Action(ActionKind.SNOOZE, "Snooze 2h", follow_up.number, follow_up.id, "2h"),
        ],
    )


def skipped(follow_up: FollowUp, conversation: Conversation, kind: KindRule | None) -> Reply:
    advice = (
        " That's fine: you need not follow up with everyone, only with people you related "
        "to or want to learn more about."
        if kind is not None and kind.event
        else ""
    )
    return Reply.text(f"Skipped #{follow_up.number} ({who(follow_up, conversation)}).{advice}")


# -- check -----------------------------------------------------------------------------------


def too_long_to_check(length: int, limit: int) -> str:
    return f"That's {length:,} characters; I check up to {limit:,} at a time. Check it in parts."
