"""A club's own rulebook and templates as tests paste them: the bundled ones, with a kind only
the club has (alumni dinners: an email ideally within a day, still fine up to three) and its
own subject line for the drafts after one."""

from __future__ import annotations

from importlib import resources

__all__ = [
    "ALUMNI_DINNER",
    "BUNDLED",
    "BUNDLED_DRAFTS",
    "CLUB_RULEBOOK",
    "CLUB_TEMPLATES",
    "QUICK_NETWORKING",
]

BUNDLED = resources.files("rules").joinpath("rulebook.toml").read_text("utf-8")
BUNDLED_DRAFTS = resources.files("rules").joinpath("drafts.toml").read_text("utf-8")
ALUMNI_DINNER = """
[kinds.alumni-dinner]
label = "alumni dinner"
aliases = ["alumni night", "dinner with alumni"]
event = true
linkedin_advice = ""
[[kinds.alumni-dinner.follow_ups]]
methods = ["email"]
what = "a thank-you email to the alum you sat with, naming what they told you"
length = "a few sentences"
advice = "thank them for their time and name one thing they told you"
ideal_hours = 24
adequate_days = 3
"""
CLUB_RULEBOOK = BUNDLED + ALUMNI_DINNER
CLUB_TEMPLATES = BUNDLED_DRAFTS.replace(
    '    "Great to meet you at {event}",\n    "Thank you for the conversation at {event}",\n'
    '    "Following up from {event}",\n',
    '    "Career Club alumni night: thank you, {first_name}",\n',
).replace('kinds = ["networking", "group"]', 'kinds = ["networking", "group", "alumni-dinner"]')
# The club's rulebook with networking windows that differ visibly from the guide's 48 hours
# and 21 days: ideally within 12 hours, still fine up to 2 days.
QUICK_NETWORKING = CLUB_RULEBOOK.replace(
    "ideal_hours = 48\nadequate_days = 21\n\n[kinds.group]",
    "ideal_hours = 12\nadequate_days = 2\n\n[kinds.group]",
    1,
)
assert QUICK_NETWORKING != CLUB_RULEBOOK
