"""The shared data model: master data, units and their genealogy, events, shipments, print jobs.

Everything traceable is a `Unit` (lot, serial or container); `Link` rows are the genealogy edges
and `Unit.container_id` is where a unit sits now. Events are append-only (PostgreSQL enforces it
with triggers created by the migrations). The same schema runs on PostgreSQL and SQLite.

Relationships never load lazily: lazy="raise" is the rule, so a related row read inside a loop is
an error at once, not a query per row found in production. A query loads what its caller reads
(joinedload / selectinload); lazy="selectin" is kept for the few relationships every reader needs.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Quantities: up to 12 integer digits and 6 decimals covers grams of a tonne lot and reels of parts.
Quantity = Numeric(18, 6)
Code = String(64)
Name = String(200)
# A client action id: a UUID, native (16 bytes) on PostgreSQL, text on SQLite; Python sees the
# canonical string either way. Three events per finished unit carry one, so its width counts.
ActionId = String(36).with_variant(postgresql.UUID(as_uuid=False), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, Decimal: Quantity}


def _enum(enum_cls: type[StrEnum], name: str) -> SAEnum:
    """Enums stored as their names in a VARCHAR with a CHECK, the same on both databases."""
    return SAEnum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class StationKind(StrEnum):
    RECEIVING = "RECEIVING"
    PRODUCTION = "PRODUCTION"
    PACKING = "PACKING"
    SHIPPING = "SHIPPING"
    SUPERVISOR = "SUPERVISOR"


class ItemKind(StrEnum):
    RAW = "RAW"
    COMPONENT = "COMPONENT"
    SUBASSEMBLY = "SUBASSEMBLY"
    FINISHED = "FINISHED"
    CONSUMABLE = "CONSUMABLE"


class Tracking(StrEnum):
    NONE = "NONE"
    LOT = "LOT"
    SERIAL = "SERIAL"


class Role(StrEnum):
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    QUALITY = "quality"
    ADMIN = "admin"


class RuleKind(StrEnum):
    PATTERN = "PATTERN"
    RANDOM = "RANDOM"


class ResetPeriod(StrEnum):
    NEVER = "NEVER"
    DAILY = "DAILY"
    MONTHLY = "MONTHLY"
    YEARLY = "YEARLY"


class CheckDigit(StrEnum):
    NONE = "NONE"
    LUHN = "LUHN"
    GS1_MOD10 = "GS1_MOD10"
    ISO7064_MOD_11_2 = "ISO7064_MOD_11_2"
    ISO7064_MOD_37_36 = "ISO7064_MOD_37_36"
    VERHOEFF = "VERHOEFF"
    DAMM = "DAMM"


class UnitKind(StrEnum):
    LOT = "LOT"
    SERIAL = "SERIAL"
    CONTAINER = "CONTAINER"


class ContainerLevel(StrEnum):
    CARTON = "CARTON"
    PALLET = "PALLET"


class UnitStatus(StrEnum):
    QUARANTINE = "QUARANTINE"  # received, waiting for incoming inspection
    REJECTED = "REJECTED"  # failed incoming inspection; never usable
    WIP = "WIP"  # in production: a work order's production lot, a serial still on its route
    RELEASED = "RELEASED"  # usable: in stock
    FAILED = "FAILED"  # a serial that failed a step: cannot be packed or shipped
    ON_HOLD = "ON_HOLD"  # blocked by quality; the previous status is kept in held_from_status
    OPEN = "OPEN"  # a container being filled
    CLOSED = "CLOSED"  # a container with its label, ready to ship or to go into a pallet
    PACKED = "PACKED"  # inside a container
    CONSUMED = "CONSUMED"  # used up into production
    SHIPPED = "SHIPPED"
    SCRAPPED = "SCRAPPED"


class LinkLevel(StrEnum):
    """How precise a genealogy edge is: the trace reports it as contains / may contain."""

    UNIT = "UNIT"  # this very unit went into that one (assembly, lot split)
    LOT = "LOT"  # the work order consumed this lot while it made that unit


class WorkOrderStatus(StrEnum):
    PLANNED = "PLANNED"
    RELEASED = "RELEASED"
    COMPLETED = "COMPLETED"


class EventType(StrEnum):
    RECEIVE = "RECEIVE"
    INSPECT = "INSPECT"
    COMMISSION = "COMMISSION"  # serials created
    CONSUME = "CONSUME"
    PRODUCE = "PRODUCE"
    REPORT = "REPORT"
    SPLIT = "SPLIT"
    PACK = "PACK"
    UNPACK = "UNPACK"
    CLOSE = "CLOSE"
    SHIP = "SHIP"
    HOLD = "HOLD"
    RELEASE = "RELEASE"
    REJECT = "REJECT"
    SCRAP = "SCRAP"
    PRINT = "PRINT"
    REPRINT = "REPRINT"
    ADJUST = "ADJUST"
    WORK_ORDER = "WORK_ORDER"
    SHIPMENT_ORDER = "SHIPMENT_ORDER"
    MASTER_DATA = "MASTER_DATA"


class EventRole(StrEnum):
    OBJECT = "OBJECT"
    INPUT = "INPUT"
    OUTPUT = "OUTPUT"
    PARENT = "PARENT"
    CHILD = "CHILD"


class ShipmentStatus(StrEnum):
    OPEN = "OPEN"
    SHIPPED = "SHIPPED"


class PrintJobStatus(StrEnum):
    RESERVED = "RESERVED"
    SENT = "SENT"
    CONFIRMED = "CONFIRMED"
    FAILED = "FAILED"


def _now_column() -> Mapped[dt.datetime]:
    return mapped_column(DateTime(timezone=True), nullable=False)


# --- Plant structure -------------------------------------------------------------------------


class Site(Base):
    __tablename__ = "site"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(Code, unique=True)
    name_zh: Mapped[str] = mapped_column(Name)
    name_en: Mapped[str] = mapped_column(Name)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    gs1_company_prefix: Mapped[str | None] = mapped_column(String(12))
    sscc_extension_digit: Mapped[int] = mapped_column(Integer, default=0)
    container_rule_id: Mapped[int | None] = mapped_column(ForeignKey("numbering_rule.id"))

    container_rule: Mapped[NumberingRule | None] = relationship(lazy="raise")

    __table_args__ = (
        CheckConstraint("sscc_extension_digit BETWEEN 0 AND 9", name="extension_digit"),
        CheckConstraint(
            "gs1_company_prefix IS NULL OR length(gs1_company_prefix) BETWEEN 6 AND 12", name="gcp"
        ),
    )


class Line(Base):
    __tablename__ = "line"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    code: Mapped[str] = mapped_column(Code, unique=True)
    name_zh: Mapped[str] = mapped_column(Name)
    name_en: Mapped[str] = mapped_column(Name)

    site: Mapped[Site] = relationship(lazy="raise")


class Station(Base):
    __tablename__ = "station"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(Code, unique=True)
    name_zh: Mapped[str] = mapped_column(Name)
    name_en: Mapped[str] = mapped_column(Name)
    kind: Mapped[StationKind] = mapped_column(_enum(StationKind, "station_kind"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("line.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)

    site: Mapped[Site] = relationship(lazy="raise")
    line: Mapped[Line | None] = relationship(lazy="raise")


class Equipment(Base):
    __tablename__ = "equipment"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(Code, unique=True)
    name_zh: Mapped[str] = mapped_column(Name)
    name_en: Mapped[str] = mapped_column(Name)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("line.id"), index=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)


# --- Numbering ---------------------------------------------------------------------------------


class NumberingRule(Base):
    """A pattern with date, line and item tokens and a counter, or random codes from a CSPRNG."""

    __tablename__ = "numbering_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(Code, unique=True)
    name: Mapped[str] = mapped_column(Name)
    kind: Mapped[RuleKind] = mapped_column(_enum(RuleKind, "rule_kind"))
    pattern: Mapped[str] = mapped_column(String(128), default="")
    reset: Mapped[ResetPeriod] = mapped_column(_enum(ResetPeriod, "reset_period"), default=ResetPeriod.NEVER)
    check_digit: Mapped[CheckDigit] = mapped_column(_enum(CheckDigit, "check_digit"), default=CheckDigit.NONE)
    random_length: Mapped[int | None] = mapped_column(Integer)
    random_alphabet: Mapped[str | None] = mapped_column(String(128))
    # The most codes this rule will ever issue: what the EU FMD guess probability is computed on.
    random_capacity: Mapped[int | None] = mapped_column(BigInteger)


class NumberingCounter(Base):
    """One row per rule and reset period, locked (SELECT ... FOR UPDATE) by whoever draws from it."""

    __tablename__ = "numbering_counter"

    rule_id: Mapped[int] = mapped_column(ForeignKey("numbering_rule.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(16), primary_key=True)
    next_value: Mapped[int] = mapped_column(BigInteger, default=1)


# --- Items, BOM, routing -----------------------------------------------------------------------


class Item(Base):
    __tablename__ = "item"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(Code, unique=True)
    name_zh: Mapped[str] = mapped_column(Name)
    name_en: Mapped[str] = mapped_column(Name)
    kind: Mapped[ItemKind] = mapped_column(_enum(ItemKind, "item_kind"))
    uom: Mapped[str] = mapped_column(String(16), default="EA")
    tracking: Mapped[Tracking] = mapped_column(_enum(Tracking, "tracking"))
    gtin: Mapped[str | None] = mapped_column(String(14), unique=True)
    shelf_life_days: Mapped[int | None] = mapped_column(Integer)
    requires_inspection: Mapped[bool] = mapped_column(default=False)
    lot_rule_id: Mapped[int | None] = mapped_column(ForeignKey("numbering_rule.id"))
    serial_rule_id: Mapped[int | None] = mapped_column(ForeignKey("numbering_rule.id"))
    units_per_carton: Mapped[int | None] = mapped_column(Integer)
    cartons_per_pallet: Mapped[int | None] = mapped_column(Integer)
    label_template: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)

    lot_rule: Mapped[NumberingRule | None] = relationship(foreign_keys=[lot_rule_id], lazy="raise")
    serial_rule: Mapped[NumberingRule | None] = relationship(foreign_keys=[serial_rule_id], lazy="raise")

    @validates("gtin")
    def _valid_gtin(self, _key: str, value: str | None) -> str | None:
        """A GTIN is stored as 14 digits with its check digit verified: labels are built from it."""
        if value is None:
            return None
        from models.scan import normalize_gtin  # scan imports nothing of the schema; keep it so

        return normalize_gtin(value)

    __table_args__ = (
        CheckConstraint("gtin IS NULL OR length(gtin) = 14", name="gtin_length"),
        CheckConstraint("units_per_carton IS NULL OR units_per_carton > 0", name="units_per_carton"),
        CheckConstraint("cartons_per_pallet IS NULL OR cartons_per_pallet > 0", name="cartons_per_pallet"),
    )


class BomLine(Base):
    __tablename__ = "bom_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    component_item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    quantity_per: Mapped[Decimal] = mapped_column(Quantity)
    must_scan: Mapped[bool] = mapped_column(default=True)

    # Every reader of a BOM line (work order state, feed, assemble, the component checks) reads its
    # component and its substitutes: they come with the line, one query per batch of lines.
    component: Mapped[Item] = relationship(foreign_keys=[component_item_id], lazy="selectin")
    substitutes: Mapped[list[BomSubstitute]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    __table_args__ = (
        UniqueConstraint("parent_item_id", "component_item_id"),
        CheckConstraint("quantity_per > 0", name="quantity_per_positive"),
    )


class BomSubstitute(Base):
    __tablename__ = "bom_substitute"

    bom_line_id: Mapped[int] = mapped_column(ForeignKey("bom_line.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), primary_key=True)


class RoutingStep(Base):
    __tablename__ = "routing_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(Code)
    name_zh: Mapped[str] = mapped_column(Name)
    name_en: Mapped[str] = mapped_column(Name)
    mandatory: Mapped[bool] = mapped_column(default=True)
    # How many times an out-of-limit reading at this step may be measured again before the unit
    # fails (report_serial, at a station): one slip of the keyboard or probe does not fail a meter.
    remeasures: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    characteristics: Mapped[list[InspectionCharacteristic]] = relationship(
        order_by="InspectionCharacteristic.id", cascade="all, delete-orphan", lazy="raise"
    )

    __table_args__ = (UniqueConstraint("item_id", "seq"), UniqueConstraint("item_id", "code"))


class InspectionCharacteristic(Base):
    __tablename__ = "inspection_characteristic"

    id: Mapped[int] = mapped_column(primary_key=True)
    routing_step_id: Mapped[int] = mapped_column(
        ForeignKey("routing_step.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(Code)
    name_zh: Mapped[str] = mapped_column(Name)
    name_en: Mapped[str] = mapped_column(Name)
    unit_of_measure: Mapped[str | None] = mapped_column(String(16))
    lower_limit: Mapped[Decimal | None] = mapped_column(Quantity)
    upper_limit: Mapped[Decimal | None] = mapped_column(Quantity)

    __table_args__ = (UniqueConstraint("routing_step_id", "code"),)


# --- Partners and people -----------------------------------------------------------------------


class Supplier(Base):
    __tablename__ = "supplier"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(Code, unique=True)
    name_zh: Mapped[str] = mapped_column(Name)
    name_en: Mapped[str] = mapped_column(Name)


class Customer(Base):
    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(Code, unique=True)
    name_zh: Mapped[str] = mapped_column(Name)
    name_en: Mapped[str] = mapped_column(Name)
    gln: Mapped[str | None] = mapped_column(String(13))


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    badge_code: Mapped[str] = mapped_column(Code, unique=True)
    name: Mapped[str] = mapped_column(Name)
    pin_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    failed_pin_count: Mapped[int] = mapped_column(Integer, default=0)
    locked: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str] = mapped_column(String(8), default="zh_CN")

    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(row.role for row in self.role_rows)


class UserRole(Base):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), primary_key=True)


# --- Work orders -------------------------------------------------------------------------------


class WorkOrder(Base):
    __tablename__ = "work_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(Code, unique=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    line_id: Mapped[int | None] = mapped_column(ForeignKey("line.id"))
    quantity_planned: Mapped[Decimal] = mapped_column(Quantity)
    status: Mapped[WorkOrderStatus] = mapped_column(_enum(WorkOrderStatus, "work_order_status"))
    # The work order's production lot: what its consumed material links into.
    production_lot_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", use_alter=True))
    serials_created: Mapped[int] = mapped_column(Integer, default=0)
    quantity_completed: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    quantity_scrapped: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    created_at: Mapped[dt.datetime] = _now_column()

    item: Mapped[Item] = relationship(lazy="raise")
    line: Mapped[Line | None] = relationship(lazy="raise")
    site: Mapped[Site] = relationship(lazy="raise")
    production_lot: Mapped[Unit | None] = relationship(
        foreign_keys=[production_lot_id], post_update=True, lazy="raise"
    )

    __table_args__ = (CheckConstraint("quantity_planned > 0", name="quantity_planned_positive"),)


# --- Units and genealogy ------------------------------------------------------------------------


class Unit(Base):
    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(Code, unique=True)
    kind: Mapped[UnitKind] = mapped_column(_enum(UnitKind, "unit_kind"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"))
    status: Mapped[UnitStatus] = mapped_column(_enum(UnitStatus, "unit_status"))
    held_from_status: Mapped[UnitStatus | None] = mapped_column(_enum(UnitStatus, "held_from_status"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    initial_quantity: Mapped[Decimal] = mapped_column(Quantity)
    uom: Mapped[str] = mapped_column(String(16), default="EA")
    external_code: Mapped[str | None] = mapped_column(Code)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("supplier.id"), index=True)
    manufactured_on: Mapped[dt.date | None] = mapped_column(Date)
    expires_on: Mapped[dt.date | None] = mapped_column(Date)
    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_order.id"), index=True)
    container_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    container_level: Mapped[ContainerLevel | None] = mapped_column(_enum(ContainerLevel, "container_level"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    split_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = _now_column()

    item: Mapped[Item | None] = relationship(lazy="raise")
    container: Mapped[Unit | None] = relationship(remote_side=[id], lazy="raise")

    __table_args__ = (
        Index("ix_unit_external_code_supplier", "external_code", "supplier_id"),
        # "What is on hold": a few units among millions; an index of every status would be
        # the size of the table's key and serve nothing else.
        Index(
            "ix_unit_on_hold",
            "status",
            postgresql_where=text("status = 'ON_HOLD'"),
            sqlite_where=text("status = 'ON_HOLD'"),
        ),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("kind <> 'SERIAL' OR quantity <= 1", name="serial_quantity"),
        CheckConstraint("container_id IS NULL OR container_id <> id", name="not_inside_itself"),
    )


class Link(Base):
    """A genealogy edge, input -> output. Irreversible: a mistake is corrected by new events."""

    __tablename__ = "link"

    id: Mapped[int] = mapped_column(primary_key=True)
    input_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    output_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    level: Mapped[LinkLevel] = mapped_column(_enum(LinkLevel, "link_level"))
    quantity: Mapped[Decimal | None] = mapped_column(Quantity)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"))

    __table_args__ = (CheckConstraint("input_unit_id <> output_unit_id", name="not_self"),)


# --- Actions and events -------------------------------------------------------------------------


class Action(Base):
    """One operator action: the idempotency record. A retried action id returns `result`."""

    __tablename__ = "action"

    id: Mapped[str] = mapped_column(ActionId, primary_key=True)
    operation: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id"))
    recorded_at: Mapped[dt.datetime] = _now_column()
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Event(Base):
    """What happened, when (database clock), where, who and why: EPCIS-ready, append-only."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    action_id: Mapped[str] = mapped_column(ActionId, ForeignKey("action.id"), index=True)
    event_type: Mapped[EventType] = mapped_column(_enum(EventType, "event_type"))
    occurred_at: Mapped[dt.datetime] = _now_column()
    tz_offset: Mapped[str] = mapped_column(String(6))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    line_id: Mapped[int | None] = mapped_column(ForeignKey("line.id"))
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_order.id"), index=True)
    routing_step_id: Mapped[int | None] = mapped_column(ForeignKey("routing_step.id"))
    equipment_id: Mapped[int | None] = mapped_column(ForeignKey("equipment.id"))
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipment.id"))
    biz_step: Mapped[str | None] = mapped_column(String(64))
    disposition: Mapped[str | None] = mapped_column(String(64))
    reason_code: Mapped[str | None] = mapped_column(String(64))
    reason_text: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    units: Mapped[list[EventUnit]] = relationship(lazy="selectin", order_by="EventUnit.id")

    # Three events per finished unit: every index costs ~70 bytes a unit, so only the ones a query
    # uses, and partial where most events have no value (an equipment or shipment recall starts
    # from the few that do). A recall of "what this machine made last Tuesday" goes by machine,
    # then time.
    __table_args__ = (
        Index(
            "ix_event_equipment_time",
            "equipment_id",
            "occurred_at",
            postgresql_where=text("equipment_id IS NOT NULL"),
            sqlite_where=text("equipment_id IS NOT NULL"),
        ),
        Index(
            "ix_event_shipment_id",
            "shipment_id",
            postgresql_where=text("shipment_id IS NOT NULL"),
            sqlite_where=text("shipment_id IS NOT NULL"),
        ),
    )


