"""indexes the trace and recall queries start from

A supplier recall starts from every lot of one supplier; an equipment or operator recall from
their events in a time window. The single-column event indexes become (who, when) pairs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_unit_supplier_id", "unit", ["supplier_id"])
    op.create_index("ix_event_equipment_time", "event", ["equipment_id", "occurred_at"])
    op.create_index("ix_event_user_time", "event", ["user_id", "occurred_at"])
    op.drop_index("ix_event_equipment_id", table_name="event")
    op.drop_index("ix_event_user_id", table_name="event")


def downgrade() -> None:
    op.create_index("ix_event_user_id", "event", ["user_id"])
    op.create_index("ix_event_equipment_id", "event", ["equipment_id"])
    op.drop_index("ix_event_user_time", table_name="event")
    op.drop_index("ix_event_equipment_time", table_name="event")
    op.drop_index("ix_unit_supplier_id", table_name="unit")
