"""Work orders (投料/报工): feed material, assemble components, report steps, make serials and lots.

A work order's consumed material links into its production lot (a unit of its own), and every
serial or output lot it makes links out of that production lot: the trace engine reads these as
"may contain". Assembling a component serial into a product serial links the two directly:
"contains". Never the one widened into the other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from models.actions import PLANNING, Ctx, operation
from models.errors import DomainError, ErrorCode
from models.lookup import (
    EXACT_LIMIT,
    equipment_by_code,
    expired_on,
    item_by_code,
    plain,
    positive_quantity,
    refuse_unusable,
    require_reason,
    routing_step,
    unit_by_code,
    work_order_by_code,
)
from models.numbering import NumberingContext, allocate
from models.schema import (
    BomLine,
    BomSubstitute,
    Event,
    EventRole,
    EventType,
    EventUnit,
    InspectionCharacteristic,
    InspectionResult,
    Item,
    Line,
    Link,
    LinkLevel,
    RoutingStep,
    StepResult,
    Tracking,
    Unit,
    UnitKind,
    UnitStatus,
    WorkOrder,
    WorkOrderStatus,
)
from models.units import make_unit

MAX_SERIALS_PER_ACTION = 10_000
QUANTUM = Decimal("0.000001")  # the precision of every stored quantity (models.lookup.positive_quantity)
PRODUCTION_LOT_SUFFIX = "-P"
# What the columns hold: PostgreSQL refuses a longer code or reason, or a larger measured value, with
# a raw database error (SQLite keeps them silently), so the operations refuse them first.
MAX_CODE_LENGTH: int = Unit.__table__.c.code.type.length  # type: ignore[attr-defined]
MAX_REASON_LENGTH: int = StepResult.__table__.c.scrap_reason.type.length  # type: ignore[attr-defined]


@dataclass(frozen=True)
class WorkOrderResult:
    code: str
    item_code: str
    status: str
    production_lot_code: str
    unfinished_serials: int = 0


@dataclass(frozen=True)
class FeedResult:
    work_order_code: str
    lot_code: str
    item_code: str
    quantity: Decimal
    lot_remaining: Decimal
    fed_total: Decimal  # of the lot's own item
    # The BOM line fed (its main component; the lot may be a substitute) and what it still needs
    # after this feed: the station says so. Defaults: results recorded before these existed.
    uom: str = ""
    component_code: str = ""
    line_remaining: Decimal = Decimal(0)


@dataclass(frozen=True)
class AssembleResult:
    product_code: str
    component_code: str
    component_item_code: str
    assembled: int
    required: Decimal


@dataclass(frozen=True)
class SerialsResult:
    work_order_code: str
    codes: list[str]
    status: str


@dataclass(frozen=True)
class StepReportResult:
    work_order_code: str
    step_code: str
    good_total: Decimal
    scrap_total: Decimal


@dataclass(frozen=True)
class SerialReportResult:
    serial_code: str
    step_code: str
    passed: bool
    status: str
    failed_checks: list[str] = field(default_factory=list)
    remaining_steps: list[str] = field(default_factory=list)
    # An out-of-limit reading recorded to be measured again (`report_serial(remeasure=True)`): the
    # unit has not failed, `remeasures_left` more out-of-limit readings are re-measured too.
    remeasure: bool = False
    remeasures_left: int = 0


@dataclass(frozen=True)
class CompleteResult:
    work_order_code: str
    lot_code: str
    quantity: Decimal
    work_order_status: str


@dataclass(frozen=True)
class FitResult:
    """A component fitted, and the product's step reported if that fit completed its components."""

    assembled: AssembleResult
    report: SerialReportResult | None = None


@operation("create_work_order", PLANNING)
def create_work_order(
    ctx: Ctx,
    *,
    code: str,
    item_code: str,
    quantity: Decimal | int | str,
    line_code: str | None = None,
    release: bool = True,
) -> WorkOrderResult:
    code = (code or "").strip()
    if not code:
        raise DomainError(ErrorCode.BAD_INPUT, field="code")
    if len(code) + len(PRODUCTION_LOT_SUFFIX) > MAX_CODE_LENGTH:
        raise DomainError(
            ErrorCode.BAD_INPUT, field="code", maximum=MAX_CODE_LENGTH - len(PRODUCTION_LOT_SUFFIX)
        )
    if ctx.session.scalar(select(WorkOrder.id).where(WorkOrder.code == code)) is not None:
        raise DomainError(ErrorCode.WORK_ORDER_EXISTS, work_order=code)
    item = item_by_code(ctx.session, item_code)
    if item.tracking is Tracking.NONE:
        raise DomainError(ErrorCode.ITEM_NOT_LOT_TRACKED, item=item.code)
    planned = positive_quantity(quantity)
    if item.tracking is Tracking.SERIAL and planned != planned.to_integral_value():
        raise DomainError(ErrorCode.BAD_QUANTITY, quantity=str(planned))
    line = None
    if line_code:
        line = ctx.session.scalars(select(Line).where(Line.code == line_code)).first()
        if line is None:
            raise DomainError(ErrorCode.BAD_INPUT, field="line", line=line_code)
    work_order = WorkOrder(
        code=code,
        item=item,  # the relationship, not only its id: the result reads it (relationships never lazy-load)
        site_id=ctx.site.id,
        line_id=line.id if line else ctx.station.line_id,
        quantity_planned=planned,
        status=WorkOrderStatus.RELEASED if release else WorkOrderStatus.PLANNED,
        created_at=ctx.now,
        serials_created=0,
        quantity_completed=Decimal(0),
        quantity_scrapped=Decimal(0),
    )
    ctx.session.add(work_order)
    ctx.session.flush()
    production_lot = make_unit(
        ctx,
        code=f"{code}{PRODUCTION_LOT_SUFFIX}",
        kind=UnitKind.LOT,
        item=item,
        status=UnitStatus.WIP,
        quantity=Decimal(0),
        work_order_id=work_order.id,
    )
    ctx.session.flush()
    work_order.production_lot_id = production_lot.id
    ctx.event(
        EventType.WORK_ORDER,
        [(production_lot, EventRole.OBJECT, None)],
        work_order_id=work_order.id,
        disposition="in_progress" if release else None,
        detail={"status": work_order.status.value, "planned": str(planned)},
    )
    return _work_order_result(work_order, production_lot)


