"""/followups export: the CSV read back with the csv module, the calendar parsed back with
icalendar; only ever the asker's own data."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import icalendar
import pytest

from bot.commands import Export, parse_command
from bot.domain import Address
from bot.export import ALARM_BEFORE, CSV_COLUMNS, safe_cell
from bot.replies import File, Reply
from bot.services import Requester
from bot.testing import TestBot

ALICE = Requester(Address("console", "ws", "alice"))
BOB = Requester(Address("console", "ws", "bob"))


async def say(bot: TestBot, text: str, who: Requester = ALICE) -> Reply:
    return await bot.service.handle(who, parse_command(text))


def rows_of(file: File) -> list[dict[str, str]]:
    assert file.media_type == "text/csv"
    assert file.content.startswith(b"\xef\xbb\xbf")  # UTF-8, marked for spreadsheets
    return list(csv.DictReader(io.StringIO(file.content.decode("utf-8-sig"), newline="")))


def events_of(file: File) -> list[icalendar.Event]:
    assert file.media_type == "text/calendar"
    calendar = icalendar.Calendar.from_ical(file.content)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    return list(calendar.walk("VEVENT"))


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("=1+2", "'=1+2"),
        ("+33 6 12", "'+33 6 12"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("Jane = Doe", "Jane = Doe"),
        ("", ""),
    ],
)
def test_a_cell_a_spreadsheet_would_run_stays_text(typed: str, kept: str) -> None:
    assert safe_cell(typed) == kept


async def test_the_csv_has_a_row_a_follow_up_and_every_column(bot: TestBot) -> None:
    await say(bot, "/followups settings tz Europe/Berlin")
    await say(bot, '/met Zoë Ångström, 東京 Labs, fair-good, Kafka, "streams" event:"Fair" prio:1')
    await say(bot, '/met =cmd|"/c calc"!A1, @Acme, interview, -talked about pay')
    await say(bot, "/followups done 1 email")
    reply = await say(bot, "/followups export")
    assert not reply.is_error, reply.plain_text()
    csv_file, ics_file = reply.files
    assert csv_file.name == "followups-2026-03-06.csv"
    assert ics_file.name == "followups-2026-03-06.ics"
    assert "3 follow-ups" in reply.plain_text()
    rows = rows_of(csv_file)
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [r["number"] for r in rows] == ["1", "2", "3"]
    first = rows[0]
    assert (first["contact"], first["company"], first["event"], first["priority"]) == (
        "Zoë Ångström",
        "東京 Labs",
        "Fair",
        "1",
    )
    assert first["talked about"] == 'Kafka, "streams"'
    assert first["met at"] == "2026-03-06 21:00"  # 20:00 UTC, in Berlin
    assert (first["status"], first["sent by"]) == ("done", "email")
    assert first["closed at"] == "2026-03-06 21:00"
    third = rows[2]
    assert third["contact"] == '\'=cmd|"/c calc"!A1'
    assert third["company"] == "'@Acme"
    assert third["talked about"] == "'-talked about pay"
    assert third["status"] == "pending"


async def test_the_calendar_has_each_open_deadline_with_an_alarm_in_the_students_zone(
    bot: TestBot,
) -> None:
    await say(bot, "/followups settings tz Asia/Tokyo")
    await say(bot, "/met Jane Doe, Acme, interview, Kafka")
    await say(bot, "/met John Roe, Globex, fair-good")  # email and LinkedIn: two follow-ups
    await say(bot, '/met Old Contact, Initech, interview when:"3 days ago"')  # its window closed
    await say(bot, "/followups done 2")
    reply = await say(bot, "/followups export")
    events = events_of(reply.files[1])
    assert "your 2 open deadlines, each with a reminder" in reply.plain_text()
    by_summary = {str(e["SUMMARY"]): e for e in events}
    assert sorted(by_summary) == [
        "Follow up #1: Jane Doe, Acme (email)",
        "Follow up #3: John Roe, Globex (linkedin)",
    ]
    jane = by_summary["Follow up #1: Jane Doe, Acme (email)"]
    end = jane.decoded("DTEND")
    assert end.tzinfo is not None
    assert str(jane["DTEND"].params["TZID"]) == "Asia/Tokyo"
    assert end.utcoffset() == timedelta(hours=9)
    assert end == bot.clock.now() + timedelta(hours=48)
    assert str(jane["DESCRIPTION"]) == "You talked about: Kafka"
    (alarm,) = jane.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm.decoded("TRIGGER") == -ALARM_BEFORE
    assert jane["UID"] != by_summary["Follow up #3: John Roe, Globex (linkedin)"]["UID"]
    # The zone's rules travel with the file, as RFC 5545 asks.
    calendar = icalendar.Calendar.from_ical(reply.files[1].content)
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Asia/Tokyo"


async def test_two_hundred_follow_ups_export_whole(bot: TestBot) -> None:
    name = "Maximiliane Alexandra Konstantinopoulou-Vanderbilt de la Cruz y Montenegro Ferreira"
    for n in range(100):
        await say(bot, f"/met {name} {n:03}, Company {n}, fair-good, priority:1")
    reply = await say(bot, "/followups export")
    rows = rows_of(reply.files[0])
    assert len(rows) == 200
    assert rows[-1]["contact"] == f"{name} 099"
    assert len(events_of(reply.files[1])) == 200


async def test_export_is_only_ones_own_and_says_so_when_there_is_nothing(bot: TestBot) -> None:
    await say(bot, "/met Jane Doe, Acme, interview", who=BOB)
    nothing = await bot.service.handle(ALICE, Export())
    assert nothing.is_error
    assert "nothing to export yet" in nothing.plain_text()
    assert nothing.files == ()
    await say(bot, "/met John Roe, Globex, interview")
    mine = await say(bot, "/followups export")
    assert [r["contact"] for r in rows_of(mine.files[0])] == ["John Roe"]
    assert "Jane" not in mine.files[1].content.decode()
