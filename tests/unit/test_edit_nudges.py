"""Property: however a conversation is corrected, and whenever, among nudges going out, none of
its nudges is sent twice and none the rules still call for is lost."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.commands import parse_command
from bot.domain import Address, FollowUpStatus, NudgeKind, NudgeStatus
from bot.planning import NudgePlanner
from bot.services import Requester
from bot.testing import NEW_YORK, InMemoryStorage, TestBot, make_test_bot

ALICE = Requester(Address("console", "ws", "alice"))

# Moving the clock on (minutes) with nudges going out, or with none (the bot was down), or a
# correction: a new time (hours before now), or a detail that changes no deadline.
steps = st.lists(
    st.one_of(
        st.tuples(st.just("wait"), st.integers(min_value=1, max_value=72 * 60)),
        st.tuples(st.just("down"), st.integers(min_value=1, max_value=72 * 60)),
        st.tuples(st.just("when"), st.integers(min_value=0, max_value=60)),
        st.tuples(st.just("about"), st.integers(min_value=0, max_value=9)),
    ),
    min_size=1,
    max_size=8,
)


async def _run(kind: str, met_hours_ago: int, plan: list[tuple[str, int]]) -> None:
    bot = make_test_bot(InMemoryStorage())
    await bot.service.handle(
        ALICE, parse_command(f'/met Jane Doe, Acme, {kind} when:"{met_hours_ago} hours ago"')
    )
    for step, amount in plan:
        if step == "wait":
            await bot.run_until(amount / 60)
            continue
        if step == "down":
            bot.clock.advance(timedelta(minutes=amount))
            continue
        change = f'when:"{amount} hours ago"' if step == "when" else f"about:topic {amount}"
        reply = await bot.service.handle(ALICE, parse_command(f"/followups edit 1 {change}"))
        assert not reply.is_error, reply.plain_text()
        await _nothing_the_rules_call_for_is_missing(bot)
        _nothing_twice(bot)
    await bot.run_until(24 * 40)
    _nothing_twice(bot)


async def _nothing_the_rules_call_for_is_missing(bot: TestBot) -> None:
    """Right after a correction: each open follow-up's nudges, sent or waiting, cover what the
    rules place from now on for it, counted as if none had been sent."""
    tables = bot.storage.tables  # type: ignore[attr-defined]
    now = bot.clock.now()
    async with bot.storage.session() as uow:
        person = await uow.people.get(ALICE.address)
        assert person is not None
        assert person.id is not None
        planner = NudgePlanner(uow, bot.rulebook, NEW_YORK, now)
        for follow_up, conversation in await uow.follow_ups.open(person.id):
            # As if none had been sent, but for the spacing after the latest that went out:
            # one moved to now, out of quiet hours, is dropped that soon after another.
            last_sent_at = await uow.outbox.last_sent_at(follow_up.id or 0)
            planned = planner.plan(person, follow_up, conversation, {}, last_sent_at)
            wanted = Counter(p.kind for p in planned)
            have = Counter(
                n.kind
                for n in tables.nudges.values()
                if n.follow_up_id == follow_up.id
                and n.status in (NudgeStatus.SENT, NudgeStatus.SENDING, NudgeStatus.PENDING)
            )
            # A kind placed once (heads-up, window closed) must be there once; the others may
            # have merged or been collapsed by spacing, but one of each kind must remain.
            for kind_of_nudge, count in wanted.items():
                assert have[kind_of_nudge] >= min(count, 1), (kind_of_nudge, wanted, have)


def _nothing_twice(bot: TestBot) -> None:
    tables = bot.storage.tables  # type: ignore[attr-defined]
    for follow_up_id in tables.follow_ups:
        live = Counter(
            n.kind
            for n in tables.nudges.values()
            if n.follow_up_id == follow_up_id
            and n.status in (NudgeStatus.SENT, NudgeStatus.SENDING, NudgeStatus.PENDING)
        )
        assert live[NudgeKind.HEADS_UP] <= 1, live
        assert live[NudgeKind.WINDOW_CLOSED] <= 1, live
    keys = [dm.key for dm in bot.messenger.sent]
    assert len(keys) == len(set(keys))
    # Every follow-up still open after its deadline was reported missed, not lost.
    for follow_up in tables.follow_ups.values():
        if follow_up.due_by < bot.clock.now() - timedelta(days=1):
            assert follow_up.status is not FollowUpStatus.PENDING or not any(
                n.follow_up_id == follow_up.id for n in tables.nudges.values()
            )


@settings(max_examples=150, deadline=None)
# A heads-up fell due while the bot was down, and the correction puts its moment ahead again.
@example(kind="interview", met_hours_ago=20, plan=[("down", 300), ("when", 1)])
# A window-closed notice fell due while the bot was down, and the correction reopens the window.
@example(kind="interview", met_hours_ago=0, plan=[("when", 47), ("down", 61), ("when", 47)])
# A heads-up moved out of quiet hours went out just now, and the correction moves the last calls
# into quiet hours too: moved to now, they are dropped so soon after it.
@example(
    kind="interview",
    met_hours_ago=0,
    plan=[("wait", 126), ("when", 10), ("wait", 264), ("when", 37)],
)
@example(
    kind="interview",
    met_hours_ago=0,
    plan=[("wait", 288), ("when", 30), ("wait", 102), ("when", 14)],
)
@example(kind="interview", met_hours_ago=8, plan=[("wait", 390), ("when", 37)])
@given(
    kind=st.sampled_from(["interview", "networking", "fair-good"]),
    met_hours_ago=st.integers(min_value=0, max_value=40),
    plan=steps,
)
def test_editing_never_sends_a_nudge_twice_or_loses_one(
    kind: str, met_hours_ago: int, plan: list[tuple[str, int]]
) -> None:
    asyncio.run(_run(kind, met_hours_ago, plan))
