"""The words of /fair: a fair's list and what happened there, the list of fairs, the line a
/met at a fair adds, and the evening DM after a fair."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain import Conversation, FairEntry, FairList, FollowUp, FollowUpStatus
from bot.fairs import FairReport, TierChange, Visit
from bot.formatting import format_moment
from bot.messages.words import kind_label, method_label
from bot.replies import Reply, Section
from rules.engine import KindRule, Rulebook

__all__ = [
    "GUIDE_ON_FAIRS",
    "evening_message",
    "fair_help",
    "fair_list_reply",
    "fairs_reply",
    "ignored_priority",
    "list_followed",
    "matched_line",
    "no_fair_yet",
    "no_such_company",
    "no_such_fair",
]

# A page of a fair's lines: room for it beside the reply's other sections within Discord's 6000
# characters a message (the tightest platform), with 50 companies of 100-character names.
PAGE_CHARS = 3000
NOT_VISITED = "Not visited"
# The guide's own words on whom to follow up with after a fair.
GUIDE_ON_FAIRS = "You don't have to follow up with everybody; when in doubt, follow up."

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def fair_day(day: date, today: date) -> str:
    """ "Fri 6 Mar 2026 (today)", "(in 3 days)", "(2 days ago)"."""
    shown = f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"
    days = (day - today).days
    when = {0: "today", 1: "tomorrow", -1: "yesterday"}.get(days)
    if when is None:
        when = f"in {days} days" if days > 0 else f"{-days} days ago"
    return f"{shown} ({when})"


def nudged_tiers(rulebook: Rulebook) -> str:
    """ "tier 1" or "tiers 1 to 2": the brief chats that get nudges."""
    top = rulebook.fair.nudge_priority_at_most
    return "tier-1" if top == 1 else f"tier-1 to tier-{top}"


def _follow_up_state(
    follow_up: FollowUp,
    conversation: Conversation,
    rulebook: Rulebook,
    zone: ZoneInfo,
    now: datetime,
) -> str:
    what = f"#{follow_up.number} {method_label(follow_up, rulebook)}"
    match follow_up.status:
        case FollowUpStatus.DONE:
            return f"{what} done"
        case FollowUpStatus.SKIPPED:
            return f"{what} skipped"
        case FollowUpStatus.MISSED:
            return f"{what} missed"
        case FollowUpStatus.NOT_NEEDED:
            return f"{what} not needed"
    # Optional only when the bot won't nudge about it: a tier-1 brief chat is one to send.
    optional = ", optional" if follow_up.optional and not _nudged(conversation, rulebook) else ""
    if follow_up.due_by <= now:
        return f"{what}, window closed {format_moment(follow_up.due_by, zone)}{optional}"
    if follow_up.ideal_by <= now:
        # Past the ideal 48 hours, an event's note is still adequate for weeks.
        return f"{what} still adequate until {format_moment(follow_up.due_by, zone)}{optional}"
    return f"{what} by {format_moment(follow_up.ideal_by, zone)}{optional}"


def _nudged(conversation: Conversation, rulebook: Rulebook) -> bool:
    """Whether a conversation's kind nudges it at its priority (a brief chat: its tier)."""
    kind = rulebook.kinds.get(conversation.kind)
    if kind is None:
        return False
    return kind.nudge_priorities is None or conversation.priority in kind.nudge_priorities


def _visit_line(visit: Visit, rulebook: Rulebook, zone: ZoneInfo, now: datetime) -> str:
    c = visit.conversation
    states = "; ".join(_follow_up_state(f, c, rulebook, zone, now) for f in visit.follow_ups)
    return f"{c.contact_name}, {kind_label(c.kind, rulebook)}: {states or 'nothing to send'}"


def _entry_lines(
    report: FairReport, rulebook: Rulebook, zone: ZoneInfo, now: datetime
) -> list[str]:
    lines = []
    for entry in report.fair.entries:
        head = f"{entry.position}. {entry.company} (tier {entry.priority})"
        visits = report.visits_of(entry)
        if not visits:
            lines.append(f"{head}: not visited yet")
        for visit in visits:
            lines.append(f"{head}: {_visit_line(visit, rulebook, zone, now)}")
    return lines


def _unplanned_lines(
    report: FairReport, rulebook: Rulebook, zone: ZoneInfo, now: datetime
) -> list[str]:
    """The conversations with companies not on the list."""
    return [
        f"{v.conversation.company}: {_visit_line(v, rulebook, zone, now)}" for v in report.unplanned
    ]


