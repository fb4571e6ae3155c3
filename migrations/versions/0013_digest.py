"""people.digest_at: a student's daily digest of non-urgent nudges

The local time of the digest (settings digest daily 18:00); NULL, as every existing student
has it, sends each nudge on time.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("people", sa.Column("digest_at", sa.Time(), nullable=True))


def downgrade() -> None:
    # In place, not by a batch copy: on SQLite a copy drops `people`, and with foreign keys on
    # that deletes every row that refers to it. SQLite (3.35+) drops a plain column.
    op.drop_column("people", "digest_at")
