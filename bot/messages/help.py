"""Help: how to record a conversation, and what /followups does."""

from __future__ import annotations

from bot.met import EXAMPLE
from bot.replies import Reply, Section
from rules.engine import Rulebook

__all__ = ["follow_ups_help", "met_help"]


def met_help(rulebook: Rulebook) -> Reply:
    kinds = "\n".join(
        f"  {key}: {kind.label}"
        + (f" (also: {', '.join(kind.aliases[:3])})" if kind.aliases else "")
        for key, kind in rulebook.kinds.items()
    )
    return Reply(
        (
            Section(
                "/met NAME, COMPANY, KIND[, what you talked about]\n"
                "Or as you would say it: /met Sam Lee at Initech, coffee chat, her path into "
                "product (kind: and notes: work too)\n"
                'Options anywhere: when:"yesterday 4pm" (default: now) · event:"Spring Fair" '
                '· priority:1 (career fairs; 1 = you care most) · greet:"Dr. Raman" (how the '
                "draft greets them)\n"
                'A panel: names between ; or "and" (Jo; Priya and Wen, Initech, interview), '
                "each gets their own email. No name caught: "
                "leave it out (/met , Acme, fair) and the draft greets the company's team.",
                title="Record a conversation",
            ),
            Section(f"Kinds:\n{kinds}"),
            Section(
                f"Examples:\n{EXAMPLE}\n"
                '/met Sam Lee, Initech, coffee chat, her path from support to product when:"2 hours ago"\n'
                '/met Ana Ruiz, Globex, fair-good, robotics internships event:"Spring Career Fair"\n'
                "/met Raj Patel, Hooli, career fair, priority:1\n"
                "/met Priya Raman; Tom O'Brien, Stripe, interview, I asked her about her team's "
                "on-call rotation"
            ),
        )
    )


def follow_ups_help() -> Reply:
    return Reply(
        (
            Section(
                "/followups (or /followups list): what you owe, most urgent first, a page at a "
                "time\n"
                '/followups list 2 · list all · list interviews · list event:"Spring Fair": '
                "another page, everything, one kind, one event\n"
                "/followups done 3 [email|linkedin]: you sent it\n"
                "/followups snooze 3 2h (or 30m, tomorrow): remind me later, never past the deadline\n"
                "/followups skip 3: you won't follow up (interviews ask you to confirm)\n"
                "/followups draft 3: a draft to copy, from what you noted at /met\n"
                '/followups edit 3 greet:"Dr. Raman": how the draft greets them (greet:off: as usual)\n'
                "/followups check TEXT: spelling and grammar of a message before you send it\n"
                "/followups settings: your time zone, quiet hours, nudges, job status, LinkedIn plan, name\n"
                "/met help: how to record a conversation",
                title="Your follow-ups",
            ),
            Section(
                "/followups edit 3 name:... company:... about:... when:... event:... priority:...: "
                "correct what you recorded (its reminders follow)\n"
                "/followups undo: take back your last /met (within 10 minutes)\n"
                "/followups delete 3: delete a conversation and its follow-ups\n"
                "/followups export: your data as a spreadsheet (CSV) and a calendar (.ics)\n"
                "/followups calendar: a private link that keeps your deadlines in your calendar "
                "(calendar reset: a new link)\n"
                "/followups link: a code to type on your other platform (Slack or Discord), "
                "for one list on both; /followups unlink splits them; "
                "/followups settings dm slack|discord: where reminders go\n"
                "/followups forget-me: delete everything I keep about you",
                title="Your data",
            ),
        )
    )
