"""The benchmark's plant at scale S (10k finished units), traced on SQLite and PostgreSQL.

The generator knows its answers from its own plan, never from SQL: which supplier lots each
finished unit may contain, where it sits, who received it, how many finished units each lot and
the recall supplier reach. The same queries the benchmark times on the plant-year are checked here
for exactness (never for time).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from models import history, impact, trace
from models.db import Database
from models.impact import ImpactScope
from models.trace import Precision
from tests.benchmarks import plantgen


@pytest.fixture
def plant_s(db: Database) -> Iterator[tuple[Database, plantgen.Manifest]]:
    yield db, plantgen.generate(db, plantgen.SCALES["S"])


def test_every_sample_traces_back_to_its_own_lots_and_forward_to_its_customer(
    plant_s: tuple[Database, plantgen.Manifest],
) -> None:
    db, manifest = plant_s
    assert len(manifest.finished_samples) >= 5
    for sample in manifest.finished_samples:
        back = trace.backward(db, sample.code)
        supplier_lots = {node.code for node in back.nodes.values() if node.supplier_code is not None}
        assert supplier_lots == set(sample.supplier_lots), sample.code
        assert {node.precision for node in back.nodes.values() if node.supplier_code} == {
            Precision.MAY_CONTAIN
        }
        assert back.node(sample.subassembly_code).precision is Precision.CONTAINS
        ahead = trace.forward(db, sample.code)
        assert ahead.codes() == {code for code in (sample.carton_code, sample.pallet_code) if code}
        root = ahead.roots[0]
        assert root.status == sample.status
        assert [ref.customer_code for ref in root.shipments] == (
            [sample.customer_code] if sample.shipment_code else []
        )
        entries = history.history(db, sample.code).entries
        assert entries[0].event_type == "COMMISSION"
        if sample.shipment_code:
            assert entries[-1].shipment_code == sample.shipment_code


def test_lots_reach_exactly_the_finished_units_the_generator_built_from_them(
    plant_s: tuple[Database, plantgen.Manifest],
) -> None:
    db, manifest = plant_s

    def finished(found: trace.Trace) -> set[str]:
        return {
            node.code
            for node in found.nodes.values()
            if node.kind == "SERIAL" and node.item_code == manifest.finished_item_code
        }

    assert finished(trace.forward(db, manifest.median_lot_code)) == set(manifest.median_lot_finished_codes)
    for lot_code, reach in manifest.lot_reach.items():
        assert len(finished(trace.forward(db, lot_code))) == reach, lot_code

    scope = ImpactScope(supplier_code=manifest.recall_supplier_code)
    listed = [row for batch in impact.impact_rows(db, scope) for row in batch]
    assert sum(1 for row in listed if row.precision is None) == len(manifest.recall_supplier_lots)
    assert {row.code for row in listed if row.precision is None} == set(manifest.recall_supplier_lots)
    finished_rows = [
        row for row in listed if row.kind == "SERIAL" and row.item_code == manifest.finished_item_code
    ]
    assert len(finished_rows) == manifest.recall_supplier_finished
    summary = impact.impact_summary(db, scope)
    assert summary.seeds == len(manifest.recall_supplier_lots)
    assert summary.units == sum(1 for row in listed if row.kind != "CONTAINER")
    shipped = [row for row in listed if row.place is impact.Place.SHIPPED and row.kind != "CONTAINER"]
    assert sum(customer.units for customer in summary.by_customer) == len(shipped)
