"""fair_lists, fair_entries and fair_visits: a student's career-fair priority lists (/fair)

A list has its entries (companies by tier and order of interest), the conversations recorded at
the fair (each matched to an entry, or unplanned), and its evening DM as an outbox row of its
own (status, attempts, lease), like a nudge's.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    moment = sa.DateTime(timezone=True)
    op.create_table(
        "fair_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("name_key", sa.String(120), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("created_at", moment, nullable=False),
        sa.Column("evening_due_at", moment, nullable=True),
        sa.Column("evening_status", sa.String(16), nullable=False),
        sa.Column("evening_attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_expires_at", moment, nullable=True),
        sa.Column("evening_sent_at", moment, nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_fair_lists_person_id_people", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_fair_lists"),
    )
    op.create_index("ix_fair_lists_person_id_held_on", "fair_lists", ["person_id", "held_on"])
    # What the evening sweep reads: pending evenings by due time, leases of those being sent.
    for name, column, status in (
        ("ix_fair_lists_due", "evening_due_at", "pending"),
        ("ix_fair_lists_leased", "lease_expires_at", "sending"),
    ):
        where = sa.text(f"evening_status = '{status}'")
        op.create_index(name, "fair_lists", [column], sqlite_where=where, postgresql_where=where)
    op.create_table(
        "fair_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fair_id", sa.Integer(), nullable=False),
        sa.Column("company", sa.String(100), nullable=False),
        sa.Column("company_key", sa.String(100), nullable=False),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fair_id"],
            ["fair_lists.id"],
            name="fk_fair_entries_fair_id_fair_lists",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_fair_entries"),
    )
    op.create_index("ix_fair_entries_fair_id", "fair_entries", ["fair_id"])
    op.create_table(
        "fair_visits",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("fair_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name="fk_fair_visits_conversation_id_conversations",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["fair_id"],
            ["fair_lists.id"],
            name="fk_fair_visits_fair_id_fair_lists",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["fair_entries.id"],
            name="fk_fair_visits_entry_id_fair_entries",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("conversation_id", name="pk_fair_visits"),
    )
    op.create_index("ix_fair_visits_fair_id", "fair_visits", ["fair_id"])


def downgrade() -> None:
    op.drop_table("fair_visits")
    op.drop_table("fair_entries")
    op.drop_table("fair_lists")
