"""/fair on the in-memory fake: planning a list, changing it, what a /met at the fair takes
from it, and the evening DM after it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from adapters.discord.limits import problems as discord_problems
from adapters.discord.render import pages as discord_pages
from adapters.slack.blocks import pages as slack_pages
from adapters.slack.limits import problems as slack_problems
from bot.commands import (
    AddToFair,
    CommandError,
    FairForm,
    Help,
    ListFairs,
    MoveOnFair,
    PlanFair,
    RemoveFromFair,
    ShowFair,
    parse_command,
)
from bot.domain import Address, FairList, NudgeStatus
from bot.errors import UserError
from bot.fairs import (
    PlannedCompany,
    closest_entry,
    default_fair,
    entries_of,
    listed_name,
    parse_companies,
)
from bot.formatting import format_moment
from bot.ports import PermanentFailure, RetryAfter
from bot.replies import Reply
from bot.services import Requester
from bot.testing import InMemoryStorage, TestBot
from rules.rulebook import RulebookError, parse_rulebook
from tests.unit import test_services as services
from tests.unit.test_services import ALICE, BOB, pending_nudges

NEW_YORK = ZoneInfo("America/New_York")
PLAN = '/fair plan "Spring Career Fair" Acme:1, Globex:1, Initech:2, Hooli:2, Umbrella:3, Stark:3'


async def say(bot: TestBot, text: str, who: Requester = ALICE) -> Reply:
    return await services.say(bot.service, text, who)


async def text_of(bot: TestBot, text: str, who: Requester = ALICE) -> str:
    return await services.text_of(bot.service, text, who)


# -- what is typed ----------------------------------------------------------------------------


def test_a_plan_is_parsed_with_its_name_tiers_and_day() -> None:
    command = parse_command(
        '/fair plan "Spring Career Fair" Acme, Globex:1, Initech:2, Hooli when: next friday'
    )
    assert command == PlanFair(
        "Spring Career Fair",
        (
            PlannedCompany("Acme"),
            PlannedCompany("Globex", 1),
            PlannedCompany("Initech", 2),
            PlannedCompany("Hooli"),
        ),
        "next friday",
    )


@pytest.mark.parametrize(
    ("typed", "name", "companies"),
    [
        # A name typed without quotes: up to the word that names a fair, or before a colon.
        ("Spring Career Fair Acme, Globex when:friday", "Spring Career Fair", ("Acme", "Globex")),
        ("Spring Career Fair, Acme, Globex", "Spring Career Fair", ("Acme", "Globex")),
        ("Fall Fair: Acme:1, Globex", "Fall Fair", ("Acme", "Globex")),
        (
            "Engineering Expo Acme Corp:1, Fair Isaac",
            "Engineering Expo",
            ("Acme Corp", "Fair Isaac"),
        ),
        ("Job Fair Fair Isaac, Acme", "Job Fair", ("Fair Isaac", "Acme")),
        # No name: companies only, a company named Fair included; a tier's colon is no name.
        ("Fair Isaac, Acme", "", ("Fair Isaac", "Acme")),
        ("Acme:1, Globex:2", "", ("Acme", "Globex")),
    ],
)
def test_a_fairs_name_without_quotes_is_read(
    typed: str, name: str, companies: tuple[str, ...]
) -> None:
    command = parse_command(f"/fair plan {typed}")
    assert isinstance(command, PlanFair)
    assert command.name == name
    assert tuple(c.company for c in command.companies) == companies


async def test_a_name_read_without_quotes_is_said_so(bot: TestBot) -> None:
    text = await text_of(bot, "/fair plan Acme Fair Trade Co, Globex")
    assert "I read “Acme Fair” as the fair's name; if it isn't, put the name in quotes" in text
    assert "1. Trade Co" in text
    quoted = await text_of(bot, '/fair plan "Acme Fair Trade Co" Globex')
    assert "I read" not in quoted


def test_a_fair_named_without_companies_is_asked_for_them() -> None:
    with pytest.raises(UserError, match=r'Which companies.*"Job Fair"'):
        parse_command("/fair plan Job Fair")


def test_of_two_fairs_on_one_day_the_one_planned_last_is_meant() -> None:
    def fair(ident: int, name: str, day: int) -> FairList:
        made = FairList(1, name, date(2026, 3, day), datetime(2026, 3, 1, tzinfo=UTC), [])
        made.id = ident
        return made

    fairs = [fair(1, "Career fair", 6), fair(2, "Spring Career Fair", 6), fair(3, "Late", 20)]
    for today in (date(2026, 3, 6), date(2026, 3, 2), date(2026, 3, 8)):  # on, before, after
        chosen = default_fair(fairs, today)
        assert chosen is not None
        assert chosen.name == "Spring Career Fair"


def test_every_subcommand_is_parsed() -> None:
    assert parse_command("/fair") == ShowFair(form_if_none=True)
    assert parse_command("/fair plan") == FairForm()
    assert parse_command('/fair show "Fall Fair"') == ShowFair("Fall Fair")
    assert parse_command("/fair show Fall Fair") == ShowFair("Fall Fair")
    assert parse_command('/fair "Fall Fair"') == ShowFair("Fall Fair")
    assert parse_command("/fair list") == ListFairs()
    assert parse_command("/fair add Globex:1") == AddToFair((PlannedCompany("Globex", 1),))
    assert parse_command("/fair remove Hooli") == RemoveFromFair("Hooli")
    assert parse_command("/fair move Initech 1") == MoveOnFair("Initech", 1)
    assert parse_command('/fair move "Fall Fair" Acme Corp #2') == MoveOnFair(
        "Acme Corp", 2, "Fall Fair"
    )
    assert parse_command("/fair help") == Help("fair")


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("/fair plna Acme", "Did you mean /fair plan?"),
        ("/fair plan Acme:7", "a tier is 1 to 3"),
        ("/fair plan Acme, acme inc.", "Acme is on the list twice"),
        ("/fair plan Acme:", "a tier is 1 to 3"),
        ("/fair move Initech", "Usage: /fair move COMPANY N"),
        ("/fair move Initech 0", "Usage: /fair move COMPANY N"),
        ("/fair remove", "Which company?"),
        ('/fair plan "Spring"', "Which companies?"),
        ("/fair plan " + ", ".join(f"Company {n}" for n in range(51)), "at most 50"),
        ("/fair plan " + "A" * 101, "too long for a company"),
    ],
)
def test_bad_input_says_what_is_wrong(typed: str, said: str) -> None:
    with pytest.raises(CommandError, match=said):
        parse_command(typed)


def test_a_pasted_list_keeps_its_order_and_drops_its_bullets() -> None:
    companies = parse_companies("1. Acme\n2. Globex (1)\n- Initech:2\n• Hooli\n\n")
    entries = entries_of(companies)
    assert [(e.company, e.priority, e.position) for e in entries] == [
        ("Acme", 1, 1),
        ("Globex", 1, 2),
        ("Initech", 2, 3),
        ("Hooli", 2, 4),  # no tier: the one before it
    ]


@pytest.mark.parametrize(
    ("typed", "matched"),
    [
        ("acme inc.", "Acme"),
        ("ACME, Inc", "Acme"),
        ("Initek", "Initech"),
        ("Globex Europe", "Globex"),
        ("Hooli", "Hooli"),
        ("Umbrella Corporation", "Umbrella Corp"),
        ("Wayne Enterprises", None),
        ("Ac", None),
    ],
)
def test_companies_match_the_list_forgivingly(typed: str, matched: str | None) -> None:
    from bot.domain import FairList

    entries = entries_of(parse_companies("Acme, Globex, Initech, Hooli, Umbrella Corp"))
    fair = FairList(1, "Fair", datetime(2026, 3, 6, tzinfo=UTC).date(), datetime.now(UTC), entries)
    entry = closest_entry(fair, typed)
    assert (entry.company if entry else None) == matched


def test_a_matched_company_takes_the_lists_name_unless_it_says_more() -> None:
    (acme,) = entries_of(parse_companies("Acme"))
    assert listed_name(acme, "acme inc.") == "Acme"
    assert listed_name(acme, "Acme Robotics") == "Acme Robotics"


# -- planning and changing a list -------------------------------------------------------------


async def test_a_plan_is_shown_in_order_with_its_tiers_and_the_guides_words(bot: TestBot) -> None:
    text = await text_of(bot, PLAN + " when:monday")
    assert "Planned Spring Career Fair: 6 companies in order of interest." in text
    assert "That evening I'll DM you a checklist (Mon 9 Mar 19:00 EDT)." in text
    assert "Spring Career Fair, Mon 9 Mar 2026 (in 3 days)" in text
    assert "1. Acme (tier 1): not visited yet" in text
    assert "6. Stark (tier 3): not visited yet" in text
    assert "0 of 6 priority companies visited, 0 followed up." in text
    assert "You don't have to follow up with everybody; when in doubt, follow up." in text
    assert bot.woken == [datetime(2026, 3, 9, 23, 0, tzinfo=UTC)]


async def test_without_a_day_a_plan_is_today_and_without_a_name_the_next_fair(
    bot: TestBot,
) -> None:
    await say(bot, '/fair plan "Spring Career Fair" Acme when:tomorrow')
    text = await text_of(bot, "/fair plan Globex, Initech")
    assert "Updated Spring Career Fair: 2 companies" in text
    assert "Sat 7 Mar 2026 (tomorrow)" in text
    text = await text_of(bot, '/fair plan "Walk-in Fair" Hooli')
    assert "Walk-in Fair, Fri 6 Mar 2026 (today)" in text


async def test_add_remove_and_move_change_the_list(bot: TestBot) -> None:
    await say(bot, PLAN)
    text = await text_of(bot, "/fair add Wayne, Globex:2")
    assert "Added Wayne (tier 3); Globex is tier 2 now." in text
    assert "7. Wayne (tier 3)" in text
    text = await text_of(bot, "/fair move initech 1")
    # First in order of interest, above tier-1 Acme: tier 1 too.
    assert "Moved Initech to number 1, tier 1 now (was 2)." in text
    assert "1. Initech (tier 1)" in text
    assert "2. Acme (tier 1)" in text
    text = await text_of(bot, "/fair move Acme 2")
    assert "Moved Acme to number 2." in text
    text = await text_of(bot, "/fair remove hooli inc")
    assert "Removed Hooli from Spring Career Fair." in text
    assert "Hooli" not in text.split("Removed Hooli")[1]
    text = await text_of(bot, "/fair move Stark 99")
    assert "6. Stark" in text  # as far down as the list goes


async def test_a_company_not_on_the_list_changes_nothing(bot: TestBot) -> None:
    await say(bot, PLAN)
    before = await text_of(bot, "/fair")
    reply = await say(bot, "/fair remove Wayne Enterprises")
    assert reply.is_error
    assert "“Wayne Enterprises” isn't on your Spring Career Fair list" in reply.plain_text()
    assert await text_of(bot, "/fair") == before


async def test_a_bad_day_changes_nothing(bot: TestBot) -> None:
    reply = await say(bot, PLAN + " when:someday soon")
    assert reply.is_error
    assert "couldn't read “someday soon” as a day" in reply.plain_text()
    reply = await say(bot, PLAN + " when:2028-01-01")
    assert reply.is_error
    assert "more than a year ahead" in reply.plain_text()
    assert (await say(bot, "/fair")).fair_form  # still no list


async def test_fair_alone_opens_the_form_until_there_is_a_list(bot: TestBot) -> None:
    reply = await say(bot, "/fair")
    assert reply.fair_form
    assert "You have no fair list yet" in reply.plain_text()
    assert (await say(bot, "/fair plan")).fair_form
    await say(bot, PLAN)
    reply = await say(bot, "/fair")
    assert not reply.fair_form
    assert "1. Acme (tier 1)" in reply.plain_text()


async def test_several_fairs_the_most_recent_by_default_and_list_shows_all(bot: TestBot) -> None:
    await say(bot, '/fair plan "Winter Fair" Acme when:"march 2"')
    await say(bot, '/fair plan "Spring Career Fair" Globex when:"march 20"')
    # Winter Fair was held 4 days ago: still the one meant, while its follow-ups are due.
    assert "Winter Fair, Mon 2 Mar 2026 (4 days ago)" in await text_of(bot, "/fair")
    bot.clock.advance(timedelta(days=5))
    assert "Spring Career Fair, Fri 20 Mar 2026 (in 9 days)" in await text_of(bot, "/fair")
    text = await text_of(bot, "/fair list")
    assert text.index("Spring Career Fair") < text.index("Winter Fair")
    assert "Winter Fair, Mon 2 Mar 2026 (9 days ago): 1 company, 0 visited" in text
    assert "Spring Career Fair" in await text_of(bot, '/fair show "spring career fair"')
    reply = await say(bot, '/fair show "Autumn Fair"')
    assert reply.is_error
    assert "You have no fair called “Autumn Fair”" in reply.plain_text()


async def test_another_students_list_reads_as_missing(bot: TestBot) -> None:
    await say(bot, PLAN)
    reply = await say(bot, '/fair show "Spring Career Fair"', BOB)
    assert reply.fair_form is False
    assert "You have no fair list yet" in reply.plain_text()
    assert "1. Acme" not in reply.plain_text()
    assert (await say(bot, "/fair remove Acme", BOB)).is_error
    # Bob's /met at Acme on the fair's day is his own: not on Alice's list.
    text = await text_of(bot, "/met Jane Doe, Acme, career fair", BOB)
    assert "Spring Career Fair" not in text
    assert "0 of 6 priority companies visited" in await text_of(bot, "/fair")


# -- at the fair ------------------------------------------------------------------------------


async def test_a_met_at_the_fair_takes_the_lists_tier_and_says_what_it_matched(
    bot: TestBot, memory_storage: InMemoryStorage
) -> None:
    await say(bot, PLAN)
    text = await text_of(bot, "/met Jane Doe, acme inc., career fair, their data team")
    assert "Saved: Jane Doe at Acme, career fair chat at Spring Career Fair, priority 1" in text
    assert "On your Spring Career Fair list: Acme (“acme inc.” matched), tier 1" in text
    assert pending_nudges(memory_storage) != []  # a tier-1 brief chat is nudged
    text = await text_of(bot, "/met Raj Patel, Initek, career fair")
    assert "Initech (“Initek” matched), tier 2" in text
    assert "a brief chat with a tier-2 company is optional" in text
    text = await text_of(bot, "/met Bob Lee, Wayne Enterprises, career fair")
    assert "Not on your Spring Career Fair list: recorded as unplanned" in text
    shown = await text_of(bot, "/fair")
    assert "1. Acme (tier 1): Jane Doe, career fair chat: #1 email by" in shown
    assert "3. Initech (tier 2): Raj Patel" in shown
    assert "Wayne Enterprises: Bob Lee" in shown
    assert "2 of 6 priority companies visited, 0 followed up; 1 more not on your list." in shown
    await say(bot, "/followups done 1")
    assert "2 of 6 priority companies visited, 1 followed up" in await text_of(bot, "/fair")


async def test_a_typed_priority_wins_over_the_list(
    bot: TestBot, memory_storage: InMemoryStorage
) -> None:
    await say(bot, PLAN)
    text = await text_of(bot, "/met Raj Patel, Initech, career fair, priority:1")
    assert "priority 1" in text
    assert pending_nudges(memory_storage) != []


async def test_a_met_naming_the_fair_on_another_day_is_linked(bot: TestBot) -> None:
    await say(bot, PLAN + " when:yesterday")
    text = await text_of(bot, '/met Jane Doe, Globex, career fair event:"spring career fair"')
    assert "On your Spring Career Fair list: Globex, tier 1" in text


async def test_an_interview_on_the_fair_day_elsewhere_is_not_unplanned(bot: TestBot) -> None:
    await say(bot, PLAN)
    text = await text_of(bot, "/met Jane Doe, Wayne Enterprises, interview")
    assert "Spring Career Fair" not in text
    text = await text_of(bot, "/met Ann Lee, Acme, interview, priority:2")
    assert "On your Spring Career Fair list: Acme" in text
    assert "priority: is ignored for an interview" in text
    assert "priority 1" not in text.split("\n")[0]  # an interview has no tier


async def test_editing_the_priority_replans_the_nudges(
    bot: TestBot, memory_storage: InMemoryStorage
) -> None:
    await say(bot, PLAN)
    await say(bot, "/met Raj Patel, Initech, career fair")
    assert pending_nudges(memory_storage) == []
    text = await text_of(bot, "/followups edit 1 priority:1")
    assert not (await say(bot, "/followups")).is_error
    nudges = pending_nudges(memory_storage)
    assert nudges != [], text
    first = format_moment(min(due for _, _, due in nudges), NEW_YORK)
    assert f"Nudged now, first reminder {first}." in text
    text = await text_of(bot, "/followups edit 1 priority:2")
    assert "No reminders for it now." in text
    assert pending_nudges(memory_storage) == []


def quiet_at(moment: datetime) -> bool:
    """Whether `moment` is in Alice's quiet hours in these tests (22:00-08:00 New York)."""
    return not 8 <= moment.astimezone(NEW_YORK).hour < 22


