"""A career fair in the console, as a student lives it: the priority list before, four
conversations at the fair, the checklist that evening, the nudges of the next two days, and a
company moved up the list after it.

The README's "Career fairs" section shows this very session; it is written by the console
itself: `python -m tests.e2e.test_console_fair` prints it, and a test checks the README holds
what the console prints today.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

README = Path(__file__).parents[2] / "README.md"
START = ("--start", "2026-03-03T10:00", "--tz", "America/New_York")
SCRIPT = """\
/fair plan "Spring Career Fair" Acme:1, Globex:1, Initech:2, Hooli:2, Umbrella:3, Stark:3 when:friday
:advance 3d
/met Jane Doe, acme inc., career fair, their data platform team
/met Raj Patel, Initech, career fair, the summer internship timeline
/met Priya Raman, Globex, fair-good, her path from intern to tech lead
/met Bob Lee, Wayne Enterprises, career fair, their rotational program
:advance 9h
:advance 2d
/fair
/fair move Initech 1
"""
DM_HEADER = re.compile(r"^\[DM to student at (\d{4}-\d\d-\d\d \d\d:\d\d \w+)\]$", re.MULTILINE)


def transcript() -> str:
    """The session as the console prints it, commands echoed."""
    with tempfile.TemporaryDirectory() as directory:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "adapters.cli",
                "console",
                "--db",
                f"sqlite+aiosqlite:///{directory}/console.db",
                "--echo",
                *START,
            ],
            input=SCRIPT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout.rstrip() + "\n"


def _section(text: str, heading: str) -> str:
    """The text of a DM or reply section under `heading`, up to the next blank line."""
    return text.split(f"\n{heading}\n", 1)[1].split("\n\n", 1)[0]


def test_a_career_fair_from_the_list_to_the_nudges() -> None:
    out = transcript()
    # The list, before.
    assert "Planned Spring Career Fair: 6 companies in order of interest." in out
    assert "That evening I'll DM you a checklist (Fri 6 Mar 19:00 EST)." in out
    # At the fair: each /met matched, with its tier, or unplanned.
    assert "On your Spring Career Fair list: Acme (“acme inc.” matched), tier 1" in out
    assert "Saved: Jane Doe at Acme, career fair chat at Spring Career Fair, priority 1" in out
    assert "On your Spring Career Fair list: Initech, tier 2" in out
    assert "a brief chat with a tier-2 company is optional" in out
    assert "On your Spring Career Fair list: Globex, tier 1" in out
    assert "Not on your Spring Career Fair list: recorded as unplanned" in out

    stamps = DM_HEADER.findall(out)
    # The evening checklist first, then the nudges of the next two days, in order.
    assert stamps[0] == "2026-03-06 19:00 EST"
    assert stamps == sorted(stamps)
    evening = out.split("[DM to student at 2026-03-06 19:00 EST]\n", 1)[1].split("\n[DM", 1)[0]
    assert evening.startswith(
        "Your checklist for Spring Career Fair today: 3 of 6 priority companies visited, "
        "0 followed up; 1 more not on your list."
    )
    visited = _section(evening, "Visited from your list")
    assert visited.splitlines() == [
        "Acme (tier 1): Jane Doe, career fair chat: #1 email by Sun 8 Mar 11:00 EDT "
        "(I'll nudge you)",
        "Globex (tier 1): Priya Raman, career fair, good one-on-one: #3 email by Sun 8 Mar "
        "11:00 EDT; #4 LinkedIn request by Sun 8 Mar 11:00 EDT",
        "Initech (tier 2): Raj Patel, career fair chat: #2 email by Sun 8 Mar 11:00 EDT, "
        "optional: no nudges",
    ]
    assert _section(evening, "Not visited").splitlines() == [
        "Hooli (tier 2), Umbrella (tier 3), Stark (tier 3)",
        "If you did talk to them: /met NAME, Hooli, career fair",
    ]
    assert _section(evening, "Not on your list").startswith("Wayne Enterprises: Bob Lee")
    assert "You don't have to follow up with everybody; when in doubt, follow up." in evening

    # The nudges: the tier-1 brief chat (#1) and the good one-on-one (#3, #4), together in one
    # DM a moment (a heads-up, then the ideal window's end); never the tier-2 brief chat (#2)
    # nor the unplanned one (#5).
    nudges = out.split("[DM to student at ")[2:]
    assert [dm.split("]", 1)[0] for dm in nudges] == [
        "2026-03-07 10:00 EST",
        "2026-03-07 21:30 EST",
    ]
    for dm in nudges:
        body = dm.split("\nstudent> ", 1)[0]
        assert {n for n in re.findall(r"^#(\d+)", body, re.MULTILINE)} == {"1", "3"}
        assert "#4" in body
        assert "#2" not in body
        assert "#5" not in body
    assert "#1 Time to follow up: email to Jane Doe at Acme" in nudges[0]
    assert "#3 and #4 Ideal window ending: email and LinkedIn request to Priya Raman" in nudges[1]
    assert "a note within the next 20 days is still adequate" in nudges[1]

    # The list afterwards: what happened at each company.
    after = out.rsplit("student> /fair\n", 1)[1].split("student> ", 1)[0]
    # Past the ideal 48 hours, a fair's note is still adequate for three weeks: not missed.
    assert (
        "1. Acme (tier 1): Jane Doe, career fair chat: #1 email still adequate until "
        "Fri 27 Mar 11:00 EDT\n" in after
    )
    assert "#2 email still adequate until Fri 27 Mar 11:00 EDT, optional" in after
    assert "4. Hooli (tier 2): not visited yet" in after
    assert "3 of 6 priority companies visited, 0 followed up; 1 more not on your list." in after

    # Initech moved first, after the fair: tier 1, so the brief chat with Raj is nudged from
    # now, in the rulebook's cadence for what is left of its window.
    moved = out.rsplit("student> /fair move Initech 1\n", 1)[1]
    assert moved.startswith(
        "Moved Initech to number 1, tier 1 now (was 2).\nYour follow-up #2 with Raj Patel at "
        "Initech is now nudged, first reminder Fri 13 Mar 10:00 EDT."
    )
    assert (
        "1. Initech (tier 1): Raj Patel, career fair chat: #2 email still adequate until "
        "Fri 27 Mar 11:00 EDT\n" in moved
    )


def test_the_readme_shows_this_session_as_the_console_prints_it() -> None:
    readme = README.read_text(encoding="utf-8")
    shown = readme.split("<!-- fair-transcript -->\n```text\n", 1)[1].split("```\n", 1)[0]
    assert shown == transcript(), (
        "README's career-fair transcript is out of date: "
        "python -m tests.e2e.test_console_fair --write"
    )


def write_readme() -> None:
    """Put today's transcript into the README, between its markers."""
    readme = README.read_text(encoding="utf-8")
    before, rest = readme.split("<!-- fair-transcript -->\n```text\n", 1)
    after = rest.split("```\n", 1)[1]
    README.write_text(
        f"{before}<!-- fair-transcript -->\n```text\n{transcript()}```\n{after}", encoding="utf-8"
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write_readme()
    else:
        sys.stdout.write(transcript())