@operation("release_work_order", PLANNING)
def release_work_order(ctx: Ctx, *, work_order_code: str) -> WorkOrderResult:
    work_order = work_order_by_code(ctx.session, work_order_code, lock=True)
    if work_order.status is not WorkOrderStatus.PLANNED:
        raise DomainError(
            ErrorCode.WORK_ORDER_COMPLETE
            if work_order.status is WorkOrderStatus.COMPLETED
            else ErrorCode.BAD_INPUT,
            work_order=work_order.code,
            status=work_order.status.value,
        )
    work_order.status = WorkOrderStatus.RELEASED
    production_lot = _production_lot(ctx, work_order)
    ctx.event(
        EventType.WORK_ORDER,
        [(production_lot, EventRole.OBJECT, None)],
        work_order_id=work_order.id,
        disposition="in_progress",
        detail={"status": work_order.status.value},
    )
    return _work_order_result(work_order, production_lot)


@operation("close_work_order", PLANNING)
def close_work_order(ctx: Ctx, *, work_order_code: str) -> WorkOrderResult:
    """Complete a work order: nothing more can be fed, reported or made against it."""
    work_order = work_order_by_code(ctx.session, work_order_code, lock=True)
    _require_open(work_order)
    work_order.status = WorkOrderStatus.COMPLETED
    production_lot = _production_lot(ctx, work_order)
    _retire(production_lot)
    unfinished = ctx.session.scalar(
        select(func.count(Unit.id)).where(
            Unit.work_order_id == work_order.id,
            Unit.kind == UnitKind.SERIAL,
            (Unit.status == UnitStatus.WIP)
            | ((Unit.status == UnitStatus.ON_HOLD) & (Unit.held_from_status == UnitStatus.WIP)),
        )
    )
    ctx.event(
        EventType.WORK_ORDER,
        [(production_lot, EventRole.OBJECT, None)],
        work_order_id=work_order.id,
        disposition="completed",
        detail={"status": work_order.status.value, "unfinished_serials": unfinished},
    )
    return _work_order_result(work_order, production_lot, unfinished or 0)


@operation("feed")
def feed(
    ctx: Ctx,
    *,
    work_order_code: str,
    lot_code: str,
    quantity: Decimal | int | str | None = None,
    equipment_code: str | None = None,
) -> FeedResult:
    """Consume a quantity of a material lot into the work order (a lot-level genealogy link).

    Without a quantity it takes what the lot's BOM line still needs (substitutes count), at most
    what the lot holds: worked out here, under the work order's lock, because a station's picture
    may be stale (another station fed the line meanwhile) and a guess made there would overfeed.
    A typed quantity is taken as typed, even beyond the line's need (the operator's call).
    """
    work_order = work_order_by_code(ctx.session, work_order_code, lock=True)
    _require_open(work_order)
    lot = unit_by_code(ctx.session, lot_code, joinedload(Unit.item), lock=True)
    if lot.kind is not UnitKind.LOT or lot.item is None:
        raise DomainError(ErrorCode.NOT_A_LOT, code=lot.code)
    line = _bom_line_for(ctx, work_order.item, lot.item)
    if lot.status is UnitStatus.ON_HOLD:
        raise DomainError(ErrorCode.LOT_ON_HOLD, code=lot.code)
    if lot.status is not UnitStatus.RELEASED:
        raise DomainError(ErrorCode.LOT_NOT_RELEASED, code=lot.code, status=lot.status.value)
    expired = expired_on(lot, ctx.local_date)
    if expired is not None:
        raise DomainError(ErrorCode.LOT_EXPIRED, code=lot.code, expires_on=expired.isoformat())
    production_lot = _production_lot(ctx, work_order)
    required = work_order.quantity_planned * line.quantity_per
    line_fed = _line_fed(ctx, production_lot, line)
    if quantity is None:
        amount = _needed(work_order, line, lot, required, line_fed)
    else:
        amount = positive_quantity(quantity)
    if amount > lot.quantity:
        raise DomainError(
            ErrorCode.LOT_INSUFFICIENT_QUANTITY,
            code=lot.code,
            available=str(lot.quantity),
            requested=str(amount),
        )
    equipment = equipment_by_code(ctx.session, equipment_code)
    lot.quantity -= amount
    if lot.quantity == 0:
        lot.status = UnitStatus.CONSUMED
    event = ctx.event(
        EventType.CONSUME,
        [(lot, EventRole.INPUT, amount), (production_lot, EventRole.OUTPUT, None)],
        work_order_id=work_order.id,
        equipment_id=equipment.id if equipment else None,
        biz_step="assembling" if work_order.item.tracking is Tracking.SERIAL else "creating_class_instance",
    )
    ctx.link(lot, production_lot, LinkLevel.LOT, event, amount)
    ctx.session.flush()
    fed_total = ctx.session.execute(
        select(func.coalesce(func.sum(Link.quantity), 0))
        .join(Unit, Unit.id == Link.input_unit_id)
        .where(Link.output_unit_id == production_lot.id, Unit.item_id == lot.item_id)
    ).scalar_one()  # an aggregate: always one row
    return FeedResult(
        work_order_code=work_order.code,
        lot_code=lot.code,
        item_code=lot.item.code,
        quantity=amount,
        lot_remaining=lot.quantity,
        fed_total=Decimal(fed_total or 0),  # coalesce makes it 0, never NULL; the type cannot say so
        uom=line.component.uom,
        component_code=line.component.code,
        line_remaining=_still_needed(required, line_fed + amount),
    )


