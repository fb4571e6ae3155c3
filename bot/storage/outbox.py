"""The Outbox repository on SQL: nudge rows, claimed by one statement, settled in one write.

The dispatcher's statements are built once, with parameters: a dispatch batch runs each of
them, and building a statement and its cache key anew costs about as much as SQLite's work for
a whole batch.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    Select,
    String,
    Update,
    and_,
    any_,
    bindparam,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    true,
    update,
)

from bot.domain import FollowUpStatus, Nudge, NudgeKind, NudgeStatus
from bot.ports import Claim, NudgeContext, OutboxDepth
from bot.storage.engine import Repository
from bot.storage.mapping import (
    SETTLED_COLUMNS,
    conversation_from,
    follow_up_from,
    nudge_from,
    nudge_values,
    person_from,
)
from bot.storage.schema import UTCDateTime, conversations, follow_ups, nudges, people

__all__ = ["SqlOutbox"]


class SqlOutbox(Repository):
    @property
    def _on_postgresql(self) -> bool:
        return bool(self.db.dialect.name == "postgresql")

    def _id_list(self, ids: Iterable[int | None]) -> list[int | None] | str:
        """Ids bound as one parameter for `_among`: an array on PostgreSQL, JSON on SQLite."""
        return list(ids) if self._on_postgresql else json.dumps(list(ids))

    async def add(self, new: Sequence[Nudge]) -> None:
        if new:
            await self.db.execute(
                insert(nudges), [{"follow_up_id": n.follow_up_id, **nudge_values(n)} for n in new]
            )

    async def replace_pending(self, follow_up_id: int, new: Sequence[Nudge], now: datetime) -> None:
        await self.db.execute(
            delete(nudges).where(
                nudges.c.follow_up_id == follow_up_id,
                nudges.c.status == NudgeStatus.PENDING,
                nudges.c.attempts == 0,
                nudges.c.next_attempt_at > now,
            )
        )
        if new:
            ids = await self.db.execute(
                insert(nudges).returning(nudges.c.id, sort_by_parameter_order=True),
                [{"follow_up_id": follow_up_id, **nudge_values(n)} for n in new],
            )
            for nudge, nudge_id in zip(new, ids.scalars(), strict=True):
                nudge.id = nudge_id

    async def sent_counts(
        self, follow_up_id: int, *, kept_at: datetime | None = None
    ) -> dict[NudgeKind, int]:
        counted: ColumnElement[bool] = nudges.c.status.in_([NudgeStatus.SENT, NudgeStatus.SENDING])
        if kept_at is not None:
            # What `replace_pending` at `kept_at` leaves in place.
            kept = and_(
                nudges.c.status == NudgeStatus.PENDING,
                or_(nudges.c.attempts > 0, nudges.c.next_attempt_at <= kept_at),
            )
            counted = or_(counted, kept)
        rows = await self.db.execute(
            select(nudges.c.kind, func.count())
            .where(nudges.c.follow_up_id == follow_up_id, counted)
            .group_by(nudges.c.kind)
        )
        return {NudgeKind(kind): count for kind, count in rows.tuples()}

    async def last_sent_at(self, follow_up_id: int) -> datetime | None:
        # A row still sending has no sent_at yet: it went out about when it fell due.
        latest = await self.db.execute(
            select(func.max(func.coalesce(nudges.c.sent_at, nudges.c.due_at))).where(
                nudges.c.follow_up_id == follow_up_id,
                nudges.c.status.in_([NudgeStatus.SENT, NudgeStatus.SENDING]),
            )
        )
        found: datetime | None = latest.scalar_one()
        return found

    async def cancel_pending(self, follow_up_id: int, reason: str) -> int:
        result = await self.db.execute(
            update(nudges)
            .where(nudges.c.follow_up_id == follow_up_id, nudges.c.status == NudgeStatus.PENDING)
            .values(status=NudgeStatus.CANCELLED, last_error=reason)
        )
        return int(result.rowcount)

    async def claim_due(self, claim: Claim) -> list[Nudge]:
        values: dict[str, Any] = {
            "now": claim.now,
            "owner": claim.owner,
            "lease_until": claim.lease_until,
            "limit": claim.limit,
        }
        if claim.platforms is not None:
            values["platforms"] = list(claim.platforms)
        rows = await self.db.execute(_claim_statement(claim.platforms is not None), values)
        claimed = [nudge_from(row) for row in rows.tuples()]
        if claim.together_until is not None and claimed:
            # In the same transaction, their people's nudges due within the window; SKIP
            # LOCKED leaves any another replica holds.
            values |= {
                "claimed": self._id_list(sorted({n.follow_up_id for n in claimed})),
                "together_until": claim.together_until,
                "together_limit": claim.together_limit,
            }
            more = await self.db.execute(_together_statement(self._on_postgresql), values)
            claimed += [nudge_from(row) for row in more.tuples()]
        claimed.sort(key=lambda n: (n.next_attempt_at or n.due_at, n.due_at, n.id or 0))
        return claimed

    async def claim_for_evenings(self, claim: Claim, person_ids: Sequence[int]) -> list[Nudge]:
        if not person_ids or claim.together_until is None:
            return []
        values = {
            "now": claim.now,
            "owner": claim.owner,
            "lease_until": claim.lease_until,
            "people": list(person_ids),
            "together_until": claim.together_until,
            "together_limit": claim.together_limit,
        }
        rows = await self.db.execute(_WITH_EVENINGS, values)
        claimed = [nudge_from(row) for row in rows.tuples()]
        claimed.sort(key=lambda n: (n.next_attempt_at or n.due_at, n.due_at, n.id or 0))
        return claimed

    async def contexts(self, claimed: Sequence[Nudge]) -> dict[int, NudgeContext]:
        if not claimed:
            return {}
        rows = await self.db.execute(
            _contexts_statement(self._on_postgresql), {"ids": self._id_list(n.id for n in claimed)}
        )
        by_id = {n.id: n for n in claimed}
        f_end = 1 + len(follow_ups.c)
        c_end = f_end + len(conversations.c)
        return {
            row[0]: NudgeContext(
                by_id[row[0]],
                follow_up_from(row[1:f_end]),
                conversation_from(row[f_end:c_end]),
                person_from(row[c_end:]),
            )
            for row in rows.tuples()
        }

    async def mark_sent(self, nudge_ids: Sequence[int], sent_at: datetime, owner: str) -> None:
        if nudge_ids:
            await self.db.execute(
                _mark_sent_statement(self._on_postgresql),
                {"ids": self._id_list(nudge_ids), "sent_at": sent_at, "owner": owner},
            )

    async def settle(self, settled: Sequence[Nudge], owner: str | None = None) -> None:
        if not settled:
            return
        # One executemany for the batch; a row deleted meanwhile (its person left), or claimed
        # by another replica since this one's lease ran out, matches none.
        await self.db.execute(
            _settle_statement(held=owner is not None),
            [
                {
                    "nudge_id": n.id,
                    "owner": owner,
                    **{f"new_{k}": v for k, v in nudge_values(n).items() if k in SETTLED_COLUMNS},
                }
                for n in settled
            ],
        )

    async def next_due_at(self) -> datetime | None:
        pending = select(func.min(nudges.c.next_attempt_at)).where(
            nudges.c.status == NudgeStatus.PENDING
        )
        leased = select(func.min(nudges.c.lease_expires_at)).where(
            nudges.c.status == NudgeStatus.SENDING
        )
        # min() keeps its column's type, so UTCDateTime hands back aware datetimes.
        times: list[datetime | None] = [
            (await self.db.execute(pending)).scalar_one_or_none(),
            (await self.db.execute(leased)).scalar_one_or_none(),
        ]
        found = [t for t in times if t is not None]
        return min(found) if found else None

    async def waiting_for(self, person_ids: Sequence[int]) -> dict[int, dict[int, datetime]]:
        found: dict[int, dict[int, datetime]] = {}
        if person_ids:
            rows = await self.db.execute(_WAITING, {"people": list(person_ids)})
            for person, follow_up_id, first in rows.tuples():
                found.setdefault(person, {})[follow_up_id] = first
        return found

    async def depth(self, now: datetime) -> OutboxDepth:
        row = (await self.db.execute(_DEPTH, {"now": now})).one()
        return OutboxDepth(due=row.due, scheduled=row.scheduled, sending=row.sending)


@functools.cache
def _claim_statement(by_platform: bool) -> Update:
    """Claim the next due nudges: see `Outbox.claim_due`."""
    now = bindparam("now", type_=UTCDateTime())
    limit = bindparam("limit", type_=Integer())
    # Two index range scans, one statement: due pending rows in due order (ix_nudges_due),
    # and rows whose lease expired because their replica died (ix_nudges_leased).
    # PostgreSQL: SKIP LOCKED lets replicas claim side by side, never the same row; SQLite
    # has a single writer (transactions begin IMMEDIATE).
    due = (
        select(nudges.c.id)
        .where(nudges.c.status == NudgeStatus.PENDING, nudges.c.next_attempt_at <= now)
        .order_by(nudges.c.next_attempt_at, nudges.c.due_at, nudges.c.id)
        .limit(limit)
    )
    expired = (
        select(nudges.c.id)
        .where(nudges.c.status == NudgeStatus.SENDING, nudges.c.lease_expires_at < now)
        .order_by(nudges.c.lease_expires_at)
        .limit(limit)
    )
    if by_platform:
        # Walking the due index in order, each row is checked for its person's platform.
        mine = (
            select(follow_ups.c.id)
            .join(people, follow_ups.c.person_id == people.c.id)
            .where(
                follow_ups.c.id == nudges.c.follow_up_id,
                people.c.platform.in_(bindparam("platforms", expanding=True)),
            )
        )
        due = due.where(mine.exists())
        expired = expired.where(mine.exists())
    # Lock only the nudge rows (not the people and follow-ups the filter reads).
    due = due.with_for_update(skip_locked=True, of=nudges)
    expired = expired.with_for_update(skip_locked=True, of=nudges)
    return _leased(
        or_(nudges.c.id.in_(due.scalar_subquery()), nudges.c.id.in_(expired.scalar_subquery()))
    )


def _leased(claimed: ColumnElement[bool]) -> Update:
    """The nudges `claimed` picks, leased to the claiming process (`owner`, until
    `lease_until`) and returned: what every claim statement ends with."""
    return (
        update(nudges)
        .where(claimed)
        .values(
            status=NudgeStatus.SENDING,
            lease_owner=bindparam("owner", type_=String()),
            lease_expires_at=bindparam("lease_until", type_=UTCDateTime()),
            attempts=nudges.c.attempts + 1,
        )
        .returning(*nudges.c)
    )


@functools.cache
def _together_statement(postgresql: bool) -> Update:
    """Claim, for the people of the `claimed` follow-ups, their pending nudges that fall due
    after `now` and by `together_until` (a window-closed notice never early): one DM per person
    per moment. Those due already are the claim's own (it drains them in due order).

    A range of the due index, the window's few minutes, each row checked for its person: it
    costs the nudges due in the window, whatever the outbox holds beyond it."""
    claimed = follow_ups.alias("claimed")
    claimed_people = select(claimed.c.person_id).where(_among(claimed.c.id, "claimed", postgresql))
    theirs_soon = (
        select(nudges.c.id)
        .join(follow_ups, nudges.c.follow_up_id == follow_ups.c.id)
        .where(
            nudges.c.status == NudgeStatus.PENDING,
            nudges.c.next_attempt_at > bindparam("now", type_=UTCDateTime()),
            nudges.c.next_attempt_at <= bindparam("together_until", type_=UTCDateTime()),
            # A window-closed notice says the window has closed: never early.
            nudges.c.kind != NudgeKind.WINDOW_CLOSED,
            # "+ 0": checked row by row, never an index to start from, so that no plan walks
            # the claimed people's every follow-up (a student with a hundred open ones and
            # their reminders for weeks) instead of the window's few rows.
            (follow_ups.c.person_id + 0).in_(claimed_people.scalar_subquery()),
            follow_ups.c.status == FollowUpStatus.PENDING,
        )
        .order_by(nudges.c.next_attempt_at, nudges.c.due_at, nudges.c.id)
        .limit(bindparam("together_limit", type_=Integer()))
        .with_for_update(skip_locked=True, of=nudges)
    )
    return _leased(nudges.c.id.in_(theirs_soon.scalar_subquery()))


def _with_evenings_statement() -> Update:
    """Claim, for the `people` whose fair evening DMs were just claimed, the nudges that go out
    in the same DM: due now (or sending with an expired lease: a crash's, to be sent again with
    the same key), and pending ones falling due by `together_until` (a window-closed notice
    never early). A few people's rows, by the follow-ups' person index."""
    now = bindparam("now", type_=UTCDateTime())
    early = and_(
        nudges.c.status == NudgeStatus.PENDING,
        nudges.c.next_attempt_at <= bindparam("together_until", type_=UTCDateTime()),
        nudges.c.kind != NudgeKind.WINDOW_CLOSED,
        follow_ups.c.status == FollowUpStatus.PENDING,
    )
    theirs = (
        select(nudges.c.id)
        .join(follow_ups, nudges.c.follow_up_id == follow_ups.c.id)
        .where(
            follow_ups.c.person_id.in_(bindparam("people", expanding=True)),
            or_(
                and_(nudges.c.status == NudgeStatus.PENDING, nudges.c.next_attempt_at <= now),
                and_(nudges.c.status == NudgeStatus.SENDING, nudges.c.lease_expires_at < now),
                early,
            ),
        )
        .order_by(nudges.c.next_attempt_at, nudges.c.due_at, nudges.c.id)
        .limit(bindparam("together_limit", type_=Integer()))
        # PostgreSQL: SKIP LOCKED leaves any another replica holds.
        .with_for_update(skip_locked=True, of=nudges)
    )
    return _leased(nudges.c.id.in_(theirs.scalar_subquery()))


_WITH_EVENINGS = _with_evenings_statement()


@functools.cache
def _contexts_statement(postgresql: bool) -> Select[Any]:
    """What claimed nudges are about, in one read: each row is the nudge's id, then its
    follow-up's, conversation's and person's columns (mapped by position)."""
    return (
        select(nudges.c.id, *follow_ups.c, *conversations.c, *people.c)
        .select_from(
            nudges.join(follow_ups, nudges.c.follow_up_id == follow_ups.c.id)
            .join(conversations, follow_ups.c.conversation_id == conversations.c.id)
            .join(people, follow_ups.c.person_id == people.c.id)
        )
        .where(_among(nudges.c.id, "ids", postgresql))
    )


