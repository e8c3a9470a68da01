"""What a production station shows of a work order: its BOM fed so far, its routing's progress, where
one serial stands on its route. (How much of a scanned lot a feed takes is production.feed's to
work out, in its own transaction.)

Read queries only (the operations are in models/production.py). Each opens one read-only snapshot
and answers plain frozen dataclasses, so a screen never holds an ORM row.

What "fed" means follows what the operations record: a lot-tracked component is fed to the work
order (a lot-level link into its production lot), a serialized one is fitted into each product
serial (a unit-level link), and an untracked one (screws) is never scanned, whatever the BOM's
must-scan flag says; production.py's `_refuse_missing_components` judges them the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from models.db import Database
from models.errors import DomainError, ErrorCode
from models.lookup import routing_step, unit_by_code, work_order_by_code
from models.production import _refuse_unless_on_route, _require_open
from models.schema import (
    BomLine,
    Item,
    Link,
    LinkLevel,
    RoutingStep,
    StepResult,
    Tracking,
    Unit,
    UnitKind,
    UnitStatus,
    WorkOrder,
)


@dataclass(frozen=True)
class Reason:
    """A scrap or failure reason: its code is what report_step and report_serial store."""

    code: str
    name_zh: str
    name_en: str


# The reasons an operator picks from when reporting scrap or failing a unit. A short fixed list keeps
# the stored codes countable (a Pareto of scrap by reason), where free text would not be.
SCRAP_REASONS: tuple[Reason, ...] = (
    Reason("DEFECT_SOLDER", "焊接不良", "Solder defect"),
    Reason("DAMAGED", "损坏", "Damaged"),
    Reason("WRONG_PART", "错料", "Wrong part"),
    Reason("TEST_FAIL", "测试不合格", "Test failed"),
    Reason("MIX_RATIO", "配比不当", "Wrong mix ratio"),
    Reason("OTHER", "其他", "Other"),
)


@dataclass(frozen=True)
class Characteristic:
    code: str
    name_zh: str
    name_en: str
    uom: str | None
    lower: Decimal | None
    upper: Decimal | None


@dataclass(frozen=True)
class BomLineState:
    component_code: str
    name_zh: str
    name_en: str
    uom: str
    quantity_per: Decimal
    required: Decimal  # the work order's quantity times the quantity per unit
    fed: Decimal  # lots: fed to the work order; serials: fitted into its serials (substitutes count)
    remaining: Decimal  # never below zero
    must_scan: bool  # the BOM's flag
    scanned: bool  # whether the station scans it at all: must-scan and tracked by lot or serial
    unit_level: bool  # serialized: scanned into each product serial, not fed to the work order
    substitutes: tuple[str, ...]


@dataclass(frozen=True)
class StepState:
    seq: int
    code: str
    name_zh: str
    name_en: str
    mandatory: bool
    characteristics: tuple[Characteristic, ...]
    good: Decimal  # lot items: good quantity reported; serials: units passed
    scrap: Decimal  # lot items: scrap quantity reported; serials: units failed
    passed: int  # serials passed at this step
    failed: int  # serials failed at this step
    assembly: bool  # where the product's serialized components are scanned into it


@dataclass(frozen=True)
class WorkOrderState:
    code: str
    item_code: str
    item_name_zh: str
    item_name_en: str
    quantity: Decimal
    uom: str
    status: str  # WorkOrderStatus
    production_lot_code: str
    serialized: bool
    serials_created: int
    serials_finished: int  # passed every mandatory step
    serials_failed: int
    quantity_completed: Decimal
    quantity_scrapped: Decimal
    completable: Decimal  # lot items: good at every mandatory step, not yet put into stock
    bom: tuple[BomLineState, ...]
    steps: tuple[StepState, ...]

    def step(self, code: str) -> StepState | None:
        return next((step for step in self.steps if step.code == code), None)


@dataclass(frozen=True)
class ComponentNeed:
    """One serialized BOM line of a product serial: how many it takes and which are in it."""

    component_code: str
    name_zh: str
    name_en: str
    required: int
    fitted: tuple[str, ...]

    @property
    def missing(self) -> int:
        return max(self.required - len(self.fitted), 0)


@dataclass(frozen=True)
class SerialState:
    code: str
    item_code: str
    status: str  # UnitStatus
    work_order_code: str | None
    passed_steps: tuple[str, ...]
    failed_steps: tuple[str, ...]
    next_step: str | None  # the first mandatory step not passed yet
    components: tuple[ComponentNeed, ...]

    @property
    def components_missing(self) -> int:
        return sum(need.missing for need in self.components)


@contextmanager
def _snapshot(db: Database) -> Iterator[Session]:
    """A session over one read-only snapshot: no write lock taken on SQLite, one moment on PostgreSQL."""
    with db.reading() as connection, Session(bind=connection) as session:
        yield session


def work_order_state(db: Database, code: str) -> WorkOrderState:
    """A work order as its station shows it: a handful of statements, whatever its size (sums
    grouped by item and by step, never a query per unit)."""
    with _snapshot(db) as session:
        work_order = work_order_by_code(session, code)
        item = work_order.item
        lines = _bom_lines(session, item)
        steps = _routing(session, item)
        fed_lots = _fed_by_item(session, work_order)
        fitted = _fitted_by_item(session, work_order)
        codes = _item_codes(session, lines)
        bom = tuple(_line_state(line, work_order.quantity_planned, fed_lots, fitted, codes) for line in lines)
        totals = _step_totals(session, work_order)
        assembly_step = _assembly_step(item, lines, steps)
        step_states = tuple(_step_state(step, totals.get(step.id), step is assembly_step) for step in steps)
        failed = session.scalar(
            select(func.count(Unit.id)).where(
                Unit.work_order_id == work_order.id,
                Unit.kind == UnitKind.SERIAL,
                (Unit.status == UnitStatus.FAILED)
                | ((Unit.status == UnitStatus.ON_HOLD) & (Unit.held_from_status == UnitStatus.FAILED)),
            )
        )
        serialized = item.tracking is Tracking.SERIAL
        return WorkOrderState(
            code=work_order.code,
            item_code=item.code,
            item_name_zh=item.name_zh,
            item_name_en=item.name_en,
            quantity=work_order.quantity_planned,
            uom=item.uom,
            status=work_order.status.value,
            production_lot_code=work_order.production_lot.code if work_order.production_lot else "",
            serialized=serialized,
            serials_created=work_order.serials_created,
            serials_finished=int(work_order.quantity_completed) if serialized else 0,
            serials_failed=failed or 0,
            quantity_completed=work_order.quantity_completed,
            quantity_scrapped=work_order.quantity_scrapped,
            completable=Decimal(0) if serialized else _completable(work_order, step_states),
            bom=bom,
            steps=step_states,
        )


def serial_state(db: Database, code: str, step_code: str | None = None) -> SerialState:
    """Where a serial stands on its route, and which serialized components are in it.

    With `step_code`, refuse as report_serial would refuse that step for this serial (not on its
    route, step passed already, a mandatory step before it skipped), so a station says so when the
    unit is scanned, before the operator types its measurements. report_serial checks again in its
    own transaction; tests/models/test_work_orders.py holds the two to the same answers.
    """
    with _snapshot(db) as session:
        serial = unit_by_code(session, code, joinedload(Unit.item))
        if serial.kind is not UnitKind.SERIAL or serial.item is None:
            raise DomainError(ErrorCode.NOT_A_SERIAL, code=serial.code)
        item = serial.item
        work_order = session.get(WorkOrder, serial.work_order_id) if serial.work_order_id else None
        steps = _routing(session, item)
        results = session.execute(
            select(StepResult.routing_step_id, StepResult.passed).where(StepResult.unit_id == serial.id)
        ).all()
        passed_ids = {step_id for step_id, passed in results if passed}
        failed_ids = {step_id for step_id, passed in results if passed is False}
        if step_code is not None:
            _refuse_step(session, serial, work_order, steps, passed_ids, step_code)
        fitted_codes = _fitted_codes(session, serial)
        components = tuple(
            ComponentNeed(
                component_code=line.component.code,
                name_zh=line.component.name_zh,
                name_en=line.component.name_en,
                required=int(line.quantity_per),
                fitted=tuple(code for code, item_id in fitted_codes if item_id in _accepted(line)),
            )
            for line in _bom_lines(session, item)
            if line.must_scan and line.component.tracking is Tracking.SERIAL
        )
        return SerialState(
            code=serial.code,
            item_code=item.code,
            status=serial.status.value,
            work_order_code=work_order.code if work_order else None,
            passed_steps=tuple(step.code for step in steps if step.id in passed_ids),
            failed_steps=tuple(step.code for step in steps if step.id in failed_ids),
            next_step=next((s.code for s in steps if s.mandatory and s.id not in passed_ids), None),
            components=components,
        )


# --- inside --------------------------------------------------------------------------------------


def _bom_lines(session: Session, item: Item) -> list[BomLine]:
    statement = select(BomLine).where(BomLine.parent_item_id == item.id).order_by(BomLine.id)
    return list(session.scalars(statement))


def _routing(session: Session, item: Item) -> list[RoutingStep]:
    statement = select(RoutingStep).where(RoutingStep.item_id == item.id).order_by(RoutingStep.seq)
    return list(session.scalars(statement.options(selectinload(RoutingStep.characteristics))))


def _accepted(line: BomLine) -> set[int]:
    return {line.component_item_id, *(substitute.item_id for substitute in line.substitutes)}


def _fed_by_item(session: Session, work_order: WorkOrder) -> dict[int, Decimal]:
    """Quantity fed to the work order's production lot, per material item."""
    rows = session.execute(
        select(Unit.item_id, func.coalesce(func.sum(Link.quantity), 0))
        .join(Unit, Unit.id == Link.input_unit_id)
        .where(Link.output_unit_id == work_order.production_lot_id, Link.level == LinkLevel.LOT)
        .group_by(Unit.item_id)
    ).all()
    # Every consumed unit has an item (lots and serials do): a None key could match no BOM line.
    return {item_id: _decimal(total) for item_id, total in rows if item_id is not None}