def _line_fed(ctx: Ctx, production_lot: Unit, line: BomLine) -> Decimal:
    """What lots of the line's items (its component and its substitutes) have fed the work order."""
    accepted = {line.component_item_id, *(substitute.item_id for substitute in line.substitutes)}
    total = ctx.session.scalar(
        select(func.coalesce(func.sum(Link.quantity), 0))
        .join(Unit, Unit.id == Link.input_unit_id)
        .where(
            Link.output_unit_id == production_lot.id,
            Link.level == LinkLevel.LOT,
            Unit.item_id.in_(accepted),
        )
    )
    # SQLite may sum NUMERIC as a float: back to the six decimals every quantity is stored with.
    return Decimal(str(total)).quantize(QUANTUM)


def _still_needed(required: Decimal, fed: Decimal) -> Decimal:
    """A line's remaining need, up to the six decimals a quantity is stored with: a need of
    0.4999995 (a planned quantity times a quantity per unit) takes 0.5, never leaving a remainder
    too small ever to feed."""
    return max(required - fed, Decimal(0)).quantize(QUANTUM, rounding=ROUND_CEILING)


def _needed(work_order: WorkOrder, line: BomLine, lot: Unit, required: Decimal, line_fed: Decimal) -> Decimal:
    """A feed without a quantity: the line's remaining need, at most the lot; refused when that is
    nothing (the line is fed in full, or the lot is empty) rather than recording a feed of zero."""
    remaining = _still_needed(required, line_fed)
    if not remaining:
        uom = line.component.uom
        raise DomainError(
            ErrorCode.QUANTITY_EXCEEDS_ORDER,
            work_order=work_order.code,
            planned=f"{plain(required)} {uom} {line.component.code}",
            reported=f"{plain(line_fed + lot.quantity)} {uom}",
        )
    if not lot.quantity:
        raise DomainError(
            ErrorCode.LOT_INSUFFICIENT_QUANTITY,
            code=lot.code,
            available=str(plain(lot.quantity)),
            requested=str(plain(remaining)),
        )
    return min(remaining, lot.quantity)


@operation("assemble")
def assemble(
    ctx: Ctx, *, product_code: str, component_code: str, equipment_code: str | None = None
) -> AssembleResult:
    """Build one component serial into one product serial: a unit-level link ("contains")."""
    product = unit_by_code(ctx.session, product_code, lock=True)
    if product.kind is not UnitKind.SERIAL:
        raise DomainError(ErrorCode.NOT_A_SERIAL, code=product.code)
    work_order = _serial_work_order(ctx, product)
    _refuse_unless_on_route(product)
    component = unit_by_code(ctx.session, component_code, joinedload(Unit.item), lock=True)
    if component.kind is not UnitKind.SERIAL or component.item is None:
        raise DomainError(ErrorCode.NOT_A_SERIAL, code=component.code)
    if component.id == product.id:
        raise DomainError(ErrorCode.BAD_INPUT, code=component.code, field="component")
    bom_line = _bom_line_for(ctx, work_order.item, component.item)
    if component.status is UnitStatus.CONSUMED:
        raise DomainError(ErrorCode.SERIAL_ALREADY_USED, code=component.code)
    refuse_unusable(component, ctx.local_date)
    accepted = {bom_line.component_item_id, *(sub.item_id for sub in bom_line.substitutes)}
    assembled = ctx.session.execute(
        select(func.count(Link.id))
        .join(Unit, Unit.id == Link.input_unit_id)
        .where(Link.output_unit_id == product.id, Link.level == LinkLevel.UNIT, Unit.item_id.in_(accepted))
    ).scalar_one()
    if assembled + 1 > bom_line.quantity_per:
        raise DomainError(
            ErrorCode.COMPONENT_COUNT_EXCEEDED,
            product=product.code,
            item=component.item.code,
            required=str(bom_line.quantity_per),
        )
    equipment = equipment_by_code(ctx.session, equipment_code)
    component.status = UnitStatus.CONSUMED
    component.quantity = Decimal(0)
    event = ctx.event(
        EventType.CONSUME,
        [(component, EventRole.INPUT, Decimal(1)), (product, EventRole.OUTPUT, None)],
        work_order_id=work_order.id,
        equipment_id=equipment.id if equipment else None,
        biz_step="assembling",
    )
    ctx.link(component, product, LinkLevel.UNIT, event, Decimal(1))
    return AssembleResult(
        product_code=product.code,
        component_code=component.code,
        component_item_code=component.item.code,
        assembled=assembled + 1,
        required=bom_line.quantity_per,
    )


