"""Receiving (原材料入库): supplier lots in, internal lots out; incoming inspection releases or rejects."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from models.actions import QUALITY, Ctx, operation
from models.db import Database
from models.errors import DomainError, ErrorCode
from models.lookup import (
    EXACT_LIMIT,
    item_by_code,
    plain,
    positive_quantity,
    require_reason,
    supplier_by_code,
    unit_by_code,
)
from models.numbering import NumberingContext, allocate
from models.overview import plant_timezone, plant_zone
from models.scan import Gs1Data, parse_scan
from models.schema import (
    Event,
    EventRole,
    EventType,
    EventUnit,
    InspectionResult,
    Item,
    ItemKind,
    Supplier,
    Tracking,
    Unit,
    UnitKind,
    UnitStatus,
)
from models.trace import timestamp
from models.units import make_unit

MAX_PACKAGES = 500
# What the columns hold: a longer supplier lot or measurement name, or a larger measured value, would
# be refused by PostgreSQL with a raw database error (and silently kept by SQLite).
MAX_SUPPLIER_LOT_LENGTH: int = Unit.__table__.c.external_code.type.length  # type: ignore[attr-defined]
MAX_MEASUREMENT_NAME_LENGTH: int = InspectionResult.__table__.c.name.type.length  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ReceiveResult:
    lot_codes: list[str]
    quantities: list[Decimal]
    status: str
    expires_on: dt.date | None


@dataclass(frozen=True)
class Measurement:
    """One value measured at an inspection, with the limits it was judged against."""

    name: str
    value: Decimal | None = None
    lower_limit: Decimal | None = None
    upper_limit: Decimal | None = None
    passed: bool | None = None

    def judged(self) -> bool:
        if self.passed is not None:
            return self.passed
        if self.value is None:
            return False
        low_ok = self.lower_limit is None or self.value >= self.lower_limit
        high_ok = self.upper_limit is None or self.value <= self.upper_limit
        return low_ok and high_ok


@dataclass(frozen=True)
class InspectionOutcome:
    lot_code: str
    status: str
    failed: list[str] = field(default_factory=list)


@operation("receive")
def receive(
    ctx: Ctx,
    *,
    item_code: str,
    supplier_code: str,
    supplier_lot: str,
    quantity: Decimal | int | str,
    packages: int = 1,
    manufactured_on: dt.date | None = None,
    expires_on: dt.date | None = None,
    second_package: bool = False,
) -> ReceiveResult:
    """Register a supplier lot as `packages` internal lots, each with its own label.

    The quantity is split evenly to the unit of measure's 6 decimals; the last package takes the
    remainder so that the lots add up to exactly what arrived.

    A supplier label scanned twice looks exactly like two packages that carry the same label, so
    a receipt whose supplier, item, supplier lot and per-package quantity equal a lot received at
    this site today is refused (SAME_LABEL_RECEIVED) unless the receiver said it is another
    package (`second_package=True`). The model has no delivery entity, so "the same receipt" is
    taken to be the plant's local day (`models.overview.plant_zone`, the clock today's receipts
    are listed by); the same label on another day is another delivery and only a note at the scan.
    """
    item = item_by_code(ctx.session, item_code, joinedload(Item.lot_rule))
    if item.tracking is not Tracking.LOT:
        raise DomainError(ErrorCode.ITEM_NOT_LOT_TRACKED, item=item.code)
    supplier = supplier_by_code(ctx.session, supplier_code)
    supplier_lot = (supplier_lot or "").strip()
    if not supplier_lot:
        raise DomainError(ErrorCode.BAD_INPUT, field="supplier_lot")
    if len(supplier_lot) > MAX_SUPPLIER_LOT_LENGTH:
        raise DomainError(ErrorCode.BAD_INPUT, field="supplier_lot", maximum=MAX_SUPPLIER_LOT_LENGTH)
    total = positive_quantity(quantity)
    if isinstance(packages, bool) or not isinstance(packages, int) or not 1 <= packages <= MAX_PACKAGES:
        raise DomainError(ErrorCode.BAD_QUANTITY, packages=packages, maximum=MAX_PACKAGES)
    _require_date("manufactured_on", manufactured_on)
    _require_date("expires_on", expires_on)
    if manufactured_on and manufactured_on > ctx.local_date:
        raise DomainError(ErrorCode.BAD_DATE, manufactured_on=manufactured_on.isoformat())
    if expires_on is None and item.shelf_life_days:
        expires_on = (manufactured_on or ctx.local_date) + dt.timedelta(days=item.shelf_life_days)
    if expires_on and manufactured_on and expires_on < manufactured_on:
        raise DomainError(
            ErrorCode.BAD_DATE, manufactured_on=manufactured_on.isoformat(), expires_on=expires_on.isoformat()
        )
    if expires_on and expires_on < ctx.local_date:
        raise DomainError(ErrorCode.LOT_EXPIRED, code=supplier_lot, expires_on=expires_on.isoformat())
    if item.lot_rule is None:
        raise DomainError(ErrorCode.NO_NUMBERING_RULE, item=item.code)

    share = (total / packages).quantize(Decimal("0.000001"), rounding=ROUND_DOWN)
    if share <= 0:
        raise DomainError(ErrorCode.BAD_QUANTITY, quantity=str(total), packages=packages)
    quantities = [share] * (packages - 1) + [total - share * (packages - 1)]
    if not second_package:
        _refuse_same_label(ctx, item, supplier, supplier_lot, quantities)
    codes = allocate(
        ctx.session,
        item.lot_rule,
        NumberingContext(ctx.local_date, ctx.station.line.code if ctx.station.line else None, item.code),
        packages,
    )
    status = UnitStatus.QUARANTINE if item.requires_inspection else UnitStatus.RELEASED
    lots = [
        make_unit(
            ctx,
            code=code,
            kind=UnitKind.LOT,
            item=item,
            status=status,
            quantity=amount,
            external_code=supplier_lot,
            supplier_id=supplier.id,
            manufactured_on=manufactured_on,
            expires_on=expires_on,
        )
        for code, amount in zip(codes, quantities, strict=True)
    ]
    ctx.session.flush()
    ctx.event(
        EventType.RECEIVE,
        [(lot, EventRole.OBJECT, lot.quantity) for lot in lots],
        biz_step="receiving",
        disposition="in_progress" if status is UnitStatus.QUARANTINE else "active",
        detail={"supplier": supplier.code, "supplier_lot": supplier_lot},
    )
    return ReceiveResult(lot_codes=codes, quantities=quantities, status=status.value, expires_on=expires_on)


@operation("release_received_lot", QUALITY)
def release_received_lot(
    ctx: Ctx, *, lot_code: str, measurements: list[Measurement] | None = None, note: str | None = None
) -> InspectionOutcome:
    """Incoming inspection passed: the lot becomes usable. Any failed measurement refuses it."""
    lot = _quarantined(ctx, lot_code)
    failed = _record_inspection(ctx, lot, measurements or [])
    if failed:
        raise DomainError(ErrorCode.INSPECTION_FAILED, code=lot.code, failed=failed)
    lot.status = UnitStatus.RELEASED
    ctx.event(
        EventType.RELEASE,
        [(lot, EventRole.OBJECT, lot.quantity)],
        biz_step="inspecting",
        disposition="active",
        reason_text=note,
    )
    return InspectionOutcome(lot_code=lot.code, status=lot.status.value)


@operation("reject_received_lot", QUALITY)
def reject_received_lot(
    ctx: Ctx, *, lot_code: str, reason: str, measurements: list[Measurement] | None = None
) -> InspectionOutcome:
    """Incoming inspection failed: the lot is never usable; it stays traceable with its results."""
    reason = require_reason(reason)
    lot = _quarantined(ctx, lot_code)
    failed = _record_inspection(ctx, lot, measurements or [])
    lot.status = UnitStatus.REJECTED
    ctx.event(
        EventType.REJECT,
        [(lot, EventRole.OBJECT, lot.quantity)],
        biz_step="inspecting",
        disposition="non_conformant",
        reason_text=reason,
    )
    return InspectionOutcome(lot_code=lot.code, status=lot.status.value, failed=failed)


def _refuse_same_label(
    ctx: Ctx, item: Item, supplier: Supplier, supplier_lot: str, quantities: list[Decimal]
) -> None:
    """SAME_LABEL_RECEIVED when a lot of this supplier, item and supplier lot, of one of these
    per-package quantities (as received, not as left after use), came in at this site today."""
    zone = plant_zone(ctx.session)
    day = ctx.now.astimezone(zone).date()
    start = dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
    found = ctx.session.execute(
        select(Unit.code, EventUnit.quantity, Event.occurred_at)
        .join(EventUnit, EventUnit.unit_id == Unit.id)
        .join(Event, Event.id == EventUnit.event_id)
        .where(
            Event.event_type == EventType.RECEIVE,
            Event.site_id == ctx.site.id,
            Event.occurred_at >= start,
            Event.occurred_at < end,
            Unit.item_id == item.id,
            Unit.supplier_id == supplier.id,
            Unit.external_code == supplier_lot,
            EventUnit.quantity.in_(set(quantities)),
        )
        .order_by(Event.id.desc())
    ).first()
    if found is not None:
        code, quantity, occurred_at = found
        quantity = quantity if quantity is not None else quantities[0]  # matched by it: never None
        raise DomainError(
            ErrorCode.SAME_LABEL_RECEIVED,
            supplier_lot=supplier_lot,
            item=item.code,
            quantity=str(plain(quantity)),
            uom=item.uom,
            when=timestamp(occurred_at).astimezone(zone).strftime("%H:%M"),
            lot=code,
        )


def _quarantined(ctx: Ctx, lot_code: str) -> Unit:
    lot = unit_by_code(ctx.session, lot_code, lock=True)
    if lot.kind is not UnitKind.LOT:
        raise DomainError(ErrorCode.NOT_A_LOT, code=lot.code)
    if lot.status is not UnitStatus.QUARANTINE:
        raise DomainError(ErrorCode.LOT_NOT_IN_QUARANTINE, code=lot.code, status=lot.status.value)
    return lot


def _require_date(name: str, value: object) -> None:
    """A date or nothing: a datetime or a typed-in string is refused, not compared (TypeError)."""
    if value is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
        raise DomainError(ErrorCode.BAD_DATE, **{name: str(value)})


def _storable(measurement: Measurement) -> Measurement:
    """The measurement with Decimal values the inspection_result columns can hold, or BAD_INPUT."""
    name = measurement.name
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_MEASUREMENT_NAME_LENGTH:
        raise DomainError(ErrorCode.BAD_INPUT, field="measurement", name=str(name))
    numbers: dict[str, Any] = {}  # dataclasses.replace's keywords: the fields' own types
    for attribute in ("value", "lower_limit", "upper_limit"):
        raw = getattr(measurement, attribute)
        if raw is None:
            continue
        try:
            number = Decimal(str(raw))
        except (InvalidOperation, ValueError):
            raise DomainError(ErrorCode.BAD_INPUT, field=name, **{attribute: str(raw)}) from None
        if not number.is_finite() or abs(number) >= EXACT_LIMIT:
            raise DomainError(ErrorCode.BAD_INPUT, field=name, **{attribute: str(raw)})
        numbers[attribute] = number
    return dataclasses.replace(measurement, **numbers)


def _record_inspection(ctx: Ctx, lot: Unit, measurements: list[Measurement]) -> list[str]:
    if not measurements:
        return []
    measurements = [_storable(measurement) for measurement in measurements]
    event = ctx.event(EventType.INSPECT, [(lot, EventRole.OBJECT, None)], biz_step="inspecting")
    failed = []
    for measurement in measurements:
        passed = measurement.judged()
        if not passed:
            failed.append(measurement.name)
        ctx.session.add(
            InspectionResult(
                event_id=event.id,
                unit_id=lot.id,
                name=measurement.name,
                value=measurement.value,
                lower_limit=measurement.lower_limit,
                upper_limit=measurement.upper_limit,
                passed=passed,
            )
        )
    return failed


# --- What the receiving station reads ------------------------------------------------------------

# What a plant buys and receives by lot: raw material and components. Subassemblies and finished
# goods are made here; their lots come from work orders, not from suppliers.
PURCHASED_KINDS = frozenset({ItemKind.RAW, ItemKind.COMPONENT})
# The earlier lots of a supplier lot a scan names (the note says how many there are in all).
EARLIER_SHOWN = 5
MAX_LISTED = 500


@dataclass(frozen=True)
class SupplierChoice:
    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class ItemChoice:
    """A purchased, lot-tracked item, with what the screen tells the receiver about it."""

    code: str
    name_zh: str
    name_en: str
    uom: str
    shelf_life_days: int | None
    requires_inspection: bool
    gtin: str | None


@dataclass(frozen=True)
class ReceivingChoices:
    suppliers: tuple[SupplierChoice, ...]
    items: tuple[ItemChoice, ...]


def receiving_choices(db: Database) -> ReceivingChoices:
    """The suppliers and the items a receiving station offers to choose from."""
    with db.session() as session:
        suppliers = session.scalars(select(Supplier).order_by(Supplier.code))
        items = session.scalars(
            select(Item)
            .where(Item.active.is_(True), Item.tracking == Tracking.LOT, Item.kind.in_(PURCHASED_KINDS))
            .order_by(Item.code)
        )
        return ReceivingChoices(
            suppliers=tuple(SupplierChoice(s.code, s.name_zh, s.name_en) for s in suppliers),
            items=tuple(
                ItemChoice(
                    i.code, i.name_zh, i.name_en, i.uom, i.shelf_life_days, i.requires_inspection, i.gtin
                )
                for i in items
            ),
        )


class ScanKind(StrEnum):
    """What a scan at the receiving station is."""

    SUPPLIER = "SUPPLIER"  # a supplier's code (printed on its delivery note)
    ITEM = "ITEM"  # a purchased item's code
    LABEL = "LABEL"  # a supplier's GS1 label of a purchased item: item, lot, dates, quantity
    SUPPLIER_LOT = "SUPPLIER_LOT"  # anything else: the supplier's own lot number
    UNKNOWN_GTIN = "UNKNOWN_GTIN"  # a GS1 label whose GTIN no item has: the item must be chosen
    NOT_PURCHASED = "NOT_PURCHASED"  # an item made in the plant (or not active): not received here
    OWN_LOT = "OWN_LOT"  # one of the plant's own lots (its internal label)


@dataclass(frozen=True)
class ReceivingScan:
    """A scan read for the receiving form; `earlier_*` say whether that supplier lot came before.

    A supplier lot can arrive in several deliveries, so an earlier receipt is a note, not a
    refusal; when every earlier receipt was of one item (or from one supplier), that is named
    too, for a form that has none chosen yet.
    """

    kind: ScanKind
    code: str
    item_code: str | None = None
    supplier_code: str | None = None
    supplier_lot: str | None = None
    manufactured_on: dt.date | None = None
    expires_on: dt.date | None = None
    quantity: Decimal | None = None
    status: str | None = None
    earlier_lots: tuple[str, ...] = ()
    earlier_count: int = 0


def read_scan(
    db: Database,
    text: str,
    *,
    supplier_code: str | None = None,
    item_code: str | None = None,
    inspecting: bool = False,
) -> ReceivingScan:
    """What a scan means on the receiving form, or the refusal that says why it cannot be used.

    `supplier_code` and `item_code` are what the form has chosen (earlier receipts are looked up
    for them); `inspecting` is a quality inspector's station: one of the plant's own lots is then
    scanned to be released or rejected, and must be waiting for inspection.
    """
    parsed = parse_scan(text)
    zone = plant_timezone(db)
    with db.session() as session:
        supplier_id = supplier_by_code(session, supplier_code).id if supplier_code else None
        item = item_by_code(session, item_code) if item_code else None
        if parsed.internal_code is not None:
            found = _plain_scan(session, parsed.internal_code.strip(), inspecting)
            if found is not None:
                return found
            if parsed.gs1 is None:
                return _supplier_lot_scan(session, parsed.internal_code.strip(), supplier_id, item)
        assert parsed.gs1 is not None
        return _label_scan(session, parsed.gs1, supplier_id, inspecting, zone)


def _plain_scan(session: Session, code: str, inspecting: bool) -> ReceivingScan | None:
    """A supplier, one of our units, or an item: the codes a plain scan is tried as, in order."""
    supplier = session.scalars(select(Supplier).where(Supplier.code == code)).first()
    if supplier is not None:
        return ReceivingScan(ScanKind.SUPPLIER, supplier.code, supplier_code=supplier.code)
    unit = session.scalars(select(Unit).where(Unit.code == code).options(joinedload(Unit.item))).first()
    if unit is not None:
        return _own_lot(unit, inspecting)
    item = session.scalars(select(Item).where(Item.code == code)).first()
    if item is not None:
        return ReceivingScan(_item_kind(item), item.code, item_code=item.code)
    return None


def _item_kind(item: Item) -> ScanKind:
    if item.tracking is not Tracking.LOT:
        raise DomainError(ErrorCode.ITEM_NOT_LOT_TRACKED, item=item.code)
    if not item.active or item.kind not in PURCHASED_KINDS:
        return ScanKind.NOT_PURCHASED
    return ScanKind.ITEM


def _own_lot(unit: Unit, inspecting: bool) -> ReceivingScan:
    if unit.kind is not UnitKind.LOT:
        raise DomainError(ErrorCode.NOT_A_LOT, code=unit.code)
    if inspecting and unit.status is not UnitStatus.QUARANTINE:
        raise DomainError(ErrorCode.LOT_NOT_IN_QUARANTINE, code=unit.code, status=unit.status.value)
    return ReceivingScan(
        ScanKind.OWN_LOT,
        unit.code,
        item_code=unit.item.code if unit.item else None,
        supplier_lot=unit.external_code,
        expires_on=unit.expires_on,
        quantity=unit.quantity,
        status=unit.status.value,
    )


def _supplier_lot_scan(
    session: Session, lot: str, supplier_id: int | None, item: Item | None
) -> ReceivingScan:
    if len(lot) > MAX_SUPPLIER_LOT_LENGTH:
        raise DomainError(ErrorCode.BAD_INPUT, field="supplier_lot", maximum=MAX_SUPPLIER_LOT_LENGTH)
    return _with_earlier(
        session, ReceivingScan(ScanKind.SUPPLIER_LOT, lot, supplier_lot=lot), supplier_id, item
    )


def _label_scan(
    session: Session, gs1: Gs1Data, supplier_id: int | None, inspecting: bool, zone: ZoneInfo
) -> ReceivingScan:
    """A GS1 label: a supplier's (item, lot, dates, quantity) or one of our own lot labels."""
    if gs1.sscc is not None:
        unit = session.scalars(
            select(Unit).where(Unit.code == gs1.sscc).options(joinedload(Unit.item))
        ).first()
        if unit is None:
            raise DomainError(ErrorCode.UNKNOWN_CODE, code=gs1.sscc)
        return _own_lot(unit, inspecting)
    gtin = gs1.gtin or gs1.content_gtin  # a supplier's carton names the item it holds in (02)
    if gtin is None:
        raise DomainError(ErrorCode.UNKNOWN_CODE, code=gs1.element_string)
    item = session.scalars(select(Item).where(Item.gtin == gtin)).first()
    if item is None:
        return ReceivingScan(ScanKind.UNKNOWN_GTIN, gtin, supplier_lot=gs1.lot)
    for own_code in (gs1.serial, gs1.lot):
        statement = select(Unit).where(Unit.code == own_code).options(joinedload(Unit.item))
        unit = session.scalars(statement).first() if own_code else None
        if unit is not None and unit.item_id == item.id:
            return _own_lot(unit, inspecting)
        if unit is not None:  # the label's lot is the code of another item's unit: a wrong label
            raise DomainError(ErrorCode.UNKNOWN_CODE, code=gs1.element_string, gtin=gtin, unit=unit.code)
    kind = _item_kind(item)
    if kind is not ScanKind.ITEM:
        return ReceivingScan(kind, item.code, item_code=item.code)
    expires_on = gs1.expiry or gs1.best_before
    if expires_on is not None and expires_on < _local_today(session, zone):
        raise DomainError(ErrorCode.LOT_EXPIRED, code=gs1.lot or item.code, expires_on=expires_on.isoformat())
    if gs1.lot is not None and len(gs1.lot) > MAX_SUPPLIER_LOT_LENGTH:
        raise DomainError(ErrorCode.BAD_INPUT, field="supplier_lot", maximum=MAX_SUPPLIER_LOT_LENGTH)
    scan = ReceivingScan(
        ScanKind.LABEL,
        gs1.element_string,
        item_code=item.code,
        supplier_lot=gs1.lot,
        manufactured_on=gs1.production_date,
        expires_on=expires_on,
        quantity=gs1.quantity,
    )
    return _with_earlier(session, scan, supplier_id, item) if gs1.lot is not None else scan


