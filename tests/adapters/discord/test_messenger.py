"""DMs through the Discord messenger against the fake HTTP layer: what it sends, and what each
answer of Discord's becomes for the dispatcher."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

import pytest

pytest.importorskip("discord")

import discord

from adapters.discord.messenger import DiscordMessenger, nonce_for
from adapters.discord.testing import GUILD_ID, TOKEN, FakeDiscordHTTP, buttons_of, text_of
from bot.dispatch import LEASE
from bot.domain import Address, NudgeStatus, Person
from bot.ports import Delivered, PermanentFailure, RetryAfter
from bot.replies import Action, ActionKind, Reply, Section
from bot.testing import InMemoryStorage, ReplicaKilled, killed_after
from tests.adapters.discord.conftest import ALICE, ALICE_ADDRESS, JANE, DiscordBot
from tests.conftest import START

MESSAGES = r"^/channels/\d+/messages$"
NUDGE = Reply(
    (Section("You met on Fri 6 Mar.", title="#1 Time to follow up: email to Jane Doe at Acme"),),
    (
        Action(ActionKind.DONE, "Done", 1, 57),
        Action(ActionKind.SNOOZE, "Snooze 2h", 1, 57, "2h"),
    ),
)


def alice() -> Person:
    return Person(address=ALICE_ADDRESS, created_at=START)


async def send(fake: FakeDiscordHTTP, messenger: DiscordMessenger, key: str = "nudge-7") -> object:
    with fake.installed():
        return await messenger.send_dm(alice(), NUDGE, key=key)


async def test_a_dm_goes_out_with_nonce_buttons_and_no_mentions() -> None:
    fake, messenger = FakeDiscordHTTP(), DiscordMessenger(TOKEN)
    try:
        assert await send(fake, messenger) == Delivered()
        assert await send(fake, messenger, key="nudge-8") == Delivered()
    finally:
        await messenger.close()

    assert fake.to("GET", "^/users/@me$") == []  # no login and no gateway needed
    (opened,) = fake.to("POST", "^/users/@me/channels$")  # the DM channel is remembered
    assert opened.json == {"recipient_id": ALICE}
    first, second = fake.to("POST", MESSAGES)
    assert first.path == f"/channels/{ALICE + 1}/messages"
    body = first.json
    assert body["nonce"] == "nudge-7"
    assert body["enforce_nonce"] is True
    assert second.json["nonce"] == "nudge-8"
    assert body["allowed_mentions"] == {"parse": []}
    assert body["content"] == "#1 Time to follow up: email to Jane Doe at Acme"
    assert [b["custom_id"] for b in buttons_of(body)] == [
        f"fu:done:{GUILD_ID}:57:1",
        f"fu:snooze:{GUILD_ID}:57:1:2h",
    ]
    assert fake.closed


async def test_closed_dms_are_a_permanent_failure_that_concerns_the_student() -> None:
    fake, messenger = FakeDiscordHTTP(), DiscordMessenger(TOKEN)
    fake.error(
        "POST", MESSAGES, status=403, code=50007, message="Cannot send messages to this user"
    )
    try:
        delivery = await send(fake, messenger)
    finally:
        await messenger.close()
    assert delivery == PermanentFailure("DMs closed", concerns_person=True)
    assert len(fake.to("POST", MESSAGES)) == 1  # never retried: failed requests get bots banned


async def test_other_refusals_fail_without_blaming_the_student() -> None:
    fake, messenger = FakeDiscordHTTP(), DiscordMessenger(TOKEN)
    fake.error("POST", MESSAGES, status=403, code=50001, message="Missing Access")
    try:
        delivery = await send(fake, messenger)
    finally:
        await messenger.close()
    assert isinstance(delivery, PermanentFailure)
    assert not delivery.concerns_person


async def test_an_unknown_account_is_permanent() -> None:
    fake, messenger = FakeDiscordHTTP(), DiscordMessenger(TOKEN)
    fake.error("POST", "^/users/@me/channels$", status=404, code=10013, message="Unknown User")
    try:
        delivery = await send(fake, messenger)
    finally:
        await messenger.close()
    assert delivery == PermanentFailure("Discord account not found", concerns_person=True)


async def test_a_rate_limit_is_handed_back_with_discords_retry_after() -> None:
    fake, messenger = FakeDiscordHTTP(), DiscordMessenger(TOKEN)
    fake.rate_limit("POST", MESSAGES, retry_after=45.5)
    try:
        delivery = await send(fake, messenger)
    finally:
        await messenger.close()
    assert delivery == RetryAfter(45.5, "Discord rate limit", scope="person")
    assert len(fake.to("POST", MESSAGES)) == 1


@pytest.mark.parametrize("retry_after", [0.01, 20.0, 600.0])
async def test_a_dm_channels_rate_limit_holds_that_channel_only_and_never_sleeps(
    retry_after: float,
) -> None:
    # However short or long, the wait goes back to the dispatcher: a send never sleeps.
    fake, messenger = FakeDiscordHTTP(), DiscordMessenger(TOKEN)
    fake.rate_limit("POST", MESSAGES, retry_after=retry_after, scope="user")
    bob = Person(
        address=Address("discord", ALICE_ADDRESS.workspace, "910000000000000777"), created_at=START
    )
    started = time.monotonic()
    try:
        first = await send(fake, messenger)
        with fake.installed():
            other = await messenger.send_dm(bob, NUDGE, key="nudge-8")
        again = await send(fake, messenger, key="nudge-9")
    finally:
        await messenger.close()
    assert time.monotonic() - started < retry_after + 1
    assert first == RetryAfter(retry_after, "Discord rate limit", scope="person")
    assert other == Delivered()
    if retry_after > 1:  # still held: not even tried
        assert isinstance(again, RetryAfter)
        assert (again.scope, again.tried) == ("person", False)
        assert len(fake.to("POST", f"^/channels/{ALICE + 1}/messages$")) == 1


async def test_a_global_rate_limit_holds_every_dm() -> None:
    fake, messenger = FakeDiscordHTTP(), DiscordMessenger(TOKEN)
    fake.rate_limit("POST", MESSAGES, retry_after=3.0, scope="global")
    bob = Person(
        address=Address("discord", ALICE_ADDRESS.workspace, "910000000000000777"), created_at=START
    )
    try:
        first = await send(fake, messenger)
        with fake.installed():
            other = await messenger.send_dm(bob, NUDGE, key="nudge-8")
    finally:
        await messenger.close()
    assert first == RetryAfter(3.0, "Discord global rate limit", scope="platform")
    assert isinstance(other, RetryAfter)
    assert (other.scope, other.tried) == ("platform", False)
    assert fake.to("POST", "^/users/@me/channels$")[-1].json == {"recipient_id": ALICE}


async def test_a_used_up_bucket_waits_for_its_reset_instead_of_earning_a_429() -> None:
    fake, messenger = FakeDiscordHTTP(), DiscordMessenger(TOKEN)
    fake.answer(
        "POST",
        MESSAGES,
        status=200,
        body={"id": "1", "channel_id": str(ALICE + 1)},
        headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": "4.5"},
    )
    try:
        assert await send(fake, messenger) == Delivered()
        held = await send(fake, messenger, key="nudge-8")
    finally:
        await messenger.close()
    assert isinstance(held, RetryAfter)
    assert (held.scope, held.tried) == ("person", False)
    assert 4 < held.seconds <= 4.5
    assert len(fake.to("POST", MESSAGES)) == 1


async def test_a_dm_to_someone_new_counts_two_requests_then_one() -> None:
    fake, messenger = FakeDiscordHTTP(), DiscordMessenger(TOKEN)
    try:
        assert messenger.requests_for(alice()) == 2
        await send(fake, messenger)
        assert messenger.requests_for(alice()) == 1
    finally:
        await messenger.close()
    assert len(fake.requests) == 2


async def test_cloudflares_rate_limit_uses_its_retry_after_header() -> None:
    fake, messenger = FakeDiscordHTTP(), DiscordMessenger(TOKEN)
    fake.answer(
        "POST", MESSAGES, status=429, body="error code: 1015", headers={"Retry-After": "600"}
    )
    try:
        delivery = await send(fake, messenger)
    finally:
        await messenger.close()
    assert delivery == RetryAfter(600.0, "Cloudflare rate limit")


async def test_a_server_error_is_raised_for_the_dispatcher_to_retry() -> None:
    fake, messenger = FakeDiscordHTTP(), DiscordMessenger(TOKEN)
    fake.answer("POST", MESSAGES, status=503, body={"message": "Service Unavailable", "code": 0})
    try:
        with pytest.raises(discord.DiscordServerError):
            await send(fake, messenger)
    finally:
        await messenger.close()


async def test_someone_on_another_platform_is_not_sent_anything() -> None:
    fake, messenger = FakeDiscordHTTP(), DiscordMessenger(TOKEN)
    person = Person(address=Address("slack", "T1", "U1"), created_at=START)
    with fake.installed():
        delivery = await messenger.send_dm(person, NUDGE, key="nudge-1")
    assert delivery == PermanentFailure("not a Discord user", concerns_person=False)
    assert fake.requests == []


def test_nonces_fit_discords_25_characters() -> None:
    assert nonce_for("nudge-123") == "nudge-123"
    long = nonce_for("nudge-" + "9" * 40)
    assert len(long) == 25
    assert long == nonce_for("nudge-" + "9" * 40)
    assert long != nonce_for("nudge-" + "9" * 39 + "8")


# -- through the dispatcher: the outbox settles each answer --------------------------------


async def test_dispatch_marks_a_student_with_closed_dms_and_tells_them_next_time(
    discord_bot: DiscordBot,
) -> None:
    await discord_bot.command("met", JANE)
    discord_bot.http.error(
        "POST", MESSAGES, status=403, code=50007, message="Cannot send messages to this user"
    )

    report, _ = await discord_bot.nudges_after(24)

    assert report.failed == 1
    assert report.sent == 0
    assert (await discord_bot.person()).undeliverable == "DMs closed"
    later, _ = await discord_bot.nudges_after(19)  # the last calls aren't even tried
    assert later.sent == 0
    assert later.cancelled >= 1
    assert len(discord_bot.http.to("POST", MESSAGES)) == 1

    text = text_of(await discord_bot.command("followups list"))
    assert "I couldn't send you a DM (DMs closed)" in text
    assert "Privacy Settings" in text
    assert (await discord_bot.person()).undeliverable is None


async def test_dispatch_reschedules_a_rate_limited_nudge_after_retry_after(
    discord_bot: DiscordBot,
) -> None:
    await discord_bot.command("met", JANE)
    discord_bot.http.rate_limit("POST", MESSAGES, retry_after=90)

    report, _ = await discord_bot.nudges_after(24)

    assert report.retried == 1
    async with discord_bot.storage.session() as uow:
        due = await uow.outbox.next_due_at()
    assert due == discord_bot.clock.now() + timedelta(seconds=90)
    discord_bot.clock.advance(timedelta(seconds=90))
    with discord_bot.http.installed():
        again = await discord_bot.dispatcher.dispatch_due()
    assert again.sent == 1


async def test_dispatch_retries_after_a_server_error(discord_bot: DiscordBot) -> None:
    await discord_bot.command("met", JANE)
    discord_bot.http.answer(
        "POST", MESSAGES, status=503, body={"message": "unavailable", "code": 0}
    )

    report, _ = await discord_bot.nudges_after(24)

    assert report.retried == 1
    assert report.sent == 0
    assert isinstance(discord_bot.storage, InMemoryStorage)
    # The outbox as stored (the port only claims): the nudge waits, with why it failed.
    nudges = sorted(discord_bot.storage.tables.nudges.values(), key=lambda n: n.due_at)
    assert nudges[0].status is NudgeStatus.PENDING
    assert nudges[0].last_error == "DiscordServerError"


async def test_a_rejected_token_waits_without_hammering_discord() -> None:
    fake, messenger = FakeDiscordHTTP(), DiscordMessenger(TOKEN)
    fake.error("POST", "^/users/@me/channels$", status=401, code=0, message="401: Unauthorized")
    try:
        first = await send(fake, messenger)
        second = await send(fake, messenger, key="nudge-8")
    finally:
        await messenger.close()
    assert isinstance(first, RetryAfter)
    assert first.seconds == 900
    assert isinstance(second, RetryAfter)
    assert second.reason == "Discord token rejected"
    assert len(fake.requests) == 1  # the second send made no request at all
    assert fake.closed


async def test_a_nudge_sent_just_before_a_crash_is_dropped_by_discord_when_repeated(
    discord_bot: DiscordBot,
) -> None:
    await discord_bot.command("met", JANE)
    discord_bot.clock.advance(timedelta(hours=24))
    dispatcher = discord_bot.dispatcher
    doomed = replace(dispatcher, owner="doomed", messenger=killed_after(dispatcher.messenger, 1))
    with discord_bot.http.installed(), pytest.raises(ReplicaKilled):
        await doomed.dispatch_due()
    assert len(discord_bot.http.created) == 1
    # Another replica, remembering nothing, sends it again after the lease: same nonce.
    discord_bot.clock.advance(LEASE + timedelta(seconds=1))
    fresh = DiscordMessenger(TOKEN, clock=discord_bot.clock)
    try:
        with discord_bot.http.installed():
            report = await replace(dispatcher, owner="survivor", messenger=fresh).dispatch_due()
    finally:
        await fresh.close()
    assert report.sent == 1
    first, second = discord_bot.http.to("POST", MESSAGES)
    assert first.json["nonce"] == second.json["nonce"]
    assert len(discord_bot.http.created) == 1  # the student has one DM


async def test_a_dm_too_long_for_one_message_comes_in_several_each_with_its_nonce() -> None:
    draft = "\n".join(
        f"Line {n} of a long draft about the on-call rota and Kafka." for n in range(200)
    )
    long_nudge = Reply(
        (*NUDGE.sections, Section(draft, title="Draft", preformatted=True)), NUDGE.actions
    )
    fake, messenger = FakeDiscordHTTP(), DiscordMessenger(TOKEN)
    try:
        with fake.installed():
            assert await messenger.send_dm(alice(), long_nudge, key="nudge-9") == Delivered()
            # A retry after a crash: Discord knows every nonce, nothing comes twice.
            assert await messenger.send_dm(alice(), long_nudge, key="nudge-9") == Delivered()
    finally:
        await messenger.close()

    sent = fake.to("POST", MESSAGES)
    assert fake.refused_as_invalid == []
    nonces = [r.json["nonce"] for r in sent]
    assert len(set(nonces)) == len(sent) // 2 > 1
    assert len(fake.created) == len(sent) // 2
    text = "".join(text_of(r.json) for r in sent[: len(sent) // 2])
    assert all(f"Line {n} of a long draft" in text for n in range(200))
    assert sent[0].json["content"] == "#1 Time to follow up: email to Jane Doe at Acme"
    assert [b["custom_id"] for r in sent[: len(sent) // 2] for b in buttons_of(r.json)] == [
        f"fu:done:{GUILD_ID}:57:1",
        f"fu:snooze:{GUILD_ID}:57:1:2h",
    ]
