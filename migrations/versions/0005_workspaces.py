"""workspaces: a record per Slack team or Discord server; people.zone_hint_shown

What lived in bot_state as strings moves into them (and out of bot_state):
- `discord:guild_tz:{guild}` -> workspaces ("discord", guild).default_timezone
- `undeliverable-workspace:{platform}:{workspace}` (a reason; "" once reinstalled)
  -> workspaces (platform, workspace).undeliverable
- `discord:tz_hint:{scope}:{user}` -> people ("discord", scope, user).zone_hint_shown
The downgrade writes them back.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SERVER_ZONE = "discord:guild_tz:"
UNDELIVERABLE = "undeliverable-workspace:"
ZONE_HINT = "discord:tz_hint:"

# The tables as this revision knows them (not the application's models, which move on).
bot_state = sa.table(
    "bot_state",
    sa.column("key", sa.String()),
    sa.column("value", sa.Text()),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
workspaces = sa.table(
    "workspaces",
    sa.column("platform", sa.String()),
    sa.column("id", sa.String()),
    sa.column("default_timezone", sa.String()),
    sa.column("undeliverable", sa.String()),
)
people = sa.table(
    "people",
    sa.column("platform", sa.String()),
    sa.column("workspace", sa.String()),
    sa.column("user_id", sa.String()),
    sa.column("zone_hint_shown", sa.Boolean()),
)


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("default_timezone", sa.String(length=64), nullable=True),
        sa.Column("undeliverable", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("platform", "id", name=op.f("pk_workspaces")),
    )
    # A plain ADD COLUMN, also on SQLite: a batch-mode copy of `people` would drop the old
    # table, and with foreign keys on that deletes everyone's conversations with it.
    op.add_column(
        "people",
        sa.Column("zone_hint_shown", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    _move_values_into_workspaces()


def downgrade() -> None:
    _move_values_back_to_bot_state()
    op.drop_column("people", "zone_hint_shown")
    op.drop_table("workspaces")


def _move_values_into_workspaces() -> None:
    db = op.get_bind()
    found: dict[tuple[str, str], dict[str, str | None]] = {}
    for key, value in _values(db, SERVER_ZONE):
        if value:
            guild = key.removeprefix(SERVER_ZONE)
            found.setdefault(("discord", guild), {})["default_timezone"] = value
    for key, value in _values(db, UNDELIVERABLE):
        platform, _, workspace = key.removeprefix(UNDELIVERABLE).partition(":")
        if value and workspace:
            found.setdefault((platform, workspace), {})["undeliverable"] = value[:200]
    if found:
        db.execute(
            workspaces.insert(),
            [
                {
                    "platform": platform,
                    "id": workspace_id,
                    "default_timezone": fields.get("default_timezone"),
                    "undeliverable": fields.get("undeliverable"),
                }
                for (platform, workspace_id), fields in found.items()
            ],
        )
    hinted = [key.removeprefix(ZONE_HINT).rpartition(":") for key, _ in _values(db, ZONE_HINT)]
    if hinted:
        db.execute(
            people.update()
            .where(
                people.c.platform == "discord",
                people.c.workspace == sa.bindparam("scope"),
                people.c.user_id == sa.bindparam("user"),
            )
            .values(zone_hint_shown=True),
            [{"scope": scope, "user": user} for scope, _, user in hinted],
        )
    for prefix in (SERVER_ZONE, UNDELIVERABLE, ZONE_HINT):
        db.execute(bot_state.delete().where(bot_state.c.key.startswith(prefix, autoescape=True)))


def _move_values_back_to_bot_state() -> None:
    db = op.get_bind()
    now = datetime.now(UTC)
    rows: list[dict[str, object]] = []
    for platform, workspace_id, zone, reason in db.execute(
        sa.select(
            workspaces.c.platform,
            workspaces.c.id,
            workspaces.c.default_timezone,
            workspaces.c.undeliverable,
        )
    ):
        if zone and platform == "discord":
            rows.append({"key": f"{SERVER_ZONE}{workspace_id}", "value": zone})
        if reason:
            rows.append({"key": f"{UNDELIVERABLE}{platform}:{workspace_id}", "value": reason})
    for scope, user in db.execute(
        sa.select(people.c.workspace, people.c.user_id).where(
            people.c.platform == "discord", people.c.zone_hint_shown.is_(True)
        )
    ):
        rows.append({"key": f"{ZONE_HINT}{scope}:{user}", "value": "1"})
    if rows:
        db.execute(bot_state.insert(), [{**row, "updated_at": now} for row in rows])


def _values(db: sa.Connection, prefix: str) -> list[tuple[str, str]]:
    selected = sa.select(bot_state.c.key, bot_state.c.value).where(
        bot_state.c.key.startswith(prefix, autoescape=True)
    )
    return [(key, value) for key, value in db.execute(selected)]