def _with_earlier(
    session: Session, scan: ReceivingScan, supplier_id: int | None, item: Item | None
) -> ReceivingScan:
    """The scan with the lots already received under its supplier lot (of that item and supplier)."""
    statement = (
        select(Unit.code, Item.code, Supplier.code)
        .join(EventUnit, EventUnit.unit_id == Unit.id)
        .join(Event, Event.id == EventUnit.event_id)
        .join(Item, Item.id == Unit.item_id)
        .join(Supplier, Supplier.id == Unit.supplier_id)
        .where(Event.event_type == EventType.RECEIVE, Unit.external_code == scan.supplier_lot)
        .order_by(Unit.id)
        .limit(MAX_LISTED)
    )
    if supplier_id is not None:
        statement = statement.where(Unit.supplier_id == supplier_id)
    if item is not None:
        statement = statement.where(Unit.item_id == item.id)
    earlier = session.execute(statement).all()
    if not earlier:
        return scan
    items = {row[1] for row in earlier}
    suppliers = {row[2] for row in earlier}
    return dataclasses.replace(
        scan,
        item_code=scan.item_code or (items.pop() if len(items) == 1 else None),
        supplier_code=scan.supplier_code or (suppliers.pop() if len(suppliers) == 1 else None),
        earlier_lots=tuple(row[0] for row in earlier[:EARLIER_SHOWN]),
        earlier_count=len(earlier),
    )


