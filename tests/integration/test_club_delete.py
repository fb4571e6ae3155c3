"""/club delete on every storage: organizers only, asked first; the club, its events, who was
going and its prompts and digests to come go, nothing is posted, and members keep their own
follow-ups, those logged at its events too."""

from __future__ import annotations

import pytest

from bot.commands import parse_command
from bot.domain import Address, Channel
from bot.errors import UserError
from bot.ports import Storage
from bot.replies import Reply
from bot.services import Requester
from bot.testing import TestBot, make_test_bot

CLUB = Channel("C42", "career-club")
NIGHT = '/club event "Deloitte Night" when:"thu 6pm-8pm" kind:networking'
FAIR = '/club event "Spring Fair" when:"sat 10am-2pm" kind:"career fair" companies:"Acme, Globex"'


async def say(bot: TestBot, who: str, text: str, channel: Channel | None = CLUB) -> Reply:
    return await bot.service.handle(
        Requester(Address("slack", "T1", who), channel=channel), parse_command(text)
    )


async def test_deleting_a_club_asks_first_and_leaves_members_follow_ups(storage: Storage) -> None:
    bot = make_test_bot(storage)
    assert not (await say(bot, "olive", "/club setup Career Club tz:America/Chicago")).is_error
    await say(bot, "olive", NIGHT)
    await say(bot, "olive", FAIR)
    night, fair = (post.card.event_id for post in bot.messenger.posts)
    for member in ("amy", "ben", "cal"):
        assert not (await say(bot, member, f"/club going {night}")).is_error
    await say(bot, "amy", f"/club going {fair}")
    logged = await say(
        bot, "amy", '/met Jane Doe, Deloitte, networking, asked about audit rotations '
        'event:"Deloitte Night"', channel=None,
    )  # fmt: skip
    assert not logged.is_error, logged.plain_text()
    assert await bot.dispatcher.next_due_at() is not None
    posts, updates = len(bot.messenger.posts), bot.messenger.updates

    refused = await say(bot, "amy", "/club delete confirm")
    assert refused.is_error
    assert "only the organizers of Career Club can delete it" in refused.plain_text()
    question = await say(bot, "olive", "/club delete")
    assert not question.is_error
    assert "Delete the club Career Club?" in question.plain_text()
    assert "/club delete confirm" in question.plain_text()
    # Neither the refusal nor the question changed anything.
    async with storage.session() as uow:
        club = await uow.clubs.get("slack", "T1", CLUB.id)
        assert club is not None
        assert club.id is not None
        assert await uow.clubs.event(club.id, night) is not None
        club_id = club.id

    deleted = await say(bot, "olive", "/club delete confirm")
    assert not deleted.is_error
    assert deleted.plain_text().startswith("Deleted the club Career Club")
    assert (len(bot.messenger.posts), bot.messenger.updates) == (posts, updates)
    async with storage.session() as uow:
        assert await uow.clubs.get("slack", "T1", CLUB.id) is None
        assert await uow.clubs.event(club_id, night) is None
        assert await uow.clubs.event(club_id, fair) is None
        assert await uow.clubs.organizers(club_id) == []
        assert await uow.prompts.next_due_at() is None
        assert await uow.digests.next_due_at() is None
    # The channel is no club; its old cards' buttons say so.
    assert "isn't a club yet" in (await say(bot, "ben", f"/club going {night}")).plain_text()
    assert "isn't a club yet" in (await say(bot, "olive", "/club events")).plain_text()
    # Amy's follow-up from that night is hers still, with its nudge to come.
    mine = await say(bot, "amy", "/followups", channel=None)
    assert "Jane Doe" in mine.plain_text()
    assert await bot.dispatcher.next_due_at() is not None
    # And the channel can be a club again.
    again = await say(bot, "olive", "/club setup Career Club")
    assert "This channel is now the club Career Club" in again.plain_text()


async def test_a_second_confirm_or_a_typo_changes_nothing(storage: Storage) -> None:
    bot = make_test_bot(storage)
    await say(bot, "olive", "/club setup Career Club")
    with pytest.raises(UserError, match=r"Usage: /club delete \(then /club delete confirm\)\."):
        parse_command("/club delete please")
    assert not (await say(bot, "olive", "/club delete yes")).is_error
    gone = await say(bot, "olive", "/club delete confirm")
    assert gone.is_error
    assert "isn't a club yet" in gone.plain_text()
