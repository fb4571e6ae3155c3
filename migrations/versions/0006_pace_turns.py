"""pace_turns: one shared schedule per pace rule, instead of counts per window

A count per window let a flood that starts in the middle of a window send that window's slots
at once, on top of the next window's: up to twice the limit within one period. One schedule
(the next free turn, moved on by one interval a request) keeps every stretch of one period
within the limit and one. The windows are only a second or a minute old at any time, so none
are carried over.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pace_turns",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("next_free", sa.Float(precision=53), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_pace_turns")),
    )
    op.drop_table("rate_windows")


def downgrade() -> None:
    op.create_table(
        "rate_windows",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name=op.f("pk_rate_windows")),
    )
    op.drop_table("pace_turns")
