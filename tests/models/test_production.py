"""Work orders: create, release, close; feed lots, assemble serials, make serials and lots, report steps.

Every operation: what the database holds after it (units, quantities, links with their level,
events, step and inspection results, counters), every refusal (the database unchanged after it),
and an exact replay by action id. Each test runs on SQLite and on PostgreSQL (`plant`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, func, select, update

from demo.plant import (
    BATTERY,
    BATTERY_ALT,
    CHIP,
    COMPOUND,
    HARDENER,
    HOUSING,
    METER,
    MODULE,
    PCB,
    RESIN,
    SCREW,
)
from models import packing, quality, receiving, shipping
from models.actions import Actor
from models.errors import DomainError, ErrorCode
from models.numbering import verify_check_digit
from models.production import (
    AssembleResult,
    CompleteResult,
    FeedResult,
    SerialReportResult,
    SerialsResult,
    StepReportResult,
    WorkOrderResult,
    assemble,
    close_work_order,
    complete_lot,
    create_serials,
    create_work_order,
    feed,
    release_work_order,
    report_serial,
    report_step,
)
from models.schema import (
    BomLine,
    BomSubstitute,
    Equipment,
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
    NumberingRule,
    RoutingStep,
    Station,
    StepResult,
    Unit,
    UnitKind,
    UnitStatus,
    User,
    WorkOrder,
    WorkOrderStatus,
)
from tests.models.flows import PINS, replayed
from tests.support import OPERATOR, OPERATOR_2, QUALITY, SUPERVISOR, Plant, snapshot

SUPPLIER_OF = {
    PCB: "SUP-HQ",
    HOUSING: "SUP-PL",
    BATTERY: "SUP-LI",
    BATTERY_ALT: "SUP-LI",
    CHIP: "SUP-XT",
    RESIN: "SUP-CH",
    HARDENER: "SUP-CH",
}
METER_ROUTE = (("ASSY", None), ("CAL", {"ERR": "0.1"}), ("TEST", {"VOLT": "220", "IDLE": "0.8"}))
_module_orders = itertools.count(1)


# --- helpers: plant state built through the real operations ------------------------------------


def planner(plant: Plant, station: str = "PRD-01") -> Actor:
    return plant.actor(SUPERVISOR, station)


def operator(plant: Plant, station: str = "PRD-01") -> Actor:
    return plant.actor(OPERATOR, station)


def stock(plant: Plant, item_code: str, quantity: int | str = 100, **fields: Any) -> str:
    """A lot in stock, released (through incoming inspection when the item requires it)."""
    result = receiving.receive(
        plant.db,
        plant.actor(OPERATOR, "RCV-01"),
        item_code=item_code,
        supplier_code=SUPPLIER_OF[item_code],
        supplier_lot=f"SL-{uuid.uuid4().hex[:8]}",
        quantity=quantity,
        **fields,
    )
    (code,) = result.lot_codes
    if result.status == "QUARANTINE":
        receiving.release_received_lot(plant.db, plant.actor(QUALITY, "QA-01"), lot_code=code)
    return code


def quarantined(plant: Plant, item_code: str = PCB) -> str:
    result = receiving.receive(
        plant.db,
        plant.actor(OPERATOR, "RCV-01"),
        item_code=item_code,
        supplier_code=SUPPLIER_OF[item_code],
        supplier_lot=f"Q-{uuid.uuid4().hex[:8]}",
        quantity=10,
    )
    assert result.status == "QUARANTINE"
    return result.lot_codes[0]


def work_order(
    plant: Plant, code: str, item_code: str = METER, quantity: int | str = 10, **kwargs: Any
) -> WorkOrderResult:
    station = "PRD-02" if item_code in (MODULE, COMPOUND) else "PRD-01"
    return create_work_order(
        plant.db, planner(plant, station), code=code, item_code=item_code, quantity=quantity, **kwargs
    )


def serials(plant: Plant, work_order_code: str, count: int, station: str = "PRD-01") -> list[str]:
    return create_serials(
        plant.db, operator(plant, station), work_order_code=work_order_code, count=count
    ).codes


def finish_meter(plant: Plant, serial: str) -> SerialReportResult:
    result = None
    for step, measurements in METER_ROUTE:
        result = report_serial(
            plant.db, operator(plant), serial_code=serial, step_code=step, measurements=measurements
        )
    assert result is not None and result.status == "RELEASED"
    return result


def modules(plant: Plant, finished: int, unfinished: int = 0, work_order_code: str = "WO-MOD") -> list[str]:
    """Module serials made on line 2: the first `finished` passed RF, the rest still WIP."""
    work_order(plant, work_order_code, MODULE, quantity=finished + unfinished)
    chip = stock(plant, CHIP, finished + unfinished)
    feed(
        plant.db,
        operator(plant, "PRD-02"),
        work_order_code=work_order_code,
        lot_code=chip,
        quantity=finished + unfinished,
    )
    codes = serials(plant, work_order_code, finished + unfinished, "PRD-02")
    for code in codes[:finished]:
        report_serial(
            plant.db,
            operator(plant, "PRD-02"),
            serial_code=code,
            step_code="RF",
            measurements={"RSSI": "-105"},
        )
    return codes


def feed_materials(
    plant: Plant, work_order_code: str, quantities: dict[str, int | str], station: str = "PRD-01"
) -> list[str]:
    """Receive a lot of each item and feed all of it to the work order; the lot codes, in order."""
    lots = []
    for item_code, quantity in quantities.items():
        lot = stock(plant, item_code, quantity)
        feed(
            plant.db,
            operator(plant, station),
            work_order_code=work_order_code,
            lot_code=lot,
            quantity=quantity,
        )
        lots.append(lot)
    return lots


def build_in_modules(plant: Plant, *meters: str) -> list[str]:
    """A tested 4G module of a work order of its own assembled into each meter; the modules."""
    made = modules(plant, len(meters), work_order_code=f"WO-MOD-{next(_module_orders)}")
    for meter, module in zip(meters, made, strict=True):
        assemble(plant.db, operator(plant), product_code=meter, component_code=module)
    return made


def ready_to_finish(plant: Plant, work_order_code: str, *meters: str) -> None:
    """What meters must hold before their last mandatory step: PCB, housing and battery fed to
    their work order, and a 4G module assembled into each."""
    count = len(meters) or 1
    feed_materials(plant, work_order_code, {PCB: count, HOUSING: count, BATTERY: count})
    build_in_modules(plant, *meters)


def reported_compound(
    plant: Plant, code: str = "WO-PTG", planned: int = 10, reported: int = 10, *, fed: bool = True
) -> str:
    """A potting compound work order with `reported` kg good at both of its steps, and (if `fed`)
    its resin and hardener fed."""
    work_order(plant, code, COMPOUND, quantity=planned)
    if fed:
        feed_materials(plant, code, {RESIN: 8, HARDENER: 2}, "PRD-02")
    for step in ("MIX", "QC"):
        report_step(
            plant.db, operator(plant, "PRD-02"), work_order_code=code, step_code=step, good_quantity=reported
        )
    return code


def refused(
    plant: Plant, code: ErrorCode, operation: Callable[..., Any], actor: Actor, /, **kwargs: Any
) -> DomainError:
    """Run an operation the rules must refuse: the error's code, and not one row changed."""
    before = snapshot(plant.db)
    with pytest.raises(DomainError) as error:
        operation(plant.db, actor, **kwargs)
    assert error.value.code is code, error.value
    assert snapshot(plant.db) == before
    return error.value


def set_column(plant: Plant, model: type, where: Any, **values: Any) -> None:
    """Change a row directly: master data an administrator edits, or a date that has since passed."""
    with plant.db.session() as s, s.begin():
        s.execute(update(model).where(where).values(**values))


def unit(plant: Plant, code: str) -> Unit:
    return plant.unit(code)


def unit_id(plant: Plant, code: str) -> int:
    return plant.unit(code).id


def the_work_order(plant: Plant, code: str) -> WorkOrder:
    with plant.db.session() as s:
        row = s.scalars(select(WorkOrder).where(WorkOrder.code == code)).one()
        s.expunge(row)
        return row


@dataclass
class Recorded:
    event: Event
    units: list[EventUnit] = field(default_factory=list)

    def roles(self) -> list[tuple[int, EventRole, Decimal | None]]:
        return [(u.unit_id, u.role, u.quantity) for u in self.units]


def events_of(plant: Plant, actor: Actor) -> list[Recorded]:
    with plant.db.session() as s:
        rows = list(s.scalars(select(Event).where(Event.action_id == actor.action_id).order_by(Event.id)))
        out = [Recorded(row, list(row.units)) for row in rows]
        s.expunge_all()
        return out


def links_into(plant: Plant, code: str) -> list[tuple[str, LinkLevel, Decimal | None]]:
    return _links(plant, Link.output_unit_id, Link.input_unit_id, code)


def links_out_of(plant: Plant, code: str) -> list[tuple[str, LinkLevel, Decimal | None]]:
    return _links(plant, Link.input_unit_id, Link.output_unit_id, code)


def _links(
    plant: Plant, this_end: Any, other_end: Any, code: str
) -> list[tuple[str, LinkLevel, Decimal | None]]:
    """(the unit at the other end, level, quantity) of every link at one end of a unit."""
    with plant.db.session() as s:
        this = s.scalars(select(Unit.id).where(Unit.code == code)).one()
        rows = s.execute(
            select(Unit.code, Link.level, Link.quantity)
            .join(Unit, Unit.id == other_end)
            .where(this_end == this)
            .order_by(Link.id)
        ).all()
        return [tuple(row) for row in rows]  # type: ignore[misc]


def step_results(plant: Plant, **where: Any) -> list[StepResult]:
    with plant.db.session() as s:
        statement = select(StepResult).order_by(StepResult.id)
        for name, value in where.items():
            statement = statement.where(getattr(StepResult, name) == value)
        rows = list(s.scalars(statement))
        s.expunge_all()
        return rows


def ids(plant: Plant, model: type, code: str) -> int:
    with plant.db.session() as s:
        return s.scalars(select(model.id).where(model.code == code)).one()  # type: ignore[attr-defined]


def step_id(plant: Plant, item_code: str, step_code: str) -> int:
    with plant.db.session() as s:
        return s.scalars(
            select(RoutingStep.id)
            .join(Item, Item.id == RoutingStep.item_id)
            .where(Item.code == item_code, RoutingStep.code == step_code)
        ).one()


# --- create_work_order -------------------------------------------------------------------------


def test_create_work_order_makes_its_production_lot_and_records_the_event(plant: Plant) -> None:
    actor = planner(plant)
    result = create_work_order(plant.db, actor, code=" WO-1 ", item_code=METER, quantity=20)

    assert result == WorkOrderResult(
        code="WO-1", item_code=METER, status="RELEASED", production_lot_code="WO-1-P", unfinished_serials=0
    )
    order = the_work_order(plant, "WO-1")
    lot = unit(plant, "WO-1-P")
    assert order.status is WorkOrderStatus.RELEASED
    assert order.item_id == ids(plant, Item, METER)
    assert order.line_id == ids(plant, Line, "L1")  # PRD-01's line
    assert order.quantity_planned == Decimal(20)
    assert (order.serials_created, order.quantity_completed, order.quantity_scrapped) == (0, 0, 0)
    assert order.production_lot_id == lot.id
    assert (lot.kind, lot.status, lot.quantity, lot.initial_quantity) == (UnitKind.LOT, UnitStatus.WIP, 0, 0)
    assert (lot.work_order_id, lot.item_id) == (order.id, order.item_id)

    (recorded,) = events_of(plant, actor)
    assert recorded.event.event_type is EventType.WORK_ORDER
    assert recorded.event.work_order_id == order.id
    assert recorded.event.station_id == plant.ids.stations["PRD-01"]
    assert recorded.event.user_id == plant.ids.users[SUPERVISOR]
    assert recorded.event.disposition == "in_progress"
    assert recorded.event.detail == {"status": "RELEASED", "planned": "20"}
    assert recorded.roles() == [(lot.id, EventRole.OBJECT, None)]


