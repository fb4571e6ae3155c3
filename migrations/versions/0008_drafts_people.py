"""drafts for every person: follow_ups.contact_name and greeting

One /met can name several people (a panel), each with their own follow-ups: a follow-up keeps
the one person it goes to and how the student wants them greeted (greet:). Follow-ups recorded
before keep NULL in both: they go to their conversation's one person. Plain ADD and DROP COLUMN,
which SQLite does in place: a batch copy of follow_ups would drop the table, and with it, by
cascade, every nudge.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("follow_ups", sa.Column("contact_name", sa.String(length=100), nullable=True))
    op.add_column("follow_ups", sa.Column("greeting", sa.String(length=100), nullable=True))


def downgrade() -> None:
    op.drop_column("follow_ups", "greeting")
    op.drop_column("follow_ups", "contact_name")
