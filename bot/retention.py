"""How long the bot keeps what it is told, enforced by a daily job (`bot.scheduler`).

- A conversation whose follow-ups are all closed (done, skipped or missed) is deleted, with
  them and their nudges, once the last closed `keep_closed` ago (FOLLOWUP_RETENTION_DAYS).
- A workspace whose app was removed (a Slack uninstall, a Discord server that removed the bot)
  loses its members' data, and its own record, `uninstall_grace` after the removal
  (FOLLOWUP_UNINSTALL_GRACE_DAYS), unless the app came back meanwhile (that lifts the mark).

Every replica may run it: each deletion is idempotent, one transaction a workspace.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock
from bot.ports import Storage

__all__ = ["DEFAULT_KEEP_CLOSED", "DEFAULT_UNINSTALL_GRACE", "Retention", "RetentionReport"]

log = logging.getLogger(__name__)

# A year: long enough to look back on a whole recruiting season, and no longer.
DEFAULT_KEEP_CLOSED = timedelta(days=365)
# A month: time for a workspace that removed the app by mistake to add it back, data intact.
DEFAULT_UNINSTALL_GRACE = timedelta(days=30)


@dataclass(frozen=True)
class RetentionReport:
    conversations: int = 0
    workspaces: int = 0
    people: int = 0


class Retention:
    """Deletes what is kept past its time; `run` once a day."""

    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        *,
        keep_closed: timedelta = DEFAULT_KEEP_CLOSED,
        uninstall_grace: timedelta = DEFAULT_UNINSTALL_GRACE,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.keep_closed = keep_closed
        self.uninstall_grace = uninstall_grace

    async def run(self) -> RetentionReport:
        now = self.clock.now()
        async with self.storage.session() as uow:
            conversations = await uow.follow_ups.delete_closed_before(now - self.keep_closed)
            gone = await uow.workspaces.gone_since(now - self.uninstall_grace)
        people = 0
        for platform, workspace_id in gone:
            async with self.storage.session() as uow:
                members = await uow.people.in_workspace(platform, workspace_id)
                await uow.people.forget(members)
                await uow.workspaces.forget(platform, workspace_id)
            people += len(members)
        report = RetentionReport(conversations, len(gone), people)
        if conversations or gone:
            log.info(
                "retention: %d closed conversations deleted; %d removed workspaces deleted "
                "with %d people",
                report.conversations,
                report.workspaces,
                report.people,
            )
        return report