def test_create_planned_work_order_on_a_named_line_with_a_decimal_quantity(plant: Plant) -> None:
    actor = plant.actor("EMP9001", "QA-01")  # an administrator at a station with no line of its own
    result = create_work_order(
        plant.db, actor, code="WO-G", item_code=COMPOUND, quantity="12.5", line_code="L2", release=False
    )
    assert result.status == "PLANNED"
    order = the_work_order(plant, "WO-G")
    assert order.status is WorkOrderStatus.PLANNED
    assert order.line_id == ids(plant, Line, "L2")
    assert order.quantity_planned == Decimal("12.5")
    assert unit(plant, "WO-G-P").uom == "KG"
    (recorded,) = events_of(plant, actor)
    assert recorded.event.disposition is None
    assert recorded.event.detail == {"status": "PLANNED", "planned": "12.5"}


CREATE_REFUSALS: dict[str, tuple[ErrorCode, str, dict[str, Any]]] = {
    # case: (code, badge, arguments that differ from a good work order)
    "an operator": (ErrorCode.ROLE_REQUIRED, OPERATOR, {}),
    "a quality engineer": (ErrorCode.ROLE_REQUIRED, QUALITY, {}),
    "a blank code": (ErrorCode.BAD_INPUT, SUPERVISOR, {"code": "  "}),
    "a code too long for its production lot": (ErrorCode.BAD_INPUT, SUPERVISOR, {"code": "W" * 63}),
    "a code already used": (ErrorCode.WORK_ORDER_EXISTS, SUPERVISOR, {"code": "WO-OLD"}),
    "an unknown item": (ErrorCode.UNKNOWN_ITEM, SUPERVISOR, {"item_code": "NOPE"}),
    "an untracked item": (ErrorCode.ITEM_NOT_LOT_TRACKED, SUPERVISOR, {"item_code": SCREW}),
    "zero": (ErrorCode.BAD_QUANTITY, SUPERVISOR, {"quantity": 0}),
    "a negative quantity": (ErrorCode.BAD_QUANTITY, SUPERVISOR, {"quantity": -3}),
    "text": (ErrorCode.BAD_QUANTITY, SUPERVISOR, {"quantity": "abc"}),
    "NaN": (ErrorCode.BAD_QUANTITY, SUPERVISOR, {"quantity": float("nan")}),
    "seven decimals": (ErrorCode.BAD_QUANTITY, SUPERVISOR, {"item_code": COMPOUND, "quantity": "1.0000001"}),
    "half a serial": (ErrorCode.BAD_QUANTITY, SUPERVISOR, {"quantity": "2.5"}),
    "an unknown line": (ErrorCode.BAD_INPUT, SUPERVISOR, {"line_code": "L9"}),
}


@pytest.mark.parametrize("case", CREATE_REFUSALS)
def test_create_work_order_refuses(plant: Plant, case: str) -> None:
    code, badge, overrides = CREATE_REFUSALS[case]
    work_order(plant, "WO-OLD")
    args = {"code": "WO-NEW", "item_code": METER, "quantity": 5, **overrides}
    refused(plant, code, create_work_order, plant.actor(badge, "PRD-01"), **args)


def test_create_work_order_refuses_an_inactive_item(plant: Plant) -> None:
    set_column(plant, Item, Item.code == METER, active=False)
    refused(
        plant,
        ErrorCode.UNKNOWN_ITEM,
        create_work_order,
        planner(plant),
        code="W",
        item_code=METER,
        quantity=1,
    )


def test_a_work_order_code_as_long_as_a_unit_code_allows_takes_its_production_lot(plant: Plant) -> None:
    code = "W" * 62
    assert work_order(plant, code).production_lot_code == code + "-P"
    assert unit(plant, code + "-P").work_order_id == the_work_order(plant, code).id


# --- release_work_order / close_work_order -----------------------------------------------------


def test_release_work_order(plant: Plant) -> None:
    work_order(plant, "WO-1", release=False)
    actor = planner(plant)
    result = release_work_order(plant.db, actor, work_order_code="WO-1")
    assert result == WorkOrderResult("WO-1", METER, "RELEASED", "WO-1-P", 0)
    assert the_work_order(plant, "WO-1").status is WorkOrderStatus.RELEASED
    (recorded,) = events_of(plant, actor)
    assert recorded.event.event_type is EventType.WORK_ORDER
    assert recorded.event.work_order_id == the_work_order(plant, "WO-1").id
    assert (recorded.event.disposition, recorded.event.detail) == ("in_progress", {"status": "RELEASED"})
    assert recorded.roles() == [(unit_id(plant, "WO-1-P"), EventRole.OBJECT, None)]


def test_release_work_order_refusals(plant: Plant) -> None:
    work_order(plant, "WO-PLANNED", release=False)
    work_order(plant, "WO-OPEN")
    work_order(plant, "WO-DONE")
    close_work_order(plant.db, planner(plant), work_order_code="WO-DONE")

    refused(plant, ErrorCode.UNKNOWN_WORK_ORDER, release_work_order, planner(plant), work_order_code="WO-X")
    refused(plant, ErrorCode.BAD_INPUT, release_work_order, planner(plant), work_order_code="WO-OPEN")
    refused(
        plant, ErrorCode.WORK_ORDER_COMPLETE, release_work_order, planner(plant), work_order_code="WO-DONE"
    )
    refused(plant, ErrorCode.ROLE_REQUIRED, release_work_order, operator(plant), work_order_code="WO-PLANNED")


def test_close_work_order_counts_unfinished_serials_and_uses_up_the_production_lot(plant: Plant) -> None:
    work_order(plant, "WO-1")
    made = serials(plant, "WO-1", 3)
    ready_to_finish(plant, "WO-1", made[0])
    finish_meter(plant, made[0])
    actor = planner(plant)

    result = close_work_order(plant.db, actor, work_order_code="WO-1")

    assert result == WorkOrderResult("WO-1", METER, "COMPLETED", "WO-1-P", unfinished_serials=2)
    order = the_work_order(plant, "WO-1")
    assert order.status is WorkOrderStatus.COMPLETED
    assert unit(plant, "WO-1-P").status is UnitStatus.CONSUMED
    assert [unit(plant, code).status for code in made] == [
        UnitStatus.RELEASED,
        UnitStatus.WIP,
        UnitStatus.WIP,
    ]
    (recorded,) = events_of(plant, actor)
    assert recorded.event.event_type is EventType.WORK_ORDER
    assert recorded.event.work_order_id == order.id
    assert recorded.event.disposition == "completed"
    assert recorded.event.detail == {"status": "COMPLETED", "unfinished_serials": 2}


def test_close_work_order_refusals(plant: Plant) -> None:
    work_order(plant, "WO-PLANNED", release=False)
    work_order(plant, "WO-DONE")
    close_work_order(plant.db, planner(plant), work_order_code="WO-DONE")
    work_order(plant, "WO-OPEN")

    refused(plant, ErrorCode.UNKNOWN_WORK_ORDER, close_work_order, planner(plant), work_order_code="WO-X")
    refused(
        plant,
        ErrorCode.WORK_ORDER_NOT_RELEASED,
        close_work_order,
        planner(plant),
        work_order_code="WO-PLANNED",
    )
    refused(plant, ErrorCode.WORK_ORDER_COMPLETE, close_work_order, planner(plant), work_order_code="WO-DONE")
    refused(plant, ErrorCode.ROLE_REQUIRED, close_work_order, operator(plant), work_order_code="WO-OPEN")


# --- feed ----------------------------------------------------------------------------------------


def test_feed_links_the_lot_into_the_production_lot(plant: Plant) -> None:
    work_order(plant, "WO-1")
    housing = stock(plant, HOUSING, 100)
    actor = operator(plant)

    result = feed(
        plant.db, actor, work_order_code="WO-1", lot_code=housing, quantity=30, equipment_code="CAL-01"
    )

    assert result == FeedResult(
        "WO-1", housing, HOUSING, Decimal(30), Decimal(70), Decimal(30), "EA", HOUSING, Decimal(0)
    )
    lot = unit(plant, housing)
    assert (lot.status, lot.quantity, lot.initial_quantity) == (UnitStatus.RELEASED, 70, 100)
    assert links_out_of(plant, housing) == [("WO-1-P", LinkLevel.LOT, Decimal(30))]
    assert unit(plant, "WO-1-P").quantity == 0  # the production lot is a genealogy node, not stock
    (recorded,) = events_of(plant, actor)
    assert recorded.event.event_type is EventType.CONSUME
    assert recorded.event.work_order_id == the_work_order(plant, "WO-1").id
    assert recorded.event.station_id == plant.ids.stations["PRD-01"]
    assert recorded.event.user_id == plant.ids.users[OPERATOR]
    assert recorded.event.line_id == ids(plant, Line, "L1")
    assert recorded.event.equipment_id == ids(plant, Equipment, "CAL-01")
    assert recorded.event.biz_step == "assembling"
    assert recorded.roles() == [
        (lot.id, EventRole.INPUT, Decimal(30)),
        (unit_id(plant, "WO-1-P"), EventRole.OUTPUT, None),
    ]
    with plant.db.session() as s:
        (link_event,) = s.scalars(select(Link.event_id).where(Link.input_unit_id == lot.id))
    assert link_event == recorded.event.id


def test_feed_totals_per_item_and_a_lot_fed_to_zero_is_consumed(plant: Plant) -> None:
    work_order(plant, "WO-1")
    first, second = stock(plant, HOUSING, 10), stock(plant, HOUSING, 5)
    assert feed(plant.db, operator(plant), work_order_code="WO-1", lot_code=first, quantity=4).fed_total == 4
    last = feed(plant.db, operator(plant), work_order_code="WO-1", lot_code=first, quantity=6)
    assert (last.lot_remaining, last.fed_total) == (0, 10)
    assert unit(plant, first).status is UnitStatus.CONSUMED
    assert (
        feed(plant.db, operator(plant), work_order_code="WO-1", lot_code=second, quantity=2).fed_total == 12
    )
    refused(
        plant,
        ErrorCode.LOT_NOT_RELEASED,
        feed,
        operator(plant),
        work_order_code="WO-1",
        lot_code=first,
        quantity=1,
    )


def test_feed_accepts_the_substitute_battery(plant: Plant) -> None:
    work_order(plant, "WO-1")
    alternate = stock(plant, BATTERY_ALT, 20)
    result = feed(plant.db, operator(plant), work_order_code="WO-1", lot_code=alternate, quantity=20)
    assert (result.item_code, result.lot_remaining, result.fed_total) == (BATTERY_ALT, 0, 20)
    assert links_out_of(plant, alternate) == [("WO-1-P", LinkLevel.LOT, Decimal(20))]
    assert unit(plant, alternate).status is UnitStatus.CONSUMED


def test_feed_without_a_quantity_takes_what_the_line_still_needs_at_most_the_lot(plant: Plant) -> None:
    work_order(plant, "WO-1", quantity=10)
    small, big = stock(plant, HOUSING, 4), stock(plant, HOUSING, 50)

    first = feed(plant.db, operator(plant), work_order_code="WO-1", lot_code=small)
    assert (first.quantity, first.lot_remaining, first.component_code, first.line_remaining) == (
        4,
        0,
        HOUSING,
        6,
    )
    assert unit(plant, small).status is UnitStatus.CONSUMED
    # Another station feeds meanwhile: the need is read in the feed's own transaction, not before.
    feed(plant.db, operator(plant, "PRD-02"), work_order_code="WO-1", lot_code=big, quantity=5)
    second = feed(plant.db, operator(plant), work_order_code="WO-1", lot_code=big)
    assert (second.quantity, second.lot_remaining, second.fed_total, second.line_remaining) == (1, 44, 10, 0)
    assert links_out_of(plant, big) == [
        ("WO-1-P", LinkLevel.LOT, Decimal(5)),
        ("WO-1-P", LinkLevel.LOT, Decimal(1)),
    ]

    # Fed in full: nothing to take, refused rather than a feed of nothing; a typed quantity still goes.
    error = refused(
        plant, ErrorCode.QUANTITY_EXCEEDS_ORDER, feed, operator(plant), work_order_code="WO-1", lot_code=big
    )
    assert error.params == {"work_order": "WO-1", "planned": f"10 EA {HOUSING}", "reported": "54 EA"}
    extra = feed(plant.db, operator(plant), work_order_code="WO-1", lot_code=big, quantity=2)
    assert (extra.quantity, extra.line_remaining) == (2, 0)