def summary_line(report: FairReport) -> str:
    """ "3 of 5 priority companies visited, 2 followed up." """
    total, visited = len(report.fair.entries), len(report.visited)
    followed = len(report.followed_up)
    unplanned = len({v.conversation.company_key for v in report.unplanned})
    extra = f"; {unplanned} more not on your list" if unplanned else ""
    return (
        f"{visited} of {total} priority {'company' if total == 1 else 'companies'} visited, "
        f"{followed} followed up{extra}."
    )


# A line of a paged reply: the title of the section it belongs to, and its text.
_Line = tuple[str, str]


def _paged(
    lines: Sequence[_Line], page: int, budget: int = PAGE_CHARS
) -> tuple[list[Section], int]:
    """Page `page` of `lines` (the last one if there are fewer), as sections, and how many
    pages there are: each page within `budget` characters, no line split."""
    pages: list[list[_Line]] = [[]]
    used = 0
    for line in lines:
        size = len(line[1]) + 2
        if pages[-1] and used + size > budget:
            pages.append([])
            used = 0
        pages[-1].append(line)
        used += size
    shown = pages[min(max(page, 1), len(pages)) - 1]
    sections = [
        Section((", " if title == NOT_VISITED else "\n").join(t for _, t in group), title=title)
        for title, group in itertools.groupby(shown, key=lambda line: line[0])
    ]
    return sections, len(pages)


def fair_list_reply(
    report: FairReport,
    *,
    rulebook: Rulebook,
    zone: ZoneInfo,
    now: datetime,
    heading: str = "",
    page: int = 1,
) -> Reply:
    """A fair's list: each company, its tier and what happened there, and the summary; a
    list too long for one reply comes in pages, each saying how to see the next."""
    fair, today = report.fair, now.astimezone(zone).date()
    title = f"{fair.name}, {fair_day(fair.held_on, today)}"
    sections = [Section(heading)] if heading else []
    lines = [(title, line) for line in _entry_lines(report, rulebook, zone, now)]
    lines += [("Not on your list", line) for line in _unplanned_lines(report, rulebook, zone, now)]
    shown, pages = _paged(lines, page)
    sections += shown
    if pages > 1:
        at = min(max(page, 1), pages)
        following = f' Next: /fair show "{fair.name}" page:{at + 1}' if at < pages else ""
        sections.append(Section(f"Page {at} of {pages}.{following}"))
    sections.append(Section(summary_line(report)))
    sections.append(
        Section(
            f"Brief chats with your {nudged_tiers(rulebook)} companies get nudges; the rest "
            f"are optional. {GUIDE_ON_FAIRS}"
        )
    )
    if fair.held_on >= today:
        sections.append(
            Section(
                "At the fair, /met each conversation (like /met Jane Doe, Acme, career fair): "
                "I'll match it to your list and give it the company's tier. "
                "/fair add, remove or move change the list."
            )
        )
    return Reply(tuple(sections))


def fairs_reply(fairs: Sequence[tuple[FairList, int]], today: date, page: int = 1) -> Reply:
    """/fair list: every fair, with how many of its companies were visited; in pages."""
    lines = [
        (
            "Your fairs",
            f"{fair.name}, {fair_day(fair.held_on, today)}: {len(fair.entries)} "
            f"{'company' if len(fair.entries) == 1 else 'companies'}, {visited} visited",
        )
        for fair, visited in fairs
    ]
    sections, pages = _paged(lines, page)
    if pages > 1:
        at = min(max(page, 1), pages)
        following = f" Next: /fair list page:{at + 1}" if at < pages else ""
        sections.append(Section(f"Page {at} of {pages}.{following}"))
    sections.append(Section('/fair show "NAME" shows one; /fair alone, the most recent.'))
    return Reply(tuple(sections))


def matched_line(fair: FairList, entry: FairEntry | None, typed: str) -> Section:
    """What a /met at a fair was taken as: a list entry (and its tier), or unplanned."""
    if entry is None:
        return Section(
            f"Not on your {fair.name} list: recorded as unplanned (it's in the fair's checklist)."
        )
    matched = "" if typed.casefold() == entry.company.casefold() else f" (“{typed}” matched)"
    return Section(
        f"On your {fair.name} list: {entry.company}{matched}, tier {entry.priority}, "
        f"number {entry.position} in your order."
    )


