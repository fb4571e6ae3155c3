"""The console scripts a club's own rulebook: an organizer pastes it (:paste ... :end), a bad
one is refused naming the paste, the key and the problem, and a member's /met in the channel
is planned and nudged by the club's kind and windows."""

from __future__ import annotations

from pathlib import Path

from tests.club_rulebooks import ALUMNI_DINNER as DINNER
from tests.club_rulebooks import BUNDLED, QUICK_NETWORKING
from tests.e2e.test_console import console

SCRIPT = f"""\
:in #career-club
/club setup Career Club tz:America/Chicago
:paste /club rules set
{BUNDLED.replace("version = 1", "version = 7", 1)}
:end
:paste /club rules set
{BUNDLED}
{DINNER}
:end
:as maya
/club rules
/met Priya Raman, Deloitte, alumni night, talked about audit
:advance 4d
"""


def test_a_club_rulebook_pasted_in_the_console_plans_a_members_follow_ups(
    tmp_path: Path,
) -> None:
    result = console(tmp_path, SCRIPT, "--start", "2026-03-06T15:00", "--tz", "America/Chicago")
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in out + result.stderr
    _refused, rest = out.split("That rulebook can't be used, so nothing changed.", 1)
    assert rest.lstrip().startswith("your pasted rulebook: version: must be 1")
    assert "Career Club now uses its own rulebook" in rest
    assert "Career Club uses its own rulebook, set by " in rest
    assert "alumni dinner (alumni-dinner): email ideally within 24 hours, still fine up to " in rest
    assert "Saved: Priya Raman at Deloitte, alumni dinner, Fri 6 Mar 15:00 CST." in rest
    # The club's windows: ideally within 24 hours, still adequate until 3 days after.
    assert "by Sat 7 Mar 15:00 CST (24 h left); still adequate until Mon 9 Mar 16:00 CDT" in rest
    nudges = rest.split("[DM to maya at ")[1:]
    assert [dm.split("]")[0] for dm in nudges] == [
        "2026-03-07 09:00 CST",
        "2026-03-07 15:00 CST",
        "2026-03-08 16:00 CDT",  # an event's last call, a day before its adequate deadline
        "2026-03-09 16:00 CDT",
    ]
    assert all("Priya Raman" in dm for dm in nudges)
    assert all(
        "Tip: thank them for their time and name one thing they told you." in dm
        for dm in nudges[:3]
    )
    assert "Last call" in nudges[2]
    assert "has closed" in nudges[3]


EVENT_SCRIPT = f"""\
:in #career-club
/club setup Career Club tz:America/New_York
:paste /club rules set
{QUICK_NETWORKING}
:end
/club event "Deloitte Night" when:"fri 6pm-8pm" kind:networking
:as bob
/club going 1
:advance 7h
:dm
/club log 1
/met Priya Raman, Deloitte, networking, audit careers event:#1
:as carol
:dm
/met Omar Haddad, Deloitte, networking, tax event:"Deloitte Night"
/met Omar Haddad, Deloitte, networking, tax event:#1
"""


def test_what_a_member_logs_from_the_dm_after_a_club_event_follows_the_clubs_rulebook(
    tmp_path: Path,
) -> None:
    result = console(
        tmp_path, EVENT_SCRIPT, "--start", "2026-03-06T15:00", "--tz", "America/New_York"
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "Log who you met at Deloitte Night: /met NAME, COMPANY, networking" in out
    bob, carol = out.split("You are now carol.", 1)
    # Bob's, from the event's prompt: the club's 12 hours and 2 days.
    assert "Saved: Priya Raman at Deloitte, networking event at Deloitte Night" in bob
    assert "by Sat 7 Mar 10:00 EST (12 h left); still adequate until Sun 8 Mar 23:00 EDT" in bob
    # Carol only names it, in a DM: the guide's 48 hours and 21 days.
    assert "by Sun 8 Mar 23:00 EDT (48 h left); still adequate until Fri 27 Mar 23:00 EDT" in carol
    # And she wasn't going: its number is refused.
    assert "You haven't said you're going to an event #1." in carol
