"""A club's own rulebook and draft templates: /club rules and /club templates show what the
club's follow-ups use; organizers paste their own (checked exactly like FOLLOWUP_RULEBOOK and
FOLLOWUP_DRAFTS: a bad one names the file, the key and the problem and changes nothing) or go
back to the deployment's; anyone else is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.club_commands import ClubOwnRules, parse_club
from bot.club_rules import PASTE_LIMIT, ClubBooks
from bot.commands import parse_command
from bot.domain import Address, Channel, ClubRules
from bot.errors import UserError
from bot.replies import Reply
from bot.services import FollowUpService, Requester
from bot.testing import InMemoryStorage
from rules.drafts import load_drafts
from rules.engine import Rulebook, load_rulebook
from tests.club_rulebooks import BUNDLED, BUNDLED_DRAFTS, CLUB_RULEBOOK

CLUB = Channel("C42", "career-club")


def member(user: str, *, channel: Channel | None = CLUB) -> Requester:
    return Requester(Address("slack", "T1", user), display_name=user.title(), channel=channel)


async def say(service: FollowUpService, who: Requester, text: str) -> Reply:
    return await service.handle(who, parse_command(text))


def text(reply: Reply) -> str:
    return "\n".join(section.text for section in reply.sections)


def test_rules_and_templates_commands_are_read_with_their_lines_kept() -> None:
    assert parse_club("rules") == ClubOwnRules("rulebook", "show")
    assert parse_club("templates") == ClubOwnRules("drafts", "show")
    assert parse_club("rules reset") == ClubOwnRules("rulebook", "reset")
    pasted = parse_club("rules set version = 1\n[timing]\ndeadline_hours = 48\n")
    assert pasted == ClubOwnRules("rulebook", "set", "version = 1\n[timing]\ndeadline_hours = 48\n")
    assert parse_club("templates SET x = 1").text == "x = 1"
    for bad in ("rules replace", "rules reset now", "templates show me"):
        with pytest.raises(UserError, match="Usage: /club"):
            parse_club(bad)


async def test_anyone_sees_the_default_rules_with_each_kinds_windows(
    service: FollowUpService, rulebook: Rulebook
) -> None:
    await say(service, member("alice"), "/club setup Career Club")
    shown = text(await say(service, member("bob"), "/club rules"))
    assert shown.startswith("Career Club uses the deployment's default rulebook.")
    assert "interview (interview): email ideally within 48 hours" in shown
    assert (
        "networking event (networking): LinkedIn request or email ideally within 48 hours, "
        "still fine up to 21 days"
    ) in shown
    assert len([line for line in shown.splitlines() if "ideally within" in line]) == len(
        rulebook.kinds
    )
    templates = text(await say(service, member("bob"), "/club templates"))
    assert templates.startswith("Career Club uses the deployment's default draft templates.")
    assert "interview" in templates


async def test_an_organizer_sets_the_clubs_own_rulebook_and_resets_it(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    await say(service, member("alice"), "/club setup Career Club")
    reply = await say(service, member("alice"), f"/club rules set {CLUB_RULEBOOK}")
    assert not reply.is_error, text(reply)
    assert text(reply).startswith("Career Club now uses its own rulebook")
    ((key, stored),) = memory_storage.tables.club_rules.items()
    assert key[1] == "rulebook"
    assert stored.set_by == "alice"
    assert stored.toml == CLUB_RULEBOOK.strip()
    shown = text(await say(service, member("bob"), "/club rules"))
    assert shown.startswith("Career Club uses its own rulebook, set by Alice on ")
    assert (
        "alumni dinner (alumni-dinner): email ideally within 24 hours, still fine up to 3 days"
    ) in shown
    assert text(await say(service, member("alice"), "/club rules reset")) == (
        "Career Club is back to the default rulebook."
    )
    assert memory_storage.tables.club_rules == {}
    assert text(await say(service, member("alice"), "/club rules reset")) == (
        "Career Club already uses the default rulebook."
    )


async def test_only_organizers_set_or_reset_and_a_refusal_changes_nothing(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    await say(service, member("alice"), "/club setup Career Club")
    await say(service, member("alice"), f"/club rules set {CLUB_RULEBOOK}")
    before = dict(memory_storage.tables.club_rules)
    for attempt in (f"/club rules set {BUNDLED}", "/club rules reset", "/club templates reset"):
        refused = await say(service, member("bob"), attempt)
        assert refused.is_error
        assert text(refused).startswith("Sorry, only the organizers of Career Club can change its")
    assert memory_storage.tables.club_rules == before
    outside = await say(service, member("bob", channel=None), "/club rules")
    assert outside.is_error


async def test_paste_asks_for_the_form_for_organizers_only(service: FollowUpService) -> None:
    assert parse_club("rules paste") == ClubOwnRules("rulebook", "paste")
    assert parse_club("templates paste") == ClubOwnRules("drafts", "paste")
    await say(service, member("alice"), "/club setup Career Club")
    refused = await say(service, member("bob"), "/club rules paste")
    assert refused.is_error
    assert refused.rules_form is None
    form = await say(service, member("alice"), "/club templates paste")
    assert form.rules_form == "drafts"
    # Where there are no forms, how to type it.
    assert "/club templates set" in text(form)
    shown = await say(service, member("bob"), "/club rules")
    assert "/club rules paste opens a form" in text(shown)


@pytest.mark.parametrize(
    ("pasted", "expected"),
    [
        (
            BUNDLED.replace("ideal_hours = 48", "ideal_hours = -4", 1),
            "your pasted rulebook: kinds.interview.follow_ups[0].ideal_hours:",
        ),
        (
            BUNDLED.replace("version = 1", "version = 2", 1),
            "your pasted rulebook: version: must be 1",
        ),
        ("version = 1\n[timing\n", "your pasted rulebook: (syntax):"),
        (
            BUNDLED + "[kinds.x]\nlabel = 'x'\nfollow_ups = 3\n",
            "your pasted rulebook: kinds.x",
        ),
    ],
)
async def test_a_bad_rulebook_names_the_file_key_and_problem_and_changes_nothing(
    service: FollowUpService, memory_storage: InMemoryStorage, pasted: str, expected: str
) -> None:
    await say(service, member("alice"), "/club setup Career Club")
    await say(service, member("alice"), f"/club rules set {CLUB_RULEBOOK}")
    before = dict(memory_storage.tables.club_rules)
    refused = await say(service, member("alice"), f"/club rules set {pasted}")
    assert refused.is_error
    assert text(refused).startswith("That rulebook can't be used, so nothing changed. ")
    assert expected in text(refused)
    assert memory_storage.tables.club_rules == before


async def test_a_rulebook_the_templates_cant_serve_is_refused(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    """The deployment's templates name the interview style's kind: a rulebook without it would
    leave them pointing nowhere."""
    await say(service, member("alice"), "/club setup Career Club")
    without = BUNDLED.replace("[kinds.interview]", "[kinds.job-interview]").replace(
        "[[kinds.interview.follow_ups]]", "[[kinds.job-interview.follow_ups]]"
    )
    refused = await say(service, member("alice"), f"/club rules set {without}")
    assert refused.is_error
    assert "interview is not a kind of conversation in your pasted rulebook" in text(refused)
    assert memory_storage.tables.club_rules == {}


async def test_templates_are_checked_against_the_clubs_own_rulebook(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    await say(service, member("alice"), "/club setup Career Club")
    dinner_style = BUNDLED_DRAFTS.replace(
        'kinds = ["interview"]', 'kinds = ["interview", "alumni-dinner"]', 1
    )
    refused = await say(service, member("alice"), f"/club templates set {dinner_style}")
    assert refused.is_error
    assert "your pasted templates" in text(refused)
    assert "alumni-dinner is not a kind of conversation" in text(refused)
    assert memory_storage.tables.club_rules == {}
    await say(service, member("alice"), f"/club rules set {CLUB_RULEBOOK}")
    reply = await say(service, member("alice"), f"/club templates set {dinner_style}")
    assert not reply.is_error, text(reply)
    assert text(reply).startswith("Career Club now uses its own draft templates")
    shown = text(await say(service, member("bob"), "/club templates"))
    assert shown.startswith("Career Club uses its own draft templates, set by Alice on ")


async def test_a_paste_too_long_or_empty_is_explained(
    service: FollowUpService, memory_storage: InMemoryStorage
) -> None:
    await say(service, member("alice"), "/club setup Career Club")
    huge = CLUB_RULEBOOK + "# " + "é" * PASTE_LIMIT
    refused = await say(service, member("alice"), f"/club rules set {huge}")
    assert text(refused) == (
        "That's more than 64 KB; a club's rulebook can be up to 64 KB. Nothing changed."
    )
    empty = await say(service, member("alice"), "/club templates set   ")
    assert empty.is_error
    assert "Paste the TOML after /club templates set" in text(empty)
    assert memory_storage.tables.club_rules == {}


def test_club_books_parse_each_version_once() -> None:
    default = load_rulebook()
    books = ClubBooks(default, load_drafts(rulebook=default))
    assert books.books({}).rulebook is default
    first = ClubRules(1, "rulebook", CLUB_RULEBOOK, "alice", default_time())
    parsed = books.books({"rulebook": first}).rulebook
    assert "alumni-dinner" in parsed.kinds
    assert books.books({"rulebook": first}).rulebook is parsed
    changed = ClubRules(1, "rulebook", BUNDLED, "alice", default_time().replace(hour=9))
    assert "alumni-dinner" not in books.books({"rulebook": changed}).rulebook.kinds


def default_time() -> datetime:
    return datetime(2026, 3, 6, 20, 0, tzinfo=UTC)
