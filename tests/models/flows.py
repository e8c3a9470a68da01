"""Build plant state through the real operations: what packing, shipping and quality tests start from.

Nothing here writes rows directly: every helper runs the operations a station would, with a fresh
action id each, so the state a test starts from is one the rules allowed.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from sqlalchemy import select, update

from demo.plant import (
    BATTERY,
    CHIP,
    COMPOUND,
    HARDENER,
    HOUSING,
    METER,
    MODULE,
    PCB,
    PEOPLE,
    RESIN,
)
from models import packing, production, quality, receiving, shipping
from models.actions import Actor
from models.errors import DomainError, ErrorCode
from models.schema import ContainerLevel, Event, EventRole, EventType, EventUnit, Unit
from tests.support import OPERATOR, QUALITY, SUPERVISOR, Plant, snapshot

R = TypeVar("R")
T = TypeVar("T")

_sequence = itertools.count(1)

METER_STEPS = (
    ("ASSY", None),
    ("CAL", {"ERR": "0.1"}),
    ("TEST", {"VOLT": "220", "IDLE": "0.8"}),
)


def unique(prefix: str) -> str:
    """A code no other helper call in this run has used (work orders, shipments)."""
    return f"{prefix}-{next(_sequence)}"


def receive_lot(
    plant: Plant, item_code: str, supplier_code: str, quantity: int | str, **fields: object
) -> str:
    """Receive one package of a supplier lot; the internal lot code."""
    result = receiving.receive(
        plant.db,
        plant.actor(OPERATOR, "RCV-01"),
        item_code=item_code,
        supplier_code=supplier_code,
        supplier_lot=unique("SUP-LOT"),
        quantity=quantity,
        **fields,
    )
    return result.lot_codes[0]


def release_lot(plant: Plant, lot_code: str) -> None:
    receiving.release_received_lot(plant.db, plant.actor(QUALITY, "QA-01"), lot_code=lot_code)


@dataclass(frozen=True)
class Batch:
    """One meter work order and the material lots it was built from."""

    work_order: str
    pcb_lot: str
    housing_lot: str
    battery_lot: str
    chip_lot: str
    module_work_order: str
    meters: list[str]
    modules: list[str] = field(default_factory=list)  # assembled into the meters, in order
    spare_modules: list[str] = field(default_factory=list)  # released, not assembled


def build_meters(plant: Plant, n: int, *, spare_modules: int = 0, headroom: int = 5) -> Batch:
    """Receive PCB, housing, battery and chip lots, release the PCB lot, make 4G modules and `n`
    meters in one work order (one module each), feed, assemble and pass every mandatory step.

    The meter work order is planned `n + headroom`, so `extra_meter` can add WIP or failed serials.
    """
    pcb = receive_lot(plant, PCB, "SUP-HQ", 100)
    release_lot(plant, pcb)
    housing = receive_lot(plant, HOUSING, "SUP-PL", 100)
    battery = receive_lot(plant, BATTERY, "SUP-LI", 100)
    chip = receive_lot(plant, CHIP, "SUP-XT", 100)

    module_wo = unique("WO-MOD")
    module_count = n + spare_modules
    modules: list[str] = []
    if module_count:
        production.create_work_order(
            plant.db,
            plant.actor(SUPERVISOR),
            code=module_wo,
            item_code=MODULE,
            quantity=module_count,
            line_code="L2",
        )
        production.feed(
            plant.db,
            plant.actor(OPERATOR, "PRD-02"),
            work_order_code=module_wo,
            lot_code=chip,
            quantity=module_count,
        )
        modules = production.create_serials(
            plant.db, plant.actor(OPERATOR, "PRD-02"), work_order_code=module_wo, count=module_count
        ).codes
        for module in modules:
            production.report_serial(
                plant.db,
                plant.actor(OPERATOR, "PRD-02"),
                serial_code=module,
                step_code="RF",
                measurements={"RSSI": "-105"},
            )

    work_order = unique("WO-MTR")
    production.create_work_order(
        plant.db, plant.actor(SUPERVISOR), code=work_order, item_code=METER, quantity=n + headroom
    )
    meters: list[str] = []
    if n:
        for lot in (pcb, housing, battery):
            production.feed(plant.db, plant.actor(), work_order_code=work_order, lot_code=lot, quantity=n)
        meters = production.create_serials(plant.db, plant.actor(), work_order_code=work_order, count=n).codes
        for meter, module in zip(meters, modules, strict=False):
            production.assemble(plant.db, plant.actor(), product_code=meter, component_code=module)
            pass_steps(plant, meter)
    return Batch(
        work_order=work_order,
        pcb_lot=pcb,
        housing_lot=housing,
        battery_lot=battery,
        chip_lot=chip,
        module_work_order=module_wo,
        meters=meters,
        modules=modules[:n],
        spare_modules=modules[n:],
    )


def pass_steps(
    plant: Plant, serial: str, steps: tuple[tuple[str, dict[str, str] | None], ...] = METER_STEPS
) -> None:
    for step, measurements in steps:
        production.report_serial(
            plant.db, plant.actor(), serial_code=serial, step_code=step, measurements=measurements
        )


def released_meters(plant: Plant, n: int) -> list[str]:
    """`n` finished meters (RELEASED), each with its own 4G module assembled."""
    return build_meters(plant, n).meters


def extra_meter(plant: Plant, batch: Batch, *, state: str = "WIP") -> str:
    """One more serial of the batch's work order: "WIP" (on its route) or "FAILED" (failed CAL)."""
    (serial,) = production.create_serials(
        plant.db, plant.actor(), work_order_code=batch.work_order, count=1
    ).codes
    if state == "FAILED":
        production.report_serial(plant.db, plant.actor(), serial_code=serial, step_code="ASSY")
        production.report_serial(
            plant.db, plant.actor(), serial_code=serial, step_code="CAL", measurements={"ERR": "0.9"}
        )
    else:
        assert state == "WIP", state
    return serial


