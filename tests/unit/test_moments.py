"""One DM per moment: a student's nudges due within the rulebook's `together_within` go out as one
DM, most urgent first, buttons for the first few, saying what is left for later; and that DM
fits Slack and Discord whole."""

from __future__ import annotations

import re
from datetime import timedelta

from adapters.discord.render import EMBED_TOTAL_LIMIT, render_embeds, render_view
from adapters.slack.blocks import MAX_BLOCKS, MAX_SECTION_TEXT, render
from bot.commands import command_for, parse_command
from bot.domain import Address, NudgeStatus
from bot.messages.nudges import BUTTONS_FOR, DETAILED
from bot.replies import Reply
from bot.services import Requester
from bot.testing import InMemoryStorage, TestBot
from tests.conftest import NEW_YORK

ALICE = Requester(Address("console", "ws", "alice"))
BOB = Requester(Address("console", "ws", "bob"))


async def met(bot: TestBot, text: str, who: Requester = ALICE) -> None:
    reply = await bot.service.handle(who, parse_command(text))
    assert not reply.is_error, reply.plain_text()


def numbers_in(message: Reply) -> list[int]:
    return [int(n) for n in re.findall(r"^#(\d+)", message.plain_text(), re.MULTILINE)]


def nudge_rows(bot: TestBot) -> list[NudgeStatus]:
    assert isinstance(bot.storage, InMemoryStorage)
    return [n.status for n in bot.storage.tables.nudges.values()]


async def test_nudges_due_within_the_window_go_out_as_one_dm_most_urgent_first(
    bot: TestBot,
) -> None:
    start = bot.clock.now()
    await met(bot, '/met Sam Lee, Initech, networking, her path into product when:"20 minutes ago"')
    await met(bot, "/met Jane Doe, Acme, interview, talked about Kafka and the on-call rota")
    await met(bot, "/met Raj Patel, Hooli, interview", BOB)  # someone else: a DM of his own
    await bot.run_until(24.5)
    (dm, bobs) = sorted(bot.messenger.sent, key=lambda d: d.to.address.user)
    assert bobs.to.address.user == "bob"
    assert dm.at == start + timedelta(hours=24, minutes=-20)  # the first one's moment
    message = dm.message
    assert message.sections[0].title == "2 follow-ups to send"
    # The interview closes in 24 h, the event is adequate for weeks: the interview first.
    assert numbers_in(message) == [2, 1]
    text = message.plain_text()
    assert "Left for later: more reminders about these; the next Sun 8 Mar 09:40 EDT." in text
    assert {a.label for a in message.actions} >= {"Done #1", "Done #2", "Draft #1", "Draft #2"}
    assert re.fullmatch(r"nudge-\d+\+\d+", dm.key)  # both rows, named in the key
    assert nudge_rows(bot).count(NudgeStatus.SENT) == 3


async def test_nudges_further_apart_than_the_window_are_two_dms(bot: TestBot) -> None:
    await met(bot, '/met Sam Lee, Initech, networking when:"40 minutes ago"')
    await met(bot, "/met Jane Doe, Acme, interview")
    await bot.run_until(25)
    assert [numbers_in(dm.message) for dm in bot.messenger.sent] == [[1], [2]]
    assert all(re.fullmatch(r"nudge-\d+", dm.key) for dm in bot.messenger.sent)


async def test_a_window_closed_notice_is_never_sent_early_with_other_nudges(
    bot: TestBot,
) -> None:
    # The interview's window closes at 15:00; the fair's heads-up is due at 14:50.
    await met(bot, "/followups settings quiet off")
    await met(bot, '/met Jane Doe, Acme, interview when:"24 hours ago"')
    await met(bot, '/met Ana Ruiz, Globex, fair-1on1 when:"10 minutes ago"')
    await bot.run_until(23.9)  # to 14:54, past the heads-up and before the window closes
    titles = [dm.message.plain_text() for dm in bot.messenger.sent]
    assert not any("has closed" in t for t in titles)
    await bot.run_until(0.2)
    assert "The window to follow up with Jane Doe at Acme has closed" in (
        bot.messenger.sent[-1].message.plain_text()
    )
    assert bot.messenger.sent[-1].at == bot.clock.now() - timedelta(minutes=6)


async def test_a_big_moment_has_buttons_for_the_first_five_and_points_to_the_rest(
    bot: TestBot,
) -> None:
    for n in range(9):
        await met(bot, f"/met Person {n}, Company {n}, fair-1on1, talked about team {n}")
    await bot.run_until(24)
    (dm,) = bot.messenger.sent
    assert len(numbers_in(dm.message)) == DETAILED + 4  # five parts, then a line each
    with_buttons = {a.number for a in dm.message.actions}
    assert with_buttons == {1, 2, 3, 4, 5}
    assert len(with_buttons) == BUTTONS_FOR
    text = dm.message.plain_text()
    assert "Buttons are for #1, #2, #3, #4, #5; pick any other from the menu" in text
    for n in range(6, 10):  # every nudge that fell due is in it
        assert f"#{n} email to Person {n - 1} at Company {n - 1}" in text
    # ...and the rest can be picked, each for its own buttons.
    assert [(c.label, c.detail) for c in dm.message.choices] == [
        (
            f"#{n} Person {n - 1}, Company {n - 1}",
            "email, ideally within 24 h, adequate for 20 days",
        )
        for n in range(6, 10)
    ]
    assert dm.message.choices[0].action.command == "/followups show 6"
    assert nudge_rows(bot).count(NudgeStatus.SENT) == 9


