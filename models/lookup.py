"""Find master data and units by the codes operators scan, or refuse with the code that says which.

The refusal is the point: a screen shows "unknown item X" the moment the scan arrives, so every
lookup raises a DomainError naming what was not found rather than returning None.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.sql.base import ExecutableOption

from models.errors import DomainError, ErrorCode
from models.schema import (
    Customer,
    Equipment,
    Item,
    RoutingStep,
    Shipment,
    Supplier,
    Unit,
    UnitStatus,
    WorkOrder,
)

T = TypeVar("T")


def _first(session: Session, statement: Select[T], *, lock: bool, of: type[Any]) -> T | None:
    """The first row, or with `lock` the first row locked and re-read (the committed truth)."""
    if lock:
        statement = statement.with_for_update(of=of).execution_options(populate_existing=True)
    return session.scalars(statement).first()


def unit_by_code(session: Session, code: str, *options: ExecutableOption, lock: bool = False) -> Unit:
    """The unit `code` (with `lock` locked and re-read); `options` load the relationships the
    caller reads (joinedload(Unit.item)): relationships raise when read unloaded."""
    statement = select(Unit).where(Unit.code == code.strip()).options(*options)
    unit = _first(session, statement, lock=lock, of=Unit)
    if unit is None:
        raise DomainError(ErrorCode.UNKNOWN_CODE, code=code)
    return unit


def item_by_code(session: Session, code: str, *options: ExecutableOption) -> Item:
    """The active item `code`; `options` load the relationships the caller reads
    (joinedload(Item.lot_rule)): relationships raise when read unloaded."""
    statement = select(Item).where(Item.code == code).options(*options)
    item = session.scalars(statement).first()
    if item is None or not item.active:
        raise DomainError(ErrorCode.UNKNOWN_ITEM, item=code)
    return item


def supplier_by_code(session: Session, code: str) -> Supplier:
    supplier = session.scalars(select(Supplier).where(Supplier.code == code)).first()
    if supplier is None:
        raise DomainError(ErrorCode.UNKNOWN_SUPPLIER, supplier=code)
    return supplier


def customer_by_code(session: Session, code: str) -> Customer:
    customer = session.scalars(select(Customer).where(Customer.code == code)).first()
    if customer is None:
        raise DomainError(ErrorCode.UNKNOWN_CUSTOMER, customer=code)
    return customer


def equipment_by_code(session: Session, code: str | None) -> Equipment | None:
    if code is None:
        return None
    equipment = session.scalars(select(Equipment).where(Equipment.code == code)).first()
    if equipment is None or not equipment.active:
        raise DomainError(ErrorCode.UNKNOWN_EQUIPMENT, equipment=code)
    return equipment


def work_order_by_code(session: Session, code: str, *, lock: bool = False) -> WorkOrder:
    """The work order with what every operation on it reads (item, rules, line, production lot),
    in one query: a station's action should cost a few round trips, not one per attribute."""
    statement = (
        select(WorkOrder)
        .where(WorkOrder.code == code.strip())
        .options(
            joinedload(WorkOrder.item).joinedload(Item.serial_rule),
            joinedload(WorkOrder.item).joinedload(Item.lot_rule),
            joinedload(WorkOrder.line),
            joinedload(WorkOrder.production_lot),
        )
    )
    work_order = _first(session, statement, lock=lock, of=WorkOrder)
    if work_order is None:
        raise DomainError(ErrorCode.UNKNOWN_WORK_ORDER, work_order=code)
    return work_order


def shipment_by_code(session: Session, code: str, *options: ExecutableOption, lock: bool = False) -> Shipment:
    """The shipment `code`; `options` load the relationships the caller reads."""
    statement = select(Shipment).where(Shipment.code == code.strip()).options(*options)
    shipment = _first(session, statement, lock=lock, of=Shipment)
    if shipment is None:
        raise DomainError(ErrorCode.UNKNOWN_SHIPMENT, shipment=code)
    return shipment


def routing_step(session: Session, item: Item, step_code: str) -> RoutingStep:
    step = session.scalars(
        select(RoutingStep)
        .where(RoutingStep.item_id == item.id, RoutingStep.code == step_code)
        .options(selectinload(RoutingStep.characteristics))  # a reported step is judged by them
    ).first()
    if step is None:
        raise DomainError(ErrorCode.UNKNOWN_STEP, item=item.code, step=step_code)
    return step


# Quantities are Numeric(18, 6), but SQLite keeps numbers as 8-byte floats, exact to 15 significant
# digits: below 10**9 with 6 decimals every value is stored exactly on both databases.
EXACT_LIMIT = Decimal(10) ** 9


def positive_quantity(value: Decimal | int | str, *, allow_zero: bool = False) -> Decimal:
    """Quantities arrive typed by operators: refuse anything that is not a finite positive number."""
    try:
        quantity = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError(ErrorCode.BAD_QUANTITY, quantity=str(value)) from None
    if not quantity.is_finite() or quantity < 0 or (quantity == 0 and not allow_zero):
        raise DomainError(ErrorCode.BAD_QUANTITY, quantity=str(value))
    if quantity != quantity.quantize(Decimal("0.000001")) or quantity >= EXACT_LIMIT:
        raise DomainError(ErrorCode.BAD_QUANTITY, quantity=str(value))
    return quantity


def plain(number: Decimal) -> Decimal:
    """A quantity as people write it: 8, not 8.000000 or 8E+0; 0.5, not 0.500000."""
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()


def require_reason(reason: str | None) -> str:
    if reason is None or not reason.strip():
        raise DomainError(ErrorCode.REASON_REQUIRED)
    return reason.strip()


def expired_on(unit: Unit, local_date: dt.date) -> dt.date | None:
    """The unit's expiry date if it is past on `local_date`, else None (the date goes in the refusal)."""
    if unit.expires_on is not None and unit.expires_on < local_date:
        return unit.expires_on
    return None


def refuse_unusable(unit: Unit, local_date: dt.date) -> None:
    """The shared status rules for using a unit (feeding, packing, shipping): why not, if not."""
    status = unit.status
    params = {"code": unit.code, "status": status.value}
    if status is UnitStatus.ON_HOLD:
        raise DomainError(ErrorCode.UNIT_ON_HOLD, **params)
    if status is UnitStatus.SCRAPPED:
        raise DomainError(ErrorCode.UNIT_SCRAPPED, **params)
    if status is UnitStatus.SHIPPED:
        raise DomainError(ErrorCode.ALREADY_SHIPPED, **params)
    if status is UnitStatus.CONSUMED:
        raise DomainError(ErrorCode.UNIT_CONSUMED, **params)
    if status is UnitStatus.FAILED:
        raise DomainError(ErrorCode.SERIAL_FAILED, **params)
    if status is UnitStatus.WIP:
        raise DomainError(ErrorCode.SERIAL_NOT_COMPLETE, **params)
    if status is UnitStatus.PACKED:
        raise DomainError(ErrorCode.UNIT_ALREADY_PACKED, **params)
    if status in (UnitStatus.QUARANTINE, UnitStatus.REJECTED):
        raise DomainError(ErrorCode.UNIT_NOT_RELEASED, **params)
    expired = expired_on(unit, local_date)
    if expired is not None:
        raise DomainError(ErrorCode.UNIT_EXPIRED, code=unit.code, expires_on=expired.isoformat())