# What is left for later for some people: their pending nudges' follow-ups, each with its next.
_WAITING = (
    select(follow_ups.c.person_id, nudges.c.follow_up_id, func.min(nudges.c.next_attempt_at))
    .select_from(nudges.join(follow_ups, nudges.c.follow_up_id == follow_ups.c.id))
    .where(
        follow_ups.c.person_id.in_(bindparam("people", expanding=True)),
        follow_ups.c.status == FollowUpStatus.PENDING,
        nudges.c.status == NudgeStatus.PENDING,
        nudges.c.kind != NudgeKind.WINDOW_CLOSED,
    )
    .group_by(follow_ups.c.person_id, nudges.c.follow_up_id)
)


def _count(status: NudgeStatus, *where: Any) -> Any:
    # The status is written into the SQL, not bound: a partial index is then usable by any plan
    # (PostgreSQL's generic plans for prepared statements included).
    state = nudges.c.status == literal_column(f"'{status.value}'")
    return select(func.count()).select_from(nudges).where(state, *where).scalar_subquery()


# The outbox's depth, in one statement of three counts, each on a partial index of the claim's
# (ix_nudges_due, ix_nudges_leased): a million sent rows of history cost it nothing.
_DEPTH_NOW = bindparam("now", type_=UTCDateTime())
_DEPTH = select(
    _count(NudgeStatus.PENDING, nudges.c.next_attempt_at <= _DEPTH_NOW).label("due"),
    _count(NudgeStatus.PENDING, nudges.c.next_attempt_at > _DEPTH_NOW).label("scheduled"),
    _count(NudgeStatus.SENDING).label("sending"),
)