def _local_today(session: Session, zone: ZoneInfo) -> dt.date:
    """The plant's date by the database clock, the one `receive` judges expiry with."""
    return _database_now(session).astimezone(zone).date()


def _database_now(session: Session) -> dt.datetime:
    if session.get_bind().dialect.name == "sqlite":
        return timestamp(session.scalar(select(func.strftime("%Y-%m-%d %H:%M:%f", "now"))))
    return timestamp(session.scalar(select(func.now())))


@dataclass(frozen=True)
class ReceiptRow:
    """One internal lot received today, as the receiving station lists it."""

    received_at: dt.datetime  # on the plant's wall clock
    lot_code: str
    item_code: str
    item_name_zh: str
    item_name_en: str
    supplier_code: str
    supplier_name_zh: str
    supplier_name_en: str
    supplier_lot: str
    quantity: Decimal  # as received (the lot may have been used since)
    uom: str
    status: str  # now
    expires_on: dt.date | None


@dataclass(frozen=True)
class TodaysReceipts:
    day: dt.date
    rows: tuple[ReceiptRow, ...]  # newest first, at most MAX_LISTED


def todays_receipts(db: Database) -> TodaysReceipts:
    """What was received today, the plant's local day by the database clock, at every station."""
    zone = plant_timezone(db)
    with db.session() as session:
        day = _local_today(session, zone)
        start = dt.datetime.combine(day, dt.time(), zone)
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
        found = session.execute(
            select(Event.occurred_at, EventUnit.quantity, Unit, Item, Supplier)
            .join(EventUnit, EventUnit.event_id == Event.id)
            .join(Unit, Unit.id == EventUnit.unit_id)
            .join(Item, Item.id == Unit.item_id)
            .join(Supplier, Supplier.id == Unit.supplier_id)
            .where(
                Event.event_type == EventType.RECEIVE,
                Event.occurred_at >= start.astimezone(dt.UTC),
                Event.occurred_at < end.astimezone(dt.UTC),
            )
            .order_by(Event.id.desc(), EventUnit.id)
            .limit(MAX_LISTED)
        ).all()
        rows = tuple(
            ReceiptRow(
                received_at=timestamp(occurred_at).astimezone(zone),
                lot_code=unit.code,
                item_code=item.code,
                item_name_zh=item.name_zh,
                item_name_en=item.name_en,
                supplier_code=supplier.code,
                supplier_name_zh=supplier.name_zh,
                supplier_name_en=supplier.name_en,
                supplier_lot=unit.external_code or "",
                quantity=quantity if quantity is not None else unit.initial_quantity,
                uom=unit.uom,
                status=unit.status.value,
                expires_on=unit.expires_on,
            )
            for occurred_at, quantity, unit, item, supplier in found
        )
    return TodaysReceipts(day, rows)


