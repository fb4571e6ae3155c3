"""Privacy in club channels: over every post the bot can make there (event cards as posted and
updated, cancelled cards, digests after events and weekly), no contact's name, no company
contact, no topic, and no student's name appears, but the name of a student who opted in to
shout-outs, in the shout-out. The same holds for each post as Slack and Discord render it."""

from __future__ import annotations

import json

import pytest

from adapters.slack.clubs import digest_message, event_card_message
from bot.commands import parse_command
from bot.domain import Address, Channel
from bot.replies import DigestPost, EventCard
from bot.services import Requester
from bot.testing import InMemoryStorage, TestBot

pytest.importorskip("discord")

from adapters.discord.clubs import (
    digest_embed,
    event_card_embed,
)  # after the skip: the [discord] extra

CLUB = Channel("C42", "career-club")
# Students, by platform id: the names they chose, and whether they opted in to shout-outs.
STUDENTS = {
    "member-1": ("Zadie Okonkwo-Whitfield", True),
    "member-2": ("Bartholomew Ferreira", False),
    "member-3": ("Ingrid Castellanos", False),
    "member-4": ("A" * 20 + " " + "Long-Named Student of the Evening Programme" * 1, False),
}
# What each logged: contacts (a panel, a team), their companies' people, and topics as sentences.
MET = {
    "member-1": "Priya Raman; Tom O'Brien, Deloitte, networking, her move from audit to advisory",
    "member-2": "HR team, Deloitte, networking, the graduate scheme's rotations in Lisbon",
    "member-3": "Xiomara Quetzal-Bianchi, Globex, networking, Kubernetes at scale and on-call life",
    "member-4": "Dr. Wendeline Fairweather, Initech, networking, mentoring for first-generation students",
}
SECRETS = (
    "Priya", "Raman", "O'Brien", "HR team", "Xiomara", "Quetzal", "Wendeline", "Fairweather",
    "audit to advisory", "rotations", "Lisbon", "Kubernetes", "on-call", "mentoring",
    "first-generation", "Bartholomew", "Ferreira", "Ingrid", "Castellanos", "Long-Named",
    "member-1", "member-2", "member-3", "member-4",
)  # fmt: skip


def member(user: str, channel: Channel | None = CLUB) -> Requester:
    return Requester(Address("slack", "T1", user), display_name=user, channel=channel,
                     timezone="America/New_York")  # fmt: skip


async def say(bot: TestBot, who: str, text: str, channel: Channel | None = CLUB) -> None:
    reply = await bot.service.handle(member(who, channel), parse_command(text))
    assert not reply.is_error, reply.plain_text()


def rendered(post: EventCard | DigestPost) -> list[str]:
    """The post as the console, Slack and Discord show it."""
    if isinstance(post, EventCard):
        slack, discord_embed = event_card_message(post), event_card_embed(post)
    else:
        slack, discord_embed = digest_message(post), digest_embed(post)
    return [
        post.plain_text(),
        slack.text + json.dumps(slack.blocks, ensure_ascii=False),
        json.dumps(discord_embed.to_dict(), ensure_ascii=False),
    ]


async def test_no_post_in_a_club_channel_names_a_contact_a_topic_or_a_student(
    bot: TestBot, memory_storage: InMemoryStorage
) -> None:
    await say(bot, "olive", "/club setup Career Club tz:America/New_York")
    await say(bot, "olive", "/club digest weekly mon 9:00")
    await say(bot, "olive", '/club event "Deloitte Night" when:"fri 6pm-8pm" kind:networking')
    await say(bot, "olive", '/club event "Fair" when:"sat 10am-2pm" kind:fair companies:"Acme"')
    night, fair = sorted(memory_storage.tables.club_events)
    for user, (name, shoutouts) in STUDENTS.items():
        await say(bot, user, f"/followups settings name {name}", channel=None)
        if shoutouts:
            await say(bot, user, "/followups settings shoutouts on", channel=None)
        await say(bot, user, f"/club going {night}")
        await say(bot, user, f"/club going {fair}")
    await say(bot, "member-4", f"/club going {fair}")  # taken back: the card updates again
    await bot.run_until(hours=4)  # at the event: members log from the channel and from DMs
    for user, met in MET.items():
        where = CLUB if user in ("member-1", "member-3") else None
        await say(bot, user, f'/met {met} event:"Deloitte Night"', channel=where)
        await say(bot, user, "/followups done 1", channel=None)
    await say(bot, "olive", f'/club edit {fair} when:"sun 10am-2pm"')
    await say(bot, "olive", f"/club cancel {fair}")
    await bot.run_until(hours=24 * 10)
    history = bot.messenger.channel_history
    kinds = {type(post).__name__ for post in history}
    assert kinds == {"EventCard", "DigestPost"}
    assert len([p for p in history if isinstance(p, DigestPost)]) >= 3  # event + two weeklies
    for post in history:
        for text in rendered(post):
            for secret in SECRETS:
                assert secret not in text, (secret, text)
            if "Zadie" in text:
                # Opted in: her name, in the shout-out only.
                assert isinstance(post, DigestPost)
                (line,) = [line for line in post.lines if "Zadie" in line]
                assert line == "Shout-out for following up on time: Zadie Okonkwo-Whitfield!"
    shouted = [p for p in history if isinstance(p, DigestPost) and "Zadie" in p.plain_text()]
    assert shouted  # the opt-in is honoured, not merely harmless