def test_feed_without_a_quantity_counts_the_substitutes_on_the_line(plant: Plant) -> None:
    work_order(plant, "WO-1", quantity=10)
    feed(plant.db, operator(plant), work_order_code="WO-1", lot_code=stock(plant, BATTERY, 50), quantity=6)
    alternate = stock(plant, BATTERY_ALT, 50)
    result = feed(plant.db, operator(plant), work_order_code="WO-1", lot_code=alternate)
    assert (result.item_code, result.component_code, result.quantity, result.lot_remaining) == (
        BATTERY_ALT,
        BATTERY,
        4,
        46,
    )
    refused(
        plant,
        ErrorCode.QUANTITY_EXCEEDS_ORDER,
        feed,
        operator(plant),
        work_order_code="WO-1",
        lot_code=alternate,
    )


def test_feed_without_a_quantity_of_a_lot_substitute_for_an_untracked_component(plant: Plant) -> None:
    """A lot-tracked substitute on a line whose own component is never scanned (screws) feeds that
    line's need, not the whole lot."""
    meter, screw, chip = (ids(plant, Item, code) for code in (METER, SCREW, CHIP))
    with plant.db.session() as s, s.begin():
        screws = s.scalars(
            select(BomLine).where(BomLine.parent_item_id == meter, BomLine.component_item_id == screw)
        ).one()
        s.add(BomSubstitute(bom_line_id=screws.id, item_id=chip))
    work_order(plant, "WO-1", quantity=10)
    chips = stock(plant, CHIP, 100)
    result = feed(plant.db, operator(plant), work_order_code="WO-1", lot_code=chips)
    assert (result.component_code, result.quantity, result.lot_remaining, result.line_remaining) == (
        SCREW,
        40,
        60,
        0,
    )
    assert unit(plant, chips).quantity == 60


def test_feed_without_a_quantity_refuses_an_empty_lot_and_rounds_a_need_up_to_what_is_stored(
    plant: Plant,
) -> None:
    work_order(plant, "WO-1", quantity=10)
    empty = stock(plant, HOUSING, 5)
    set_column(plant, Unit, Unit.code == empty, quantity=Decimal(0))  # released, yet nothing left
    error = refused(
        plant,
        ErrorCode.LOT_INSUFFICIENT_QUANTITY,
        feed,
        operator(plant),
        work_order_code="WO-1",
        lot_code=empty,
    )
    assert error.params == {"code": empty, "available": "0", "requested": "10"}

    work_order(plant, "WO-G", COMPOUND, quantity="1.000001")  # 0.8 KG resin a unit: 0.8000008 KG
    resin = stock(plant, RESIN, 20)
    result = feed(plant.db, operator(plant, "PRD-02"), work_order_code="WO-G", lot_code=resin)
    assert (result.quantity, result.line_remaining, result.uom) == (Decimal("0.800001"), 0, "KG")
    assert unit(plant, resin).quantity == Decimal("19.199999")
    refused(
        plant,
        ErrorCode.QUANTITY_EXCEEDS_ORDER,
        feed,
        operator(plant, "PRD-02"),
        work_order_code="WO-G",
        lot_code=resin,
    )


def test_lot_quantities_are_conserved_over_many_feeds(plant: Plant) -> None:
    work_order(plant, "WO-A", COMPOUND, quantity=100)
    work_order(plant, "WO-B", COMPOUND, quantity=100)
    resin = stock(plant, RESIN, "25.5")
    fed = []
    for code, amount in (("WO-A", "3.125"), ("WO-B", "10"), ("WO-A", "0.000001"), ("WO-B", "7.374999")):
        result = feed(
            plant.db, operator(plant, "PRD-02"), work_order_code=code, lot_code=resin, quantity=amount
        )
        fed.append(Decimal(amount))
        assert result.lot_remaining == Decimal("25.5") - sum(fed)
    lot = unit(plant, resin)
    out = links_out_of(plant, resin)
    assert [quantity for _, _, quantity in out] == fed
    assert {level for _, level, _ in out} == {LinkLevel.LOT}
    assert sum(quantity for _, _, quantity in out) + lot.quantity == lot.initial_quantity == Decimal("25.5")
    assert lot.status is UnitStatus.RELEASED

    feed(plant.db, operator(plant, "PRD-02"), work_order_code="WO-A", lot_code=resin, quantity=lot.quantity)
    lot = unit(plant, resin)
    assert (lot.quantity, lot.status) == (0, UnitStatus.CONSUMED)
    assert sum(q for _, _, q in links_out_of(plant, resin)) == lot.initial_quantity


def test_feed_of_a_lot_tracked_work_order_creates_a_class_instance(plant: Plant) -> None:
    work_order(plant, "WO-G", COMPOUND)
    hardener = stock(plant, HARDENER, "2.5")
    actor = operator(plant, "PRD-02")
    feed(
        plant.db, actor, work_order_code="WO-G", lot_code=hardener, quantity="0.125", equipment_code="MIX-01"
    )
    (recorded,) = events_of(plant, actor)
    assert recorded.event.biz_step == "creating_class_instance"
    assert recorded.event.line_id == ids(plant, Line, "L2")
    assert unit(plant, hardener).quantity == Decimal("2.375")


@dataclass
class FeedFloor:
    """What feed refusals start from."""

    housing: str
    resin: str
    quarantined_pcb: str
    rejected_pcb: str
    held: str
    expired: str
    module: str
    carton: str


def feed_floor(plant: Plant) -> FeedFloor:
    work_order(plant, "WO-1")
    work_order(plant, "WO-PLANNED", release=False)
    work_order(plant, "WO-DONE")
    close_work_order(plant.db, planner(plant), work_order_code="WO-DONE")
    rejected = quarantined(plant)
    receiving.reject_received_lot(plant.db, plant.actor(QUALITY, "QA-01"), lot_code=rejected, reason="warped")
    held = stock(plant, BATTERY, 10)
    quality.hold(
        plant.db, plant.actor(QUALITY, "QA-01"), unit_code=held, reason="supplier notice", pin=PINS[QUALITY]
    )
    expired = stock(plant, HOUSING, 10, expires_on=plant.today() + dt.timedelta(days=3))
    set_column(plant, Unit, Unit.code == expired, expires_on=plant.today() - dt.timedelta(days=1))
    return FeedFloor(
        housing=stock(plant, HOUSING, 10),
        resin=stock(plant, RESIN, 10),
        quarantined_pcb=quarantined(plant),
        rejected_pcb=rejected,
        held=held,
        expired=expired,
        module=modules(plant, 1)[0],
        carton=packing.open_container(plant.db, plant.actor(OPERATOR, "PCK-01")).code,
    )


# case: (code, arguments that differ from a good feed of 5 housings into WO-1)
FEED_REFUSALS: dict[str, tuple[ErrorCode, Callable[[FeedFloor], dict[str, Any]]]] = {
    "unknown work order": (ErrorCode.UNKNOWN_WORK_ORDER, lambda f: {"work_order_code": "WO-X"}),
    "planned work order": (ErrorCode.WORK_ORDER_NOT_RELEASED, lambda f: {"work_order_code": "WO-PLANNED"}),
    "closed work order": (ErrorCode.WORK_ORDER_COMPLETE, lambda f: {"work_order_code": "WO-DONE"}),
    "unknown lot": (ErrorCode.UNKNOWN_CODE, lambda f: {"lot_code": "R000000-0000"}),
    "a serial": (ErrorCode.NOT_A_LOT, lambda f: {"lot_code": f.module}),
    "a carton": (ErrorCode.NOT_A_LOT, lambda f: {"lot_code": f.carton}),
    "not in the BOM": (ErrorCode.ITEM_NOT_IN_BOM, lambda f: {"lot_code": f.resin}),
    "another work order's production lot": (ErrorCode.ITEM_NOT_IN_BOM, lambda f: {"lot_code": "WO-DONE-P"}),
    "on hold": (ErrorCode.LOT_ON_HOLD, lambda f: {"lot_code": f.held}),
    "in quarantine": (ErrorCode.LOT_NOT_RELEASED, lambda f: {"lot_code": f.quarantined_pcb}),
    "rejected": (ErrorCode.LOT_NOT_RELEASED, lambda f: {"lot_code": f.rejected_pcb}),
    "expired": (ErrorCode.LOT_EXPIRED, lambda f: {"lot_code": f.expired}),
    "zero": (ErrorCode.BAD_QUANTITY, lambda f: {"quantity": 0}),
    "negative": (ErrorCode.BAD_QUANTITY, lambda f: {"quantity": "-1"}),
    "text": (ErrorCode.BAD_QUANTITY, lambda f: {"quantity": "abc"}),
    "NaN": (ErrorCode.BAD_QUANTITY, lambda f: {"quantity": "NaN"}),
    "seven decimals": (ErrorCode.BAD_QUANTITY, lambda f: {"quantity": "0.0000001"}),
    "more than the lot holds": (ErrorCode.LOT_INSUFFICIENT_QUANTITY, lambda f: {"quantity": "10.000001"}),
    "unknown equipment": (ErrorCode.UNKNOWN_EQUIPMENT, lambda f: {"equipment_code": "EQ-X"}),
}


@pytest.mark.parametrize("case", FEED_REFUSALS)
def test_feed_refuses(plant: Plant, case: str) -> None:
    code, overrides = FEED_REFUSALS[case]
    floor = feed_floor(plant)
    args = {"work_order_code": "WO-1", "lot_code": floor.housing, "quantity": 5, **overrides(floor)}
    refused(plant, code, feed, operator(plant), **args)


# --- create_serials -----------------------------------------------------------------------------


def test_create_serials_numbers_them_and_links_them_from_the_production_lot(plant: Plant) -> None:
    work_order(plant, "WO-1", quantity=5)
    actor = operator(plant)

    result = create_serials(plant.db, actor, work_order_code="WO-1", count=3)

    today = plant.today()
    assert result.work_order_code == "WO-1" and result.status == "WIP"
    with plant.db.session() as s:
        rule = s.scalars(select(NumberingRule).where(NumberingRule.code == "SN-METER")).one()
        for sequence, code in enumerate(result.codes, start=1):
            assert code[:-1] == f"SM{today:%y%m}{sequence:06d}"  # SM{YY}{MM}{SEQ:6} + check character
            assert verify_check_digit(rule, code)
    order = the_work_order(plant, "WO-1")
    assert (order.serials_created, order.quantity_completed) == (3, 0)
    for code in result.codes:
        serial = unit(plant, code)
        assert (serial.kind, serial.status, serial.quantity) == (UnitKind.SERIAL, UnitStatus.WIP, 1)
        assert (serial.work_order_id, serial.item_id) == (order.id, order.item_id)
        assert serial.manufactured_on == today
        assert links_into(plant, code) == [("WO-1-P", LinkLevel.LOT, None)]
    (recorded,) = events_of(plant, actor)
    assert recorded.event.event_type is EventType.COMMISSION
    assert recorded.event.work_order_id == order.id
    assert (recorded.event.biz_step, recorded.event.disposition) == ("commissioning", "active")
    assert recorded.roles() == [
        (unit_id(plant, "WO-1-P"), EventRole.INPUT, None),
        *((unit_id(plant, code), EventRole.OUTPUT, Decimal(1)) for code in result.codes),
    ]

    more = create_serials(plant.db, operator(plant), work_order_code="WO-1", count=2)
    assert [code[:-1] for code in more.codes] == [f"SM{today:%y%m}{n:06d}" for n in (4, 5)]
    assert the_work_order(plant, "WO-1").serials_created == 5


def test_module_serials_follow_their_own_rule(plant: Plant) -> None:
    codes = modules(plant, finished=0, unfinished=2)
    assert codes == [f"CM{plant.today():%y}{n:07d}" for n in (1, 2)]