def _fitted_by_item(session: Session, work_order: WorkOrder) -> dict[int, Decimal]:
    """Component serials fitted into the work order's serials, per component item."""
    component, product = aliased(Unit), aliased(Unit)
    rows = session.execute(
        select(component.item_id, func.count(Link.id))
        .join(component, component.id == Link.input_unit_id)
        .join(product, product.id == Link.output_unit_id)
        .where(product.work_order_id == work_order.id, Link.level == LinkLevel.UNIT)
        .group_by(component.item_id)
    ).all()
    return {item_id: Decimal(count) for item_id, count in rows if item_id is not None}


def _fitted_codes(session: Session, serial: Unit) -> list[tuple[str, int | None]]:
    return [
        (code, item_id)
        for code, item_id in session.execute(
            select(Unit.code, Unit.item_id)
            .join(Link, Link.input_unit_id == Unit.id)
            .where(Link.output_unit_id == serial.id, Link.level == LinkLevel.UNIT)
            .order_by(Link.id)
        ).all()
    ]


def _item_codes(session: Session, lines: list[BomLine]) -> dict[int, str]:
    """The codes of the lines' substitutes, in one query."""
    ids = {substitute.item_id for line in lines for substitute in line.substitutes}
    if not ids:
        return {}
    return dict(session.execute(select(Item.id, Item.code).where(Item.id.in_(ids))).all())


