"""Trace correctness on hand-built genealogies with known answers, on SQLite and PostgreSQL.

Each case is one the peers got wrong or one a recall depends on: all consumed lots of one material,
a serial's own components and not its siblings', lot splits, repacking, a unit returned and shipped
again, scrap, mixed lot- and unit-level paths, and a cycle that bad data put in the tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import update

from models import trace
from models.errors import DomainError, ErrorCode
from models.schema import ContainerLevel, LinkLevel, Unit, UnitStatus
from models.trace import Direction, EdgeLevel, Precision, TraceCancelled
from tests.models.genealogy import Genealogy
from tests.support import Plant

CONTAINS, MAY = Precision.CONTAINS, Precision.MAY_CONTAIN


@pytest.fixture
def g(plant: Plant) -> Iterator[Genealogy]:
    genealogy = Genealogy(plant)
    yield genealogy
    genealogy.close()


def found(result: trace.Trace, g: Genealogy) -> dict[str, Precision | None]:
    """What a trace reached, by the names the test gave the units, with its precision."""
    names = {g.code(name): name for name in g.ids}
    return {
        names[node.code]: node.precision for node in result.nodes.values() if node.id not in result.root_ids
    }


def test_every_lot_of_a_material_a_work_order_consumed_is_found(g: Genealogy) -> None:
    for name in ("A1", "A2", "A3"):
        g.lot(name, supplier="SUP-HQ")
    g.lot("P", "DDZY-102")
    for name in ("S1", "S2"):
        g.serial(name)
        g.link("P", name)
    for name in ("A1", "A2", "A3"):
        g.link(name, "P")
    g.commit()

    back = trace.backward(g.plant.db, g.code("S1"))
    assert found(back, g) == {"P": MAY, "A1": MAY, "A2": MAY, "A3": MAY}
    assert {node.supplier_code for node in back.nodes.values() if node.code.endswith("A2")} == {"SUP-HQ"}
    assert found(trace.forward(g.plant.db, g.code("A2")), g) == {"P": MAY, "S1": MAY, "S2": MAY}


def test_a_serial_lists_its_own_components_not_its_siblings(g: Genealogy) -> None:
    g.lot("P", "DDZY-102")
    for n in (1, 2, 3):
        g.serial(f"S{n}")
        g.link("P", f"S{n}")
        g.serial(f"C{n}", "COMM-4G")
        g.link(f"C{n}", f"S{n}", LinkLevel.UNIT)
    g.commit()

    assert found(trace.backward(g.plant.db, g.code("S2")), g) == {"P": MAY, "C2": CONTAINS}
    assert found(trace.forward(g.plant.db, g.code("C2")), g) == {"S2": CONTAINS}


def test_a_split_lot_is_traced_through_its_own_part_only(g: Genealogy) -> None:
    g.lot("L", supplier="SUP-HQ")
    for part, work_order in (("L-01", "P1"), ("L-02", "P2")):
        g.lot(part)
        g.link("L", part, LinkLevel.UNIT)
        g.lot(work_order, "DDZY-102")
        g.link(part, work_order)
        g.serial(f"S-{work_order}")
        g.link(work_order, f"S-{work_order}")
    g.commit()

    assert found(trace.forward(g.plant.db, g.code("L-01")), g) == {"P1": MAY, "S-P1": MAY}
    assert found(trace.forward(g.plant.db, g.code("L")), g) == {
        "L-01": CONTAINS,
        "L-02": CONTAINS,
        "P1": MAY,
        "P2": MAY,
        "S-P1": MAY,
        "S-P2": MAY,
    }
    assert found(trace.backward(g.plant.db, g.code("S-P2")), g) == {"P2": MAY, "L-02": MAY, "L": MAY}


def test_a_repacked_unit_is_where_it_is_now_and_left_on_its_new_cartons_shipment(g: Genealogy) -> None:
    g.serial("S")
    g.serial("T")
    g.container("K1")
    g.container("K2")
    g.container("PAL", ContainerLevel.PALLET)
    g.pack("S", "K1")
    g.pack("T", "K1")
    g.unpack("S")
    g.pack("S", "K2")
    g.pack("K2", "PAL")
    shipment = g.ship(["PAL"], customer="CUS-GD")
    g.commit()

    forward = trace.forward(g.plant.db, g.code("S"))
    assert found(forward, g) == {"K2": CONTAINS, "PAL": CONTAINS}
    assert [(ref.code, ref.customer_code) for ref in forward.roots[0].shipments] == [(shipment, "CUS-GD")]
    assert forward.roots[0].container_code == g.code("K2")
    assert found(trace.backward(g.plant.db, g.code("K1")), g) == {"T": CONTAINS}
    assert found(trace.backward(g.plant.db, g.code("PAL")), g) == {"K2": CONTAINS, "S": CONTAINS}
    edges = {(edge.input_id, edge.output_id, edge.level) for edge in forward.edges}
    assert edges == {
        (g.ids["S"], g.ids["K2"], EdgeLevel.CONTAINER),
        (g.ids["K2"], g.ids["PAL"], EdgeLevel.CONTAINER),
    }


def test_a_returned_unit_shipped_again_shows_both_shipments_in_order(g: Genealogy) -> None:
    g.lot("M", supplier="SUP-LI")
    g.lot("P", "DDZY-102")
    g.link("M", "P")
    g.serial("S")
    g.link("P", "S")
    first = g.ship(["S"], customer="CUS-EC")
    g.give_back("S")
    second = g.ship(["S"], customer="CUS-EU")
    g.commit()

    node = trace.forward(g.plant.db, g.code("M")).node(g.code("S"))
    assert [(ref.code, ref.customer_code) for ref in node.shipments] == [
        (first, "CUS-EC"),
        (second, "CUS-EU"),
    ]
    assert node.status == UnitStatus.SHIPPED


def test_scrapped_units_are_still_traced_with_their_status(g: Genealogy) -> None:
    g.lot("M")
    g.lot("P", "DDZY-102")
    g.link("M", "P")
    for name in ("S1", "S2"):
        g.serial(name)
        g.link("P", name)
    g.scrap("S2")
    g.commit()

    forward = trace.forward(g.plant.db, g.code("M"))
    assert found(forward, g) == {"P": MAY, "S1": MAY, "S2": MAY}
    assert forward.node(g.code("S2")).status == UnitStatus.SCRAPPED


def test_a_unit_level_path_wins_over_a_lot_level_one_and_never_spreads(g: Genealogy) -> None:
    """X went into S directly (certain) and into S's work order lot too: S contains X for sure."""
    g.lot("M")
    g.lot("P", "DDZY-102")
    g.link("M", "P")
    g.lot("X")
    g.link("X", "P")
    g.serial("S")
    g.serial("S-sibling")
    g.link("P", "S")
    g.link("P", "S-sibling")
    g.link("X", "S", LinkLevel.UNIT)
    g.lot("MC")
    g.lot("PC", "COMM-4G")
    g.link("MC", "PC")
    g.serial("C", "COMM-4G")
    g.link("PC", "C")
    g.link("C", "S", LinkLevel.UNIT)
    g.container("K")
    g.pack("S", "K")
    g.commit()

    assert found(trace.backward(g.plant.db, g.code("S")), g) == {
        "P": MAY,
        "M": MAY,
        "X": CONTAINS,
        "C": CONTAINS,
        "PC": MAY,
        "MC": MAY,
    }
    assert found(trace.forward(g.plant.db, g.code("X")), g) == {
        "P": MAY,
        "S": CONTAINS,
        "S-sibling": MAY,
        "K": CONTAINS,
    }
    assert found(trace.forward(g.plant.db, g.code("C")), g) == {"S": CONTAINS, "K": CONTAINS}


