"""clubs.follows_scheduled_events and club_events.scheduled_event: a Discord club that follows
its server's Scheduled Events, and the events that came from them (each stored once)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain columns added in place; the unique constraint needs SQLite's batch copy of
    # club_events (a small table, nothing of a student's refers to it).
    op.add_column(
        "clubs",
        sa.Column(
            "follows_scheduled_events", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
    )
    with op.batch_alter_table("club_events") as batch:
        batch.add_column(sa.Column("scheduled_event", sa.String(32), nullable=True))
        batch.create_unique_constraint(
            "uq_club_events_club_id_scheduled_event", ["club_id", "scheduled_event"]
        )


def downgrade() -> None:
    with op.batch_alter_table("club_events") as batch:
        batch.drop_constraint("uq_club_events_club_id_scheduled_event", type_="unique")
        batch.drop_column("scheduled_event")
    op.drop_column("clubs", "follows_scheduled_events")