def _line_state(
    line: BomLine,
    planned: Decimal,
    fed_lots: dict[int, Decimal],
    fitted: dict[int, Decimal],
    codes: dict[int, str],
) -> BomLineState:
    component = line.component
    unit_level = component.tracking is Tracking.SERIAL
    source = fitted if unit_level else fed_lots
    fed = sum((source.get(item_id, Decimal(0)) for item_id in _accepted(line)), Decimal(0))
    required = planned * line.quantity_per
    substitutes = sorted(substitute.item_id for substitute in line.substitutes)
    return BomLineState(
        component_code=component.code,
        name_zh=component.name_zh,
        name_en=component.name_en,
        uom=component.uom,
        quantity_per=line.quantity_per,
        required=required,
        fed=fed,
        remaining=max(required - fed, Decimal(0)),
        must_scan=line.must_scan,
        scanned=line.must_scan and component.tracking is not Tracking.NONE,
        unit_level=unit_level,
        substitutes=tuple(codes.get(item_id, str(item_id)) for item_id in substitutes),
    )


def _step_totals(session: Session, work_order: WorkOrder) -> dict[int, tuple[Decimal, Decimal, int, int]]:
    rows = session.execute(
        select(
            StepResult.routing_step_id,
            func.coalesce(func.sum(StepResult.good_quantity), 0),
            func.coalesce(func.sum(StepResult.scrap_quantity), 0),
            func.sum(case((StepResult.passed.is_(True), 1), else_=0)),
            func.sum(case((StepResult.passed.is_(False), 1), else_=0)),
        )
        .where(StepResult.work_order_id == work_order.id)
        .group_by(StepResult.routing_step_id)
    ).all()
    return {
        step_id: (_decimal(good), _decimal(scrap), int(passed or 0), int(failed or 0))
        for step_id, good, scrap, passed, failed in rows
    }