def compound_lot(plant: Plant, quantity: int = 50) -> str:
    """A released lot of potting compound (PTG-200, KG, 20 per carton), made by a work order."""
    resin = receive_lot(plant, RESIN, "SUP-CH", quantity)
    hardener = receive_lot(plant, HARDENER, "SUP-CH", quantity)
    work_order = unique("WO-PTG")
    production.create_work_order(
        plant.db,
        plant.actor(SUPERVISOR),
        code=work_order,
        item_code=COMPOUND,
        quantity=quantity,
        line_code="L2",
    )
    operator = "PRD-02"
    amount = Decimal(quantity)
    for lot, share in ((resin, Decimal("0.8")), (hardener, Decimal("0.2"))):
        production.feed(
            plant.db,
            plant.actor(OPERATOR, operator),
            work_order_code=work_order,
            lot_code=lot,
            quantity=amount * share,
        )
    for step in ("MIX", "QC"):
        production.report_step(
            plant.db,
            plant.actor(OPERATOR, operator),
            work_order_code=work_order,
            step_code=step,
            good_quantity=quantity,
        )
    return production.complete_lot(
        plant.db, plant.actor(OPERATOR, operator), work_order_code=work_order, quantity=quantity
    ).lot_code


# --- packing ------------------------------------------------------------------------------------


def open_container(plant: Plant, level: ContainerLevel = ContainerLevel.CARTON) -> str:
    return packing.open_container(plant.db, plant.actor(OPERATOR, "PCK-01"), level=level).code


def pack(plant: Plant, container: str, unit: str, quantity: int | str | None = None) -> packing.PackResult:
    return packing.pack(
        plant.db, plant.actor(OPERATOR, "PCK-01"), container_code=container, unit_code=unit, quantity=quantity
    )


def close(plant: Plant, container: str) -> str:
    return packing.close_container(plant.db, plant.actor(OPERATOR, "PCK-01"), container_code=container).code


def carton(plant: Plant, units: list[str], *, closed: bool = True) -> str:
    """A carton holding `units` (whole units), closed (its SSCC) unless asked otherwise."""
    code = open_container(plant)
    for unit in units:
        pack(plant, code, unit)
    return close(plant, code) if closed else code


def pallet(plant: Plant, cartons: list[str], *, closed: bool = True) -> str:
    code = open_container(plant, ContainerLevel.PALLET)
    for box in cartons:
        pack(plant, code, box)
    return close(plant, code) if closed else code


def unpack(plant: Plant, unit: str, reason: str = "wrong carton") -> packing.UnpackResult:
    return packing.unpack(plant.db, plant.actor(OPERATOR, "PCK-01"), unit_code=unit, reason=reason)


# --- shipping -----------------------------------------------------------------------------------


def shipment(plant: Plant, lines: dict[str, int | str], customer: str = "CUS-EC") -> str:
    code = unique("SH")
    shipping.create_shipment(
        plant.db, plant.actor(OPERATOR, "SHP-01"), code=code, customer_code=customer, lines=lines
    )
    return code