def test_create_serials_refusals(plant: Plant) -> None:
    work_order(plant, "WO-1", quantity=3)
    serials(plant, "WO-1", 2)
    work_order(plant, "WO-G", COMPOUND)
    work_order(plant, "WO-PLANNED", release=False)
    work_order(plant, "WO-DONE")
    close_work_order(plant.db, planner(plant), work_order_code="WO-DONE")

    def refuse(code: ErrorCode, work_order_code: str = "WO-1", count: Any = 1) -> None:
        refused(plant, code, create_serials, operator(plant), work_order_code=work_order_code, count=count)

    refuse(ErrorCode.UNKNOWN_WORK_ORDER, "WO-X")
    refuse(ErrorCode.WORK_ORDER_NOT_RELEASED, "WO-PLANNED")
    refuse(ErrorCode.WORK_ORDER_COMPLETE, "WO-DONE")
    refuse(ErrorCode.ITEM_NOT_SERIALIZED, "WO-G")
    for bad in (0, -1, 10_001, "1", 1.0, True, None):
        refuse(ErrorCode.BAD_QUANTITY, count=bad)
    refuse(ErrorCode.SERIAL_COUNT_EXCEEDED, count=2)  # 2 made, 3 planned
    assert len(serials(plant, "WO-1", 1)) == 1  # exactly up to the plan is fine
    refuse(ErrorCode.SERIAL_COUNT_EXCEEDED, count=1)


def test_create_serials_refuses_an_item_without_a_serial_rule(plant: Plant) -> None:
    work_order(plant, "WO-1")
    set_column(plant, Item, Item.code == METER, serial_rule_id=None)
    refused(
        plant, ErrorCode.NO_NUMBERING_RULE, create_serials, operator(plant), work_order_code="WO-1", count=1
    )


# --- assemble -------------------------------------------------------------------------------------


def test_assemble_links_the_component_serial_into_the_product_serial(plant: Plant) -> None:
    (module,) = modules(plant, 1)
    work_order(plant, "WO-1")
    (meter,) = serials(plant, "WO-1", 1)
    actor = operator(plant)

    result = assemble(plant.db, actor, product_code=meter, component_code=module, equipment_code="TEST-01")

    assert result == AssembleResult(meter, module, MODULE, assembled=1, required=Decimal(1))
    component = unit(plant, module)
    assert (component.status, component.quantity) == (UnitStatus.CONSUMED, 0)
    assert unit(plant, meter).status is UnitStatus.WIP
    assert links_into(plant, meter) == [("WO-1-P", LinkLevel.LOT, None), (module, LinkLevel.UNIT, Decimal(1))]
    (recorded,) = events_of(plant, actor)
    assert recorded.event.event_type is EventType.CONSUME
    assert recorded.event.work_order_id == the_work_order(plant, "WO-1").id
    assert recorded.event.equipment_id == ids(plant, Equipment, "TEST-01")
    assert recorded.event.biz_step == "assembling"
    assert recorded.roles() == [
        (component.id, EventRole.INPUT, Decimal(1)),
        (unit_id(plant, meter), EventRole.OUTPUT, None),
    ]


def test_genealogy_is_exact_unit_links_only_to_the_product_lot_links_to_every_serial(plant: Plant) -> None:
    built_in, spare = modules(plant, 2)
    work_order(plant, "WO-1")
    pcb = stock(plant, PCB, 10)
    feed(plant.db, operator(plant), work_order_code="WO-1", lot_code=pcb, quantity=3)
    meters = serials(plant, "WO-1", 3)
    assemble(plant.db, operator(plant), product_code=meters[0], component_code=built_in)

    # The module is in exactly one meter, and says so at unit level; its siblings do not contain it.
    assert links_out_of(plant, built_in) == [(meters[0], LinkLevel.UNIT, Decimal(1))]
    assert links_into(plant, meters[0]) == [
        ("WO-1-P", LinkLevel.LOT, None),
        (built_in, LinkLevel.UNIT, Decimal(1)),
    ]
    for sibling in meters[1:]:
        assert links_into(plant, sibling) == [("WO-1-P", LinkLevel.LOT, None)]
    assert links_out_of(plant, spare) == []
    # The PCB lot reaches the meters only through the production lot: "may contain", never "contains".
    assert links_out_of(plant, pcb) == [("WO-1-P", LinkLevel.LOT, Decimal(3))]
    assert links_out_of(plant, "WO-1-P") == [(code, LinkLevel.LOT, None) for code in meters]
    # The module itself came from its own work order's production lot, at lot level.
    assert links_into(plant, built_in) == [("WO-MOD-P", LinkLevel.LOT, None)]
    with plant.db.session() as s:
        unit_links = s.scalar(select(func.count(Link.id)).where(Link.level == LinkLevel.UNIT))
    assert unit_links == 1


def test_assemble_is_allowed_on_a_finished_meter(plant: Plant) -> None:
    # A meter finishes with every module its BOM makes mandatory: the module is made optional
    # (master data an administrator edits) so that one can still be fitted after the final test.
    set_column(plant, BomLine, BomLine.component_item_id == ids(plant, Item, MODULE), must_scan=False)
    (module,) = modules(plant, 1)
    work_order(plant, "WO-1")
    (meter,) = serials(plant, "WO-1", 1)
    feed_materials(plant, "WO-1", {PCB: 1, HOUSING: 1, BATTERY: 1})
    finish_meter(plant, meter)
    assert assemble(plant.db, operator(plant), product_code=meter, component_code=module).assembled == 1


@dataclass
class AssemblyFloor:
    meter: str
    full_meter: str
    failed_meter: str
    held_meter: str
    other_meter: str
    closed_meter: str
    module: str
    used_module: str
    unfinished_module: str
    failed_module: str
    held_module: str
    housing: str


def assembly_floor(plant: Plant) -> AssemblyFloor:
    module, used, held_module, unfinished, failed_module = modules(plant, finished=3, unfinished=2)
    report_serial(
        plant.db,
        operator(plant, "PRD-02"),
        serial_code=failed_module,
        step_code="RF",
        measurements={"RSSI": -90},
    )
    work_order(plant, "WO-1")
    meter, full, failed_meter, held_meter, other = serials(plant, "WO-1", 5)
    assemble(plant.db, operator(plant), product_code=full, component_code=used)
    report_serial(
        plant.db,
        operator(plant),
        serial_code=failed_meter,
        step_code="ASSY",
        passed=False,
        failure_reason="crack",
    )
    quality.hold(
        plant.db, plant.actor(QUALITY, "QA-01"), unit_code=held_meter, reason="audit", pin=PINS[QUALITY]
    )
    quality.hold(
        plant.db, plant.actor(QUALITY, "QA-01"), unit_code=held_module, reason="audit", pin=PINS[QUALITY]
    )
    work_order(plant, "WO-2")
    (closed_meter,) = serials(plant, "WO-2", 1)
    close_work_order(plant.db, planner(plant), work_order_code="WO-2")
    return AssemblyFloor(
        meter=meter,
        full_meter=full,
        failed_meter=failed_meter,
        held_meter=held_meter,
        other_meter=other,
        closed_meter=closed_meter,
        module=module,
        used_module=used,
        unfinished_module=unfinished,
        failed_module=failed_module,
        held_module=held_module,
        housing=stock(plant, HOUSING, 5),
    )


# case: (code, arguments that differ from assembling a good module into a good meter)
ASSEMBLE_REFUSALS: dict[str, tuple[ErrorCode, Callable[[AssemblyFloor], dict[str, Any]]]] = {
    "unknown product": (ErrorCode.UNKNOWN_CODE, lambda f: {"product_code": "SM-NOPE"}),
    "a lot as the product": (ErrorCode.NOT_A_SERIAL, lambda f: {"product_code": f.housing}),
    "product of a closed work order": (
        ErrorCode.WORK_ORDER_COMPLETE,
        lambda f: {"product_code": f.closed_meter},
    ),
    "failed product": (ErrorCode.SERIAL_FAILED, lambda f: {"product_code": f.failed_meter}),
    "product on hold": (ErrorCode.UNIT_ON_HOLD, lambda f: {"product_code": f.held_meter}),
    "unknown component": (ErrorCode.UNKNOWN_CODE, lambda f: {"component_code": "CM-NOPE"}),
    "a lot as the component": (ErrorCode.NOT_A_SERIAL, lambda f: {"component_code": f.housing}),
    "the product into itself": (ErrorCode.BAD_INPUT, lambda f: {"component_code": f.meter}),
    "a meter into a meter": (ErrorCode.ITEM_NOT_IN_BOM, lambda f: {"component_code": f.other_meter}),
    "a module already built in": (ErrorCode.SERIAL_ALREADY_USED, lambda f: {"component_code": f.used_module}),
    "a module not yet tested": (
        ErrorCode.SERIAL_NOT_COMPLETE,
        lambda f: {"component_code": f.unfinished_module},
    ),
    "a failed module": (ErrorCode.SERIAL_FAILED, lambda f: {"component_code": f.failed_module}),
    "a module on hold": (ErrorCode.UNIT_ON_HOLD, lambda f: {"component_code": f.held_module}),
    "a second module into one meter": (
        ErrorCode.COMPONENT_COUNT_EXCEEDED,
        lambda f: {"product_code": f.full_meter},
    ),
    "unknown equipment": (ErrorCode.UNKNOWN_EQUIPMENT, lambda f: {"equipment_code": "EQ-X"}),
}


@pytest.mark.parametrize("case", ASSEMBLE_REFUSALS)
def test_assemble_refuses(plant: Plant, case: str) -> None:
    code, overrides = ASSEMBLE_REFUSALS[case]
    floor = assembly_floor(plant)
    args = {"product_code": floor.meter, "component_code": floor.module, **overrides(floor)}
    refused(plant, code, assemble, operator(plant), **args)


def test_a_serial_that_failed_cannot_be_assembled_reported_or_packed(plant: Plant) -> None:
    (module,) = modules(plant, 1)
    work_order(plant, "WO-1")
    (meter,) = serials(plant, "WO-1", 1)
    report_serial(plant.db, operator(plant), serial_code=meter, step_code="ASSY")
    failed = report_serial(
        plant.db, operator(plant), serial_code=meter, step_code="CAL", measurements={"ERR": "0.9"}
    )
    assert (failed.passed, failed.status, failed.failed_checks) == (False, "FAILED", ["ERR"])
    carton = packing.open_container(plant.db, plant.actor(OPERATOR, "PCK-01")).code

    refused(
        plant, ErrorCode.SERIAL_FAILED, assemble, operator(plant), product_code=meter, component_code=module
    )
    refused(
        plant,
        ErrorCode.SERIAL_FAILED,
        report_serial,
        operator(plant),
        serial_code=meter,
        step_code="CAL",
        measurements={"ERR": "0"},
    )
    refused(
        plant, ErrorCode.SERIAL_FAILED, report_serial, operator(plant), serial_code=meter, step_code="VIS"
    )
    refused(
        plant,
        ErrorCode.SERIAL_FAILED,
        packing.pack,
        plant.actor(OPERATOR, "PCK-01"),
        container_code=carton,
        unit_code=meter,
    )


def test_serials_that_left_their_route_cannot_be_assembled_or_reported(plant: Plant) -> None:
    """Packed, scrapped or shipped: as a product, as a component, or reported at a step."""
    good_module, packed_module, scrapped_module, shipped_module = modules(plant, 4)
    work_order(plant, "WO-1")
    meter, packed_meter, scrapped_meter, shipped_meter = serials(plant, "WO-1", 4)
    ready_to_finish(plant, "WO-1", packed_meter, scrapped_meter, shipped_meter)
    for code in (packed_meter, scrapped_meter, shipped_meter):
        finish_meter(plant, code)
    packer = lambda: plant.actor(OPERATOR, "PCK-01")  # noqa: E731
    for item_code, code in ((MODULE, packed_module), (METER, packed_meter)):
        carton = packing.open_container(plant.db, packer()).code
        assert packing.pack(plant.db, packer(), container_code=carton, unit_code=code).item_code == item_code
    for code in (scrapped_module, scrapped_meter):
        quality.scrap(
            plant.db, plant.actor(QUALITY, "QA-01"), unit_code=code, reason="dropped", pin=PINS[QUALITY]
        )
    shipper = lambda: plant.actor(OPERATOR, "SHP-01")  # noqa: E731
    shipping.create_shipment(
        plant.db, shipper(), code="SH-1", customer_code="CUS-EC", lines={MODULE: 1, METER: 1}
    )
    for code in (shipped_module, shipped_meter):
        shipping.add_to_shipment(plant.db, shipper(), shipment_code="SH-1", unit_code=code)
    assert shipping.confirm_shipment(plant.db, shipper(), shipment_code="SH-1").status == "SHIPPED"

    for code, module, product in (
        (ErrorCode.UNIT_ALREADY_PACKED, packed_module, packed_meter),
        (ErrorCode.UNIT_SCRAPPED, scrapped_module, scrapped_meter),
        (ErrorCode.ALREADY_SHIPPED, shipped_module, shipped_meter),
    ):
        refused(plant, code, assemble, operator(plant), product_code=meter, component_code=module)
        refused(plant, code, assemble, operator(plant), product_code=product, component_code=good_module)
        refused(plant, code, report_serial, operator(plant), serial_code=product, step_code="VIS")
    assert assemble(plant.db, operator(plant), product_code=meter, component_code=good_module).assembled == 1


