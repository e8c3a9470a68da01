"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 04:42:38.301635
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("badge_code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("pin_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_pin_count", sa.Integer(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("badge_code", name=op.f("uq_app_user_badge_code")),
    )
    op.create_table(
        "customer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("gln", sa.String(length=13), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer")),
        sa.UniqueConstraint("code", name=op.f("uq_customer_code")),
    )
    op.create_table(
        "numbering_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "PATTERN", "RANDOM", name="rule_kind", native_enum=False, create_constraint=True, length=24
            ),
            nullable=False,
        ),
        sa.Column("pattern", sa.String(length=128), nullable=False),
        sa.Column(
            "reset",
            sa.Enum(
                "NEVER",
                "DAILY",
                "MONTHLY",
                "YEARLY",
                name="reset_period",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "check_digit",
            sa.Enum(
                "NONE",
                "LUHN",
                "GS1_MOD10",
                "ISO7064_MOD_11_2",
                "ISO7064_MOD_37_36",
                "VERHOEFF",
                "DAMM",
                name="check_digit",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("random_length", sa.Integer(), nullable=True),
        sa.Column("random_alphabet", sa.String(length=128), nullable=True),
        sa.Column("random_capacity", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_numbering_rule")),
        sa.UniqueConstraint("code", name=op.f("uq_numbering_rule_code")),
    )
    op.create_table(
        "supplier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier")),
        sa.UniqueConstraint("code", name=op.f("uq_supplier_code")),
    )
    op.create_table(
        "item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "RAW",
                "COMPONENT",
                "SUBASSEMBLY",
                "FINISHED",
                "CONSUMABLE",
                name="item_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("uom", sa.String(length=16), nullable=False),
        sa.Column(
            "tracking",
            sa.Enum(
                "NONE", "LOT", "SERIAL", name="tracking", native_enum=False, create_constraint=True, length=24
            ),
            nullable=False,
        ),
        sa.Column("gtin", sa.String(length=14), nullable=True),
        sa.Column("shelf_life_days", sa.Integer(), nullable=True),
        sa.Column("requires_inspection", sa.Boolean(), nullable=False),
        sa.Column("lot_rule_id", sa.Integer(), nullable=True),
        sa.Column("serial_rule_id", sa.Integer(), nullable=True),
        sa.Column("units_per_carton", sa.Integer(), nullable=True),
        sa.Column("cartons_per_pallet", sa.Integer(), nullable=True),
        sa.Column("label_template", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "cartons_per_pallet IS NULL OR cartons_per_pallet > 0", name=op.f("ck_item_cartons_per_pallet")
        ),
        sa.CheckConstraint("gtin IS NULL OR length(gtin) = 14", name=op.f("ck_item_gtin_length")),
        sa.CheckConstraint(
            "units_per_carton IS NULL OR units_per_carton > 0", name=op.f("ck_item_units_per_carton")
        ),
        sa.ForeignKeyConstraint(
            ["lot_rule_id"], ["numbering_rule.id"], name=op.f("fk_item_lot_rule_id_numbering_rule")
        ),
        sa.ForeignKeyConstraint(
            ["serial_rule_id"], ["numbering_rule.id"], name=op.f("fk_item_serial_rule_id_numbering_rule")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item")),
        sa.UniqueConstraint("code", name=op.f("uq_item_code")),
        sa.UniqueConstraint("gtin", name=op.f("uq_item_gtin")),
    )
    op.create_table(
        "numbering_counter",
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("next_value", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["numbering_rule.id"], name=op.f("fk_numbering_counter_rule_id_numbering_rule")
        ),
        sa.PrimaryKeyConstraint("rule_id", "period", name=op.f("pk_numbering_counter")),
    )
    op.create_table(
        "site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("gs1_company_prefix", sa.String(length=12), nullable=True),
        sa.Column("sscc_extension_digit", sa.Integer(), nullable=False),
        sa.Column("container_rule_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "gs1_company_prefix IS NULL OR length(gs1_company_prefix) BETWEEN 6 AND 12",
            name=op.f("ck_site_gcp"),
        ),
        sa.CheckConstraint("sscc_extension_digit BETWEEN 0 AND 9", name=op.f("ck_site_extension_digit")),
        sa.ForeignKeyConstraint(
            ["container_rule_id"],
            ["numbering_rule.id"],
            name=op.f("fk_site_container_rule_id_numbering_rule"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site")),
        sa.UniqueConstraint("code", name=op.f("uq_site_code")),
    )
    op.create_table(
        "user_role",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "operator",
                "supervisor",
                "quality",
                "admin",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_user_role_user_id_app_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_user_role")),
    )
    op.create_table(
        "bom_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_item_id", sa.Integer(), nullable=False),
        sa.Column("component_item_id", sa.Integer(), nullable=False),
        sa.Column("quantity_per", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("must_scan", sa.Boolean(), nullable=False),
        sa.CheckConstraint("quantity_per > 0", name=op.f("ck_bom_line_quantity_per_positive")),
        sa.ForeignKeyConstraint(
            ["component_item_id"], ["item.id"], name=op.f("fk_bom_line_component_item_id_item")
        ),
        sa.ForeignKeyConstraint(
            ["parent_item_id"], ["item.id"], name=op.f("fk_bom_line_parent_item_id_item")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bom_line")),
        sa.UniqueConstraint(
            "parent_item_id", "component_item_id", name=op.f("uq_bom_line_parent_item_id_component_item_id")
        ),
    )
    with op.batch_alter_table("bom_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bom_line_component_item_id"), ["component_item_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_bom_line_parent_item_id"), ["parent_item_id"], unique=False)

    op.create_table(
        "line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_line_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line")),
        sa.UniqueConstraint("code", name=op.f("uq_line_code")),
    )
    with op.batch_alter_table("line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_line_site_id"), ["site_id"], unique=False)

    op.create_table(
        "routing_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("mandatory", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_routing_step_item_id_item")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_step")),
        sa.UniqueConstraint("item_id", "code", name=op.f("uq_routing_step_item_id_code")),
        sa.UniqueConstraint("item_id", "seq", name=op.f("uq_routing_step_item_id_seq")),
    )
    with op.batch_alter_table("routing_step", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_routing_step_item_id"), ["item_id"], unique=False)

    op.create_table(
        "shipment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "OPEN",
                "SHIPPED",
                name="shipment_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_shipment_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_shipment_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment")),
        sa.UniqueConstraint("code", name=op.f("uq_shipment_code")),
    )
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shipment_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "bom_substitute",
        sa.Column("bom_line_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bom_line_id"],
            ["bom_line.id"],
            name=op.f("fk_bom_substitute_bom_line_id_bom_line"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_bom_substitute_item_id_item")),
        sa.PrimaryKeyConstraint("bom_line_id", "item_id", name=op.f("pk_bom_substitute")),
    )
    op.create_table(
        "inspection_characteristic",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("routing_step_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("unit_of_measure", sa.String(length=16), nullable=True),
        sa.Column("lower_limit", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("upper_limit", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.ForeignKeyConstraint(
            ["routing_step_id"],
            ["routing_step.id"],
            name=op.f("fk_inspection_characteristic_routing_step_id_routing_step"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_characteristic")),
        sa.UniqueConstraint(
            "routing_step_id", "code", name=op.f("uq_inspection_characteristic_routing_step_id_code")
        ),
    )
    with op.batch_alter_table("inspection_characteristic", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_characteristic_routing_step_id"), ["routing_step_id"], unique=False
        )

    op.create_table(
        "shipment_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_shipment_line_quantity_positive")),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_shipment_line_item_id_item")),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipment.id"],
            name=op.f("fk_shipment_line_shipment_id_shipment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_line")),
        sa.UniqueConstraint("shipment_id", "item_id", name=op.f("uq_shipment_line_shipment_id_item_id")),
    )
    with op.batch_alter_table("shipment_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shipment_line_shipment_id"), ["shipment_id"], unique=False)

    op.create_table(
        "station",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "RECEIVING",
                "PRODUCTION",
                "PACKING",
                "SHIPPING",
                "SUPERVISOR",
                name="station_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["line_id"], ["line.id"], name=op.f("fk_station_line_id_line")),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_station_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station")),
        sa.UniqueConstraint("code", name=op.f("uq_station_code")),
    )
    with op.batch_alter_table("station", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_station_line_id"), ["line_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_station_site_id"), ["site_id"], unique=False)

    op.create_table(
        "work_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=True),
        sa.Column("quantity_planned", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PLANNED",
                "RELEASED",
                "COMPLETED",
                name="work_order_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("production_lot_id", sa.Integer(), nullable=True),
        sa.Column("serials_created", sa.Integer(), nullable=False),
        sa.Column("quantity_completed", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("quantity_scrapped", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity_planned > 0", name=op.f("ck_work_order_quantity_planned_positive")),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_work_order_item_id_item")),
        sa.ForeignKeyConstraint(["line_id"], ["line.id"], name=op.f("fk_work_order_line_id_line")),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_work_order_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_order")),
        sa.UniqueConstraint("code", name=op.f("uq_work_order_code")),
    )
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_work_order_item_id"), ["item_id"], unique=False)

    op.create_table(
        "action",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("operation", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["station_id"], ["station.id"], name=op.f("fk_action_station_id_station")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_action_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action")),
    )
    op.create_table(
        "equipment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=True),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["line_id"], ["line.id"], name=op.f("fk_equipment_line_id_line")),
        sa.ForeignKeyConstraint(["station_id"], ["station.id"], name=op.f("fk_equipment_station_id_station")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment")),
        sa.UniqueConstraint("code", name=op.f("uq_equipment_code")),
    )
    with op.batch_alter_table("equipment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_equipment_line_id"), ["line_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_equipment_station_id"), ["station_id"], unique=False)

    op.create_table(
        "unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "LOT",
                "SERIAL",
                "CONTAINER",
                name="unit_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "QUARANTINE",
                "REJECTED",
                "WIP",
                "RELEASED",
                "FAILED",
                "ON_HOLD",
                "OPEN",
                "CLOSED",
                "PACKED",
                "CONSUMED",
                "SHIPPED",
                "SCRAPPED",
                name="unit_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "held_from_status",
            sa.Enum(
                "QUARANTINE",
                "REJECTED",
                "WIP",
                "RELEASED",
                "FAILED",
                "ON_HOLD",
                "OPEN",
                "CLOSED",
                "PACKED",
                "CONSUMED",
                "SHIPPED",
                "SCRAPPED",
                name="held_from_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("quantity", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("initial_quantity", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("uom", sa.String(length=16), nullable=False),
        sa.Column("external_code", sa.String(length=64), nullable=True),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column("manufactured_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("work_order_id", sa.Integer(), nullable=True),
        sa.Column("container_id", sa.Integer(), nullable=True),
        sa.Column(
            "container_level",
            sa.Enum(
                "CARTON",
                "PALLET",
                name="container_level",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("split_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind <> 'SERIAL' OR quantity <= 1", name=op.f("ck_unit_serial_quantity")),
        sa.CheckConstraint(
            "container_id IS NULL OR container_id <> id", name=op.f("ck_unit_not_inside_itself")
        ),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_unit_quantity_not_negative")),
        sa.ForeignKeyConstraint(["container_id"], ["unit.id"], name=op.f("fk_unit_container_id_unit")),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_unit_item_id_item")),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_unit_site_id_site")),
        sa.ForeignKeyConstraint(["supplier_id"], ["supplier.id"], name=op.f("fk_unit_supplier_id_supplier")),
        sa.ForeignKeyConstraint(
            ["work_order_id"], ["work_order.id"], name=op.f("fk_unit_work_order_id_work_order")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit")),
        sa.UniqueConstraint("code", name=op.f("uq_unit_code")),
    )
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_container_id"), ["container_id"], unique=False)
        batch_op.create_index(
            "ix_unit_external_code_supplier", ["external_code", "supplier_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_unit_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_unit_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_unit_work_order_id"), ["work_order_id"], unique=False)

    # work_order and unit refer to each other: the work order's FK to its production lot comes
    # once both tables exist.
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_work_order_production_lot_id_unit"), "unit", ["production_lot_id"], ["id"]
        )

    op.create_table(
        "event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("action_id", sa.String(length=36), nullable=False),
        sa.Column(
            "event_type",
            sa.Enum(
                "RECEIVE",
                "INSPECT",
                "COMMISSION",
                "CONSUME",
                "PRODUCE",
                "REPORT",
                "SPLIT",
                "PACK",
                "UNPACK",
                "CLOSE",
                "SHIP",
                "HOLD",
                "RELEASE",
                "REJECT",
                "SCRAP",
                "PRINT",
                "REPRINT",
                "ADJUST",
                "WORK_ORDER",
                "SHIPMENT_ORDER",
                "MASTER_DATA",
                name="event_type",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tz_offset", sa.String(length=6), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=True),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("work_order_id", sa.Integer(), nullable=True),
        sa.Column("routing_step_id", sa.Integer(), nullable=True),
        sa.Column("equipment_id", sa.Integer(), nullable=True),
        sa.Column("shipment_id", sa.Integer(), nullable=True),
        sa.Column("biz_step", sa.String(length=64), nullable=True),
        sa.Column("disposition", sa.String(length=64), nullable=True),
        sa.Column("reason_code", sa.String(length=64), nullable=True),
        sa.Column("reason_text", sa.Text(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["action_id"], ["action.id"], name=op.f("fk_event_action_id_action")),
        sa.ForeignKeyConstraint(
            ["equipment_id"], ["equipment.id"], name=op.f("fk_event_equipment_id_equipment")
        ),
        sa.ForeignKeyConstraint(["line_id"], ["line.id"], name=op.f("fk_event_line_id_line")),
        sa.ForeignKeyConstraint(
            ["routing_step_id"], ["routing_step.id"], name=op.f("fk_event_routing_step_id_routing_step")
        ),
        sa.ForeignKeyConstraint(["shipment_id"], ["shipment.id"], name=op.f("fk_event_shipment_id_shipment")),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_event_site_id_site")),
        sa.ForeignKeyConstraint(["station_id"], ["station.id"], name=op.f("fk_event_station_id_station")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_event_user_id_app_user")),
        sa.ForeignKeyConstraint(
            ["work_order_id"], ["work_order.id"], name=op.f("fk_event_work_order_id_work_order")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_action_id"), ["action_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_equipment_id"), ["equipment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_event_type"), ["event_type"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_shipment_id"), ["shipment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_station_id"), ["station_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_work_order_id"), ["work_order_id"], unique=False)

    op.create_table(
        "print_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.String(length=36), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=False),
        sa.Column("printer", sa.String(length=200), nullable=True),
        sa.Column("copies", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "RESERVED",
                "SENT",
                "CONFIRMED",
                "FAILED",
                name="print_job_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("reprint_of_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["action.id"], name=op.f("fk_print_job_action_id_action")),
        sa.ForeignKeyConstraint(
            ["reprint_of_id"], ["print_job.id"], name=op.f("fk_print_job_reprint_of_id_print_job")
        ),
        sa.ForeignKeyConstraint(["station_id"], ["station.id"], name=op.f("fk_print_job_station_id_station")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_print_job_unit_id_unit")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_print_job_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_job")),
    )
    with op.batch_alter_table("print_job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_print_job_action_id"), ["action_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_print_job_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_print_job_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "shipment_pick",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("picked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_shipment_pick_item_id_item")),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipment.id"], name=op.f("fk_shipment_pick_shipment_id_shipment")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_shipment_pick_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_pick")),
        sa.UniqueConstraint("unit_id", name=op.f("uq_shipment_pick_unit_id")),
    )
    with op.batch_alter_table("shipment_pick", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shipment_pick_shipment_id"), ["shipment_id"], unique=False)

    op.create_table(
        "event_unit",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "OBJECT",
                "INPUT",
                "OUTPUT",
                "PARENT",
                "CHILD",
                name="event_role",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("quantity", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name=op.f("fk_event_unit_event_id_event")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_event_unit_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_unit")),
    )
    with op.batch_alter_table("event_unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_unit_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_unit_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("input_unit_id", sa.Integer(), nullable=False),
        sa.Column("output_unit_id", sa.Integer(), nullable=False),
        sa.Column(
            "level",
            sa.Enum("UNIT", "LOT", name="link_level", native_enum=False, create_constraint=True, length=24),
            nullable=False,
        ),
        sa.Column("quantity", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.CheckConstraint("input_unit_id <> output_unit_id", name=op.f("ck_link_not_self")),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name=op.f("fk_link_event_id_event")),
        sa.ForeignKeyConstraint(["input_unit_id"], ["unit.id"], name=op.f("fk_link_input_unit_id_unit")),
        sa.ForeignKeyConstraint(["output_unit_id"], ["unit.id"], name=op.f("fk_link_output_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link")),
    )
    with op.batch_alter_table("link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_link_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_link_input_unit_id"), ["input_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_link_output_unit_id"), ["output_unit_id"], unique=False)

    op.create_table(
        "shipped_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("top_unit_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_shipped_unit_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name=op.f("fk_shipped_unit_event_id_event")),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_shipped_unit_item_id_item")),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipment.id"], name=op.f("fk_shipped_unit_shipment_id_shipment")
        ),
        sa.ForeignKeyConstraint(["top_unit_id"], ["unit.id"], name=op.f("fk_shipped_unit_top_unit_id_unit")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_shipped_unit_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipped_unit")),
        sa.UniqueConstraint("shipment_id", "unit_id", name=op.f("uq_shipped_unit_shipment_id_unit_id")),
    )
    with op.batch_alter_table("shipped_unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shipped_unit_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_shipped_unit_shipment_id"), ["shipment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_shipped_unit_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "step_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("work_order_id", sa.Integer(), nullable=False),
        sa.Column("routing_step_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("good_quantity", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("scrap_quantity", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("scrap_reason", sa.String(length=64), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name=op.f("fk_step_result_event_id_event")),
        sa.ForeignKeyConstraint(
            ["routing_step_id"], ["routing_step.id"], name=op.f("fk_step_result_routing_step_id_routing_step")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_step_result_unit_id_unit")),
        sa.ForeignKeyConstraint(
            ["work_order_id"], ["work_order.id"], name=op.f("fk_step_result_work_order_id_work_order")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_step_result")),
    )
    with op.batch_alter_table("step_result", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_step_result_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_step_result_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_step_result_work_order_id"), ["work_order_id"], unique=False)

    op.create_table(
        "inspection_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("step_result_id", sa.Integer(), nullable=True),
        sa.Column("characteristic_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("lower_limit", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("upper_limit", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["characteristic_id"],
            ["inspection_characteristic.id"],
            name=op.f("fk_inspection_result_characteristic_id"),
        ),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name=op.f("fk_inspection_result_event_id_event")),
        sa.ForeignKeyConstraint(
            ["step_result_id"],
            ["step_result.id"],
            name=op.f("fk_inspection_result_step_result_id_step_result"),
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_inspection_result_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_result")),
    )
    with op.batch_alter_table("inspection_result", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspection_result_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspection_result_unit_id"), ["unit_id"], unique=False)

    _install_append_only()


def downgrade() -> None:
    _uninstall_append_only()
    with op.batch_alter_table("inspection_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_result_unit_id"))
        batch_op.drop_index(batch_op.f("ix_inspection_result_event_id"))

    op.drop_table("inspection_result")
    with op.batch_alter_table("step_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_step_result_work_order_id"))
        batch_op.drop_index(batch_op.f("ix_step_result_unit_id"))
        batch_op.drop_index(batch_op.f("ix_step_result_event_id"))

    op.drop_table("step_result")
    with op.batch_alter_table("shipped_unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipped_unit_unit_id"))
        batch_op.drop_index(batch_op.f("ix_shipped_unit_shipment_id"))
        batch_op.drop_index(batch_op.f("ix_shipped_unit_customer_id"))

    op.drop_table("shipped_unit")
    with op.batch_alter_table("link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_link_output_unit_id"))
        batch_op.drop_index(batch_op.f("ix_link_input_unit_id"))
        batch_op.drop_index(batch_op.f("ix_link_event_id"))

    op.drop_table("link")
    with op.batch_alter_table("event_unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_unit_unit_id"))
        batch_op.drop_index(batch_op.f("ix_event_unit_event_id"))

    op.drop_table("event_unit")
    with op.batch_alter_table("shipment_pick", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipment_pick_shipment_id"))

    op.drop_table("shipment_pick")
    with op.batch_alter_table("print_job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_print_job_unit_id"))
        batch_op.drop_index(batch_op.f("ix_print_job_status"))
        batch_op.drop_index(batch_op.f("ix_print_job_action_id"))

    op.drop_table("print_job")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_work_order_id"))
        batch_op.drop_index(batch_op.f("ix_event_user_id"))
        batch_op.drop_index(batch_op.f("ix_event_station_id"))
        batch_op.drop_index(batch_op.f("ix_event_shipment_id"))
        batch_op.drop_index(batch_op.f("ix_event_event_type"))
        batch_op.drop_index(batch_op.f("ix_event_equipment_id"))
        batch_op.drop_index(batch_op.f("ix_event_action_id"))

    op.drop_table("event")
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_work_order_id"))
        batch_op.drop_index(batch_op.f("ix_unit_status"))
        batch_op.drop_index(batch_op.f("ix_unit_item_id"))
        batch_op.drop_index("ix_unit_external_code_supplier")
        batch_op.drop_index(batch_op.f("ix_unit_container_id"))

    op.drop_table("unit")
    with op.batch_alter_table("equipment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_equipment_station_id"))
        batch_op.drop_index(batch_op.f("ix_equipment_line_id"))

    op.drop_table("equipment")
    op.drop_table("action")
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_order_item_id"))

    op.drop_table("work_order")
    with op.batch_alter_table("station", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_station_site_id"))
        batch_op.drop_index(batch_op.f("ix_station_line_id"))

    op.drop_table("station")
    with op.batch_alter_table("shipment_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipment_line_shipment_id"))

    op.drop_table("shipment_line")
    with op.batch_alter_table("inspection_characteristic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_characteristic_routing_step_id"))

    op.drop_table("inspection_characteristic")
    op.drop_table("bom_substitute")
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipment_customer_id"))

    op.drop_table("shipment")
    with op.batch_alter_table("routing_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routing_step_item_id"))

    op.drop_table("routing_step")
    with op.batch_alter_table("line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_line_site_id"))

    op.drop_table("line")
    with op.batch_alter_table("bom_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bom_line_parent_item_id"))
        batch_op.drop_index(batch_op.f("ix_bom_line_component_item_id"))

    op.drop_table("bom_line")
    op.drop_table("user_role")
    op.drop_table("site")
    op.drop_table("numbering_counter")
    op.drop_table("item")
    op.drop_table("supplier")
    op.drop_table("numbering_rule")
    op.drop_table("customer")
    op.drop_table("app_user")


# The audit trail: these tables only ever grow. On PostgreSQL the triggers are ENABLE ALWAYS (so
# session_replication_role = replica does not skip them) and TRUNCATE has its own trigger (the table
# owner could otherwise empty the table). `action` may have its result written once, by the
# transaction that inserted it.
APPEND_ONLY = ("event", "event_unit", "link", "step_result", "inspection_result", "shipped_unit")


def _install_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION tracestation_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'TraceStation: % on % refused: append-only', TG_OP, TG_TABLE_NAME
                    USING ERRCODE = 'insufficient_privilege';
            END $$
            """
        )
        op.execute(
            """
            CREATE FUNCTION tracestation_action_guard() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'UPDATE' AND OLD.result IS NULL AND NEW.id = OLD.id
                   AND NEW.operation = OLD.operation
                   AND NEW.user_id IS NOT DISTINCT FROM OLD.user_id
                   AND NEW.station_id IS NOT DISTINCT FROM OLD.station_id
                   AND NEW.recorded_at = OLD.recorded_at THEN
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION 'TraceStation: % on % refused: append-only', TG_OP, TG_TABLE_NAME
                    USING ERRCODE = 'insufficient_privilege';
            END $$
            """
        )
        for table, function in [(t, "tracestation_append_only") for t in APPEND_ONLY] + [
            ("action", "tracestation_action_guard")
        ]:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {function}()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION tracestation_append_only()"
            )
            op.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_append_only")
            op.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_no_truncate")
    else:
        for table in APPEND_ONLY:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'TraceStation: {verb} on {table} refused: append-only'); END"
                )
        op.execute(
            "CREATE TRIGGER action_no_delete BEFORE DELETE ON action "
            "BEGIN SELECT RAISE(ABORT, 'TraceStation: DELETE on action refused: append-only'); END"
        )
        op.execute(
            "CREATE TRIGGER action_result_once BEFORE UPDATE ON action WHEN OLD.result IS NOT NULL "
            "BEGIN SELECT RAISE(ABORT, 'TraceStation: UPDATE on action refused: append-only'); END"
        )


def _uninstall_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in (*APPEND_ONLY, "action"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS tracestation_action_guard()")
        op.execute("DROP FUNCTION IF EXISTS tracestation_append_only()")
    else:
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        op.execute("DROP TRIGGER IF EXISTS action_no_delete")
        op.execute("DROP TRIGGER IF EXISTS action_result_once")
