"""Any scan leads to exactly one thing, or to a refusal that says why."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demo.plant import COMPOUND, HARDENER, HOUSING, METER, RESIN
from models import packing, production, receiving, shipping
from models.errors import DomainError, ErrorCode
from models.resolve import Target, resolve
from models.scan import encoded_element_string
from tests.support import OPERATOR, SUPERVISOR, Plant

METER_GTIN = "06901234000016"
COMPOUND_GTIN = "06901234000023"


@dataclass
class Scene:
    plant: Plant
    housing_lots: list[str]
    meter_serial: str
    compound_lot: str
    carton: str


@pytest.fixture
def scene(plant: Plant) -> Scene:
    db = plant.db
    housing = receiving.receive(
        db,
        plant.actor(OPERATOR, "RCV-01"),
        item_code=HOUSING,
        supplier_code="SUP-PL",
        supplier_lot="PL-77",
        quantity=100,
        packages=2,
    )
    production.create_work_order(db, plant.actor(SUPERVISOR), code="WO-M", item_code=METER, quantity=5)
    (serial,) = production.create_serials(db, plant.actor(), work_order_code="WO-M", count=1).codes
    production.create_work_order(
        db, plant.actor(SUPERVISOR, "PRD-02"), code="WO-C", item_code=COMPOUND, quantity=40, line_code="L2"
    )
    for item, supplier_lot, quantity in ((RESIN, "JS-A-1", 32), (HARDENER, "JS-B-1", 8)):
        (material,) = receiving.receive(
            db,
            plant.actor(OPERATOR, "RCV-01"),
            item_code=item,
            supplier_code="SUP-CH",
            supplier_lot=supplier_lot,
            quantity=quantity,
        ).lot_codes
        production.feed(db, plant.actor(), work_order_code="WO-C", lot_code=material, quantity=quantity)
    for step in ("MIX", "QC"):
        production.report_step(db, plant.actor(), work_order_code="WO-C", step_code=step, good_quantity=40)
    lot = production.complete_lot(db, plant.actor(), work_order_code="WO-C", quantity=40).lot_code
    carton = packing.open_container(db, plant.actor(OPERATOR, "PCK-01")).code
    packing.pack(db, plant.actor(OPERATOR, "PCK-01"), container_code=carton, unit_code=lot, quantity=20)
    sscc = packing.close_container(db, plant.actor(OPERATOR, "PCK-01"), container_code=carton).code
    shipping.create_shipment(
        db, plant.actor(OPERATOR, "SHP-01"), code="SH-9", customer_code="CUS-GD", lines={COMPOUND: 20}
    )
    return Scene(plant, housing.lot_codes, serial, lot, sscc)


def test_internal_codes_resolve_to_their_unit_work_order_or_shipment(scene: Scene) -> None:
    db = scene.plant.db
    unit = resolve(db, scene.meter_serial)
    assert (unit.target, unit.code, unit.item_code, unit.unit_kind) == (
        Target.UNIT,
        scene.meter_serial,
        METER,
        "SERIAL",
    )
    assert resolve(db, "WO-M\r\n").target is Target.WORK_ORDER
    assert resolve(db, "SH-9").target is Target.SHIPMENT
    assert resolve(db, METER).target is Target.ITEM


def test_supplier_lot_received_as_several_packages_asks_which(scene: Scene) -> None:
    with pytest.raises(DomainError) as refused:
        resolve(scene.plant.db, "PL-77")
    assert refused.value.code is ErrorCode.AMBIGUOUS_CODE
    assert refused.value.params["candidates"] == scene.housing_lots


def test_unknown_supplier_is_refused(scene: Scene) -> None:
    with pytest.raises(DomainError) as refused:
        resolve(scene.plant.db, "PL-77", supplier_code="SUP-NOPE")
    assert refused.value.code is ErrorCode.UNKNOWN_SUPPLIER


@pytest.mark.parametrize("prefix", ["]d2", "]C1", "]Q3"])
def test_gs1_serial_label_resolves_to_the_serial(scene: Scene, prefix: str) -> None:
    scan = prefix + encoded_element_string(gtin=METER_GTIN, serial=scene.meter_serial)
    resolved = resolve(scene.plant.db, scan)
    assert (resolved.target, resolved.code) == (Target.UNIT, scene.meter_serial)


def test_digital_link_resolves_to_the_serial(scene: Scene) -> None:
    uri = f"https://id.tracestation.example/01/{METER_GTIN}/21/{scene.meter_serial}"
    assert resolve(scene.plant.db, uri).code == scene.meter_serial


def test_serial_under_another_items_gtin_is_refused(scene: Scene) -> None:
    with pytest.raises(DomainError) as refused:
        resolve(scene.plant.db, "]d2" + encoded_element_string(gtin=COMPOUND_GTIN, serial=scene.meter_serial))
    assert refused.value.code is ErrorCode.UNKNOWN_CODE


def test_sscc_resolves_with_or_without_symbology_identifier(scene: Scene) -> None:
    db = scene.plant.db
    assert resolve(db, "]C100" + scene.carton).code == scene.carton
    assert resolve(db, "00" + scene.carton).code == scene.carton
    assert resolve(db, f"(00){scene.carton}").code == scene.carton


def test_sscc_with_a_wrong_check_digit_is_an_error_not_an_unknown_code(scene: Scene) -> None:
    wrong = scene.carton[:-1] + str((int(scene.carton[-1]) + 1) % 10)
    for scan in ("00" + wrong, "]C100" + wrong):
        with pytest.raises(DomainError) as refused:
            resolve(scene.plant.db, scan)
        assert refused.value.code is ErrorCode.BAD_CHECK_DIGIT


def test_suppliers_gs1_label_with_a_new_lot_names_the_item_and_its_data(scene: Scene) -> None:
    resolved = resolve(scene.plant.db, f"(01){COMPOUND_GTIN}(17)271231(10)NEWLOT")
    assert resolved.target is Target.ITEM
    assert (resolved.item_code, resolved.supplier_lot, str(resolved.expiry)) == (
        COMPOUND,
        "NEWLOT",
        "2027-12-31",
    )


def test_gs1_lot_label_of_an_internal_lot_resolves_to_it(scene: Scene) -> None:
    resolved = resolve(
        scene.plant.db, "]d2" + encoded_element_string(gtin=COMPOUND_GTIN, lot=scene.compound_lot)
    )
    assert (resolved.target, resolved.code) == (Target.UNIT, scene.compound_lot)


@pytest.mark.parametrize(
    ("scan", "code"),
    [("NOT-A-CODE", ErrorCode.UNKNOWN_CODE), ("  ", ErrorCode.EMPTY_SCAN), ("]d2\x1d", ErrorCode.EMPTY_SCAN)],
)
def test_unknown_and_empty_scans_are_refused(scene: Scene, scan: str, code: ErrorCode) -> None:
    with pytest.raises(DomainError) as refused:
        resolve(scene.plant.db, scan)
    assert refused.value.code is code


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=0, max_size=40))
def test_any_text_resolves_or_is_refused_with_a_domain_error(plant: Plant, text: str) -> None:
    try:
        resolved = resolve(plant.db, text)
    except DomainError as error:
        assert isinstance(error.code, ErrorCode)
    else:
        assert resolved.code
