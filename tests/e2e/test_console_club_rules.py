"""The console scripts a club's own rulebook: an organizer pastes it (:paste ... :end), a bad
one is refused naming the paste, the key and the problem, and a member's /met in the channel
is planned and nudged by the club's kind and windows."""

from __future__ import annotations

from pathlib import Path

from tests.club_rulebooks import ALUMNI_DINNER as DINNER
from tests.club_rulebooks import BUNDLED
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