@dataclass(frozen=True)
class QuarantinedLot:
    """A received lot waiting for incoming inspection."""

    lot_code: str
    item_code: str
    item_name_zh: str
    item_name_en: str
    supplier_code: str | None
    supplier_lot: str | None
    quantity: Decimal
    uom: str
    received_at: dt.datetime  # on the plant's wall clock
    expires_on: dt.date | None


def quarantined_lots(db: Database) -> tuple[QuarantinedLot, ...]:
    """Every lot waiting for incoming inspection, oldest first (the first to be inspected)."""
    zone = plant_timezone(db)
    with db.session() as session:
        found = session.execute(
            select(Unit, Item, Supplier.code)
            .join(Item, Item.id == Unit.item_id)
            .outerjoin(Supplier, Supplier.id == Unit.supplier_id)
            .where(Unit.kind == UnitKind.LOT, Unit.status == UnitStatus.QUARANTINE)
            .order_by(Unit.created_at, Unit.id)
            .limit(MAX_LISTED)
        ).all()
        return tuple(
            QuarantinedLot(
                lot_code=unit.code,
                item_code=item.code,
                item_name_zh=item.name_zh,
                item_name_en=item.name_en,
                supplier_code=supplier_code,
                supplier_lot=unit.external_code,
                quantity=unit.quantity,
                uom=unit.uom,
                received_at=timestamp(unit.created_at).astimezone(zone),
                expires_on=unit.expires_on,
            )
            for unit, item, supplier_code in found
        )