# --- report_serial -----------------------------------------------------------------------------


def test_report_serial_walks_the_route_and_releases_the_serial_at_the_end(plant: Plant) -> None:
    work_order(plant, "WO-1")
    (meter,) = serials(plant, "WO-1", 1)
    ready_to_finish(plant, "WO-1", meter)
    order_id = the_work_order(plant, "WO-1").id
    serial_id = unit_id(plant, meter)

    assy_actor = operator(plant)
    assy = report_serial(plant.db, assy_actor, serial_code=meter, step_code="ASSY", equipment_code="CAL-01")
    assert assy == SerialReportResult(meter, "ASSY", True, "WIP", [], ["CAL", "TEST"])
    (recorded,) = events_of(plant, assy_actor)
    assert recorded.event.event_type is EventType.REPORT
    assert recorded.event.work_order_id == order_id
    assert recorded.event.routing_step_id == step_id(plant, METER, "ASSY")
    assert recorded.event.equipment_id == ids(plant, Equipment, "CAL-01")
    assert (recorded.event.disposition, recorded.event.reason_code) == ("active", None)
    assert recorded.roles() == [(serial_id, EventRole.OBJECT, None)]

    cal_actor = plant.actor(OPERATOR_2, "PRD-01")
    cal = report_serial(plant.db, cal_actor, serial_code=meter, step_code="CAL", measurements={"ERR": -0.5})
    assert (cal.passed, cal.remaining_steps) == (True, ["TEST"])
    test = report_serial(
        plant.db,
        operator(plant),
        serial_code=meter,
        step_code="TEST",
        measurements={"VOLT": 242, "IDLE": "1.5"},
    )
    assert test == SerialReportResult(meter, "TEST", True, "RELEASED", [], [])
    assert unit(plant, meter).status is UnitStatus.RELEASED
    assert the_work_order(plant, "WO-1").quantity_completed == 1

    results = step_results(plant, unit_id=serial_id)
    assert [(r.routing_step_id, r.passed, r.good_quantity, r.scrap_quantity) for r in results] == [
        (step_id(plant, METER, step), True, Decimal(1), Decimal(0)) for step in ("ASSY", "CAL", "TEST")
    ]
    assert all(r.work_order_id == order_id for r in results)
    with plant.db.session() as s:
        checks = s.execute(
            select(
                InspectionResult.name,
                InspectionResult.value,
                InspectionResult.lower_limit,
                InspectionResult.upper_limit,
                InspectionResult.passed,
                InspectionResult.step_result_id,
                InspectionCharacteristic.code,
            )
            .join(InspectionCharacteristic, InspectionCharacteristic.id == InspectionResult.characteristic_id)
            .where(InspectionResult.unit_id == serial_id)
            .order_by(InspectionResult.id)
        ).all()
        cal_event = s.scalars(select(Event.user_id).where(Event.action_id == cal_actor.action_id)).one()
    assert [tuple(row) for row in checks] == [
        ("ERR", Decimal("-0.5"), Decimal("-0.5"), Decimal("0.5"), True, results[1].id, "ERR"),
        ("VOLT", Decimal(242), Decimal(198), Decimal(242), True, results[2].id, "VOLT"),
        ("IDLE", Decimal("1.5"), None, Decimal("1.5"), True, results[2].id, "IDLE"),
    ]
    assert cal_event == plant.ids.users[OPERATOR_2]

    # The optional visual check may follow; passing it changes nothing but the record.
    vis = report_serial(plant.db, operator(plant), serial_code=meter, step_code="VIS")
    assert (vis.passed, vis.status) == (True, "RELEASED")
    assert the_work_order(plant, "WO-1").quantity_completed == 1


def test_report_serial_out_of_limits_fails_the_serial_and_records_why(plant: Plant) -> None:
    work_order(plant, "WO-1")
    (meter,) = serials(plant, "WO-1", 1)
    report_serial(plant.db, operator(plant), serial_code=meter, step_code="ASSY")
    report_serial(plant.db, operator(plant), serial_code=meter, step_code="CAL", measurements={"ERR": "0.5"})
    actor = operator(plant)

    result = report_serial(
        plant.db, actor, serial_code=meter, step_code="TEST", measurements={"VOLT": "197.99", "IDLE": 1.6}
    )

    assert result == SerialReportResult(meter, "TEST", False, "FAILED", ["VOLT", "IDLE"], ["TEST"])
    assert unit(plant, meter).status is UnitStatus.FAILED
    assert the_work_order(plant, "WO-1").quantity_completed == 0
    (recorded,) = events_of(plant, actor)
    assert (recorded.event.disposition, recorded.event.reason_code) == ("non_conformant", "OUT_OF_LIMITS")
    last = step_results(plant, unit_id=unit_id(plant, meter))[-1]
    assert (last.passed, last.good_quantity, last.scrap_reason) == (False, 0, "OUT_OF_LIMITS")
    with plant.db.session() as s:
        verdicts = s.execute(
            select(InspectionResult.name, InspectionResult.value, InspectionResult.passed)
            .where(InspectionResult.step_result_id == last.id)
            .order_by(InspectionResult.id)
        ).all()
    assert [tuple(v) for v in verdicts] == [
        ("VOLT", Decimal("197.99"), False),
        ("IDLE", Decimal("1.6"), False),
    ]


@pytest.mark.parametrize(
    ("given", "recorded_reason"), [(None, "OUT_OF_LIMITS"), ("  ", "OUT_OF_LIMITS"), ("NOISY", "NOISY")]
)
def test_out_of_limits_takes_the_operators_reason_if_any(
    plant: Plant, given: str | None, recorded_reason: str
) -> None:
    work_order(plant, "WO-1")
    (meter,) = serials(plant, "WO-1", 1)
    report_serial(plant.db, operator(plant), serial_code=meter, step_code="ASSY")
    actor = operator(plant)
    result = report_serial(
        plant.db,
        actor,
        serial_code=meter,
        step_code="CAL",
        measurements={"ERR": "-0.51"},
        failure_reason=given,
    )
    assert (result.passed, result.failed_checks) == (False, ["ERR"])
    (recorded,) = events_of(plant, actor)
    assert recorded.event.reason_code == recorded_reason
    assert step_results(plant, unit_id=unit_id(plant, meter))[-1].scrap_reason == recorded_reason


def test_report_serial_failed_by_the_operator_with_a_reason(plant: Plant) -> None:
    work_order(plant, "WO-1")
    (meter,) = serials(plant, "WO-1", 1)
    actor = operator(plant)
    result = report_serial(
        plant.db, actor, serial_code=meter, step_code="ASSY", passed=False, failure_reason="SCRATCH"
    )
    assert (result.passed, result.status, result.failed_checks) == (False, "FAILED", [])
    (recorded,) = events_of(plant, actor)
    assert recorded.event.reason_code == "SCRATCH"
    assert step_results(plant, unit_id=unit_id(plant, meter))[0].scrap_reason == "SCRATCH"


def test_a_finished_serial_failing_its_optional_check_is_no_longer_counted_complete(plant: Plant) -> None:
    work_order(plant, "WO-1")
    (meter,) = serials(plant, "WO-1", 1)
    ready_to_finish(plant, "WO-1", meter)
    finish_meter(plant, meter)
    assert the_work_order(plant, "WO-1").quantity_completed == 1
    result = report_serial(
        plant.db, operator(plant), serial_code=meter, step_code="VIS", passed=False, failure_reason="SCRATCH"
    )
    assert result.status == "FAILED"
    assert the_work_order(plant, "WO-1").quantity_completed == 0


def test_a_module_passes_rf_only_within_its_sensitivity_limit(plant: Plant) -> None:
    good, bad = modules(plant, finished=0, unfinished=2)
    ok = report_serial(
        plant.db, operator(plant, "PRD-02"), serial_code=good, step_code="RF", measurements={"RSSI": -100}
    )
    assert (ok.passed, ok.status) == (True, "RELEASED")
    ko = report_serial(
        plant.db, operator(plant, "PRD-02"), serial_code=bad, step_code="RF", measurements={"RSSI": "-99.9"}
    )
    assert (ko.passed, ko.status, ko.failed_checks) == (False, "FAILED", ["RSSI"])
    assert the_work_order(plant, "WO-MOD").quantity_completed == 1


def test_report_serial_refusals(plant: Plant) -> None:
    (used_module,) = modules(plant, 1)
    work_order(plant, "WO-1")
    fresh, assembled, held, orphan = serials(plant, "WO-1", 4)
    report_serial(plant.db, operator(plant), serial_code=assembled, step_code="ASSY")
    assemble(plant.db, operator(plant), product_code=assembled, component_code=used_module)
    quality.hold(plant.db, plant.actor(QUALITY, "QA-01"), unit_code=held, reason="audit", pin=PINS[QUALITY])
    set_column(plant, Unit, Unit.code == orphan, work_order_id=None)
    work_order(plant, "WO-2")
    (closed,) = serials(plant, "WO-2", 1)
    close_work_order(plant.db, planner(plant), work_order_code="WO-2")
    housing = stock(plant, HOUSING, 5)

    def refuse(code: ErrorCode, serial: str, step: str, **kwargs: Any) -> DomainError:
        return refused(
            plant, code, report_serial, operator(plant), serial_code=serial, step_code=step, **kwargs
        )

    refuse(ErrorCode.UNKNOWN_CODE, "SM-NOPE", "ASSY")
    refuse(ErrorCode.NOT_A_SERIAL, housing, "ASSY")
    refuse(ErrorCode.SERIAL_NOT_OF_WORK_ORDER, orphan, "ASSY")
    refuse(ErrorCode.WORK_ORDER_COMPLETE, closed, "ASSY")
    refuse(ErrorCode.UNIT_ON_HOLD, held, "ASSY")
    refuse(ErrorCode.SERIAL_ALREADY_USED, used_module, "VIS")  # built into a meter: off its route
    refuse(ErrorCode.UNKNOWN_STEP, fresh, "PACK")
    refuse(ErrorCode.UNKNOWN_STEP, fresh, "RF")  # the module's step, not the meter's
    skipped = refuse(ErrorCode.STEP_SKIPPED, fresh, "TEST", measurements={"VOLT": 220, "IDLE": 1})
    assert skipped.params["missing"] == ["ASSY", "CAL"]
    refuse(ErrorCode.STEP_SKIPPED, fresh, "VIS")  # an optional step still comes after the mandatory ones
    refuse(ErrorCode.STEP_ALREADY_PASSED, assembled, "ASSY")
    refuse(ErrorCode.MEASUREMENT_MISSING, assembled, "CAL")
    refuse(ErrorCode.MEASUREMENT_MISSING, assembled, "CAL", measurements={})
    refuse(ErrorCode.UNKNOWN_CHARACTERISTIC, assembled, "CAL", measurements={"ERR": 0, "TEMP": 25})
    refuse(ErrorCode.UNKNOWN_CHARACTERISTIC, fresh, "ASSY", measurements={"ERR": 0})
    for value in ("abc", "NaN", "Infinity", float("inf"), "1e15"):
        refuse(ErrorCode.BAD_INPUT, assembled, "CAL", measurements={"ERR": value})
    refuse(ErrorCode.REASON_REQUIRED, fresh, "ASSY", passed=False)
    refuse(ErrorCode.REASON_REQUIRED, fresh, "ASSY", passed=False, failure_reason="  ")
    refuse(ErrorCode.BAD_INPUT, fresh, "ASSY", passed=False, failure_reason="x" * 65)
    refuse(ErrorCode.UNKNOWN_EQUIPMENT, fresh, "ASSY", equipment_code="EQ-X")