@operation("fit_component")
def fit_component(
    ctx: Ctx,
    *,
    product_code: str,
    component_code: str,
    step_code: str | None = None,
    equipment_code: str | None = None,
) -> FitResult:
    """The scan of a component at a product's assembly step: one operator action, one transaction.

    It is assembled like `assemble`; when it was the last serialized component the product's BOM
    asks for and a `step_code` is given, that step is reported passed like `report_serial` in the
    same transaction, so the operator's one scan records both or neither.
    """
    fitted = assemble.__wrapped__(  # type: ignore[attr-defined]
        ctx, product_code=product_code, component_code=component_code, equipment_code=equipment_code
    )
    if step_code is None or _serial_components_missing(ctx, fitted.product_code):
        return FitResult(fitted)
    report = report_serial.__wrapped__(  # type: ignore[attr-defined]
        ctx, serial_code=fitted.product_code, step_code=step_code, equipment_code=equipment_code
    )
    return FitResult(fitted, report)


@operation("create_serials")
def create_serials(ctx: Ctx, *, work_order_code: str, count: int = 1) -> SerialsResult:
    """Commission serials for a work order by its item's rule, each linked to the production lot.

    The numbers come from the rule's counter locked in this transaction, in one block, so a burst
    of labels costs one counter round trip and no two stations ever draw the same number.
    """
    work_order = work_order_by_code(ctx.session, work_order_code, lock=True)
    _require_open(work_order)
    item = work_order.item
    if item.tracking is not Tracking.SERIAL:
        raise DomainError(ErrorCode.ITEM_NOT_SERIALIZED, item=item.code)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_SERIALS_PER_ACTION:
        raise DomainError(ErrorCode.BAD_QUANTITY, quantity=count, maximum=MAX_SERIALS_PER_ACTION)
    if work_order.serials_created + count > work_order.quantity_planned:
        raise DomainError(
            ErrorCode.SERIAL_COUNT_EXCEEDED,
            work_order=work_order.code,
            planned=str(plain(work_order.quantity_planned)),
            created=work_order.serials_created,
            requested=count,
        )
    if item.serial_rule is None:
        raise DomainError(ErrorCode.NO_NUMBERING_RULE, item=item.code)
    status = UnitStatus.WIP if _mandatory_steps(ctx, item) else UnitStatus.RELEASED
    production_lot = _production_lot(ctx, work_order)
    # Drawn after every read: the counter's row lock is held until commit, and every station
    # numbering by this rule waits for it, so the less work after the draw the better.
    codes = allocate(ctx.session, item.serial_rule, _numbering_context(ctx, work_order), count)
    serials = [
        _born_under_hold(
            production_lot,
            make_unit(
                ctx,
                code=code,
                kind=UnitKind.SERIAL,
                item=item,
                status=status,
                quantity=Decimal(1),
                work_order_id=work_order.id,
                manufactured_on=ctx.local_date,
                expires_on=_expiry(ctx, item),
            ),
        )
        for code in codes
    ]
    work_order.serials_created += count
    if status is UnitStatus.RELEASED:
        work_order.quantity_completed += count
    ctx.session.flush()
    event = ctx.event(
        EventType.COMMISSION,
        [
            (production_lot, EventRole.INPUT, None),
            *((serial, EventRole.OUTPUT, Decimal(1)) for serial in serials),
        ],
        work_order_id=work_order.id,
        biz_step="commissioning",
        disposition="active",
    )
    for serial in serials:
        ctx.link(production_lot, serial, LinkLevel.LOT, event)
    return SerialsResult(work_order_code=work_order.code, codes=codes, status=serials[0].status.value)


