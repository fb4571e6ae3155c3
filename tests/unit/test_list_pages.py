"""/followups in pages and sections: due soon, later, optional, missed lately; list N, list all,
a kind, an event; Previous and Next as buttons that carry the page and the filter."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.commands import CommandError, ListFollowUps, command_for, parse_command
from bot.replies import Action, ActionKind, Reply
from bot.services import FollowUpService
from bot.testing import FakeClock
from tests.unit.test_services import ALICE, BOB, say, text_of

NAMES = [
    "Jane Doe",
    "Sam Lee",
    "Priya Raman",
    "Tom O'Brien",
    "Ana Ruiz",
    "Raj Patel",
    "Bob Lee",
    "Mei Chen",
    "Omar Haddad",
    "Lena Fischer",
]


def numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"^#(\d+) ", text, flags=re.MULTILINE)]


def page_buttons(reply: Reply) -> list[Action]:
    return [a for a in reply.actions if a.kind is ActionKind.PAGE]


async def record(service: FollowUpService, count: int) -> None:
    for index in range(count):
        name = f"{NAMES[index % len(NAMES)]} {index}"
        await say(service, f"/met {name}, Company {index}, interview, talked about the team")


@pytest.mark.parametrize(
    ("typed", "command"),
    [
        ("/followups list 2", ListFollowUps(page=2)),
        ("/followups list all", ListFollowUps(everything=True)),
        ("/fu ls ALL", ListFollowUps(everything=True)),
        ('/followups list event:"Spring Fair"', ListFollowUps(event="Spring Fair")),
        ("/followups list event:Mixer 2", ListFollowUps(page=2, event="Mixer")),
        ("/followups list interviews", ListFollowUps(kind="interviews")),
        ("/followups list coffee chats all", ListFollowUps(everything=True, kind="coffee chats")),
        ("/followups list 99999999999", ListFollowUps(page=10_000)),
        ("/followups list ²", ListFollowUps(kind="²")),
    ],
)
def test_list_takes_a_page_all_a_kind_and_an_event(typed: str, command: ListFollowUps) -> None:
    assert parse_command(typed) == command


@pytest.mark.parametrize("typed", ["/followups list 0", '/followups list event:""'])
def test_list_refuses_what_is_no_page_or_event(typed: str) -> None:
    with pytest.raises(CommandError):
        parse_command(typed)


async def test_thirty_follow_ups_in_pages_every_one_on_some_page(
    service: FollowUpService,
) -> None:
    await record(service, 30)
    first = await say(service, "/followups")
    second = await say(service, "/followups list 2")
    everything = await say(service, "/followups list all")

    assert len(numbers(first.plain_text())) == 10
    assert numbers(second.plain_text()) != numbers(first.plain_text())
    assert "Page 2 of 3 (30 follow-ups)" in second.plain_text()
    shown = []
    for page in range(1, 4):
        shown += numbers((await say(service, f"/followups list {page}")).plain_text())
    assert sorted(shown) == list(range(1, 31))
    assert sorted(numbers(everything.plain_text())) == list(range(1, 31))
    assert page_buttons(everything) == []
    # Each follow-up on a page has its buttons; Previous and Next say which page.
    assert {a.number for a in second.actions if a.kind is ActionKind.DONE} == set(
        numbers(second.plain_text())
    )
    assert [(a.label, a.number) for a in page_buttons(second)] == [("Previous", 1), ("Next", 3)]
    assert [(a.label, a.number) for a in page_buttons(first)] == [("Next", 2)]
    # A page past the last shows the last.
    assert numbers((await say(service, "/followups list 7")).plain_text()) == numbers(
        (await say(service, "/followups list 3")).plain_text()
    )


async def test_next_is_the_same_list_for_whoever_clicks_it(service: FollowUpService) -> None:
    await record(service, 12)
    await say(service, "/met Kim Ito, Umbrella, interview", BOB)
    (next_page,) = page_buttons(await say(service, "/followups"))
    clicked = command_for(next_page)
    assert clicked == ListFollowUps(page=2)
    alices = await service.handle(ALICE, clicked)
    assert numbers(alices.plain_text()) == [11, 12]
    bobs = (await service.handle(BOB, clicked)).plain_text()
    assert "Kim Ito" in bobs
    assert "Company" not in bobs


async def test_sections_priority_and_event_are_shown(
    service: FollowUpService, clock: FakeClock
) -> None:
    await say(service, '/met Jane Doe, Acme, interview when:"yesterday 4pm"')
    await say(service, "/met Sam Lee, Initech, networking")
    await say(service, '/met Raj Patel, Hooli, career fair, priority:3 event:"Spring Fair"')
    await say(service, '/met Ana Ruiz, Globex, career fair, priority:1 event:"Spring Fair"')
    clock.advance(timedelta(days=1, hours=2))
    text = await text_of(service, "/followups")
    titles = [line for line in text.splitlines() if re.fullmatch(r"[A-Z][a-z ]+ \(\d+\)", line)]
    assert titles == ["Due soon (2)", "Optional (1)", "Missed lately (1)"]
    assert "#3 Raj Patel, Hooli" in text.split("Optional (1)")[1]
    assert "· priority 3 · Spring Fair" in text
    assert "#1 Jane Doe, Acme: email, closed" in text.split("Missed lately (1)")[1]


async def test_a_kind_or_an_event_narrows_the_list(service: FollowUpService) -> None:
    await say(service, "/met Jane Doe, Acme, interview")
    await say(service, "/met Sam Lee, Initech, coffee chat")
    await say(service, '/met Raj Patel, Hooli, career fair, priority:1 event:"Spring Fair"')
    interviews = await text_of(service, "/followups list interviews")
    assert numbers(interviews) == [1]
    coffee = await text_of(service, "/followups list coffee chats")
    assert numbers(coffee) == [2]
    fair = await text_of(service, '/followups list event:"spring  fair"')
    assert numbers(fair) == [3]
    none = await say(service, '/followups list event:"Winter Fair"')
    assert "No follow-ups at Winter Fair." in none.plain_text()
    assert not none.is_error
    wrong = await say(service, "/followups list podcasts")
    assert wrong.is_error
    assert "The kinds: interview, call" in wrong.plain_text()


async def test_next_keeps_the_filter_even_an_events_long_name(service: FollowUpService) -> None:
    event = "The Spring Engineering & Design Career Fair at the Student Union, Hall B"
    for index in range(12):
        await say(
            service, f'/met Person {index}, Co {index}, career fair, priority:1 event:"{event}"'
        )
    await say(service, "/met Jane Doe, Acme, career fair, priority:1 event:Other")
    first = await say(service, f'/followups list fair event:"{event}"')
    (next_page,) = page_buttons(first)
    assert re.fullmatch(r"[A-Za-z0-9]{1,20}", next_page.argument)
    second = await service.handle(ALICE, command_for(next_page))
    assert numbers(second.plain_text()) == [11, 12]
    assert "Jane Doe" not in second.plain_text()
