"""Hold, release and scrap: quality's brakes, down the genealogy and into containers."""

from __future__ import annotations

from decimal import Decimal

from models import quality, receiving
from models.demo_plant import METER, PCB
from models.errors import ErrorCode
from models.schema import EventRole, EventType, UnitStatus
from tests.models import flows
from tests.models.flows import refused, replayed
from tests.support import OPERATOR, QUALITY, SUPERVISOR, Plant


def inspector(plant: Plant):  # type: ignore[no-untyped-def]
    return plant.actor(QUALITY, "QA-01")


def release(plant: Plant, code: str, *, include_descendants: bool = False) -> quality.HoldResult:
    return quality.release_hold(
        plant.db, inspector(plant), unit_code=code, reason="cleared", include_descendants=include_descendants
    )


def status(plant: Plant, code: str) -> tuple[UnitStatus, UnitStatus | None]:
    unit = plant.unit(code)
    return unit.status, unit.held_from_status


# --- hold and release ---------------------------------------------------------------------------


def test_hold_and_release_a_loose_serial(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    result = quality.hold(plant.db, inspector(plant), unit_code=meters[0], reason=" customer complaint ")
    assert result == quality.HoldResult(code=meters[0], changed=[meters[0]], skipped=[])
    assert status(plant, meters[0]) == (UnitStatus.ON_HOLD, UnitStatus.RELEASED)
    (held,) = flows.events(plant, meters[0], EventType.HOLD)
    assert (held.role, held.reason, held.biz_step) == (EventRole.OBJECT, "customer complaint", "holding")
    assert held.detail == {"include_descendants": False, "skipped": []}

    released = release(plant, meters[0])
    assert released == quality.HoldResult(code=meters[0], changed=[meters[0]])
    assert status(plant, meters[0]) == (UnitStatus.RELEASED, None)
    (freed,) = flows.events(plant, meters[0], EventType.RELEASE)
    assert (freed.role, freed.reason) == (EventRole.OBJECT, "cleared")


def test_a_supervisor_may_hold_too(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    quality.hold(plant.db, plant.actor(SUPERVISOR, "QA-01"), unit_code=meters[0], reason="seen on the line")
    assert plant.unit(meters[0]).status is UnitStatus.ON_HOLD


def test_a_held_packed_serial_is_released_back_into_its_carton(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    carton = flows.carton(plant, meters)
    flows.hold(plant, meters[0])
    assert status(plant, meters[0]) == (UnitStatus.ON_HOLD, UnitStatus.PACKED)
    assert plant.unit(meters[0]).container_id == plant.unit(carton).id
    assert plant.unit(carton).status is UnitStatus.CLOSED  # only what was asked for
    release(plant, meters[0])
    assert status(plant, meters[0]) == (UnitStatus.PACKED, None)
    assert plant.unit(meters[0]).container_id == plant.unit(carton).id


def test_a_hold_on_a_pallet_reaches_every_carton_and_serial_in_it(plant: Plant) -> None:
    meters = flows.released_meters(plant, 3)
    cartons = [flows.carton(plant, meters[:2]), flows.carton(plant, meters[2:])]
    pallet = flows.pallet(plant, cartons)

    result = flows.hold(plant, pallet, include_descendants=True)
    assert result.changed[0] == pallet and sorted(result.changed[1:]) == sorted([*cartons, *meters])
    assert result.skipped == []
    assert status(plant, pallet) == (UnitStatus.ON_HOLD, UnitStatus.CLOSED)
    assert [status(plant, c) for c in cartons] == [(UnitStatus.ON_HOLD, UnitStatus.PACKED)] * 2
    assert [status(plant, m) for m in meters] == [(UnitStatus.ON_HOLD, UnitStatus.PACKED)] * 3
    (held,) = flows.events(plant, meters[2], EventType.HOLD)
    assert held.detail == {"include_descendants": True, "skipped": []}

    released = release(plant, pallet, include_descendants=True)
    assert sorted(released.changed) == sorted([pallet, *cartons, *meters])
    assert status(plant, pallet) == (UnitStatus.CLOSED, None)
    assert [status(plant, c)[0] for c in [*cartons, *meters]] == [UnitStatus.PACKED] * 5


def test_a_hold_without_descendants_leaves_the_contents_alone(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    carton = flows.carton(plant, meters)
    assert flows.hold(plant, carton).changed == [carton]
    assert plant.unit(meters[0]).status is UnitStatus.PACKED


def test_a_suspect_pcb_lot_holds_every_meter_made_from_it(plant: Plant) -> None:
    batch = flows.build_meters(plant, 3)
    shipped, packed, loose = batch.meters
    flows.ship(plant, [shipped], {METER: 1})
    carton = flows.carton(plant, [packed])
    production_lot = f"{batch.work_order}-P"

    result = flows.hold(plant, batch.pcb_lot, include_descendants=True, reason="supplier notice 8D-114")
    assert result.code == batch.pcb_lot
    assert set(result.changed) == {batch.pcb_lot, production_lot, packed, loose}
    assert result.skipped == [shipped]
    assert status(plant, batch.pcb_lot) == (UnitStatus.ON_HOLD, UnitStatus.RELEASED)
    assert status(plant, packed) == (UnitStatus.ON_HOLD, UnitStatus.PACKED)
    assert status(plant, loose) == (UnitStatus.ON_HOLD, UnitStatus.RELEASED)
    assert plant.unit(shipped).status is UnitStatus.SHIPPED
    # Made from the lot, not inside anything made from it: neither the carton nor other material.
    assert plant.unit(carton).status is UnitStatus.CLOSED
    assert plant.unit(batch.housing_lot).status is UnitStatus.RELEASED
    assert [e.reason for e in flows.events(plant, loose, EventType.HOLD)] == ["supplier notice 8D-114"]
    (event,) = flows.events(plant, batch.pcb_lot, EventType.HOLD)
    assert event.detail == {"include_descendants": True, "skipped": [shipped]}

    # The carton with a held meter cannot leave until the lot is cleared.
    code = flows.shipment(plant, {METER: 1})
    refused(plant, ErrorCode.UNIT_ON_HOLD, lambda: flows.add(plant, code, carton))
    released = release(plant, batch.pcb_lot, include_descendants=True)
    assert set(released.changed) == {batch.pcb_lot, production_lot, packed, loose}
    assert status(plant, packed) == (UnitStatus.PACKED, None)
    assert status(plant, loose) == (UnitStatus.RELEASED, None)
    assert flows.add(plant, code, carton).complete


def test_a_chip_lot_hold_reaches_meters_through_their_built_in_modules(plant: Plant) -> None:
    batch = flows.build_meters(plant, 2, spare_modules=1)
    result = flows.hold(plant, batch.chip_lot, include_descendants=True)
    assert set(result.changed) == {
        batch.chip_lot,
        f"{batch.module_work_order}-P",
        batch.spare_modules[0],
        *batch.meters,
    }
    assert sorted(result.skipped) == sorted(batch.modules)  # built in: consumed, past holding
    assert [plant.unit(m).status for m in batch.meters] == [UnitStatus.ON_HOLD] * 2


def test_a_used_up_unit_still_holds_what_was_made_from_it(plant: Plant) -> None:
    batch = flows.build_meters(plant, 2)
    module = batch.modules[0]
    assert plant.unit(module).status is UnitStatus.CONSUMED
    refused(plant, ErrorCode.UNIT_CONSUMED, lambda: flows.hold(plant, module))

    result = flows.hold(plant, module, include_descendants=True)
    assert result == quality.HoldResult(code=module, changed=[batch.meters[0]], skipped=[module])
    assert plant.unit(module).status is UnitStatus.CONSUMED
    assert plant.unit(batch.meters[1]).status is UnitStatus.RELEASED

    refused(plant, ErrorCode.UNIT_NOT_ON_HOLD, lambda: release(plant, module))
    assert release(plant, module, include_descendants=True).changed == [batch.meters[0]]
    assert status(plant, batch.meters[0]) == (UnitStatus.RELEASED, None)
    assert plant.unit(module).status is UnitStatus.CONSUMED
    # Nothing held through it any more: nothing to release.
    refused(plant, ErrorCode.UNIT_NOT_ON_HOLD, lambda: release(plant, module, include_descendants=True))


def test_a_hold_through_a_unit_with_nothing_left_to_hold_is_refused(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    flows.ship(plant, meters, {METER: 1})
    error = refused(
        plant, ErrorCode.ALREADY_SHIPPED, lambda: flows.hold(plant, meters[0], include_descendants=True)
    )
    assert error.params == {"code": meters[0], "status": "SHIPPED"}


def test_a_held_wip_serial_goes_back_on_its_route(plant: Plant) -> None:
    batch = flows.build_meters(plant, 0)
    wip = flows.extra_meter(plant, batch)
    flows.hold(plant, wip)
    assert status(plant, wip) == (UnitStatus.ON_HOLD, UnitStatus.WIP)
    release(plant, wip)
    assert status(plant, wip) == (UnitStatus.WIP, None)


# --- scrap --------------------------------------------------------------------------------------


def test_scrap_a_loose_serial(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    result = quality.scrap(plant.db, inspector(plant), unit_code=meters[0], reason=" dropped ")
    assert result == quality.ScrapResult(code=meters[0], quantity=Decimal(1), status="SCRAPPED")
    unit = plant.unit(meters[0])
    assert (unit.status, unit.quantity) == (UnitStatus.SCRAPPED, 0)
    (event,) = flows.events(plant, meters[0], EventType.SCRAP)
    assert (event.role, event.quantity, event.reason, event.biz_step) == (
        EventRole.OBJECT,
        1,
        "dropped",
        "destroying",
    )


def test_a_scrapped_serial_leaves_its_carton(plant: Plant) -> None:
    meters = flows.released_meters(plant, 2)
    carton = flows.carton(plant, meters)
    flows.scrap(plant, meters[0])
    unit = plant.unit(meters[0])
    assert (unit.status, unit.container_id) == (UnitStatus.SCRAPPED, None)
    assert plant.unit(carton).quantity == 1
    (parent,) = flows.events(plant, carton, EventType.SCRAP)
    assert parent.role is EventRole.PARENT
    code = flows.shipment(plant, {METER: 1})
    assert flows.add(plant, code, carton).lines[0].picked == 1


def test_scrap_part_of_a_lot_then_the_rest(plant: Plant) -> None:
    lot = flows.compound_lot(plant, 50)
    result = flows.scrap(plant, lot, "12.5")
    assert result == quality.ScrapResult(code=lot, quantity=Decimal("12.5"), status="RELEASED")
    assert (plant.unit(lot).quantity, plant.unit(lot).status) == (Decimal("37.5"), UnitStatus.RELEASED)
    assert flows.scrap(plant, lot).quantity == Decimal("37.5")
    assert (plant.unit(lot).quantity, plant.unit(lot).status) == (0, UnitStatus.SCRAPPED)
    assert [e.quantity for e in flows.events(plant, lot, EventType.SCRAP)] == [
        Decimal("12.5"),
        Decimal("37.5"),
    ]


def test_scrap_part_of_a_packed_lot_lowers_its_carton(plant: Plant) -> None:
    lot = flows.compound_lot(plant, 20)
    carton = flows.open_container(plant)
    flows.pack(plant, carton, lot)
    flows.scrap(plant, lot, 5)
    assert plant.unit(carton).quantity == 15
    assert (plant.unit(lot).status, plant.unit(lot).quantity) == (UnitStatus.PACKED, 15)


def test_a_held_unit_may_be_scrapped(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    flows.hold(plant, meters[0])
    assert flows.scrap(plant, meters[0]).status == "SCRAPPED"
    assert status(plant, meters[0]) == (UnitStatus.SCRAPPED, None)


# --- refusals -----------------------------------------------------------------------------------


def test_only_quality_holds_releases_and_scraps(plant: Plant) -> None:
    meters = flows.released_meters(plant, 2)
    flows.hold(plant, meters[1])
    operator = plant.actor(OPERATOR, "QA-01")
    error = refused(
        plant,
        ErrorCode.ROLE_REQUIRED,
        lambda: quality.hold(plant.db, operator, unit_code=meters[0], reason="looks wrong"),
    )
    assert set(error.params["roles"]) == {"quality", "supervisor", "admin"}
    refused(
        plant,
        ErrorCode.ROLE_REQUIRED,
        lambda: quality.release_hold(
            plant.db, plant.actor(OPERATOR, "QA-01"), unit_code=meters[1], reason="ok"
        ),
    )
    refused(
        plant,
        ErrorCode.ROLE_REQUIRED,
        lambda: quality.scrap(plant.db, plant.actor(OPERATOR, "QA-01"), unit_code=meters[0], reason="broken"),
    )


def test_hold_release_and_scrap_need_a_reason(plant: Plant) -> None:
    meters = flows.released_meters(plant, 2)
    flows.hold(plant, meters[1])
    for reason in ("", "  ", None):
        refused(
            plant,
            ErrorCode.REASON_REQUIRED,
            lambda reason=reason: quality.hold(
                plant.db, inspector(plant), unit_code=meters[0], reason=reason
            ),
        )
        refused(
            plant,
            ErrorCode.REASON_REQUIRED,
            lambda reason=reason: quality.release_hold(
                plant.db, inspector(plant), unit_code=meters[1], reason=reason
            ),
        )
        refused(
            plant,
            ErrorCode.REASON_REQUIRED,
            lambda reason=reason: quality.scrap(
                plant.db, inspector(plant), unit_code=meters[0], reason=reason
            ),
        )


def test_hold_and_release_refuse_units_in_the_wrong_state(plant: Plant) -> None:
    batch = flows.build_meters(plant, 3)
    held, shipped, scrapped = batch.meters
    flows.hold(plant, held)
    flows.ship(plant, [shipped], {METER: 1})
    flows.scrap(plant, scrapped)
    rejected = flows.receive_lot(plant, PCB, "SUP-HQ", 10)
    receiving.reject_received_lot(plant.db, inspector(plant), lot_code=rejected, reason="solder voids")

    refused(plant, ErrorCode.UNIT_ON_HOLD, lambda: flows.hold(plant, held))
    refused(plant, ErrorCode.ALREADY_SHIPPED, lambda: flows.hold(plant, shipped))
    refused(plant, ErrorCode.UNIT_SCRAPPED, lambda: flows.hold(plant, scrapped))
    refused(plant, ErrorCode.UNIT_CONSUMED, lambda: flows.hold(plant, batch.modules[0]))
    refused(plant, ErrorCode.UNIT_NOT_RELEASED, lambda: flows.hold(plant, rejected))
    refused(plant, ErrorCode.UNIT_NOT_RELEASED, lambda: flows.hold(plant, rejected, include_descendants=True))
    refused(plant, ErrorCode.UNKNOWN_CODE, lambda: flows.hold(plant, "NO-SUCH-UNIT"))
    error = refused(plant, ErrorCode.UNIT_NOT_ON_HOLD, lambda: release(plant, batch.housing_lot))
    assert error.params == {"code": batch.housing_lot, "status": "RELEASED"}
    refused(plant, ErrorCode.UNIT_NOT_ON_HOLD, lambda: release(plant, shipped))
    refused(plant, ErrorCode.UNKNOWN_CODE, lambda: release(plant, "NO-SUCH-UNIT"))


def test_scrap_refuses_containers_and_what_is_gone(plant: Plant) -> None:
    batch = flows.build_meters(plant, 3)
    carton = flows.carton(plant, batch.meters[:1])
    flows.ship(plant, batch.meters[1:2], {METER: 1})
    flows.scrap(plant, batch.meters[2])
    refused(plant, ErrorCode.CANNOT_SCRAP_CONTAINER, lambda: flows.scrap(plant, carton))
    empty = flows.open_container(plant)
    refused(plant, ErrorCode.CANNOT_SCRAP_CONTAINER, lambda: flows.scrap(plant, empty))
    refused(plant, ErrorCode.ALREADY_SHIPPED, lambda: flows.scrap(plant, batch.meters[1]))
    refused(plant, ErrorCode.UNIT_SCRAPPED, lambda: flows.scrap(plant, batch.meters[2]))
    refused(plant, ErrorCode.UNIT_CONSUMED, lambda: flows.scrap(plant, batch.modules[0]))
    refused(plant, ErrorCode.UNKNOWN_CODE, lambda: flows.scrap(plant, "NO-SUCH-UNIT"))
    # A work order's production lot holds nothing of its own to destroy.
    error = refused(
        plant, ErrorCode.LOT_INSUFFICIENT_QUANTITY, lambda: flows.scrap(plant, f"{batch.work_order}-P")
    )
    assert Decimal(error.params["available"]) == 0


def test_scrap_refuses_bad_quantities(plant: Plant) -> None:
    meters = flows.released_meters(plant, 1)
    lot = flows.compound_lot(plant, 10)
    for bad in ("0", "-2", "lots", "Infinity"):
        refused(plant, ErrorCode.BAD_QUANTITY, lambda bad=bad: flows.scrap(plant, lot, bad))
    error = refused(plant, ErrorCode.LOT_INSUFFICIENT_QUANTITY, lambda: flows.scrap(plant, lot, 11))
    assert (Decimal(error.params["available"]), Decimal(error.params["requested"])) == (10, 11)
    refused(plant, ErrorCode.LOT_INSUFFICIENT_QUANTITY, lambda: flows.scrap(plant, meters[0], 2))
    refused(plant, ErrorCode.LOT_INSUFFICIENT_QUANTITY, lambda: flows.scrap(plant, meters[0], "0.5"))
    assert flows.scrap(plant, meters[0], 1).status == "SCRAPPED"


# --- replay -------------------------------------------------------------------------------------


def test_every_quality_operation_replays_its_first_result(plant: Plant) -> None:
    batch = flows.build_meters(plant, 2)
    lot = flows.compound_lot(plant, 10)

    held = replayed(
        plant,
        quality.hold,
        inspector(plant),
        unit_code=batch.pcb_lot,
        reason="notice",
        include_descendants=True,
    )
    assert set(batch.meters) <= set(held.changed)
    released = replayed(
        plant,
        quality.release_hold,
        inspector(plant),
        unit_code=batch.pcb_lot,
        reason="ok",
        include_descendants=True,
    )
    assert set(released.changed) == set(held.changed)
    assert replayed(
        plant, quality.scrap, inspector(plant), unit_code=lot, reason="spilt", quantity="2.5"
    ).quantity == Decimal("2.5")
    assert plant.unit(lot).quantity == Decimal("7.5")
    scrapped = replayed(plant, quality.scrap, inspector(plant), unit_code=batch.meters[0], reason="cracked")
    assert scrapped.status == "SCRAPPED"