@operation("report_step")
def report_step(
    ctx: Ctx,
    *,
    work_order_code: str,
    step_code: str,
    good_quantity: Decimal | int | str,
    scrap_quantity: Decimal | int | str = 0,
    scrap_reason: str | None = None,
    equipment_code: str | None = None,
) -> StepReportResult:
    """Report good and scrap quantities at a step of a lot-tracked work order."""
    work_order = work_order_by_code(ctx.session, work_order_code, lock=True)
    _require_open(work_order)
    if work_order.item.tracking is not Tracking.LOT:
        raise DomainError(
            ErrorCode.ITEM_NOT_LOT_TRACKED, item=work_order.item.code, hint="report each serial"
        )
    step = routing_step(ctx.session, work_order.item, step_code)
    good = positive_quantity(good_quantity, allow_zero=True)
    scrap = positive_quantity(scrap_quantity, allow_zero=True)
    if good + scrap == 0:
        raise DomainError(ErrorCode.BAD_QUANTITY, quantity="0")
    reason = _reason_code(scrap_reason) if scrap else None
    good_before, scrap_before = _step_totals(ctx, work_order, step)
    if good_before + good > work_order.quantity_planned:
        raise DomainError(
            ErrorCode.QUANTITY_EXCEEDS_ORDER,
            work_order=work_order.code,
            planned=str(plain(work_order.quantity_planned)),
            reported=str(good_before + good),
        )
    equipment = equipment_by_code(ctx.session, equipment_code)
    production_lot = _production_lot(ctx, work_order)
    event = ctx.event(
        EventType.REPORT,
        [(production_lot, EventRole.OBJECT, good)],
        work_order_id=work_order.id,
        routing_step_id=step.id,
        equipment_id=equipment.id if equipment else None,
        reason_code=reason,
        biz_step="inspecting",
        detail={"good": str(good), "scrap": str(scrap)},
    )
    ctx.session.add(
        StepResult(
            event_id=event.id,
            work_order_id=work_order.id,
            routing_step_id=step.id,
            good_quantity=good,
            scrap_quantity=scrap,
            scrap_reason=reason,
        )
    )
    work_order.quantity_scrapped += scrap
    return StepReportResult(
        work_order_code=work_order.code,
        step_code=step.code,
        good_total=good_before + good,
        scrap_total=scrap_before + scrap,
    )


@operation("report_serial")
def report_serial(
    ctx: Ctx,
    *,
    serial_code: str,
    step_code: str,
    passed: bool = True,
    measurements: dict[str, Decimal | int | float | str] | None = None,
    failure_reason: str | None = None,
    equipment_code: str | None = None,
    remeasure: bool = False,
) -> SerialReportResult:
    """Pass or fail one serial at one step, its measurements judged against the step's limits.

    A failure is recorded, not refused: the serial becomes FAILED and can never be packed or
    shipped. What is refused is a step reported out of order (a mandatory step before it not yet
    passed) or a step passed twice.

    `remeasure` (a station, where someone can measure again): a reading out of its limits fails
    the unit only once the step's `remeasures` are used up. Until then it is recorded on its own,
    an INSPECT event (reason REMEASURE) with its inspection results, and the unit stays where it
    was: an auditor sees every reading, the ones measured again included, and the count is the
    database's, not the screen's, so a login or a restart in between does not reset it. The final
    REPORT names those events in its detail. An operator's failure (`passed=False`) is at once.
    """
    serial = unit_by_code(ctx.session, serial_code, joinedload(Unit.item), lock=True)
    if serial.kind is not UnitKind.SERIAL or serial.item is None:
        raise DomainError(ErrorCode.NOT_A_SERIAL, code=serial.code)
    work_order = _serial_work_order(ctx, serial)
    _refuse_unless_on_route(serial)
    step = routing_step(ctx.session, serial.item, step_code)
    passed_steps = set(
        ctx.session.scalars(
            select(StepResult.routing_step_id).where(
                StepResult.unit_id == serial.id, StepResult.passed.is_(True)
            )
        )
    )
    if step.id in passed_steps:
        raise DomainError(ErrorCode.STEP_ALREADY_PASSED, code=serial.code, step=step.code)
    steps = list(
        ctx.session.scalars(
            select(RoutingStep).where(RoutingStep.item_id == serial.item_id).order_by(RoutingStep.seq)
        )
    )
    skipped = [s.code for s in steps if s.mandatory and s.seq < step.seq and s.id not in passed_steps]
    if skipped:
        raise DomainError(ErrorCode.STEP_SKIPPED, code=serial.code, step=step.code, missing=skipped)

    values = _measured_values(step, measurements or {})
    failed_checks = [
        name
        for name, (value, characteristic) in values.items()
        if (characteristic.lower_limit is not None and value < characteristic.lower_limit)
        or (characteristic.upper_limit is not None and value > characteristic.upper_limit)
    ]
    verdict = passed and not failed_checks
    if not passed:
        failure_reason = _reason_code(failure_reason)
    elif failed_checks:
        failure_reason = _reason_code(failure_reason) if (failure_reason or "").strip() else "OUT_OF_LIMITS"
    equipment = equipment_by_code(ctx.session, equipment_code)
    remeasured = _remeasure_events(ctx, serial, step)
    if remeasure and passed and failed_checks and len(remeasured) < step.remeasures:
        event = ctx.event(
            EventType.INSPECT,
            [(serial, EventRole.OBJECT, None)],
            work_order_id=work_order.id,
            routing_step_id=step.id,
            equipment_id=equipment.id if equipment else None,
            reason_code=REMEASURE,
            biz_step="inspecting",
            disposition="in_progress",
            detail={"remeasure": len(remeasured) + 1, "allowed": step.remeasures},
        )
        ctx.session.add_all(_inspection_results(event.id, serial.id, None, values, failed_checks))
        return SerialReportResult(
            serial_code=serial.code,
            step_code=step.code,
            passed=False,
            status=serial.status.value,
            failed_checks=failed_checks,
            remaining_steps=[s.code for s in steps if s.mandatory and s.id not in passed_steps],
            remeasure=True,
            remeasures_left=step.remeasures - len(remeasured) - 1,
        )
    event = ctx.event(
        EventType.REPORT,
        [(serial, EventRole.OBJECT, None)],
        work_order_id=work_order.id,
        routing_step_id=step.id,
        equipment_id=equipment.id if equipment else None,
        reason_code=None if verdict else failure_reason,
        biz_step="inspecting",
        disposition="active" if verdict else "non_conformant",
        **({"detail": {"remeasured_events": remeasured}} if remeasured else {}),
    )
    result = StepResult(
        event_id=event.id,
        work_order_id=work_order.id,
        routing_step_id=step.id,
        unit_id=serial.id,
        good_quantity=Decimal(1 if verdict else 0),
        scrap_quantity=Decimal(0),
        scrap_reason=None if verdict else failure_reason,
        passed=verdict,
    )
    ctx.session.add(result)
    ctx.session.flush()
    ctx.session.add_all(_inspection_results(event.id, serial.id, result.id, values, failed_checks))
    if verdict:
        passed_steps.add(step.id)
    remaining = [s.code for s in steps if s.mandatory and s.id not in passed_steps]
    if not verdict:
        if serial.status is UnitStatus.RELEASED:  # it was counted complete when it left its route
            work_order.quantity_completed -= 1
        serial.status = UnitStatus.FAILED
    elif serial.status is UnitStatus.WIP and not remaining:
        _refuse_missing_components(ctx, work_order, serial)
        serial.status = UnitStatus.RELEASED
        work_order.quantity_completed += 1
    return SerialReportResult(
        serial_code=serial.code,
        step_code=step.code,
        passed=verdict,
        status=serial.status.value,
        failed_checks=failed_checks,
        remaining_steps=remaining,
    )


