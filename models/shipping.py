"""Shipping (出货): scan cartons, pallets, serials and lots out against a shipment, then confirm.

Every scan is checked against everything inside the scanned unit, at every depth: one held serial
in a pallet refuses the pallet. Confirmation checks it all again (a hold may have come since the
scan) and records every unit that leaves, containers exploded, against the customer.

The shipping screen reads through `open_shipments`, `shipment_view`, `shipment_to_ship` and
`packing_list`: plain frozen data, no action recorded. Quantities in refusals are written as people
write them (3, not 3.000000): the operator reads them on the banner.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from models.actions import Ctx, operation
from models.db import Database
from models.errors import DomainError, ErrorCode
from models.lookup import (
    customer_by_code,
    expired_on,
    item_by_code,
    plain,
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
    Site,
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
        customer=customer,  # the relationship: the state returned reads it (no lazy loads)
        site_id=ctx.site.id,
        status=ShipmentStatus.OPEN,
        reference=reference,
        created_at=ctx.now,
    )
    for item_code, quantity in lines.items():
        shipment.lines.append(
            # The item itself, not only its id: the event below reads its code (no lazy loads).
            ShipmentLine(item=item_by_code(ctx.session, item_code), quantity=positive_quantity(quantity))
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
    _refuse_shipped(ctx, unit)  # before "packed": a shipped carton keeps its serials packed in it
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
                available=str(plain(amount)),
                requested=str(plain(wanted)),
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
            required=str(plain(line.quantity)),
            picked=str(plain(already)),
            requested=str(plain(amount)),
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
def confirm_shipment(
    ctx: Ctx,
    *,
    shipment_code: str,
    accept_difference: bool = False,
    shipping_total: Decimal | int | str | None = None,
) -> ShipmentState:
    """The goods leave: every unit inside every scanned unit is recorded as shipped to the customer.

    Quantities that differ from the order need `accept_difference` (the screen's short-shipment
    answer), so a short or partial shipment is always a decision, never an accident. With
    `shipping_total`, the total the operator confirmed (every line's quantity in its own unit, as
    `ShipmentView.total` counts it), a difference is accepted only for exactly that total: a unit
    taken off or unpacked between the question and the answer is asked about again, not shipped.
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
    total = sum((line.picked for line in state.lines), Decimal(0))
    confirmed = shipping_total is None or total == positive_quantity(shipping_total)
    if not state.complete and not (accept_difference and confirmed):
        raise DomainError(
            ErrorCode.SHIPMENT_QUANTITY_MISMATCH,
            shipment=shipment.code,
            lines=[
                {
                    "item": line.item_code,
                    "required": str(plain(line.required)),
                    "picked": str(plain(line.picked)),
                }
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
    # Selectin, not joined: the lock is on the shipment row; its state reads customer and lines.
    shipment = shipment_by_code(
        ctx.session,
        code,
        selectinload(Shipment.customer),
        selectinload(Shipment.lines).selectinload(ShipmentLine.item),
        lock=True,
    )
    if shipment.status is not ShipmentStatus.OPEN:
        raise DomainError(ErrorCode.SHIPMENT_NOT_OPEN, shipment=shipment.code, status=shipment.status.value)
    return shipment


def _refuse_shipped(ctx: Ctx, unit: Unit) -> None:
    """A unit that left says so, with the shipment and the day it left: the operator holding it has
    a label from a returned or mixed-up box, and "packed in <carton>" would send them to look for a
    carton that is at the customer's."""
    if unit.status is not UnitStatus.SHIPPED:
        return
    left = ctx.session.execute(
        select(Shipment.code, Shipment.shipped_at)
        .join(ShippedUnit, ShippedUnit.shipment_id == Shipment.id)
        .where(ShippedUnit.unit_id == unit.id)
        .order_by(ShippedUnit.id.desc())
        .limit(1)
    ).first()
    if left is None:  # shipped before shipments recorded every unit inside: the status alone
        raise DomainError(ErrorCode.ALREADY_SHIPPED, code=unit.code)
    shipment_code, shipped_at = left
    zone = ZoneInfo(ctx.site.timezone)
    raise DomainError(
        ErrorCode.ALREADY_SHIPPED,
        code=unit.code,
        shipment=shipment_code,
        shipped_on=_local_date(shipped_at, zone).isoformat() if shipped_at else "",
    )


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
        # Locked: a recall's hold of a unit inside (models.quality.hold_affected) either commits
        # before this reads it, and is refused here, or waits until this shipment is recorded.
        for inner in contents(ctx.session, unit.id, lock=True):
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
    item = ctx.session.get(Item, unit.item_id) if unit.item_id else None  # never a lazy load
    if item is None:  # a lot or serial always has an item; a unit without one cannot be shipped
        raise DomainError(ErrorCode.BAD_INPUT, field="unit", code=unit.code)
    return item, unit.quantity


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
    expired = expired_on(inner, ctx.local_date)
    if expired is not None:
        raise DomainError(ErrorCode.UNIT_EXPIRED, expires_on=expired.isoformat(), **params)


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
    codes = [ctx.session.get_one(Unit, pick.unit_id).code for pick in picks]  # a foreign key: it is there
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


# --- Reads for the shipping screen: plain data, no action recorded ------------------------------


@dataclass(frozen=True)
class LineView:
    """One ordered item with what is scanned against it (or what was shipped, once it left)."""

    item_code: str
    item_name_zh: str
    item_name_en: str
    uom: str
    required: Decimal
    picked: Decimal

    @property
    def matches(self) -> bool:
        return self.picked == self.required


@dataclass(frozen=True)
class PickedUnit:
    """A unit scanned onto the shipment: a top-level unit, as the operator scanned it."""

    code: str
    kind: str  # UnitKind
    level: str | None  # ContainerLevel of a carton or pallet
    item_code: str
    item_name_zh: str
    item_name_en: str
    uom: str
    quantity: Decimal  # what it counts on its line
    pieces_inside: int  # serials and lots inside a container, at every depth
    containers_inside: int  # cartons on a pallet


@dataclass(frozen=True)
class ShipmentView:
    code: str
    status: str  # ShipmentStatus
    reference: str | None
    customer_code: str
    customer_name_zh: str
    customer_name_en: str
    lines: tuple[LineView, ...]
    units: tuple[PickedUnit, ...]

    @property
    def is_open(self) -> bool:
        return self.status == ShipmentStatus.OPEN.value

    @property
    def differences(self) -> tuple[LineView, ...]:
        """The lines not as ordered: confirm_shipment refuses them unless the difference is accepted,
        so the screen asks about them before it confirms."""
        return tuple(line for line in self.lines if not line.matches)

    @property
    def total(self) -> Decimal:
        """Everything scanned, every line in its own unit (a pallet of 3 cartons of 10 meters is 30):
        the number an operator types to confirm a short shipment (`confirm_shipment`'s
        `shipping_total`), never a count of packages."""
        return sum((line.picked for line in self.lines), Decimal(0))

    @property
    def pieces(self) -> int:
        """The serials and lots that leave, containers not counted: what the operator ships."""
        return sum(unit.pieces_inside if unit.kind == UnitKind.CONTAINER.value else 1 for unit in self.units)


@dataclass(frozen=True)
class OpenShipment:
    """A row of the shipping screen's pick list."""

    code: str
    customer_code: str
    customer_name_zh: str
    customer_name_en: str
    reference: str | None
    lines: tuple[LineView, ...]


@dataclass(frozen=True)
class PackedUnit:
    """A packing list row: a scanned unit (depth 0), or what sits inside it (depth 1, 2)."""

    depth: int
    code: str
    kind: str  # UnitKind
    level: str | None  # ContainerLevel
    item_code: str | None
    quantity: Decimal  # a container: the serials and lots inside it, at every depth
    uom: str
    external_code: str | None  # the supplier's own lot or serial number
    expires_on: dt.date | None


@dataclass(frozen=True)
class PackingList:
    """What leaves (or will leave) on a shipment, every container opened up."""

    code: str
    status: str
    reference: str | None
    customer_code: str
    customer_name_zh: str
    customer_name_en: str
    ordered_on: dt.date  # in the plant's time zone
    shipped_on: dt.date | None
    lines: tuple[LineView, ...]
    units: tuple[PackedUnit, ...]


OPEN_SHIPMENTS_SHOWN = 200


def open_shipments(db: Database, limit: int = OPEN_SHIPMENTS_SHOWN) -> list[OpenShipment]:
    """The shipments waiting to be picked, oldest order first: the shipping screen's pick list."""
    with db.session() as session:
        shipments = list(
            session.scalars(
                _with_lines(select(Shipment).where(Shipment.status == ShipmentStatus.OPEN))
                .order_by(Shipment.created_at, Shipment.code)
                .limit(limit)
            )
        )
        picked = _picked_by_item(session, [shipment.id for shipment in shipments])
        return [
            OpenShipment(
                code=shipment.code,
                customer_code=shipment.customer.code,
                customer_name_zh=shipment.customer.name_zh,
                customer_name_en=shipment.customer.name_en,
                reference=shipment.reference,
                lines=_line_views(shipment, picked.get(shipment.id, {})),
            )
            for shipment in shipments
        ]


def shipment_view(db: Database, code: str) -> ShipmentView:
    """A shipment as the shipping screen shows it: the lines with what is scanned and the units
    scanned onto it, or, once it left, what was recorded as shipped."""
    with db.session() as session:
        shipment = _shipment_for_reading(session, code)
        tops, picked = _tops(session, shipment)
        units = tuple(
            PickedUnit(
                code=top.unit.code,
                kind=top.unit.kind.value,
                level=_level(top.unit),
                item_code=top.unit.item.code if top.unit.item else "",
                item_name_zh=top.unit.item.name_zh if top.unit.item else "",
                item_name_en=top.unit.item.name_en if top.unit.item else "",
                uom=_uom(top.unit),
                quantity=top.counted,
                pieces_inside=sum(1 for inner in top.inside if inner.kind is not UnitKind.CONTAINER),
                containers_inside=sum(1 for inner in top.inside if inner.kind is UnitKind.CONTAINER),
            )
            for top in tops
        )
        return ShipmentView(
            code=shipment.code,
            status=shipment.status.value,
            reference=shipment.reference,
            customer_code=shipment.customer.code,
            customer_name_zh=shipment.customer.name_zh,
            customer_name_en=shipment.customer.name_en,
            lines=_line_views(shipment, picked),
            units=units,
        )


def shipment_to_ship(db: Database, code: str) -> ShipmentView:
    """The shipment read afresh before the screen asks whether it leaves, refused as
    `confirm_shipment` refuses it (left already, nothing scanned): the screen then never judges
    those rules on what it last showed, nor asks a question whose answer can only be a refusal."""
    view = shipment_view(db, code)
    if not view.is_open:
        raise DomainError(ErrorCode.SHIPMENT_NOT_OPEN, shipment=view.code, status=view.status)
    if not view.units:
        raise DomainError(ErrorCode.SHIPMENT_EMPTY, shipment=view.code)
    return view


def packing_list(db: Database, code: str) -> PackingList:
    """Every unit on a shipment with everything inside it, for the packing list: what is scanned
    while the shipment is open, what was recorded as shipped once it left."""
    with db.session() as session:
        shipment = _shipment_for_reading(session, code)
        zone = ZoneInfo(session.get_one(Site, shipment.site_id).timezone)
        tops, picked = _tops(session, shipment)
        rows: list[PackedUnit] = []
        for top in tops:
            children: dict[int, list[Unit]] = defaultdict(list)
            for inner in top.inside:
                if inner.container_id is not None:
                    children[inner.container_id].append(inner)
            rows += _packed_rows(top.unit, children, 0)
        return PackingList(
            code=shipment.code,
            status=shipment.status.value,
            reference=shipment.reference,
            customer_code=shipment.customer.code,
            customer_name_zh=shipment.customer.name_zh,
            customer_name_en=shipment.customer.name_en,
            ordered_on=_local_date(shipment.created_at, zone),
            shipped_on=_local_date(shipment.shipped_at, zone) if shipment.shipped_at else None,
            lines=_line_views(shipment, picked),
            units=tuple(rows),
        )


@dataclass(frozen=True)
class _Top:
    unit: Unit
    counted: Decimal  # on its line
    inside: list[Unit]  # at every depth, in id order


def _tops(session: Session, shipment: Shipment) -> tuple[list[_Top], dict[int, Decimal]]:
    """The scanned units with their contents, and the quantity per item id: from the picks while
    the shipment is open, from the shipped-unit records once it left (the picks are gone then)."""
    if shipment.status is ShipmentStatus.OPEN:
        # A container counts what it holds now, as confirm_shipment counts it: a serial unpacked
        # since the scan is not asked about as leaving.
        tops: list[_Top] = []
        counted: dict[int, Decimal] = defaultdict(Decimal)
        for pick, unit in session.execute(
            select(ShipmentPick, Unit)
            .join(Unit, Unit.id == ShipmentPick.unit_id)
            .where(ShipmentPick.shipment_id == shipment.id)
            .options(joinedload(Unit.item))
            .order_by(ShipmentPick.id)
        ):
            if unit.kind is UnitKind.CONTAINER:
                held = contents(session, unit.id, with_items=True)
                entry = _Top(unit, _pieces_quantity(unit, held), held)
            else:
                entry = _Top(unit, pick.quantity, [])
            tops.append(entry)
            counted[pick.item_id] += entry.counted
        return tops, counted
    shipped = list(
        session.scalars(
            select(Unit)
            .join(ShippedUnit, ShippedUnit.unit_id == Unit.id)
            .where(ShippedUnit.shipment_id == shipment.id)
            .options(joinedload(Unit.item))
            .order_by(ShippedUnit.id)
        )
    )
    by_id = {unit.id: unit for unit in shipped}
    inside: dict[int, list[Unit]] = defaultdict(list)
    picked: dict[int, Decimal] = defaultdict(Decimal)
    for unit in shipped:
        top = unit
        while top.container_id is not None and top.container_id in by_id:  # containers stay packed
            top = by_id[top.container_id]
        if top is not unit:
            inside[top.id].append(unit)
        if unit.kind is not UnitKind.CONTAINER and unit.item_id is not None:
            picked[unit.item_id] += unit.quantity
    tops = [
        _Top(unit, _pieces_quantity(unit, inside[unit.id]), sorted(inside[unit.id], key=lambda u: u.id))
        for unit in shipped
        if unit.container_id is None or unit.container_id not in by_id
    ]
    return tops, picked


def _pieces_quantity(unit: Unit, inside: list[Unit]) -> Decimal:
    if unit.kind is not UnitKind.CONTAINER:
        return unit.quantity
    return sum((inner.quantity for inner in inside if inner.kind is not UnitKind.CONTAINER), Decimal(0))


def _packed_rows(unit: Unit, children: dict[int, list[Unit]], depth: int) -> list[PackedUnit]:
    """The unit, then what it holds, depth first: a pallet, its first carton, that carton's serials..."""
    below: list[PackedUnit] = []
    for inner in children.get(unit.id, []):
        below += _packed_rows(inner, children, depth + 1)
    if unit.kind is UnitKind.CONTAINER:
        quantity = sum((row.quantity for row in below if row.kind != UnitKind.CONTAINER.value), Decimal(0))
    else:
        quantity = unit.quantity
    row = PackedUnit(
        depth=depth,
        code=unit.code,
        kind=unit.kind.value,
        level=_level(unit),
        item_code=unit.item.code if unit.item else None,
        quantity=quantity,
        uom=_uom(unit),
        external_code=unit.external_code,
        expires_on=unit.expires_on,
    )
    return [row, *below]


def _with_lines(statement: Select[Shipment]) -> Select[Shipment]:
    return statement.options(
        joinedload(Shipment.customer), selectinload(Shipment.lines).joinedload(ShipmentLine.item)
    )


def _shipment_for_reading(session: Session, code: str) -> Shipment:
    shipment = session.scalars(_with_lines(select(Shipment).where(Shipment.code == code.strip()))).first()
    if shipment is None:
        raise DomainError(ErrorCode.UNKNOWN_SHIPMENT, shipment=code)
    return shipment


def _line_views(shipment: Shipment, picked: dict[int, Decimal]) -> tuple[LineView, ...]:
    return tuple(
        LineView(
            item_code=line.item.code,
            item_name_zh=line.item.name_zh,
            item_name_en=line.item.name_en,
            uom=line.item.uom,
            required=line.quantity,
            picked=picked.get(line.item_id, Decimal(0)),
        )
        for line in shipment.lines
    )


def _picked_by_item(session: Session, shipment_ids: list[int]) -> dict[int, dict[int, Decimal]]:
    """shipment id -> item id -> quantity scanned so far, in one query for a whole list."""
    totals: dict[int, dict[int, Decimal]] = defaultdict(dict)
    if not shipment_ids:
        return totals
    for shipment_id, item_id, quantity in session.execute(
        select(ShipmentPick.shipment_id, ShipmentPick.item_id, func.sum(ShipmentPick.quantity))
        .where(ShipmentPick.shipment_id.in_(shipment_ids))
        .group_by(ShipmentPick.shipment_id, ShipmentPick.item_id)
    ):
        totals[shipment_id][item_id] = Decimal(str(quantity))
    return totals


def _level(unit: Unit) -> str | None:
    return unit.container_level.value if unit.container_level else None


def _uom(unit: Unit) -> str:
    """A container counts in its item's unit (a carton of compound holds KG), not the EA it was made with."""
    return unit.item.uom if unit.item is not None else unit.uom


def _local_date(moment: dt.datetime, zone: ZoneInfo) -> dt.date:
    aware = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment  # SQLite keeps UTC
    return aware.astimezone(zone).date()