async def test_moving_a_company_up_nudges_the_brief_chat_already_recorded(
    bot: TestBot, memory_storage: InMemoryStorage
) -> None:
    await say(bot, "/followups settings quiet 22:00-08:00")
    await say(bot, PLAN)
    await say(bot, "/met Raj Patel, Initech, career fair, their platform team")
    assert pending_nudges(memory_storage) == []
    text = await text_of(bot, "/fair move Initech 1")
    nudges = pending_nudges(memory_storage)
    assert nudges != []
    first = min(due for _, _, due in nudges)
    assert (
        "Moved Initech to number 1, tier 1 now (was 2).\nYour follow-up #1 with Raj Patel at "
        f"Initech is now nudged, first reminder {format_moment(first, NEW_YORK)}." in text
    )
    assert all(due > bot.clock.now() and not quiet_at(due) for _, _, due in nudges)
    assert "1. Initech (tier 1): Raj Patel, career fair chat: #1 email by" in text
    assert ", optional" not in text.split("1. Initech")[1].split("\n")[0]
    # Down among the tier-2 companies: optional again, its reminders cancelled, never missed.
    text = await text_of(bot, "/fair move Initech 4")
    assert "tier 2 now (was 1).\nYour follow-up #1 with Raj Patel at Initech is optional now: " in (
        text
    )
    assert pending_nudges(memory_storage) == []
    listed = await text_of(bot, "/followups")
    assert "Optional" in listed
    assert "Raj Patel" in listed.split("Optional")[1]
    await bot.run_until(hours=72)
    assert not [dm for dm in bot.messenger.sent if "Raj Patel" in dm.message.plain_text()][1:]
    assert "missed" not in await text_of(bot, "/followups")


