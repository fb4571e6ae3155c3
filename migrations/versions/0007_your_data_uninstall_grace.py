"""workspaces.undeliverable_since: when the app was removed, so that its members' data can be
deleted after the uninstall grace (FOLLOWUP_UNINSTALL_GRACE_DAYS)

A workspace already marked undeliverable counts from the upgrade: its grace starts now.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

workspaces = sa.table(
    "workspaces",
    sa.column("undeliverable", sa.String()),
    sa.column("undeliverable_since", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    op.add_column(
        "workspaces", sa.Column("undeliverable_since", sa.DateTime(timezone=True), nullable=True)
    )
    op.get_bind().execute(
        workspaces.update()
        .where(workspaces.c.undeliverable.is_not(None))
        .values(undeliverable_since=sa.func.current_timestamp())
    )


def downgrade() -> None:
    # Nothing refers to `workspaces`: SQLite's batch copy of it loses nothing.
    with op.batch_alter_table("workspaces") as batch:
        batch.drop_column("undeliverable_since")
