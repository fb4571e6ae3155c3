"""drafts for every person: follow_ups.contact_name and greeting; room for a panel's names

One /met can name several people (a panel), each with their own follow-ups: a follow-up keeps
the one person it goes to and how the student wants them greeted (greet:). A conversation's
contact_name lists everyone, so it widens from 100 to 700 characters. Follow-ups recorded before
keep NULL in both: they go to their conversation's one person. The downgrade cuts a longer list
back to 100 characters.

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

conversations = sa.table("conversations", sa.column("contact_name", sa.String()))


def upgrade() -> None:
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("greeting", sa.String(length=100), nullable=True))
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.alter_column(
            "contact_name",
            existing_type=sa.String(length=100),
            type_=sa.String(length=700),
            existing_nullable=False,
        )


def downgrade() -> None:
    op.execute(
        conversations.update()
        .where(sa.func.length(conversations.c.contact_name) > 100)
        .values(contact_name=sa.func.substr(conversations.c.contact_name, 1, 100))
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.alter_column(
            "contact_name",
            existing_type=sa.String(length=700),
            type_=sa.String(length=100),
            existing_nullable=False,
        )
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_column("greeting")
        batch_op.drop_column("contact_name")