async def test_a_tier_given_with_add_replans_and_a_typed_priority_stays(
    bot: TestBot, memory_storage: InMemoryStorage
) -> None:
    await say(bot, PLAN)
    await say(bot, "/met Raj Patel, Initech, career fair")
    await say(bot, "/met Ann Lee, Hooli, career fair, priority:3")
    text = await text_of(bot, "/fair add Initech:1, Hooli:1")
    assert "Initech is tier 1 now; Hooli is tier 1 now." in text
    assert "#1 with Raj Patel at Initech is now nudged, first reminder" in text
    assert "Ann Lee" not in text.split("\n")[0]  # priority:3 was typed: it stays hers
    assert {n for n, _, _ in pending_nudges(memory_storage)} == {_id(memory_storage, 1)}
    text = await text_of(bot, "/fair add Initech:3")
    assert "#1 with Raj Patel at Initech is optional now: no more reminders." in text
    assert pending_nudges(memory_storage) == []
    # A new plan of the same fair gives the tiers it types.
    text = await text_of(bot, '/fair plan "Spring Career Fair" Initech:1, Acme')
    assert "#1 with Raj Patel at Initech is now nudged" in text
    assert "Ann Lee at Hooli stays, as unplanned (not on your list)" in text


async def test_a_company_added_after_the_chat_is_matched_to_it(
    bot: TestBot, memory_storage: InMemoryStorage
) -> None:
    await say(bot, PLAN)
    await say(bot, "/met Bob Lee, Wayne Enterprises, career fair")
    assert pending_nudges(memory_storage) == []
    text = await text_of(bot, "/fair add Wayne Enterprises:1")
    assert "Added Wayne Enterprises (tier 1).\nYour follow-up #1 with Bob Lee at Wayne" in text
    assert "7. Wayne Enterprises (tier 1): Bob Lee, career fair chat: #1 email by" in text
    assert "Not on your list" not in text
    assert pending_nudges(memory_storage) != []


