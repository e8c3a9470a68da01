"""Packing: units into cartons by the packing spec, cartons into pallets, SSCCs, unpack and repack."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import update

from demo.plant import COMPOUND, GS1_COMPANY_PREFIX, METER, MODULE
from models import packing, quality
from models.errors import DomainError, ErrorCode
from models.schema import (
    ContainerLevel,
    EventRole,
    EventType,
    Item,
    Link,
    LinkLevel,
    NumberingRule,
    Site,
    Unit,
    UnitKind,
    UnitStatus,
)
from tests.models import flows
from tests.models.flows import refused, replayed
from tests.support import OPERATOR, QUALITY, Plant


def packer(plant: Plant):  # type: ignore[no-untyped-def]
    return plant.actor(OPERATOR, "PCK-01")


def gs1_check_digit_valid(code: str) -> bool:
    """The GS1 mod-10 check digit, computed here rather than by the code under test."""
    digits = [int(c) for c in code]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits[:-1])))
    return (10 - total % 10) % 10 == digits[-1]


def assert_sscc(code: str) -> None:
    assert len(code) == 18 and code.isdigit(), code
    assert code.startswith("0" + GS1_COMPANY_PREFIX), code  # extension digit 0, then the company prefix
    assert gs1_check_digit_valid(code), code
    assert not gs1_check_digit_valid(code[:-1] + str((int(code[-1]) + 1) % 10))


def item_id(plant: Plant, code: str) -> int:
    (item,) = flows.rows(plant, Item, Item.code == code)
    return item.id


# --- open, pack, close --------------------------------------------------------------------------


def test_open_container_makes_an_empty_open_carton_or_pallet(plant: Plant) -> None:
    actor = packer(plant)
    result = packing.open_container(plant.db, actor)
    assert result == packing.ContainerResult(code=f"OPEN-{actor.action_id}", level="CARTON", status="OPEN")
    carton = plant.unit(result.code)
    assert (carton.kind, carton.container_level, carton.status) == (
        UnitKind.CONTAINER,
        ContainerLevel.CARTON,
        UnitStatus.OPEN,
    )
    assert carton.quantity == 0 and carton.item_id is None and carton.container_id is None
    (opened,) = flows.events(plant, result.code)
    assert (opened.event_type, opened.role, opened.detail) == (
        EventType.PACK,
        EventRole.PARENT,
        {"opened": True},
    )

    pallet = packing.open_container(plant.db, packer(plant), level=ContainerLevel.PALLET)
    assert (pallet.level, pallet.status) == ("PALLET", "OPEN")
    assert plant.unit(pallet.code).container_level is ContainerLevel.PALLET


def test_pack_serials_and_close_the_carton_with_an_sscc(plant: Plant) -> None:
    meters = flows.released_meters(plant, 2)
    carton = flows.open_container(plant)

    first = flows.pack(plant, carton, meters[0])
    assert first == packing.PackResult(
        container_code=carton, unit_code=meters[0], item_code=METER, count=Decimal(1), capacity=10, full=False
    )
    assert flows.pack(plant, carton, meters[1]).count == 2
    box = plant.unit(carton)
    assert box.quantity == 2 and box.item_id == item_id(plant, METER) and box.status is UnitStatus.OPEN
    for meter in meters:
        unit = plant.unit(meter)
        assert (unit.status, unit.container_id) == (UnitStatus.PACKED, box.id)
        (packed,) = flows.events(plant, meter, EventType.PACK)
        assert (packed.role, packed.quantity, packed.biz_step) == (EventRole.CHILD, 1, "packing")

    closed = packing.close_container(plant.db, packer(plant), container_code=carton)
    assert (closed.level, closed.item_code, closed.count, closed.is_sscc) == ("CARTON", METER, 2, True)
    assert_sscc(closed.code)
    assert closed.code == "069012340000000016"  # the site's first serial reference, with its check digit
    box = plant.unit(closed.code)
    assert (box.id, box.status, box.quantity) == (plant.unit(closed.code).id, UnitStatus.CLOSED, 2)
    assert flows.rows(plant, Unit, Unit.code == carton) == []  # the provisional code is gone
    assert [plant.unit(m).container_id for m in meters] == [box.id, box.id]
    assert [plant.unit(m).status for m in meters] == [UnitStatus.PACKED] * 2
    (close_event,) = flows.events(plant, closed.code, EventType.CLOSE)
    assert close_event.detail is not None
    assert close_event.detail["code"] == closed.code and close_event.detail["item"] == METER
    assert Decimal(close_event.detail["count"]) == 2 and close_event.quantity == 2


def test_a_full_carton_says_so_and_takes_no_more(plant: Plant) -> None:
    meters = flows.released_meters(plant, 11)
    carton = flows.open_container(plant)
    results = [flows.pack(plant, carton, meter) for meter in meters[:10]]
    assert [r.full for r in results] == [False] * 9 + [True]
    assert (results[-1].count, results[-1].capacity) == (10, 10)

    error = refused(plant, ErrorCode.CARTON_FULL, lambda: flows.pack(plant, carton, meters[10]))
    assert error.params["capacity"] == 10
    assert plant.unit(meters[10]).status is UnitStatus.RELEASED


def test_packing_part_of_a_lot_splits_off_a_child_lot(plant: Plant) -> None:
    lot = flows.compound_lot(plant, 50)
    parent_before = plant.unit(lot)
    carton = flows.open_container(plant)

    result = flows.pack(plant, carton, lot, "15")
    child_code = f"{lot}-01"
    assert result == packing.PackResult(
        container_code=carton,
        unit_code=child_code,
        item_code=COMPOUND,
        count=Decimal(15),
        capacity=20,
        full=False,
    )
    parent, child = plant.unit(lot), plant.unit(child_code)
    assert (parent.quantity, parent.status, parent.container_id, parent.split_count) == (
        35,
        UnitStatus.RELEASED,
        None,
        1,
    )
    assert (child.kind, child.item_id, child.quantity, child.status) == (
        UnitKind.LOT,
        parent.item_id,
        15,
        UnitStatus.PACKED,
    )
    assert child.container_id == plant.unit(carton).id
    assert (child.expires_on, child.work_order_id) == (parent_before.expires_on, parent_before.work_order_id)
    (link,) = flows.rows(plant, Link, Link.output_unit_id == child.id)
    assert (link.input_unit_id, link.level, link.quantity) == (parent.id, LinkLevel.UNIT, 15)
    split = flows.events(plant, child_code, EventType.SPLIT)
    assert [(s.role, s.quantity) for s in split] == [(EventRole.OUTPUT, 15)]
    assert [(s.role, s.quantity) for s in flows.events(plant, lot, EventType.SPLIT)] == [
        (EventRole.INPUT, 15)
    ]

    topped_up = flows.pack(plant, carton, lot, 5)
    assert (topped_up.unit_code, topped_up.count, topped_up.full) == (f"{lot}-02", 20, True)
    assert plant.unit(lot).quantity == 30

    # The rest of the lot is more than a carton holds; 20 split off fill a second, the last 10 go whole.
    second = flows.open_container(plant)
    refused(plant, ErrorCode.CARTON_FULL, lambda: flows.pack(plant, second, lot))
    assert flows.pack(plant, second, lot, 20).unit_code == f"{lot}-03"
    third = flows.open_container(plant)
    whole = flows.pack(plant, third, lot)
    assert (whole.unit_code, whole.count) == (lot, 10)
    parent = plant.unit(lot)
    assert (parent.status, parent.quantity, parent.container_id) == (
        UnitStatus.PACKED,
        10,
        plant.unit(third).id,
    )
    assert parent.split_count == 3


def test_closed_cartons_go_into_a_pallet(plant: Plant) -> None:
    meters = flows.released_meters(plant, 3)
    cartons = [flows.carton(plant, meters[:2]), flows.carton(plant, meters[2:])]
    pallet = flows.open_container(plant, ContainerLevel.PALLET)

    results = [flows.pack(plant, pallet, carton) for carton in cartons]
    assert [(r.unit_code, r.item_code, r.count, r.capacity, r.full) for r in results] == [
        (cartons[0], METER, 1, 4, False),
        (cartons[1], METER, 2, 4, False),
    ]
    pallet_id = plant.unit(pallet).id
    for carton in cartons:
        assert (plant.unit(carton).status, plant.unit(carton).container_id) == (UnitStatus.PACKED, pallet_id)

    closed = packing.close_container(plant.db, packer(plant), container_code=pallet)
    assert (closed.level, closed.count, closed.item_code, closed.is_sscc) == ("PALLET", 2, METER, True)
    assert_sscc(closed.code)
    assert len({closed.code, *cartons}) == 3
    assert plant.unit(closed.code).status is UnitStatus.CLOSED
    assert (
        plant.unit(meters[0]).container_id == plant.unit(cartons[0]).id
    )  # the serials stay in their cartons


def test_a_full_pallet_says_so_and_takes_no_more(plant: Plant) -> None:
    meters = flows.released_meters(plant, 5)
    cartons = [flows.carton(plant, [meter]) for meter in meters]
    pallet = flows.open_container(plant, ContainerLevel.PALLET)
    results = [flows.pack(plant, pallet, carton) for carton in cartons[:4]]
    assert [r.full for r in results] == [False, False, False, True]
    refused(plant, ErrorCode.CARTON_FULL, lambda: flows.pack(plant, pallet, cartons[4]))


def set_site(plant: Plant, **values: object) -> None:
    """Change the site's master data directly, as an administrator's screen would."""
    with plant.db.session() as session, session.begin():
        session.execute(update(Site).values(**values))


def test_without_a_gs1_company_prefix_a_container_takes_the_rule_s_code(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    set_site(plant, gs1_company_prefix=None)
    carton = flows.carton(plant, meters, closed=False)
    closed = packing.close_container(plant.db, packer(plant), container_code=carton)
    assert (closed.code, closed.is_sscc) == ("000000001", False)
    assert plant.unit(closed.code).status is UnitStatus.CLOSED


def test_closing_needs_a_container_numbering_rule_fit_for_an_sscc(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    carton = flows.carton(plant, meters, closed=False)
    with plant.db.session() as session, session.begin():
        session.execute(
            update(NumberingRule).where(NumberingRule.code == "SSCC-REF").values(pattern="C{SEQ:9}")
        )
    error = refused(plant, ErrorCode.BAD_NUMBERING_RULE, lambda: flows.close(plant, carton))
    assert error.params["rule"] == "SSCC-REF"
    set_site(plant, container_rule_id=None)
    refused(plant, ErrorCode.NO_NUMBERING_RULE, lambda: flows.close(plant, carton))


# --- unpack and repack --------------------------------------------------------------------------


def test_unpack_takes_a_serial_out_with_its_reason(plant: Plant) -> None:
    meters = flows.released_meters(plant, 2)
    carton = flows.carton(plant, meters, closed=False)

    result = packing.unpack(plant.db, packer(plant), unit_code=meters[0], reason="  label unreadable ")
    assert result == packing.UnpackResult(
        unit_code=meters[0], container_code=carton, container_count=Decimal(1)
    )
    unit = plant.unit(meters[0])
    assert (unit.status, unit.container_id) == (UnitStatus.RELEASED, None)
    box = plant.unit(carton)
    assert (box.quantity, box.item_id) == (1, item_id(plant, METER))
    (out,) = flows.events(plant, meters[0], EventType.UNPACK)
    assert (out.role, out.quantity, out.reason, out.biz_step) == (
        EventRole.CHILD,
        1,
        "label unreadable",
        "unpacking",
    )
    (parent,) = flows.events(plant, carton, EventType.UNPACK)
    assert parent.role is EventRole.PARENT


def test_an_emptied_open_carton_may_take_another_item(plant: Plant) -> None:
    batch = flows.build_meters(plant, 1, spare_modules=1)
    carton = flows.carton(plant, batch.meters, closed=False)
    flows.unpack(plant, batch.meters[0])
    box = plant.unit(carton)
    assert (box.quantity, box.item_id) == (0, None)
    assert flows.pack(plant, carton, batch.spare_modules[0]).item_code == MODULE


def test_unpacking_a_lot_gives_back_its_whole_quantity(plant: Plant) -> None:
    lot = flows.compound_lot(plant, 50)
    carton = flows.open_container(plant)
    flows.pack(plant, carton, lot, 12)
    result = flows.unpack(plant, f"{lot}-01")
    assert result.container_count == 0
    child = plant.unit(f"{lot}-01")
    assert (child.status, child.quantity, child.container_id) == (UnitStatus.RELEASED, 12, None)
    assert [e.quantity for e in flows.events(plant, f"{lot}-01", EventType.UNPACK)] == [12]


def test_unpack_a_carton_from_a_pallet_closes_it_again(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    carton = flows.carton(plant, meters)
    pallet = flows.pallet(plant, [carton], closed=False)
    result = flows.unpack(plant, carton)
    assert (result.container_code, result.container_count) == (pallet, 0)
    box = plant.unit(carton)
    assert (box.status, box.container_id, box.quantity) == (UnitStatus.CLOSED, None, 1)
    assert plant.unit(meters[0]).container_id == box.id


def test_a_held_unit_unpacked_stays_held_and_is_released_loose(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    carton = flows.carton(plant, meters, closed=False)
    flows.hold(plant, meters[0])
    flows.unpack(plant, meters[0])
    unit = plant.unit(meters[0])
    assert (unit.status, unit.held_from_status, unit.container_id) == (
        UnitStatus.ON_HOLD,
        UnitStatus.RELEASED,
        None,
    )
    assert plant.unit(carton).quantity == 0
    quality.release_hold(
        plant.db,
        plant.actor(QUALITY, "QA-01"),
        unit_code=meters[0],
        reason="cleared",
        pin=flows.PINS[QUALITY],
    )
    assert plant.unit(meters[0]).status is UnitStatus.RELEASED


def test_repack_moves_a_serial_between_cartons_with_the_reason(plant: Plant) -> None:
    meters = flows.released_meters(plant, 2)
    source = flows.carton(plant, meters, closed=False)
    target = flows.open_container(plant)

    result = packing.repack(
        plant.db, packer(plant), unit_code=meters[0], container_code=target, reason="rebalance"
    )
    assert result == packing.PackResult(
        container_code=target, unit_code=meters[0], item_code=METER, count=Decimal(1), capacity=10, full=False
    )
    assert plant.unit(meters[0]).container_id == plant.unit(target).id
    assert plant.unit(meters[0]).status is UnitStatus.PACKED
    assert (plant.unit(source).quantity, plant.unit(target).quantity) == (1, 1)
    moves = [
        (e.event_type, e.reason)
        for e in flows.events(plant, meters[0])
        if e.event_type is not EventType.REPORT
    ]
    assert moves[-2:] == [(EventType.UNPACK, "rebalance"), (EventType.PACK, "rebalance")]


def test_repack_moves_a_carton_between_pallets(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    carton = flows.carton(plant, meters)
    first = flows.pallet(plant, [carton], closed=False)
    second = flows.open_container(plant, ContainerLevel.PALLET)
    result = packing.repack(
        plant.db, packer(plant), unit_code=carton, container_code=second, reason="pallet split"
    )
    assert (result.container_code, result.count, result.capacity) == (second, 1, 4)
    box = plant.unit(carton)
    assert (box.status, box.container_id) == (UnitStatus.PACKED, plant.unit(second).id)
    assert plant.unit(first).quantity == 0


# --- refusals -----------------------------------------------------------------------------------


def test_packing_refuses_what_is_not_a_container_or_not_open(plant: Plant) -> None:
    meters = flows.released_meters(plant, 2)
    carton = flows.carton(plant, meters[:1])  # closed
    refused(plant, ErrorCode.NOT_A_CONTAINER, lambda: flows.pack(plant, meters[0], meters[1]))
    refused(plant, ErrorCode.UNKNOWN_CODE, lambda: flows.pack(plant, "NO-SUCH-BOX", meters[1]))
    open_carton = flows.open_container(plant)
    refused(plant, ErrorCode.UNKNOWN_CODE, lambda: flows.pack(plant, open_carton, "NO-SUCH-SERIAL"))
    error = refused(plant, ErrorCode.CONTAINER_CLOSED, lambda: flows.pack(plant, carton, meters[1]))
    assert error.params["status"] == "CLOSED"
    refused(plant, ErrorCode.CONTAINER_CLOSED, lambda: flows.close(plant, carton))
    refused(plant, ErrorCode.NOT_A_CONTAINER, lambda: flows.close(plant, meters[1]))
    refused(
        plant,
        ErrorCode.CONTAINER_CLOSED,
        lambda: packing.repack(
            plant.db, packer(plant), unit_code=meters[0], container_code=carton, reason="move"
        ),
    )


def test_closing_an_empty_container_is_refused(plant: Plant) -> None:
    carton = flows.open_container(plant)
    pallet = flows.open_container(plant, ContainerLevel.PALLET)
    refused(plant, ErrorCode.CONTAINER_EMPTY, lambda: flows.close(plant, carton))
    refused(plant, ErrorCode.CONTAINER_EMPTY, lambda: flows.close(plant, pallet))


def test_an_open_carton_cannot_go_into_a_pallet(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    carton = flows.carton(plant, meters, closed=False)
    pallet = flows.open_container(plant, ContainerLevel.PALLET)
    refused(plant, ErrorCode.CONTAINER_NOT_CLOSED, lambda: flows.pack(plant, pallet, carton))


def test_what_a_container_level_cannot_hold_is_not_packable(plant: Plant) -> None:
    meters = flows.released_meters(plant, 2)
    carton = flows.carton(plant, meters[:1])
    other = flows.open_container(plant)
    pallet = flows.open_container(plant, ContainerLevel.PALLET)
    refused(plant, ErrorCode.UNIT_NOT_PACKABLE, lambda: flows.pack(plant, other, carton))  # carton in carton
    refused(plant, ErrorCode.UNIT_NOT_PACKABLE, lambda: flows.pack(plant, other, other))  # into itself
    refused(plant, ErrorCode.UNIT_NOT_PACKABLE, lambda: flows.pack(plant, pallet, meters[1]))  # loose serial
    refused(plant, ErrorCode.UNIT_NOT_PACKABLE, lambda: flows.pack(plant, pallet, pallet))  # into itself
    closed_pallet = flows.pallet(plant, [carton])
    second_pallet = flows.open_container(plant, ContainerLevel.PALLET)
    refused(plant, ErrorCode.UNIT_NOT_PACKABLE, lambda: flows.pack(plant, second_pallet, closed_pallet))


def test_a_container_holds_one_item(plant: Plant) -> None:
    batch = flows.build_meters(plant, 2, spare_modules=1)
    carton = flows.carton(plant, batch.meters, closed=False)
    error = refused(
        plant, ErrorCode.CONTAINER_MIXED_ITEMS, lambda: flows.pack(plant, carton, batch.spare_modules[0])
    )
    assert error.params == {"code": carton, "item": MODULE}
    # Still one meter inside after the other is taken out: still a meter carton.
    flows.unpack(plant, batch.meters[1])
    refused(plant, ErrorCode.CONTAINER_MIXED_ITEMS, lambda: flows.pack(plant, carton, batch.spare_modules[0]))


def test_an_item_without_a_packing_spec_is_refused(plant: Plant) -> None:
    batch = flows.build_meters(plant, 0, spare_modules=1)
    carton = flows.open_container(plant)
    error = refused(plant, ErrorCode.NO_PACKING_SPEC, lambda: flows.pack(plant, carton, batch.pcb_lot))
    assert error.params["level"] == "CARTON"
    # 4G modules have a carton size but no pallet size.
    module_carton = flows.carton(plant, batch.spare_modules)
    pallet = flows.open_container(plant, ContainerLevel.PALLET)
    error = refused(plant, ErrorCode.NO_PACKING_SPEC, lambda: flows.pack(plant, pallet, module_carton))
    assert error.params == {"item": MODULE, "level": "PALLET"}


def test_a_packed_unit_cannot_be_packed_again(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    carton = flows.carton(plant, meters, closed=False)
    other = flows.open_container(plant)
    refused(plant, ErrorCode.UNIT_ALREADY_PACKED, lambda: flows.pack(plant, other, meters[0]))
    refused(plant, ErrorCode.UNIT_ALREADY_PACKED, lambda: flows.pack(plant, carton, meters[0]))
    refused(
        plant,
        ErrorCode.UNIT_ALREADY_PACKED,
        lambda: packing.repack(
            plant.db, packer(plant), unit_code=meters[0], container_code=carton, reason="x"
        ),
    )
    # A carton already on a pallet.
    closed = flows.close(plant, carton)
    flows.pallet(plant, [closed], closed=False)
    pallet = flows.open_container(plant, ContainerLevel.PALLET)
    refused(plant, ErrorCode.UNIT_ALREADY_PACKED, lambda: flows.pack(plant, pallet, closed))


def test_unpacking_what_is_not_packed_is_refused(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    carton = flows.open_container(plant)
    refused(plant, ErrorCode.UNIT_NOT_PACKED, lambda: flows.unpack(plant, meters[0]))
    refused(
        plant,
        ErrorCode.UNIT_NOT_PACKED,
        lambda: packing.repack(
            plant.db, packer(plant), unit_code=meters[0], container_code=carton, reason="x"
        ),
    )
    refused(plant, ErrorCode.UNKNOWN_CODE, lambda: flows.unpack(plant, "NO-SUCH-SERIAL"))


def test_unpack_and_repack_need_a_reason(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    carton = flows.carton(plant, meters, closed=False)
    other = flows.open_container(plant)
    for reason in ("", "   ", None):
        refused(
            plant,
            ErrorCode.REASON_REQUIRED,
            lambda reason=reason: packing.unpack(plant.db, packer(plant), unit_code=meters[0], reason=reason),
        )
        refused(
            plant,
            ErrorCode.REASON_REQUIRED,
            lambda reason=reason: packing.repack(
                plant.db, packer(plant), unit_code=meters[0], container_code=other, reason=reason
            ),
        )
    assert plant.unit(meters[0]).container_id == plant.unit(carton).id


def test_held_units_are_not_packed(plant: Plant) -> None:
    meters = flows.released_meters(plant, 4)
    carton = flows.open_container(plant)
    flows.hold(plant, meters[0])
    refused(plant, ErrorCode.UNIT_ON_HOLD, lambda: flows.pack(plant, carton, meters[0]))

    # A closed carton with a held serial inside refuses the pallet; so does a held carton.
    with_held = flows.carton(plant, meters[1:2])
    flows.hold(plant, meters[1])
    held_carton = flows.carton(plant, meters[2:3])
    flows.hold(plant, held_carton)
    pallet = flows.open_container(plant, ContainerLevel.PALLET)
    error = refused(plant, ErrorCode.UNIT_ON_HOLD, lambda: flows.pack(plant, pallet, with_held))
    assert error.params == {"code": meters[1], "container": with_held}
    refused(plant, ErrorCode.UNIT_ON_HOLD, lambda: flows.pack(plant, pallet, held_carton))

    # A held unit being repacked: the whole move is refused, it stays where it was.
    box = flows.carton(plant, meters[3:4], closed=False)
    flows.hold(plant, meters[3])
    other = flows.open_container(plant)
    refused(
        plant,
        ErrorCode.UNIT_ON_HOLD,
        lambda: packing.repack(
            plant.db, packer(plant), unit_code=meters[3], container_code=other, reason="x"
        ),
    )
    assert plant.unit(meters[3]).container_id == plant.unit(box).id


def test_unfinished_failed_unreleased_scrapped_and_expired_units_are_not_packed(plant: Plant) -> None:
    batch = flows.build_meters(plant, 2)
    wip = flows.extra_meter(plant, batch)
    failed = flows.extra_meter(plant, batch, state="FAILED")
    quarantined = flows.receive_lot(plant, "PCB-MAIN", "SUP-HQ", 10)
    carton = flows.open_container(plant)

    refused(plant, ErrorCode.SERIAL_NOT_COMPLETE, lambda: flows.pack(plant, carton, wip))
    refused(plant, ErrorCode.SERIAL_FAILED, lambda: flows.pack(plant, carton, failed))
    refused(plant, ErrorCode.UNIT_NOT_RELEASED, lambda: flows.pack(plant, carton, quarantined))
    flows.scrap(plant, batch.meters[0])
    refused(plant, ErrorCode.UNIT_SCRAPPED, lambda: flows.pack(plant, carton, batch.meters[0]))
    flows.set_expiry(plant, batch.meters[1], flows.yesterday(plant))
    error = refused(plant, ErrorCode.UNIT_EXPIRED, lambda: flows.pack(plant, carton, batch.meters[1]))
    assert error.params["expires_on"] == flows.yesterday(plant).isoformat()
    # Expiring today is still good.
    flows.set_expiry(plant, batch.meters[1], plant.today())
    assert flows.pack(plant, carton, batch.meters[1]).count == 1


def test_consumed_and_shipped_units_are_not_packed(plant: Plant) -> None:
    batch = flows.build_meters(plant, 1)
    carton = flows.open_container(plant)
    refused(plant, ErrorCode.UNIT_CONSUMED, lambda: flows.pack(plant, carton, batch.modules[0]))
    flows.ship(plant, batch.meters, {METER: 1})
    refused(plant, ErrorCode.ALREADY_SHIPPED, lambda: flows.pack(plant, carton, batch.meters[0]))
    # A shipped carton does not go onto a pallet.
    lot = flows.compound_lot(plant, 20)
    lot_carton = flows.carton(plant, [lot])
    flows.ship(plant, [lot_carton], {COMPOUND: 20})
    pallet = flows.open_container(plant, ContainerLevel.PALLET)
    refused(plant, ErrorCode.ALREADY_SHIPPED, lambda: flows.pack(plant, pallet, lot_carton))


def test_shipped_units_are_not_unpacked(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    carton = flows.carton(plant, meters)
    flows.ship(plant, [carton], {METER: 1})
    refused(plant, ErrorCode.ALREADY_SHIPPED, lambda: flows.unpack(plant, meters[0]))


def test_bad_pack_quantities_are_refused(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    lot = flows.compound_lot(plant, 10)
    carton = flows.open_container(plant)
    lot_carton = flows.open_container(plant)
    refused(plant, ErrorCode.BAD_QUANTITY, lambda: flows.pack(plant, carton, meters[0], 2))
    refused(plant, ErrorCode.BAD_QUANTITY, lambda: flows.pack(plant, carton, meters[0], "0.5"))
    for bad in ("0", "-3", "abc", "NaN", "1.0000001"):
        refused(plant, ErrorCode.BAD_QUANTITY, lambda bad=bad: flows.pack(plant, lot_carton, lot, bad))
    error = refused(
        plant, ErrorCode.LOT_INSUFFICIENT_QUANTITY, lambda: flows.pack(plant, lot_carton, lot, 11)
    )
    assert (Decimal(error.params["available"]), Decimal(error.params["requested"])) == (10, 11)
    assert flows.pack(plant, carton, meters[0], 1).count == 1


# --- replay -------------------------------------------------------------------------------------


def test_every_packing_operation_replays_its_first_result(plant: Plant) -> None:
    meters = flows.released_meters(plant, 3)
    lot = flows.compound_lot(plant, 30)

    carton = replayed(plant, packing.open_container, packer(plant)).code
    pallet = replayed(plant, packing.open_container, packer(plant), level=ContainerLevel.PALLET).code
    assert replayed(plant, packing.pack, packer(plant), container_code=carton, unit_code=meters[0]).count == 1
    flows.pack(plant, carton, meters[1])
    assert (
        replayed(plant, packing.unpack, packer(plant), unit_code=meters[1], reason="x").container_count == 1
    )
    other = flows.carton(plant, meters[1:3], closed=False)
    moved = replayed(
        plant, packing.repack, packer(plant), unit_code=meters[2], container_code=carton, reason="y"
    )
    assert (moved.count, plant.unit(other).quantity) == (2, 1)
    closed = replayed(plant, packing.close_container, packer(plant), container_code=carton)
    assert plant.unit(closed.code).status is UnitStatus.CLOSED
    replayed(plant, packing.pack, packer(plant), container_code=pallet, unit_code=closed.code)

    lot_carton = flows.open_container(plant)
    split = replayed(plant, packing.pack, packer(plant), container_code=lot_carton, unit_code=lot, quantity=7)
    assert split.unit_code == f"{lot}-01" and plant.unit(lot).quantity == 23


def test_a_refused_action_is_not_recorded_and_refuses_again(plant: Plant) -> None:
    carton = flows.open_container(plant)
    actor = packer(plant)
    for _ in range(2):
        refused(
            plant,
            ErrorCode.CONTAINER_EMPTY,
            lambda: packing.close_container(plant.db, actor.retry(), container_code=carton),
        )


# --- a station's open containers: pack_into_open, open_containers, pack_room ----------------------


def into_open(plant: Plant, unit: str, quantity: int | str | None = None, station: str = "PCK-01"):  # type: ignore[no-untyped-def]
    return packing.pack_into_open(plant.db, plant.actor(OPERATOR, station), unit_code=unit, quantity=quantity)


def test_pack_into_open_opens_the_station_s_carton_once_and_fills_it(plant: Plant) -> None:
    meters = flows.released_meters(plant, 3)
    assert packing.open_containers(plant.db, "PCK-01") == []

    first = into_open(plant, meters[0])
    assert first.opened and first.container_code.startswith("OPEN-")
    assert (first.level, first.unit_code, first.item_code, first.count, first.capacity, first.full) == (
        "CARTON",
        meters[0],
        METER,
        1,
        10,
        False,
    )
    second = into_open(plant, meters[1])
    assert (second.container_code, second.count, second.opened) == (first.container_code, 2, False)

    (carton,) = packing.open_containers(plant.db, "PCK-01")
    assert (carton.code, carton.level, carton.item_code, carton.count, carton.capacity, carton.uom) == (
        first.container_code,
        "CARTON",
        METER,
        2,
        10,
        "EA",
    )
    assert carton.item_name_en == "Single-phase smart meter" and carton.item_name_zh == "单相智能电表"
    assert [(c.code, c.kind, c.quantity) for c in carton.contents] == [
        (meters[0], "SERIAL", 1),
        (meters[1], "SERIAL", 1),
    ]
    # Another station opens its own; this one's is not offered there.
    assert packing.open_containers(plant.db, "SHP-01") == []
    elsewhere = into_open(plant, meters[2], station="SHP-01")
    assert elsewhere.opened and elsewhere.container_code != first.container_code
    assert [c.code for c in packing.open_containers(plant.db, "SHP-01")] == [elsewhere.container_code]
    assert [c.code for c in packing.open_containers(plant.db, "PCK-01")] == [first.container_code]


def test_pack_into_open_uses_an_empty_carton_and_puts_closed_cartons_on_the_pallet(plant: Plant) -> None:
    meters = flows.released_meters(plant, 3)
    empty = flows.open_container(plant)  # opened at PCK-01 by hand, still empty
    assert into_open(plant, meters[0]).container_code == empty
    box = flows.close(plant, empty)
    others = flows.carton(plant, meters[1:])

    on_pallet = into_open(plant, box)
    assert on_pallet.opened and (on_pallet.level, on_pallet.count, on_pallet.capacity) == ("PALLET", 1, 4)
    again = into_open(plant, others)
    assert (again.container_code, again.count, again.opened) == (on_pallet.container_code, 2, False)
    (pallet,) = packing.open_containers(plant.db, "PCK-01")
    assert (pallet.level, pallet.count, pallet.capacity, pallet.uom) == ("PALLET", 2, 4, "EA")
    assert [(c.code, c.kind) for c in pallet.contents] == [(box, "CONTAINER"), (others, "CONTAINER")]
    assert plant.unit(box).status is UnitStatus.PACKED


def test_pack_into_open_fills_to_full_then_the_next_unit_opens_the_next_carton(plant: Plant) -> None:
    meters = flows.released_meters(plant, 11)
    results = [into_open(plant, meter) for meter in meters[:10]]
    assert [r.full for r in results] == [False] * 9 + [True]
    assert {r.container_code for r in results} == {results[0].container_code}
    refused(plant, ErrorCode.CARTON_FULL, lambda: into_open(plant, meters[10]))  # close it first
    closed = flows.close(plant, results[0].container_code)
    assert_sscc(closed)
    nxt = into_open(plant, meters[10])
    assert nxt.opened and nxt.count == 1 and nxt.container_code != results[0].container_code


def test_a_refused_unit_leaves_no_carton_behind(plant: Plant) -> None:
    batch = flows.build_meters(plant, 1)
    wip = flows.extra_meter(plant, batch)
    refused(plant, ErrorCode.SERIAL_NOT_COMPLETE, lambda: into_open(plant, wip))
    flows.hold(plant, batch.meters[0])
    refused(plant, ErrorCode.UNIT_ON_HOLD, lambda: into_open(plant, batch.meters[0]))
    assert packing.open_containers(plant.db, "PCK-01") == []


def test_a_unit_of_another_item_is_not_mixed_into_the_open_carton(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    lot = flows.compound_lot(plant, 30)
    carton = into_open(plant, meters[0]).container_code
    error = refused(plant, ErrorCode.CONTAINER_MIXED_ITEMS, lambda: into_open(plant, lot, 5))
    assert error.params == {"code": carton, "item": COMPOUND}
    refused(plant, ErrorCode.CONTAINER_MIXED_ITEMS, lambda: packing.pack_room(plant.db, "PCK-01", lot))
    # Closed, the bench is free for the other item.
    flows.close(plant, carton)
    room = packing.pack_room(plant.db, "PCK-01", lot)
    assert room == packing.PackRoom(
        unit_code=lot, available=Decimal(30), room=Decimal(20), uom="KG", suggested=Decimal(20)
    )
    packed = into_open(plant, lot, "12")
    assert (packed.item_code, packed.count, packed.unit_code) == (COMPOUND, 12, f"{lot}-01")
    left = packing.pack_room(plant.db, "PCK-01", lot)
    assert (left.available, left.room, left.suggested) == (18, 8, 8)  # what still fits, not the lot


def test_the_quantity_offered_is_the_whole_lot_when_it_fits(plant: Plant) -> None:
    lot = flows.compound_lot(plant, 15)
    room = packing.pack_room(plant.db, "PCK-01", lot)
    assert (room.available, room.room, room.suggested) == (15, 20, 15)


def test_open_containers_of_an_unknown_station_are_refused(plant: Plant) -> None:
    [meter] = flows.released_meters(plant, 1)
    with pytest.raises(DomainError) as unknown:
        packing.open_containers(plant.db, "NOPE")
    assert unknown.value.code is ErrorCode.UNKNOWN_STATION
    with pytest.raises(DomainError) as also:
        packing.pack_room(plant.db, "NOPE", meter)
    assert also.value.code is ErrorCode.UNKNOWN_STATION


def test_pack_into_open_replays_its_first_result(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    result = replayed(plant, packing.pack_into_open, packer(plant), unit_code=meters[0])
    assert result.opened and result.count == 1


def test_nothing_is_taken_out_of_a_held_carton_or_pallet(plant: Plant) -> None:
    """A unit taken out of a held carton would come out released and could ship around the hold."""
    meters = flows.released_meters(plant, 2)
    box = flows.carton(plant, meters)
    flows.hold(plant, box)
    flows.refused(plant, ErrorCode.UNIT_ON_HOLD, lambda: flows.unpack(plant, meters[0]))
    on_pallet = flows.released_meters(plant, 1)
    board = flows.pallet(plant, [flows.carton(plant, on_pallet)])
    flows.hold(plant, board)
    flows.refused(plant, ErrorCode.UNIT_ON_HOLD, lambda: flows.unpack(plant, on_pallet[0]))
    assert plant.unit(meters[0]).container_id == plant.unit(box).id
