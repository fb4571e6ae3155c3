"""The services on the in-memory fake: what a student sees and what is stored."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.commands import MarkDone, Met, parse_command
from bot.domain import Address, FollowUpStatus, NudgeKind, NudgeStatus
from bot.met import MetInput
from bot.replies import ActionKind, Reply
from bot.services import FollowUpService, Requester
from bot.testing import FakeClock, InMemoryStorage
from rules.engine import Rulebook, load_rulebook
from tests.conftest import NEW_YORK

ALICE = Requester(Address("console", "ws", "alice"))
BOB = Requester(Address("console", "ws", "bob"))


async def say(service: FollowUpService, text: str, who: Requester = ALICE) -> Reply:
    return await service.handle(who, parse_command(text))


async def text_of(service: FollowUpService, text: str, who: Requester = ALICE) -> str:
    return (await say(service, text, who)).plain_text()


def pending_nudges(storage: InMemoryStorage) -> list[tuple[int, NudgeKind, datetime]]:
    pending = [n for n in storage.tables.nudges.values() if n.status is NudgeStatus.PENDING]
    pending.sort(key=lambda n: (n.due_at, n.follow_up_id))
    return [(n.follow_up_id, n.kind, n.due_at) for n in pending]


# -- /met ---------------------------------------------------------------------------------


async def test_met_interview_replies_with_the_plan(service: FollowUpService) -> None:
    reply = await say(
        service,
        "/met Jane Doe, Acme, interview, talked about Kafka and her move from intern to team lead",
    )
    text = reply.plain_text()
    assert not reply.is_error
    assert "Saved: Jane Doe at Acme, interview, Fri 6 Mar 15:00 EST." in text
    assert "#1 Email to Jane Doe, by Sun 8 Mar 16:00 EDT (48 h left)" in text
    assert "thank-you email naming the topics you discussed: Kafka and her move" in text
    assert "one or two short paragraphs" in text
    assert "Don't connect on LinkedIn yet" in text
    assert "I'll nudge you: Sat 7 Mar 15:00 EST (heads-up)" in text
    assert {a.kind for a in reply.actions} == {
        ActionKind.DRAFT,
        ActionKind.DONE,
        ActionKind.SNOOZE,
        ActionKind.EDIT,
    }
    assert next(a for a in reply.actions if a.kind is ActionKind.DRAFT).command == (
        "/followups draft 1"
    )


async def test_met_stores_conversation_follow_up_and_nudges(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    await say(service, '/met Jane Doe, Acme, interview when:"yesterday 4pm"')
    (conversation,) = memory_storage.tables.conversations.values()
    assert conversation.met_at == datetime(2026, 3, 5, 21, 0, tzinfo=UTC)
    (follow_up,) = memory_storage.tables.follow_ups.values()
    assert follow_up.number == 1
    assert follow_up.due_by == conversation.met_at + timedelta(hours=48)
    assert [(kind, due) for _, kind, due in pending_nudges(memory_storage)] == [
        (NudgeKind.HEADS_UP, datetime(2026, 3, 6, 21, 0, tzinfo=UTC)),  # Fri 16:00 EST
        (NudgeKind.LAST_CALL, datetime(2026, 3, 7, 15, 0, tzinfo=UTC)),  # Sat 10:00
        (NudgeKind.LAST_CALL, datetime(2026, 3, 7, 20, 0, tzinfo=UTC)),  # Sat 15:00
        (NudgeKind.WINDOW_CLOSED, datetime(2026, 3, 7, 21, 0, tzinfo=UTC)),
    ]


async def test_fair_good_is_a_double_follow_up(service: FollowUpService) -> None:
    text = await text_of(service, "/met Ana Ruiz, Globex, fair-good, robotics event:Spring Fair")
    assert "#1 Email to Ana Ruiz" in text
    assert "#2 LinkedIn request to Ana Ruiz" in text
    assert "at most 200 characters on your free plan" in text
    assert "at Spring Fair" in text


async def test_networking_is_linkedin_or_email_adequate_for_three_weeks(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    text = await text_of(service, "/met Sam Lee, Initech, networking, her path into product")
    assert "#1 LinkedIn request or email to Sam Lee" in text
    assert "still adequate until Fri 27 Mar" in text
    # The plan says each reminder for what it is: no last call while weeks remain.
    assert "Sun 8 Mar 10:00 EDT (as the ideal window ends)" in text
    assert "Fri 13 Mar 15:00 EDT (reminder)" in text
    assert "Thu 26 Mar 16:00 EDT (last call)" in text
    kinds = [kind for _, kind, _ in pending_nudges(memory_storage)]
    # As the ideal 48 hours end, then a week and two weeks on; one last call the day before.
    assert kinds.count(NudgeKind.REMINDER) == 3
    assert kinds.count(NudgeKind.LAST_CALL) == 1


async def test_brief_fair_chat_is_nudged_only_at_priority_1(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    text = await text_of(service, "/met Raj Patel, Hooli, career fair")
    assert "Optional" in text
    assert "I nudge only about the companies you care about most (tier 1" in text
    assert "/followups edit 1 priority:1" in text
    assert pending_nudges(memory_storage) == []
    await say(service, "/met Raj Patel, Hooli, career fair, priority:1")
    assert pending_nudges(memory_storage) != []


async def test_a_brief_chat_at_priority_2_is_told_it_is_optional_not_to_add_priority_1(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    text = await text_of(service, "/met Raj Patel, Hooli, career fair, priority:2")
    assert "a brief chat with a tier-2 company is optional" in text
    assert "You don't have to follow up with everybody; when in doubt, follow up." in text
    assert "add priority:1 next time" not in text
    assert pending_nudges(memory_storage) == []


async def test_priority_on_an_interview_is_ignored_and_the_reply_says_why(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    text = await text_of(service, "/met Jane Doe, Acme, interview, priority:3")
    assert "priority: is ignored for an interview" in text
    assert "without exception" in text
    assert "priority 3" not in text
    (conversation,) = memory_storage.tables.conversations.values()
    assert conversation.priority is None
    assert pending_nudges(memory_storage) != []


async def test_earlier_contacts_at_the_company_are_named(service: FollowUpService) -> None:
    await say(service, "/met Bob Lee, Acme Inc., fair-1on1")
    text = await text_of(service, "/met Jane Doe, acme, interview")
    assert (
        "Others you met at acme\nYou also met Bob Lee (career fair one-on-one, Fri 6 Mar 2026)."
        in text
    )


async def test_other_contacts_leave_out_the_same_person_and_repeats(
    service: FollowUpService,
) -> None:
    await say(service, "/met Bob Lee, Acme, fair-1on1")
    await say(service, "/met Bob Lee, Acme, call")
    await say(service, "/met Jane Doe, Acme, networking")
    text = await text_of(service, "/met Jane Doe, Acme, interview")
    assert text.count("Bob Lee") == 1
    assert "Bob Lee (1-on-1 call" in text
    assert "Jane Doe (" not in text


async def test_companies_without_letters_are_not_one_company(service: FollowUpService) -> None:
    await say(service, "/met Bob Lee, 🚀, interview")
    assert "Bob Lee" not in await text_of(service, "/met Al Ng, 🍎, call")


async def test_a_city_zone_is_asked_for(service: FollowUpService) -> None:
    # CET is an offset, not a place: summer time would be an hour off. (EST is read as New
    # York's clock: that is what students in a US club mean by it.)
    reply = await say(service, "/followups settings tz CET")
    assert reply.is_error
    assert "Europe/Berlin" in reply.plain_text()
    assert not (await say(service, "/followups settings tz utc")).is_error


async def test_earlier_contacts_are_per_student(service: FollowUpService) -> None:
    await say(service, "/met Bob Lee, Acme, fair-1on1", BOB)
    text = await text_of(service, "/met Jane Doe, Acme, interview")
    assert "Bob Lee" not in text


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/met , , interview", "Who did you meet?"),
        ("/met Jane Doe", "Which company"),
        ("/met Jane Doe, Acme, intervew", "Did you mean interview"),
        ("/met Jane Doe, Acme, interview when:tomorrow", "in the future"),
        ("/met Jane Doe, Acme, interview when:2025-01-01", "more than 60 days"),
        ("/met Jane Doe, Acme, fair, priority:7", "priority: is 1, 2 or 3"),
    ],
)
async def test_bad_met_says_what_is_wrong_and_changes_nothing(
    service: FollowUpService, memory_storage: InMemoryStorage, command: str, expected: str
) -> None:
    before = copy.deepcopy(memory_storage.tables)
    reply = await say(service, command)
    assert reply.is_error
    assert expected in reply.plain_text()
    assert "Example: /met" in reply.plain_text()
    after = memory_storage.tables
    assert (after.conversations, after.follow_ups, after.nudges) == (
        before.conversations,
        before.follow_ups,
        before.nudges,
    )


async def test_met_from_form_fields(service: FollowUpService) -> None:
    fields = MetInput(name="Jane Doe", company="Acme", kind="Coffee Chat", when="2 hours ago")
    reply = await service.handle(ALICE, Met(fields=fields))
    assert "Saved: Jane Doe at Acme, 1-on-1 call, Fri 6 Mar 13:00 EST." in reply.plain_text()


async def test_met_help_and_bare_met_show_examples(service: FollowUpService) -> None:
    for command in ("/met help", "/met"):
        text = await text_of(service, command)
        assert "/met NAME, COMPANY, KIND" in text
        assert "fair-good" in text


# -- /followups list, done, skip ----------------------------------------------------------


async def test_list_is_most_urgent_first_with_time_left(
    service: FollowUpService, clock: FakeClock
) -> None:
    await say(service, "/met Sam Lee, Initech, networking")
    await say(service, '/met Jane Doe, Acme, interview when:"yesterday 4pm"')
    text = await text_of(service, "/followups")
    lines = text.splitlines()
    assert lines[0] == "Due soon (2)"
    assert lines[1].startswith("#2 Jane Doe, Acme: email, 25 h left")
    assert lines[2].startswith(
        "#1 Sam Lee, Initech: LinkedIn request or email, ideally within 48 h, adequate for 21 days"
    )
    clock.advance(timedelta(days=3))
    text = await text_of(service, "/followups list")
    assert (
        "#1 Sam Lee, Initech: LinkedIn request or email, ideal window passed, adequate for" in text
    )
    assert "Missed lately (1)\n#2 Jane Doe, Acme: email, closed 47 h ago" in text


async def test_a_closed_window_is_missed_even_without_nudges(
    service: FollowUpService, memory_storage: InMemoryStorage, clock: FakeClock
) -> None:
    await say(service, "/followups settings nudges off")
    await say(service, "/met Jane Doe, Acme, interview")
    clock.advance(timedelta(hours=49))
    text = await text_of(service, "/followups")
    assert "Nothing pending right now." in text
    assert "#1 Jane Doe, Acme: email, closed 1 h ago" in text
    (follow_up,) = memory_storage.tables.follow_ups.values()
    assert follow_up.status is FollowUpStatus.MISSED
    snooze = await say(service, "/followups snooze 1 2h")
    assert snooze.is_error
    assert "Done: #1" in await text_of(service, "/followups done 1")
    clock.advance(timedelta(days=15))
    assert "Nothing pending" in await text_of(service, "/followups")


async def test_empty_list_says_how_to_start(service: FollowUpService) -> None:
    assert "Nothing pending" in await text_of(service, "/followups")


async def test_done_closes_the_follow_up_and_cancels_its_nudges(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    await say(service, "/met Jane Doe, Acme, interview")
    text = await text_of(service, "/followups done 1")
    assert "Done: #1, Jane Doe at Acme by email." in text
    (follow_up,) = memory_storage.tables.follow_ups.values()
    assert follow_up.status is FollowUpStatus.DONE
    assert follow_up.done_via == "email"
    assert pending_nudges(memory_storage) == []
    assert "already done" in await text_of(service, "/followups done 1")
    assert "Nothing pending" in await text_of(service, "/followups")


async def test_done_with_method_records_it_and_points_to_the_sibling(
    service: FollowUpService,
) -> None:
    await say(service, "/met Ana Ruiz, Globex, fair-good")
    wrong = await say(service, "/followups done 1 linkedin")
    assert wrong.is_error
    assert "#1 is the email; the LinkedIn request is #2: /followups done 2." in wrong.plain_text()
    text = await text_of(service, "/followups done 1 email")
    assert "The LinkedIn request (#2) is still open." in text


async def test_done_linkedin_after_an_interview_repeats_the_advice(
    service: FollowUpService,
) -> None:
    await say(service, "/met Jane Doe, Acme, interview")
    reply = await say(service, "/followups done 1 linkedin")
    assert reply.is_error
    assert "Don't connect on LinkedIn yet" in reply.plain_text()


async def test_skip_an_interview_asks_to_confirm(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    await say(service, "/met Jane Doe, Acme, interview")
    reply = await say(service, "/followups skip 1")
    assert "always, without exception" in reply.plain_text()
    assert any(a.command == "/followups skip 1 confirm" for a in reply.actions)
    (follow_up,) = memory_storage.tables.follow_ups.values()
    assert follow_up.status is FollowUpStatus.PENDING
    text = await text_of(service, "/followups skip 1 confirm")
    assert text.startswith("Skipped #1 (Jane Doe at Acme).")
    assert memory_storage.tables.follow_ups[follow_up.id or 0].status is FollowUpStatus.SKIPPED
    assert pending_nudges(memory_storage) == []


async def test_skip_an_event_needs_no_confirmation(service: FollowUpService) -> None:
    await say(service, "/met Sam Lee, Initech, networking")
    assert "need not follow up with everyone" in await text_of(service, "/followups skip 1")


# -- privacy --------------------------------------------------------------------------------


async def test_numbers_are_per_student(service: FollowUpService) -> None:
    await say(service, "/met Jane Doe, Acme, interview", ALICE)
    text = await text_of(service, "/met Raj Patel, Hooli, interview", BOB)
    assert "#1 Email to Raj Patel" in text


@pytest.mark.parametrize("command", ["done 1", "snooze 1 2h", "skip 1", "skip 1 confirm"])
async def test_another_students_number_reads_like_a_missing_one(
    service: FollowUpService, memory_storage: InMemoryStorage, command: str
) -> None:
    await say(service, "/met Jane Doe, Acme, interview", ALICE)
    before = copy.deepcopy(memory_storage.tables.follow_ups)
    theirs = await text_of(service, f"/followups {command}", BOB)
    missing = await text_of(service, f"/followups {command.replace('1', '9', 1)}", BOB)
    assert theirs == missing.replace("#9", "#1")
    assert "Jane" not in theirs
    assert memory_storage.tables.follow_ups == before
    assert "Nothing pending" in await text_of(service, "/followups", BOB)


# -- snooze ---------------------------------------------------------------------------------


async def test_snooze_moves_the_next_nudge(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    await say(service, "/met Jane Doe, Acme, interview")
    text = await text_of(service, "/followups snooze 1 2h")
    assert "Snoozed #1 (Jane Doe at Acme) until Fri 6 Mar 17:00 EST." in text
    first = pending_nudges(memory_storage)[0]
    assert (first[1], first[2]) == (NudgeKind.SNOOZED, datetime(2026, 3, 6, 22, 0, tzinfo=UTC))


async def test_snooze_never_passes_the_deadline(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    await say(service, "/met Jane Doe, Acme, interview")
    text = await text_of(service, "/followups snooze 1 3d")
    assert "until Sun 8 Mar 15:00 EDT" in text
    assert "past the deadline (Sun 8 Mar 16:00 EDT), so I'll nudge you 1 h before it" in text
    (follow_up,) = memory_storage.tables.follow_ups.values()
    assert follow_up.snoozed_until == follow_up.due_by - timedelta(hours=1)


async def test_snooze_tomorrow_is_tomorrow_morning_local(service: FollowUpService) -> None:
    await say(service, "/met Jane Doe, Acme, interview")
    assert "until Sat 7 Mar 09:00 EST" in await text_of(service, "/followups snooze 1 tomorrow")


async def test_snooze_too_close_to_the_deadline_is_refused(
    service: FollowUpService, clock: FakeClock
) -> None:
    await say(service, "/met Jane Doe, Acme, interview")
    clock.advance(timedelta(hours=47, minutes=30))
    reply = await say(service, "/followups snooze 1 30m")
    assert reply.is_error
    assert "30 min left before its deadline, too little to snooze" in reply.plain_text()


async def test_snooze_bad_duration(service: FollowUpService) -> None:
    await say(service, "/followups snooze 1 2h")  # nothing yet
    await say(service, "/met Jane Doe, Acme, interview")
    reply = await say(service, "/followups snooze 1 soonish")
    assert reply.is_error
    assert "Or say when: tomorrow, until monday, friday 3pm." in reply.plain_text()


@pytest.mark.parametrize(
    ("typed", "until"),
    [
        # Friday 15:00 EST now; summer time begins on Sunday.
        ("until monday", "until Mon 9 Mar 09:00 EDT"),
        ("next tuesday", "until Tue 10 Mar 09:00 EDT"),
        ("friday 3pm", "until Fri 13 Mar 15:00 EDT"),
        ("until 5pm", "until Fri 6 Mar 17:00 EST"),
        ("till tomorrow 8:30am", "until Sat 7 Mar 08:30 EST"),
    ],
)
async def test_snooze_until_a_moment_ahead(
    service: FollowUpService, typed: str, until: str
) -> None:
    await say(service, "/met Jane Doe, Acme, networking")
    assert until in await text_of(service, f"/followups snooze 1 {typed}")


async def test_snooze_until_a_day_gone_is_explained(service: FollowUpService) -> None:
    await say(service, "/met Jane Doe, Acme, networking")
    reply = await say(service, "/followups snooze 1 until yesterday")
    assert reply.is_error
    assert "isn't a duration I understand" in reply.plain_text()


# -- settings -------------------------------------------------------------------------------


async def test_settings_show_defaults(service: FollowUpService) -> None:
    text = await text_of(service, "/followups settings")
    assert "Time zone: America/New_York (default; set yours)" in text
    assert "Quiet hours: 22:00-08:00" in text
    assert "Nudges: on" in text
    assert "Job status: searching" in text
    assert "LinkedIn: free (LinkedIn notes up to 200 characters)" in text


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        ("tz europe/berlin", "Time zone: Europe/Berlin"),
        ("quiet 23:00-07:30", "Quiet hours: 23:00-07:30"),
        ("quiet off", "Quiet hours: off"),
        ("nudges off", "Nudges: off"),
        ("job accepted", "Job status: accepted"),
        ("linkedin premium", "LinkedIn: premium (LinkedIn notes up to 300 characters)"),
        ("name Alex Kim", "Name: Alex Kim"),
        # As people say them: a city, a US zone's name, 12-hour quiet hours.
        ("tz berlin", "Time zone: Europe/Berlin"),
        ("tz New York", "Time zone: America/New_York"),
        ("tz Buenos Aires", "Time zone: America/Argentina/Buenos_Aires"),
        ("tz Pacific", "Time zone: America/Los_Angeles"),
        ("tz Mumbai", "Time zone: Asia/Kolkata"),
        ("tz San Francisco", "Time zone: America/Los_Angeles"),
        ("tz Washington, D.C.", "Time zone: America/New_York"),
        ("tz EST", "Time zone: America/New_York"),
        ("quiet 11pm-7am", "Quiet hours: 23:00-07:00"),
    ],
)
async def test_settings_change(service: FollowUpService, command: str, shown: str) -> None:
    await text_of(service, f"/followups settings {command}")
    assert shown in await text_of(service, "/followups settings")


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("tz Europe/Berln", "Did you mean Europe/Berlin?"),
        ("quiet late", "Write it like 22:00-08:00"),
        ("tz Gotham", "isn't a time zone I know"),
        ("tz Mumbay", "“Mumbay” isn't a time zone I know. Did you mean Asia/Kolkata?"),
        ("tz MST", "doesn't follow daylight saving"),
        ("nudges maybe", "nudges is on or off"),
        ("job retired", "job is accepted or searching"),
        ("timezon UTC", "Did you mean tz?"),
        ("name", "Which name?"),
    ],
)
async def test_bad_settings_are_explained_and_change_nothing(
    service: FollowUpService, memory_storage: InMemoryStorage, command: str, expected: str
) -> None:
    await say(service, "/followups settings")
    before = copy.deepcopy(memory_storage.tables.people)
    reply = await say(service, f"/followups settings {command}")
    assert reply.is_error
    assert expected in reply.plain_text()
    assert memory_storage.tables.people == before


async def test_time_zone_change_moves_the_nudges(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    await say(service, "/followups settings quiet off")
    await say(service, "/met Jane Doe, Acme, interview")
    before = pending_nudges(memory_storage)
    await say(service, "/followups settings quiet 09:00-18:00")
    after = pending_nudges(memory_storage)
    assert before != after
    zone = await service.zone_for(ALICE.address)
    quiet_local = [
        due.astimezone(zone).time() for _, kind, due in after if kind is not NudgeKind.WINDOW_CLOSED
    ]
    assert all(not (9 <= t.hour < 18) for t in quiet_local)


async def test_nudges_off_and_job_accepted_stop_nudges(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    await say(service, "/met Jane Doe, Acme, interview")
    await say(service, "/met Sam Lee, Initech, networking")
    await say(service, "/followups settings job accepted")
    remaining = {fid for fid, _, _ in pending_nudges(memory_storage)}
    interview_id = next(f.id for f in memory_storage.tables.follow_ups.values() if f.number == 1)
    assert remaining == {interview_id}  # interviews still; events no more
    await say(service, "/followups settings nudges off")
    assert pending_nudges(memory_storage) == []
    await say(service, "/followups settings nudges on")
    assert {fid for fid, _, _ in pending_nudges(memory_storage)} == {interview_id}


async def test_platform_time_zone_is_used_until_the_student_sets_one(
    service: FollowUpService,
) -> None:
    slack_user = Requester(Address("slack", "T1", "U1"), timezone="Europe/Berlin")
    text = await text_of(service, "/met Jane Doe, Acme, interview", slack_user)
    assert "Fri 6 Mar 21:00 CET" in text
    await say(service, "/followups settings tz Asia/Tokyo", slack_user)
    assert "Time zone: Asia/Tokyo" in await text_of(service, "/followups settings", slack_user)


async def test_help(service: FollowUpService) -> None:
    text = await text_of(service, "/followups help")
    for command in ("done 3", "snooze 3 2h", "skip 3", "settings"):
        assert command in text


# -- buttons and pickers --------------------------------------------------------------------


async def test_a_button_acts_by_id_only_for_its_owner(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    reply = await say(service, "/met Jane Doe, Acme, interview")
    done = next(a for a in reply.actions if a.kind is ActionKind.DONE)
    stranger = await service.handle(BOB, MarkDone(done.number, follow_up_id=done.follow_up_id))
    assert stranger.is_error
    assert stranger.plain_text() == "You have no follow-up #1. /followups lists yours."
    (follow_up,) = memory_storage.tables.follow_ups.values()
    assert follow_up.status is FollowUpStatus.PENDING
    owner = await service.handle(ALICE, MarkDone(done.number, follow_up_id=done.follow_up_id))
    assert "Done: #1" in owner.plain_text()
    assert memory_storage.tables.follow_ups[follow_up.id or 0].status is FollowUpStatus.DONE


async def test_open_follow_ups_lists_only_the_requesters(service: FollowUpService) -> None:
    await say(service, "/met Sam Lee, Initech, networking", ALICE)
    await say(service, '/met Jane Doe, Acme, interview when:"yesterday 4pm"', ALICE)
    await say(service, "/met Raj Patel, Hooli, interview", BOB)
    mine = await service.open_follow_ups(ALICE)
    assert [str(s) for s in mine] == [
        "#2 Jane Doe, Acme: email, 25 h left",
        "#1 Sam Lee, Initech: LinkedIn request or email, ideally within 48 h, adequate for 21 days",
    ]
    assert await service.open_follow_ups(Requester(Address("console", "ws", "nobody"))) == []


async def test_a_form_gets_each_problem_on_its_field(service: FollowUpService) -> None:
    fields = MetInput(name="", company="", kind="brunch", when="tomorrow", priority="9")
    reply = await service.handle(ALICE, Met(fields=fields))
    assert reply.is_error
    assert set(reply.field_errors) == {"name", "company", "kind", "when", "priority"}
    assert "Did you mean" not in reply.field_errors["name"]
    assert "isn't a kind of conversation" in reply.field_errors["kind"]


async def test_snooze_into_quiet_hours_waits_for_the_morning(
    service: FollowUpService, clock: FakeClock
) -> None:
    await say(service, "/met Jane Doe, Acme, interview")
    clock.advance(timedelta(hours=6))  # Fri 21:00 in New York
    text = await text_of(service, "/followups snooze 1 2h")
    assert "until Sat 7 Mar 08:00 EST" in text
    assert "outside your quiet hours (22:00-08:00)" in text


async def test_a_clamped_snooze_in_quiet_hours_comes_before_them(
    service: FollowUpService, clock: FakeClock
) -> None:
    await say(service, '/met Jane Doe, Acme, interview when:"yesterday 11:30pm"')
    # Deadline Sat 23:30; the latest snooze (22:30) is in quiet hours: 21:30 instead.
    text = await text_of(service, "/followups snooze 1 3d")
    assert "until Sat 7 Mar 21:30 EST" in text


async def test_the_scheduler_hears_of_new_nudges_once_they_are_stored(
    memory_storage: InMemoryStorage, clock: FakeClock, rulebook: Rulebook
) -> None:
    heard: list[tuple[datetime, bool]] = []

    def wake_at(moment: datetime) -> None:
        stored = any(n.due_at == moment for n in memory_storage.tables.nudges.values())
        heard.append((moment, stored))

    service = FollowUpService(
        memory_storage, clock, rulebook, default_zone=NEW_YORK, on_nudge_planned=wake_at
    )
    await say(service, "/met Jane Doe, Acme, interview")
    assert heard == [(datetime(2026, 3, 7, 20, 0, tzinfo=UTC), True)]  # the heads-up, committed
    await say(service, "/met Jane Doe, Acme, brunch")
    assert len(heard) == 1  # a bad /met plans nothing


class TickingClock(FakeClock):
    """A real clock's habit: every reading is a little later than the one before."""

    def now(self) -> datetime:
        return self.advance(timedelta(milliseconds=1))


async def test_a_last_call_due_the_moment_met_is_typed_is_kept() -> None:
    """when:"47 hours ago" puts the 1-hour last call at the moment of the command; reading the
    clock again while planning must not make it "past" and drop it."""
    storage = InMemoryStorage()
    service = FollowUpService(
        storage,
        TickingClock(datetime(2026, 3, 10, 16, 0, tzinfo=UTC)),
        load_rulebook(),
        default_zone=ZoneInfo("America/New_York"),
    )
    reply = await text_of(service, '/met Jane Doe, Acme, interview when:"47 hours ago"')
    assert "(last call)" in reply
    assert [kind for _, kind, _ in pending_nudges(storage)] == [
        NudgeKind.LAST_CALL,
        NudgeKind.WINDOW_CLOSED,
    ]


async def test_a_missed_follow_up_can_be_skipped_off_the_list(
    service: FollowUpService, clock: FakeClock
) -> None:
    await say(service, "/met Jane Doe, Acme, interview")
    clock.advance(timedelta(hours=49))
    assert "Missed lately" in await text_of(service, "/followups")
    text = await text_of(service, "/followups skip 1")
    assert text.startswith("Skipped #1 (Jane Doe at Acme).")
    assert "Missed lately" not in await text_of(service, "/followups")
