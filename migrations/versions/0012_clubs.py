"""clubs, club_organizers, club_events, event_going, event_prompts, club_digests and
people.shoutouts: club channels, the events they post, the DMs to the members who went, the
digests they get, and who may be thanked by name in them

Nothing of a student's refers to a club: deleting one (or going down) leaves every member's
conversations and follow-ups as they are.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "clubs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("digest_day", sa.SmallInteger(), nullable=True),
        sa.Column("digest_at", sa.Time(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_clubs"),
        sa.UniqueConstraint(
            "platform", "workspace", "channel", name="uq_clubs_platform_workspace_channel"
        ),
    )
    op.create_table(
        "club_organizers",
        sa.Column("club_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["club_id"], ["clubs.id"], name="fk_club_organizers_club_id_clubs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("club_id", "user_id", name="pk_club_organizers"),
    )
    op.create_table(
        "club_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("club_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("companies", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("post_ref", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(
            ["club_id"], ["clubs.id"], name="fk_club_events_club_id_clubs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_club_events"),
    )
    op.create_index("ix_club_events_club_id_starts_at", "club_events", ["club_id", "starts_at"])
    op.create_table(
        "event_going",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["club_events.id"],
            name="fk_event_going_event_id_club_events",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_event_going_person_id_people", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("event_id", "person_id", name="pk_event_going"),
    )
    op.create_table(
        "event_prompts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["club_events.id"],
            name="fk_event_prompts_event_id_club_events",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name="fk_event_prompts_person_id_people",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_event_prompts"),
        sa.UniqueConstraint(
            "event_id", "person_id", "kind", name="uq_event_prompts_event_id_person_id_kind"
        ),
    )
    op.create_index(
        "ix_event_prompts_status_next_attempt_at", "event_prompts", ["status", "next_attempt_at"]
    )
    op.create_index("ix_event_prompts_person_id", "event_prompts", ["person_id"])
    op.create_table(
        "club_digests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("club_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(
            ["club_id"], ["clubs.id"], name="fk_club_digests_club_id_clubs", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["club_events.id"],
            name="fk_club_digests_event_id_club_events",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_club_digests"),
        sa.UniqueConstraint("club_id", "key", name="uq_club_digests_club_id_key"),
    )
    op.create_index(
        "ix_club_digests_status_next_attempt_at", "club_digests", ["status", "next_attempt_at"]
    )
    # A plain column added in place (no batch copy of `people`, which every table refers to).
    op.add_column(
        "people",
        sa.Column("shoutouts", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    # In place, as 0010 drops people.linked_to: SQLite (3.35+) drops an unindexed plain column.
    op.drop_column("people", "shoutouts")
    op.drop_table("club_digests")
    op.drop_table("event_prompts")
    op.drop_table("event_going")
    op.drop_index("ix_club_events_club_id_starts_at", table_name="club_events")
    op.drop_table("club_events")
    op.drop_table("club_organizers")
    op.drop_table("clubs")