# --- components: a unit leaves production only with what its BOM says must be scanned into it ----

METER_LOTS: dict[str, int | str] = {PCB: 1, HOUSING: 1, BATTERY: 1}


def meter_at_test(plant: Plant, work_order_code: str = "WO-1", count: int = 1) -> list[str]:
    """Meters of a new work order that passed ASSY and CAL, nothing fed or assembled: the earlier
    steps need no components, only the last mandatory one does."""
    work_order(plant, work_order_code)
    made = serials(plant, work_order_code, count)
    for meter in made:
        for step, measurements in METER_ROUTE[:2]:
            report_serial(
                plant.db, operator(plant), serial_code=meter, step_code=step, measurements=measurements
            )
    return made


def final_test(plant: Plant, meter: str) -> SerialReportResult:
    step, measurements = METER_ROUTE[-1]
    return report_serial(
        plant.db, operator(plant), serial_code=meter, step_code=step, measurements=measurements
    )


def refuse_final_test(plant: Plant, meter: str) -> list[str]:
    """The last mandatory step refused for missing components (nothing changed); what is missing."""
    step, measurements = METER_ROUTE[-1]
    error = refused(
        plant,
        ErrorCode.COMPONENTS_MISSING,
        report_serial,
        operator(plant),
        serial_code=meter,
        step_code=step,
        measurements=measurements,
    )
    assert error.params["code"] == meter
    return sorted(error.params["missing"])


def test_a_meter_without_anything_fed_or_assembled_cannot_finish(plant: Plant) -> None:
    (meter,) = meter_at_test(plant)
    assert refuse_final_test(plant, meter) == sorted([PCB, HOUSING, BATTERY, MODULE])
    assert unit(plant, meter).status is UnitStatus.WIP


def test_a_meter_without_its_module_cannot_finish_until_one_is_assembled(plant: Plant) -> None:
    (meter,) = meter_at_test(plant)
    feed_materials(plant, "WO-1", METER_LOTS)

    assert refuse_final_test(plant, meter) == [MODULE]

    build_in_modules(plant, meter)
    assert final_test(plant, meter).status == "RELEASED"
    assert unit(plant, meter).status is UnitStatus.RELEASED
    assert the_work_order(plant, "WO-1").quantity_completed == 1


def test_a_meter_of_a_work_order_fed_no_housing_cannot_finish(plant: Plant) -> None:
    (meter,) = meter_at_test(plant)
    feed_materials(plant, "WO-1", {PCB: 1, BATTERY: 1})
    build_in_modules(plant, meter)

    assert refuse_final_test(plant, meter) == [HOUSING]

    feed_materials(plant, "WO-1", {HOUSING: 1})
    assert final_test(plant, meter).status == "RELEASED"


def test_the_substitute_battery_satisfies_the_battery_line(plant: Plant) -> None:
    (meter,) = meter_at_test(plant)
    feed_materials(plant, "WO-1", {PCB: 1, HOUSING: 1, BATTERY_ALT: 1})
    build_in_modules(plant, meter)
    assert final_test(plant, meter).status == "RELEASED"


def test_screws_are_never_needed_even_when_the_bom_says_to_scan_them(plant: Plant) -> None:
    """SCR-M3 is tracked by nobody: there is no lot or serial of it that could be scanned."""
    set_column(plant, BomLine, BomLine.component_item_id == ids(plant, Item, SCREW), must_scan=True)
    (meter,) = meter_at_test(plant)
    feed_materials(plant, "WO-1", METER_LOTS)
    build_in_modules(plant, meter)
    assert final_test(plant, meter).status == "RELEASED"
    screw = ids(plant, Item, SCREW)
    with plant.db.session() as s:
        assert s.scalar(select(func.count(Unit.id)).where(Unit.item_id == screw)) == 0


def test_components_count_for_their_own_serial_and_their_own_work_order(plant: Plant) -> None:
    """A module is in one meter only; a lot fed to another work order is not in this one."""
    first, second = meter_at_test(plant, "WO-1", 2)
    work_order(plant, "WO-2")
    feed_materials(plant, "WO-2", {HOUSING: 1})  # the housing went to the other work order
    feed_materials(plant, "WO-1", {PCB: 2, BATTERY: 2})
    build_in_modules(plant, first)

    assert refuse_final_test(plant, first) == [HOUSING]
    assert refuse_final_test(plant, second) == sorted(
        [HOUSING, MODULE]
    )  # its sibling's module is not its own

    feed_materials(plant, "WO-1", {HOUSING: 2})
    assert final_test(plant, first).status == "RELEASED"
    assert refuse_final_test(plant, second) == [MODULE]


def test_a_meter_needs_as_many_modules_as_its_bom_says(plant: Plant) -> None:
    set_column(plant, BomLine, BomLine.component_item_id == ids(plant, Item, MODULE), quantity_per=2)
    (meter,) = meter_at_test(plant)
    feed_materials(plant, "WO-1", METER_LOTS)
    build_in_modules(plant, meter)

    assert refuse_final_test(plant, meter) == [MODULE]

    build_in_modules(plant, meter)
    assert final_test(plant, meter).status == "RELEASED"


def test_a_meter_failing_its_last_step_without_components_is_recorded_failed_not_refused(
    plant: Plant,
) -> None:
    (meter,) = meter_at_test(plant)
    result = report_serial(
        plant.db, operator(plant), serial_code=meter, step_code="TEST", measurements={"VOLT": 250, "IDLE": 1}
    )
    assert (result.passed, result.status, result.failed_checks) == (False, "FAILED", ["VOLT"])
    assert unit(plant, meter).status is UnitStatus.FAILED


def test_a_module_cannot_pass_rf_until_its_chip_is_fed(plant: Plant) -> None:
    work_order(plant, "WO-M", MODULE, quantity=1)
    (module,) = serials(plant, "WO-M", 1, "PRD-02")
    rf = {"serial_code": module, "step_code": "RF", "measurements": {"RSSI": "-105"}}

    error = refused(plant, ErrorCode.COMPONENTS_MISSING, report_serial, operator(plant, "PRD-02"), **rf)
    assert error.params == {"code": module, "missing": [CHIP]}

    feed_materials(plant, "WO-M", {CHIP: 1}, "PRD-02")
    assert report_serial(plant.db, operator(plant, "PRD-02"), **rf).status == "RELEASED"


# --- report_step --------------------------------------------------------------------------------


def test_report_step_records_good_and_scrap_quantities(plant: Plant) -> None:
    work_order(plant, "WO-G", COMPOUND, quantity=10)
    order_id = the_work_order(plant, "WO-G").id
    actor = operator(plant, "PRD-02")

    first = report_step(
        plant.db,
        actor,
        work_order_code="WO-G",
        step_code="MIX",
        good_quantity="4.5",
        scrap_quantity="0.25",
        scrap_reason=" AIR_BUBBLES ",
        equipment_code="MIX-01",
    )
    assert first == StepReportResult("WO-G", "MIX", Decimal("4.5"), Decimal("0.25"))
    second = report_step(
        plant.db, operator(plant, "PRD-02"), work_order_code="WO-G", step_code="MIX", good_quantity="5.5"
    )
    assert (second.good_total, second.scrap_total) == (10, Decimal("0.25"))
    scrap_only = report_step(
        plant.db,
        operator(plant, "PRD-02"),
        work_order_code="WO-G",
        step_code="QC",
        good_quantity=0,
        scrap_quantity=1,
        scrap_reason="VISCOSITY",
    )
    assert (scrap_only.good_total, scrap_only.scrap_total) == (0, 1)

    order = the_work_order(plant, "WO-G")
    assert order.quantity_scrapped == Decimal("1.25")
    assert order.quantity_completed == 0  # reporting a step makes nothing: complete_lot does
    rows = step_results(plant, work_order_id=order_id)
    assert [
        (r.routing_step_id, r.good_quantity, r.scrap_quantity, r.scrap_reason, r.unit_id, r.passed)
        for r in rows
    ] == [
        (step_id(plant, COMPOUND, "MIX"), Decimal("4.5"), Decimal("0.25"), "AIR_BUBBLES", None, None),
        (step_id(plant, COMPOUND, "MIX"), Decimal("5.5"), Decimal(0), None, None, None),
        (step_id(plant, COMPOUND, "QC"), Decimal(0), Decimal(1), "VISCOSITY", None, None),
    ]
    (recorded,) = events_of(plant, actor)
    assert recorded.event.event_type is EventType.REPORT
    assert recorded.event.work_order_id == order_id
    assert recorded.event.routing_step_id == step_id(plant, COMPOUND, "MIX")
    assert recorded.event.equipment_id == ids(plant, Equipment, "MIX-01")
    assert recorded.event.reason_code == "AIR_BUBBLES"
    assert recorded.event.detail == {"good": "4.5", "scrap": "0.25"}
    assert recorded.roles() == [(unit_id(plant, "WO-G-P"), EventRole.OBJECT, Decimal("4.5"))]
    assert rows[0].event_id == recorded.event.id


def test_report_step_refusals(plant: Plant) -> None:
    work_order(plant, "WO-G", COMPOUND, quantity=10)
    report_step(plant.db, operator(plant, "PRD-02"), work_order_code="WO-G", step_code="MIX", good_quantity=8)
    work_order(plant, "WO-1")
    work_order(plant, "WO-PLANNED", COMPOUND, release=False)
    work_order(plant, "WO-DONE", COMPOUND)
    close_work_order(plant.db, planner(plant, "PRD-02"), work_order_code="WO-DONE")

    def refuse(code: ErrorCode, **overrides: Any) -> None:
        args = {"work_order_code": "WO-G", "step_code": "QC", "good_quantity": 1, **overrides}
        refused(plant, code, report_step, operator(plant, "PRD-02"), **args)

    refuse(ErrorCode.UNKNOWN_WORK_ORDER, work_order_code="WO-X")
    refuse(ErrorCode.WORK_ORDER_NOT_RELEASED, work_order_code="WO-PLANNED")
    refuse(ErrorCode.WORK_ORDER_COMPLETE, work_order_code="WO-DONE")
    refuse(ErrorCode.ITEM_NOT_LOT_TRACKED, work_order_code="WO-1", step_code="ASSY")
    refuse(ErrorCode.UNKNOWN_STEP, step_code="ASSY")
    refuse(ErrorCode.BAD_QUANTITY, good_quantity=0)
    refuse(ErrorCode.BAD_QUANTITY, good_quantity=0, scrap_quantity=0, scrap_reason="x")
    refuse(ErrorCode.BAD_QUANTITY, good_quantity=-1)
    refuse(ErrorCode.BAD_QUANTITY, good_quantity="abc")
    refuse(ErrorCode.BAD_QUANTITY, good_quantity="NaN")
    refuse(ErrorCode.BAD_QUANTITY, good_quantity="0.0000001")
    refuse(ErrorCode.BAD_QUANTITY, scrap_quantity=-1, scrap_reason="x")
    refuse(ErrorCode.REASON_REQUIRED, scrap_quantity=1)
    refuse(ErrorCode.REASON_REQUIRED, scrap_quantity=1, scrap_reason=" ")
    refuse(ErrorCode.BAD_INPUT, scrap_quantity=1, scrap_reason="r" * 65)
    refuse(ErrorCode.QUANTITY_EXCEEDS_ORDER, step_code="MIX", good_quantity="2.000001")  # 8 + 2.000001 > 10
    refuse(ErrorCode.UNKNOWN_EQUIPMENT, equipment_code="EQ-X")
    assert (
        report_step(  # exactly up to the plan is fine, and scrap does not count against it
            plant.db,
            operator(plant, "PRD-02"),
            work_order_code="WO-G",
            step_code="MIX",
            good_quantity=2,
            scrap_quantity=5,
            scrap_reason="SPILL",
        ).good_total
        == 10
    )


# --- complete_lot -------------------------------------------------------------------------------