async def test_a_pick_from_the_menu_shows_that_follow_up_with_its_buttons(bot: TestBot) -> None:
    for n in range(7):
        await met(bot, f"/met Person {n}, Company {n}, interview")
    await bot.run_until(24)
    (dm,) = bot.messenger.sent
    picked = dm.message.choices[-1].action
    shown = await bot.service.handle(ALICE, command_for(picked))
    assert (
        shown.sections[0].title
        == "#7 Time to follow up: email to Person 6 at Company 6 (24 h left)"
    )
    assert [a.label for a in shown.actions] == [
        "Draft",
        "Done",
        "Snooze 2h",
        "Tomorrow morning",
        "Skip",
    ]
    assert {a.follow_up_id for a in shown.actions} == {picked.follow_up_id}
    # Someone else's pick reads as missing; a pick after it was done says so, without buttons.
    strangers = await bot.service.handle(BOB, command_for(picked))
    assert strangers.is_error
    assert "You have no follow-up #7" in strangers.plain_text()
    await bot.service.handle(ALICE, parse_command("/followups done 7"))
    again = await bot.service.handle(ALICE, command_for(picked))
    assert again.plain_text() == "#7 (Person 6 at Company 6) is already done: nothing to do."
    assert again.actions == ()
    typed = await bot.service.handle(ALICE, parse_command("/followups show 6"))
    assert (
        typed.sections[0].title
        == "#6 Time to follow up: email to Person 5 at Company 5 (24 h left)"
    )


async def test_a_moment_of_long_names_and_notes_fits_discord_and_slack_whole(
    bot: TestBot,
) -> None:
    notes = "talked about " + " ".join(["distributed systems and the platform team"] * 22)
    for n in range(12):
        name = f"Alexandria Montgomery-Featherstonehaugh {n}"
        await met(bot, f"/met {name}, Consolidated International Holdings {n}, fair-good, {notes}")
    await bot.run_until(24)
    (dm,) = bot.messenger.sent
    message = dm.message
    # Every follow-up is in it: named, or counted with a pointer to the list.
    text = message.plain_text()
    named = {int(n) for n in re.findall(r"#(\d+)", text)}
    more = re.search(r"…and (\d+) more: /followups lists them all\.", text)
    assert more is not None
    assert named == set(range(1, 25 - int(more[1])))
    embeds = render_embeds(message)
    shown = sum(len(e.title or "") + len(e.description or "") for e in embeds)
    assert shown <= EMBED_TOTAL_LIMIT
    assert not any((e.description or "").endswith("…") for e in embeds)  # nothing clipped
    view = render_view(message.actions, scope="dm")
    assert view is not None
    assert len(view.children) == len(message.actions)
    blocks = render(message).blocks
    assert len(blocks) <= MAX_BLOCKS
    assert all(len(b["text"]["text"]) <= MAX_SECTION_TEXT for b in blocks if b["type"] == "section")


# -- settings digest daily HH:MM ------------------------------------------------------------


async def say(bot: TestBot, text: str) -> Reply:
    return await bot.service.handle(ALICE, parse_command(text))


async def test_a_daily_digest_brings_the_non_urgent_nudges_together_at_its_time(
    bot: TestBot,
) -> None:
    reply = await say(bot, "/followups settings digest daily 18:00")
    assert "Digest set to 18:00 daily" in reply.plain_text()
    assert "Digest: daily at 18:00" in (await say(bot, "/followups settings")).plain_text()
    # Fri 15:00 in New York: an interview, and a fair an hour earlier.
    await met(bot, '/met Ana Ruiz, Globex, fair-1on1, robotics when:"1 hour ago"')
    await met(bot, "/met Jane Doe, Acme, interview, Kafka")
    await bot.run_until(72)
    zone = NEW_YORK
    sent = [
        (dm.at.astimezone(zone).strftime("%a %H:%M"), numbers_in(dm.message))
        for dm in bot.messenger.sent
        if dm.at
    ]
    assert sent[0] == ("Sat 18:00", [2, 1])  # both heads-ups, at the digest, in one DM
    # The interview's last calls come on time (Sun 10:00 and 15:00 EDT), not at the digest.
    last_calls = [dm for dm in bot.messenger.sent if "Last call" in dm.message.plain_text()]
    assert [dm.at.astimezone(zone).strftime("%a %H:%M") for dm in last_calls if dm.at] == [
        "Sun 10:00",
        "Sun 15:00",
    ]
    await say(bot, "/followups settings digest off")
    assert "Digest: off" in (await say(bot, "/followups settings")).plain_text()


async def test_a_digest_time_that_makes_no_sense_changes_nothing(bot: TestBot) -> None:
    for value, answer in (
        ("25:00", "When should the digest come? Like /followups settings digest daily 18:00"),
        ("weekly", "When should the digest come?"),
        ("daily 23:30", "23:30 is in your quiet hours (22:00-08:00)"),
    ):
        reply = await say(bot, f"/followups settings digest {value}")
        assert reply.is_error
        assert answer in reply.plain_text()
    assert "Digest: off" in (await say(bot, "/followups settings")).plain_text()
    assert not (await say(bot, "/followups settings digest 6pm")).is_error
    reply = await say(bot, "/followups settings quiet 17:00-07:00")
    assert reply.is_error
    assert "18:00 is in your quiet hours (17:00-07:00)" in reply.plain_text()
