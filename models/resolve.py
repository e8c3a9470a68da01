"""What a scan identifies: a unit, a work order, a shipment, or an item (a supplier's GS1 label).

Internal codes win over GS1 readings of the same digits (internal codes may be numeric); a GS1 label
must match the item's GTIN as well as the code, so a serial label stuck on the wrong product is
refused rather than resolved by its serial alone. Several matches (one supplier lot received as
several packages) are refused with the candidates, for the screen's pick list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from models.db import Database
from models.errors import DomainError, ErrorCode
from models.scan import Gs1Data, parse_scan
from models.schema import Item, Shipment, Supplier, Unit, WorkOrder

MAX_CANDIDATES = 50


class Target(StrEnum):
    UNIT = "UNIT"
    WORK_ORDER = "WORK_ORDER"
    SHIPMENT = "SHIPMENT"
    ITEM = "ITEM"


@dataclass(frozen=True)
class Resolved:
    target: Target
    code: str
    item_code: str | None = None
    unit_kind: str | None = None
    status: str | None = None
    supplier_lot: str | None = None
    expiry: dt.date | None = None
    quantity: Decimal | None = None
    gs1: Gs1Data | None = field(default=None, compare=False)


def resolve(db: Database, text: str, supplier_code: str | None = None) -> Resolved:
    with db.session() as session:
        return resolve_in(session, text, supplier_code)


def resolve_in(session: Session, text: str, supplier_code: str | None = None) -> Resolved:
    parsed = parse_scan(text)
    supplier_id = _supplier_id(session, supplier_code)
    if parsed.internal_code is not None:
        found = _internal(session, parsed.internal_code.strip(), supplier_id)
        if found is not None:
            return found
        if parsed.gs1 is None:
            if parsed.gs1_error is not None:
                raise parsed.gs1_error
            raise DomainError(ErrorCode.UNKNOWN_CODE, code=parsed.internal_code)
    assert parsed.gs1 is not None
    return _gs1(session, parsed.gs1, supplier_id)


def _supplier_id(session: Session, supplier_code: str | None) -> int | None:
    if supplier_code is None:
        return None
    supplier_id = session.scalar(select(Supplier.id).where(Supplier.code == supplier_code))
    if supplier_id is None:
        raise DomainError(ErrorCode.UNKNOWN_SUPPLIER, supplier=supplier_code)
    return supplier_id


def _internal(session: Session, code: str, supplier_id: int | None) -> Resolved | None:
    unit = session.scalars(select(Unit).where(Unit.code == code).options(joinedload(Unit.item))).first()
    if unit is not None:
        return _unit(unit)
    work_order = session.scalars(
        select(WorkOrder).where(WorkOrder.code == code).options(joinedload(WorkOrder.item))
    ).first()
    if work_order is not None:
        return Resolved(
            Target.WORK_ORDER, work_order.code, item_code=work_order.item.code, status=work_order.status
        )
    shipment = session.scalars(select(Shipment).where(Shipment.code == code)).first()
    if shipment is not None:
        return Resolved(Target.SHIPMENT, shipment.code, status=shipment.status)
    by_supplier_lot = _supplier_lot(session, code, supplier_id, item_id=None)
    if by_supplier_lot is not None:
        return by_supplier_lot
    item = session.scalars(select(Item).where(Item.code == code)).first()
    if item is not None:
        return Resolved(Target.ITEM, item.code, item_code=item.code)
    return None


def _supplier_lot(
    session: Session, external: str, supplier_id: int | None, item_id: int | None
) -> Resolved | None:
    statement = (
        select(Unit)
        .where(Unit.external_code == external)
        .options(joinedload(Unit.item))
        .order_by(Unit.id)
        .limit(MAX_CANDIDATES + 1)
    )
    if supplier_id is not None:
        statement = statement.where(Unit.supplier_id == supplier_id)
    if item_id is not None:
        statement = statement.where(Unit.item_id == item_id)
    units = list(session.scalars(statement))
    if len(units) > 1:
        raise DomainError(
            ErrorCode.AMBIGUOUS_CODE, code=external, candidates=[unit.code for unit in units[:MAX_CANDIDATES]]
        )
    return _unit(units[0]) if units else None


def _gs1(session: Session, gs1: Gs1Data, supplier_id: int | None) -> Resolved:
    if gs1.sscc is not None:
        unit = session.scalars(
            select(Unit).where(Unit.code == gs1.sscc).options(joinedload(Unit.item))
        ).first()
        if unit is None:
            raise DomainError(ErrorCode.UNKNOWN_CODE, code=gs1.sscc)
        return _unit(unit, gs1)
    gtin = gs1.gtin or gs1.content_gtin  # a carton's content barcode names the item it holds
    if gtin is None:
        raise DomainError(ErrorCode.UNKNOWN_CODE, code=gs1.element_string)
    item = session.scalars(select(Item).where(Item.gtin == gtin)).first()
    if item is None:
        raise DomainError(ErrorCode.UNKNOWN_CODE, code=gs1.element_string, gtin=gtin)
    for own_code in (gs1.serial, gs1.lot):
        if own_code is None:
            continue
        unit = session.scalars(
            select(Unit).where(Unit.code == own_code).options(joinedload(Unit.item))
        ).first()
        if unit is not None and unit.item_id == item.id:
            return _unit(unit, gs1)
        if unit is not None:
            raise DomainError(ErrorCode.UNKNOWN_CODE, code=gs1.element_string, gtin=gs1.gtin, unit=unit.code)
    if gs1.serial is not None:
        raise DomainError(ErrorCode.UNKNOWN_CODE, code=gs1.element_string)
    if gs1.lot is not None:
        found = _supplier_lot(session, gs1.lot, supplier_id, item.id)
        if found is not None:
            return Resolved(**{**found.__dict__, "gs1": gs1})
    return Resolved(
        Target.ITEM,
        item.code,
        item_code=item.code,
        supplier_lot=gs1.lot,
        expiry=gs1.expiry or gs1.best_before,
        quantity=gs1.quantity,
        gs1=gs1,
    )


def _unit(unit: Unit, gs1: Gs1Data | None = None) -> Resolved:
    return Resolved(
        Target.UNIT,
        unit.code,
        item_code=unit.item.code if unit.item else None,
        unit_kind=unit.kind.value,
        status=unit.status.value,
        supplier_lot=unit.external_code,
        expiry=unit.expires_on,
        quantity=unit.quantity,
        gs1=gs1,
    )
