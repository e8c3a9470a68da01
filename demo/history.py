"""`tracestation-admin demo seed`: the demo plant with a few days of history, made by the operations.

Nothing here writes a row directly: every receipt, feed, serial, carton and shipment goes through
the same functions a station calls, so the demo history obeys every rule the stations do. Action
ids are derived from the step number, so seeding twice replays the same actions and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

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
    PEOPLE,
    RESIN,
    build_master_data,
    demo_ids,
)
from models import packing, production, quality, receiving, shipping
from models.actions import Actor, simulated_clock
from models.db import Database
from models.schema import ContainerLevel

NAMESPACE = uuid.UUID("6a0f3c1e-8d4b-4f7e-9a51-2b7c0d9e4f18")
OPERATOR, OPERATOR_2, SUPERVISOR, QUALITY = "EMP1001", "EMP1002", "EMP2001", "EMP3001"
R = TypeVar("R")


@dataclass(frozen=True)
class SeedSummary:
    actions: int
    serials: int
    cartons: int
    pallets: int
    shipments: int
    held_lot: str
    example_serial: str


class _Seeder:
    def __init__(self, db: Database, today: dt.date, zone: ZoneInfo) -> None:
        with db.session() as session:
            self.ids = demo_ids(session)
        self.db = db
        self.today = today
        self.zone = zone
        self.step = 0
        self.rng = random.Random(20261125)

    def act(self, fn: Callable[..., R], badge: str, station: str, **kwargs: Any) -> R:
        self.step += 1
        action_id = str(uuid.uuid5(NAMESPACE, f"demo-step-{self.step}"))
        return fn(self.db, Actor(self.ids.users[badge], self.ids.stations[station], action_id), **kwargs)

    @contextmanager
    def at(self, days_ago: int, hour: int) -> Iterator[None]:
        day = self.today - dt.timedelta(days=days_ago)
        moment = dt.datetime(day.year, day.month, day.day, hour, self.step % 60, tzinfo=self.zone)
        with simulated_clock(moment):
            yield

    def receive(
        self, item: str, supplier: str, supplier_lot: str, quantity: int, packages: int = 1
    ) -> list[str]:
        return self.act(
            receiving.receive,
            OPERATOR_2,
            "RCV-01",
            item_code=item,
            supplier_code=supplier,
            supplier_lot=supplier_lot,
            quantity=quantity,
            packages=packages,
            manufactured_on=self.today - dt.timedelta(days=20),
        ).lot_codes


def seed(db: Database, today: dt.date | None = None) -> SeedSummary:
    """Build the demo plant and its history ending `today` (the plant's local date)."""
    with db.session() as session, session.begin():
        build_master_data(session)
    zone = ZoneInfo("Asia/Shanghai")
    s = _Seeder(db, today or dt.datetime.now(zone).date(), zone)

    with s.at(days_ago=3, hour=8):
        pcb = s.receive(PCB, "SUP-HQ", "HQ-PCB-2611A", 200, packages=2)
        housing = s.receive(HOUSING, "SUP-PL", "DG-HS-0931", 200)
        battery = s.receive(BATTERY, "SUP-LI", "LI-ER-7781", 20)
        battery_alt = s.receive(BATTERY_ALT, "SUP-LI", "LI-ERH-0102", 100)
        chip = s.receive(CHIP, "SUP-XT", "XT-4G-55120", 100)
        resin = s.receive(RESIN, "SUP-CH", "JS-EP-A-318", 400)
        hardener = s.receive(HARDENER, "SUP-CH", "JS-EP-B-318", 100)
    with s.at(days_ago=3, hour=10):
        for lot in pcb:
            s.act(
                receiving.release_received_lot,
                QUALITY,
                "QA-01",
                lot_code=lot,
                measurements=[receiving.Measurement("AOI", passed=True)],
            )

    # Day -3: the 4G modules on line 2, one fails its RF test.
    with s.at(days_ago=3, hour=13):
        s.act(
            production.create_work_order,
            SUPERVISOR,
            "PRD-02",
            code="WO-MOD-0001",
            item_code=MODULE,
            quantity=30,
            line_code="L2",
        )
        s.act(
            production.feed,
            OPERATOR,
            "PRD-02",
            work_order_code="WO-MOD-0001",
            lot_code=chip[0],
            quantity=30,
            equipment_code="SMT-01",
        )
        modules = s.act(
            production.create_serials, OPERATOR, "PRD-02", work_order_code="WO-MOD-0001", count=30
        ).codes
        good_modules = []
        for index, module in enumerate(modules):
            rssi = "-94" if index == 7 else str(-104 - s.rng.randint(0, 6))
            report = s.act(
                production.report_serial,
                OPERATOR,
                "PRD-02",
                serial_code=module,
                step_code="RF",
                measurements={"RSSI": rssi},
            )
            if report.passed:
                good_modules.append(module)
        s.act(production.close_work_order, SUPERVISOR, "PRD-02", work_order_code="WO-MOD-0001")

    # Day -2: meters on line 1, fed from two battery lots (the second one the BOM's substitute).
    with s.at(days_ago=2, hour=9):
        s.act(
            production.create_work_order,
            SUPERVISOR,
            "PRD-01",
            code="WO-MTR-0001",
            item_code=METER,
            quantity=20,
            line_code="L1",
        )
        for lot, quantity in ((pcb[0], 20), (housing[0], 20), (battery[0], 12), (battery_alt[0], 8)):
            s.act(
                production.feed,
                OPERATOR,
                "PRD-01",
                work_order_code="WO-MTR-0001",
                lot_code=lot,
                quantity=quantity,
            )
        meters = s.act(
            production.create_serials, OPERATOR, "PRD-01", work_order_code="WO-MTR-0001", count=20
        ).codes
        released = []
        for index, meter in enumerate(meters):
            s.act(
                production.assemble,
                OPERATOR,
                "PRD-01",
                product_code=meter,
                component_code=good_modules[index],
            )
            s.act(production.report_serial, OPERATOR, "PRD-01", serial_code=meter, step_code="ASSY")
            error = "0.72" if index == 13 else f"{s.rng.uniform(-0.3, 0.3):.3f}"
            cal = s.act(
                production.report_serial,
                OPERATOR,
                "PRD-01",
                serial_code=meter,
                step_code="CAL",
                measurements={"ERR": error},
                equipment_code="CAL-01",
            )
            if not cal.passed:
                continue
            s.act(
                production.report_serial,
                OPERATOR,
                "PRD-01",
                serial_code=meter,
                step_code="TEST",
                measurements={"VOLT": str(220 + s.rng.randint(-3, 3)), "IDLE": "0.9"},
                equipment_code="TEST-01",
            )
            released.append(meter)

    # Day -2 afternoon: pack the good meters, 10 a carton, the cartons onto a pallet.
    with s.at(days_ago=2, hour=15):
        cartons = []
        for start in range(0, len(released), 10):
            carton = s.act(packing.open_container, OPERATOR, "PCK-01").code
            for meter in released[start : start + 10]:
                s.act(packing.pack, OPERATOR, "PCK-01", container_code=carton, unit_code=meter)
            cartons.append(s.act(packing.close_container, OPERATOR, "PCK-01", container_code=carton).code)
        pallet = s.act(packing.open_container, OPERATOR, "PCK-01", level=ContainerLevel.PALLET).code
        for carton in cartons:
            s.act(packing.pack, OPERATOR, "PCK-01", container_code=pallet, unit_code=carton)
        pallet = s.act(packing.close_container, OPERATOR, "PCK-01", container_code=pallet).code

    # Day -1: potting compound on line 2, packed in 20 kg cartons.
    with s.at(days_ago=1, hour=9):
        s.act(
            production.create_work_order,
            SUPERVISOR,
            "PRD-02",
            code="WO-PTG-0001",
            item_code=COMPOUND,
            quantity=100,
            line_code="L2",
        )
        s.act(
            production.feed,
            OPERATOR,
            "PRD-02",
            work_order_code="WO-PTG-0001",
            lot_code=resin[0],
            quantity=80,
            equipment_code="MIX-01",
        )
        s.act(
            production.feed,
            OPERATOR,
            "PRD-02",
            work_order_code="WO-PTG-0001",
            lot_code=hardener[0],
            quantity=20,
            equipment_code="MIX-01",
        )
        for step in ("MIX", "QC"):
            s.act(
                production.report_step,
                OPERATOR,
                "PRD-02",
                work_order_code="WO-PTG-0001",
                step_code=step,
                good_quantity=100,
            )
        compound = s.act(
            production.complete_lot,
            OPERATOR,
            "PRD-02",
            work_order_code="WO-PTG-0001",
            quantity=100,
            close=True,
        ).lot_code
        compound_cartons = []
        for _ in range(2):
            carton = s.act(packing.open_container, OPERATOR, "PCK-01").code
            s.act(packing.pack, OPERATOR, "PCK-01", container_code=carton, unit_code=compound, quantity=20)
            compound_cartons.append(
                s.act(packing.close_container, OPERATOR, "PCK-01", container_code=carton).code
            )

    # Day -1 afternoon: two shipments leave.
    with s.at(days_ago=1, hour=16):
        s.act(
            shipping.create_shipment,
            OPERATOR,
            "SHP-01",
            code="SH-0001",
            customer_code="CUS-EC",
            lines={METER: len(released)},
            reference="PO-EC-2026-118",
        )
        s.act(shipping.add_to_shipment, OPERATOR, "SHP-01", shipment_code="SH-0001", unit_code=pallet)
        s.act(shipping.confirm_shipment, OPERATOR, "SHP-01", shipment_code="SH-0001")
        s.act(
            shipping.create_shipment,
            OPERATOR,
            "SHP-01",
            code="SH-0002",
            customer_code="CUS-GD",
            lines={COMPOUND: 40},
            reference="GD-7710",
        )
        for carton in compound_cartons:
            s.act(shipping.add_to_shipment, OPERATOR, "SHP-01", shipment_code="SH-0002", unit_code=carton)
        s.act(shipping.confirm_shipment, OPERATOR, "SHP-01", shipment_code="SH-0002")

    # Today: a second meter order in progress, and a battery lot on hold after a supplier notice.
    with s.at(days_ago=0, hour=8):
        s.act(
            production.create_work_order,
            SUPERVISOR,
            "PRD-01",
            code="WO-MTR-0002",
            item_code=METER,
            quantity=50,
            line_code="L1",
        )
        for lot, quantity in ((pcb[1], 50), (housing[0], 50), (battery_alt[0], 50)):
            s.act(
                production.feed,
                OPERATOR,
                "PRD-01",
                work_order_code="WO-MTR-0002",
                lot_code=lot,
                quantity=quantity,
            )
        in_progress = s.act(
            production.create_serials, OPERATOR, "PRD-01", work_order_code="WO-MTR-0002", count=5
        ).codes
        for meter, module in zip(in_progress, good_modules[len(meters) :], strict=False):
            s.act(production.assemble, OPERATOR, "PRD-01", product_code=meter, component_code=module)
        s.act(
            quality.hold,
            QUALITY,
            "QA-01",
            unit_code=battery[0],
            reason="供应商通知:批次电压偏低 Supplier notice: low voltage in this lot",
            pin=next(person.pin for person in PEOPLE if person.badge == QUALITY),  # signed
        )
        s.act(
            shipping.create_shipment,
            OPERATOR,
            "SHP-01",
            code="SH-0003",
            customer_code="CUS-EU",
            lines={METER: 30, COMPOUND: Decimal(60)},
        )

    return SeedSummary(
        actions=s.step,
        serials=len(modules) + len(meters) + len(in_progress),
        cartons=len(cartons) + len(compound_cartons),
        pallets=1,
        shipments=3,
        held_lot=battery[0],
        example_serial=released[0],
    )
