"""Receiving (原材料入库): supplier lots in, internal lots out; incoming inspection releases or rejects."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from models.actions import QUALITY, Ctx, operation
from models.errors import DomainError, ErrorCode
from models.lookup import (
    EXACT_LIMIT,
    item_by_code,
    positive_quantity,
    require_reason,
    supplier_by_code,
    unit_by_code,
)
from models.numbering import NumberingContext, allocate
from models.schema import EventRole, EventType, InspectionResult, Tracking, Unit, UnitKind, UnitStatus
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
) -> ReceiveResult:
    """Register a supplier lot as `packages` internal lots, each with its own label.

    The quantity is split evenly to the unit of measure's 6 decimals; the last package takes the
    remainder so that the lots add up to exactly what arrived.
    """
    item = item_by_code(ctx.session, item_code)
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
    numbers = {}
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
