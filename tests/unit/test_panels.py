"""Everyone met in one conversation: a panel's people each get their own follow-ups and draft,
nudged in one DM; unnamed contacts; greet: at /met."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from bot.commands import CommandError, parse_command
from bot.domain import Address, FollowUpStatus
from bot.met import LIMITS
from bot.names import greeting_name, is_unnamed, split_people, team_greeting
from bot.replies import Reply
from bot.services import FollowUpService, Requester
from bot.testing import InMemoryStorage, TestBot

ALICE = Requester(Address("console", "ws", "alice"))
BOB = Requester(Address("console", "ws", "bob"))
PANEL = (
    "/met Priya Raman; Tom O'Brien and Dr. Ana de la Cruz, Stripe, interview, I asked her about "
    "her team's on-call rotation; she told me about the payments API migration"
)


async def say(service: FollowUpService, text: str, who: Requester = ALICE) -> Reply:
    return await service.handle(who, parse_command(text))


def greeting_of(reply: Reply) -> str:
    email = next(s.text for s in reply.sections if s.preformatted)
    return email.split("\n\n")[1]


async def test_a_panel_is_one_conversation_with_a_follow_up_per_person(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    reply = await say(service, PANEL)
    assert not reply.is_error
    text = reply.plain_text()
    assert "Saved: Priya Raman, Tom O'Brien and Dr. Ana de la Cruz at Stripe, interview" in text
    assert "#1 Email to Priya Raman" in text
    assert "#2 Email to Tom O'Brien" in text
    assert "#3 Email to Dr. Ana de la Cruz" in text
    assert "each interviewer gets their own" in text
    (conversation,) = memory_storage.tables.conversations.values()
    follow_ups = sorted(memory_storage.tables.follow_ups.values(), key=lambda f: f.number)
    assert [f.contact for f in follow_ups] == ["Priya Raman", "Tom O'Brien", "Dr. Ana de la Cruz"]
    assert {f.conversation_id for f in follow_ups} == {conversation.id}


async def test_each_of_a_panel_gets_their_own_draft(service: FollowUpService) -> None:
    await say(service, PANEL)
    drafts = [await say(service, f"/followups draft {n}") for n in (1, 2, 3)]
    assert [greeting_of(d) for d in drafts] in (
        ["Dear Priya,", "Hello Tom,", "Dear Dr. de la Cruz,"],
        ["Hello Priya,", "Dear Tom,", "Hello Dr. de la Cruz,"],
    )
    emails = [next(s.text for s in d.sections if s.preformatted) for d in drafts]
    assert len({e.split("\n\n")[2] for e in emails}) == 3  # three different emails
    for index, email in enumerate(emails):
        others = [n for i, n in enumerate(("Priya", "Tom", "de la Cruz")) if i != index]
        assert not any(other in email for other in others)  # to this one person alone
        assert "the payments API migration" in email
        # "her" can't be known to be this one of them: the student's own words, to finish.
        assert "[Say in your own words: I asked her about her team's on-call rotation]" in email
    before = drafts[1].plain_text()
    assert "Write to Priya Raman (#1) and Dr. Ana de la Cruz (#3) too" in before
    assert "Lines in [brackets] are your notes as you wrote them" in before
    # The same draft when reopened.
    again = await say(service, "/followups draft 2")
    assert again.sections == drafts[1].sections


async def test_done_snooze_and_skip_are_per_person(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    await say(service, PANEL.replace("interview", "networking"))
    assert (
        "Done: #2, Tom O'Brien at Stripe" in (await say(service, "/followups done 2")).plain_text()
    )
    snoozed = (await say(service, "/followups snooze 1 2h")).plain_text()
    assert "Snoozed #1 (Priya Raman at Stripe)" in snoozed
    assert (
        "Skipped #3 (Dr. Ana de la Cruz at Stripe)"
        in (await say(service, "/followups skip 3")).plain_text()
    )
    statuses = {f.number: f.status for f in memory_storage.tables.follow_ups.values()}
    assert statuses == {
        1: FollowUpStatus.PENDING,
        2: FollowUpStatus.DONE,
        3: FollowUpStatus.SKIPPED,
    }
    listed = (await say(service, "/followups")).plain_text()
    assert "#1 Priya Raman, Stripe: LinkedIn request or email" in listed
    assert "Tom O'Brien" not in listed


async def test_a_panel_is_nudged_in_one_dm(bot: TestBot) -> None:
    await say(bot.service, PANEL)
    bot.clock.advance(timedelta(hours=24))
    await bot.dispatcher.dispatch_due()
    (dm,) = bot.messenger.sent
    title = dm.message.sections[0].title or ""
    assert title.startswith(
        "#1 and #2 and #3 Time to follow up: emails to Priya Raman, Tom O'Brien and "
        "Dr. Ana de la Cruz at Stripe"
    )
    labels = [a.label for a in dm.message.actions]
    assert {"Draft #1", "Draft #2", "Draft #3", "Done #2", "Skip #3"} <= set(labels)
    # The three emails share one instruction, said once.
    text = dm.message.plain_text()
    assert text.count("Send a professional, personalized thank-you email") == 1


@pytest.mark.parametrize(
    ("who", "greeting"),
    [
        ("a recruiter", "Acme recruiting team"),
        ("booth staff", "Acme recruiting team"),
        ("HR team", "Acme HR team"),
        ("", "Acme recruiting team"),
    ],
)
async def test_an_unnamed_contact_greets_the_team(
    service: FollowUpService, who: str, greeting: str
) -> None:
    reply = await say(service, f"/met {who}, Acme, fair-1on1, robotics internships")
    assert not reply.is_error
    draft = await say(service, "/followups draft 1")
    assert greeting_of(draft) in (f"Dear {greeting},", f"Hi {greeting},")


async def test_a_note_only_in_sentences_is_left_for_the_student_to_word(
    service: FollowUpService,
) -> None:
    await say(service, "/met Priya Raman, Stripe, networking, she is leading the migration")
    reply = (await say(service, "/followups draft 1")).plain_text()
    assert "[Say in your own words: she is leading the migration]" in reply  # the email
    assert "replace [what you talked about] with something from your notes" in reply  # the note
    assert "next time" not in reply


async def test_greet_sets_the_greeting(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    await say(service, '/met Priya Raman, Stripe, interview, on-call greet:"Dr. Raman"')
    assert greeting_of(await say(service, "/followups draft 1")) in (
        "Dear Dr. Raman,",
        "Hello Dr. Raman,",
    )
    await say(service, '/met Priya Raman; Tom, Stripe, call greet:"Dr. Raman; "')
    greetings = {f.number: f.greeting for f in memory_storage.tables.follow_ups.values()}
    assert greetings == {1: "Dr. Raman", 2: "Dr. Raman", 3: None}
    # A greeting is a name of theirs: not a spelling mistake.
    await say(service, '/met Bobby Tables, Acme, call greet:"Bobbyyy"')
    checked = (await say(service, "/followups draft 4")).plain_text()
    assert "Spelling and grammar: No issues found." in checked


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ('/met Priya; Tom, Stripe, interview greet:"Dr. Raman"', "greet: gives 1 greeting for 2"),
        (f'/met Priya, Stripe, interview greet:"{"g" * 101}"', "A greeting is at most 100"),
        (
            "/met " + "; ".join(f"Person {n}" for n in range(7)) + ", Acme, fair",
            "That's 7 people; one /met takes at most 6",
        ),
        (f"/met Priya; {'n' * 101}, Stripe, interview", "A name is too long"),
    ],
)
async def test_a_bad_panel_or_greeting_says_what_is_wrong_and_changes_nothing(
    service: FollowUpService, memory_storage: InMemoryStorage, command: str, expected: str
) -> None:
    before = copy.deepcopy(memory_storage.tables)
    reply = await say(service, command)
    assert reply.is_error
    assert expected in reply.plain_text()
    assert memory_storage.tables.follow_ups == before.follow_ups
    assert memory_storage.tables.conversations == before.conversations


async def test_six_people_with_hundred_character_names(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    names = [f"{chr(65 + n)}{'x' * 61} {'Long' * 9}y" for n in range(6)]
    assert all(len(n) == LIMITS["name"] for n in names)
    reply = await say(service, f"/met {'; '.join(names)}, Acme, networking, Kafka")
    assert not reply.is_error, reply.plain_text()
    assert len(memory_storage.tables.follow_ups) == 6
    for number in range(1, 7):
        draft = await say(service, f"/followups draft {number}")
        assert not draft.is_error
        note = next(s for s in draft.sections if s.preformatted)
        assert "Kafka" in note.text


async def test_edit_changes_the_greeting_of_one_persons_drafts(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    await say(service, "/met Priya Raman; Tom O'Brien, Stripe, fair-good, robotics")
    by_number = {f.number: f for f in memory_storage.tables.follow_ups.values()}
    toms = [n for n, f in by_number.items() if f.contact == "Tom O'Brien"]
    changed = await say(service, f'/followups edit {toms[0]} greet:"Mr. O\'Brien"')
    assert "The drafts to Tom O'Brien now greet them with “Mr. O'Brien”" in changed.plain_text()
    greetings = {f.number: f.greeting for f in memory_storage.tables.follow_ups.values()}
    assert greetings == {n: ("Mr. O'Brien" if n in toms else None) for n in by_number}
    assert "Mr. O'Brien," in (await say(service, f"/followups draft {toms[1]}")).plain_text()
    await say(service, f"/followups edit {toms[1]} greet:off")
    assert "Hi Tom," in (await say(service, f"/followups draft {toms[0]}")).plain_text() or (
        "Dear Tom," in (await say(service, f"/followups draft {toms[0]}")).plain_text()
    )


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ('/followups edit 1 greet:""', "Usage: /followups edit 1 greet:"),
        (f"/followups edit 1 greet:{'g' * 101}", "A greeting is at most 100 characters"),
        ("/followups edit 9 greet:Tom", "You have no follow-up #9"),
        ("/followups edit x greet:Tom", "isn't a follow-up number"),
    ],
)
async def test_a_bad_edit_says_what_is_wrong_and_changes_nothing(
    service: FollowUpService, memory_storage: InMemoryStorage, command: str, expected: str
) -> None:
    await say(service, "/met Priya Raman, Stripe, interview")
    before = copy.deepcopy(memory_storage.tables.follow_ups)
    try:
        reply = await say(service, command)
    except CommandError as err:  # refused as it is read, before the service sees it
        problem = str(err)
    else:
        assert reply.is_error
        problem = reply.plain_text()
    assert expected in problem
    assert memory_storage.tables.follow_ups == before


@pytest.mark.parametrize(
    ("typed", "people"),
    [
        ("Jane Doe and Bob Lee", ["Jane Doe", "Bob Lee"]),
        ("Priya Raman; Tom O'Brien", ["Priya Raman", "Tom O'Brien"]),
        ("Priya Raman; Tom O'Brien and Dr. Ana de la Cruz", ["Priya Raman", "Tom O'Brien", "Dr. Ana de la Cruz"]),
        ("Dr. Lee & Dr. Park", ["Dr. Lee", "Dr. Park"]),
        ("Jane Doe and a recruiter", ["Jane Doe", "a recruiter"]),
        ("recruiters and engineers", ["recruiters and engineers"]),
        ("HR/Recruiting", ["HR/Recruiting"]),
        ("Jane; jane", ["Jane"]),
        ("Anand Shah", ["Anand Shah"]),
    ],
)  # fmt: skip
def test_the_people_of_a_name_field(typed: str, people: list[str]) -> None:
    assert split_people(typed) == people


@pytest.mark.parametrize(
    ("name", "greeting"),
    [
        ("Booth staff", "Acme recruiting team"),
        ("HR team", "Acme HR team"),
        ("a recruiter", "Acme recruiting team"),
        ("HR/Recruiting", "Acme HR team"),
        ("Dr. Ana de la Cruz", "Dr. de la Cruz"),
        ("J. Robert Oppenheimer", "Robert"),
        ("Zhang Wei", "Zhang Wei"),
        ("Kim Min-jun", "Kim Min-jun"),
        ("Prof. Jean-Luc Picard", "Prof. Picard"),
        ("Sir Ian McKellen", "Sir Ian"),
        ("Juan Carlos de la Vega Jr.", "Juan"),
        ("Cher", "Cher"),
        ("J. R.", "J. R."),
    ],
)
def test_greetings(name: str, greeting: str) -> None:
    said = team_greeting(name, "Acme") if is_unnamed(name) else greeting_name(name)
    assert said == greeting