async def test_removing_a_company_met_keeps_its_follow_up_unplanned(
    bot: TestBot, memory_storage: InMemoryStorage
) -> None:
    await say(bot, PLAN)
    await say(bot, "/met Jane Doe, Acme, career fair")
    nudges = pending_nudges(memory_storage)
    text = await text_of(bot, "/fair remove Acme")
    assert (
        "Removed Acme from Spring Career Fair.\nYour conversation with Jane Doe at Acme stays, "
        "as unplanned (not on your list); its follow-ups are unchanged." in text
    )
    assert "Not on your list\nAcme: Jane Doe, career fair chat: #1 email by" in text
    assert pending_nudges(memory_storage) == nudges


async def test_a_move_at_night_plans_no_reminder_in_quiet_hours(
    bot: TestBot, memory_storage: InMemoryStorage
) -> None:
    await say(bot, "/followups settings quiet 22:00-08:00")
    await say(bot, PLAN)
    await say(bot, "/met Raj Patel, Initech, career fair")
    bot.clock.advance(timedelta(hours=8))  # 23:00 in New York
    text = await text_of(bot, "/fair move Initech 1")
    nudges = pending_nudges(memory_storage)
    assert nudges != [], text
    assert all(due > bot.clock.now() and not quiet_at(due) for _, _, due in nudges)


