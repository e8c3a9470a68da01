"""Shipping: scan units out against a shipment's lines, check everything inside them, confirm."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from demo.plant import COMPOUND, METER, MODULE, PCB
from models import quality, shipping
from models.errors import ErrorCode
from models.schema import (
    ContainerLevel,
    Customer,
    Event,
    EventRole,
    EventType,
    Item,
    Link,
    LinkLevel,
    Shipment,
    ShipmentPick,
    ShipmentStatus,
    ShippedUnit,
    UnitStatus,
)
from tests.models import flows
from tests.models.flows import refused, replayed
from tests.support import OPERATOR, QUALITY, Plant, snapshot


def shipper(plant: Plant):  # type: ignore[no-untyped-def]
    return plant.actor(OPERATOR, "SHP-01")


def customer_id(plant: Plant, code: str) -> int:
    (customer,) = flows.rows(plant, Customer, Customer.code == code)
    return customer.id


def item_id(plant: Plant, code: str) -> int:
    (item,) = flows.rows(plant, Item, Item.code == code)
    return item.id


def shipment_row(plant: Plant, code: str) -> Shipment:
    (row,) = flows.rows(plant, Shipment, Shipment.code == code)
    return row


# --- happy paths --------------------------------------------------------------------------------


def test_create_shipment_records_its_customer_and_lines(plant: Plant) -> None:
    state = shipping.create_shipment(
        plant.db,
        shipper(plant),
        code=" SH-100 ",
        customer_code="CUS-GD",
        lines={METER: 3, COMPOUND: "12.5"},
        reference="PO-7781",
    )
    assert state == shipping.ShipmentState(
        code="SH-100",
        customer_code="CUS-GD",
        status="OPEN",
        lines=[
            shipping.LineState(item_code=METER, required=Decimal(3), picked=Decimal(0)),
            shipping.LineState(item_code=COMPOUND, required=Decimal("12.5"), picked=Decimal(0)),
        ],
    )
    assert not state.complete
    row = shipment_row(plant, "SH-100")
    assert (row.customer_id, row.status, row.reference, row.shipped_at) == (
        customer_id(plant, "CUS-GD"),
        ShipmentStatus.OPEN,
        "PO-7781",
        None,
    )
    with plant.db.session() as session:
        (order,) = session.scalars(select(Event).where(Event.shipment_id == row.id)).all()
    assert order.event_type is EventType.SHIPMENT_ORDER
    assert order.detail == {
        "customer": "CUS-GD",
        "reference": "PO-7781",
        "lines": {METER: "3", COMPOUND: "12.5"},
    }


def test_a_carton_is_scanned_onto_a_shipment(plant: Plant) -> None:
    meters = flows.released_meters(plant, 2)
    carton = flows.carton(plant, meters)
    code = flows.shipment(plant, {METER: 2})

    state = flows.add(plant, code, carton)
    assert state.lines == [shipping.LineState(item_code=METER, required=Decimal(2), picked=Decimal(2))]
    assert (state.picked_units, state.status, state.complete) == ([carton], "OPEN", True)
    (pick,) = flows.rows(plant, ShipmentPick)
    assert (pick.unit_id, pick.item_id, pick.quantity) == (plant.unit(carton).id, item_id(plant, METER), 2)
    (staged,) = flows.events(plant, carton, EventType.SHIP)
    assert (staged.role, staged.quantity, staged.biz_step) == (EventRole.OBJECT, 2, "staging_outbound")
    assert staged.shipment_id == shipment_row(plant, code).id
    assert plant.unit(carton).status is UnitStatus.CLOSED  # it leaves at confirmation, not before


def test_a_confirmed_pallet_records_every_unit_inside_it_for_the_customer(plant: Plant) -> None:
    meters = flows.released_meters(plant, 3)
    cartons = [flows.carton(plant, meters[:2]), flows.carton(plant, meters[2:])]
    pallet = flows.pallet(plant, cartons)
    code = flows.shipment(plant, {METER: 3}, customer="CUS-EU")
    assert flows.add(plant, code, pallet).lines[0].picked == 3

    state = flows.confirm(plant, code)
    assert (state.status, state.shipped_count, state.picked_units, state.complete) == (
        "SHIPPED",
        6,
        [pallet],
        True,
    )
    row = shipment_row(plant, code)
    assert row.status is ShipmentStatus.SHIPPED and row.shipped_at is not None
    assert flows.rows(plant, ShipmentPick) == []

    shipped = {unit.id: unit for unit in flows.rows(plant, ShippedUnit)}
    everything = [pallet, *cartons, *meters]
    ids = {plant.unit(c).id: c for c in everything}
    assert {s.unit_id for s in shipped.values()} == set(ids)
    by_code = {ids[s.unit_id]: s for s in shipped.values()}
    for unit_code in everything:
        assert plant.unit(unit_code).status is UnitStatus.SHIPPED
        record = by_code[unit_code]
        assert record.customer_id == customer_id(plant, "CUS-EU")
        assert record.shipment_id == row.id
        assert record.top_unit_id == plant.unit(pallet).id
        assert record.item_id == item_id(plant, METER)
    assert [by_code[m].quantity for m in meters] == [1, 1, 1]
    assert [by_code[c].quantity for c in cartons] == [2, 1]
    assert by_code[pallet].quantity == 2  # a pallet counts its cartons
    assert len({s.event_id for s in shipped.values()}) == 1

    # The shipping event names the top unit (EPCIS: OBSERVE on the top containers).
    shipping_events = [e for e in flows.events(plant, pallet, EventType.SHIP) if e.biz_step == "shipping"]
    assert [(e.role, e.quantity, e.shipment_id) for e in shipping_events] == [(EventRole.OBJECT, 3, row.id)]
    assert [e for e in flows.events(plant, meters[0], EventType.SHIP)] == []
    # Containment is kept: who held what when it left.
    assert plant.unit(meters[0]).container_id == plant.unit(cartons[0]).id
    assert plant.unit(cartons[0]).container_id == plant.unit(pallet).id


def test_a_loose_serial_ships(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    code = flows.shipment(plant, {METER: 1})
    flows.add(plant, code, meters[0])
    assert flows.confirm(plant, code).shipped_count == 1
    (record,) = flows.rows(plant, ShippedUnit)
    assert (record.unit_id, record.top_unit_id, record.quantity) == (
        plant.unit(meters[0]).id,
        plant.unit(meters[0]).id,
        1,
    )
    assert plant.unit(meters[0]).status is UnitStatus.SHIPPED


def test_shipping_part_of_a_lot_splits_off_what_leaves(plant: Plant) -> None:
    lot = flows.compound_lot(plant, 50)
    code = flows.shipment(plant, {COMPOUND: 30})
    state = flows.add(plant, code, lot, "30")
    child_code = f"{lot}-01"
    assert state.picked_units == [child_code] and state.complete
    parent, child = plant.unit(lot), plant.unit(child_code)
    assert (parent.quantity, parent.status) == (20, UnitStatus.RELEASED)
    assert (child.quantity, child.status, child.item_id) == (30, UnitStatus.RELEASED, parent.item_id)
    (link,) = flows.rows(plant, Link, Link.output_unit_id == child.id)
    assert (link.input_unit_id, link.level, link.quantity) == (parent.id, LinkLevel.UNIT, 30)
    (split,) = flows.events(plant, lot, EventType.SPLIT)
    assert split.reason == f"shipment {code}"

    flows.confirm(plant, code)
    (record,) = flows.rows(plant, ShippedUnit)
    assert (record.unit_id, record.quantity, record.item_id) == (child.id, 30, parent.item_id)
    assert plant.unit(child_code).status is UnitStatus.SHIPPED
    parent = plant.unit(lot)
    assert (parent.quantity, parent.status) == (20, UnitStatus.RELEASED)


def test_a_whole_lot_and_a_lot_carton_ship(plant: Plant) -> None:
    lot = flows.compound_lot(plant, 30)
    carton = flows.open_container(plant)
    flows.pack(plant, carton, lot, 20)
    carton = flows.close(plant, carton)
    code = flows.shipment(plant, {COMPOUND: 30})
    flows.add(plant, code, carton)
    state = flows.add(plant, code, lot)  # the 10 left, whole: no split
    assert state.picked_units == [carton, lot] and state.complete
    assert plant.unit(lot).split_count == 1
    assert flows.confirm(plant, code).shipped_count == 3
    assert {(s.unit_id, s.quantity) for s in flows.rows(plant, ShippedUnit)} == {
        (plant.unit(carton).id, 20),
        (plant.unit(f"{lot}-01").id, 20),
        (plant.unit(lot).id, 10),
    }


def test_a_wrong_scan_is_taken_back(plant: Plant) -> None:
    meters = flows.released_meters(plant, 2)
    carton = flows.carton(plant, meters)
    code = flows.shipment(plant, {METER: 2})
    flows.add(plant, code, carton)

    state = shipping.remove_from_shipment(plant.db, shipper(plant), shipment_code=code, unit_code=carton)
    assert (state.picked_units, state.lines[0].picked) == ([], 0)
    assert flows.rows(plant, ShipmentPick) == []
    (adjusted,) = flows.events(plant, carton, EventType.ADJUST)
    assert adjusted.detail == {"removed_from_shipment": code} and adjusted.quantity == 2
    other = flows.shipment(plant, {METER: 2})
    assert flows.add(plant, other, carton).picked_units == [carton]  # free for another shipment


def test_a_short_shipment_needs_the_difference_accepted(plant: Plant) -> None:
    meters = flows.released_meters(plant, 2)
    carton = flows.carton(plant, meters)
    code = flows.shipment(plant, {METER: 3, COMPOUND: 5})
    flows.add(plant, code, carton)
    error = refused(plant, ErrorCode.SHIPMENT_QUANTITY_MISMATCH, lambda: flows.confirm(plant, code))
    assert [
        (line["item"], Decimal(line["required"]), Decimal(line["picked"])) for line in error.params["lines"]
    ] == [
        (METER, 3, 2),
        (COMPOUND, 5, 0),
    ]
    state = flows.confirm(plant, code, accept_difference=True)
    assert (state.status, state.shipped_count) == ("SHIPPED", 3)
    assert plant.unit(carton).status is UnitStatus.SHIPPED


# --- refusals: the shipment ---------------------------------------------------------------------


def test_creating_a_shipment_refuses_bad_input(plant: Plant) -> None:
    existing = flows.shipment(plant, {METER: 1})

    def create(**kwargs: object) -> object:
        fields: dict[str, object] = {
            "code": "SH-NEW",
            "customer_code": "CUS-EC",
            "lines": {METER: 1},
        } | kwargs
        return shipping.create_shipment(plant.db, shipper(plant), **fields)  # type: ignore[arg-type]

    refused(plant, ErrorCode.SHIPMENT_EXISTS, lambda: create(code=existing))
    refused(plant, ErrorCode.UNKNOWN_CUSTOMER, lambda: create(customer_code="CUS-NOPE"))
    refused(plant, ErrorCode.UNKNOWN_ITEM, lambda: create(lines={"NO-SUCH-ITEM": 1}))
    for bad in (0, "-1", "x"):
        refused(plant, ErrorCode.BAD_QUANTITY, lambda bad=bad: create(lines={METER: bad}))
    refused(plant, ErrorCode.BAD_INPUT, lambda: create(lines={}))
    refused(plant, ErrorCode.BAD_INPUT, lambda: create(code="  "))
    assert create().code == "SH-NEW"


def test_an_unknown_shipment_is_refused(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    refused(plant, ErrorCode.UNKNOWN_SHIPMENT, lambda: flows.add(plant, "SH-NOPE", meters[0]))
    refused(
        plant,
        ErrorCode.UNKNOWN_SHIPMENT,
        lambda: shipping.remove_from_shipment(
            plant.db, shipper(plant), shipment_code="SH-NOPE", unit_code=meters[0]
        ),
    )
    refused(plant, ErrorCode.UNKNOWN_SHIPMENT, lambda: flows.confirm(plant, "SH-NOPE"))


def test_a_shipment_that_left_takes_no_more_changes(plant: Plant) -> None:
    meters = flows.released_meters(plant, 2)
    code = flows.ship(plant, meters[:1], {METER: 2})
    refused(plant, ErrorCode.SHIPMENT_NOT_OPEN, lambda: flows.add(plant, code, meters[1]))
    refused(
        plant,
        ErrorCode.SHIPMENT_NOT_OPEN,
        lambda: shipping.remove_from_shipment(
            plant.db, shipper(plant), shipment_code=code, unit_code=meters[0]
        ),
    )
    error = refused(
        plant, ErrorCode.SHIPMENT_NOT_OPEN, lambda: flows.confirm(plant, code, accept_difference=True)
    )
    assert error.params == {"shipment": code, "status": "SHIPPED"}


def test_an_empty_shipment_cannot_be_confirmed(plant: Plant) -> None:
    code = flows.shipment(plant, {METER: 1})
    refused(plant, ErrorCode.SHIPMENT_EMPTY, lambda: flows.confirm(plant, code, accept_difference=True))


def test_removing_what_is_not_on_the_shipment_is_refused(plant: Plant) -> None:
    meters = flows.released_meters(plant, 2)
    code = flows.shipment(plant, {METER: 2})
    other = flows.shipment(plant, {METER: 2})
    flows.add(plant, other, meters[0])
    for unit in meters:  # one on no shipment, one on another
        refused(
            plant,
            ErrorCode.NOT_ON_SHIPMENT,
            lambda unit=unit: shipping.remove_from_shipment(
                plant.db, shipper(plant), shipment_code=code, unit_code=unit
            ),
        )
    refused(
        plant,
        ErrorCode.UNKNOWN_CODE,
        lambda: shipping.remove_from_shipment(plant.db, shipper(plant), shipment_code=code, unit_code="NOPE"),
    )


# --- refusals: what is scanned ------------------------------------------------------------------


def test_the_wrong_item_or_too_many_are_refused(plant: Plant) -> None:
    batch = flows.build_meters(plant, 3, spare_modules=1)
    carton = flows.carton(plant, batch.meters[:2])
    code = flows.shipment(plant, {METER: 3})
    error = refused(plant, ErrorCode.WRONG_ITEM, lambda: flows.add(plant, code, batch.spare_modules[0]))
    assert error.params == {"code": batch.spare_modules[0], "item": MODULE, "shipment": code}

    small = flows.shipment(plant, {METER: 1})
    error = refused(plant, ErrorCode.SHIPMENT_LINE_EXCEEDED, lambda: flows.add(plant, small, carton))
    assert (error.params["item"], Decimal(error.params["required"]), Decimal(error.params["requested"])) == (
        METER,
        1,
        2,
    )
    # What is already on the line counts: one of two picked, a carton of two would make three.
    pair = flows.shipment(plant, {METER: 2})
    flows.add(plant, pair, batch.meters[2])
    error = refused(plant, ErrorCode.SHIPMENT_LINE_EXCEEDED, lambda: flows.add(plant, pair, carton))
    assert Decimal(error.params["picked"]) == 1


def test_a_unit_is_on_one_shipment_at_a_time(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    carton = flows.carton(plant, meters)
    code = flows.shipment(plant, {METER: 2})
    other = flows.shipment(plant, {METER: 2})
    flows.add(plant, code, carton)
    for target in (code, other):
        error = refused(
            plant, ErrorCode.ALREADY_ON_SHIPMENT, lambda target=target: flows.add(plant, target, carton)
        )
        assert error.params == {"code": carton, "shipment": code}


def test_what_already_left_is_refused(plant: Plant) -> None:
    meters = flows.released_meters(plant, 2)
    carton = flows.carton(plant, meters[:1])
    flows.ship(plant, [carton, meters[1]], {METER: 2})
    code = flows.shipment(plant, {METER: 2})
    refused(plant, ErrorCode.ALREADY_SHIPPED, lambda: flows.add(plant, code, carton))
    refused(plant, ErrorCode.ALREADY_SHIPPED, lambda: flows.add(plant, code, meters[1]))


def test_units_inside_containers_ship_with_their_container_only(plant: Plant) -> None:
    meters = flows.released_meters(plant, 2)
    carton = flows.carton(plant, meters[:1])
    open_carton = flows.carton(plant, meters[1:], closed=False)
    pallet = flows.pallet(plant, [carton])
    code = flows.shipment(plant, {METER: 2})
    error = refused(plant, ErrorCode.UNIT_ALREADY_PACKED, lambda: flows.add(plant, code, meters[0]))
    assert error.params == {"code": meters[0], "container": carton}
    error = refused(plant, ErrorCode.UNIT_ALREADY_PACKED, lambda: flows.add(plant, code, carton))
    assert error.params == {"code": carton, "container": pallet}
    refused(plant, ErrorCode.CONTAINER_NOT_CLOSED, lambda: flows.add(plant, code, open_carton))


def test_a_closed_container_emptied_since_is_refused(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    carton = flows.carton(plant, meters)
    flows.unpack(plant, meters[0])
    code = flows.shipment(plant, {METER: 1})
    refused(plant, ErrorCode.CONTAINER_EMPTY, lambda: flows.add(plant, code, carton))


def test_held_units_do_not_ship_at_any_depth(plant: Plant) -> None:
    meters = flows.released_meters(plant, 4)
    loose = meters[3]
    held_carton = flows.carton(plant, meters[:1])
    cartons = [flows.carton(plant, meters[1:2]), flows.carton(plant, meters[2:3])]
    pallet = flows.pallet(plant, cartons)
    flows.hold(plant, loose)
    flows.hold(plant, held_carton)
    flows.hold(plant, meters[2])  # a serial in the second carton on the pallet
    code = flows.shipment(plant, {METER: 4})

    refused(plant, ErrorCode.UNIT_ON_HOLD, lambda: flows.add(plant, code, loose))
    refused(plant, ErrorCode.UNIT_ON_HOLD, lambda: flows.add(plant, code, held_carton))
    error = refused(plant, ErrorCode.UNIT_ON_HOLD, lambda: flows.add(plant, code, pallet))
    assert error.params == {"code": meters[2], "container": pallet}


def test_a_hold_after_the_scan_refuses_the_confirmation(plant: Plant) -> None:
    meters = flows.released_meters(plant, 2)
    carton = flows.carton(plant, meters)
    pallet = flows.pallet(plant, [carton])
    code = flows.shipment(plant, {METER: 2})
    flows.add(plant, code, pallet)
    flows.hold(plant, meters[1])
    error = refused(plant, ErrorCode.UNIT_ON_HOLD, lambda: flows.confirm(plant, code))
    assert error.params == {"code": meters[1], "container": pallet}
    assert shipment_row(plant, code).status is ShipmentStatus.OPEN

    quality.release_hold(
        plant.db,
        plant.actor(QUALITY, "QA-01"),
        unit_code=meters[1],
        reason="cleared",
        pin=flows.PINS[QUALITY],
    )
    assert flows.confirm(plant, code).shipped_count == 4


def test_a_held_top_unit_refuses_the_confirmation(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    code = flows.shipment(plant, {METER: 1})
    flows.add(plant, code, meters[0])
    flows.hold(plant, meters[0])
    refused(plant, ErrorCode.UNIT_ON_HOLD, lambda: flows.confirm(plant, code))


def test_unfinished_failed_unreleased_scrapped_and_expired_units_do_not_ship(plant: Plant) -> None:
    batch = flows.build_meters(plant, 3)
    wip = flows.extra_meter(plant, batch)
    failed = flows.extra_meter(plant, batch, state="FAILED")
    quarantined = flows.receive_lot(plant, PCB, "SUP-HQ", 10)
    code = flows.shipment(plant, {METER: 5, PCB: 10})

    refused(plant, ErrorCode.SERIAL_NOT_COMPLETE, lambda: flows.add(plant, code, wip))
    refused(plant, ErrorCode.SERIAL_FAILED, lambda: flows.add(plant, code, failed))
    refused(plant, ErrorCode.UNIT_NOT_RELEASED, lambda: flows.add(plant, code, quarantined))
    flows.scrap(plant, batch.meters[0])
    refused(plant, ErrorCode.UNIT_SCRAPPED, lambda: flows.add(plant, code, batch.meters[0]))

    flows.set_expiry(plant, batch.meters[1], flows.yesterday(plant))
    refused(plant, ErrorCode.UNIT_EXPIRED, lambda: flows.add(plant, code, batch.meters[1]))
    # Inside a carton, found by looking in.
    carton = flows.carton(plant, batch.meters[2:3])
    flows.set_expiry(plant, batch.meters[2], flows.yesterday(plant))
    error = refused(plant, ErrorCode.UNIT_EXPIRED, lambda: flows.add(plant, code, carton))
    assert error.params["code"] == batch.meters[2] and error.params["container"] == carton


def test_expiry_since_the_scan_refuses_the_confirmation(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    carton = flows.carton(plant, meters)
    code = flows.shipment(plant, {METER: 1})
    flows.add(plant, code, carton)
    flows.set_expiry(plant, meters[0], flows.yesterday(plant))
    refused(plant, ErrorCode.UNIT_EXPIRED, lambda: flows.confirm(plant, code))


def test_bad_shipping_quantities_are_refused(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    lot = flows.compound_lot(plant, 10)
    code = flows.shipment(plant, {METER: 1, COMPOUND: 20})
    refused(plant, ErrorCode.BAD_QUANTITY, lambda: flows.add(plant, code, meters[0], 2))
    for bad in ("0", "-1", "ten"):
        refused(plant, ErrorCode.BAD_QUANTITY, lambda bad=bad: flows.add(plant, code, lot, bad))
    error = refused(plant, ErrorCode.LOT_INSUFFICIENT_QUANTITY, lambda: flows.add(plant, code, lot, 15))
    assert (Decimal(error.params["available"]), Decimal(error.params["requested"])) == (10, 15)
    assert flows.add(plant, code, meters[0], 1).lines[0].picked == 1


# --- what changed between the scan and the confirmation -----------------------------------------


def test_what_is_scanned_onto_a_shipment_is_not_packed_elsewhere(plant: Plant) -> None:
    meters = flows.released_meters(plant, 2)
    lot = flows.compound_lot(plant, 10)
    carton = flows.carton(plant, meters[:1])
    code = flows.shipment(plant, {METER: 2, COMPOUND: 10})
    for unit in (carton, meters[1], lot):
        flows.add(plant, code, unit)
    pallet = flows.open_container(plant, ContainerLevel.PALLET)
    box = flows.open_container(plant)
    for container, unit in ((pallet, carton), (box, meters[1]), (box, lot)):
        error = refused(
            plant, ErrorCode.ALREADY_ON_SHIPMENT, lambda c=container, u=unit: flows.pack(plant, c, u)
        )
        assert error.params == {"code": unit, "shipment": code}
    # Taken off the shipment, the carton may go on a pallet; the pallet is then what ships.
    shipping.remove_from_shipment(plant.db, shipper(plant), shipment_code=code, unit_code=carton)
    flows.pack(plant, pallet, carton)
    pallet = flows.close(plant, pallet)
    assert flows.add(plant, code, pallet).complete
    assert flows.confirm(plant, code).shipped_count == 5


def test_a_serial_taken_out_of_a_scanned_carton_is_not_shipped_as_if_there(plant: Plant) -> None:
    meters = flows.released_meters(plant, 2)
    carton = flows.carton(plant, meters)
    code = flows.shipment(plant, {METER: 2})
    flows.add(plant, code, carton)
    flows.unpack(plant, meters[1])
    error = refused(plant, ErrorCode.SHIPMENT_QUANTITY_MISMATCH, lambda: flows.confirm(plant, code))
    assert [(line["item"], Decimal(line["picked"])) for line in error.params["lines"]] == [(METER, 1)]
    state = flows.confirm(plant, code, accept_difference=True)
    assert (state.lines[0].picked, state.shipped_count) == (1, 2)
    assert plant.unit(meters[1]).status is UnitStatus.RELEASED


# --- replay -------------------------------------------------------------------------------------


def test_every_shipping_operation_replays_its_first_result(plant: Plant) -> None:
    meters = flows.released_meters(plant, 2)
    lot = flows.compound_lot(plant, 20)
    carton = flows.carton(plant, meters[:1])

    created = replayed(
        plant,
        shipping.create_shipment,
        shipper(plant),
        code="SH-R",
        customer_code="CUS-EC",
        lines={METER: 2, COMPOUND: 5},
    )
    assert created.code == "SH-R"
    added = replayed(plant, shipping.add_to_shipment, shipper(plant), shipment_code="SH-R", unit_code=carton)
    assert added.picked_units == [carton]
    flows.add(plant, "SH-R", meters[1])
    removed = replayed(
        plant, shipping.remove_from_shipment, shipper(plant), shipment_code="SH-R", unit_code=meters[1]
    )
    assert removed.picked_units == [carton]
    split = replayed(
        plant, shipping.add_to_shipment, shipper(plant), shipment_code="SH-R", unit_code=lot, quantity="5"
    )
    assert split.picked_units == [carton, f"{lot}-01"]
    confirmed = replayed(
        plant, shipping.confirm_shipment, shipper(plant), shipment_code="SH-R", accept_difference=True
    )
    assert (confirmed.status, confirmed.shipped_count) == ("SHIPPED", 3)


# --- the shipping screen's reads ------------------------------------------------------------------


def test_open_shipments_list_what_waits_with_what_is_scanned(plant: Plant) -> None:
    meters = flows.released_meters(plant, 2)
    waiting = flows.shipment(plant, {METER: 3, COMPOUND: "12.5"}, customer="CUS-GD")
    flows.add(plant, waiting, meters[0])
    gone = flows.ship(plant, meters[1:], {METER: 1})
    before = snapshot(plant.db)

    listed = shipping.open_shipments(plant.db)
    assert snapshot(plant.db) == before  # a read records nothing
    assert [entry.code for entry in listed] == [waiting]
    (entry,) = listed
    assert (entry.customer_code, entry.customer_name_zh, entry.customer_name_en) == (
        "CUS-GD",
        "广东电网",
        "Guangdong Grid",
    )
    assert [(line.item_code, line.uom, line.required, line.picked) for line in entry.lines] == [
        (METER, "EA", 3, 1),
        (COMPOUND, "KG", Decimal("12.5"), 0),
    ]
    assert entry.lines[0].item_name_zh == "单相智能电表"
    assert gone not in {entry.code for entry in listed}


def test_the_shipment_view_shows_lines_and_scanned_units(plant: Plant) -> None:
    meters = flows.released_meters(plant, 4)
    lot = flows.compound_lot(plant, 10)
    cartons = [flows.carton(plant, meters[:2]), flows.carton(plant, meters[2:3])]
    pallet = flows.pallet(plant, cartons)
    code = flows.shipment(plant, {METER: 5, COMPOUND: 4})
    for unit, quantity in ((pallet, None), (meters[3], None), (lot, "4")):
        flows.add(plant, code, unit, quantity)

    view = shipping.shipment_view(plant.db, f" {code} ")
    assert (view.code, view.status, view.is_open, view.customer_code) == (code, "OPEN", True, "CUS-EC")
    assert [(line.item_code, line.required, line.picked, line.matches) for line in view.lines] == [
        (METER, 5, 4, False),
        (COMPOUND, 4, 4, True),
    ]
    assert [line.item_code for line in view.differences] == [METER]
    assert [
        (unit.code, unit.kind, unit.level, unit.item_code, unit.uom, unit.quantity) for unit in view.units
    ] == [
        (pallet, "CONTAINER", "PALLET", METER, "EA", 3),
        (meters[3], "SERIAL", None, METER, "EA", 1),
        (f"{lot}-01", "LOT", None, COMPOUND, "KG", 4),
    ]
    assert (view.units[0].pieces_inside, view.units[0].containers_inside) == (3, 2)
    assert view.pieces == 5

    flows.confirm(plant, code, accept_difference=True)
    left = shipping.shipment_view(plant.db, code)
    assert (left.status, left.is_open) == ("SHIPPED", False)
    assert [(line.item_code, line.picked) for line in left.lines] == [(METER, 4), (COMPOUND, 4)]
    assert [(unit.code, unit.quantity, unit.pieces_inside) for unit in left.units] == [
        (pallet, 3, 3),
        (meters[3], 1, 0),
        (f"{lot}-01", 4, 0),
    ]
    refused(plant, ErrorCode.UNKNOWN_SHIPMENT, lambda: shipping.shipment_view(plant.db, "SH-NOPE"))


def test_the_packing_list_opens_every_container(plant: Plant) -> None:
    meters = flows.released_meters(plant, 3)
    lot = flows.compound_lot(plant, 10)
    cartons = [flows.carton(plant, meters[:2]), flows.carton(plant, meters[2:])]
    pallet = flows.pallet(plant, cartons)
    shipping.create_shipment(
        plant.db,
        shipper(plant),
        code="SH-PL",
        customer_code="CUS-EU",
        lines={METER: 3, COMPOUND: 10},
        reference="EU-55",
    )
    flows.add(plant, "SH-PL", pallet)
    flows.add(plant, "SH-PL", lot)

    def rows(listing: shipping.PackingList) -> list[tuple[int, str, Decimal]]:
        return [(row.depth, row.code, row.quantity) for row in listing.units]

    expected = [
        (0, pallet, 3),
        (1, cartons[0], 2),
        (2, meters[0], 1),
        (2, meters[1], 1),
        (1, cartons[1], 1),
        (2, meters[2], 1),
        (0, lot, 10),
    ]
    listing = shipping.packing_list(plant.db, "SH-PL")
    assert (listing.code, listing.status, listing.reference, listing.shipped_on) == (
        "SH-PL",
        "OPEN",
        "EU-55",
        None,
    )
    assert (listing.customer_name_zh, listing.ordered_on) == ("欧洲能源贸易", plant.today())
    assert rows(listing) == expected
    assert [(row.kind, row.level, row.item_code, row.uom) for row in listing.units[:3]] == [
        ("CONTAINER", "PALLET", METER, "EA"),
        ("CONTAINER", "CARTON", METER, "EA"),
        ("SERIAL", None, METER, "EA"),
    ]
    assert listing.units[-1].uom == "KG" and listing.units[-1].expires_on is not None

    flows.confirm(plant, "SH-PL")
    shipped = shipping.packing_list(plant.db, "SH-PL")
    assert (shipped.status, shipped.shipped_on) == ("SHIPPED", plant.today())
    assert rows(shipped) == expected
    assert [(line.item_code, line.required, line.picked) for line in shipped.lines] == [
        (METER, 3, 3),
        (COMPOUND, 10, 10),
    ]


def test_refusals_write_quantities_as_people_do(plant: Plant) -> None:
    meters = flows.released_meters(plant, 2)
    carton = flows.carton(plant, meters)
    code = flows.shipment(plant, {METER: 1})
    error = refused(plant, ErrorCode.SHIPMENT_LINE_EXCEEDED, lambda: flows.add(plant, code, carton))
    assert (error.params["required"], error.params["picked"], error.params["requested"]) == ("1", "0", "2")
    wide = flows.shipment(plant, {METER: 3})
    flows.add(plant, wide, carton)
    error = refused(plant, ErrorCode.SHIPMENT_QUANTITY_MISMATCH, lambda: flows.confirm(plant, wide))
    assert error.params["lines"] == [{"item": METER, "required": "3", "picked": "2"}]