@functools.cache
def _settle_statement(*, held: bool) -> Update:
    """Write settled nudges' new state, row by row (`settle`); when `held`, only the rows the
    bound `owner` still holds. Built once: building it and its cache key anew at every
    settling cost more than SQLite's write."""
    mine = nudges.c.lease_owner == bindparam("owner", type_=String()) if held else true()
    return (
        update(nudges)
        .where(nudges.c.id == bindparam("nudge_id", type_=Integer()), mine)
        .values({name: bindparam(f"new_{name}") for name in SETTLED_COLUMNS})
    )


@functools.cache
def _mark_sent_statement(postgresql: bool) -> Update:
    """One write for a batch's delivered rows; only those `owner` still holds (see `settle`)."""
    return (
        update(nudges)
        .where(
            _among(nudges.c.id, "ids", postgresql),
            nudges.c.lease_owner == bindparam("owner", type_=String()),
        )
        .values(
            status=NudgeStatus.SENT,
            sent_at=bindparam("sent_at", type_=UTCDateTime()),
            lease_owner=None,
            lease_expires_at=None,
            last_error=None,
        )
    )


def _among(column: ColumnElement[int], name: str, postgresql: bool) -> ColumnElement[bool]:
    """`column` is one of the ids bound as `name` (see `SqlOutbox._id_list`), in a statement of
    one shape however many there are. An expanding IN is rendered anew at every execution, for
    its number of ids (about a third of settling a few DMs), and on PostgreSQL each number is a
    statement of its own to prepare; this one is compiled and prepared once. SQLite reads the
    ids from a JSON array, each a primary-key lookup; PostgreSQL binds an array."""
    if postgresql:
        return column == any_(bindparam(name, type_=ARRAY(Integer())))
    listed: Select[Any] = select(literal_column("value")).select_from(
        func.json_each(bindparam(name, type_=String()))
    )
    return column.in_(listed.scalar_subquery())