async def test_a_new_plan_retiering_fifty_chats_is_paged_whole_on_both_platforms(
    bot: TestBot, memory_storage: InMemoryStorage
) -> None:
    companies = [f"{n:02d} " + "Very Long Company Name Holdings " * 3 for n in range(50)]
    companies = [c.strip()[:100] for c in companies]
    await say(bot, '/fair plan "Spring Career Fair" ' + ", ".join(f"{c}:2" for c in companies))
    for company in companies:
        await say(bot, f"/met {'Maximiliana ' * 6}Okonkwo-Fitzgerald, {company}, career fair")
    assert pending_nudges(memory_storage) == []
    reply = await say(bot, '/fair plan "Spring Career Fair" ' + ", ".join(companies))
    changed = [line for line in reply.plain_text().splitlines() if "is now nudged" in line]
    assert len(changed) == 50
    slack_text = ""
    for message in slack_pages(reply):
        assert slack_problems(message.blocks, message.text) == []
        slack_text += "".join(b.get("text", {}).get("text", "") for b in message.blocks)
    discord_text = ""
    for page in discord_pages(reply, scope="test"):
        for embed in page.embeds:
            assert discord_problems({"embeds": [embed.to_dict()]}) == []
            discord_text += embed.description or ""
    for line in changed:
        number = line.split()[2]  # "#12"
        assert f"Your follow-up {number} with" in slack_text
        assert f"Your follow-up {number} with" in discord_text


