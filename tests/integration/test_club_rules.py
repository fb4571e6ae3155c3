"""A club's own rulebook and templates on every storage: kept, replaced and reset as the
contract says; a member's /met in the club's channel is planned by the club's rulebook, its
nudges go out at the club's times through dispatch (not cancelled for a kind only the club
has), its drafts come from the club's templates; and when the club goes, the follow-ups stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.commands import parse_command
from bot.domain import Address, Channel, Club, ClubRules, FollowUpStatus
from bot.ports import Storage
from bot.replies import Reply
from bot.services import Requester
from bot.testing import TestBot, make_test_bot
from tests.club_rulebooks import BUNDLED, CLUB_RULEBOOK, CLUB_TEMPLATES

CLUB = Channel("C42", "career-club")
T0 = datetime(2026, 3, 6, 20, 0, tzinfo=UTC)


async def test_a_clubs_own_rules_are_kept_replaced_and_reset(storage: Storage) -> None:
    async with storage.session() as uow:
        club = await uow.clubs.add(Club("slack", "T1", "C1", "Career Club", "UTC", "U1", T0))
        other = await uow.clubs.add(Club("discord", "G1", "C9", "Finance", "UTC", "U2", T0))
        assert club.id is not None
        assert other.id is not None
        assert await uow.clubs.rules(club.id) == {}
        first = ClubRules(club.id, "rulebook", CLUB_RULEBOOK, "U1", T0)
        await uow.clubs.set_rules(first)
        await uow.clubs.set_rules(ClubRules(other.id, "drafts", CLUB_TEMPLATES, "U2", T0))
    async with storage.session() as uow:
        assert await uow.clubs.rules(club.id) == {"rulebook": first}
        later = ClubRules(club.id, "rulebook", BUNDLED, "U3", T0 + timedelta(days=1))
        await uow.clubs.set_rules(later)
        await uow.clubs.set_rules(ClubRules(club.id, "drafts", CLUB_TEMPLATES, "U1", T0))
    async with storage.session() as uow:
        mine = await uow.clubs.rules(club.id)
        assert mine["rulebook"] == later
        assert mine["drafts"].toml == CLUB_TEMPLATES
        by_channel = await uow.clubs.rules_by_channel()
        assert [r.what for r in by_channel[("slack", "T1", "C1")]] == ["drafts", "rulebook"]
        assert [r.club_id for r in by_channel[("discord", "G1", "C9")]] == [other.id]
        assert await uow.clubs.reset_rules(club.id, "rulebook")
        assert not await uow.clubs.reset_rules(club.id, "rulebook")
    async with storage.session() as uow:
        assert list(await uow.clubs.rules(club.id)) == ["drafts"]
        await uow.clubs.delete(club.id)
    async with storage.session() as uow:
        assert await uow.clubs.rules(club.id) == {}
        assert list(await uow.clubs.rules_by_channel()) == [("discord", "G1", "C9")]


async def say(bot: TestBot, who: str, text: str, *, channel: Channel | None = CLUB) -> Reply:
    requester = Requester(Address("slack", "T1", who), display_name=who.title(), channel=channel)
    where = channel.id if channel is not None else None
    return await bot.service.handle(requester, parse_command(text, where=where))


async def test_a_members_met_in_the_club_follows_the_clubs_rules_through_dispatch(
    storage: Storage,
) -> None:
    bot = make_test_bot(storage)
    assert not (await say(bot, "olive", "/club setup Career Club tz:America/Chicago")).is_error
    for pasted in (f"/club rules set {CLUB_RULEBOOK}", f"/club templates set {CLUB_TEMPLATES}"):
        reply = await say(bot, "olive", pasted)
        assert not reply.is_error, reply.plain_text()
    met_at = bot.clock.now()
    reply = await say(bot, "maya", "/met Priya Raman, Deloitte, alumni night, talked about audit")
    assert not reply.is_error, reply.plain_text()
    assert "alumni dinner" in reply.plain_text()
    # The same kind typed in a DM is one the deployment doesn't know.
    in_dm = await say(bot, "maya", "/met Sam Lee, Acme, alumni night", channel=None)
    assert in_dm.is_error
    async with storage.session() as uow:
        person = await uow.people.get(Address("slack", "T1", "maya"))
        assert person is not None
        assert person.id is not None
        ((follow_up, conversation),) = await uow.follow_ups.open(person.id)
    assert conversation.kind == "alumni-dinner"
    assert conversation.logged_in == CLUB.id
    # The club's windows: ideally within 24 hours, still fine up to 3 days.
    assert follow_up.ideal_by == met_at + timedelta(hours=24)
    assert follow_up.due_by == met_at + timedelta(days=3)
    draft = await say(bot, "maya", "/followups draft 1", channel=None)
    assert "Career Club alumni night: thank you, Priya" in draft.plain_text()
    # Every nudge goes out at its time, worded by the club's rule, none cancelled as unknown.
    sent_at: list[datetime] = []
    while (due := await bot.dispatcher.next_due_at()) is not None and due < follow_up.due_by:
        bot.clock.move_to(due)
        report = await bot.dispatcher.dispatch_due()
        assert report.cancelled == 0
        sent_at.append(due)
    nudges = [dm for dm in bot.messenger.sent if dm.to.address.user == "maya"]
    assert len(nudges) == len(sent_at) >= 2
    assert all(met_at < at <= follow_up.due_by for at in sent_at)
    assert all("name one thing they told you" in dm.message.plain_text() for dm in nudges)
    assert all("Priya Raman" in dm.message.plain_text() for dm in nudges)


async def test_when_the_club_goes_its_members_follow_ups_stay(storage: Storage) -> None:
    bot = make_test_bot(storage)
    await say(bot, "olive", "/club setup Career Club")
    await say(bot, "olive", f"/club rules set {CLUB_RULEBOOK}")
    assert not (await say(bot, "maya", "/met Priya Raman, Deloitte, alumni night")).is_error
    async with storage.session() as uow:
        club = await uow.clubs.get("slack", "T1", CLUB.id)
        assert club is not None
        assert club.id is not None
        await uow.clubs.delete(club.id)
    due = await bot.dispatcher.next_due_at()
    assert due is not None
    bot.clock.move_to(due)
    report = await bot.dispatcher.dispatch_due()
    # The default rulebook has no alumni dinners: the nudge is cancelled, the follow-up stays.
    assert report.sent == 0
    assert report.cancelled >= 1
    async with storage.session() as uow:
        person = await uow.people.get(Address("slack", "T1", "maya"))
        assert person is not None
        assert person.id is not None
        ((follow_up, conversation),) = await uow.follow_ups.open(person.id)
        assert follow_up.status is FollowUpStatus.PENDING
        assert conversation.contact_name == "Priya Raman"
    listed = await say(bot, "maya", "/followups", channel=None)
    assert not listed.is_error
    assert "Priya Raman" in listed.plain_text()