def test_complete_lot_puts_an_output_lot_into_stock_linked_from_the_production_lot(plant: Plant) -> None:
    reported_compound(plant, "WO-G", planned=10, reported=6, fed=False)
    resin, hardener = stock(plant, RESIN, 10), stock(plant, HARDENER, 10)
    feed(plant.db, operator(plant, "PRD-02"), work_order_code="WO-G", lot_code=resin, quantity=5)
    feed(plant.db, operator(plant, "PRD-02"), work_order_code="WO-G", lot_code=hardener, quantity="1.25")
    actor = operator(plant, "PRD-02")

    result = complete_lot(plant.db, actor, work_order_code="WO-G", quantity="4.5")

    today = plant.today()
    expected_code = f"P{today:%y}{today.timetuple().tm_yday:03d}L2-001"
    assert result == CompleteResult("WO-G", expected_code, Decimal("4.5"), "RELEASED")
    output = unit(plant, expected_code)
    order = the_work_order(plant, "WO-G")
    assert (output.kind, output.status, output.quantity, output.initial_quantity) == (
        UnitKind.LOT,
        UnitStatus.RELEASED,
        Decimal("4.5"),
        Decimal("4.5"),
    )
    assert (output.uom, output.work_order_id, output.item_id) == ("KG", order.id, order.item_id)
    assert output.manufactured_on == today
    assert output.expires_on == today + dt.timedelta(days=180)
    assert order.quantity_completed == Decimal("4.5")
    assert links_into(plant, expected_code) == [("WO-G-P", LinkLevel.LOT, Decimal("4.5"))]
    assert links_into(plant, "WO-G-P") == [
        (resin, LinkLevel.LOT, Decimal(5)),
        (hardener, LinkLevel.LOT, Decimal("1.25")),
    ]
    (recorded,) = events_of(plant, actor)
    assert recorded.event.event_type is EventType.PRODUCE
    assert recorded.event.work_order_id == order.id
    assert (recorded.event.biz_step, recorded.event.disposition) == ("creating_class_instance", "active")
    assert recorded.roles() == [
        (unit_id(plant, "WO-G-P"), EventRole.INPUT, None),
        (output.id, EventRole.OUTPUT, Decimal("4.5")),
    ]

    second = complete_lot(plant.db, operator(plant, "PRD-02"), work_order_code="WO-G", quantity="1.5")
    assert second.lot_code == expected_code[:-3] + "002"
    assert the_work_order(plant, "WO-G").quantity_completed == 6


def test_complete_lot_with_close_completes_the_work_order(plant: Plant) -> None:
    reported_compound(plant, "WO-G", planned=10, reported=10)
    actor = operator(plant, "PRD-02")
    expiry = plant.today() + dt.timedelta(days=30)
    result = complete_lot(plant.db, actor, work_order_code="WO-G", quantity=10, close=True, expires_on=expiry)
    assert result.work_order_status == "COMPLETED"
    assert the_work_order(plant, "WO-G").status is WorkOrderStatus.COMPLETED
    assert unit(plant, "WO-G-P").status is UnitStatus.CONSUMED
    assert unit(plant, result.lot_code).expires_on == expiry
    produce, closed = events_of(plant, actor)
    assert produce.event.event_type is EventType.PRODUCE
    assert closed.event.event_type is EventType.WORK_ORDER
    assert (closed.event.disposition, closed.event.detail["status"]) == ("completed", "COMPLETED")
    refused(
        plant,
        ErrorCode.WORK_ORDER_COMPLETE,
        complete_lot,
        operator(plant, "PRD-02"),
        work_order_code="WO-G",
        quantity=1,
    )


def test_complete_lot_refusals(plant: Plant) -> None:
    work_order(plant, "WO-G", COMPOUND, quantity=10)
    report_step(plant.db, operator(plant, "PRD-02"), work_order_code="WO-G", step_code="MIX", good_quantity=8)
    report_step(plant.db, operator(plant, "PRD-02"), work_order_code="WO-G", step_code="QC", good_quantity=5)
    feed_materials(plant, "WO-G", {RESIN: 8, HARDENER: 2}, "PRD-02")
    complete_lot(plant.db, operator(plant, "PRD-02"), work_order_code="WO-G", quantity=2)
    work_order(plant, "WO-1")
    work_order(plant, "WO-PLANNED", COMPOUND, release=False)
    work_order(plant, "WO-DONE", COMPOUND)
    close_work_order(plant.db, planner(plant, "PRD-02"), work_order_code="WO-DONE")

    def refuse(code: ErrorCode, **overrides: Any) -> DomainError:
        args = {"work_order_code": "WO-G", "quantity": 1, **overrides}
        return refused(plant, code, complete_lot, operator(plant, "PRD-02"), **args)

    refuse(ErrorCode.UNKNOWN_WORK_ORDER, work_order_code="WO-X")
    refuse(ErrorCode.WORK_ORDER_NOT_RELEASED, work_order_code="WO-PLANNED")
    refuse(ErrorCode.WORK_ORDER_COMPLETE, work_order_code="WO-DONE")
    refuse(ErrorCode.ITEM_NOT_LOT_TRACKED, work_order_code="WO-1")
    for bad in (0, -1, "abc", "NaN", "1.0000001"):
        refuse(ErrorCode.BAD_QUANTITY, quantity=bad)
    # 2 made; QC passed 5: 3 more is fine, 3.000001 was never inspected.
    skipped = refuse(ErrorCode.STEP_SKIPPED, quantity="3.000001")
    assert skipped.params["step"] == "QC"
    refuse(ErrorCode.BAD_DATE, expires_on=plant.today() - dt.timedelta(days=1))
    refuse(ErrorCode.BAD_DATE, expires_on=dt.datetime.now(dt.UTC))
    refuse(ErrorCode.BAD_DATE, expires_on="2030-01-01")
    report_step(plant.db, operator(plant, "PRD-02"), work_order_code="WO-G", step_code="MIX", good_quantity=2)
    report_step(plant.db, operator(plant, "PRD-02"), work_order_code="WO-G", step_code="QC", good_quantity=5)
    refuse(ErrorCode.QUANTITY_EXCEEDS_ORDER, quantity="8.000001")  # 2 made + 8.000001 > 10 planned
    set_column(plant, Item, Item.code == COMPOUND, lot_rule_id=None)
    refuse(ErrorCode.NO_NUMBERING_RULE, quantity=1)


def test_complete_lot_refuses_a_compound_without_its_hardener(plant: Plant) -> None:
    reported_compound(plant, "WO-G", planned=10, reported=10, fed=False)
    actor = operator(plant, "PRD-02")

    error = refused(
        plant, ErrorCode.COMPONENTS_MISSING, complete_lot, actor, work_order_code="WO-G", quantity=5
    )
    assert sorted(error.params["missing"]) == sorted([RESIN, HARDENER])

    feed_materials(plant, "WO-G", {RESIN: 8}, "PRD-02")
    work_order(plant, "WO-OTHER", COMPOUND)
    feed_materials(plant, "WO-OTHER", {HARDENER: 2}, "PRD-02")  # fed, but to another work order
    for close in (False, True):
        error = refused(
            plant,
            ErrorCode.COMPONENTS_MISSING,
            complete_lot,
            operator(plant, "PRD-02"),
            work_order_code="WO-G",
            quantity=5,
            close=close,
        )
        assert error.params == {"code": "WO-G", "missing": [HARDENER]}

    feed_materials(plant, "WO-G", {HARDENER: 2}, "PRD-02")
    result = complete_lot(plant.db, operator(plant, "PRD-02"), work_order_code="WO-G", quantity=5)
    assert unit(plant, result.lot_code).status is UnitStatus.RELEASED


# --- holds: what a held work order makes is held too --------------------------------------------


def hold(plant: Plant, code: str, *, include_descendants: bool = False) -> quality.HoldResult:
    return quality.hold(
        plant.db,
        plant.actor(QUALITY, "QA-01"),
        unit_code=code,
        reason="supplier notice",
        pin=PINS[QUALITY],
        include_descendants=include_descendants,
    )


def release(plant: Plant, code: str, *, include_descendants: bool = False) -> quality.HoldResult:
    return quality.release_hold(
        plant.db,
        plant.actor(QUALITY, "QA-01"),
        unit_code=code,
        reason="cleared",
        pin=PINS[QUALITY],
        include_descendants=include_descendants,
    )


def status_of(plant: Plant, code: str) -> tuple[UnitStatus, UnitStatus | None]:
    found = unit(plant, code)
    return found.status, found.held_from_status


def test_serials_made_after_a_hold_on_a_fed_lot_are_born_on_hold(plant: Plant) -> None:
    work_order(plant, "WO-1", quantity=5)
    housing = stock(plant, HOUSING, 10)
    feed(plant.db, operator(plant), work_order_code="WO-1", lot_code=housing, quantity=4)
    (before,) = serials(plant, "WO-1", 1)
    held = hold(plant, housing, include_descendants=True)
    assert held.changed == [housing, "WO-1-P", before]

    after = serials(plant, "WO-1", 2)

    for code in after:
        assert status_of(plant, code) == (UnitStatus.ON_HOLD, UnitStatus.WIP)
        assert links_into(plant, code) == [("WO-1-P", LinkLevel.LOT, None)]
    assert status_of(plant, "WO-1-P") == (UnitStatus.ON_HOLD, UnitStatus.WIP)
    order = the_work_order(plant, "WO-1")
    assert (order.serials_created, order.quantity_completed) == (3, 0)
    refused(
        plant, ErrorCode.UNIT_ON_HOLD, report_serial, operator(plant), serial_code=after[0], step_code="ASSY"
    )

    # Released one by one, a serial goes back on its route; the rest stay held with its work order.
    assert release(plant, after[0]).changed == [after[0]]
    assert status_of(plant, after[0]) == (UnitStatus.WIP, None)
    assert report_serial(plant.db, operator(plant), serial_code=after[0], step_code="ASSY").status == "WIP"
    assert status_of(plant, after[1]) == (UnitStatus.ON_HOLD, UnitStatus.WIP)

    # Released through the suspect lot, everything held with it comes back as it was.
    release(plant, housing, include_descendants=True)
    for code in (housing, "WO-1-P", before, after[1]):
        expected = UnitStatus.RELEASED if code == housing else UnitStatus.WIP
        assert status_of(plant, code) == (expected, None)
    (free,) = serials(plant, "WO-1", 1)  # and it makes serials free of the hold again
    assert status_of(plant, free) == (UnitStatus.WIP, None)


def test_serials_made_after_a_hold_on_the_production_lot_are_born_on_hold(plant: Plant) -> None:
    work_order(plant, "WO-1")
    (before,) = serials(plant, "WO-1", 1)
    assert hold(plant, "WO-1-P").changed == ["WO-1-P"]  # without descendants: made serials go on

    (after,) = serials(plant, "WO-1", 1)

    assert status_of(plant, before) == (UnitStatus.WIP, None)
    assert status_of(plant, after) == (UnitStatus.ON_HOLD, UnitStatus.WIP)


def test_closing_a_held_work_order_keeps_its_production_lot_held(plant: Plant) -> None:
    work_order(plant, "WO-1")
    hold(plant, "WO-1-P")
    actor = planner(plant)

    result = close_work_order(plant.db, actor, work_order_code="WO-1")

    assert result.status == "COMPLETED"
    assert the_work_order(plant, "WO-1").status is WorkOrderStatus.COMPLETED
    assert status_of(plant, "WO-1-P") == (UnitStatus.ON_HOLD, UnitStatus.CONSUMED)
    (recorded,) = events_of(plant, actor)
    assert recorded.event.disposition == "completed"
    release(plant, "WO-1-P")
    assert status_of(plant, "WO-1-P") == (UnitStatus.CONSUMED, None)


def test_lots_completed_under_a_hold_are_born_on_hold_and_closing_keeps_the_hold(plant: Plant) -> None:
    reported_compound(plant, "WO-G", planned=10, reported=10)
    hold(plant, "WO-G-P")

    first = complete_lot(plant.db, operator(plant, "PRD-02"), work_order_code="WO-G", quantity=4)

    assert status_of(plant, first.lot_code) == (UnitStatus.ON_HOLD, UnitStatus.RELEASED)
    assert unit(plant, first.lot_code).quantity == 4
    assert the_work_order(plant, "WO-G").quantity_completed == 4
    assert links_into(plant, first.lot_code) == [("WO-G-P", LinkLevel.LOT, Decimal(4))]

    # Held from the status it would have had: an item needing inspection is born in quarantine.
    set_column(plant, Item, Item.code == COMPOUND, requires_inspection=True)
    last = complete_lot(plant.db, operator(plant, "PRD-02"), work_order_code="WO-G", quantity=6, close=True)

    assert last.work_order_status == "COMPLETED"
    assert status_of(plant, last.lot_code) == (UnitStatus.ON_HOLD, UnitStatus.QUARANTINE)
    assert status_of(plant, "WO-G-P") == (UnitStatus.ON_HOLD, UnitStatus.CONSUMED)
    release(plant, last.lot_code)
    assert status_of(plant, last.lot_code) == (UnitStatus.QUARANTINE, None)
    release(plant, "WO-G-P")
    assert status_of(plant, "WO-G-P") == (UnitStatus.CONSUMED, None)
    assert status_of(plant, first.lot_code) == (UnitStatus.ON_HOLD, UnitStatus.RELEASED)


