"""The console as a student uses it: `followup-bot console` driven through stdin."""

from __future__ import annotations

import csv
import os
import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

SCRIPT = """\
/met Jane Doe, Acme, interview, talked about Kafka and her move from intern to team lead
/met Sam Lee, Initech, networking, her path into product event:"Tech Mixer"
/followups
:advance 25h
/followups done 2 linkedin
:as alice
/followups
/followups done 1
:as student
:advance 2d
/followups
:now
"""

DM_HEADER = re.compile(r"^\[DM to (\w+) at (\d{4}-\d\d-\d\d \d\d:\d\d) (\w+)\]$")


def console(
    tmp_path: Path, script: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "adapters.cli",
            "console",
            "--db",
            f"sqlite+aiosqlite:///{tmp_path}/console.db",
            *args,
        ],
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "LOG_LEVEL": "INFO", **(env or {})},
        check=False,
    )


def test_a_scripted_session(tmp_path: Path) -> None:
    result = console(tmp_path, SCRIPT, "--start", "2026-03-06T15:00", "--tz", "America/New_York")
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in out + result.stderr
    assert "> " not in out  # no prompts from a pipe
    assert "Saved: Jane Doe at Acme, interview, Fri 6 Mar 15:00 EST." in out
    assert "#1 Email to Jane Doe, by Sun 8 Mar 16:00 EDT (48 h left)" in out
    assert "Due soon (2)" in out

    headers = [m.groups() for line in out.splitlines() if (m := DM_HEADER.match(line))]
    assert headers[0] == ("student", "2026-03-07 15:00", "EST")  # the heads-up, 24 h on
    stamps = [stamp for _, stamp, _ in headers]
    assert stamps == sorted(stamps)
    # The DM's text and its actions follow the header: both heads-ups, due at one moment, in
    # one DM, the interview's (the sooner deadline) first.
    first_dm = out.split("[DM to student at 2026-03-07 15:00 EST]\n", 1)[1].split("[DM to")[0]
    assert first_dm.startswith("2 follow-ups to send\nThe most urgent first.")
    jane = first_dm.index("#1 Time to follow up: email to Jane Doe at Acme (24 h left)")
    sam = first_dm.index(
        "#2 Time to follow up: LinkedIn request or email to Sam Lee at Initech "
        "(ideally within 24 h, adequate for 20 days)"
    )
    assert jane < sam
    assert "[Done #1: /followups done 1] [Snooze 2h #1: /followups snooze 1 2h]" in first_dm
    assert "[Done #2: /followups done 2]" in first_dm

    assert "Done: #2, Sam Lee at Initech by LinkedIn request." in out
    assert "You have no follow-up #1. /followups lists yours." in out  # alice can't touch #1
    assert "The window to follow up with Jane Doe at Acme has closed" in out
    assert out.rstrip().endswith("It is Mon 9 Mar 17:00 EDT.")  # 73 h on, across DST


def test_nudges_respect_quiet_hours_in_the_students_zone(tmp_path: Path) -> None:
    script = '/met Jane Doe, Acme, interview when:"11:30pm"\n:advance 3d\n'
    result = console(tmp_path, script, "--start", "2026-03-06T23:45", "--tz", "Europe/Berlin")
    assert result.returncode == 0, result.stderr
    times = [m.group(2)[-5:] for line in result.stdout.splitlines() if (m := DM_HEADER.match(line))]
    assert times
    # Heads-up and last calls land outside 22:00-08:00; only the window-closed notice
    # (which reports the deadline) may be moved later, to 08:00.
    assert all("08:00" <= t < "22:00" for t in times), times


def test_bad_input_gets_one_clear_line_and_no_traceback(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "/met",
            "/met Jane Doe, Acme, brunch",
            "/followups frobnicate",
            "/followups done banana",
            "/followups snooze 4",
            "hello",
            ":teleport",
            ":advance forever",
            ":as bad name!",
            "/met " + "x" * 5000,
            "/met \x00\x07, \u202e, interview",
        ]
    )
    result = console(tmp_path, script + "\n", "--start", "2026-03-06T15:00")
    assert result.returncode == 0
    assert "Traceback" not in result.stdout + result.stderr
    assert "isn't a kind of conversation I know" in result.stdout
    assert "isn't a /followups command" in result.stdout
    assert "isn't a follow-up number" in result.stdout
    assert "Type :help" in result.stdout


