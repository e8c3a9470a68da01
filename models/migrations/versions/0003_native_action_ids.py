"""action ids as native UUIDs on PostgreSQL

Every event carries its action's id, three events per finished unit: as 36 characters of text the
id and its two indexes cost ~300 bytes per unit on a plant-year, as a 16-byte uuid about half.
SQLite keeps text (it has no uuid type; the embedded database is one trial station's).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 08:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (("action", "id"), ("event", "action_id"), ("print_job", "action_id"))
REFERENCES = (("event", "fk_event_action_id_action"), ("print_job", "fk_print_job_action_id_action"))


def _change(to_uuid: bool) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, name in REFERENCES:
        op.drop_constraint(name, table, type_="foreignkey")
    for table, column in COLUMNS:
        op.alter_column(
            table,
            column,
            type_=postgresql.UUID(as_uuid=False) if to_uuid else sa.String(length=36),
            existing_type=sa.String(length=36) if to_uuid else postgresql.UUID(as_uuid=False),
            existing_nullable=False,
            postgresql_using=f"{column}::uuid" if to_uuid else f"{column}::text",
        )
    for table, name in REFERENCES:
        op.create_foreign_key(name, table, "action", ["action_id"], ["id"])


def upgrade() -> None:
    _change(to_uuid=True)


def downgrade() -> None:
    _change(to_uuid=False)