def add(
    plant: Plant, shipment_code: str, unit: str, quantity: int | str | None = None
) -> shipping.ShipmentState:
    return shipping.add_to_shipment(
        plant.db,
        plant.actor(OPERATOR, "SHP-01"),
        shipment_code=shipment_code,
        unit_code=unit,
        quantity=quantity,
    )


def confirm(plant: Plant, shipment_code: str, *, accept_difference: bool = False) -> shipping.ShipmentState:
    return shipping.confirm_shipment(
        plant.db,
        plant.actor(OPERATOR, "SHP-01"),
        shipment_code=shipment_code,
        accept_difference=accept_difference,
    )


def ship(plant: Plant, units: list[str], lines: dict[str, int | str], customer: str = "CUS-EC") -> str:
    """Create a shipment with `lines`, scan `units` onto it and confirm it as it is."""
    code = shipment(plant, lines, customer)
    for unit in units:
        add(plant, code, unit)
    confirm(plant, code, accept_difference=True)
    return code


# --- quality ------------------------------------------------------------------------------------


# Every quality action is signed with the acting user's PIN (the demo people's, demo/plant.py).
PINS = {person.badge: person.pin for person in PEOPLE}


def hold(
    plant: Plant, unit: str, *, include_descendants: bool = False, reason: str = "suspect"
) -> quality.HoldResult:
    return quality.hold(
        plant.db,
        plant.actor(QUALITY, "QA-01"),
        unit_code=unit,
        reason=reason,
        pin=PINS[QUALITY],
        include_descendants=include_descendants,
    )


def scrap(
    plant: Plant, unit: str, quantity: int | str | None = None, reason: str = "damaged"
) -> quality.ScrapResult:
    return quality.scrap(
        plant.db,
        plant.actor(QUALITY, "QA-01"),
        unit_code=unit,
        reason=reason,
        pin=PINS[QUALITY],
        quantity=quantity,
    )


# --- asserting ----------------------------------------------------------------------------------


def refused(plant: Plant, code: ErrorCode, call: Callable[[], object]) -> DomainError:
    """`call` is refused with `code` and leaves every row of every table as it was."""
    before = snapshot(plant.db)
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code is code, caught.value
    assert snapshot(plant.db) == before
    return caught.value


def replayed(plant: Plant, operation: Callable[..., R], actor: Actor, **kwargs: object) -> R:
    """Run an operation, then retry it with the same action id: same result, nothing recorded twice."""
    first = operation(plant.db, actor, **kwargs)
    after = snapshot(plant.db)
    again = operation(plant.db, actor.retry(), **kwargs)
    assert again == first
    assert type(again) is type(first)
    assert snapshot(plant.db) == after
    return first


@dataclass(frozen=True)
class Seen:
    """One event as it touched one unit."""

    event_type: EventType
    role: EventRole
    quantity: Decimal | None
    reason: str | None
    biz_step: str | None
    detail: dict[str, Any] | None
    shipment_id: int | None


def events(plant: Plant, code: str, event_type: EventType | None = None) -> list[Seen]:
    """The events that touched the unit now coded `code`, oldest first."""
    with plant.db.session() as session:
        statement = (
            select(Event, EventUnit)
            .join(EventUnit, EventUnit.event_id == Event.id)
            .join(Unit, Unit.id == EventUnit.unit_id)
            .where(Unit.code == code)
            .order_by(Event.id, EventUnit.id)
        )
        if event_type is not None:
            statement = statement.where(Event.event_type == event_type)
        return [
            Seen(
                event.event_type,
                link.role,
                link.quantity,
                event.reason_text,
                event.biz_step,
                event.detail,
                event.shipment_id,
            )
            for event, link in session.execute(statement)
        ]


def rows(plant: Plant, model: type[T], *where: Any) -> list[T]:
    """Rows of one table (detached), by primary key."""
    with plant.db.session() as session:
        found = list(
            session.scalars(select(model).where(*where).order_by(*model.__table__.primary_key.columns))
        )
        session.expunge_all()
        return found


def set_expiry(plant: Plant, code: str, expires_on: dt.date) -> None:
    """Age a unit directly (unit rows are not append-only): what time does to stock."""
    with plant.db.session() as session, session.begin():
        session.execute(update(Unit).where(Unit.code == code).values(expires_on=expires_on))


def yesterday(plant: Plant) -> dt.date:
    return plant.today() - dt.timedelta(days=1)
