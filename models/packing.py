"""Packing (包装): units into cartons up to the item's packing spec, cartons into pallets.

An open container has a provisional code; closing it draws its real code (an SSCC when the site has
a GS1 company prefix) at the moment its label is printed, so an abandoned carton burns no number.
Unpacking and repacking keep their history as events; nothing is ever rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from models.actions import Ctx, operation
from models.errors import DomainError, ErrorCode
from models.lookup import positive_quantity, refuse_unusable, require_reason, unit_by_code
from models.numbering import NumberingContext, allocate
from models.scan import make_sscc
from models.schema import (
    ContainerLevel,
    EventRole,
    EventType,
    Item,
    Shipment,
    ShipmentPick,
    Unit,
    UnitKind,
    UnitStatus,
)
from models.units import contents, make_unit, split_lot


@dataclass(frozen=True)
class ContainerResult:
    code: str
    level: str
    status: str


@dataclass(frozen=True)
class PackResult:
    container_code: str
    unit_code: str
    item_code: str
    count: Decimal
    capacity: int
    full: bool


@dataclass(frozen=True)
class CloseResult:
    code: str
    level: str
    item_code: str
    count: Decimal
    is_sscc: bool


@dataclass(frozen=True)
class UnpackResult:
    unit_code: str
    container_code: str
    container_count: Decimal


@operation("open_container")
def open_container(ctx: Ctx, *, level: ContainerLevel = ContainerLevel.CARTON) -> ContainerResult:
    container = make_unit(
        ctx,
        code=f"OPEN-{ctx.action_id}",
        kind=UnitKind.CONTAINER,
        item=None,
        status=UnitStatus.OPEN,
        quantity=Decimal(0),
        container_level=ContainerLevel(level),
    )
    ctx.session.flush()
    ctx.event(
        EventType.PACK, [(container, EventRole.PARENT, None)], biz_step="packing", detail={"opened": True}
    )
    return ContainerResult(
        code=container.code, level=container.container_level.value, status=container.status.value
    )


@operation("pack")
def pack(
    ctx: Ctx, *, container_code: str, unit_code: str, quantity: Decimal | int | str | None = None
) -> PackResult:
    """Put a serial, a lot quantity (split off as its own lot) or a closed carton into a container."""
    container = _open_container(ctx, container_code)
    unit = unit_by_code(ctx.session, unit_code, lock=True)
    return _pack(ctx, container, unit, quantity)


@operation("close_container")
def close_container(ctx: Ctx, *, container_code: str) -> CloseResult:
    container = _open_container(ctx, container_code)
    count = container.quantity
    if count == 0:
        raise DomainError(ErrorCode.CONTAINER_EMPTY, code=container.code)
    item = ctx.session.get(Item, container.item_id)
    assert item is not None  # a container with contents has their item
    code, is_sscc = _container_code(ctx, item)
    container.code = code
    container.status = UnitStatus.CLOSED
    ctx.event(
        EventType.CLOSE,
        [(container, EventRole.PARENT, count)],
        biz_step="packing",
        detail={"code": code, "count": str(count), "item": item.code},
    )
    return CloseResult(
        code=code, level=container.container_level.value, item_code=item.code, count=count, is_sscc=is_sscc
    )


@operation("unpack")
def unpack(ctx: Ctx, *, unit_code: str, reason: str) -> UnpackResult:
    reason = require_reason(reason)
    unit = unit_by_code(ctx.session, unit_code, lock=True)
    container = _unpack(ctx, unit, reason)
    return UnpackResult(
        unit_code=unit.code, container_code=container.code, container_count=container.quantity
    )


@operation("repack")
def repack(ctx: Ctx, *, unit_code: str, container_code: str, reason: str) -> PackResult:
    """Move a unit from its container into another one, both moves recorded with the reason."""
    reason = require_reason(reason)
    unit = unit_by_code(ctx.session, unit_code, lock=True)
    target = _open_container(ctx, container_code)
    if unit.container_id == target.id:
        raise DomainError(ErrorCode.UNIT_ALREADY_PACKED, code=unit.code, container=target.code)
    _unpack(ctx, unit, reason)
    return _pack(ctx, target, unit, None, reason)


def _open_container(ctx: Ctx, code: str) -> Unit:
    container = unit_by_code(ctx.session, code, lock=True)
    if container.kind is not UnitKind.CONTAINER:
        raise DomainError(ErrorCode.NOT_A_CONTAINER, code=container.code)
    if container.status is not UnitStatus.OPEN:
        raise DomainError(ErrorCode.CONTAINER_CLOSED, code=container.code, status=container.status.value)
    return container


def _pack(
    ctx: Ctx, container: Unit, unit: Unit, quantity: Decimal | int | str | None, reason: str | None = None
) -> PackResult:
    if unit.id == container.id:
        raise DomainError(ErrorCode.UNIT_NOT_PACKABLE, code=unit.code)
    _refuse_picked(ctx, unit)
    if container.container_level is ContainerLevel.CARTON:
        if unit.kind is UnitKind.CONTAINER:
            raise DomainError(ErrorCode.UNIT_NOT_PACKABLE, code=unit.code, container=container.code)
        refuse_unusable(unit, ctx.local_date)
        if unit.status is not UnitStatus.RELEASED:
            raise DomainError(ErrorCode.UNIT_NOT_RELEASED, code=unit.code, status=unit.status.value)
        item = unit.item
        assert item is not None
        capacity = item.units_per_carton
    else:
        if unit.kind is not UnitKind.CONTAINER or unit.container_level is not ContainerLevel.CARTON:
            raise DomainError(ErrorCode.UNIT_NOT_PACKABLE, code=unit.code, container=container.code)
        _refuse_unready_carton(ctx, unit)
        item = ctx.session.get(Item, unit.item_id)
        assert item is not None
        capacity = item.cartons_per_pallet
    if container.item_id is not None and container.item_id != item.id:
        raise DomainError(ErrorCode.CONTAINER_MIXED_ITEMS, code=container.code, item=item.code)
    if not capacity:
        raise DomainError(ErrorCode.NO_PACKING_SPEC, item=item.code, level=container.container_level.value)

    if unit.kind is UnitKind.LOT:
        amount = unit.quantity if quantity is None else positive_quantity(quantity)
        if amount > unit.quantity:
            raise DomainError(
                ErrorCode.LOT_INSUFFICIENT_QUANTITY,
                code=unit.code,
                available=str(unit.quantity),
                requested=str(amount),
            )
    else:
        if quantity is not None and positive_quantity(quantity) != 1:
            raise DomainError(ErrorCode.BAD_QUANTITY, quantity=str(quantity))
        amount = Decimal(1)
    if container.quantity + amount > capacity:
        raise DomainError(
            ErrorCode.CARTON_FULL, code=container.code, capacity=capacity, count=str(container.quantity)
        )
    if unit.kind is UnitKind.LOT and amount < unit.quantity:
        unit = split_lot(ctx, unit, amount, reason or "pack")

    unit.container_id = container.id
    unit.status = UnitStatus.PACKED
    container.item_id = item.id
    container.quantity += amount
    ctx.session.flush()
    ctx.event(
        EventType.PACK,
        [(container, EventRole.PARENT, None), (unit, EventRole.CHILD, amount)],
        biz_step="packing",
        reason_text=reason,
    )
    return PackResult(
        container_code=container.code,
        unit_code=unit.code,
        item_code=item.code,
        count=container.quantity,
        capacity=capacity,
        full=container.quantity >= capacity,
    )


def _refuse_picked(ctx: Ctx, unit: Unit) -> None:
    """A unit scanned onto an open shipment stays as it was scanned until it leaves or is removed."""
    shipment = ctx.session.scalar(
        select(Shipment.code)
        .join(ShipmentPick, ShipmentPick.shipment_id == Shipment.id)
        .where(ShipmentPick.unit_id == unit.id)
    )
    if shipment is not None:
        raise DomainError(ErrorCode.ALREADY_ON_SHIPMENT, code=unit.code, shipment=shipment)


def _refuse_unready_carton(ctx: Ctx, carton: Unit) -> None:
    if carton.status is UnitStatus.OPEN:
        raise DomainError(ErrorCode.CONTAINER_NOT_CLOSED, code=carton.code)
    if carton.status is UnitStatus.PACKED:
        raise DomainError(ErrorCode.UNIT_ALREADY_PACKED, code=carton.code)
    if carton.status is UnitStatus.SHIPPED:
        raise DomainError(ErrorCode.ALREADY_SHIPPED, code=carton.code)
    if carton.status is UnitStatus.ON_HOLD:
        raise DomainError(ErrorCode.UNIT_ON_HOLD, code=carton.code)
    held = [unit.code for unit in contents(ctx.session, carton.id) if unit.status is UnitStatus.ON_HOLD]
    if held:
        raise DomainError(ErrorCode.UNIT_ON_HOLD, code=held[0], container=carton.code)


def _unpack(ctx: Ctx, unit: Unit, reason: str) -> Unit:
    if unit.container_id is None:
        raise DomainError(ErrorCode.UNIT_NOT_PACKED, code=unit.code)
    container = ctx.session.get(Unit, unit.container_id, with_for_update=True, populate_existing=True)
    assert container is not None
    if container.status is UnitStatus.SHIPPED or unit.status is UnitStatus.SHIPPED:
        raise DomainError(ErrorCode.ALREADY_SHIPPED, code=container.code)
    amount = Decimal(1) if unit.kind is not UnitKind.LOT else unit.quantity
    restored = UnitStatus.CLOSED if unit.kind is UnitKind.CONTAINER else UnitStatus.RELEASED
    if unit.status is UnitStatus.ON_HOLD:
        unit.held_from_status = restored
    else:
        unit.status = restored
    unit.container_id = None
    container.quantity -= amount
    ctx.session.flush()  # the count below must see this unit gone, whatever the session's autoflush
    if container.status is UnitStatus.OPEN and _child_count(ctx, container) == 0:
        container.item_id = None  # the last unit left an open container: it may take another item
    ctx.event(
        EventType.UNPACK,
        [(container, EventRole.PARENT, None), (unit, EventRole.CHILD, amount)],
        biz_step="unpacking",
        reason_text=reason,
    )
    return container


def _child_count(ctx: Ctx, container: Unit) -> int:
    return ctx.session.scalar(select(func.count(Unit.id)).where(Unit.container_id == container.id)) or 0


def _container_code(ctx: Ctx, item: Item) -> tuple[str, bool]:
    rule = ctx.site.container_rule
    if rule is None:
        raise DomainError(ErrorCode.NO_NUMBERING_RULE, site=ctx.site.code, kind="container")
    line_code = ctx.station.line.code if ctx.station.line else None
    (drawn,) = allocate(ctx.session, rule, NumberingContext(ctx.local_date, line_code, item.code), 1)
    prefix = ctx.site.gs1_company_prefix
    if not prefix:
        return drawn, False
    if not drawn.isdigit():
        raise DomainError(
            ErrorCode.BAD_NUMBERING_RULE, rule=rule.code, why="an SSCC serial reference is digits only"
        )
    return make_sscc(ctx.site.sscc_extension_digit, prefix, int(drawn)), True
