"""indexes the trace and recall queries start from, and none they do not use

A supplier recall starts from every lot of one supplier; an equipment recall from the machine's
events in a time window. The audit tables grow by several rows per finished unit, so they keep
only the indexes a query uses: the event type and station indexes go, as do link.event_id,
inspection_result.event_id, shipped_unit.customer_id and unit.item_id (no query starts from
them) and shipped_unit.shipment_id (the unique (shipment, unit) key covers it); the equipment and
shipment indexes of event cover only the events that have one, and the unit status index only
the units on hold.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_unit_supplier_id", "unit", ["supplier_id"])
    op.drop_index("ix_event_equipment_id", table_name="event")
    op.drop_index("ix_event_shipment_id", table_name="event")
    op.drop_index("ix_event_event_type", table_name="event")
    op.drop_index("ix_event_station_id", table_name="event")
    op.drop_index("ix_link_event_id", table_name="link")
    op.drop_index("ix_inspection_result_event_id", table_name="inspection_result")
    op.drop_index("ix_shipped_unit_customer_id", table_name="shipped_unit")
    op.drop_index("ix_shipped_unit_shipment_id", table_name="shipped_unit")
    op.drop_index("ix_unit_item_id", table_name="unit")
    op.drop_index("ix_unit_status", table_name="unit")
    op.create_index(
        "ix_unit_on_hold",
        "unit",
        ["status"],
        postgresql_where=sa.text("status = 'ON_HOLD'"),
        sqlite_where=sa.text("status = 'ON_HOLD'"),
    )
    op.create_index(
        "ix_event_equipment_time",
        "event",
        ["equipment_id", "occurred_at"],
        postgresql_where=sa.text("equipment_id IS NOT NULL"),
        sqlite_where=sa.text("equipment_id IS NOT NULL"),
    )
    op.create_index(
        "ix_event_shipment_id",
        "event",
        ["shipment_id"],
        postgresql_where=sa.text("shipment_id IS NOT NULL"),
        sqlite_where=sa.text("shipment_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_unit_on_hold", table_name="unit")
    op.create_index("ix_unit_status", "unit", ["status"])
    op.create_index("ix_unit_item_id", "unit", ["item_id"])
    op.drop_index("ix_event_shipment_id", table_name="event")
    op.drop_index("ix_event_equipment_time", table_name="event")
    op.create_index("ix_shipped_unit_shipment_id", "shipped_unit", ["shipment_id"])
    op.create_index("ix_shipped_unit_customer_id", "shipped_unit", ["customer_id"])
    op.create_index("ix_inspection_result_event_id", "inspection_result", ["event_id"])
    op.create_index("ix_link_event_id", "link", ["event_id"])
    op.create_index("ix_event_station_id", "event", ["station_id"])
    op.create_index("ix_event_event_type", "event", ["event_type"])
    op.create_index("ix_event_shipment_id", "event", ["shipment_id"])
    op.create_index("ix_event_equipment_id", "event", ["equipment_id"])
    op.drop_index("ix_unit_supplier_id", table_name="unit")
