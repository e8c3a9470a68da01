"""Packing (包装): units into cartons up to the item's packing spec, cartons into pallets.

An open container has a provisional code; closing it draws its real code (an SSCC when the site has
a GS1 company prefix) at the moment its label is printed, so an abandoned carton burns no number.
Unpacking and repacking keep their history as events; nothing is ever rewritten.

A packing station fills the containers it opened (the container's first event names the station):
`pack_into_open` puts a scanned unit into the station's open carton, or a closed carton onto its
open pallet, opening one when there is none, so a scan is one action and a refused scan leaves no
empty carton behind. `open_containers` is what the station has open, so a restart or the next
shift carries on where the last one stopped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.actions import Ctx, operation
from models.db import Database
from models.errors import DomainError, ErrorCode
from models.lookup import positive_quantity, refuse_unusable, require_reason, unit_by_code
from models.numbering import NumberingContext, allocate
from models.scan import make_sscc
from models.schema import (
    ContainerLevel,
    Event,
    EventRole,
    EventType,
    EventUnit,
    Item,
    NumberingRule,
    Shipment,
    ShipmentPick,
    Station,
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


@dataclass(frozen=True)
class StationPackResult:
    """Where `pack_into_open` put the unit: the container (opened for it or not) and its fill."""

    container_code: str
    level: str
    unit_code: str
    item_code: str
    count: Decimal
    capacity: int
    full: bool
    opened: bool


@dataclass(frozen=True)
class Content:
    code: str
    kind: str
    quantity: Decimal
    uom: str


@dataclass(frozen=True)
class OpenContainer:
    """An open carton or pallet of a station, with what it holds (no item yet when it is empty)."""

    code: str
    level: str
    item_code: str | None
    item_name_zh: str
    item_name_en: str
    count: Decimal
    capacity: int | None
    uom: str
    contents: list[Content]


@dataclass(frozen=True)
class PackRoom:
    """How much of a lot the station's open carton can take now (the whole carton when none is open),
    and the quantity to offer: as much of the lot as fits."""

    unit_code: str
    available: Decimal
    room: Decimal | None  # None: the item has no packing spec (packing will say so)
    uom: str
    suggested: Decimal


@operation("open_container")
def open_container(ctx: Ctx, *, level: ContainerLevel = ContainerLevel.CARTON) -> ContainerResult:
    container = _open(ctx, ContainerLevel(level))
    return ContainerResult(
        code=container.code, level=_level_of(container).value, status=container.status.value
    )


def _level_of(container: Unit) -> ContainerLevel:
    """A container's level (carton or pallet): nullable only because lots and serials have none."""
    if container.container_level is None:  # every container is made with one: a damaged database
        raise RuntimeError(f"container {container.code} has no level")
    return container.container_level


def _open(ctx: Ctx, level: ContainerLevel) -> Unit:
    container = make_unit(
        ctx,
        code=f"OPEN-{ctx.action_id}",
        kind=UnitKind.CONTAINER,
        item=None,
        status=UnitStatus.OPEN,
        quantity=Decimal(0),
        container_level=level,
    )
    ctx.session.flush()
    ctx.event(
        EventType.PACK, [(container, EventRole.PARENT, None)], biz_step="packing", detail={"opened": True}
    )
    return container


@operation("pack")
def pack(
    ctx: Ctx, *, container_code: str, unit_code: str, quantity: Decimal | int | str | None = None
) -> PackResult:
    """Put a serial, a lot quantity (split off as its own lot) or a closed carton into a container."""
    container = _open_container(ctx, container_code)
    unit = unit_by_code(ctx.session, unit_code, lock=True)
    return _pack(ctx, container, unit, quantity)


@operation("pack_into_open")
def pack_into_open(
    ctx: Ctx, *, unit_code: str, quantity: Decimal | int | str | None = None
) -> StationPackResult:
    """Pack a scanned unit into this station's open carton (a closed carton onto its open pallet).

    The container is the station's open one holding the unit's item, else its empty one, else a
    new one opened in this same transaction: a refused unit leaves no empty carton behind. An open
    container of another item is not passed over for a new one: the bench has one carton on it,
    and a unit of another item scanned into it is a mistake to refuse, not a second carton to open.
    """
    unit = unit_by_code(ctx.session, unit_code, lock=True)
    level = ContainerLevel.PALLET if unit.kind is UnitKind.CONTAINER else ContainerLevel.CARTON
    container = _station_container(ctx.session, ctx.station.id, level, unit, lock=True)
    opened = container is None
    if container is None:
        container = _open(ctx, level)
    packed = _pack(ctx, container, unit, quantity)
    return StationPackResult(
        container_code=packed.container_code,
        level=level.value,
        unit_code=packed.unit_code,
        item_code=packed.item_code,
        count=packed.count,
        capacity=packed.capacity,
        full=packed.full,
        opened=opened,
    )


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
        code=code, level=_level_of(container).value, item_code=item.code, count=count, is_sscc=is_sscc
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


# --- what a station has open -----------------------------------------------------------------