def test_a_cycle_in_bad_data_ends_and_is_reported_whole(g: Genealogy) -> None:
    for name in ("A", "B", "C"):
        g.lot(name)
    g.link("A", "B", LinkLevel.UNIT)
    g.link("B", "C", LinkLevel.LOT)
    g.link("C", "A", LinkLevel.UNIT)  # no operation writes this: only bad data can
    g.container("K1")
    g.container("K2")
    g.pack("C", "K1")
    g.pack("K1", "K2")
    g.commit()
    with g.plant.db.session() as session, session.begin():  # and a containment loop on top
        session.execute(update(Unit).where(Unit.id == g.ids["K2"]).values(container_id=g.ids["K1"]))

    assert found(trace.forward(g.plant.db, g.code("A")), g) == {"B": CONTAINS, "C": MAY, "K1": MAY, "K2": MAY}
    assert found(trace.backward(g.plant.db, g.code("A")), g) == {"C": CONTAINS, "B": MAY}
    assert found(trace.backward(g.plant.db, g.code("K1")), g) == {
        "K2": CONTAINS,
        "C": CONTAINS,
        "B": MAY,
        "A": MAY,
    }


def test_backward_edges_carry_their_event_and_inspections_come_along(g: Genealogy) -> None:
    g.lot("M", supplier="SUP-HQ", supplier_lot="HQ-77")
    g.inspect("M", "AOI", "1")
    g.lot("P", "DDZY-102")
    g.link("M", "P")
    g.serial("S")
    g.link("P", "S")
    g.inspect("S", "VOLT", "7.5", passed=False)
    g.serial("S-sibling")
    g.link("P", "S-sibling")
    g.inspect("S-sibling", "VOLT", "5")
    g.commit()

    back = trace.backward(g.plant.db, g.code("S"))
    measured = [(back.nodes[i.unit_id].code, i.name, i.value, i.passed) for i in back.inspections]
    assert measured == [(g.code("M"), "AOI", 1, True), (g.code("S"), "VOLT", Decimal("7.5"), False)]
    assert all(i.occurred_at.tzinfo is dt.UTC for i in back.inspections)
    edge = next(edge for edge in back.edges if edge.input_id == g.ids["M"])
    assert edge.level is EdgeLevel.LOT and edge.quantity == 1
    assert edge.event is not None
    assert (edge.event.event_type, edge.event.station_code, edge.event.operator_badge) == (
        "CONSUME",
        "PRD-01",
        "EMP1001",
    )
    assert back.node(g.code("M")).supplier_lot == "HQ-77"
    assert back.direction is Direction.BACKWARD
    tree = back.next_edges()
    assert [edge.input_id for edge in tree[g.ids["S"]]] == [g.ids["P"]]


def test_a_code_that_names_no_unit_is_refused_and_a_cancelled_trace_returns_nothing(g: Genealogy) -> None:
    g.lot("P", "DDZY-102")
    for n in range(5):
        g.serial(f"S{n}")
        g.link("P", f"S{n}")
    g.commit()

    with pytest.raises(DomainError) as unknown:
        trace.forward(g.plant.db, g.code("nothing"))
    assert unknown.value.code is ErrorCode.UNKNOWN_CODE
    with pytest.raises(DomainError) as item:
        trace.forward(g.plant.db, "DDZY-102")
    assert item.value.code is ErrorCode.NOTHING_TO_TRACE
    with pytest.raises(TraceCancelled):
        trace.forward(g.plant.db, g.code("P"), cancel=lambda: True)
    assert len(trace.forward(g.plant.db, g.code("P"), cancel=lambda: False).nodes) == 6
