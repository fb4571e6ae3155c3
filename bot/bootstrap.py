"""The one place that picks concrete classes and wires the core together."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import Clock
from bot.config import Settings
from bot.dispatch import Dispatcher
from bot.pacing import PaceRule, PlatformPacer
from bot.ports import Messenger
from bot.proofread import Proofreader
from bot.services import FollowUpService
from bot.storage.migrate import upgrade_to_head
from bot.storage.sql import SqlStorage, create_engine
from rules.drafts import load_drafts
from rules.engine import Rulebook, load_rulebook

__all__ = ["Bot", "build_bot"]


@dataclass
class Bot:
    """Everything an adapter needs: the service for commands and the dispatcher for nudges."""

    service: FollowUpService
    dispatcher: Dispatcher
    rulebook: Rulebook
    engine: AsyncEngine

    async def close(self) -> None:
        await self.engine.dispose()


async def build_bot(
    settings: Settings,
    *,
    clock: Clock,
    messenger: Messenger,
    owner: str = "local",
    on_nudge_planned: Callable[[datetime], None] | None = None,
    pacing: Mapping[str, Sequence[PaceRule]] | None = None,
    platforms: Sequence[str] | None = None,
) -> Bot:
    """Load the rulebook and the draft templates (RulebookError, DraftsError if bad) and the
    spell check's dictionary, migrate the database, wire the core."""
    rulebook = load_rulebook(settings.rulebook_path)
    drafts = load_drafts(settings.drafts_path, rulebook=rulebook)
    proofreader = Proofreader.load()
    zone = settings.default_zone()
    engine = create_engine(settings.database_url)
    try:
        await upgrade_to_head(engine)
    except BaseException:
        await engine.dispose()
        raise
    storage = SqlStorage(engine)
    service = FollowUpService(
        storage,
        clock,
        rulebook,
        default_zone=zone,
        on_nudge_planned=on_nudge_planned,
        drafts=drafts,
        proofreader=proofreader,
    )
    # Shared pacing rules count sends in the database, so replicas stay under a platform's
    # limit together; without rules (the console) sends are not paced.
    pacer = PlatformPacer(pacing, storage=storage) if pacing else None
    dispatcher = Dispatcher(
        storage,
        messenger,
        clock,
        rulebook,
        default_zone=zone,
        owner=owner,
        pacer=pacer,
        platforms=platforms,
    )
    return Bot(service=service, dispatcher=dispatcher, rulebook=rulebook, engine=engine)