def list_followed(
    changes: Sequence[TierChange], unplanned: Sequence[Conversation], *, zone: ZoneInfo
) -> str:
    """What a change to a fair's list did to the conversations already recorded there, a line
    each after the change's own (so that a pager splits them between lines), or nothing."""
    said = []
    for change in changes:
        whose = f"Your follow-up #{change.number} with {change.contact} at {change.entry.company}"
        if not change.nudged:
            said.append(f"{whose} is optional now: no more reminders.")
        elif change.first_reminder is not None:
            first = format_moment(change.first_reminder, zone)
            said.append(f"{whose} is now nudged, first reminder {first}.")
        else:
            said.append(f"{whose} is no longer optional.")
    for conversation in unplanned:
        said.append(
            f"Your conversation with {conversation.contact_name} at {conversation.company} "
            "stays, as unplanned (not on your list); its follow-ups are unchanged."
        )
    return "".join(f"\n{sentence}" for sentence in said)


def ignored_priority(kind: KindRule) -> Section:
    """priority: on an interview or a call, where it means nothing."""
    article = "an" if kind.label[:1].casefold() in "aeiou" else "a"
    return Section(
        f"priority: is ignored for {article} {kind.label}: the guide says to follow up after "
        "every one, without exception, so every one gets its nudges. priority: is for brief "
        "chats at career fairs."
    )


def no_fair_yet() -> str:
    return (
        'You have no fair list yet. Plan one: /fair plan "Spring Career Fair" Acme, Globex, '
        "Initech when:friday (in order of interest; Acme:1, Initech:2 for tiers)."
    )


def no_such_fair(name: str, fairs: Sequence[FairList]) -> str:
    names = ", ".join(f"“{f.name}”" for f in fairs[:10])
    known = f" Yours: {names}." if names else ""
    return f"You have no fair called “{name}”.{known} /fair list shows them."


def no_such_company(company: str, fair: FairList) -> str:
    return (
        f"“{company}” isn't on your {fair.name} list. /fair show lists it; /fair add "
        f"{company} adds it."
    )


def fair_help(rulebook: Rulebook) -> Reply:
    return Reply.text(
        "/fair: your priority list for a career fair (the guide: make a priority list of the "
        "companies you are interested in).",
        '/fair plan "Spring Career Fair" Acme, Globex, Initech, Hooli when:friday: the list, '
        "in order of interest; Acme:1, Globex:1, Initech:2 for tiers (1 = most). Without "
        "when:, the next fair you planned, or today. /fair plan alone opens a form.",
        "/fair add Globex:1 · /fair remove Hooli · /fair move Initech 1: change it (a company "
        "moved among another tier's joins it; conversations already recorded follow).",
        '/fair or /fair show "Spring Career Fair": the list and what happened there. '
        "/fair list: all your fairs.",
        "At the fair, /met each conversation: a company on the list takes its tier; "
        f"brief chats with your {nudged_tiers(rulebook)} companies get nudges, the rest are "
        "optional. " + GUIDE_ON_FAIRS + " That evening I DM you a checklist.",
    )


def evening_message(
    report: FairReport, *, rulebook: Rulebook, zone: ZoneInfo, now: datetime, late: bool
) -> Reply:
    """The DM the evening of a fair: the companies on the list visited and what to send by
    when, those not visited (with the /met to record them), and the unplanned ones."""
    fair = report.fair
    sections = [
        Section(
            f"{'Sorry this is late. ' if late else ''}Your checklist for {fair.name} today: "
            f"{summary_line(report)}"
        )
    ]
    lines = [
        (
            "Visited from your list",
            f"{entry.company} (tier {entry.priority}): {_visit_line(visit, rulebook, zone, now)}"
            + _why_optional(visit.conversation, rulebook),
        )
        for entry in report.visited
        for visit in report.visits_of(entry)
    ]
    lines += [(NOT_VISITED, f"{e.company} (tier {e.priority})") for e in report.not_visited]
    lines += [("Not on your list", line) for line in _unplanned_lines(report, rulebook, zone, now)]
    shown, pages = _paged(lines, 1)
    for section in shown:
        if section.title == NOT_VISITED:
            # How to record one they did talk to, under the companies not visited.
            example = report.not_visited[0].company
            section = Section(
                f"{section.text}\nIf you did talk to them: /met NAME, {example}, career fair",
                title=NOT_VISITED,
            )
        sections.append(section)
    if pages > 1:
        sections.append(Section(f'That\'s what fits here: /fair show "{fair.name}" has it all.'))
    sections.append(
        Section(
            f"Brief chats with your {nudged_tiers(rulebook)} companies get nudges; the rest are "
            f"optional. {GUIDE_ON_FAIRS} /followups lists everything you owe."
        )
    )
    return Reply(tuple(sections))


def _why_optional(conversation: Conversation, rulebook: Rulebook) -> str:
    kind = rulebook.kinds.get(conversation.kind)
    if kind is None or not kind.optional:
        return ""
    if _nudged(conversation, rulebook):
        return " (I'll nudge you)"
    return ": no nudges"