class EventUnit(Base):
    __tablename__ = "event_unit"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    role: Mapped[EventRole] = mapped_column(_enum(EventRole, "event_role"))
    quantity: Mapped[Decimal | None] = mapped_column(Quantity)


class StepResult(Base):
    """A report at a routing step: quantities for a lot, pass/fail for a serial."""

    __tablename__ = "step_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id"), index=True)
    routing_step_id: Mapped[int] = mapped_column(ForeignKey("routing_step.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    good_quantity: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    scrap_quantity: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    scrap_reason: Mapped[str | None] = mapped_column(String(64))
    passed: Mapped[bool | None] = mapped_column()


class InspectionResult(Base):
    """One measured value against its limits: at a routing step, or at incoming inspection."""

    __tablename__ = "inspection_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    step_result_id: Mapped[int | None] = mapped_column(ForeignKey("step_result.id"))
    # Named by hand: the convention's name is 64 characters, one more than PostgreSQL keeps.
    characteristic_id: Mapped[int | None] = mapped_column(
        ForeignKey("inspection_characteristic.id", name="fk_inspection_result_characteristic_id")
    )
    name: Mapped[str] = mapped_column(Name)
    value: Mapped[Decimal | None] = mapped_column(Quantity)
    lower_limit: Mapped[Decimal | None] = mapped_column(Quantity)
    upper_limit: Mapped[Decimal | None] = mapped_column(Quantity)
    passed: Mapped[bool] = mapped_column()


# --- Shipping -----------------------------------------------------------------------------------


class Shipment(Base):
    __tablename__ = "shipment"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(Code, unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    status: Mapped[ShipmentStatus] = mapped_column(_enum(ShipmentStatus, "shipment_status"))
    reference: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = _now_column()
    shipped_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    customer: Mapped[Customer] = relationship(lazy="raise")
    lines: Mapped[list[ShipmentLine]] = relationship(
        order_by="ShipmentLine.id", cascade="all, delete-orphan", lazy="raise"
    )


class ShipmentLine(Base):
    __tablename__ = "shipment_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipment.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)

    item: Mapped[Item] = relationship(lazy="raise")

    __table_args__ = (
        UniqueConstraint("shipment_id", "item_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )


class ShipmentPick(Base):
    """What was scanned onto an open shipment (the top-level unit), before it leaves."""

    __tablename__ = "shipment_pick"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipment.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), unique=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    picked_at: Mapped[dt.datetime] = _now_column()


class ShippedUnit(Base):
    """Every unit that left, containers exploded at ship time: who received X is one lookup."""

    __tablename__ = "shipped_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (shipment, unit) key serves "what left on this shipment".
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipment.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    top_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"))

    __table_args__ = (UniqueConstraint("shipment_id", "unit_id"),)


# --- Printing -----------------------------------------------------------------------------------


class PrintJob(Base):
    """A label, recorded before it is sent: RESERVED -> SENT -> CONFIRMED or FAILED."""

    __tablename__ = "print_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[str] = mapped_column(ActionId, ForeignKey("action.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    template: Mapped[str] = mapped_column(String(64))
    printer: Mapped[str | None] = mapped_column(String(200))
    copies: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[PrintJobStatus] = mapped_column(_enum(PrintJobStatus, "print_job_status"), index=True)
    reprint_of_id: Mapped[int | None] = mapped_column(ForeignKey("print_job.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    fields: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = _now_column()
    updated_at: Mapped[dt.datetime] = _now_column()


APPEND_ONLY_TABLES = (
    "action",
    "event",
    "event_unit",
    "link",
    "inspection_result",
    "step_result",
    "shipped_unit",
)
