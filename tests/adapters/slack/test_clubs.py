"""/club on Slack: the channel a command was typed in becomes a club; its organizers are the
founder, those added by mention, and the workspace's admins and owners (users.info)."""

from __future__ import annotations

import pytest

from tests.adapters.slack.conftest import SlackHarness

MEMBER = "U0MEMBER"
ADMIN = "U0ADMIN"
OWNER = "U0OWNER"


@pytest.fixture
def club_harness(harness: SlackHarness) -> SlackHarness:
    """The harness, with a workspace admin and an owner among the members Slack knows."""
    harness.slack.users[ADMIN] = {"is_admin": True, "real_name": "Ada Admin"}
    harness.slack.users[OWNER] = {"is_owner": True}
    return harness


def said(message: dict) -> str:
    return "\n".join(
        block["text"]["text"] for block in message["blocks"] if block["type"] == "section"
    )


async def test_club_setup_in_a_channel_answers_privately(club_harness: SlackHarness) -> None:
    await club_harness.command("/club", "setup Career Club", reply_to="setup")
    answer = await club_harness.answer("setup")
    assert answer["response_type"] == "ephemeral"
    assert "This channel is now the club Career Club, in America/Los_Angeles time." in said(answer)
    # Nothing was posted in the channel for a set-up.
    assert club_harness.slack.calls_to("chat.postMessage") == []


async def test_members_are_refused_and_admins_and_added_organizers_are_not(
    club_harness: SlackHarness,
) -> None:
    await club_harness.command("/club", "setup Career Club", reply_to="setup")
    await club_harness.answer("setup")
    await club_harness.command("/club", "setup tz:UTC", user=MEMBER, reply_to="member")
    refused = await club_harness.answer("member")
    assert "Sorry, only the organizers of Career Club can change its set-up." in said(refused)
    for admin, reply_to in ((ADMIN, "admin"), (OWNER, "owner")):
        await club_harness.command("/club", "setup tz:Europe/Paris", user=admin, reply_to=reply_to)
        assert "Saved: this channel is the club Career Club, in Europe/Paris" in said(
            await club_harness.answer(reply_to)
        )
    # A mention, as Slack sends it escaped: <@U0MEMBER|member>.
    await club_harness.command("/club", f"organizers add <@{MEMBER}|member>", reply_to="add")
    assert "is now an organizer of this club." in said(await club_harness.answer("add"))
    await club_harness.command("/club", "setup tz:UTC", user=MEMBER, reply_to="member")
    assert "Saved" in said(await club_harness.answer("member", count=2))


async def test_a_dm_is_not_a_club(club_harness: SlackHarness) -> None:
    await club_harness.command("/club", "setup", channel="D0DM", reply_to="dm")
    answer = await club_harness.answer("dm")
    assert "use /club in the channel your club meets in (not in a DM)" in said(answer)


async def test_club_delete_asks_first_answers_privately_and_posts_nothing(
    club_harness: SlackHarness,
) -> None:
    await club_harness.command("/club", "setup Career Club", reply_to="setup")
    await club_harness.answer("setup")
    await club_harness.command("/club", "delete confirm", user=MEMBER, reply_to="member")
    refused = await club_harness.answer("member")
    assert "only the organizers of Career Club can delete it" in said(refused)
    await club_harness.command("/club", "delete", reply_to="ask")
    asked = await club_harness.answer("ask")
    assert asked["response_type"] == "ephemeral"
    assert "To go ahead: /club delete confirm" in said(asked)
    await club_harness.command("/club", "delete confirm", user=ADMIN, reply_to="delete")
    deleted = await club_harness.answer("delete")
    assert deleted["response_type"] == "ephemeral"
    assert "Deleted the club Career Club" in said(deleted)
    assert club_harness.slack.calls_to("chat.postMessage") == []
    await club_harness.command("/club", "", reply_to="after")
    assert "This channel isn't a club yet." in said(await club_harness.answer("after"))
