"""Forget me leaves no row about the student in any table, on SQLite and PostgreSQL: the
tables are read from the database itself, so a table added later is checked too."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, MetaData
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.commands import parse_command
from bot.domain import Address
from bot.pacing import PaceRule
from bot.services import Requester
from bot.storage.migrate import upgrade_to_head
from bot.storage.schema import LIBRARY_TABLES
from bot.storage.sql import SqlStorage
from bot.testing import TestBot, make_test_bot

ALICE = Requester(Address("slack", "T1", "U0ALICE"), display_name="Alice Kim")
BOB = Requester(Address("slack", "T1", "U0BOB"), display_name="Bob Lee")
# Alice's Discord account, linked to her Slack one: forget-me takes it too.
ALICE_ON_DISCORD = Requester(Address("discord", "G1", "7770ALICE"), shares_zone=False)
# What Alice typed about the people she met: none of it may be left anywhere.
ALICES_WORDS = (
    "Jane Doe",
    "Acmecorp",
    "Kafka streams",
    "Spring Fair",
    "U0ALICE",
    "Alice Kim",
    "7770ALICE",
)


def _tables(db: Connection) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table in the database, as dictionaries, by table name."""
    found = MetaData()
    found.reflect(db)
    return {
        name: [dict(row._mapping) for row in db.execute(table.select())]
        for name, table in found.tables.items()
    }


def _mentions(row: dict[str, Any], words: Iterable[str]) -> bool:
    return any(isinstance(v, str) and any(w in v for w in words) for v in row.values())


async def _alice_and_bob_with_everything(bot: TestBot) -> None:
    for who, name in ((ALICE, "Jane Doe"), (BOB, "John Roe")):
        for n in range(3):
            await bot.service.handle(
                who,
                parse_command(
                    f"/met {name} {n}, Acmecorp, fair-good, talked about Kafka streams "
                    'event:"Spring Fair" priority:1'
                ),
            )
        await bot.service.handle(who, parse_command("/followups settings quiet 22:00-07:00"))
        await bot.service.handle(who, parse_command("/followups calendar"))
    # Alice links her Discord account (with a /met of its own); Bob has a link code waiting.
    await bot.service.handle(ALICE_ON_DISCORD, parse_command("/met Jane Doe 9, Acmecorp, call"))
    given = (await bot.service.handle(ALICE, parse_command("/followups link"))).plain_text()
    code = given.removeprefix("Your link code: ")[:9]
    linked = await bot.service.handle(ALICE_ON_DISCORD, parse_command(f"/followups link {code}"))
    assert "Linked" in linked.plain_text()
    await bot.service.handle(BOB, parse_command("/followups link"))
    await bot.run_until(30)  # some nudges sent, some pending
    await bot.service.handle(ALICE, parse_command("/followups done 1 email"))
    async with bot.storage.session() as uow:
        # Their own pace schedules, as the Slack adapter's rule names them.
        for who in (ALICE, BOB):
            person = await uow.people.get(who.address)
            assert person is not None
            key = PaceRule("slack:dm:{workspace}:{user}", 1, timedelta(seconds=1)).key_for(person)
            assert await uow.state.take_turn(key, 1.0, 1.0) == 1.0


async def test_forget_me_leaves_no_row_about_the_student_in_any_table(
    engine: AsyncEngine,
) -> None:
    await upgrade_to_head(engine)
    bot = make_test_bot(SqlStorage(engine), public_url="https://followups.example.org")
    await _alice_and_bob_with_everything(bot)
    async with engine.connect() as db:
        before = await db.run_sync(_tables)
    async with bot.storage.session() as uow:
        alice = await uow.people.get(ALICE.address)
        assert alice is not None
        assert alice.id is not None
        alices = await uow.follow_ups.everything_of(alice.id)
    ids = {
        "people": {alice.id},
        "conversations": {c.id for _, c in alices},
        "follow_ups": {f.id for f, _ in alices},
    }
    ids["nudges"] = {n["id"] for n in before["nudges"] if n["follow_up_id"] in ids["follow_ups"]}
    assert [f for f in before["calendar_feeds"] if f["person_id"] == alice.id]
    assert all(ids.values()), ids  # she has rows of every kind to forget
    assert any(_mentions(row, ALICES_WORDS) for rows in before.values() for row in rows)

    alices_accounts = [p for p in before["people"] if p["user_id"] in ("U0ALICE", "7770ALICE")]
    assert [p["linked_to"] for p in alices_accounts] == [None, alice.id]
    ids["people"] |= {p["id"] for p in alices_accounts}
    # Forgotten from Discord, the account joined to her Slack one.
    reply = await bot.service.handle(
        ALICE_ON_DISCORD, parse_command("/followups forget-me confirm")
    )
    assert not reply.is_error

    async with engine.connect() as db:
        after = await db.run_sync(_tables)
    assert set(after) >= {
        "people",
        "conversations",
        "follow_ups",
        "nudges",
        "pace_turns",
        "calendar_feeds",
        "link_codes",
    }
    for name, rows in after.items():
        if name in LIBRARY_TABLES:
            continue  # the workspace's Slack install, kept for everyone in it
        for row in rows:
            assert not _mentions(row, ALICES_WORDS[:1] + ALICES_WORDS[4:]), (name, row)
            # No row that is hers, or refers to one of hers.
            for column, value in row.items():
                table = {
                    "id": name,
                    "person_id": "people",
                    "conversation_id": "conversations",
                    "follow_up_id": "follow_ups",
                    "linked_to": "people",
                }.get(column)
                if table in ids:
                    assert value not in ids[table], (name, row)
    # Bob's are all still there.
    bobs = [p for p in after["people"] if p["user_id"] == "U0BOB"]
    assert len(bobs) == 1
    assert len([c for c in after["conversations"] if c["person_id"] == bobs[0]["id"]]) == 3
    assert any(r["key"].endswith(":T1:U0BOB") for r in after["pace_turns"])
    assert [f["person_id"] for f in after["calendar_feeds"]] == [bobs[0]["id"]]
    assert [c["person_id"] for c in after["link_codes"]] == [bobs[0]["id"]]
