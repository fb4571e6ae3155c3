"""club_rules: a club's own rulebook and draft templates (/club rules set, /club templates set),
as the TOML its organizers pasted, with who set it and when

Nothing of a student's refers to it: deleting a club or going down leaves members' follow-ups
as they are, planned by the deployment's rulebook from then on.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "club_rules",
        sa.Column("club_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(16), nullable=False),
        sa.Column("toml", sa.Text(), nullable=False),
        sa.Column("set_by", sa.String(64), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["club_id"], ["clubs.id"], name="fk_club_rules_club_id_clubs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("club_id", "what", name="pk_club_rules"),
    )


def downgrade() -> None:
    op.drop_table("club_rules")
