"""What a unit's label says: the template it is printed with and the fields that fill it.

The rule lives here, next to the GS1 parser the stations scan with, so a label always reads back
through `resolve` to the unit it was printed for: when the item has a GTIN the barcode carries
the GS1 element string ((01) with (10)/(17) for a lot, (21) for a serial, (00) for a carton or
pallet SSCC) and a QR the GS1 Digital Link of the same data, otherwise the internal code.
printing/ only draws what it is given.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import DomainError, ErrorCode
from models.lookup import plain
from models.scan import check_label, digital_link, element_string, encoded_element_string
from models.schema import ContainerLevel, Item, Site, Supplier, Unit, UnitKind, WorkOrder
from models.units import contents

TEMPLATE_OF_KIND = {UnitKind.LOT: "material_lot", UnitKind.SERIAL: "serial"}
TEMPLATE_OF_LEVEL = {ContainerLevel.CARTON: "carton", ContainerLevel.PALLET: "pallet"}


def label_for(session: Session, unit: Unit) -> tuple[str, dict[str, Any]]:
    """The template name and its fields (plain JSON values: the print job keeps them as printed)."""
    if unit.kind is UnitKind.CONTAINER:
        if unit.container_level is None or unit.code.startswith("OPEN-"):
            raise DomainError(ErrorCode.CONTAINER_NOT_CLOSED, code=unit.code)
        return TEMPLATE_OF_LEVEL[unit.container_level], _container_fields(session, unit)
    item = session.get(Item, unit.item_id) if unit.item_id else None  # relationships never lazy-load
    if item is None:
        raise DomainError(ErrorCode.BAD_INPUT, field="unit", code=unit.code)
    template = item.label_template or TEMPLATE_OF_KIND[unit.kind]
    if unit.kind is UnitKind.SERIAL:
        return template, _serial_fields(unit, item)
    return template, _lot_fields(session, unit, item)


def _names(item: Item | None) -> dict[str, str]:
    return {
        "item_code": item.code if item else "",
        "item_name_zh": item.name_zh if item else "",
        "item_name_en": item.name_en if item else "",
    }


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _amount(value: Decimal) -> str:
    return str(plain(value))


def _lot_fields(session: Session, unit: Unit, item: Item) -> dict[str, Any]:
    supplier = session.get(Supplier, unit.supplier_id) if unit.supplier_id else None
    gs1 = item.gtin is not None
    barcode = element_string(gtin=item.gtin, lot=unit.code, expiry=unit.expires_on) if gs1 else unit.code
    link = digital_link(item.gtin, lot=unit.code, expiry=unit.expires_on) if item.gtin else unit.code
    return {
        **_names(item),
        "lot_code": unit.code,
        "code": unit.code,
        "link": link,
        "supplier_name": supplier.name_zh if supplier else "",
        "supplier_lot": unit.external_code or "",
        "quantity": _amount(unit.quantity),
        "uom": unit.uom,
        "expires_on": _day(unit.expires_on),
        "barcode": barcode,
        "barcode_gs1": gs1,
    }


def _serial_fields(unit: Unit, item: Item) -> dict[str, Any]:
    gs1 = item.gtin is not None
    barcode = element_string(gtin=item.gtin, serial=unit.code) if gs1 else unit.code
    link = digital_link(item.gtin, serial=unit.code) if item.gtin else unit.code
    return {
        **_names(item),
        "serial": unit.code,
        "link": link,
        "manufactured_on": _day(unit.manufactured_on),
        "barcode": barcode,
        "barcode_gs1": gs1,
        "barcode_text": barcode,
    }


def _container_fields(session: Session, unit: Unit) -> dict[str, Any]:
    inside = contents(session, unit.id)
    goods = [member for member in inside if member.kind is not UnitKind.CONTAINER]
    boxes = [member for member in inside if member.kind is UnitKind.CONTAINER]
    item_id = unit.item_id or (goods[0].item_id if goods else None)
    item = session.get(Item, item_id) if item_id else None
    count = int(sum((member.quantity for member in goods), Decimal(0)))
    # The batch of a carton of serials is the work order that made them (GS1 (10) on the label).
    orders = {member.work_order_id for member in goods if member.work_order_id is not None}
    lots = sorted(session.scalars(select(WorkOrder.code).where(WorkOrder.id.in_(orders)))) if orders else []
    made = min((member.manufactured_on for member in goods if member.manufactured_on), default=None)
    expires = min((member.expires_on for member in goods if member.expires_on), default=None)
    site = session.get(Site, unit.site_id)
    is_sscc = len(unit.code) == 18 and unit.code.isdigit()
    gtin = item.gtin if item else None
    fields: dict[str, Any] = {
        **_names(item),
        "site_name": f"{site.name_zh} {site.name_en}" if site else "",
        "sscc": unit.code,
        "code": unit.code,
        "gtin": gtin or "",
        "count": str(count),
        "lot": lots[0] if len(lots) == 1 else "",  # a mixed carton names no single lot
        "manufactured_on": _day(made),
        "expires_on": _day(expires),
        "cartons": str(len(boxes)),
        "customer": "",
        "barcode": element_string(sscc=unit.code) if is_sscc else unit.code,
        "barcode_gs1": is_sscc,
    }
    if gtin and count and is_sscc:
        # GS1 logistic label: the content ((02) with its count (37), batch and expiry) in one
        # symbol, the SSCC in another. Each reads alone at a station; together they meet GS1's
        # pairings ((37) needs the (00) of the same label), which check_label proves before printing.
        lot = fields["lot"] or None
        encoded = encoded_element_string(content_gtin=gtin, quantity=count, lot=lot, expiry=expires)
        check_label([encoded_element_string(sscc=unit.code), encoded])
        fields["content_barcode"] = element_string(content_gtin=gtin, quantity=count, lot=lot, expiry=expires)
        fields["content_barcode_gs1"] = True
    else:  # without an SSCC, (02)+(37) would break GS1's rule that a count of content needs one
        fields["content_barcode"] = item.code if item else unit.code
        fields["content_barcode_gs1"] = False
    return fields