def _id(storage: InMemoryStorage, number: int) -> int:
    """The id of follow-up #number."""
    return next(f.id or 0 for f in storage.tables.follow_ups.values() if f.number == number)


# -- the evening after ------------------------------------------------------------------------


async def test_the_evening_dm_is_sent_once_with_the_checklist(bot: TestBot) -> None:
    await say(bot, PLAN)
    await say(bot, "/met Jane Doe, Acme, career fair, their data team")
    await say(bot, "/met Raj Patel, Initech, career fair")
    await say(bot, "/met Priya Raman, Globex, fair-good, her path into tech lead")
    await say(bot, "/met Bob Lee, Wayne Enterprises, career fair")
    await bot.run_until(hours=3.5)  # to 18:30: nothing yet
    assert not [dm for dm in bot.messenger.sent if dm.key.startswith("fair-evening")]
    await bot.run_until(hours=1)
    (evening,) = [dm for dm in bot.messenger.sent if dm.key.startswith("fair-evening")]
    assert evening.at == datetime(2026, 3, 7, 0, 0, tzinfo=UTC)  # 19:00 EST
    text = evening.message.plain_text()
    assert "Your checklist for Spring Career Fair today: 3 of 6 priority companies visited" in (
        text
    )
    assert "Acme (tier 1): Jane Doe, career fair chat: #1 email by Sun 8 Mar 16:00 EDT" in text
    # Optional only where no nudge comes: the tier-1 brief chat is one to send.
    assert "#1 email by Sun 8 Mar 16:00 EDT (I'll nudge you)" in text
    assert ", optional: no nudges" in text
    assert "Hooli (tier 2), Umbrella (tier 3), Stark (tier 3)" in text
    assert "If you did talk to them: /met NAME, Hooli, career fair" in text
    assert "Wayne Enterprises: Bob Lee" in text
    assert "You don't have to follow up with everybody; when in doubt, follow up." in text
    # Another replica, later: nothing left to send.
    await bot.replica(owner="other").dispatch_due()
    await bot.run_until(hours=48)
    evenings = [dm for dm in bot.messenger.sent if dm.key.startswith("fair-evening")]
    assert len(evenings) == 1


async def test_the_evening_dm_moves_before_early_quiet_hours(bot: TestBot) -> None:
    await say(bot, "/followups settings quiet 18:00-07:00")
    await say(bot, PLAN + " when:tomorrow")
    await bot.run_until(hours=30)
    (evening,) = [dm for dm in bot.messenger.sent if dm.key.startswith("fair-evening")]
    assert evening.at == datetime(2026, 3, 7, 22, 30, tzinfo=UTC)  # 17:30 EST


async def test_the_evening_dm_and_nudges_moved_before_quiet_hours_are_one_dm(
    bot: TestBot,
) -> None:
    # Quiet hours from 18:00 move the evening DM to 17:30, and yesterday's 18:10 interview's
    # heads-up too; the others fall due from 17:20: at 17:20 one DM holds the checklist and
    # every nudge due by 17:50.
    await say(bot, "/followups settings quiet 18:00-07:00")
    await say(bot, PLAN)
    await say(bot, "/met Jane Doe, Acme, career fair, their data team")
    company = "Northwind Traders and Associates International Consulting Group of Greater Boston"
    for n in range(7):
        name = f"Alexandra Catherine Montgomery-Fitzwilliam {n}"
        await say(bot, f'/met {name}, {company} {n}, interview when:"yesterday 17:2{n}"')
    await say(bot, '/met Raj Patel, Initech, interview when:"yesterday 18:10"')
    await bot.run_until(hours=4)  # to 19:00 EST
    (dm,) = bot.messenger.sent
    assert dm.at == datetime(2026, 3, 6, 22, 20, tzinfo=UTC)  # 17:20 EST
    # Keyed by the evening and its eight nudges.
    assert re.fullmatch(r"fair-evening-\d+\+nudge-\d+(\+\d+){7}", dm.key), dm.key
    text = dm.message.plain_text()
    assert "Your checklist for Spring Career Fair today" in text
    assert "8 follow-ups to send" in text
    assert "#9 email to Raj Patel at Initech" in text
    # The most urgent five with buttons, the other three to pick: each of the eight at hand.
    with_buttons = {a.number for a in dm.message.actions}
    picked = {c.action.number for c in dm.message.choices}
    assert with_buttons == set(range(2, 7))
    assert picked == set(range(7, 10))
    # Paged as any DM: every page within what the platforms take.
    for message in slack_pages(dm.message):
        assert slack_problems(message.blocks, message.text) == []
    for page in discord_pages(dm.message, scope="test", skip_first_title=True):
        for embed in page.embeds:
            assert discord_problems({"embeds": [embed.to_dict()]}) == []
    await bot.run_until(hours=30)
    assert len([d for d in bot.messenger.sent if d.key.startswith("fair-evening")]) == 1