def test_quit_stops_reading(tmp_path: Path) -> None:
    result = console(
        tmp_path, ":quit\n/met Jane Doe, Acme, interview\n", "--start", "2026-03-06T15:00"
    )
    assert result.returncode == 0
    assert "Saved" not in result.stdout


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--tz", "Mars/Olympus"], {}, "isn't a time zone I know"),
        (["--start", "soon"], {}, "--start"),
        ([], {"FOLLOWUP_RULEBOOK": "/nonexistent/rules.toml"}, "/nonexistent/rules.toml: (file)"),
        (["--db", "sqlite+aiosqlite:////nonexistent/dir/x.db"], {}, "can't use the database"),
        (["--db", "postgresql+asyncpg://u:hunter2@127.0.0.1:1/x"], {}, "can't use the database"),
        (["--start", "0001-01-01T00:00", "--tz", "Asia/Tokyo"], {}, "too far from today"),
        ([], {"FOLLOWUP_DRAFTS": "/nonexistent/drafts.toml"}, "/nonexistent/drafts.toml: (file)"),
    ],
)
def test_bad_options_fail_at_start_with_a_clear_message(
    tmp_path: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    result = console(tmp_path, "", *args, env=env)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert "hunter2" not in result.stderr


def test_a_draft_to_copy_and_a_check(tmp_path: Path) -> None:
    script = """\
/followups settings name Alex Kim
/met Jane Doe, Acme, interview, talked about Kafka and her move from intern to team lead
/followups draft 1
/followups check thank you for the the interview  yesterday
"""
    result = console(tmp_path, script, "--start", "2026-03-06T15:00", "--tz", "America/New_York")
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "[Draft: /followups draft 1] [Done: /followups done 1]" in out
    # The draft is printed as it is, between two rules, so it is clear what to copy.
    lines = out.split("#1 Email to Jane Doe\n", 1)[1].splitlines()
    rule = "─" * 40
    assert lines[0] == rule
    end = lines.index(rule, 1)
    email, rest = "\n".join(lines[1:end]), "\n".join(lines[end + 1 :])
    assert email.startswith("Subject: ")
    assert email.endswith("\nAlex Kim")
    assert "Before you send" in rest
    assert "Spelling and grammar: No issues found." in rest
    assert "Repeated word: “the the” → “the”" in out
    assert "Doubled space: “interview  yesterday”" in out


def test_an_interview_recorded_at_dawn_gets_its_last_call_at_once(tmp_path: Path) -> None:
    # 05:35 in Berlin, quiet hours until 08:00, the thank-you due at 06:35.
    script = '/met Jane Doe, Acme, interview when:"47 hours ago"\n:advance 3h\n'
    result = console(tmp_path, script, "--start", "2026-03-10T05:35", "--tz", "Europe/Berlin")
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "#1 Email to Jane Doe, by Tue 10 Mar 06:35 CET (1 h left)" in out
    assert "I'll nudge you: right away (last call)." in out
    headers = [m.groups() for line in out.splitlines() if (m := DM_HEADER.match(line))]
    assert headers == [
        ("student", "2026-03-10 05:35", "CET"),
        ("student", "2026-03-10 08:00", "CET"),
    ]
    assert "[DM to student at 2026-03-10 05:35 CET]\n#1 Last call: email to Jane Doe" in out


def test_export_writes_a_csv_and_a_calendar_and_prints_their_paths(tmp_path: Path) -> None:
    script = """\
/met Jane Doe, Acme, interview, talked about Kafka, and streams
/met =HYPERLINK("http://evil.example"), Globex, networking
/followups edit 1 name:Jane Doe-Smith
/followups export
/followups export
"""
    exports = tmp_path / "exports"
    result = console(
        tmp_path,
        script,
        "--start",
        "2026-03-06T15:00",
        "--tz",
        "America/New_York",
        "--export-dir",
        str(exports),
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Traceback" not in out + result.stderr
    assert "Saved: Jane Doe-Smith at Acme" in out
    written = re.findall(r"^Wrote (.+)$", out, re.MULTILINE)
    assert [Path(p).name for p in written] == [
        "student-followups-2026-03-06.csv",
        "student-followups-2026-03-06.ics",
        "student-followups-2026-03-06-2.csv",  # the first ones are kept
        "student-followups-2026-03-06-2.ics",
    ]
    with Path(written[0]).open(encoding="utf-8-sig", newline="") as table:
        rows = list(csv.DictReader(table))
    assert [(r["number"], r["contact"], r["company"]) for r in rows] == [
        ("1", "Jane Doe-Smith", "Acme"),
        ("2", '\'=HYPERLINK("http://evil.example")', "Globex"),
    ]
    assert rows[0]["talked about"] == "talked about Kafka, and streams"
    calendar = icalendar.Calendar.from_ical(Path(written[1]).read_bytes())
    summaries = sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT"))
    assert summaries == [
        "Follow up #1: Jane Doe-Smith, Acme (email)",
        'Follow up #2: =HYPERLINK("http://evil.example"), Globex (linkedin or email)',
    ]


def test_forget_me_in_the_console_asks_first(tmp_path: Path) -> None:
    script = """\
/met Jane Doe, Acme, interview
/followups forget-me
/followups
/followups forget-me confirm
/followups
"""
    result = console(tmp_path, script, "--start", "2026-03-06T15:00", "--tz", "UTC")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "/followups forget-me confirm" in out
    assert "I deleted everything I kept about you" in out
    before, after = out.split("I deleted everything I kept about you")
    assert "Jane Doe" in before
    assert "Jane Doe" not in after


def test_the_list_in_pages_in_the_console(tmp_path: Path) -> None:
    met = "".join(f"/met Person {n}, Company {n}, interview\n" for n in range(1, 13))
    script = met + "/followups\n/followups list 2\n/followups list all\n/followups list coffee\n"
    result = console(tmp_path, script, "--start", "2026-03-06T15:00", "--tz", "America/New_York")
    assert result.returncode == 0, result.stderr
    _, first, second, everything = result.stdout.split("Due soon (12)")
    assert "Page 1 of 2 (12 follow-ups)" in first
    assert "[Next: /followups list 2]" in first
    assert "#11 Person 11" not in first
    assert "#11 Person 11" in second
    assert "[Previous: /followups list 1]" in second
    assert "#1 Person 1," in everything
    assert "#12 Person 12" in everything
    everything = everything.split("No follow-ups")[0]
    assert "Page" not in everything
    assert "[Next" not in everything
    assert "No follow-ups of kind 1-on-1 call." in result.stdout


CLUB_SCRIPT = """\
:in #career-club
/club setup Career Club tz:America/Chicago
:as bob
/club setup Bob's Club
:as student
/club organizers add @bob
:as bob
/club setup tz:America/New_York
:dm
/club
"""


def test_a_club_is_set_up_from_its_channel(tmp_path: Path) -> None:
    result = console(tmp_path, CLUB_SCRIPT, "--start", "2026-03-06T15:00")
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "You are now in #career-club." in out
    assert "This channel is now the club Career Club, in America/Chicago time." in out
    assert "Sorry, only the organizers of Career Club can change its set-up." in out
    assert "member bob is now an organizer of this club." in out
    assert "Saved: this channel is the club Career Club, in America/New_York time." in out
    assert "You are now in your DMs with the bot." in out
    assert out.rstrip().endswith(
        "A club is a shared channel: use /club in the channel your club meets in (not in a "
        "DM), and /club setup there to start one."
    )


EVENT_SCRIPT = """\
:in #career-club
/club setup Career Club tz:America/Chicago
/club event "Deloitte Night <!channel>" when:"thu 6pm-8pm" kind:networking
/club event "Spring Fair" when:"sat 10am-2pm" kind:fair companies:"Acme, Globex"
:as bob
:in #career-club
/club going 1
/club log 2
"""

POST_HEADER = re.compile(
    r"^\[(POST|UPDATE) to #career-club at (\d{4}-\d\d-\d\d \d\d:\d\d) (\w+)\]$"
)


def test_event_cards_are_posted_and_updated_in_the_channel(tmp_path: Path) -> None:
    result = console(
        tmp_path, EVENT_SCRIPT, "--start", "2026-03-06T15:00", "--tz", "America/New_York"
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr
    headers = [m.groups() for line in out.splitlines() if (m := POST_HEADER.match(line))]
    # Printed in the club's zone: the console starts at 15:00 in New York.
    assert headers == [
        ("POST", "2026-03-06 14:00", "CST"),
        ("POST", "2026-03-06 14:00", "CST"),
        ("UPDATE", "2026-03-06 14:00", "CST"),
    ]
    assert (
        "Deloitte Night <!channel>\nThu 12 Mar 18:00–20:00 CDT · networking event\n"
        "Nobody has said they're going yet.\n[Going: /club going 1] [Log who I met: /club log 1]"
    ) in out
    assert "Companies: Acme, Globex" in out
    # The card names the event a career fair; "career fair chat" is what a member logs at it.
    assert " · career fair\nCompanies: Acme, Globex" in out
    assert (
        "Deloitte Night <!channel>\nThu 12 Mar 18:00–20:00 CDT · networking event\n1 person is going."
        in out
    )
    assert "You're going to Deloitte Night <!channel>. Only you see this" in out
    assert (
        "Log who you met at Spring Fair: /met NAME, COMPANY, fair, what you talked about event:#2"
        in out
    )


FAIR_SCRIPT = """\
:in #career-club
/club setup Career Club tz:America/Chicago
/club event "Spring Fair" when:"sat 10am-2pm" kind:fair companies:"Acme, Globex, Initech"
:as bob
:in #career-club
/club fair 1
/fair plan "Spring Fair" Globex:1, Acme:2 when:2026-03-07
/club fair 1
/fair add "Spring Fair" Initech:2
"""


def test_my_priority_list_in_the_console_says_what_to_type_then_shows_the_list(
    tmp_path: Path,
) -> None:
    result = console(
        tmp_path, FAIR_SCRIPT, "--start", "2026-03-06T15:00", "--tz", "America/New_York"
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert (
        "[Going: /club going 1] [My priority list: /club fair 1] [Log who I met: /club log 1]"
        in out
    )
    assert 'To type it: /fair plan "Spring Fair" Acme, Globex, Initech when:2026-03-07' in out
    assert "Planned Spring Fair: 2 companies in order of interest." in out
    assert (
        "Not on your list for Spring Fair yet, of the fair's companies: Initech. To add them: "
        '/fair add "Spring Fair" Initech (a tier after a colon, like Initech:2).'
    ) in out
    assert "3. Initech (tier 2): not visited yet" in out


PROMPT_SCRIPT = """\
:in #career-club
/club setup Career Club tz:America/New_York
/club event "Deloitte Night" when:"fri 6pm-8pm" kind:networking
:as bob
/club going 1
:as carol
/club going 1
:advance 7h
:as bob
:dm
/club log 1
/met Priya Raman, Deloitte, networking, audit careers event:"Deloitte Night"
:advance 2d
"""


def test_members_who_went_are_prompted_and_reminded_once(tmp_path: Path) -> None:
    result = console(
        tmp_path, PROMPT_SCRIPT, "--start", "2026-03-06T15:00", "--tz", "America/New_York"
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr
    prompt = (
        "How was Deloitte Night? Log who you met, while the names are fresh.\n\n"
        "Or type: /met NAME, COMPANY, networking event:#1\n"
        "[Log who I met: /club log 1]"
    )
    assert f"[DM to bob at 2026-03-06 21:00 EST]\n{prompt}" in out
    assert f"[DM to carol at 2026-03-06 21:00 EST]\n{prompt}" in out
    assert "Log who you met at Deloitte Night: /met NAME, COMPANY, networking" in out
    # Bob logged who he met: only Carol hears once more, the next day, and then nothing.
    assert (
        "[DM to carol at 2026-03-07 21:00 EST]\nStill time to follow up after Deloitte Night" in out
    )
    assert out.count("Still time to follow up") == 1
    assert out.count("How was Deloitte Night?") == 2


CLUB_SEASON = """\
:in #career-club
/club setup Career Club tz:America/New_York
/club digest weekly mon 9:00
/club event "Deloitte Night" when:"fri 6pm-8pm" kind:networking
/club event "Spring Fair" when:"sat 10am-2pm" kind:fair companies:"Acme, Globex"
:as ann
:in #career-club
/club going 1
:as ben
:in #career-club
/club going 1
:as cat
:in #career-club
/club going 1
:advance 4h
:as ann
:dm
/followups settings shoutouts on
/met Priya Raman, Deloitte, networking, audit careers event:"Deloitte Night"
:as ben
:dm
/met Tom Obrien, Deloitte, networking, the graduate scheme event:"Deloitte Night"
/followups done 1
:advance 3d
"""

HEADER = re.compile(r"^\[(POST|UPDATE|DM) to (#?[\w-]+) at (\d{4}-\d\d-\d\d \d\d:\d\d) (\w+)\]$")


def test_a_clubs_season_in_the_console(tmp_path: Path) -> None:
    """An organizer sets up a club, posts a networking event and a fair; three members click
    Going, two log conversations; the clock moves past the prompts, the 48-hour digests and
    a weekly digest. Every DM and post is checked, and no contact reaches the channel."""
    result = console(
        tmp_path, CLUB_SEASON, "--start", "2026-03-06T15:00", "--tz", "America/New_York"
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr
    blocks = out.split("\n\n")
    headed = [(m.groups(), block) for block in blocks if (m := HEADER.match(block.split("\n")[0]))]
    seen = [(what, to, at) for (what, to, at, _), _ in headed]
    assert seen == [
        ("POST", "#career-club", "2026-03-06 15:00"),  # Deloitte Night's card
        ("POST", "#career-club", "2026-03-06 15:00"),  # Spring Fair's card
        ("UPDATE", "#career-club", "2026-03-06 15:00"),  # 1 going
        ("UPDATE", "#career-club", "2026-03-06 15:00"),  # 2 going
        ("UPDATE", "#career-club", "2026-03-06 15:00"),  # 3 going
        ("DM", "ann", "2026-03-06 21:00"),  # the prompts, an hour after the end
        ("DM", "ben", "2026-03-06 21:00"),
        ("DM", "cat", "2026-03-06 21:00"),
        ("DM", "ann", "2026-03-07 19:00"),  # Ann's own follow-up nudges
        ("DM", "cat", "2026-03-07 21:00"),  # the reminder: Cat logged nothing
        ("DM", "ann", "2026-03-08 14:00"),  # as the ideal 48 hours end (an event: no last calls)
        ("POST", "#career-club", "2026-03-08 21:00"),  # Deloitte Night + 48 h
        ("POST", "#career-club", "2026-03-09 09:00"),  # the weekly digest
        ("POST", "#career-club", "2026-03-09 15:00"),  # Spring Fair + 48 h
    ]
    posts = {block.split("\n")[1]: block for (what, *_), block in headed if what == "POST"}
    assert "Companies: Acme, Globex" in posts["Spring Fair"]
    assert "3 people are going." in headed[4][1]
    prompt = "How was Deloitte Night? Log who you met, while the names are fresh."
    assert all(prompt in block for (_, to, *_), block in headed[5:8])
    assert "Still time to follow up after Deloitte Night" in headed[9][1]
    night = posts["After Deloitte Night: how Career Club followed up"]
    # Two members logged: every figure is too few to report, and nobody is named.
    assert night.split("\n")[2:6] == [
        "Members who logged conversations: too few to report",
        "Conversations logged: too few to report",
        "Follow-ups sent on time: too few to report",
        "Still open: too few to report",
    ]
    weekly = posts["Career Club this week: how members followed up"]
    assert "Members who logged conversations: too few to report" in weekly
    assert "Still open? The guide says a late follow-up is still fine for 21 days" in weekly
    channel = "\n".join(block for (what, *_), block in headed if what in ("POST", "UPDATE"))
    for private in ("Priya", "Raman", "Tom", "Obrien", "audit", "graduate", "ann", "ben", "cat"):
        assert private not in channel


# A career fair as a student records it that evening, a conversation every couple of minutes:
# nine people worth following up (two good one-on-ones, each a double follow-up; three
# one-on-ones; two brief chats at priority 1) and two brief chats below the cut (optional).
FAIR = """\
/met Priya Raman, Stripe, fair-good, talked about their payments infrastructure team and the new grad program event:"Spring Career Fair"
:advance 2m
/met Tom O'Brien, Datadog, fair-1on1, asked about observability internships and how their interviews work event:"Spring Career Fair"
:advance 2m
/met Ana Ruiz, Globex, fair-good, we discussed robotics and her path from intern to lead event:"Spring Career Fair"
:advance 2m
/met Min-jun Park, Hooli, career fair, a quick chat about their data team priority:1 event:"Spring Career Fair"
:advance 2m
/met Sara Cohen, Initech, career fair, brief chat about the summer internship priority:2 event:"Spring Career Fair"
:advance 2m
/met HR team, Acme, career fair, they said to apply online priority:3 event:"Spring Career Fair"
:advance 2m
/met Luis Gomez, Umbrella, fair-1on1, talked about bioinformatics roles and the lab tour event:"Spring Career Fair"
:advance 2m
/met Chen Wei, Soylent, brief chat, food science and their rotational program priority:1 event:"Spring Career Fair"
:advance 2m
/met Fatima Zahra, Wayne Enterprises, fair-1on1, we talked about security engineering and their rotation program event:"Spring Career Fair"
:advance 3d
"""

PANEL = """\
/met Priya Raman; Tom O'Brien and Ana Ruiz, Globex, interview, talked about the platform team's roadmap and how they run on-call
:advance 3d
"""


def _dms(out: str, zone: str) -> list[tuple[datetime, set[int]]]:
    """Each DM the console printed: when it was sent (UTC), and the follow-up numbers it
    names."""
    found: list[tuple[datetime, set[int]]] = []
    for part in out.split("[DM to ")[1:]:
        header, _, body = part.partition("\n")
        stamp = re.match(r"\w+ at (\d{4}-\d\d-\d\d \d\d:\d\d)", header)
        assert stamp is not None, header
        at = datetime.fromisoformat(stamp[1]).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
        body = body.split("\nIt is now")[0]
        found.append((at, {int(n) for n in re.findall(r"#(\d+)", body)}))
    return found


def _sent_nudges(database: Path) -> tuple[list[tuple[int, datetime]], list[str]]:
    """Every nudge sent, as (follow-up number, when), and the states of those still due."""
    with sqlite3.connect(database) as db:
        sent = [
            (number, datetime.fromisoformat(at).replace(tzinfo=UTC))
            for number, at in db.execute(
                "SELECT f.number, n.sent_at FROM nudges n JOIN follow_ups f "
                "ON f.id = n.follow_up_id WHERE n.status = 'sent'"
            )
        ]
        stuck = [
            status
            for (status,) in db.execute(
                "SELECT n.status FROM nudges n WHERE n.status IN ('sending', 'failed') "
                "OR (n.status = 'pending' AND n.next_attempt_at <= "
                "(SELECT MAX(sent_at) FROM nudges))"
            )
        ]
    return sent, stuck


@pytest.mark.parametrize(
    ("script", "at_most", "follow_ups"),
    [
        pytest.param(FAIR, 6, {1, 2, 3, 4, 5, 6, 9, 10, 11}, id="nine-at-a-career-fair"),
        pytest.param(PANEL, 4, {1, 2, 3}, id="a-panel-of-three"),
    ],
)
def test_a_moment_is_one_dm_and_every_due_nudge_is_in_one(
    tmp_path: Path, script: str, at_most: int, follow_ups: set[int]
) -> None:
    result = console(tmp_path, script, "--start", "2026-03-06T17:30", "--tz", "America/New_York")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    dms = _dms(result.stdout, "America/New_York")
    assert 1 <= len(dms) <= at_most, [at for at, _ in dms]
    sent, stuck = _sent_nudges(tmp_path / "console.db")
    assert stuck == []  # every nudge that fell due went out
    assert {number for number, _ in sent} == follow_ups  # the optional chats: none
    for number, at in sent:
        # ...in the DM sent at that moment, which names its follow-up.
        assert any(when == at and number in named for when, named in dms), (number, at)


def test_a_moments_menu_is_a_list_of_commands_and_each_shows_its_buttons(
    tmp_path: Path,
) -> None:
    met = "".join(f"/met Person {n}, Acme, interview\n" for n in range(1, 8))
    script = met + ":advance 25h\n/followups show 7\n"
    result = console(tmp_path, script, "--start", "2026-03-06T15:00", "--tz", "America/New_York")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # The DM's buttons are for #1 to #5; the others, a line each with what picks them.
    assert "Or pick one:\n  #6 Person 6, Acme (email, 24 h left): /followups show 6\n" in out
    assert "  #7 Person 7, Acme (email, 24 h left): /followups show 7\n" in out
    assert "#7 Time to follow up: email to Person 7 at Acme" in out
    assert "[Done: /followups done 7]" in out
