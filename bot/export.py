"""A student's data as files to take along: a CSV of every follow-up with its conversation, and
an iCalendar (RFC 5545) file of the open deadlines, each an event with an alarm, in the
student's zone.

The CSV is UTF-8 (with a byte-order mark, so that Excel reads names in any script), one row a
follow-up. A cell a spreadsheet would run as a formula (one that starts with =, +, -, @, a tab
or a carriage return: OWASP's list) is written with a leading apostrophe, so that a contact
named "=HYPERLINK(...)" stays text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event

from bot.domain import Conversation, FollowUp, FollowUpStatus, Person, standing
from bot.fairs import FairReport
from bot.replies import File
from rules.engine import Rulebook

__all__ = [
    "ALARM_BEFORE",
    "CSV_COLUMNS",
    "FAIR_COLUMNS",
    "calendar_file",
    "csv_file",
    "fairs_file",
    "safe_cell",
]

CSV_COLUMNS = (
    "number",
    "contact",
    "company",
    "kind",
    "met at",
    "event",
    "priority",
    "talked about",
    "follow up by",
    "ideally by",
    "at the latest by",
    "status",
    "sent by",
    "closed at",
)
# The student's fair lists: one row a company on a list, then one a company met off the list.
FAIR_COLUMNS = ("fair", "day", "place", "company", "tier", "met", "follow-ups")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# An open deadline's calendar alarm rings this long before it: time enough to write a note.
ALARM_BEFORE = timedelta(hours=2)
# A deadline is shown as a short event ending at it, so it sits in the day view at its time.
EVENT_LENGTH = timedelta(minutes=30)
_PRODUCT = "-//followup-bot//Follow-ups//EN"
_STAMP = "%Y-%m-%d %H:%M"


def safe_cell(value: str) -> str:
    """`value` as a spreadsheet shows it, never runs it."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def csv_file(
    rows: Sequence[tuple[FollowUp, Conversation]],
    *,
    rulebook: Rulebook,
    zone: ZoneInfo,
    name: str = "followups.csv",
    person: Person | None = None,
    now: datetime | None = None,
) -> File:
    """Every follow-up and its conversation, times in `zone`. With `person` and `now`, the
    status says where each stands then (optional, paused, missed once its window closed: see
    `bot.domain.standing`); without, its stored status."""

    def local(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime(_STAMP) if moment else ""

    table = []
    for follow_up, conversation in rows:
        kind = rulebook.kinds.get(conversation.kind)
        table.append(
            [
                str(follow_up.number),
                conversation.contact_name,
                conversation.company,
                kind.label if kind else conversation.kind,
                local(conversation.met_at),
                conversation.event or "",
                str(conversation.priority or ""),
                conversation.topics,
                " or ".join(follow_up.methods),
                local(follow_up.ideal_by),
                local(follow_up.due_by),
                (
                    standing(follow_up, conversation, person, rulebook, now).value
                    if person is not None and now is not None
                    else follow_up.status.value
                ),
                follow_up.done_via or "",
                local(follow_up.closed_at),
            ]
        )
    return _csv(CSV_COLUMNS, table, name)


def _csv(header: Sequence[str], rows: Sequence[Sequence[str]], name: str) -> File:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for cells in rows:
        writer.writerow([safe_cell(cell) for cell in cells])
    return File(name, out.getvalue().encode("utf-8-sig"), "text/csv")


def fairs_file(reports: Sequence[FairReport], *, name: str = "fairs.csv") -> File:
    """The student's fair lists: each company on a list with its place and tier, whom they met
    there and their follow-ups' numbers and statuses; then those met off the list."""
    rows = []
    for report in reports:
        fair = report.fair
        day = fair.held_on.isoformat()
        for entry in fair.entries:
            visits = report.visits_of(entry)
            rows.append(
                [
                    fair.name,
                    day,
                    str(entry.position),
                    entry.company,
                    str(entry.priority),
                    "; ".join(v.conversation.contact_name for v in visits),
                    _statuses(v.follow_ups for v in visits),
                ]
            )
        for visit in report.unplanned:
            rows.append(
                [
                    fair.name,
                    day,
                    "not on the list",
                    visit.conversation.company,
                    "",
                    visit.conversation.contact_name,
                    _statuses([visit.follow_ups]),
                ]
            )
    return _csv(FAIR_COLUMNS, rows, name)


def _statuses(follow_ups: Iterable[Sequence[FollowUp]]) -> str:
    return "; ".join(f"#{f.number} {f.status.value}" for group in follow_ups for f in group)


def calendar_file(
    rows: Sequence[tuple[FollowUp, Conversation]],
    *,
    now: datetime,
    zone: ZoneInfo,
    name: str = "followups.ics",
) -> File:
    """The open deadlines still ahead, each an event ending at it (the ideal one while it is
    ahead, else the last adequate one) with a display alarm `ALARM_BEFORE`, in `zone`."""
    calendar = Calendar()
    calendar.add("prodid", _PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Follow-ups")
    for follow_up, conversation in rows:
        if follow_up.status is not FollowUpStatus.PENDING or follow_up.due_by <= now:
            continue
        deadline = follow_up.ideal_by if follow_up.ideal_by > now else follow_up.due_by
        summary = (
            f"Follow up #{follow_up.number}: {conversation.contact_name}, "
            f"{conversation.company} ({' or '.join(follow_up.methods)})"
        )
        event = Event()
        event.add("uid", f"follow-up-{follow_up.id}@followup-bot")
        event.add("dtstamp", now)
        event.add("dtstart", (deadline - EVENT_LENGTH).astimezone(zone))
        event.add("dtend", deadline.astimezone(zone))
        event.add("summary", summary)
        if conversation.topics:
            event.add("description", f"You talked about: {conversation.topics}")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", -ALARM_BEFORE, parameters={"related": "END"})
        event.add_component(alarm)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return File(name, calendar.to_ical(), "text/calendar")
