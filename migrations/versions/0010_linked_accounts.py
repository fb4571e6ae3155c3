"""people.linked_to and link_codes: a student's Slack and Discord accounts joined into one

`people.linked_to` is the primary account of a joined one (NULL for a primary or a lone
account). It is a plain column, not a foreign key: adding one would take SQLite's batch copy of
`people`, which every other table refers to; the repositories keep it right instead.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("people", sa.Column("linked_to", sa.Integer(), nullable=True))
    op.create_index("ix_people_linked_to", "people", ["linked_to"])
    op.create_table(
        "link_codes",
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name="fk_link_codes_person_id_people",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("code_hash", name="pk_link_codes"),
        sa.UniqueConstraint("person_id", name="uq_link_codes_person_id"),
    )


def downgrade() -> None:
    op.drop_table("link_codes")
    op.drop_index("ix_people_linked_to", table_name="people")
    # In place, not by a batch copy: on SQLite a copy drops `people`, and with foreign keys on
    # that deletes every row that refers to it. SQLite (3.35+) drops an unindexed plain column.
    op.drop_column("people", "linked_to")
