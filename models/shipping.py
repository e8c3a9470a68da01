"""Shipping (出货): scan cartons, pallets, serials and lots out against a shipment, then confirm.

Every scan is checked against everything inside the scanned unit, at every depth: one held serial
in a pallet refuses the pallet. Confirmation checks it all again (a hold may have come since the
scan) and records every unit that leaves, containers exploded, against the customer.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from models.actions import Ctx, operation
from models.errors import DomainError, ErrorCode
from models.lookup import (
    customer_by_code,
    is_expired,
    item_by_code,
    positive_quantity,
    refuse_unusable,
    shipment_by_code,
    unit_by_code,
)
from models.schema import (
    EventRole,
    EventType,
    Item,
    Shipment,
    ShipmentLine,
    ShipmentPick,
    ShipmentStatus,
    ShippedUnit,
    Unit,
    UnitKind,
    UnitStatus,
)
from models.units import contents, split_lot


@dataclass(frozen=True)
class LineState:
    item_code: str
    required: Decimal
    picked: Decimal


@dataclass(frozen=True)
class ShipmentState:
    code: str
    customer_code: str
    status: str
    lines: list[LineState]
    picked_units: list[str] = field(default_factory=list)
    shipped_count: int = 0

    @property
    def complete(self) -> bool:
        return all(line.picked == line.required for line in self.lines)


@operation("create_shipment")
def create_shipment(
    ctx: Ctx,
    *,
    code: str,
    customer_code: str,
    lines: dict[str, Decimal | int | str],
    reference: str | None = None,
) -> ShipmentState:
    code = (code or "").strip()
    if not code:
        raise DomainError(ErrorCode.BAD_INPUT, field="code")
    if ctx.session.scalar(select(Shipment.id).where(Shipment.code == code)) is not None:
        raise DomainError(ErrorCode.SHIPMENT_EXISTS, shipment=code)
    customer = customer_by_code(ctx.session, customer_code)
    if not lines:
        raise DomainError(ErrorCode.BAD_INPUT, field="lines")
    shipment = Shipment(
        code=code,
        customer_id=customer.id,
        site_id=ctx.site.id,
        status=ShipmentStatus.OPEN,
        reference=reference,
        created_at=ctx.now,
    )
    for item_code, quantity in lines.items():
        shipment.lines.append(
            ShipmentLine(
                item_id=item_by_code(ctx.session, item_code).id, quantity=positive_quantity(quantity)
            )
        )
    ctx.session.add(shipment)
    ctx.session.flush()
    ctx.event(
        EventType.SHIPMENT_ORDER,
        shipment_id=shipment.id,
        detail={
            "customer": customer.code,
            "reference": reference,
            "lines": {line.item.code: str(line.quantity) for line in shipment.lines},
        },
    )
    return _state(ctx, shipment)


@operation("add_to_shipment")
def add_to_shipment(
    ctx: Ctx, *, shipment_code: str, unit_code: str, quantity: Decimal | int | str | None = None
) -> ShipmentState:
    shipment = _open_shipment(ctx, shipment_code)
    unit = unit_by_code(ctx.session, unit_code, lock=True)
    _refuse_packed(ctx, unit)
    picked = ctx.session.scalars(select(ShipmentPick).where(ShipmentPick.unit_id == unit.id)).first()
    if picked is not None:
        other = ctx.session.get(Shipment, picked.shipment_id)
        raise DomainError(ErrorCode.ALREADY_ON_SHIPMENT, code=unit.code, shipment=other.code if other else "")
    item, amount = _shippable(ctx, unit)
    if quantity is not None:
        wanted = positive_quantity(quantity)
        if unit.kind is not UnitKind.LOT and wanted != amount:
            raise DomainError(ErrorCode.BAD_QUANTITY, quantity=str(quantity))
        if wanted > amount:
            raise DomainError(
                ErrorCode.LOT_INSUFFICIENT_QUANTITY,
                code=unit.code,
                available=str(amount),
                requested=str(wanted),
            )
        amount = wanted
    line = next((line for line in shipment.lines if line.item_id == item.id), None)
    if line is None:
        raise DomainError(ErrorCode.WRONG_ITEM, code=unit.code, item=item.code, shipment=shipment.code)
    already = sum((pick.quantity for pick in _picks(ctx, shipment) if pick.item_id == item.id), Decimal(0))
    if already + amount > line.quantity:
        raise DomainError(
            ErrorCode.SHIPMENT_LINE_EXCEEDED,
            item=item.code,
            required=str(line.quantity),
            picked=str(already),
            requested=str(amount),
        )
    if unit.kind is UnitKind.LOT and amount < unit.quantity:
        unit = split_lot(ctx, unit, amount, f"shipment {shipment.code}")
        ctx.session.flush()
    ctx.session.add(
        ShipmentPick(
            shipment_id=shipment.id, unit_id=unit.id, item_id=item.id, quantity=amount, picked_at=ctx.now
        )
    )
    ctx.event(
        EventType.SHIP,
        [(unit, EventRole.OBJECT, amount)],
        shipment_id=shipment.id,
        biz_step="staging_outbound",
        disposition="in_progress",
    )
    ctx.session.flush()
    return _state(ctx, shipment)


@operation("remove_from_shipment")
def remove_from_shipment(ctx: Ctx, *, shipment_code: str, unit_code: str) -> ShipmentState:
    """Take back a wrong scan before the shipment leaves."""
    shipment = _open_shipment(ctx, shipment_code)
    unit = unit_by_code(ctx.session, unit_code)
    pick = ctx.session.scalars(
        select(ShipmentPick).where(ShipmentPick.unit_id == unit.id, ShipmentPick.shipment_id == shipment.id)
    ).first()
    if pick is None:
        raise DomainError(ErrorCode.NOT_ON_SHIPMENT, code=unit.code, shipment=shipment.code)
    ctx.session.delete(pick)
    ctx.event(
        EventType.ADJUST,
        [(unit, EventRole.OBJECT, pick.quantity)],
        shipment_id=shipment.id,
        biz_step="staging_outbound",
        detail={"removed_from_shipment": shipment.code},
    )
    ctx.session.flush()
    return _state(ctx, shipment)


@operation("confirm_shipment")
def confirm_shipment(ctx: Ctx, *, shipment_code: str, accept_difference: bool = False) -> ShipmentState:
    """The goods leave: every unit inside every scanned unit is recorded as shipped to the customer.

    Quantities that differ from the order need `accept_difference` (the screen's second
    confirmation), so a short or partial shipment is always a decision, never an accident.
    """
    shipment = _open_shipment(ctx, shipment_code)
    picks = _picks(ctx, shipment)
    if not picks:
        raise DomainError(ErrorCode.SHIPMENT_EMPTY, shipment=shipment.code)
    tops = [
        ctx.session.get(Unit, pick.unit_id, with_for_update=True, populate_existing=True) for pick in picks
    ]
    for top, pick in zip(tops, picks, strict=True):
        assert top is not None
        _refuse_packed(ctx, top)  # put into a carton or onto a pallet since it was scanned
        _, holds = _shippable(ctx, top)
        # What leaves is what the scanned unit holds now, not what it held at the scan: a serial
        # unpacked or scrapped since then is not recorded as shipped, and the lines show it.
        pick.quantity = holds
    ctx.session.flush()
    state = _state(ctx, shipment)
    if not state.complete and not accept_difference:
        raise DomainError(
            ErrorCode.SHIPMENT_QUANTITY_MISMATCH,
            shipment=shipment.code,
            lines=[
                {"item": line.item_code, "required": str(line.required), "picked": str(line.picked)}
                for line in state.lines
                if line.picked != line.required
            ],
        )
    event = ctx.event(
        EventType.SHIP,
        [(top, EventRole.OBJECT, pick.quantity) for top, pick in zip(tops, picks, strict=True) if top],
        shipment_id=shipment.id,
        biz_step="shipping",
        disposition="in_transit",
    )
    shipped = 0
    for top, pick in zip(tops, picks, strict=True):
        assert top is not None
        for unit in [top, *contents(ctx.session, top.id)]:
            ctx.session.add(
                ShippedUnit(
                    shipment_id=shipment.id,
                    unit_id=unit.id,
                    customer_id=shipment.customer_id,
                    top_unit_id=top.id,
                    item_id=unit.item_id or pick.item_id,
                    quantity=unit.quantity,
                    event_id=event.id,
                )
            )
            unit.status = UnitStatus.SHIPPED
            shipped += 1
        ctx.session.delete(pick)
    shipment.status = ShipmentStatus.SHIPPED
    shipment.shipped_at = ctx.now
    ctx.session.flush()
    return ShipmentState(
        code=shipment.code,
        customer_code=state.customer_code,
        status=shipment.status.value,
        lines=state.lines,
        picked_units=state.picked_units,
        shipped_count=shipped,
    )


def _open_shipment(ctx: Ctx, code: str) -> Shipment:
    shipment = shipment_by_code(ctx.session, code, lock=True)
    if shipment.status is not ShipmentStatus.OPEN:
        raise DomainError(ErrorCode.SHIPMENT_NOT_OPEN, shipment=shipment.code, status=shipment.status.value)
    return shipment


def _refuse_packed(ctx: Ctx, unit: Unit) -> None:
    """A unit inside a container leaves with its container: scan the container."""
    if unit.container_id is not None:
        container = ctx.session.get(Unit, unit.container_id)
        raise DomainError(
            ErrorCode.UNIT_ALREADY_PACKED, code=unit.code, container=container.code if container else ""
        )


def _shippable(ctx: Ctx, unit: Unit) -> tuple[Item, Decimal]:
    """Refuse a unit that may not leave, looking inside containers; else its item and quantity."""
    if unit.kind is UnitKind.CONTAINER:
        if unit.status is UnitStatus.OPEN:
            raise DomainError(ErrorCode.CONTAINER_NOT_CLOSED, code=unit.code)
        if unit.status is UnitStatus.ON_HOLD:
            raise DomainError(ErrorCode.UNIT_ON_HOLD, code=unit.code)
        if unit.status is UnitStatus.SHIPPED:
            raise DomainError(ErrorCode.ALREADY_SHIPPED, code=unit.code)
        quantity = Decimal(0)
        for inner in contents(ctx.session, unit.id):
            _refuse_inner(ctx, inner, unit)
            if inner.kind is not UnitKind.CONTAINER:
                quantity += inner.quantity
        item = ctx.session.get(Item, unit.item_id) if unit.item_id else None
        if item is None or quantity == 0:
            raise DomainError(ErrorCode.CONTAINER_EMPTY, code=unit.code)
        return item, quantity
    refuse_unusable(unit, ctx.local_date)
    if unit.status is not UnitStatus.RELEASED:
        raise DomainError(ErrorCode.UNIT_NOT_RELEASED, code=unit.code, status=unit.status.value)
    assert unit.item is not None
    return unit.item, unit.quantity


def _refuse_inner(ctx: Ctx, inner: Unit, top: Unit) -> None:
    params = {"code": inner.code, "container": top.code}
    if inner.status is UnitStatus.ON_HOLD:
        raise DomainError(ErrorCode.UNIT_ON_HOLD, **params)
    if inner.status is UnitStatus.SHIPPED:
        raise DomainError(ErrorCode.ALREADY_SHIPPED, **params)
    if inner.status is UnitStatus.FAILED:
        raise DomainError(ErrorCode.SERIAL_FAILED, **params)
    if inner.status is UnitStatus.SCRAPPED:
        raise DomainError(ErrorCode.UNIT_SCRAPPED, **params)
    if inner.status is not UnitStatus.PACKED:
        raise DomainError(ErrorCode.UNIT_NOT_RELEASED, status=inner.status.value, **params)
    if is_expired(inner, ctx.local_date):
        raise DomainError(ErrorCode.UNIT_EXPIRED, expires_on=inner.expires_on.isoformat(), **params)


def _picks(ctx: Ctx, shipment: Shipment) -> list[ShipmentPick]:
    return list(
        ctx.session.scalars(
            select(ShipmentPick).where(ShipmentPick.shipment_id == shipment.id).order_by(ShipmentPick.id)
        )
    )


def _state(ctx: Ctx, shipment: Shipment) -> ShipmentState:
    picks = _picks(ctx, shipment)
    picked: dict[int, Decimal] = defaultdict(Decimal)
    for pick in picks:
        picked[pick.item_id] += pick.quantity
    codes = [ctx.session.get(Unit, pick.unit_id).code for pick in picks]  # type: ignore[union-attr]
    return ShipmentState(
        code=shipment.code,
        customer_code=shipment.customer.code,
        status=shipment.status.value,
        lines=[
            LineState(
                item_code=line.item.code, required=line.quantity, picked=picked.get(line.item_id, Decimal(0))
            )
            for line in shipment.lines
        ],
        picked_units=codes,
    )