REMEASURE = "REMEASURE"  # the reason of an out-of-limit reading recorded to be measured again


def _remeasure_events(ctx: Ctx, serial: Unit, step: RoutingStep) -> list[int]:
    """The ids of the readings of `serial` at `step` recorded to be measured again, oldest first."""
    return list(
        ctx.session.scalars(
            select(Event.id)
            .join(EventUnit, EventUnit.event_id == Event.id)
            .where(
                EventUnit.unit_id == serial.id,
                Event.event_type == EventType.INSPECT,
                Event.routing_step_id == step.id,
                Event.reason_code == REMEASURE,
            )
            .order_by(Event.id)
        )
    )


@operation("complete_lot")
def complete_lot(
    ctx: Ctx,
    *,
    work_order_code: str,
    quantity: Decimal | int | str,
    close: bool = False,
    expires_on: dt.date | None = None,
) -> CompleteResult:
    """Put good output of a lot-tracked work order into stock as an output lot of its own."""
    work_order = work_order_by_code(ctx.session, work_order_code, lock=True)
    _require_open(work_order)
    item = work_order.item
    if item.tracking is not Tracking.LOT:
        raise DomainError(ErrorCode.ITEM_NOT_LOT_TRACKED, item=item.code)
    amount = positive_quantity(quantity)
    if expires_on is not None and (
        not isinstance(expires_on, dt.date)
        or isinstance(expires_on, dt.datetime)
        or expires_on < ctx.local_date
    ):
        raise DomainError(
            ErrorCode.BAD_DATE, expires_on=str(expires_on), manufactured_on=ctx.local_date.isoformat()
        )
    completed = work_order.quantity_completed + amount
    if completed > work_order.quantity_planned:
        raise DomainError(
            ErrorCode.QUANTITY_EXCEEDS_ORDER,
            work_order=work_order.code,
            planned=str(plain(work_order.quantity_planned)),
            reported=str(completed),
        )
    for step in _mandatory_steps(ctx, item):
        good, _ = _step_totals(ctx, work_order, step)
        if good < completed:
            raise DomainError(
                ErrorCode.STEP_SKIPPED,
                code=work_order.code,
                step=step.code,
                missing=[step.code],
                reported=str(good),
            )
    if item.lot_rule is None:
        raise DomainError(ErrorCode.NO_NUMBERING_RULE, item=item.code)
    _refuse_missing_components(ctx, work_order, None)
    production_lot = _production_lot(ctx, work_order)
    (code,) = allocate(ctx.session, item.lot_rule, _numbering_context(ctx, work_order), 1)
    output = _born_under_hold(
        production_lot,
        make_unit(
            ctx,
            code=code,
            kind=UnitKind.LOT,
            item=item,
            status=UnitStatus.QUARANTINE if item.requires_inspection else UnitStatus.RELEASED,
            quantity=amount,
            work_order_id=work_order.id,
            manufactured_on=ctx.local_date,
            expires_on=expires_on or _expiry(ctx, item),
        ),
    )
    ctx.session.flush()
    event = ctx.event(
        EventType.PRODUCE,
        [(production_lot, EventRole.INPUT, None), (output, EventRole.OUTPUT, amount)],
        work_order_id=work_order.id,
        biz_step="creating_class_instance",
        disposition="active",
    )
    ctx.link(production_lot, output, LinkLevel.LOT, event, amount)
    work_order.quantity_completed = completed
    if close:
        work_order.status = WorkOrderStatus.COMPLETED
        _retire(production_lot)
        ctx.event(
            EventType.WORK_ORDER,
            [(production_lot, EventRole.OBJECT, None)],
            work_order_id=work_order.id,
            disposition="completed",
            detail={"status": work_order.status.value},
        )
    return CompleteResult(
        work_order_code=work_order.code,
        lot_code=code,
        quantity=amount,
        work_order_status=work_order.status.value,
    )


