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
    Date,
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
    "club_digests",
    "club_events",
    "club_organizers",
    "club_rules",
    "clubs",
    "conversations",
    "event_going",
    "event_prompts",
    "fair_entries",
    "fair_lists",
    "fair_visits",
    "follow_ups",
    "link_codes",
    "metadata",
    "nudges",
    "pace_turns",
    "people",
    "scheduled_event_ends",
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
    # Whether a club's digest may thank them by name (/followups settings shoutouts on).
    Column("shoutouts", Boolean, nullable=False, server_default=false()),
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
def _claim_indexes(
    table: Table, status: Column[Any], due: tuple[Column[Any], ...], leased: Column[Any]
) -> None:
    """An outbox table's partial indexes: its pending rows by `due`, its leases being sent."""
    for suffix, columns, state in (("due", due, "pending"), ("leased", (leased,), "sending")):
        Index(
            f"ix_{table.name}_{suffix}",
            *columns,
            sqlite_where=status == state,
            postgresql_where=status == state,
        )


_claim_indexes(
    nudges,
    nudges.c.status,
    (nudges.c.next_attempt_at, nudges.c.due_at, nudges.c.id),
    nudges.c.lease_expires_at,
)

# A student's career-fair priority lists (/fair), each with its evening DM as an outbox row of
# its own: claimed with a lease like a nudge, so replicas send it once and a restart loses none.
fair_lists = Table(
    "fair_lists",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(120), nullable=False),
    Column("name_key", String(120), nullable=False),
    # The fair's day in the student's zone.
    Column("held_on", Date, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("evening_due_at", UTCDateTime),
    Column("evening_status", String(16), nullable=False),
    Column("evening_attempts", Integer, nullable=False),
    Column("lease_owner", String(64)),
    Column("lease_expires_at", UTCDateTime),
    Column("evening_sent_at", UTCDateTime),
    Column("last_error", String(REASON_LENGTH)),
    Index(None, "person_id", "held_on"),
)
# What the evening sweep reads: pending evenings by due time, and leases of those being sent.
_claim_indexes(
    fair_lists,
    fair_lists.c.evening_status,
    (fair_lists.c.evening_due_at,),
    fair_lists.c.lease_expires_at,
)

fair_entries = Table(
    "fair_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "fair_id",
        Integer,
        ForeignKey("fair_lists.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("company", String(100), nullable=False),
    Column("company_key", String(100), nullable=False),
    # The tier: 1 = the companies the student cares about most.
    Column("priority", SmallInteger, nullable=False),
    # The order of interest, from 1.
    Column("position", Integer, nullable=False),
)

# A conversation recorded at a fair: the list entry it matched, or none (unplanned).
fair_visits = Table(
    "fair_visits",
    metadata,
    Column(
        "conversation_id",
        Integer,
        ForeignKey("conversations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "fair_id",
        Integer,
        ForeignKey("fair_lists.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("entry_id", Integer, ForeignKey("fair_entries.id", ondelete="SET NULL")),
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

# Club channels (/club setup): one per channel. Nothing of a student's refers to a club, so
# deleting one leaves its members' conversations and follow-ups as they are.
clubs = Table(
    "clubs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(16), nullable=False),
    Column("workspace", String(64), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("name", String(100), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # The weekly digest's weekday (Monday 0) and time, in the club's zone; NULL: none.
    Column("digest_day", SmallInteger),
    Column("digest_at", Time),
    # Discord: the server's Scheduled Events are this club's too (one club a server).
    Column("follows_scheduled_events", Boolean, nullable=False, server_default=false()),
    UniqueConstraint("platform", "workspace", "channel"),
)

# The organizers a club's founder added, by platform user id (someone added needn't have used
# the bot yet). The founder and the workspace's managers are organizers without a row.
club_organizers = Table(
    "club_organizers",
    metadata,
    Column("club_id", Integer, ForeignKey("clubs.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", String(64), primary_key=True),
)

# A club's own rulebook ("rulebook") or draft templates ("drafts"), as the TOML its organizers
# pasted (validated then), with who set it and when. No row: the deployment's.
club_rules = Table(
    "club_rules",
    metadata,
    Column("club_id", Integer, ForeignKey("clubs.id", ondelete="CASCADE"), primary_key=True),
    Column("what", String(16), primary_key=True),
    Column("toml", Text, nullable=False),
    Column("set_by", String(64), nullable=False),
    Column("set_at", UTCDateTime, nullable=False),
)

# The events organizers post; `post_ref` is the card's message on the platform, to update it.
club_events = Table(
    "club_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("club_id", Integer, ForeignKey("clubs.id", ondelete="CASCADE"), nullable=False),
    Column("title", String(100), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    # A fair's companies, one a line.
    Column("companies", Text, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("cancelled", Boolean, nullable=False, server_default=false()),
    Column("post_ref", String(64)),
    # The Discord Scheduled Event it came from; each is stored once.
    Column("scheduled_event", String(32)),
    Index(None, "club_id", "starts_at"),
    UniqueConstraint("club_id", "scheduled_event"),
)

# Who clicked Going: private, the card shows only the count.
event_going = Table(
    "event_going",
    metadata,
    Column("event_id", Integer, ForeignKey("club_events.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    Column("at", UTCDateTime, nullable=False),
)

# The DMs to members after an event they were going to (bot.event_prompts): outbox rows like
# nudges, claimed through their own partial indexes.
event_prompts = Table(
    "event_prompts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", Integer, ForeignKey("club_events.id", ondelete="CASCADE"), nullable=False),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("lease_owner", String(64)),
    Column("lease_expires_at", UTCDateTime),
    Column("sent_at", UTCDateTime),
    Column("last_error", String(REASON_LENGTH)),
    UniqueConstraint("event_id", "person_id", "kind"),
    Index(None, "status", "next_attempt_at"),
    Index(None, "person_id"),
)

# When a Scheduled Event a club follows is over by its schedule (bot.scheduled_event_ends):
# outbox rows like prompts, one an event of the club.
scheduled_event_ends = Table(
    "scheduled_event_ends",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("club_id", Integer, ForeignKey("clubs.id", ondelete="CASCADE"), nullable=False),
    Column("ref", String(32), nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("lease_owner", String(64)),
    Column("lease_expires_at", UTCDateTime),
    Column("sent_at", UTCDateTime),
    Column("last_error", String(REASON_LENGTH)),
    UniqueConstraint("club_id", "ref"),
    Index(None, "status", "next_attempt_at"),
)

# A club's digests (bot.digests): outbox rows like nudges. `key` names the digest ("weekly:" and
# its moment, "event:" and the event's id and end), so that replicas planning it add one row.
club_digests = Table(
    "club_digests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("club_id", Integer, ForeignKey("clubs.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(80), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("event_id", Integer, ForeignKey("club_events.id", ondelete="CASCADE")),
    Column("period_start", UTCDateTime, nullable=False),
    Column("period_end", UTCDateTime, nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("lease_owner", String(64)),
    Column("lease_expires_at", UTCDateTime),
    Column("sent_at", UTCDateTime),
    Column("last_error", String(REASON_LENGTH)),
    UniqueConstraint("club_id", "key"),
    Index(None, "status", "next_attempt_at"),
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
