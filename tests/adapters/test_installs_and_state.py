"""The core's small APIs for what adapters learn from their platform, on every storage backend:
the app removed from or installed in a workspace (`Installs`), and short shared values
(`SharedState`: claims that one replica wins, digests to remember)."""

from __future__ import annotations

from datetime import timedelta

from bot.ports import Storage
from bot.state import SharedState
from bot.testing import FakeClock
from bot.workspaces import Installs


async def test_a_removed_workspace_is_closed_until_installed_again(
    storage: Storage, clock: FakeClock
) -> None:
    installs = Installs(storage, clock)
    async with storage.session() as uow:
        await uow.workspaces.set_default_zone("discord", "G1", "Europe/Berlin")

    assert not await installs.closed("discord", "G1")
    assert not await installs.installed("discord", "G1")  # nothing to lift

    await installs.removed("discord", "G1", reason="the app was uninstalled")
    await installs.removed("slack", "T9", reason="the app's token was revoked")  # unknown so far
    assert await installs.closed("discord", "G1")
    assert await installs.closed("slack", "T9")
    async with storage.session() as uow:
        marked = await uow.workspaces.undeliverable([("discord", "G1"), ("slack", "T1")])
        kept = await uow.workspaces.get("discord", "G1")
    assert marked == {("discord", "G1"): "the app was uninstalled"}
    assert kept is not None
    assert kept.default_timezone == "Europe/Berlin"  # the server's settings stay

    assert await installs.installed("discord", "G1")
    assert not await installs.closed("discord", "G1")
    assert await installs.closed("slack", "T9")  # another workspace's stop is its own


async def test_a_claim_is_won_once_and_old_claims_are_forgotten(
    storage: Storage, clock: FakeClock
) -> None:
    state = SharedState(storage, clock)
    assert await state.claim("seen:a")
    assert not await state.claim("seen:a")  # a retry, or another replica

    clock.advance(timedelta(minutes=20))
    assert await state.claim("seen:b", forget=("seen:", timedelta(minutes=15)))
    assert await state.claim("seen:a")  # forgotten: claimable again
    assert not await state.claim("seen:b")  # claimed just now, kept


async def test_a_remembered_value_is_recalled(storage: Storage, clock: FakeClock) -> None:
    state = SharedState(storage, clock)
    assert await state.recall("discord:commands:1:global") is None
    await state.remember("discord:commands:1:global", "digest-1")
    await state.remember("discord:commands:1:global", "digest-2")
    assert await state.recall("discord:commands:1:global") == "digest-2"