# --- who and where: the refusals of the action wrapper, for every production operation ----------


def _feed_args(plant: Plant) -> dict[str, Any]:
    work_order(plant, "WO-R")
    return {"work_order_code": "WO-R", "lot_code": stock(plant, HOUSING, 10), "quantity": 4}


def _assemble_args(plant: Plant) -> dict[str, Any]:
    (module,) = modules(plant, 1)
    work_order(plant, "WO-R")
    return {"product_code": serials(plant, "WO-R", 1)[0], "component_code": module}


def _report_serial_args(plant: Plant) -> dict[str, Any]:
    work_order(plant, "WO-R")
    return {"serial_code": serials(plant, "WO-R", 1)[0], "step_code": "ASSY"}


def _report_step_args(plant: Plant) -> dict[str, Any]:
    work_order(plant, "WO-R", COMPOUND)
    return {
        "work_order_code": "WO-R",
        "step_code": "MIX",
        "good_quantity": 3,
        "scrap_quantity": 1,
        "scrap_reason": "SPILL",
    }


def _complete_lot_args(plant: Plant) -> dict[str, Any]:
    return {"work_order_code": reported_compound(plant, "WO-R", planned=10, reported=5), "quantity": 5}


def _existing(plant: Plant, **kwargs: Any) -> dict[str, Any]:
    work_order(plant, "WO-R", **kwargs)
    return {"work_order_code": "WO-R"}


# operation -> (function, badge allowed to run it, station, arguments that succeed)
PRODUCTION_OPERATIONS: dict[str, tuple[Callable[..., Any], str, str, Callable[[Plant], dict[str, Any]]]] = {
    "create_work_order": (
        create_work_order,
        SUPERVISOR,
        "PRD-01",
        lambda plant: {"code": "WO-R", "item_code": METER, "quantity": 5},
    ),
    "release_work_order": (
        release_work_order,
        SUPERVISOR,
        "PRD-01",
        lambda plant: _existing(plant, release=False),
    ),
    "close_work_order": (close_work_order, SUPERVISOR, "PRD-01", _existing),
    "feed": (feed, OPERATOR, "PRD-01", _feed_args),
    "assemble": (assemble, OPERATOR, "PRD-01", _assemble_args),
    "create_serials": (create_serials, OPERATOR, "PRD-01", lambda plant: {**_existing(plant), "count": 3}),
    "report_step": (report_step, OPERATOR, "PRD-02", _report_step_args),
    "report_serial": (report_serial, OPERATOR, "PRD-01", _report_serial_args),
    "complete_lot": (complete_lot, OPERATOR, "PRD-02", _complete_lot_args),
}


@pytest.mark.parametrize("name", PRODUCTION_OPERATIONS)
def test_who_and_where_refusals(plant: Plant, name: str) -> None:
    operation, badge, station, good_args = PRODUCTION_OPERATIONS[name]
    args = good_args(plant)
    user_id, station_id = plant.ids.users[badge], plant.ids.stations[station]

    def fresh(user: int = user_id, where: int = station_id) -> Actor:
        return Actor(user, where, str(uuid.uuid4()))

    refused(plant, ErrorCode.BAD_ACTION_ID, operation, Actor(user_id, station_id, "12345"), **args)
    refused(plant, ErrorCode.UNKNOWN_USER, operation, fresh(user=999_999), **args)
    refused(plant, ErrorCode.UNKNOWN_STATION, operation, fresh(where=999_999), **args)
    used = plant.actor(OPERATOR, "PCK-01")
    packing.open_container(plant.db, used)
    refused(plant, ErrorCode.ACTION_ID_REUSED, operation, Actor(user_id, station_id, used.action_id), **args)

    set_column(plant, Station, Station.id == station_id, active=False)
    refused(plant, ErrorCode.UNKNOWN_STATION, operation, fresh(), **args)
    set_column(plant, Station, Station.id == station_id, active=True)
    set_column(plant, User, User.id == user_id, locked=True)
    refused(plant, ErrorCode.USER_LOCKED, operation, fresh(), **args)
    set_column(plant, User, User.id == user_id, locked=False, active=False)
    refused(plant, ErrorCode.USER_INACTIVE, operation, fresh(), **args)
    set_column(plant, User, User.id == user_id, active=True)

    assert operation(plant.db, fresh(), **args)  # the arguments were good: only who and where were not


# --- replay ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PRODUCTION_OPERATIONS)
def test_replay_returns_the_recorded_result_and_changes_nothing(plant: Plant, name: str) -> None:
    operation, badge, station, good_args = PRODUCTION_OPERATIONS[name]
    replayed(plant, operation, plant.actor(badge, station), **good_args(plant))


def test_replay_with_different_arguments_returns_the_first_result_the_action_id_wins(plant: Plant) -> None:
    work_order(plant, "WO-1")
    housing = stock(plant, HOUSING, 10)
    actor = operator(plant)
    first = feed(plant.db, actor, work_order_code="WO-1", lot_code=housing, quantity=2)
    after_first = snapshot(plant.db)

    again = feed(plant.db, actor, work_order_code="WO-1", lot_code=housing, quantity=7)

    assert again == first
    assert snapshot(plant.db) == after_first
    assert unit(plant, housing).quantity == 8
    # The action id answers only for its own operation: another one under it is refused.
    refused(plant, ErrorCode.ACTION_ID_REUSED, create_serials, actor, work_order_code="WO-1", count=1)


def test_replay_of_create_serials_returns_the_same_codes(plant: Plant) -> None:
    work_order(plant, "WO-1")
    actor = operator(plant)
    first = create_serials(plant.db, actor, work_order_code="WO-1", count=2)
    again = create_serials(plant.db, actor, work_order_code="WO-1", count=5)
    assert again == first == SerialsResult("WO-1", first.codes, "WIP")
    assert the_work_order(plant, "WO-1").serials_created == 2


# --- concurrency: two stations finishing serials of one work order at the same moment ------------


def test_concurrent_final_reports_count_every_finished_serial(pg_plant: Plant) -> None:
    """Both stations read the work order's completed count; neither increment may be lost."""
    plant = pg_plant
    work_order(plant, "WO-1")
    pair = serials(plant, "WO-1", 2)
    ready_to_finish(plant, "WO-1", *pair)
    for code in pair:
        for step, measurements in METER_ROUTE[:2]:
            report_serial(
                plant.db, operator(plant), serial_code=code, step_code=step, measurements=measurements
            )

    meeting = threading.Barrier(2)

    @event.listens_for(plant.db.engine, "before_cursor_execute")
    def meet_before_writing(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        # Hold each writer of the work order until the other one arrives too (or 0.5 s passed):
        # without a row lock both have read the same count by then.
        if statement.lstrip().upper().startswith("UPDATE WORK_ORDER"):
            with contextlib.suppress(threading.BrokenBarrierError):
                meeting.wait(timeout=0.5)

    errors: list[BaseException] = []

    def finish(code: str, badge: str) -> None:
        try:
            report_serial(
                plant.db,
                plant.actor(badge, "PRD-01"),
                serial_code=code,
                step_code="TEST",
                measurements={"VOLT": 220, "IDLE": "0.8"},
            )
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [
        threading.Thread(target=finish, args=(code, badge))
        for code, badge in zip(pair, (OPERATOR, OPERATOR_2), strict=True)
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        event.remove(plant.db.engine, "before_cursor_execute", meet_before_writing)

    assert errors == []
    assert [unit(plant, code).status for code in pair] == [UnitStatus.RELEASED, UnitStatus.RELEASED]
    assert the_work_order(plant, "WO-1").quantity_completed == 2


def test_serials_born_on_hold_are_reported_so_and_count_as_unfinished_at_close(plant: Plant) -> None:
    work_order(plant, "WO-1")
    hold(plant, "WO-1-P")
    made = create_serials(plant.db, operator(plant), work_order_code="WO-1", count=2)
    assert made.status == "ON_HOLD"
    assert close_work_order(plant.db, planner(plant), work_order_code="WO-1").unfinished_serials == 2


def test_an_out_of_limit_reading_at_a_station_is_measured_again_and_every_reading_is_kept(
    plant: Plant,
) -> None:
    work_order(plant, "WO-1")
    first, second = serials(plant, "WO-1", 2)
    for meter in (first, second):
        report_serial(plant.db, operator(plant), serial_code=meter, step_code="ASSY")

    # A slip: recorded as a reading to measure again, the meter not failed.
    slip = report_serial(
        plant.db,
        operator(plant),
        serial_code=first,
        step_code="CAL",
        measurements={"ERR": "5"},
        remeasure=True,
    )
    assert (slip.passed, slip.status, slip.failed_checks) == (False, "WIP", ["ERR"])
    assert (slip.remeasure, slip.remeasures_left) == (True, 0)
    assert unit(plant, first).status is UnitStatus.WIP
    assert step_results(plant, unit_id=unit_id(plant, first))[-1].passed is True  # ASSY only
    good = report_serial(
        plant.db,
        operator(plant),
        serial_code=first,
        step_code="CAL",
        measurements={"ERR": "0.1"},
        remeasure=True,
    )
    assert (good.passed, good.remeasure) == (True, False)

    # Out of limits again after its one re-measure: failed, as it was before re-measures.
    report_serial(
        plant.db,
        operator(plant),
        serial_code=second,
        step_code="CAL",
        measurements={"ERR": "0.9"},
        remeasure=True,
    )
    failed = report_serial(
        plant.db,
        operator(plant),
        serial_code=second,
        step_code="CAL",
        measurements={"ERR": "0.8"},
        remeasure=True,
    )
    assert (failed.passed, failed.status, failed.remeasure) == (False, "FAILED", False)

    with plant.db.session() as s:
        readings = s.execute(
            select(
                Unit.code,
                InspectionResult.value,
                InspectionResult.passed,
                Event.event_type,
                Event.reason_code,
            )
            .join(Unit, Unit.id == InspectionResult.unit_id)
            .join(Event, Event.id == InspectionResult.event_id)
            .where(InspectionResult.name == "ERR")
            .order_by(InspectionResult.id)
        ).all()
        final = s.scalars(
            select(Event).where(Event.event_type == EventType.REPORT, Event.reason_code == "OUT_OF_LIMITS")
        ).one()
        remeasured = s.scalars(
            select(Event.id).where(Event.event_type == EventType.INSPECT).order_by(Event.id)
        ).all()
    assert [tuple(r) for r in readings] == [
        (first, Decimal(5), False, EventType.INSPECT, "REMEASURE"),
        (first, Decimal("0.1"), True, EventType.REPORT, None),
        (second, Decimal("0.9"), False, EventType.INSPECT, "REMEASURE"),
        (second, Decimal("0.8"), False, EventType.REPORT, "OUT_OF_LIMITS"),
    ]
    assert final.detail == {"remeasured_events": [remeasured[1]]}


def test_the_number_of_remeasures_is_the_steps_and_zero_fails_at_once(plant: Plant) -> None:
    work_order(plant, "WO-1")
    (meter,) = serials(plant, "WO-1", 1)
    report_serial(plant.db, operator(plant), serial_code=meter, step_code="ASSY")
    with plant.db.session() as s, s.begin():
        for step in s.scalars(select(RoutingStep).where(RoutingStep.code == "CAL")):
            assert step.remeasures == 1  # the default the migration gives every step
            step.remeasures = 0
    result = report_serial(
        plant.db,
        operator(plant),
        serial_code=meter,
        step_code="CAL",
        measurements={"ERR": "5"},
        remeasure=True,
    )
    assert (result.passed, result.status, result.remeasure) == (False, "FAILED", False)