async def test_the_evening_dm_follows_a_new_zone_quiet_hours_and_day(
    bot: TestBot, memory_storage: InMemoryStorage
) -> None:
    def evening_due() -> datetime | None:
        (fair,) = memory_storage.tables.fair_lists.values()
        return fair.evening_due_at

    await say(bot, PLAN)
    text = await text_of(bot, "/followups settings zone America/Los_Angeles")
    assert evening_due() == datetime(2026, 3, 7, 3, 0, tzinfo=UTC)  # 19:00 PST
    await say(bot, "/followups settings quiet 18:00-07:00")
    assert evening_due() == datetime(2026, 3, 7, 1, 30, tzinfo=UTC)  # 17:30 PST
    assert "That evening I'll DM you a checklist (Sat 7 Mar 17:30 PST)." in await text_of(
        bot, PLAN + " when:tomorrow"
    )
    await bot.run_until(hours=24)
    assert not [dm for dm in bot.messenger.sent if dm.key.startswith("fair-evening")], text
    await bot.run_until(hours=30)
    (evening,) = [dm for dm in bot.messenger.sent if dm.key.startswith("fair-evening")]
    assert evening.at == datetime(2026, 3, 8, 1, 30, tzinfo=UTC)
    # Sent: a later change of zone sends no second one.
    await say(bot, "/followups settings zone Europe/London")
    await bot.run_until(hours=48)
    assert len([dm for dm in bot.messenger.sent if dm.key.startswith("fair-evening")]) == 1


async def test_a_zone_change_past_the_evenings_hour_sends_it_once_at_once(
    bot: TestBot, memory_storage: InMemoryStorage
) -> None:
    await say(bot, PLAN)  # 15:00 in New York, 20:00 in London: past 19:00 there
    await say(bot, "/followups settings zone Europe/London")
    (fair,) = memory_storage.tables.fair_lists.values()
    assert fair.evening_due_at == bot.clock.now()
    assert fair.evening_status is NudgeStatus.PENDING
    await bot.run_until(hours=30)
    (evening,) = [dm for dm in bot.messenger.sent if dm.key.startswith("fair-evening")]
    assert evening.at == datetime(2026, 3, 6, 20, 0, tzinfo=UTC)


async def test_a_rate_limited_evening_dm_is_retried_and_a_blocked_one_given_up(
    bot: TestBot,
) -> None:
    await say(bot, PLAN)
    bot.messenger.answers.append(RetryAfter(60))
    await bot.run_until(hours=4)
    await bot.run_until(hours=0.1)
    evenings = [dm for dm in bot.messenger.sent if dm.key.startswith("fair-evening")]
    assert len(evenings) == 1
    assert evenings[0].at == datetime(2026, 3, 7, 0, 1, tzinfo=UTC)
    await say(bot, '/fair plan "Next Fair" Acme when:tomorrow', BOB)
    bot.messenger.answers.append(PermanentFailure("DMs closed"))
    await bot.run_until(hours=30)
    assert [dm.to.address.user for dm in bot.messenger.sent if "evening" in dm.key] == ["alice"]


async def test_no_evening_dm_for_a_fair_already_over_or_with_nudges_off(bot: TestBot) -> None:
    await say(bot, '/fair plan "Old Fair" Acme when:yesterday')
    await say(bot, '/fair plan "Quiet Fair" Acme', BOB)
    await say(bot, "/followups settings nudges off", BOB)
    await bot.run_until(hours=30)
    assert not [dm for dm in bot.messenger.sent if dm.key.startswith("fair-evening")]
    fairs = bot.storage.tables.fair_lists.values()  # type: ignore[attr-defined]
    assert {f.name: f.evening_status for f in fairs} == {
        "Old Fair": NudgeStatus.CANCELLED,
        "Quiet Fair": NudgeStatus.CANCELLED,
    }


async def test_forget_me_takes_the_lists_and_export_has_them(bot: TestBot) -> None:
    await say(bot, PLAN)
    await say(bot, "/met Jane Doe, Acme, career fair")
    reply = await say(bot, "/followups export")
    (fairs,) = [f for f in reply.files if f.name.startswith("fairs-")]
    rows = fairs.content.decode("utf-8-sig").splitlines()
    assert rows[0] == "fair,day,place,company,tier,met,follow-ups"
    assert rows[1] == "Spring Career Fair,2026-03-06,1,Acme,1,Jane Doe,#1 pending"
    await say(bot, "/followups forget-me confirm")
    assert bot.storage.tables.fair_lists == {}  # type: ignore[attr-defined]
    assert bot.storage.tables.fair_visits == {}  # type: ignore[attr-defined]


# -- the rulebook -----------------------------------------------------------------------------