# --- shared rules -------------------------------------------------------------------------------


def _work_order_result(work_order: WorkOrder, production_lot: Unit, unfinished: int = 0) -> WorkOrderResult:
    return WorkOrderResult(
        code=work_order.code,
        item_code=work_order.item.code,
        status=work_order.status.value,
        production_lot_code=production_lot.code,
        unfinished_serials=unfinished,
    )


def _require_open(work_order: WorkOrder) -> None:
    if work_order.status is WorkOrderStatus.COMPLETED:
        raise DomainError(ErrorCode.WORK_ORDER_COMPLETE, work_order=work_order.code)
    if work_order.status is not WorkOrderStatus.RELEASED:
        raise DomainError(ErrorCode.WORK_ORDER_NOT_RELEASED, work_order=work_order.code)


def _serial_work_order(ctx: Ctx, serial: Unit) -> WorkOrder:
    """The serial's work order, locked: report_serial counts finished serials on it, and two
    stations finishing serials of one work order must not both write the count they read."""
    work_order = (
        ctx.session.get(
            WorkOrder,
            serial.work_order_id,
            # selectin, not joined: the lock is the work order's, never its item's
            options=[selectinload(WorkOrder.item)],
            with_for_update=True,
            populate_existing=True,
        )
        if serial.work_order_id
        else None
    )
    if work_order is None:
        raise DomainError(ErrorCode.SERIAL_NOT_OF_WORK_ORDER, code=serial.code)
    _require_open(work_order)
    return work_order


def _refuse_unless_on_route(serial: Unit) -> None:
    """A serial can be worked on while in production or finished but not yet packed."""
    if serial.status in (UnitStatus.WIP, UnitStatus.RELEASED):
        return
    if serial.status is UnitStatus.FAILED:
        raise DomainError(ErrorCode.SERIAL_FAILED, code=serial.code)
    if serial.status is UnitStatus.ON_HOLD:
        raise DomainError(ErrorCode.UNIT_ON_HOLD, code=serial.code, status=serial.status.value)
    if serial.status is UnitStatus.SCRAPPED:
        raise DomainError(ErrorCode.UNIT_SCRAPPED, code=serial.code, status=serial.status.value)
    if serial.status is UnitStatus.SHIPPED:
        raise DomainError(ErrorCode.ALREADY_SHIPPED, code=serial.code, status=serial.status.value)
    if serial.status is UnitStatus.PACKED:
        raise DomainError(ErrorCode.UNIT_ALREADY_PACKED, code=serial.code, status=serial.status.value)
    raise DomainError(ErrorCode.SERIAL_ALREADY_USED, code=serial.code, status=serial.status.value)


def _retire(production_lot: Unit) -> None:
    """A completed work order's production lot is used up; a hold on it stays until released."""
    if production_lot.status is UnitStatus.ON_HOLD:
        production_lot.held_from_status = UnitStatus.CONSUMED
    else:
        production_lot.status = UnitStatus.CONSUMED


def _born_under_hold(production_lot: Unit, unit: Unit) -> Unit:
    """What a held work order makes is held too: a hold on its material reaches future output."""
    if production_lot.status is UnitStatus.ON_HOLD:
        unit.held_from_status = unit.status
        unit.status = UnitStatus.ON_HOLD
    return unit


def _refuse_missing_components(ctx: Ctx, work_order: WorkOrder, serial: Unit | None) -> None:
    """A unit leaves production only with what its BOM says must be scanned into it.

    Serialized components must be assembled into this very serial, as many as the BOM says;
    lot-tracked ones must have been fed to its work order. Untracked ones (screws) need nothing.
    """
    lines = ctx.session.scalars(
        select(BomLine)
        .where(BomLine.parent_item_id == work_order.item_id, BomLine.must_scan.is_(True))
        .order_by(BomLine.id)
    ).all()
    missing = []
    for line in lines:
        if line.component.tracking is Tracking.NONE:
            continue
        accepted = {line.component_item_id, *(substitute.item_id for substitute in line.substitutes)}
        if line.component.tracking is Tracking.SERIAL and serial is not None:
            output, level = serial.id, LinkLevel.UNIT
        else:
            output, level = _production_lot_id(work_order), LinkLevel.LOT
        present = ctx.session.execute(
            select(func.count(Link.id))
            .join(Unit, Unit.id == Link.input_unit_id)
            .where(Link.output_unit_id == output, Link.level == level, Unit.item_id.in_(accepted))
        ).scalar_one()
        needed = line.quantity_per if level is LinkLevel.UNIT else 1
        if present < needed:
            missing.append(line.component.code)
    if missing:
        code = serial.code if serial is not None else work_order.code
        raise DomainError(ErrorCode.COMPONENTS_MISSING, code=code, missing=missing)


