"""Recall impact and unit history, on plant state made by the real operations and on hand-built graphs."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from demo.plant import METER
from models import history, impact, trace
from models.errors import DomainError, ErrorCode
from models.impact import ImpactScope, Place
from models.schema import Equipment, LinkLevel
from models.trace import Precision, TraceCancelled
from tests.models import flows
from tests.models.genealogy import Genealogy
from tests.support import OPERATOR_2, Plant


def rows(plant: Plant, scope: ImpactScope) -> dict[str, impact.ImpactRow]:
    listed = [row for batch in impact.impact_rows(plant.db, scope) for row in batch]
    by_code = {row.code: row for row in listed}
    assert len(by_code) == len(listed), "a unit is listed once"
    return by_code


def test_a_supplier_recall_finds_every_unit_where_it_is_and_who_has_it(plant: Plant) -> None:
    batch = flows.build_meters(plant, 4)
    wip = flows.extra_meter(plant, batch)
    m0, m1, m2, m3 = batch.meters
    box = flows.carton(plant, [m0, m1])
    shipment = flows.ship(plant, [box], {METER: 2}, customer="CUS-GD")
    flows.hold(plant, m2)

    scope = ImpactScope(supplier_code="SUP-XT")  # the 4G chips: modules, then the meters they went into
    summary = impact.impact_summary(plant.db, scope)
    listed = rows(plant, scope)

    assert wip not in listed and batch.pcb_lot not in listed
    assert {listed[code].place for code in (m0, m1)} == {Place.SHIPPED}
    assert (listed[m2].place, listed[m3].place) == (Place.ON_HOLD, Place.IN_STOCK)
    assert {listed[module].place for module in batch.modules} == {Place.CONSUMED}
    assert listed[batch.chip_lot].precision is None  # the starting unit itself
    assert {listed[code].precision for code in batch.meters} == {Precision.MAY_CONTAIN}
    assert (listed[m0].shipment_code, listed[m0].customer_code, listed[m0].container_code) == (
        shipment,
        "CUS-GD",
        box,
    )
    assert listed[box].kind == "CONTAINER" and list(listed)[-1] == box  # containers listed last
    assert summary.seeds == 1
    assert summary.units == len(listed) - 1 and summary.containers == 1
    assert summary.by_place[Place.SHIPPED] == 2 and summary.by_place[Place.ON_HOLD] == 1
    assert summary.by_status["CONSUMED"] == 4
    assert [(c.code, c.units, c.shipments) for c in summary.by_customer] == [("CUS-GD", 2, 1)]
    assert (summary.shipments, summary.customers) == (1, 1)


def test_a_work_order_recall_and_a_unit_history(plant: Plant) -> None:
    batch = flows.build_meters(plant, 2)
    wip = flows.extra_meter(plant, batch)
    box = flows.carton(plant, batch.meters)
    shipment = flows.ship(plant, [box], {METER: 2})

    listed = rows(plant, ImpactScope(work_order_code=batch.work_order))
    assert {*batch.meters, wip, box} <= set(listed)
    assert batch.pcb_lot not in listed and not set(batch.modules) & set(listed)

    timeline = history.history(plant.db, batch.meters[0])
    kinds = [entry.event_type for entry in timeline.entries]
    assert kinds[:2] == ["COMMISSION", "CONSUME"] and kinds.count("REPORT") == 3
    assert kinds[-2:] == ["PACK", "SHIP"]
    commission, assemble = timeline.entries[:2]
    assert [part.code for part in commission.counterparts] == [f"{batch.work_order}-P"]
    assert [part.code for part in assemble.counterparts] == [batch.modules[0]]
    calibration = next(entry for entry in timeline.entries if entry.step_code == "CAL")
    assert [(m.name, m.passed) for m in calibration.measurements] == [("ERR", True)]
    assert calibration.outcomes[0].passed is True
    pack, ship = timeline.entries[-2:]
    assert [part.code for part in pack.counterparts] == [box]
    assert (ship.role, ship.shipment_code, ship.customer_code) == (None, shipment, "CUS-EC")
    assert [entry.occurred_at for entry in timeline.entries] == sorted(
        e.occurred_at for e in timeline.entries
    )

    left = trace.backward(plant.db, shipment)  # a shipment's code: every unit that left on it
    assert {node.code for node in left.roots} == {box, *batch.meters}
    scanned = trace.forward(plant.db, f"]C100{box}")  # the carton label's GS1-128, as a scanner sends it
    assert [node.code for node in scanned.roots] == [box]

    lot_history = history.history(plant.db, batch.work_order)  # a work order's code: its production lot
    assert lot_history.code == f"{batch.work_order}-P"
    with pytest.raises(DomainError) as refused:
        history.history(plant.db, shipment)
    assert refused.value.code is ErrorCode.NOTHING_TO_TRACE


def test_equipment_and_operator_windows_start_from_what_they_made_then(plant: Plant) -> None:
    g = Genealogy(plant)
    smt = g.session.scalars(select(Equipment.id).where(Equipment.code == "SMT-01")).one()
    g.lot("M")
    for name in ("P-early", "P-late"):
        g.lot(name, "DDZY-102")
    g.link("M", "P-early", equipment_id=smt)  # 08:0x
    g.clock += dt.timedelta(hours=5)
    g.link("M", "P-late", equipment_id=smt, operator=OPERATOR_2)  # 13:0x
    g.serial("S-late")
    g.link("P-late", "S-late")
    g.commit()
    g.close()
    day = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)

    afternoon = ImpactScope(
        equipment_code="SMT-01", since=day + dt.timedelta(hours=12), until=day + dt.timedelta(days=1)
    )
    assert set(rows(plant, afternoon)) == {g.code("P-late"), g.code("S-late")}
    whole_day = ImpactScope(equipment_code="SMT-01", since=day, until=day + dt.timedelta(days=1))
    assert set(rows(plant, whole_day)) == {g.code("P-early"), g.code("P-late"), g.code("S-late")}
    assert set(rows(plant, ImpactScope(operator_badge=OPERATOR_2))) == {g.code("P-late"), g.code("S-late")}
    assert impact.impact_summary(plant.db, ImpactScope(operator_badge=OPERATOR_2, until=day)).units == 0


def test_a_supplier_lot_in_several_packages_and_a_unit_shipped_twice(plant: Plant) -> None:
    g = Genealogy(plant)
    for name in ("PKG-1", "PKG-2"):
        g.lot(name, supplier="SUP-LI", supplier_lot=g.code("LI-1"))
    g.lot("OTHER", supplier="SUP-LI", supplier_lot=g.code("LI-2"))
    g.lot("P", "DDZY-102")
    g.link("PKG-2", "P")
    g.serial("S")
    g.link("P", "S", LinkLevel.LOT)
    g.ship(["S"], customer="CUS-EC")
    g.give_back("S")
    g.ship(["S"], customer="CUS-EU")
    g.commit()
    g.close()

    scope = ImpactScope(supplier_lot=g.code("LI-1"), supplier_code="SUP-LI")
    listed = rows(plant, scope)
    assert set(listed) == {g.code(name) for name in ("PKG-1", "PKG-2", "P", "S")}
    assert (listed[g.code("S")].customer_code, listed[g.code("S")].place) == ("CUS-EU", Place.SHIPPED)
    summary = impact.impact_summary(plant.db, scope)
    assert summary.seeds == 2
    assert [(c.code, c.units) for c in summary.by_customer] == [("CUS-EU", 1)]
    with pytest.raises(TraceCancelled):
        list(impact.impact_rows(plant.db, scope, cancel=lambda: True))


@pytest.mark.parametrize(
    ("scope", "code"),
    [
        (ImpactScope(), ErrorCode.BAD_INPUT),
        (ImpactScope(supplier_code="SUP-NOBODY"), ErrorCode.UNKNOWN_SUPPLIER),
        (ImpactScope(supplier_lot="NO-SUCH-LOT"), ErrorCode.UNKNOWN_CODE),
        (ImpactScope(equipment_code="NO-MACHINE"), ErrorCode.UNKNOWN_EQUIPMENT),
        (ImpactScope(operator_badge="EMP0000"), ErrorCode.UNKNOWN_USER),
        (ImpactScope(work_order_code="WO-NONE"), ErrorCode.UNKNOWN_WORK_ORDER),
        (ImpactScope(codes=("NO-SUCH-UNIT",)), ErrorCode.UNKNOWN_CODE),
        (ImpactScope(codes=("DDZY-102",)), ErrorCode.NOTHING_TO_TRACE),
        (
            ImpactScope(supplier_code="SUP-HQ", since=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
            ErrorCode.BAD_INPUT,
        ),
        (ImpactScope(equipment_code="SMT-01", since=dt.datetime(2026, 1, 1)), ErrorCode.BAD_DATE),
        (
            ImpactScope(
                equipment_code="SMT-01",
                since=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
                until=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            ),
            ErrorCode.BAD_DATE,
        ),
    ],
)
def test_a_scope_naming_nothing_real_is_refused_rather_than_answered_empty(
    plant: Plant, scope: ImpactScope, code: ErrorCode
) -> None:
    with pytest.raises(DomainError) as refused:
        impact.impact_summary(plant.db, scope)
    assert refused.value.code is code


def test_a_unit_an_operator_touched_several_times_is_listed_and_counted_once(plant: Plant) -> None:
    """An operator's scope starts from every unit their events made or changed: a serial reported
    at three steps by the same badge is one unit of the recall, not three."""
    meters = flows.released_meters(plant, 2)
    scope = ImpactScope(operator_badge="EMP1001")
    codes = [row.code for batch in impact.impact_rows(plant.db, scope) for row in batch]
    assert len(codes) == len(set(codes))
    assert set(meters) <= set(codes)
    summary = impact.impact_summary(plant.db, scope)
    assert summary.units + summary.containers == len(codes)


def test_a_carton_named_in_a_recall_stands_for_what_is_in_it(plant: Plant) -> None:
    """Recalling a carton by its SSCC recalls the meters in it (and what they hold), not only the
    carton and the pallet and shipment it went to."""
    meters = flows.released_meters(plant, 2)
    box = flows.carton(plant, meters)
    codes = {row.code for batch in impact.impact_rows(plant.db, ImpactScope(codes=(box,))) for row in batch}
    assert {box, *meters} <= codes
    summary = impact.impact_summary(plant.db, ImpactScope(codes=(box,)))
    assert summary.seeds >= 3 and summary.units >= 2