def _assembly_step(item: Item, lines: list[BomLine], steps: list[RoutingStep]) -> RoutingStep | None:
    """Where serialized components go into a product: its routing's first step, when its BOM has
    any (the demo meter's ASSY). The routing does not name it; the first step is where a unit is
    built before it is calibrated and tested."""
    if item.tracking is not Tracking.SERIAL or not steps:
        return None
    takes_serials = any(line.must_scan and line.component.tracking is Tracking.SERIAL for line in lines)
    return steps[0] if takes_serials else None


def _step_state(
    step: RoutingStep, totals: tuple[Decimal, Decimal, int, int] | None, assembly: bool
) -> StepState:
    good, scrap, passed, failed = totals or (Decimal(0), Decimal(0), 0, 0)
    return StepState(
        seq=step.seq,
        code=step.code,
        name_zh=step.name_zh,
        name_en=step.name_en,
        mandatory=step.mandatory,
        characteristics=tuple(
            Characteristic(c.code, c.name_zh, c.name_en, c.unit_of_measure, c.lower_limit, c.upper_limit)
            for c in step.characteristics
        ),
        good=good,
        scrap=scrap,
        passed=passed,
        failed=failed,
        assembly=assembly,
    )


def _completable(work_order: WorkOrder, steps: tuple[StepState, ...]) -> Decimal:
    """What complete_lot would take now: good at every mandatory step (its own rule), within the
    order, less what is in stock already."""
    ceiling = work_order.quantity_planned
    for step in steps:
        if step.mandatory:
            ceiling = min(ceiling, step.good)
    return max(ceiling - work_order.quantity_completed, Decimal(0))


def _refuse_step(
    session: Session,
    serial: Unit,
    work_order: WorkOrder | None,
    steps: list[RoutingStep],
    passed_ids: set[int],
    step_code: str,
) -> None:
    """report_serial's refusals, in its order, without its locks or its writes."""
    if work_order is None:
        raise DomainError(ErrorCode.SERIAL_NOT_OF_WORK_ORDER, code=serial.code)
    _require_open(work_order)
    _refuse_unless_on_route(serial)
    assert serial.item is not None
    step = routing_step(session, serial.item, step_code)
    if step.id in passed_ids:
        raise DomainError(ErrorCode.STEP_ALREADY_PASSED, code=serial.code, step=step.code)
    skipped = [s.code for s in steps if s.mandatory and s.seq < step.seq and s.id not in passed_ids]
    if skipped:
        raise DomainError(ErrorCode.STEP_SKIPPED, code=serial.code, step=step.code, missing=skipped)


def _decimal(value: object) -> Decimal:
    """A SUM as a Decimal: SQLite hands back floats or ints for NUMERIC sums."""
    return value if isinstance(value, Decimal) else Decimal(str(value))