def open_containers(db: Database, station_code: str) -> list[OpenContainer]:
    """The station's open cartons and pallets, oldest first, with their contents."""
    with db.session() as session:
        containers = _station_open(session, _station(session, station_code))
        if not containers:
            return []
        ids = [container.id for container in containers]
        inside = session.scalars(select(Unit).where(Unit.container_id.in_(ids)).order_by(Unit.id)).all()
        items = {
            item.id: item
            for item in session.scalars(
                select(Item).where(Item.id.in_({c.item_id for c in containers if c.item_id is not None}))
            )
        }
        return [
            _open_container_of(container, items.get(container.item_id) if container.item_id else None, inside)
            for container in containers
        ]


def pack_room(db: Database, station_code: str, unit_code: str) -> PackRoom:
    """What the station's open carton can take of a lot now: what a screen offers as the quantity."""
    with db.session() as session:
        unit = unit_by_code(session, unit_code)
        item = session.get(Item, unit.item_id) if unit.item_id else None
        if unit.kind is UnitKind.CONTAINER or item is None:
            raise DomainError(ErrorCode.NOT_A_LOT, code=unit.code)
        container = _station_container(session, _station(session, station_code), ContainerLevel.CARTON, unit)
        capacity = item.units_per_carton
        room = None if not capacity else Decimal(capacity) - (container.quantity if container else 0)
        suggested = unit.quantity if room is None else max(min(unit.quantity, room), Decimal(0))
        return PackRoom(
            unit_code=unit.code, available=unit.quantity, room=room, uom=unit.uom, suggested=suggested
        )


def _station(session: Session, station_code: str) -> int:
    found = session.scalar(select(Station.id).where(Station.code == station_code))
    if found is None:
        raise DomainError(ErrorCode.UNKNOWN_STATION, station=station_code)
    return found


def _station_open(
    session: Session, station_id: int, level: ContainerLevel | None = None, *, lock: bool = False
) -> list[Unit]:
    """The open containers whose first event (the opening) was at this station, oldest first."""
    opening = (
        select(EventUnit.unit_id.label("unit_id"), func.min(EventUnit.event_id).label("event_id"))
        .join(Unit, Unit.id == EventUnit.unit_id)
        .where(Unit.kind == UnitKind.CONTAINER, Unit.status == UnitStatus.OPEN)
        .group_by(EventUnit.unit_id)
        .subquery("opening")
    )
    statement = (
        select(Unit)
        .join(opening, opening.c.unit_id == Unit.id)
        .join(Event, Event.id == opening.c.event_id)
        .where(Event.station_id == station_id)
        .order_by(Unit.id)
    )
    if level is not None:
        statement = statement.where(Unit.container_level == level)
    if lock:
        statement = statement.with_for_update(of=Unit).execution_options(populate_existing=True)
    return list(session.scalars(statement))


def _station_container(
    session: Session, station_id: int, level: ContainerLevel, unit: Unit, *, lock: bool = False
) -> Unit | None:
    """The station's open container for this unit: the one of its item, else an empty one, else
    None (open one); one of another item standing open is refused as a mix."""
    containers = _station_open(session, station_id, level, lock=lock)
    for container in containers:
        if container.item_id is not None and container.item_id == unit.item_id:
            return container
    for container in containers:
        if container.item_id is None:
            return container
    if containers:
        item = session.get(Item, unit.item_id) if unit.item_id else None
        raise DomainError(
            ErrorCode.CONTAINER_MIXED_ITEMS, code=containers[0].code, item=item.code if item else unit.code
        )
    return None


def _open_container_of(container: Unit, item: Item | None, inside: Sequence[Unit]) -> OpenContainer:
    level = container.container_level or ContainerLevel.CARTON
    capacity = None
    if item is not None:
        capacity = item.units_per_carton if level is ContainerLevel.CARTON else item.cartons_per_pallet
    return OpenContainer(
        code=container.code,
        level=level.value,
        item_code=item.code if item else None,
        item_name_zh=item.name_zh if item else "",
        item_name_en=item.name_en if item else "",
        count=container.quantity,
        capacity=capacity,
        uom=item.uom if item is not None and level is ContainerLevel.CARTON else "EA",
        contents=[
            Content(code=unit.code, kind=unit.kind.value, quantity=unit.quantity, uom=unit.uom)
            for unit in inside
            if unit.container_id == container.id
        ],
    )


# --- inside -------------------------------------------------------------------------------------


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
        item = ctx.session.get(Item, unit.item_id)
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
        raise DomainError(ErrorCode.NO_PACKING_SPEC, item=item.code, level=_level_of(container).value)

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
    # A held carton (or the held pallet it is on) keeps what is inside it: a unit taken out would
    # come out released and could ship, around the hold.
    holder: Unit | None = container
    while holder is not None:
        if holder.status is UnitStatus.ON_HOLD:
            raise DomainError(ErrorCode.UNIT_ON_HOLD, code=holder.code)
        holder = ctx.session.get(Unit, holder.container_id) if holder.container_id else None
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
    # The site comes with every action; its rule is read only here, so it is loaded only here.
    rule = ctx.session.get(NumberingRule, ctx.site.container_rule_id) if ctx.site.container_rule_id else None
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