def _rulebook_with(fair: dict[str, object]) -> dict[str, object]:
    import tomllib
    from pathlib import Path

    data = tomllib.loads(Path("rules/rulebook.toml").read_text())
    data["fair"] = fair
    return data


def test_the_rulebook_sets_which_tiers_are_nudged() -> None:
    rulebook = parse_rulebook(_rulebook_with({"nudge_priority_at_most": 2}), "club.toml")
    assert rulebook.kinds["fair"].nudge_priorities == frozenset({1, 2})
    assert rulebook.fair.evening_at.hour == 19


@pytest.mark.parametrize(
    ("fair", "problem"),
    [
        ({"nudge_priority_at_most": 0}, "fair.nudge_priority_at_most: must be a tier from 1 to 3"),
        ({"nudge_priority_at_most": True}, "fair.nudge_priority_at_most"),
        ({"evening_at": "7pm"}, 'fair.evening_at: must be a time like "19:00"'),
        ({"evening_at": "25:00"}, "fair.evening_at"),
        ({"nudge_priority": 1}, "fair.nudge_priority: unknown key"),
    ],
)
def test_a_bad_fair_rule_is_named(fair: dict[str, object], problem: str) -> None:
    with pytest.raises(RulebookError, match=problem):
        parse_rulebook(_rulebook_with(fair), "club.toml")


def test_a_kind_gives_by_priority_or_its_own_priorities_not_both() -> None:
    data = _rulebook_with({})
    data["kinds"]["fair"]["nudge_priorities"] = [1]  # type: ignore[index]
    with pytest.raises(RulebookError, match=r"kinds\.fair\.by_priority: give by_priority or"):
        parse_rulebook(data, "club.toml")


def test_an_address_on_another_platform_is_another_student() -> None:
    assert Address("slack", "T1", "alice") != ALICE.address


async def test_an_evening_dm_whose_send_raises_is_tried_again_later(bot: TestBot) -> None:
    await say(bot, PLAN)
    bot.messenger.answers.append(RuntimeError("connection reset"))
    await bot.run_until(hours=4)  # 19:00 EST: the send raises
    assert not [dm for dm in bot.messenger.sent if dm.key.startswith("fair-evening")]
    await bot.run_until(hours=1)  # backed off, less than a minute at the first try
    (evening,) = [dm for dm in bot.messenger.sent if dm.key.startswith("fair-evening")]
    assert (
        datetime(2026, 3, 7, 0, 0, tzinfo=UTC) < evening.at < datetime(2026, 3, 7, 0, 2, tzinfo=UTC)
    )


async def test_a_long_list_comes_in_pages_and_the_evening_dm_says_what_did_not_fit(
    bot: TestBot,
) -> None:
    names = [f"Company {n:02d} " + "x" * 88 for n in range(50)]
    text = await text_of(bot, '/fair plan "Big Fair" ' + ", ".join(names))
    assert 'Page 1 of 3. Next: /fair show "Big Fair" page:2' in text
    pages = [text] + [await text_of(bot, f'/fair show "Big Fair" page:{n}') for n in (2, 3)]
    assert all(len(page) < 5000 for page in pages)
    assert 'Page 2 of 3. Next: /fair show "Big Fair" page:3' in pages[1]
    assert "Page 3 of 3." in pages[2]
    assert all(sum(name in page for page in pages) == 1 for name in names)
    with pytest.raises(CommandError, match="page: is a number"):
        parse_command("/fair show page:x")
    await bot.run_until(hours=5)
    (evening,) = [dm for dm in bot.messenger.sent if dm.key.startswith("fair-evening")]
    shown = evening.message.plain_text()
    assert len(shown) < 5000
    assert 'That\'s what fits here: /fair show "Big Fair" has it all.' in shown


async def test_editing_an_interviews_priority_says_it_means_nothing_there(bot: TestBot) -> None:
    await say(bot, "/met Jane Doe, Acme, interview")
    reply = await say(bot, "/followups edit 1 priority:2")
    assert reply.is_error
    assert "priority: is ignored for an interview" in reply.plain_text()


async def test_a_hundred_fairs_are_listed_in_pages(bot: TestBot) -> None:
    for n in range(100):
        await say(bot, f'/fair plan "Fair {n:03d} ' + "y" * 100 + f'" Acme when:"in {n} days"')
    reply = await say(bot, '/fair plan "One Too Many" Acme')
    assert reply.is_error
    assert "100 fairs planned, the most I keep" in reply.plain_text()
    pages, n = [], 1
    while True:
        text = await text_of(bot, f"/fair list page:{n}")
        pages.append(text)
        assert len(text) < 5000
        if "Next: /fair list" not in text:
            break
        n += 1
    assert n > 1
    assert all(sum(f"Fair {i:03d} " in page for page in pages) == 1 for i in range(100))