def _serial_components_missing(ctx: Ctx, product_code: str) -> bool:
    """Whether a product serial still lacks serialized components its BOM says to scan into it."""
    product = unit_by_code(ctx.session, product_code)
    lines = ctx.session.scalars(
        select(BomLine).where(BomLine.parent_item_id == product.item_id, BomLine.must_scan.is_(True))
    ).all()
    for line in lines:
        if line.component.tracking is not Tracking.SERIAL:
            continue
        accepted = {line.component_item_id, *(substitute.item_id for substitute in line.substitutes)}
        present = ctx.session.execute(
            select(func.count(Link.id))
            .join(Unit, Unit.id == Link.input_unit_id)
            .where(Link.output_unit_id == product.id, Link.level == LinkLevel.UNIT)
            .where(Unit.item_id.in_(accepted))
        ).scalar_one()
        if present < line.quantity_per:
            return True
    return False


def _bom_line_for(ctx: Ctx, product: Item, component: Item) -> BomLine:
    line = ctx.session.scalars(
        select(BomLine).where(BomLine.parent_item_id == product.id, BomLine.component_item_id == component.id)
    ).first()
    if line is None:
        line = ctx.session.scalars(
            select(BomLine)
            .join(BomSubstitute, BomSubstitute.bom_line_id == BomLine.id)
            .where(BomLine.parent_item_id == product.id, BomSubstitute.item_id == component.id)
        ).first()
    if line is None:
        raise DomainError(ErrorCode.ITEM_NOT_IN_BOM, item=component.code, product=product.code)
    return line


def _production_lot(ctx: Ctx, work_order: WorkOrder) -> Unit:
    unit = ctx.session.get(Unit, _production_lot_id(work_order))
    if unit is None:  # the schema makes every work order with one; this is a damaged database
        raise RuntimeError(f"work order {work_order.code} has no production lot")
    return unit


def _production_lot_id(work_order: WorkOrder) -> int:
    """The column is nullable only because the work order is written before its lot (a cycle)."""
    if work_order.production_lot_id is None:  # create_work_order sets it: a damaged database
        raise RuntimeError(f"work order {work_order.code} has no production lot")
    return work_order.production_lot_id


def _mandatory_steps(ctx: Ctx, item: Item) -> list[RoutingStep]:
    return list(
        ctx.session.scalars(
            select(RoutingStep)
            .where(RoutingStep.item_id == item.id, RoutingStep.mandatory.is_(True))
            .order_by(RoutingStep.seq)
        )
    )


def _step_totals(ctx: Ctx, work_order: WorkOrder, step: RoutingStep) -> tuple[Decimal, Decimal]:
    good, scrap = ctx.session.execute(
        select(
            func.coalesce(func.sum(StepResult.good_quantity), 0),
            func.coalesce(func.sum(StepResult.scrap_quantity), 0),
        ).where(StepResult.work_order_id == work_order.id, StepResult.routing_step_id == step.id)
    ).one()
    return Decimal(good), Decimal(scrap)


def _measured_values(
    step: RoutingStep, measurements: dict[str, Decimal | int | float | str]
) -> dict[str, tuple[Decimal, InspectionCharacteristic]]:
    by_code = {characteristic.code: characteristic for characteristic in step.characteristics}
    unknown = sorted(set(measurements) - set(by_code))
    if unknown:
        raise DomainError(ErrorCode.UNKNOWN_CHARACTERISTIC, step=step.code, names=unknown)
    missing = sorted(set(by_code) - set(measurements))
    if missing:
        raise DomainError(ErrorCode.MEASUREMENT_MISSING, step=step.code, names=missing)
    values: dict[str, tuple[Decimal, InspectionCharacteristic]] = {}
    for code, raw in measurements.items():
        try:
            value = Decimal(str(raw))
        except (InvalidOperation, ValueError):
            raise DomainError(ErrorCode.BAD_INPUT, field=code, value=str(raw)) from None
        if not value.is_finite() or abs(value) >= EXACT_LIMIT:
            raise DomainError(ErrorCode.BAD_INPUT, field=code, value=str(raw))
        values[code] = (value, by_code[code])
    return values


def _inspection_results(
    event_id: int,
    unit_id: int,
    step_result_id: int | None,
    values: dict[str, tuple[Decimal, InspectionCharacteristic]],
    failed_checks: list[str],
) -> list[InspectionResult]:
    """The readings of one report (or one re-measured attempt, which has no step result), each with
    the limits it was judged by, as they were then."""
    return [
        InspectionResult(
            event_id=event_id,
            unit_id=unit_id,
            step_result_id=step_result_id,
            characteristic_id=characteristic.id,
            name=characteristic.code,
            value=value,
            lower_limit=characteristic.lower_limit,
            upper_limit=characteristic.upper_limit,
            passed=name not in failed_checks,
        )
        for name, (value, characteristic) in values.items()
    ]


def _reason_code(reason: str | None) -> str:
    """A scrap or failure reason: required, and short enough for the reason-code columns."""
    reason = require_reason(reason)
    if len(reason) > MAX_REASON_LENGTH:
        raise DomainError(ErrorCode.BAD_INPUT, field="reason", maximum=MAX_REASON_LENGTH)
    return reason


def _numbering_context(ctx: Ctx, work_order: WorkOrder) -> NumberingContext:
    line = work_order.line or ctx.station.line
    return NumberingContext(ctx.local_date, line.code if line else None, work_order.item.code)


def _expiry(ctx: Ctx, item: Item) -> dt.date | None:
    return ctx.local_date + dt.timedelta(days=item.shelf_life_days) if item.shelf_life_days else None
