"""The database schema: SQLAlchemy Core tables. Alembic migrations create exactly these (a test
compares them), and `bot.storage.mapping` maps their rows to the domain's dataclasses.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    false,
)

from bot.domain import REASON_LENGTH

__all__ = [
    "LIBRARY_TABLES",
    "bot_state",
    "calendar_feeds",
    "conversations",
    "follow_ups",
    "link_codes",
    "metadata",
    "nudges",
    "pace_turns",
    "people",
    "workspaces",
]

# Tables our migrations create for a library's own stores (migration 0004: slack_sdk's OAuth
# installation and state stores). Their shape is the library's, not ours, so they are not in
# `metadata`: autogenerate leaves them alone, and a test checks them against the library.
LIBRARY_TABLES = frozenset({"slack_installations", "slack_bots", "slack_oauth_states"})

# Named constraints, so that migrations (and SQLite's batch mode) can refer to them.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every database.

    PostgreSQL keeps `timestamptz`; SQLite has no time zones, so it stores naive UTC text, which
    also sorts and compares correctly in the claim query.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError("only aware datetimes are stored")
        utc: datetime = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    # On SQLite, the text is written and read in one step each, in the format SQLAlchemy's own
    # DATETIME uses ("2026-03-06 20:00:00.000000"): a dispatch batch reads and writes thousands
    # of these, and the generic path (parse, then attach the zone) is several times slower.
    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        return _sqlite_text

    def result_processor(self, dialect: Dialect, coltype: Any) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        return _sqlite_datetime


def _sqlite_text(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValueError("only aware datetimes are stored")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_datetime(value: str | None) -> datetime | None:
    # Parsing the zone with the text is several times faster than `.replace(tzinfo=UTC)`.
    return None if value is None else datetime.fromisoformat(value + "+00:00")


people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(16), nullable=False),
    Column("workspace", String(64), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("name", String(100)),
    Column("display_name", String(100)),
    Column("timezone", String(64)),
    Column("platform_timezone", String(64)),
    Column("quiet_start", Time),
    Column("quiet_end", Time),
    Column("nudges_on", Boolean, nullable=False),
    Column("job_status", String(16), nullable=False),
    Column("linkedin_plan", String(16), nullable=False),
    Column("undeliverable", String(REASON_LENGTH)),
    # Whether they were told once how to set their zone (on platforms that don't share it).
    Column("zone_hint_shown", Boolean, nullable=False, server_default=false()),
    # The next #N this person's follow-ups get; bumped in one UPDATE, so numbers never repeat.
    Column("next_number", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # The primary account of a student whose accounts are joined (bot.handlers.accounts). Not
    # a foreign key: adding one would take SQLite's batch copy of this table, which every other
    # refers to; the repositories keep it right (forget clears what points at a forgotten row).
    Column("linked_to", Integer, index=True),
    # The local time of the student's daily digest; NULL: each nudge on time.
    Column("digest_at", Time),
    UniqueConstraint("platform", "workspace", "user_id"),
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    # Everyone met, as a list ("Priya Raman and 5 others" when long); each follow-up names its
    # own person.
    Column("contact_name", String(100), nullable=False),
    Column("company", String(100), nullable=False),
    Column("company_key", String(100), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("met_at", UTCDateTime, nullable=False),
    Column("topics", Text, nullable=False),
    Column("event", String(120)),
    Column("priority", SmallInteger),
    Column("logged_in", String(64)),
    Column("created_at", UTCDateTime, nullable=False),
    Index(None, "person_id", "company_key"),
)

follow_ups = Table(
    "follow_ups",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column(
        "conversation_id",
        Integer,
        ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("number", Integer, nullable=False),
    # Either method will do: "email", or "linkedin,email" for events.
    Column("methods", String(64), nullable=False),
    Column("ideal_by", UTCDateTime, nullable=False),
    Column("due_by", UTCDateTime, nullable=False),
    Column("optional", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    Column("done_via", String(16)),
    Column("snoozed_until", UTCDateTime),
    Column("closed_at", UTCDateTime),
    # The one person it goes to, and how to greet them (greet:); NULL for follow-ups recorded
    # before panels, which go to their conversation's one person.
    Column("contact_name", String(100)),
    Column("greeting", String(100)),
    UniqueConstraint("person_id", "number"),
    Index(None, "person_id", "status"),
)

nudges = Table(
    "nudges",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "follow_up_id",
        Integer,
        ForeignKey("follow_ups.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("kind", String(16), nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("lease_owner", String(64)),
    Column("lease_expires_at", UTCDateTime),
    Column("sent_at", UTCDateTime),
    Column("last_error", String(REASON_LENGTH)),
)

# What the claim reads, as partial indexes so their cost follows the due rows, not the history
# of sent ones: pending rows in the order the claim takes them (next attempt, then due time,
# then id, so ORDER BY needs no sort), and the
# leases of rows being sent (to find those whose replica died).
Index(
    "ix_nudges_due",
    nudges.c.next_attempt_at,
    nudges.c.due_at,
    nudges.c.id,
    sqlite_where=nudges.c.status == "pending",
    postgresql_where=nudges.c.status == "pending",
)
Index(
    "ix_nudges_leased",
    nudges.c.lease_expires_at,
    sqlite_where=nudges.c.status == "sending",
    postgresql_where=nudges.c.status == "sending",
)


def _secret_table(name: str, hash_column: str, moment_column: str) -> Table:
    """A table of a secret a person holds, by its sha256 (`hash_column`), never the secret
    itself: a copy of the database opens nothing. One a person, with a moment; a new one
    replaces it (`bot.storage.engine.replace_persons_row`)."""
    return Table(
        name,
        metadata,
        Column(hash_column, String(64), primary_key=True),
        Column(
            "person_id",
            Integer,
            ForeignKey("people.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        Column(moment_column, UTCDateTime, nullable=False),
    )


# A student's calendar subscription (bot.calendar_feed), since when; a reset replaces it.
calendar_feeds = _secret_table("calendar_feeds", "token_hash", "created_at")
# A one-time code that joins a student's accounts (bot.linking), until when it is good.
link_codes = _secret_table("link_codes", "code_hash", "expires_at")

# Slack teams and Discord servers: what the bot knows of each. `undeliverable` is set while the
# app is uninstalled there; the dispatcher asks for it with every batch, by primary key.
workspaces = Table(
    "workspaces",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("default_timezone", String(64)),
    Column("undeliverable", String(REASON_LENGTH)),
    # When it was first marked undeliverable: its members' data goes after a grace period.
    Column("undeliverable_since", UTCDateTime),
)


def _bot_table(name: str, *columns: Column[Any]) -> Table:
    """A table of the bot's own state, keyed by names the bot makes up ("slack:seen:...", a
    pace rule's key), shared by replicas."""
    return Table(name, metadata, Column("key", String(200), primary_key=True), *columns)


# Small named values the bot keeps for itself (an adapter's command-definition hash, requests
# already seen): one row per key.
bot_state = _bot_table(
    "bot_state",
    Column("value", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Each shared pace rule's next free turn (see bot.pacing), in seconds since the epoch: the
# replicas take turns from one schedule.
pace_turns = _bot_table(
    "pace_turns",
    Column("next_free", Float(precision=53), nullable=False),
)
