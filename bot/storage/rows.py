"""What the outboxes beside the nudges' (event prompts, club digests) share on SQL: the one
statement that claims due rows, the settling write, and when the next falls due.

Each table has the nudge's delivery columns (status, attempts, next_attempt_at, lease_owner,
lease_expires_at, sent_at, last_error) and an index on (status, next_attempt_at).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    String,
    Table,
    Update,
    bindparam,
    func,
    or_,
    select,
    update,
)

from bot.domain import DeliveryRow, NudgeStatus
from bot.ports import Claim
from bot.storage.engine import Db
from bot.storage.schema import UTCDateTime

__all__ = [
    "claim_statement",
    "claim_values",
    "delivery_fields",
    "next_due_at",
    "settle_rows",
]


def claim_statement(table: Table, owners: tuple[Table, Column[Any]] | None) -> Update:
    """Claim `table`'s next due rows in one statement: due pending rows in due order and rows
    whose lease ran out, locked with SKIP LOCKED (PostgreSQL) so that replicas never claim the
    same; marked sending, one more attempt. `owners`: the table the rows belong to (its
    `platform` column) and the column of `table` that points at it, to keep only the rows of
    the platforms bound as "platforms"; None for every platform."""

    now = bindparam("now", type_=UTCDateTime())
    limit = bindparam("limit", type_=Integer())
    due = (
        select(table.c.id)
        .where(table.c.status == NudgeStatus.PENDING.value, table.c.next_attempt_at <= now)
        .order_by(table.c.next_attempt_at, table.c.id)
        .limit(limit)
    )
    expired = (
        select(table.c.id)
        .where(table.c.status == NudgeStatus.SENDING.value, table.c.lease_expires_at < now)
        .order_by(table.c.lease_expires_at)
        .limit(limit)
    )
    if owners is not None:
        due = due.where(_of_platforms(*owners))
        expired = expired.where(_of_platforms(*owners))
    due = due.with_for_update(skip_locked=True, of=table)
    expired = expired.with_for_update(skip_locked=True, of=table)
    return (
        update(table)
        .where(
            or_(table.c.id.in_(due.scalar_subquery()), table.c.id.in_(expired.scalar_subquery()))
        )
        .values(
            status=NudgeStatus.SENDING.value,
            lease_owner=bindparam("owner", type_=String()),
            lease_expires_at=bindparam("lease_until", type_=UTCDateTime()),
            attempts=table.c.attempts + 1,
        )
        .returning(*table.c)
    )


def _of_platforms(owners: Table, link: Column[Any]) -> ColumnElement[bool]:
    """The rows whose owner (the row of `owners` that `link` points at) is on a platform bound
    as "platforms"."""
    return (
        select(owners.c.id)
        .where(owners.c.id == link, owners.c.platform.in_(bindparam("platforms", expanding=True)))
        .exists()
    )


def claim_values(claim: Claim) -> dict[str, Any]:
    """The parameters of a claim statement."""
    values: dict[str, Any] = {
        "now": claim.now,
        "owner": claim.owner,
        "lease_until": claim.lease_until,
        "limit": claim.limit,
    }
    if claim.platforms is not None:
        values["platforms"] = list(claim.platforms)
    return values


_STATUS = {m.value: m for m in NudgeStatus}


def delivery_fields(row: Any) -> dict[str, Any]:
    """A row's delivery columns, as the domain's dataclass takes them."""
    return {
        "status": _STATUS[row.status],
        "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at,
        "lease_owner": row.lease_owner,
        "lease_expires_at": row.lease_expires_at,
        "sent_at": row.sent_at,
        "last_error": row.last_error,
        "id": row.id,
    }


async def settle_rows(db: Db, table: Table, rows: Sequence[DeliveryRow], owner: str) -> None:
    """Write each row's outcome, where `owner` still holds it."""
    for row in rows:
        await db.execute(
            update(table)
            .where(table.c.id == row.id, table.c.lease_owner == owner)
            .values(
                {
                    "status": row.status.value,
                    "attempts": row.attempts,
                    "next_attempt_at": row.next_attempt_at,
                    "lease_owner": row.lease_owner,
                    "lease_expires_at": row.lease_expires_at,
                    "sent_at": row.sent_at,
                    "last_error": row.last_error,
                }
            )
        )


async def next_due_at(db: Db, table: Table) -> datetime | None:
    """When `table`'s earliest pending row falls due, or its earliest lease runs out."""
    pending = select(func.min(table.c.next_attempt_at)).where(
        table.c.status == NudgeStatus.PENDING.value
    )
    leased = select(func.min(table.c.lease_expires_at)).where(
        table.c.status == NudgeStatus.SENDING.value
    )
    times: list[datetime | None] = [
        (await db.execute(pending)).scalar_one_or_none(),
        (await db.execute(leased)).scalar_one_or_none(),
    ]
    found = [t for t in times if t is not None]
    return min(found) if found else None
