"""Hand-built genealogies for the trace tests: the graph a test states, written straight to the tables.

The trace queries must give exact answers on any graph the schema can hold, including ones the
operations would never write (a cycle, a unit returned and shipped again). So this builder writes
units, links, containment, shipments and their events itself, each with an event as the operations
record it, under a code prefix of its own so many genealogies can share one database.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.schema import (
    Action,
    ContainerLevel,
    Customer,
    Event,
    EventRole,
    EventType,
    EventUnit,
    InspectionResult,
    Item,
    Link,
    LinkLevel,
    Shipment,
    ShipmentStatus,
    ShippedUnit,
    Site,
    Supplier,
    Unit,
    UnitKind,
    UnitStatus,
)
from tests.support import OPERATOR, Plant

_prefixes = itertools.count(1)


class Genealogy:
    def __init__(self, plant: Plant, prefix: str | None = None) -> None:
        self.plant = plant
        self.prefix = prefix or f"G{uuid.uuid4().hex[:6]}-{next(_prefixes)}-"
        self.session: Session = plant.db.session()
        self.clock = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
        self.ids: dict[str, int] = {}
        self._shipments = itertools.count(1)
        self.action = Action(
            id=str(uuid.uuid4()),
            operation="genealogy",
            user_id=plant.ids.users[OPERATOR],
            station_id=plant.ids.stations["PRD-01"],
            recorded_at=self.clock,
        )
        self.session.add(self.action)
        self.site_id = self.session.scalars(select(Site.id).order_by(Site.id)).first()
        self._items = {code: item_id for code, item_id in self.session.execute(select(Item.code, Item.id))}

    # --- units -----------------------------------------------------------------------------------

    def code(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def _unit(self, name: str, kind: UnitKind, item: str | None, status: UnitStatus, **fields: object) -> str:
        quantity = Decimal(1) if kind is UnitKind.SERIAL else Decimal(100)
        unit = Unit(
            code=self.code(name),
            kind=kind,
            item_id=self._items[item] if item else None,
            status=status,
            quantity=quantity,
            initial_quantity=quantity,
            uom="EA",
            site_id=self.site_id,
            created_at=self._tick(),
            split_count=0,
            **fields,
        )
        self.session.add(unit)
        self.session.flush()
        self.ids[name] = unit.id
        self._event(
            EventType.RECEIVE if kind is UnitKind.LOT else EventType.COMMISSION, [(name, EventRole.OBJECT)]
        )
        return unit.code

    def lot(
        self,
        name: str,
        item: str = "PCB-MAIN",
        *,
        supplier: str | None = None,
        supplier_lot: str | None = None,
    ) -> str:
        supplier_id = None
        if supplier is not None:
            supplier_id = self.session.scalars(select(Supplier.id).where(Supplier.code == supplier)).one()
        return self._unit(
            name,
            UnitKind.LOT,
            item,
            UnitStatus.RELEASED,
            supplier_id=supplier_id,
            external_code=supplier_lot,
        )

    def serial(self, name: str, item: str = "DDZY-102", status: UnitStatus = UnitStatus.RELEASED) -> str:
        return self._unit(name, UnitKind.SERIAL, item, status)

    def container(self, name: str, level: ContainerLevel = ContainerLevel.CARTON) -> str:
        return self._unit(name, UnitKind.CONTAINER, None, UnitStatus.CLOSED, container_level=level)

    # --- edges -----------------------------------------------------------------------------------

    def link(
        self,
        source: str,
        target: str,
        level: LinkLevel = LinkLevel.LOT,
        *,
        equipment_id: int | None = None,
        operator: str = OPERATOR,
    ) -> None:
        event = self._event(
            EventType.CONSUME,
            [(source, EventRole.INPUT), (target, EventRole.OUTPUT)],
            equipment_id=equipment_id,
            user_id=self.plant.ids.users[operator],
        )
        self.session.add(
            Link(
                input_unit_id=self.ids[source],
                output_unit_id=self.ids[target],
                level=level,
                quantity=Decimal(1),
                event_id=event.id,
            )
        )
        self.session.flush()

    def pack(self, unit: str, container: str) -> None:
        self._set(unit, container_id=self.ids[container], status=UnitStatus.PACKED)
        self._event(EventType.PACK, [(container, EventRole.PARENT), (unit, EventRole.CHILD)])

    def unpack(self, unit: str) -> None:
        container = self.session.get(Unit, self.ids[unit])
        assert container is not None and container.container_id is not None
        parent = next(name for name, unit_id in self.ids.items() if unit_id == container.container_id)
        self._set(unit, container_id=None, status=UnitStatus.RELEASED)
        self._event(EventType.UNPACK, [(parent, EventRole.PARENT), (unit, EventRole.CHILD)])

    def ship(self, top: Iterable[str], customer: str = "CUS-EC") -> str:
        """The top units leave on a new shipment; everything inside them gets its shipped_unit row."""
        customer_id = self.session.scalars(select(Customer.id).where(Customer.code == customer)).one()
        shipment = Shipment(
            code=self.code(f"SH{next(self._shipments)}"),
            customer_id=customer_id,
            site_id=self.site_id,
            status=ShipmentStatus.SHIPPED,
            created_at=self._tick(),
            shipped_at=self.clock,
        )
        self.session.add(shipment)
        self.session.flush()
        tops = list(top)
        event = self._event(
            EventType.SHIP, [(name, EventRole.OBJECT) for name in tops], shipment_id=shipment.id
        )
        for name in tops:
            for unit_id in [self.ids[name], *self._inside(self.ids[name])]:
                self.session.add(
                    ShippedUnit(
                        shipment_id=shipment.id,
                        unit_id=unit_id,
                        customer_id=customer_id,
                        top_unit_id=self.ids[name],
                        quantity=Decimal(1),
                        event_id=event.id,
                    )
                )
                self.session.execute(update(Unit).where(Unit.id == unit_id).values(status=UnitStatus.SHIPPED))
        self.session.flush()
        return shipment.code

    def give_back(self, unit: str) -> None:
        """A customer return: the unit is back in stock, out of any container; its shipment stays."""
        self._set(unit, container_id=None, status=UnitStatus.RELEASED)
        self._event(EventType.RECEIVE, [(unit, EventRole.OBJECT)], reason_code="RETURN")

    def scrap(self, unit: str) -> None:
        self._set(unit, status=UnitStatus.SCRAPPED, quantity=Decimal(0))
        self._event(EventType.SCRAP, [(unit, EventRole.OBJECT)], reason_text="damaged")

    def inspect(self, unit: str, name: str, value: str, *, passed: bool = True) -> None:
        """An incoming or in-process measurement of the unit, as receiving and reporting record it."""
        event = self._event(EventType.INSPECT, [(unit, EventRole.OBJECT)], biz_step="inspecting")
        self.session.add(
            InspectionResult(
                event_id=event.id,
                unit_id=self.ids[unit],
                name=name,
                value=Decimal(value),
                lower_limit=Decimal(0),
                upper_limit=Decimal(10),
                passed=passed,
            )
        )
        self.session.flush()

    def set_status(self, unit: str, status: UnitStatus) -> None:
        self._set(unit, status=status)

    def commit(self) -> Genealogy:
        self.session.commit()
        return self

    def close(self) -> None:
        self.session.close()

    # --- plumbing --------------------------------------------------------------------------------

    def _tick(self) -> dt.datetime:
        self.clock += dt.timedelta(minutes=1)
        return self.clock

    def _set(self, name: str, **values: object) -> None:
        self.session.execute(update(Unit).where(Unit.id == self.ids[name]).values(**values))

    def _inside(self, unit_id: int) -> list[int]:
        inside = list(self.session.scalars(select(Unit.id).where(Unit.container_id == unit_id)))
        return inside + [deeper for child in inside for deeper in self._inside(child)]

    def _event(self, event_type: EventType, units: list[tuple[str, EventRole]], **fields: object) -> Event:
        event = Event(
            action_id=self.action.id,
            event_type=event_type,
            occurred_at=self._tick(),
            tz_offset="+08:00",
            site_id=self.site_id,
            station_id=self.plant.ids.stations["PRD-01"],
            **{"user_id": self.plant.ids.users[OPERATOR], **fields},
        )
        self.session.add(event)
        self.session.flush()
        for name, role in units:
            self.session.add(EventUnit(event_id=event.id, unit_id=self.ids[name], role=role))
        return event
